"""`spikefit inspect`: what was read, sweep by sweep (tested on its own parser until cli.py wires it)."""
import argparse

import pytest

from spikefit.data import load, samples
from spikefit.data.inspect import add_inspect_command, describe


def _run(argv):
    parser = argparse.ArgumentParser(prog="spikefit")
    add_inspect_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_inspect_prints_sweeps_rates_amplitudes_and_spikes(capsys):
    assert _run(["inspect", str(samples.path("sscx_l5ttpc_idrest")), "--sweeps", "0,1", "--ljp", "14mV"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("cell sscx_l5ttpc_idrest (ibw): 2 sweeps from ")
    assert out[1] == "liquid-junction potential applied: 14 mV; stimulus: recorded"
    assert out[2].split() == ["#", "sweep", "protocol", "kHz", "ms", "window", "(ms)", "hold", "(pA)", "step", "(pA)",
                              "Vrest", "(mV)", "spikes"]
    row = out[4].split()
    assert row[:5] == ["1", "328", "IDrest", "4", "3000.0"] and row[-1] == "6"
    start, stop = (float(x) for x in row[5].split("-"))
    assert start == pytest.approx(700, abs=2) and stop == pytest.approx(2700, abs=2)


def test_inspect_options(capsys):
    path = str(samples.path("pyabf_fsi"))
    with pytest.warns(UserWarning, match="rebuilt as ideal steps"):
        assert _run(["inspect", path, "--sweep-names", "16", "--stimulus", "ideal_step", "--threshold", "0mV"]) == 0
    out = capsys.readouterr().out
    assert "stimulus: ideal_step" in out and out.splitlines()[-1].split()[-1] == "117"
    with pytest.raises(ValueError, match=r"--sweeps must list positions such as 0,2,5, got '16a'"):
        _run(["inspect", path, "--sweeps", "16a"])
    with pytest.raises(ValueError, match=r"--units must look like NAME=UNIT, got 'mV'"):
        _run(["inspect", path, "--units", "mV"])


def test_describe_names_species_and_cell_type():
    text = describe(load(samples.path("pyabf_fsi"), sweeps=[0], metadata={"species": "Mus musculus"}))
    assert "species Mus musculus" in text.splitlines()[1]
