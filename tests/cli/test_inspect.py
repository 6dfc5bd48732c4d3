"""``spikefit inspect``: what was read, sweep by sweep, from a path, a sample or a reference."""
import pytest

from spikefit.cli import main
from spikefit.data import resolve, samples


def test_inspect_prints_sweeps_rates_amplitudes_and_spikes(capsys, efel_features):
    path = str(samples.path("sscx_l5ttpc_idrest"))
    assert main(["inspect", path, "--sweeps", "0,1", "--ljp", "14mV", "--stimulus", "recorded"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("cell sscx_l5ttpc_idrest (ibw): 2 sweeps from ")
    assert out[1] == "liquid-junction potential applied: 14 mV; stimulus: recorded"
    assert out[2].split() == ["#", "sweep", "protocol", "kHz", "ms", "window", "(ms)", "hold", "(pA)", "step", "(pA)",
                              "Vrest", "(mV)", "spikes"]
    row = out[4].split()
    # The truth: the same sweep, its spikes counted by eFEL over the whole sweep.
    sweep = resolve(path, stimulus="recorded", sweeps=[1])[0]
    crossings = int(efel_features(sweep, ["spike_count"], window=(0, sweep.v.size * sweep.dt))["spike_count"])
    assert crossings > 0
    assert row[:5] == ["1", "328", "IDrest", f"{1e-3 / sweep.dt:.4g}", f"{sweep.v.size * sweep.dt * 1e3:.1f}"]
    assert row[-1] == str(crossings)
    start, stop = (float(x) for x in row[5].split("-"))
    assert start == pytest.approx(700, abs=2) and stop == pytest.approx(2700, abs=2)  # IDrest: 0.7-2.7 s


def test_inspect_options(capsys, efel_features):
    path = str(samples.path("pyabf_fsi"))
    assert main(["inspect", path, "--sweep-names", "16", "--stimulus", "ideal_step", "--threshold", "0mV"]) == 0
    out = capsys.readouterr().out
    sweep = resolve(path, sweeps=["16"])[0]
    crossings = int(efel_features(sweep, ["spike_count"], window=(0, sweep.v.size * sweep.dt), threshold=0.0)
                    ["spike_count"])  # spikes over 0 mV, as eFEL counts them
    assert crossings > 0
    assert "stimulus: ideal_step" in out and out.splitlines()[-1].split()[-1] == str(crossings)
    assert main(["inspect", path, "--sweeps", "16a"]) == 2
    assert "--sweeps must list positions such as 0,2,5, got '16a'" in capsys.readouterr().err
    assert main(["inspect", path, "--units", "mV"]) == 2
    assert "--units must look like NAME=UNIT, got 'mV'" in capsys.readouterr().err


def test_inspect_by_path_by_sample_name_and_a_reference(capsys):
    assert main(["inspect", str(samples.path("pyabf_fsi")), "--sweeps", "0"]) == 0
    by_path = capsys.readouterr().out
    assert main(["inspect", "pyabf_fsi", "--sweeps", "0"]) == 0
    by_name = capsys.readouterr().out
    assert by_path.splitlines()[-2:] == by_name.splitlines()[-2:]  # same sweep table
    assert "1 sweeps" in by_name and "   20 " in by_name  # 20 kHz
    assert main(["inspect", "hh"]) == 0
    assert "cell hh" in capsys.readouterr().out


def test_inspect_of_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "nope.abf")]) == 2
    assert "nope.abf" in capsys.readouterr().err
