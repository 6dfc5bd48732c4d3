"""extract_features: eFEL's values, in SI, with reasons for every NaN and no leaked settings."""
import math

import efel
import numpy as np
import pandas as pd
import pytest

import spikefit
from spikefit.features import DEFAULT_FEATURES, SHAPE_FEATURES, extract_features
from spikefit.features.efel_features import RESET_MEASURABLE, is_shape_feature

# eFEL's unit of each default feature -> factor to SI, written out here on purpose.
TO_SI = {"spike_count": 1, "mean_frequency": 1, "time_to_first_spike": 1e-3, "ISI_CV": 1,
         "adaptation_index2": 1, "voltage_base": 1e-3, "steady_state_voltage_stimend": 1e-3,
         "decay_time_constant_after_stim": 1e-3, "sag_ratio1": 1, "AP_amplitude": 1e-3,
         "AP_width": 1e-3, "spike_half_width": 1e-3, "AHP_depth_abs": 1e-3,
         "AP_begin_voltage": 1e-3, "inv_first_ISI": 1, "ISI_log_slope": 1, "AP_rise_rate": 1,
         "min_voltage_between_spikes": 1e-3, "time_to_last_spike": 1e-3, "AHP_depth": 1e-3}


def efel_direct(trace, names, window=None, **efel_settings):
    """eFEL called the plain way: ms and mV, its own settings, mean over spikes."""
    efel.reset()
    try:
        for name, value in efel_settings.items():
            efel.set_setting(name, value)
        start, stop = window or (trace.stimulus.start, trace.stimulus.stop)
        data = {"T": np.arange(trace.v.size) * trace.dt * 1e3, "V": trace.v * 1e3,
                "stim_start": [start * 1e3], "stim_end": [stop * 1e3]}
        return efel.get_mean_feature_values([data], list(names), raise_warnings=False)[0]
    finally:
        efel.reset()


def assert_equal_to_efel(table, row, trace, names, **efel_settings):
    expected = efel_direct(trace, names, **efel_settings)
    for name in names:
        got, want = table.loc[row, name], expected[name]
        if want is None:
            assert math.isnan(got), (row, name, got)
            assert (row, name) in table.attrs["reasons"]
        else:
            # 1e-9: eFEL gets the same samples; only the rounding of the time base may differ
            assert got == pytest.approx(want * TO_SI[name], rel=1e-9, abs=1e-15), (row, name)


# --- equal to eFEL ---------------------------------------------------------------------
def test_real_sweeps_equal_efel_called_directly(real_sweeps):
    table = extract_features(real_sweeps)
    assert list(table.columns) == list(DEFAULT_FEATURES)
    assert len(table) == len(real_sweeps) and table.index.name == "sweep"
    assert (table["spike_count"] > 10).sum() >= 10  # most fire: every feature is exercised
    for row, trace in enumerate(real_sweeps):
        assert_equal_to_efel(table, row, trace, DEFAULT_FEATURES)


def test_other_efel_features_by_name(real_sweeps):
    names = ["AP_begin_voltage", "inv_first_ISI", "ISI_log_slope", "AP_rise_rate",
             "min_voltage_between_spikes", "time_to_last_spike"]
    table = extract_features(real_sweeps[:3], names)
    for row, trace in enumerate(real_sweeps[:3]):
        assert_equal_to_efel(table, row, trace, names)


def test_hh_model_traces_equal_efel_shape_included(hh_rs_batch):
    traces = [hh_rs_batch.trace(i, j) for i in range(2) for j in range(2)]
    table = extract_features(traces)
    assert (table[list(SHAPE_FEATURES)].notna()).all().all()
    for row, trace in enumerate(traces):
        assert_equal_to_efel(table, row, trace, DEFAULT_FEATURES)


def test_reset_model_traces_equal_efel_except_shape(adex_batch):
    traces = [adex_batch.trace(i, j) for i in range(0, adex_batch.n_sets, 3) for j in (1, 2, 3)]
    table = extract_features(traces)
    shape = [n for n in SHAPE_FEATURES if n not in RESET_MEASURABLE]
    assert shape and "AHP_depth_abs" in SHAPE_FEATURES
    for row, trace in enumerate(traces):
        assert_equal_to_efel(table, row, trace, [n for n in DEFAULT_FEATURES if n not in shape])
        for name in shape:
            assert math.isnan(table.loc[row, name])
            assert table.attrs["reasons"][(row, name)].startswith("no spike shape: adex resets")


@pytest.mark.parametrize("batch", ["adex_batch", "izhikevich_batch", "lif_batch"])
def test_the_trough_between_a_reset_models_spikes_is_efels(batch, request):
    """AHP_depth_abs and AHP_depth: the reset and what follows it are the model's, not drawn."""
    result = request.getfixturevalue(batch)
    traces = [result.trace(i, j) for i in range(result.n_sets) for j in range(len(result.stimuli))]
    names = ["AHP_depth_abs", "AHP_depth"]
    table = extract_features(traces, names)
    defined = 0
    for row, trace in enumerate(traces):
        expected = efel_direct(trace, names)
        for name in names:
            if expected[name] is None:
                assert math.isnan(table.loc[row, name]) and "no spike shape" not in table.attrs["reasons"][(row, name)]
            else:
                assert table.loc[row, name] == pytest.approx(expected[name] * 1e-3, rel=1e-9, abs=1e-15)
                defined += 1
    assert defined >= len(traces)  # most traces fire: the comparison is not empty


@pytest.mark.parametrize("batch", ["adex_batch", "izhikevich_batch", "lif_batch"])
def test_efel_counts_every_spike_a_reset_model_fires(batch, request):
    """The drawn spike makes eFEL see each spike; only spikes in adjacent samples merge."""
    result = request.getfixturevalue(batch)
    checked = skipped = 0
    for j, stimulus in enumerate(result.stimuli):
        table = extract_features([result.trace(i, j) for i in range(result.n_sets)], ["spike_count"])
        for i in range(result.n_sets):
            spikes = result.spikes(i, j)
            samples = np.ceil(spikes / stimulus.dt - 1e-6)
            if spikes.size and (np.diff(samples).min(initial=9) < 2 or samples[-1] > stimulus.n_samples - 2):
                skipped += 1  # merged or undrawn spikes: tests/features/test_fast.py covers them
                continue
            assert table.loc[i, "spike_count"] == spikes.size, (batch, i, j)
            checked += 1
    # every sweep is checked or skipped, and most are checked (the skip cannot empty the test)
    assert checked + skipped == result.n_sets * len(result.stimuli)
    assert checked >= 2 * skipped and checked >= result.n_sets, (checked, skipped)


def test_drawn_spike_peak_time_is_the_sample_after_the_spike():
    adex = spikefit.get_model("adex")
    trace = adex.simulate(None, spikefit.step(0.8e-9, 0.1, 0.9, 1.0, dt=2e-4), dt=2.5e-5)
    table = extract_features(trace, ["time_to_first_spike"])
    first_sample = np.ceil(trace.spike_times[0] / trace.dt - 1e-6) * trace.dt
    assert table.loc[0, "time_to_first_spike"] == pytest.approx(first_sample - 0.1, abs=1e-9)


# --- settings ----------------------------------------------------------------------------
def test_settings_are_si_and_apply_to_one_call_only(real_sweeps):
    trace = real_sweeps[0]
    plain = extract_features(trace, ["spike_count", "AP_width"])
    low = extract_features(trace, ["spike_count", "AP_width"], Threshold=0.0, interp_step=5e-5)
    want = efel_direct(trace, ["spike_count", "AP_width"], Threshold=0.0, interp_step=0.05)
    assert low.loc[0, "AP_width"] == pytest.approx(want["AP_width"] * 1e-3, rel=1e-12)
    assert low.loc[0, "spike_count"] == want["spike_count"]
    assert efel.get_settings().Threshold == -20.0 and efel.get_settings().interp_step == 0.1
    again = extract_features(trace, ["spike_count", "AP_width"])
    pd.testing.assert_frame_equal(again, plain)


def test_global_efel_settings_neither_used_nor_lost(real_sweeps):
    trace = real_sweeps[0]
    plain = extract_features(trace, ["spike_count", "ISI_CV"])
    efel.set_setting("Threshold", 10.0)
    efel.set_setting("ignore_first_ISI", False)
    try:
        assert extract_features(trace, ["spike_count", "ISI_CV"]).equals(plain)
        assert efel.get_settings().Threshold == 10.0 and efel.get_settings().ignore_first_ISI is False
    finally:
        efel.reset()


def test_settings_restored_when_the_call_fails(real_sweeps):
    with pytest.raises(ValueError, match="unknown eFEL feature"):
        extract_features(real_sweeps[0], ["spike_count", "no_such_feature"], Threshold=0.0)
    assert efel.get_settings().Threshold == -20.0


# --- undefined values and their reasons --------------------------------------------------
def test_nan_reasons_too_few_spikes_and_window():
    lif = spikefit.get_model("lif")
    trace = lif.simulate(None, spikefit.step(0.2005e-9, 0.1, 0.4, 0.5))  # a few slow spikes
    n = trace.spike_times.size
    assert 1 <= n < 4
    table = extract_features(trace, ["spike_count", "ISI_CV", "adaptation_index2", "mean_frequency"])
    reasons = table.attrs["reasons"]
    assert table.loc[0, "spike_count"] == n and table.loc[0, "mean_frequency"] > 0
    assert reasons[(0, "ISI_CV")] == f"too few spikes: ISI_CV needs at least 4 spikes, the sweep has {n}"
    assert reasons[(0, "adaptation_index2")].startswith(
        "too few spikes: adaptation_index2 needs at least 4 spikes inside the stimulus window")
    assert set(reasons) == {(0, "ISI_CV"), (0, "adaptation_index2")}


def test_silent_sweep_reasons():
    trace = spikefit.get_model("lif").simulate(None, spikefit.step(0.1e-9, 0.1, 0.9, 1.0))
    table = extract_features(trace)
    assert table.loc[0, "spike_count"] == 0
    assert table.loc[0, "voltage_base"] == pytest.approx(-0.07)
    assert table.attrs["reasons"][(0, "mean_frequency")] == (
        "too few spikes: mean_frequency needs at least 1 spike, the sweep has 0")
    assert all(math.isnan(table.loc[0, n]) == ((0, n) in table.attrs["reasons"]) for n in DEFAULT_FEATURES)


def test_sweep_without_stimulus_window(real_sweeps):
    trace = real_sweeps[0]
    bare = spikefit.Trace(trace.v, spikefit.from_array(trace.current, trace.dt))
    names = ["spike_count", "ISI_CV", "mean_frequency", "voltage_base"]
    table = extract_features(bare, names)
    assert table.loc[0, "spike_count"] > 0 and table.loc[0, "ISI_CV"] > 0
    for name in ("mean_frequency", "voltage_base"):
        assert math.isnan(table.loc[0, name])
        assert table.attrs["reasons"][(0, name)].startswith("no stimulus window")
    given = extract_features(bare, names, window=(0.7, 2.7))
    pd.testing.assert_frame_equal(given, extract_features(trace, names))


def test_diverged_trace_is_nan_with_reason():
    stimulus = spikefit.step(1e-10, 0.1, 0.2, 0.3)
    v = np.full(stimulus.n_samples, -0.07)
    v[2000:] = np.nan
    table = extract_features(spikefit.Trace(v, stimulus, metadata={"model": "adex"}), ["spike_count"])
    assert math.isnan(table.loc[0, "spike_count"])
    assert "not finite" in table.attrs["reasons"][(0, "spike_count")]


def test_no_sag_for_a_depolarising_step(real_sweeps):
    table = extract_features(real_sweeps[0], ["sag_ratio1"])
    assert table.attrs["reasons"][(0, "sag_ratio1")].startswith("no sag: sag_ratio1 needs a hyperpolarising step")


def test_units_attribute():
    trace = spikefit.get_model("adex").simulate(None, spikefit.step(0.8e-9, 0.1, 0.9, 1.0))
    table = extract_features(trace, ["spike_count", "mean_frequency", "time_to_first_spike",
                                     "voltage_base", "AP_rise_rate"])
    assert table.attrs["units"] == {"spike_count": "1", "mean_frequency": "Hz", "time_to_first_spike": "s",
                                    "voltage_base": "V", "AP_rise_rate": "V/s"}


def test_shape_group_comes_from_efel():
    assert all(is_shape_feature(n) for n in SHAPE_FEATURES + ("peak_voltage", "AP_begin_voltage"))
    assert not any(is_shape_feature(n) for n in ("spike_count", "mean_frequency", "voltage_base", "ISI_CV"))


# --- bad input ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def adex_trace():
    return spikefit.get_model("adex").simulate(None, spikefit.step(0.8e-9, 0.1, 0.9, 1.0))


@pytest.mark.parametrize("names, message", [
    (["mean_frequncy"], "unknown eFEL feature 'mean_frequncy'; did you mean mean_frequency"),
    ("spikecount", "unknown eFEL feature 'spikecount'; did you mean .*spike_count"),
    (["peak_indices"], "'peak_indices' is not a feature of a sweep"),
    (["voltage"], "'voltage' is not a feature of a sweep"),
    ([], "names must hold at least one feature name"),
])
def test_bad_feature_names(adex_trace, names, message):
    with pytest.raises(ValueError, match=message):
        extract_features(adex_trace, names)


@pytest.mark.parametrize("settings, message", [
    ({"Treshold": -0.02}, "unknown eFEL setting 'Treshold'; did you mean Threshold"),
    ({"Threshold": -20}, r"Threshold is in SI units .* got Threshold=-20: did you pass eFEL's ms or mV"),
    ({"interp_step": 0.1}, r"interp_step is in SI units .* got interp_step=0.1"),
    ({"interp_step": 0.0}, "interp_step must be > 0, got interp_step=0.0"),
])
def test_bad_settings(adex_trace, settings, message):
    with pytest.raises(ValueError, match=message):
        extract_features(adex_trace, ["spike_count"], **settings)


def test_window_outside_the_trace(adex_trace):
    with pytest.raises(ValueError, match=r"0 <= start < stop <= duration must hold for the window, "
                                         r"got window=\(0.5, 1.5\) s and duration=1.0 s in sweep 0"):
        extract_features(adex_trace, ["mean_frequency"], window=(0.5, 1.5))


def test_trace_too_short():
    trace = spikefit.Trace(np.full(2, -0.07), spikefit.from_array([0.0, 0.0], 1e-4, 0.0, 1e-4))
    with pytest.raises(ValueError, match="a sweep must hold at least 3 samples .* got 2 samples"):
        extract_features(trace, ["spike_count"])


def test_reset_model_sampled_off_efels_grid():
    stimulus = spikefit.step(0.8e-9, 0.1, 0.9, 1.0, dt=5e-5)
    trace = spikefit.get_model("adex").simulate(None, stimulus)
    with pytest.raises(ValueError, match=r"whole multiple of eFEL's interp_step.*pass interp_step=5e-05"):
        extract_features(trace, ["spike_count"])
    table = extract_features(trace, ["spike_count"], interp_step=5e-5)
    assert table.loc[0, "spike_count"] == trace.spike_times.size


def test_not_a_trace():
    with pytest.raises(TypeError, match="expected a Trace, a Recording or a sequence of Traces, got ndarray"):
        extract_features(np.zeros(10))


def test_recording_and_top_level_export(adex_batch):
    recording = spikefit.Recording((adex_batch.trace(0, 2), adex_batch.trace(1, 2)))
    table = spikefit.extract_features(recording, ["spike_count"])
    assert list(table["spike_count"]) == [adex_batch.spike_counts[0, 2], adex_batch.spike_counts[1, 2]]
