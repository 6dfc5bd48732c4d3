"""``spikefit fit``: the outputs it writes, --param values and --search bounds, and its errors."""
import json

import numpy as np
import pandas as pd
import pytest

import spikefit
from spikefit.cli import main
from spikefit.cli.options import parse_objective_arg, parse_search, parse_values


@pytest.fixture(scope="module")
def lif():
    return spikefit.get_model("lif")


def test_fit_writes_params_trials_and_figure(lif, tmp_path, capsys):
    path = tmp_path / "cell.npz"
    lif.simulate(None, spikefit.step_protocol([0.1e-9, 0.4e-9], 0.1, 0.5, 0.6)).write(path)
    out = tmp_path / "out"
    assert main(["fit", "lif", str(path), "--trials", "32", "--seed", "0", "--search", "C=50pF:500pF",
                 "--search", "g_L", "--param", "V_reset=-65mV", "--no-refine", "--out", str(out)]) == 0
    saved = json.loads((out / "best_params.json").read_text())
    assert saved["params"]["C"]["unit"] == "F" and saved["params"]["C"]["searched"]
    assert saved["params"]["V_reset"] == {"value": -0.065, "unit": "V", "searched": False}
    assert not saved["params"]["E_L"]["searched"] and saved["params"]["E_L"]["value"] == lif.parameter("E_L").default
    trials = pd.read_csv(out / "trials.csv")
    assert list(trials.columns[:5]) == ["number", "state", "value", "C", "g_L"]
    assert trials["C"].between(50e-12, 500e-12).all() and trials["C"].max() > 200e-12  # the bounds given
    assert (out / "fit.png").stat().st_size > 1000
    printed = capsys.readouterr().out
    assert "failures:" in printed and "start: estimate (estimate from the voltage trace)" in printed
    assert main(["fit", "lif", str(path), "--trials", "8", "--seed", "0", "--no-refine", "--blind"]) == 0
    assert "start: blind (init=None: blind search asked for)" in capsys.readouterr().out


def test_fit_to_a_simulated_reference_fits_all_its_sweeps(tmp_path):
    out_dir = tmp_path / "fit"
    assert main(["fit", "lif", "hh", "--trials", "64", "--seed", "1", "--no-refine", "--out", str(out_dir)]) == 0
    assert (out_dir / "trials.csv").read_text().count("\n") >= 64
    assert (out_dir / "fit.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv, message", [
    (["fit", "lif", "hh", "--resume"], "--resume needs --storage URL and --study NAME"),
    (["fit", "lif", "hh", "--search", "C=50pF"], "--search must look like NAME or NAME=LOW:HIGH"),
    (["fit", "lif", "hh", "--search", "C=50mV:1nF"], "--search C low must be in F"),
    (["fit", "lif", "hh", "--search", "C=500pF:50pF"], "low < high must hold for the bounds of C, got low=5e-10"),
    (["fit", "lif", "hh", "--search", "C", "--param", "C=1nF"], "either searched or fixed, got C in both"),
    (["fit", "lif", "hh", "--param", "Cm=1nF"], "unknown parameter 'Cm' for lif; did you mean C?"),
    (["fit", "lif", "no/such.abf"], "no file or folder 'no/such.abf'"),
])
def test_bad_input_exits_2_before_any_trial(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_option_forms(lif):
    assert parse_values(lif, ["C=150pF", "V_th=-52 mV"]) == pytest.approx({"C": 150e-12, "V_th": -0.052})
    assert parse_search(lif, []) is None
    assert parse_search(lif, ["C=50pF:0.5nF", "g_L"]) == {"C": (50e-12, pytest.approx(500e-12)), "g_L": None}
    assert parse_objective_arg("features") == "features"
    assert parse_objective_arg("features=1,trace=0.1") == {"features": 1.0, "trace": 0.1}
    assert parse_objective_arg("firing;spikes") == ["firing", "spikes"]
    with pytest.raises(ValueError, match="weights must be numbers, got 'trace=x'"):
        parse_objective_arg("features=1,trace=x")


def test_fit_on_a_shipped_real_cell(tmp_path, capsys):
    out = tmp_path / "real"
    assert main(["fit", "adex", "sscx_l5ttpc_idrest", "--trials", "64", "--seed", "0", "--no-refine",
                 "--out", str(out)]) == 0
    saved = json.loads((out / "best_params.json").read_text())
    assert saved["params"]["V_T"]["unit"] == "V" and np.isfinite(saved["score"])
    assert (out / "fit.png").stat().st_size > 1000
    assert "fit adex: score" in capsys.readouterr().out
