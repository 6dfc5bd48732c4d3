"""estimate: parameters from the voltage trace by regression of dV/dt.

The truth is the parameter set a recording was simulated from. Recordings are simulated
with an integration step of 1 us (``SUBSTEPS`` per 0.1 ms sample) so that they follow the
continuous ODE that estimate targets; at 5 us the forward-Euler error of the kernels alone
moved b of Izhikevich rs_2007 by 0.9 % (measured).
"""
import math
import warnings

import numpy as np
import pytest

import spikefit
from spikefit.data import Recording, Stimulus, Trace, ou_noise, step
from spikefit.fitting.estimation import Estimate, estimate

DT = 1e-4
SUBSTEPS = 100
TOLERANCE = 0.01


def rheobase(model, params) -> float:
    """Smallest step (A) of a geometric ladder that makes the cell fire within 0.8 s."""
    amplitudes = np.geomspace(1e-12, 5e-9, 120)
    batch = model.simulate_batch(params, [step(a, 0.1, 0.9, 1.0, dt=DT) for a in amplitudes])
    return float(amplitudes[np.flatnonzero(batch.spike_counts[0] > 0)[0]])


def protocol(rheo, seed=0) -> list[Stimulus]:
    """Steps from -0.5 to 3 rheobases (one subthreshold) plus 4 s of OU noise around it: 10 s."""
    stimuli = [step(f * rheo, 0.1, 0.9, 1.0, dt=DT) for f in (-0.5, 0.6, 1.1, 1.5, 2.0, 3.0)]
    stimuli.append(ou_noise(rheo, 0.5 * rheo, 5e-3, 0.1, 3.9, 4.0, dt=DT, seed=seed))
    return stimuli


def simulated(name, params, stimuli=None):
    model = spikefit.get_model(name)
    params = {**model.defaults(), **params}
    stimuli = stimuli or protocol(rheobase(model, params))
    return model, params, model.simulate(params, stimuli, dt=DT / SUBSTEPS)


def errors(model, truth, est: Estimate) -> dict:
    """Error of each determined parameter: relative to the truth, or, where the truth is 0,
    relative to the width of the parameter's search bounds."""
    out = {}
    for spec in model.parameters:
        if not est.determined[spec.name]:
            continue
        true, value = truth[spec.name], est.params[spec.name]
        scale = abs(true) if true != 0 else spec.high - spec.low
        out[spec.name] = abs(value - true) / scale
    return out


def quiet_estimate(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # presets outside the search bounds warn
        return estimate(*args, **kwargs)


LIF_SETS = {
    "defaults": {},
    "no_refractory": {"t_ref": 0.0, "V_reset": -65e-3},
    "fast": {"C": 100e-12, "g_L": 20e-9, "E_L": -65e-3, "V_th": -45e-3, "V_reset": -55e-3,
             "t_ref": 5e-3},
}


@pytest.mark.parametrize("name", LIF_SETS)
def test_lif_exact(name):
    model, truth, rec = simulated("lif", LIF_SETS[name])
    est = quiet_estimate(model, rec)
    assert est.n_spikes > 20 and est.n_used > 30_000
    assert all(est.determined.values()), est.reasons
    assert max(errors(model, truth, est).values()) < TOLERANCE


FAST_PRESETS = {("izhikevich", "rs_2007"), ("izhikevich", "dap_2004"), ("adex", "brette_gerstner_2005")}
"""Run by default: the 2007 default, the fast-u cell with a spike every 2.6 ms (the largest
error, d 0.76 %), the AdEx whose cut is determined. All 38 take about a minute (marked slow)."""

CUT_DETERMINED = {"brette_gerstner_2005"}
"""AdEx presets whose V_cut the protocol determines: V_cut = V_T + 5 Delta_T, where the ODE takes
63 us from the cut to its blow-up (C / g_L exp(-5), by hand). The Destexhe types (12 Delta_T:
0.12 us) and the Naud rows (25 Delta_T) are under ``CUT_RESOLUTION`` of the step."""

NOT_EXACT: dict = {}
"""Presets measured outside the 1 % (strict xfails): none since the AdEx kernel's steps near the
cut (naud_delayed_regular_bursting's E_L was 2.6 % off on the kernel before)."""


def _undetermined(name, preset):
    """What the protocol does not determine: the cut of every AdEx preset but
    ``CUT_DETERMINED``, where the ODE runs away (above 0.5 V) before the recorded spike time or
    takes under ``CUT_RESOLUTION`` of the step from the cut to its blow-up."""
    return {"V_cut"} if name == "adex" and preset not in CUT_DETERMINED else set()


def _preset_cases(name):
    def marks(preset):
        out = [] if (name, preset) in FAST_PRESETS else [pytest.mark.slow]
        why = NOT_EXACT.get((name, preset))
        return out + ([pytest.mark.xfail(strict=True, reason=why)] if why else [])

    return [pytest.param(name, preset, marks=marks(preset), id=f"{name}-{preset}")
            for preset in spikefit.get_model(name).presets]


@pytest.mark.parametrize("name, preset", _preset_cases("izhikevich") + _preset_cases("adex"))
def test_presets_exact(name, preset):
    """Every determined parameter of every preset within 1 % of the truth (absolute, 1 % of
    the bounds' width, where the truth is 0). Which parameters are not determined is
    asserted exactly (``_undetermined``), with the reason and the value that stands in."""
    model = spikefit.get_model(name)
    model, truth, rec = simulated(name, model.preset(preset))
    est = quiet_estimate(model, rec)
    undetermined = {n for n, ok in est.determined.items() if not ok}
    assert undetermined == _undetermined(name, preset), est.reasons
    if "V_cut" in undetermined and "runs away" in est.reasons["V_cut"]:
        assert est.params["V_cut"] == pytest.approx(est.params["V_T"] + 5 * est.params["Delta_T"])
    elif "V_cut" in undetermined:
        assert "blow-up in" in est.reasons["V_cut"] and "of the 0.1 ms sampling step" in est.reasons["V_cut"]
    worst = errors(model, truth, est)
    assert max(worst.values()) < TOLERANCE, worst


def test_errors_rule_uses_bounds_for_zero_truths():
    model = spikefit.get_model("adex")
    truth = {**model.defaults(), "b": 0.0}
    est = Estimate("adex", {**truth, "b": 4e-12}, {n: 0.0 for n in truth}, {n: True for n in truth},
                   {}, {p.name: p.unit for p in model.parameters}, 0.0, 1, 0, 0)
    assert errors(model, truth, est)["b"] == pytest.approx(4e-12 / 500e-12)


def test_current_noise_bias_and_smoothing():
    """White amplifier noise on the recorded current attenuates its coefficient (errors in
    variables): C comes out too large by the factor (r2 + s2) / r2, r2 the variance of the
    true current not explained by the other regressors (V, 1) over the regression's
    intervals, s2 the noise variance. Smoothing the current removes most of the noise and
    of the bias."""
    model, truth, rec = simulated("lif", {"t_ref": 0.0},
                                  [ou_noise(0.25e-9, 0.1e-9, 5e-3, 0.05, 9.95, 10.0, dt=DT, seed=1)])
    sigma = 50e-12
    trace = rec[0]
    noise = np.random.default_rng(2).normal(0, sigma, trace.current.size)
    noisy = Trace(trace.v, Stimulus(trace.current + noise, DT, 0.05, 9.95), trace.spike_times)
    clean = estimate(model, trace)
    raw = estimate(model, noisy)
    smoothed = estimate(model, noisy, smooth_current=0.5e-3)
    # the attenuation predicted from the data, independently of estimate: the intervals
    # outside the default spike windows (2 ms before, 3 ms after each spike)
    t = trace.time[:-1]
    near = np.zeros(t.size, bool)
    for spike in trace.spike_times:
        near |= (t + DT > spike - 2e-3) & (t < spike + 3e-3)
    v, current = trace.v, trace.current
    design = np.column_stack([0.5 * (v[1:] + v[:-1]), np.ones(v.size - 1)])[~near]
    target = current[:-1][~near]
    r2 = np.var(target - design @ np.linalg.lstsq(design, target, rcond=None)[0])
    predicted = (r2 + sigma**2) / r2
    bias_raw = raw.params["C"] / truth["C"]
    bias_smoothed = smoothed.params["C"] / truth["C"]
    print(f"C / truth: clean {clean.params['C'] / truth['C']:.4f}, noisy {bias_raw:.4f} "
          f"(predicted {predicted:.4f}), smoothed {bias_smoothed:.4f}")
    assert abs(clean.params["C"] / truth["C"] - 1) < 1e-3
    assert bias_raw == pytest.approx(predicted, rel=0.02)
    assert abs(bias_smoothed - 1) < 0.25 * abs(bias_raw - 1)


def test_adex_without_a_leak_at_rest_takes_e_l_from_the_voltage_at_rest():
    """naud_delayed_regular_bursting has a = -g_L: the regression's constant (g_L + a) E_L / C
    is 0 whatever E_L, and E_L from it was 0.65 mV off. The cell rests at E_L before each
    step, so the voltage there is E_L (within the drift the exponential gives it: 0.4 uV)."""
    model = spikefit.get_model("adex")
    truth = model.preset("naud_delayed_regular_bursting")
    stimuli = [step(f * 110e-12, 0.1, 0.9, 1.0, dt=DT) for f in (-0.5, 0.6, 1.0, 1.5)]
    est = quiet_estimate(model, model.simulate(truth, stimuli, dt=DT / SUBSTEPS))
    assert est.determined["E_L"]
    assert est.params["E_L"] == pytest.approx(truth["E_L"], abs=0.01e-3)
    assert est.stderr["E_L"] < 0.01e-3
    for name in ("C", "g_L", "a", "b", "tau_w"):  # the regression still gives the rest
        assert est.params[name] == pytest.approx(truth[name], rel=TOLERANCE), name


def test_subthreshold_recording_leaves_spike_parameters_undetermined():
    model, truth, rec = simulated("adex", {}, [step(0.1e-9, 0.1, 0.9, 1.0, dt=DT),
                                               step(-0.1e-9, 0.1, 0.9, 1.0, dt=DT)])
    assert sum(len(t.spike_times) for t in rec) == 0
    est = quiet_estimate(model, rec)
    for name in ("V_reset", "V_cut", "t_ref", "b"):
        assert not est.determined[name] and math.isnan(est.params[name])
        assert "no spikes" in est.reasons[name]
    assert abs(est.params["g_L"] / truth["g_L"] - 1) < TOLERANCE


def test_out_of_bounds_value_warns_and_is_not_clipped():
    model, truth, rec = simulated("lif", {"C": 1500e-12, "g_L": 50e-9})  # C above its 1000 pF bound
    with pytest.warns(UserWarning, match=r"C = 1\.5e-09 F lies outside its bounds \[2e-11, 1e-09\]"):
        est = estimate(model, rec)
    assert est.params["C"] == pytest.approx(1500e-12, rel=TOLERANCE)


def test_a_value_no_cell_can_have_is_flagged_not_determined_and_kept():
    # A membrane with a negative leak, C dV/dt = +g (V - E) + I (g = 10 nS): its voltage leaves
    # E rather than returning to it, so the regression's g_L is -10 nS. g_L > 0 is a rule of
    # LIF whatever its other parameters: the estimate reports the value and flags it, and a
    # fit starts g_L blind (the centre of its bounds), not at the edge nearest -10 nS.
    from spikefit.fitting.search import search_space
    from spikefit.fitting.start import resolve_start
    from spikefit.fitting.target import build_target

    C, g, E, n = 200e-12, 10e-9, -0.07, 500
    rng = np.random.default_rng(1)
    sweeps = []
    for _ in range(20):  # short sweeps from E: the deviation grows 12-fold in 50 ms, no more
        current = rng.normal(0.0, 5e-12, n)
        v = np.empty(n)
        v[0] = E
        for k in range(n - 1):  # exact for a current held over each sample
            fixed_point = E - current[k] / g
            v[k + 1] = fixed_point + (v[k] - fixed_point) * math.exp(g * DT / C)
        sweeps.append(_trace(v, current, spikes=np.array([])))
    rec = Recording(tuple(sweeps))
    est = quiet_estimate("lif", rec)
    assert est.params["g_L"] == pytest.approx(-g, rel=TOLERANCE)
    assert est.params["C"] == pytest.approx(C, rel=TOLERANCE) and est.determined["C"]
    assert not est.determined["g_L"] and "rule g_L > 0" in est.reasons["g_L"]
    lif = spikefit.get_model("lif")
    space = search_space(lif, None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = resolve_start(lif, space, build_target(rec), "estimate")
    i = space.names.index("g_L")
    assert start.mean[i] == 0.5 and start.values["C"] == pytest.approx(C, rel=TOLERANCE)


def test_table_shows_display_units():
    model, truth, rec = simulated("lif", {})
    table = estimate(model, rec).table()
    assert table.loc["C", "unit"] == "pF" and table.loc["C", "value"] == pytest.approx(200, rel=1e-3)
    assert table.loc["t_ref", "unit"] == "ms" and table.loc["t_ref", "value"] == pytest.approx(2, rel=1e-3)
    assert set(table.columns) == {"value", "stderr", "unit", "determined", "reason"}


def _trace(v, current, dt=DT, spikes=None):
    return Trace(np.asarray(v, float), Stimulus(np.asarray(current, float), dt), spikes)


def test_bad_input():
    n = 20_000
    v = -0.07 + 1e-3 * np.sin(np.arange(n) / 50)
    with pytest.raises(ValueError, match=r"model 'hh' has no estimator.*lif, izhikevich, adex"):
        estimate("hh", _trace(v, np.full(n, 1e-11)))
    with pytest.raises(ValueError, match="current is 0 in every sample"):
        estimate("lif", _trace(v, np.zeros(n)))
    mixed = Recording((_trace(v, np.full(n, 1e-11)), _trace(v, np.full(n, 1e-11), dt=2e-4)))
    with pytest.raises(ValueError, match=r"one sampling interval.*got intervals 0\.0001, 0\.0002 s"):
        estimate("lif", mixed)
    with pytest.raises(ValueError, match=r"needs at least 300 subthreshold sampling intervals.*"
                                         r"got 199 of 199"):
        estimate("lif", _trace(v[:200], np.full(200, 1e-11)))
    # a spike every 3 ms leaves no interval outside the windows (2 ms before, 3 ms after)
    spiky = _trace(v, np.full(n, 1e-11), spikes=np.arange(1, n // 30) * 3e-3)
    with pytest.raises(ValueError, match=r"needs at least 800 .*got \d\d of 19999"):
        estimate("izhikevich", spiky)
    with pytest.raises(TypeError, match="must be a Trace or a Recording"):
        estimate("lif", v)
    with pytest.raises(ValueError, match="spike_window must be two times >= 0 s"):
        estimate("lif", _trace(v, np.full(n, 1e-11)), spike_window=(-1e-3, 1e-3))


def test_a_model_that_does_not_hold_the_data_is_flagged_not_run_away():
    """Izhikevich on the HH reference's noise sweep: the residual is least at a = 3000/s, the
    edge of the searched range (3 times the bound); there its fitted ODE (k < 0) runs off to
    -1e266 V after a reset unless the search stays inside that range. Flagged, not an error."""
    from spikefit.data import resolve

    est = quiet_estimate("izhikevich", resolve("hh")[-1])
    assert est.params["a"] == pytest.approx(3000.0)
    assert not est.determined["a"] and "edge of the searched range [0.333, 3e+03]" in est.reasons["a"]
