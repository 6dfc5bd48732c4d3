"""events: the model's own trajectory after each spike, for many trial values at once."""
import warnings

import numpy as np
import pytest

import spikefit
from spikefit.data import Stimulus, Trace, step
from spikefit.fitting.estimation import estimate, events
from spikefit.fitting.estimation.models import SPECS
from spikefit.fitting.estimation.sweeps import prepare

DT = 1e-4
LIF = {"C": 200e-12, "g_L": 10e-9, "E_L": -70e-3}


def _sweep_with_spikes(current, spikes):
    trace = Trace(np.full(current.size, -0.07), Stimulus(current, DT), spikes)
    return prepare(trace, threshold=-0.02, before=2e-3, after=3e-3, smooth_current=None)


def _exact_lif(reset, t_ref, spike, current, j0, n_free):
    """LIF from ``reset`` at spike + t_ref: the exact exponential over each interval, whose
    current is the sample at its start (zero-order hold)."""
    tau = LIF["C"] / LIF["g_L"]
    v, t, out = reset, spike + t_ref, []
    for m in range(n_free):
        end = (j0 + m) * DT
        v_inf = LIF["E_L"] + current[j0 + m - 1] / LIF["g_L"]
        v = v_inf + (v - v_inf) * np.exp(-(end - t) / tau)
        out.append(v)
        t = end
    return np.array(out)


def test_post_reset_is_the_exact_lif_trajectory_for_every_trial_value():
    rng = np.random.default_rng(0)
    current = rng.uniform(0.0, 0.4e-9, 2000)  # a new value every sample: the hold is tested
    spikes = np.array([0.05037, 0.1, 0.12345])
    sweeps = [_sweep_with_spikes(current, spikes), _sweep_with_spikes(current[::-1].copy(), spikes[:1])]
    masks = [events.usable(s) for s in sweeps]
    batch = events.gather(sweeps, masks, n_after=40, before=2e-3)
    assert batch.counts.tolist() == [3, 1]
    resets, t_refs, n_free = np.array([-65e-3, -60e-3, -50e-3]), np.array([0.0, 1.55e-3, 2e-3]), 20
    j0, free = events.post_reset(SPECS["lif"], LIF, batch, DT, np.zeros(4), resets, t_refs, n_free,
                                 events.FIT_STEPS)
    assert free.shape == (3, 4, n_free)
    currents = [sweeps[0].current] * 3 + [sweeps[1].current]
    for i, (reset, t_ref) in enumerate(zip(resets, t_refs)):
        for e, (spike, cur) in enumerate(zip(batch.time, currents)):
            assert j0[i, e] == int(np.floor((spike + t_ref) / DT + 1e-9)) + 1
            expected = _exact_lif(reset, t_ref, spike, cur, j0[i, e], n_free)
            np.testing.assert_allclose(free[i, e], expected, rtol=0, atol=1e-10)


def test_fit_steps_give_the_estimate_of_the_fine_steps(monkeypatch):
    """The reset fit's coarse RK4 steps (``FIT_STEPS``) against those of the corrections."""
    model = spikefit.get_model("adex")
    params = model.preset("naud_initial_burst")
    stimuli = [step(a, 0.1, 0.9, 1.0, dt=DT) for a in (0.2e-9, 0.3e-9, 0.5e-9)]
    rec = model.simulate({**model.defaults(), **params}, stimuli, dt=DT / 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coarse = estimate(model, rec)
        monkeypatch.setattr(events, "FIT_STEPS", (events.N_STEPS, events.LATER_STEPS))
        fine = estimate(model, rec)
    assert coarse.n_spikes > 10
    for name, value in fine.params.items():  # abs: 0.1 ns for t_ref (true 0), 0.1 nV
        assert coarse.params[name] == pytest.approx(value, rel=1e-6, abs=1e-10), name
