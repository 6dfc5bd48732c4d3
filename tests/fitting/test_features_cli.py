"""``spikefit features``: the command's table, CSV and errors (wired here on a bare parser)."""
import argparse

import pytest

import spikefit
from spikefit.fitting import features_cli


def run(argv):
    parser = argparse.ArgumentParser(prog="spikefit")
    features_cli.add_features_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


@pytest.fixture
def recording(real_sweeps, monkeypatch):
    recording = spikefit.Recording(tuple(real_sweeps[:2]), {"cell": "B6"})
    monkeypatch.setattr(features_cli.samples, "load_path_or_sample", lambda source: recording)
    return recording


def test_table_in_display_units_with_reasons(recording, capsys):
    assert run(["features", "B6", "--names", "spike_count,time_to_first_spike,voltage_base,sag_ratio1"]) == 0
    out = capsys.readouterr().out
    header, first = out.splitlines()[0], out.splitlines()[2]
    assert header.split() == ["spike_count", "time_to_first_spike", "(ms)", "voltage_base", "(mV)", "sag_ratio1"]
    assert first.split()[:4] == ["0", "26", "41.5", "-69.34"]
    assert "sweep 0: sag_ratio1: no sag: sag_ratio1 needs a hyperpolarising step" in out


def test_csv_keeps_stdout_clean(recording, capsys):
    assert run(["features", "B6", "--csv", "--names", "spike_count,sag_ratio1", "--set", "Threshold=-0.01"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "sweep,spike_count,sag_ratio1"
    assert lines[1].startswith("0,26.0,") and len(lines) == 3
    assert "sag_ratio1" in captured.err


def test_window_and_errors(recording):
    assert run(["features", "B6", "--names", "mean_frequency", "--window", "0.7,2.7"]) == 0
    with pytest.raises(ValueError, match="--window must look like START,STOP"):
        run(["features", "B6", "--window", "0.7"])
    with pytest.raises(ValueError, match="--set must look like NAME=VALUE"):
        run(["features", "B6", "--set", "Threshold"])
    with pytest.raises(ValueError, match="unknown eFEL setting 'treshold'"):
        run(["features", "B6", "--set", "treshold=-0.01"])


def test_missing_source_names_it():
    with pytest.raises(ValueError, match="no file or folder 'no/such/file.abf', and no sample of that name; "
                                         "samples are .*sscx_l5ttpc_idrest"):
        features_cli.samples.load_path_or_sample("no/such/file.abf")


def test_shipped_sample_end_to_end(capsys):
    """The real loader and a shipped sample, no monkeypatching."""
    assert run(["features", "sscx_l5ttpc_idrest", "--csv", "--names", "spike_count,mean_frequency"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "sweep,spike_count,mean_frequency (Hz)" and len(lines) == 17
    assert max(float(line.split(",")[1]) for line in lines[1:]) > 10
