"""Step windows, levels, smoothing and ideal steps on synthetic protocols, clean and noisy."""
import numpy as np
import pytest

from spikefit.data.stimulus_processing import detect_window, ideal_step, smooth_current, step_levels

DT = 2.5e-4
T = np.arange(12000) * DT  # 3 s at 4 kHz


def _steps(amplitudes, onset=0.7, offset=2.7, holding=-25e-12, prepulse=None):
    sweeps = []
    for a in amplitudes:
        c = np.full(T.size, holding)
        c[(T >= onset) & (T < offset)] += a
        if prepulse is not None:
            c[(T >= 0.1) & (T < 0.4)] += prepulse
        sweeps.append(c)
    return np.array(sweeps)


def _noisy(currents, seed=0):
    # The SSCx kind of noise: a ripple near the Nyquist frequency, white noise, spike transients.
    rng = np.random.default_rng(seed)
    ripple = 120e-12 * np.sign(np.sin(2 * np.pi * 1939 * T))
    noisy = currents + ripple + rng.normal(0, 40e-12, currents.shape)
    for row in noisy:
        for spike in rng.uniform(0.8, 2.6, 10):
            i = int(spike / DT)
            row[i:i + 2] += 1e-9
            row[i + 2:i + 4] -= 1e-9
    return noisy


def test_a_varying_step_is_the_window():
    window = detect_window(_steps(np.arange(100, 800, 100) * 1e-12), DT)
    assert (window.start, window.stop, window.kind) == (pytest.approx(0.7), pytest.approx(2.7), "varying step")


def test_a_fixed_prepulse_is_not_the_window():
    window = detect_window(_steps(np.arange(0, 300, 50) * 1e-12, prepulse=-100e-12), DT)
    assert window.start == pytest.approx(0.7) and window.stop == pytest.approx(2.7)


def test_of_two_equal_steps_the_first():
    sweeps = _steps(np.arange(-100, 301, 50) * 1e-12, onset=0.15, offset=0.65)
    second = _steps(np.arange(-100, 301, 50) * 1e-12, onset=1.65, offset=2.15, holding=0.0)
    window = detect_window(sweeps + second, DT)
    assert window.start == pytest.approx(0.15) and window.stop == pytest.approx(0.65)


def test_one_sweep_and_sweeps_that_share_their_step():
    assert detect_window(_steps([200e-12])[0], DT).kind == "step"
    window = detect_window(_steps([200e-12] * 3), DT)
    assert window.kind == "step" and window.start == pytest.approx(0.7)


def test_noisy_recorded_steps():
    window = detect_window(_noisy(_steps(np.arange(150, 800, 50) * 1e-12)), DT)
    assert window.kind == "varying step"
    assert window.start == pytest.approx(0.7, abs=2e-3) and window.stop == pytest.approx(2.7, abs=2e-3)


def test_a_ramp_is_a_span_and_a_flat_current_has_no_window():
    ramp = np.clip((T - 0.5) / 2.0, 0, None) * 400e-12 * (T < 2.5)
    window = detect_window(ramp, DT)
    assert window.kind == "span" and not window.is_step
    assert window.start == pytest.approx(0.54, abs=0.01) and window.stop == pytest.approx(2.5, abs=6e-3)
    assert detect_window(np.full(T.size, 5e-12), DT) is None


def test_levels_of_a_noisy_step():
    clean = _steps([300e-12])[0]
    holding, amplitude = step_levels(_noisy(clean[None])[0], DT, 0.7, 2.7)
    assert holding == pytest.approx(-25e-12, abs=8e-12) and amplitude == pytest.approx(300e-12, abs=8e-12)
    at_zero = np.where(T < 1.0, 275e-12, -25e-12)
    assert step_levels(at_zero, DT, 0.0, 1.0) == pytest.approx((-25e-12, 300e-12))  # holding after a step at 0


def test_smoothing_removes_ripple_and_transients_but_keeps_the_step():
    clean = _steps([300e-12])[0]
    smooth = smooth_current(_noisy(clean[None])[0], DT)
    inside = slice(int(0.8 / DT), int(2.6 / DT))
    noisy = _noisy(clean[None])[0]
    assert np.std(smooth[inside] - clean[inside]) < 0.25 * np.std(noisy[inside] - clean[inside])
    assert np.abs(smooth[inside] - clean[inside]).max() < 150e-12  # the +-1 nA transients are gone
    assert smooth[int(0.69 / DT)] < 100e-12 < 200e-12 < smooth[int(0.71 / DT)]  # the edge stays sharp


def test_ideal_step():
    current = ideal_step(100, 0.01, 0.2, 0.5, -10e-12, 100e-12)
    assert current[19] == -10e-12 and current[20] == current[49] == 90e-12 and current[50] == -10e-12
