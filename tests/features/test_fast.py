"""The fast path equals eFEL on the same traces: model batches, real sweeps, drawn spike trains.

Tolerances: counts exactly; every other feature to a relative 1e-9 (and 1e-12 absolute in
SI units, i.e. 1 pV or 1 ps): the fast path reproduces eFEL's time grid and edge rules, so
the only differences are the summation order of means (measured below 1e-14 relative).
"""
import dataclasses
import math

import efel
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spikefit
from spikefit.features import batch_features, extract_features, fast_extract_features
from spikefit.features.fast import FAST_DEFAULT, FAST_FEATURES, UNITS, feature_values

NAMES = list(FAST_FEATURES)
TO_SI = {name: 1e-3 if UNITS[name] in ("s", "V") else 1.0 for name in NAMES}


def efel_values(trace, names=NAMES, **efel_settings):
    """eFEL called directly on the time base spikefit hands it (i * dt_ms), ms and mV."""
    efel.reset()
    try:
        for name, value in efel_settings.items():
            efel.set_setting(name, value)
        data = {"T": np.arange(trace.v.size) * (trace.dt * 1e3), "V": trace.v * 1e3,
                "stim_start": [trace.stimulus.start * 1e3], "stim_end": [trace.stimulus.stop * 1e3]}
        values = efel.get_mean_feature_values([data], list(names), raise_warnings=False)[0]
    finally:
        efel.reset()
    return {n: math.nan if values[n] is None else values[n] * TO_SI[n] for n in names}


def assert_matches_efel(row: pd.Series, expected: dict, where):
    for name, want in expected.items():
        got = row[name]
        if math.isnan(want):
            assert math.isnan(got), (where, name, got)
        elif name.startswith("spike_count"):
            assert got == want, (where, name)
        else:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (where, name)


def check_batch(result, names=NAMES):
    table = batch_features(result, names)
    assert list(table.columns) == list(names)
    assert table.index.names == ["set", "stimulus"]
    for i in range(result.n_sets):
        for j in range(len(result.stimuli)):
            assert_matches_efel(table.loc[(i, j)], efel_values(result.trace(i, j), names), (i, j))
    for (key, name), reason in table.attrs["reasons"].items():
        assert math.isnan(table.loc[key, name]) and reason
    assert table.isna().sum().sum() == len(table.attrs["reasons"])
    return table


@pytest.mark.parametrize("batch", ["adex_batch", "izhikevich_batch", "lif_batch"])
def test_batch_path_equals_efel_on_reset_models(batch, request):
    result = request.getfixturevalue(batch)
    table = check_batch(result)
    assert (table["spike_count"] >= 4).sum() >= 5  # the ISI features are exercised


def test_batch_path_equals_efel_on_hh(hh_rs_batch):
    table = check_batch(hh_rs_batch)
    assert (table["spike_count"] > 5).all()


def test_fast_path_equals_efel_on_real_sweeps(real_sweeps):
    table = fast_extract_features(real_sweeps, NAMES)
    assert table.index.name == "sweep"
    for row, trace in enumerate(real_sweeps):
        assert_matches_efel(table.loc[row], efel_values(trace), row)


def test_fast_path_equals_extract_features_with_settings(real_sweeps):
    settings = {"Threshold": -0.03, "interp_step": 5e-5, "ignore_first_ISI": False,
                "voltage_base_start_perc": 0.5}
    fast = fast_extract_features(real_sweeps[:4], NAMES, **settings)
    slow = extract_features(real_sweeps[:4], NAMES, **settings)
    pd.testing.assert_frame_equal(fast, slow, rtol=1e-9, atol=1e-12)
    assert fast.attrs["reasons"].keys() == slow.attrs["reasons"].keys()


# --- drawn spike trains, generated -------------------------------------------------------
STIM = spikefit.step(1e-10, 0.02, 0.08, 0.1)  # 1000 samples of 0.1 ms, window 20-80 ms


def drawn_batch(samples: list[list[int]]) -> spikefit.BatchResult:
    """A LIF-like batch: spike k drawn at sample k (+20 mV), rest at -70 mV, no simulation."""
    n, width = len(samples), max(map(len, samples), default=0)
    v = np.full((n, STIM.n_samples), -0.07)
    times = np.full((n, width), np.nan)
    for i, row in enumerate(samples):
        v[i, row] = 0.02
        times[i, :len(row)] = (np.array(row, dtype=float) - 0.3) * STIM.dt  # drawn at the next sample
    lif = spikefit.get_model("lif")
    return spikefit.BatchResult("lif", pd.DataFrame([lif.defaults()] * n), (STIM,), np.array([[len(r)] for r in samples]),
                                (times,), np.zeros((n, 1), bool), (v,), spike_drawing="reset",
                                reset_parameter="V_reset")


spike_rows = st.lists(st.integers(1, STIM.n_samples - 1), max_size=30, unique=True).map(sorted)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(spike_rows, min_size=1, max_size=4))
def test_drawn_spikes_generated(samples):
    """Any drawn train: counts always equal eFEL's; every feature does when no spikes merge."""
    result = drawn_batch(samples)
    table = batch_features(result, NAMES)
    for i, row in enumerate(samples):
        expected = efel_values(result.trace(i, 0))
        assert table.loc[(i, 0), "spike_count"] == expected["spike_count"], row
        if np.diff(row).min(initial=9) >= 2:
            assert_matches_efel(table.loc[(i, 0)], expected, row)


def test_spikes_on_the_window_edges():
    """Peaks exactly at stim_start and stim_end count as inside, as in eFEL."""
    result = drawn_batch([[200, 300, 400, 500, 600, 800, 900], [150, 200, 203, 800]])
    check_batch(result)


def test_merged_and_undrawn_spikes():
    """Spikes in adjacent samples are one peak; a spike in the last sample is none."""
    result = drawn_batch([[300, 301, 302, 500, 501, 700, 999], [100, 300, 998, 999], [100, 998]])
    table = batch_features(result, ["spike_count"])
    assert list(table["spike_count"]) == [3, 2, 2]
    assert list(table["spike_count"]) == [efel_values(result.trace(i, 0))["spike_count"] for i in range(3)]


def test_extreme_rate_lif_counts_like_efel():
    """A LIF firing every integration step: eFEL sees one long peak, so does the fast path."""
    lif = spikefit.get_model("lif")
    result = lif.simulate_batch({"t_ref": [0.0, 0.0], "C": [20e-12, 200e-12]},
                                spikefit.step(10e-9, 0.1, 0.9, 1.0), record_v=True, dt=1e-5)
    table = batch_features(result, ["spike_count", "time_to_first_spike"])
    for i in range(2):
        expected = efel_values(result.trace(i, 0), ["spike_count", "time_to_first_spike"])
        assert table.loc[(i, 0), "spike_count"] == expected["spike_count"]
        # which sample of a merged run eFEL names the peak depends on its grid's rounding
        assert table.loc[(i, 0), "time_to_first_spike"] == pytest.approx(expected["time_to_first_spike"], abs=1.01e-4)


# --- what the fast path returns ------------------------------------------------------------
def test_defaults_reasons_and_units(adex_batch):
    table = batch_features(adex_batch)
    assert list(table.columns) == list(FAST_DEFAULT)
    assert table.attrs["units"]["mean_frequency"] == "Hz" and table.attrs["units"]["voltage_base"] == "V"
    silent = (0, 0)  # hyperpolarising step
    assert table.loc[silent, "spike_count"] == 0
    assert table.attrs["reasons"][(silent, "ISI_CV")] == "too few spikes: ISI_CV needs at least 4 spikes, the sweep has 0"
    without_v = batch_features(dataclasses.replace(adex_batch, v=None))
    assert list(without_v.columns) == list(FAST_DEFAULT[:5])


def test_diverged_sets_are_nan_with_reason(adex_batch):
    diverged = adex_batch.diverged.copy()
    diverged[1, 2] = True
    table = batch_features(dataclasses.replace(adex_batch, diverged=diverged), ["spike_count"])
    assert math.isnan(table.loc[(1, 2), "spike_count"])
    assert "diverged" in table.attrs["reasons"][((1, 2), "spike_count")]


def test_no_stimulus_window():
    lif = spikefit.get_model("lif")
    stim = spikefit.from_array(np.full(5000, 0.3e-9), 1e-4)
    result = lif.simulate_batch(None, stim, record_v=True)
    table = batch_features(result, ["spike_count", "ISI_CV", "mean_frequency"])
    assert table.loc[(0, 0), "spike_count"] == result.spike_counts[0, 0] > 4
    assert table.loc[(0, 0), "ISI_CV"] >= 0
    assert table.attrs["reasons"][((0, 0), "mean_frequency")].startswith("no stimulus window")


# --- bad input -----------------------------------------------------------------------------
def test_subthreshold_features_need_voltages(adex_batch):
    with pytest.raises(ValueError, match="voltage_base needs the membrane potential: simulate with record_v=True"):
        batch_features(dataclasses.replace(adex_batch, v=None), ["voltage_base"])


def test_unknown_and_unsupported(adex_batch):
    with pytest.raises(ValueError, match="unknown fast feature 'ISI_cv'; did you mean ISI_CV"):
        batch_features(adex_batch, ["ISI_cv"])
    with pytest.raises(ValueError, match="the fast path honours only the settings .* got strict_stiminterval"):
        batch_features(adex_batch, ["spike_count"], strict_stiminterval=True)
    with pytest.raises(ValueError, match=r"Threshold < 0.02 V \(the drawn spike peak\) must hold"):
        batch_features(adex_batch, ["spike_count"], Threshold=0.025)
    for entry in (batch_features, feature_values):  # one set of checks for both
        with pytest.raises(ValueError, match="V_reset < Threshold must hold for the fast path"):
            entry(adex_batch, ["spike_count"], Threshold=-0.075)


def test_reset_model_off_the_grid():
    result = spikefit.get_model("lif").simulate_batch(None, spikefit.step(0.3e-9, 0.01, 0.09, 0.1, dt=5e-5))
    with pytest.raises(ValueError, match="whole multiple of eFEL's interp_step"):
        batch_features(result)
    table = batch_features(result, interp_step=5e-5)
    assert table.loc[(0, 0), "spike_count"] == result.spike_counts[0, 0]


# --- the array core ----------------------------------------------------------------------
def test_feature_values_equal_batch_features(adex_batch, izhikevich_batch, hh_rs_batch):
    for result in (adex_batch, izhikevich_batch, hh_rs_batch):
        fast = feature_values(result, FAST_DEFAULT)
        table = batch_features(result, FAST_DEFAULT).to_numpy().reshape(fast.shape)
        np.testing.assert_array_equal(fast, table)  # NaN where NaN, bit for bit elsewhere


def test_a_model_with_spikes_of_its_own_needs_voltages():
    """Both entry points share one set of checks (the objectives reach feature_values)."""
    result = spikefit.get_model("hh_fs").simulate_batch(None, spikefit.step(0.3e-9, 0.02, 0.08, 0.1))
    for entry in (batch_features, feature_values):
        with pytest.raises(ValueError, match="model 'hh_fs' fires spikes of its own: .* simulate with record_v=True"):
            entry(result, ["spike_count"])
