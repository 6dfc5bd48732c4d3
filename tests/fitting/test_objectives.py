"""Objectives: each scores a batch as its definition says, and counts what a model cannot produce."""
import dataclasses

import numpy as np
import pytest

import spikefit
from spikefit.features import FIRING_FEATURES
from spikefit.features.metrics import gamma_factor
from spikefit.features.voltage_error import subthreshold_error
from spikefit.fitting import objectives as O
from spikefit.fitting import target as T

STEPS = (-0.1e-9, 0.2e-9, 0.35e-9, 0.6e-9)


@pytest.fixture(scope="module")
def lif_case():
    """A LIF target under four steps and a batch: the truth first, then other sets."""
    lif = spikefit.get_model("lif")
    stimuli = spikefit.step_protocol(list(STEPS), 0.1, 0.5, 0.6)
    target = T.build_target(lif.simulate(None, stimuli))
    table = {"g_L": [10e-9, 12e-9, 10e-9, 30e-9], "V_th": [-50e-3, -50e-3, -45e-3, -50e-3]}
    return lif, target, lif.simulate_batch(table, target.stimuli, record_v=True)


def test_every_objective_is_zero_for_the_truth_and_positive_elsewhere(lif_case):
    _, target, result = lif_case
    for name, objective in O.OBJECTIVES.items():
        scores = objective.function(result, target)
        assert scores.values.shape == (4,) and scores.missing.dtype == np.int64
        assert scores.values[0] == pytest.approx(0.0, abs=1e-9), name
        if name != "subthreshold":  # g_L = 30 nS fires on no step but changes the levels
            assert np.all(scores.values[1:] > 0), name


def test_features_count_what_the_model_cannot_produce(lif_case):
    _, target, result = lif_case
    scores = O.feature_distance(result, target)
    # g_L = 30 nS never fires: every firing feature the target has on its firing sweeps is missing
    defined = np.isfinite(target.features[list(FIRING_FEATURES)].to_numpy())
    silent = defined & (target.features[["spike_count"]].to_numpy() > 0)
    assert scores.missing[3] == silent.sum() - 2  # spike_count itself is 0, not missing
    assert scores.missing[0] == 0


def test_phase_dependent_features_are_scored_on_silent_sweeps_only(lif_case):
    _, target, _ = lif_case
    fires = target.features["spike_count"].to_numpy() > 0
    np.testing.assert_array_equal(target.scored["steady_state_voltage_stimend"].to_numpy(), ~fires)
    assert target.scored["voltage_base"].all()


def test_spike_timing_is_one_minus_gamma(lif_case):
    _, target, result = lif_case
    gamma, undefined = O.gamma_matrix(result, target)
    scored = []
    for j, stimulus in enumerate(target.stimuli):
        data, model = target.spikes[j][0], result.spikes(1, j)
        if data.size + model.size == 0:
            assert np.isnan(gamma[1, j])  # neither fires: left out (features.metrics.gamma_over_repeats)
        else:
            assert gamma[1, j] == pytest.approx(gamma_factor(model=model, data=data, duration=stimulus.duration))
            scored.append(gamma[1, j])
    assert 0 < len(scored) < len(target.stimuli)  # both cases met
    assert not undefined.any()
    assert O.spike_timing(result, target).values[1] == pytest.approx(1 - np.mean(scored))


def test_feature_objectives_record_voltages_for_models_with_spikes_of_their_own(lif_case):
    """hh_fs fitted on 'firing' once reached the fast path without voltages."""
    _, target, _ = lif_case
    firing = O.parse_objective("firing")
    assert not firing.record_v(target, spike_drawing="reset")  # spike times suffice
    assert firing.record_v(target, spike_drawing="shape")  # peaks are found in the voltage
    assert not O.parse_objective("spikes").record_v(target, spike_drawing="shape")


def test_trace_error_matches_subthreshold_error(lif_case):
    _, target, result = lif_case
    per_sweep = [subthreshold_error(result.trace(2, j), target.recording[j], spike_margin=target.spike_margin)
                 / target.v_scale for j in range(len(target.stimuli))]
    assert O.trace_error(result, target).values[2] == pytest.approx(np.sqrt(np.mean(np.square(per_sweep))))


def test_a_diverged_sweep_scores_the_worst_and_counts(lif_case):
    _, target, result = lif_case
    diverged = result.diverged.copy()
    diverged[1, 2] = True
    broken = dataclasses.replace(result, diverged=diverged)
    assert O.trace_error(broken, target).missing[1] == 1
    assert O.spike_timing(broken, target).missing[1] == 1
    assert O.gamma_matrix(broken, target)[0][1, 2] == -1.0
    O._FEATURE_CACHE.clear()
    assert O.feature_distance(broken, target).missing[1] > O.feature_distance(result, target).missing[1]


def test_parse_objective_forms():
    assert O.parse_objective("features").describe() == ["features"]
    assert O.parse_objective("multi").names == O.MULTI_DEFAULT
    spec = O.parse_objective({"features": 1.0, "trace": 0.5})
    assert spec.n_objectives == 1 and spec.describe() == ["1*features+0.5*trace"]
    assert O.parse_objective(["firing", {"spikes": 2}]).n_objectives == 2


@pytest.mark.parametrize("objective, match", [
    ("feature", "unknown objective 'feature'; did you mean features"),
    ({"trace": 0}, "weight must be finite and > 0, got trace=0"),
    ({}, "must name at least one objective"),
    (3, "objective must be a name"),
])
def test_parse_objective_rejects(objective, match):
    with pytest.raises((ValueError, TypeError), match=match):
        O.parse_objective(objective)


def test_a_spike_objective_needs_target_spikes():
    lif = spikefit.get_model("lif")
    silent = T.build_target(lif.simulate(None, spikefit.step(0.05e-9, 0.1, 0.5, 0.6)))
    with pytest.raises(ValueError, match="'spikes' objective needs target spikes, got a target with 0 spikes"):
        O.check_target(O.parse_objective("spikes"), silent)
    O.check_target(O.parse_objective("firing"), silent)  # spike_count = 0 is a feature to fit
    with pytest.raises(ValueError, match="'features' objective needs at least one feature the target defines"):
        O.check_target(O.parse_objective("features"), T.build_target(silent.recording, ["mean_frequency"]))
