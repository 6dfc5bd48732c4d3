"""``spikefit features``: the table in display units against eFEL, CSV, and errors."""
import pytest

from spikefit.cli import main
from spikefit.data import resolve

SAMPLE = "sscx_l5ttpc_idrest"


@pytest.fixture(scope="module")
def recording():
    return resolve(SAMPLE)  # what the command reads: the one resolver, its default stimulus


def test_table_in_display_units_against_efel(recording, capsys, efel_features):
    assert main(["features", SAMPLE, "--names", "spike_count,time_to_first_spike,voltage_base,sag_ratio1"]) == 0
    out = capsys.readouterr().out
    header, row = out.splitlines()[0], out.splitlines()[3]  # the table's sweep 1
    assert header.split() == ["spike_count", "time_to_first_spike", "(ms)", "voltage_base", "(mV)", "sag_ratio1"]
    truth = efel_features(recording[1], ["spike_count", "time_to_first_spike", "voltage_base"])
    sweep, count, first, base = row.split()[:4]
    assert sweep == "1" and int(count) == truth["spike_count"] > 0
    assert float(first) == pytest.approx(truth["time_to_first_spike"], rel=1e-3)  # ms, 4 digits shown
    assert float(base) == pytest.approx(truth["voltage_base"], rel=1e-3)  # mV
    assert "sweep 1: sag_ratio1: no sag: sag_ratio1 needs a hyperpolarising step" in out


def test_csv_keeps_stdout_clean(recording, capsys, efel_features):
    assert main(["features", SAMPLE, "--csv", "--names", "spike_count,sag_ratio1", "--set", "Threshold=-0.01"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "sweep,spike_count,sag_ratio1" and len(lines) == 1 + len(recording)
    counts = [efel_features(s, ["spike_count"], threshold=-0.01)["spike_count"] for s in recording]
    assert [float(line.split(",")[1]) for line in lines[1:]] == counts
    assert "sag_ratio1" in captured.err


def test_window_and_errors(capsys):
    assert main(["features", SAMPLE, "--names", "mean_frequency", "--window", "0.7,2.7"]) == 0
    for argv, message in ((["--window", "0.7"], "--window must look like START,STOP"),
                          (["--set", "Threshold"], "--set must look like NAME=VALUE"),
                          (["--set", "treshold=-0.01"], "unknown eFEL setting 'treshold'")):
        assert main(["features", SAMPLE, *argv]) == 2
        assert message in capsys.readouterr().err


def test_missing_source_names_it(capsys):
    assert main(["features", "no/such/file.abf"]) == 2
    err = capsys.readouterr().err
    assert "no file or folder 'no/such/file.abf', and no sample or reference of that name" in err
    assert "sscx_l5ttpc_idrest" in err and "hh_fs" in err
