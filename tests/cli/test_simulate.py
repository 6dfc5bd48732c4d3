"""``spikefit simulate``: parameters with units, the printed spikes, bad input and divergence."""
import re

import numpy as np
import pytest

import spikefit
from spikefit.cli import main
from spikefit.models.presets import NAUD_STEP_CURRENTS


def test_simulate_prints_spikes_and_rate(capsys, efel_features):
    assert main(["simulate", "adex", "--preset", "naud_adapting"]) == 0
    out = capsys.readouterr().out
    assert "model adex (numba)" in out
    assert "C                   200 pF" in out
    assert "step 500.0 pA from 100 to 900 ms" in out
    # The truth: the same step simulated here, its spikes counted by eFEL on the voltage.
    amplitude = NAUD_STEP_CURRENTS["naud_adapting"]
    adex = spikefit.get_model("adex")
    trace = adex.simulate(adex.preset("naud_adapting"), spikefit.step(amplitude, 0.1, 0.9, 1.0, dt=1e-4))
    n = int(efel_features(trace, ["spike_count"], window=(0.1, 0.9))["spike_count"])
    assert n > 5  # an adapting train, not a silent or a single-spike step
    assert f"{n} spikes; firing rate in the step {n / 0.8:.2f} Hz" in out
    printed = [float(t) for t in re.search(r"spike times \(ms\): (.*)", out).group(1).split()]
    np.testing.assert_allclose(printed, trace.spike_times * 1e3, atol=5e-4)


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
    assert main(argv) == 2
    assert re.search(message, capsys.readouterr().err)


def test_divergence_exits_1(capsys):
    assert main(["simulate", "adex", "--param", "V_cut=10V", "--step", "2nA"]) == 1
    assert "diverged" in capsys.readouterr().err


def test_python_dash_m_runs_the_command():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "spikefit.cli", "simulate", "lif", "--duration", "200ms",
                           "--stop", "150ms"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("model lif (numba)")
