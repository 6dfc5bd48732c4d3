import pytest

from spikefit.cli import main, parse_quantity


def test_simulate_prints_spikes_and_rate(capsys):
    assert main(["simulate", "adex", "--preset", "naud_adapting"]) == 0
    out = capsys.readouterr().out
    assert "model adex (numba)" in out
    assert "C                   200 pF" in out
    assert "step 500.0 pA from 100 to 900 ms" in out
    assert "14 spikes; firing rate in the step 17.50 Hz" in out


def test_simulate_params_with_units_and_plot(tmp_path, capsys):
    png = tmp_path / "lif.png"
    code = main(["simulate", "lif", "--param", "C=150pF", "--param", "V_th=-52mV",
                 "--step", "0.4nA", "--duration", "500ms", "--stop", "400ms", "--plot", str(png)])
    assert code == 0
    out = capsys.readouterr().out
    assert "V_th                -52 mV" in out and "C                   150 pF" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


@pytest.mark.parametrize("argv, message", [
    (["simulate", "lif", "--param", "Cx=3pF"], "unknown parameter 'Cx' for lif; did you mean C?"),
    (["simulate", "lif", "--param", "C=-3pF"], "C > 0 must hold for model 'lif', got C=-3e-12"),
    (["simulate", "lif", "--step", "3mV"], "--step must be in A"),
    (["simulate", "lif", "--param", "C"], "--param must look like NAME=VALUE"),
    (["simulate", "adex", "--preset", "naud_tonc"], "unknown preset 'naud_tonc'.*did you mean naud_tonic"),
    (["simulate", "lif", "--dt", "0"], "dt must be > 0"),
])
def test_bad_input_exits_2_with_a_message(argv, message, capsys):
    import re

    assert main(argv) == 2
    assert re.search(message, capsys.readouterr().err)


def test_divergence_exits_1(capsys):
    assert main(["simulate", "adex", "--param", "V_cut=10V", "--step", "2nA"]) == 1
    assert "diverged" in capsys.readouterr().err


def test_models_lists_parameters_in_display_units(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "adex:" in out and "tau_w" in out and "ms" in out
    assert "presets: brette_gerstner_2005" in out


@pytest.mark.parametrize("text, unit, expected", [
    ("0.5nA", "A", 0.5e-9), ("-55 mV", "V", -0.055), ("2e-3", "s", 2e-3), ("200pF", "F", 2e-10),
    ("3ms", "s", 3e-3), ("10uS/m2", "S/m2", 1e-5), ("10mS/cm2", "S/m2", None),
])
def test_parse_quantity(text, unit, expected):
    if expected is None:
        with pytest.raises(ValueError, match="must be in S/m2"):
            parse_quantity(text, unit, "x")
    else:
        assert parse_quantity(text, unit, "x") == pytest.approx(expected)


def test_inspect_prints_sweeps_of_a_shipped_sample(capsys):
    from spikefit.data import samples

    assert main(["inspect", str(samples.path("pyabf_fsi")), "--sweeps", "0"]) == 0
    by_path = capsys.readouterr().out
    assert main(["inspect", "pyabf_fsi", "--sweeps", "0"]) == 0
    by_name = capsys.readouterr().out
    assert by_path.splitlines()[-2:] == by_name.splitlines()[-2:]  # same sweep table
    assert "1 sweeps" in by_name and "   20 " in by_name  # 20 kHz


def test_inspect_of_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "nope.abf")]) == 2
    assert "nope.abf" in capsys.readouterr().err


def test_features_of_a_shipped_sample_as_csv(capsys):
    assert main(["features", "pyabf_fsi", "--names", "spike_count", "--csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "spike_count" in lines[0] and len(lines) == 1 + 17
    assert int(float(lines[-1].split(",")[-1])) == 117  # the fsi's last sweep, as eFEL counts it


def test_recover_prints_true_against_recovered(capsys):
    assert main(["recover", "lif", "--trials", "300"]) == 0
    out = capsys.readouterr().out
    assert "parameter" in out and "recovered" in out and "Gamma on held-out" in out
    for name in ("C", "g_L", "E_L", "V_th", "V_reset", "t_ref"):
        assert f"\n{name:>9} " in out  # one row per free parameter


def test_fit_to_a_simulated_reference_writes_its_outputs(tmp_path, capsys):
    import json

    out_dir = tmp_path / "fit"
    assert main(["fit", "lif", "hh", "--trials", "64", "--seed", "1", "--no-refine", "--out", str(out_dir)]) == 0
    best = json.loads((out_dir / "best_params.json").read_text())
    assert "C" in json.dumps(best)
    assert (out_dir / "trials.csv").read_text().count("\n") >= 64
    assert (out_dir / "fit.png").read_bytes()[:4] == b"\x89PNG"
