"""Held-out scores on small constructed inputs, each expected number computed by hand here."""
import math

import numpy as np
import pandas as pd
import pytest

import spikefit
from spikefit.fitting.target import Target
from spikefit.reports import scoring

DELTA, DURATION, START, STOP = 4e-3, 1.0, 0.1, 0.9  # s; the stimulus window is 0.8 s
MODEL = [[0.3, 0.5], [], []]  # the model's spikes (s) under each of three steps
REPEATS = [[[0.3, 0.5], [0.302, 0.95]],  # step 0: one repeat identical, one with 1 of 2 within 4 ms
           [[], []],  # step 1: nobody fires
           [[0.3], []]]  # step 2: the model is silent, one repeat fires once


def batch(spikes_per_stimulus, stimuli) -> spikefit.BatchResult:
    """One LIF parameter set whose spikes are given (no simulation)."""
    lif = spikefit.get_model("lif")
    width = max(max(len(s) for s in spikes_per_stimulus), 1)
    times = tuple(np.array([s + [np.nan] * (width - len(s))], dtype=float) for s in spikes_per_stimulus)
    counts = np.array([[len(s) for s in spikes_per_stimulus]])
    return spikefit.BatchResult("lif", pd.DataFrame([lif.defaults()]), tuple(stimuli), counts, times,
                                np.zeros_like(counts, bool), None, spike_drawing="reset", reset_parameter="V_reset")


def target(repeats, features=None, spread=None) -> Target:
    """A target built field by field: every number in it is the test's own."""
    stimuli = tuple(spikefit.step(amp, START, STOP, DURATION) for amp in (0.3e-9, 0.1e-9, 0.2e-9)[:len(repeats)])
    sweeps, groups = [], []
    for stimulus, trains in zip(stimuli, repeats):
        groups.append(tuple(range(len(sweeps), len(sweeps) + len(trains))))
        sweeps += [spikefit.Trace(np.full(stimulus.n_samples, -0.07), stimulus, np.array(t)) for t in trains]
    features = pd.DataFrame(features or {"spike_count": [0.0] * len(stimuli)})
    spread = pd.DataFrame(spread or {name: [1.0] * len(stimuli) for name in features})
    return Target(spikefit.Recording(tuple(sweeps)), stimuli, tuple(groups), features, spread,
                  tuple(tuple(np.array(t, dtype=float) for t in trains) for trains in repeats),
                  tuple(np.full(s.n_samples, -0.07) for s in stimuli), tuple(np.ones(s.n_samples, bool) for s in stimuli),
                  pd.DataFrame(True, index=features.index, columns=features.columns), {}, DELTA)


@pytest.fixture(scope="module")
def case():
    t = target(REPEATS, features={"spike_count": [2.0, 0.0, 0.5], "mean_frequency": [4.0, math.nan, 1.25]},
               spread={"spike_count": [1.0, 1.0, 0.25], "mean_frequency": [2.0, 2.0, 2.0]})
    return batch(MODEL, t.stimuli), t


def test_gamma_over_repeats_and_normalised(case):
    result, t = case
    # Gamma = (N_coinc - 2 nu delta N_data) / (0.5 (N_data + N_model) (1 - 2 nu delta)), nu = 2 Hz (model)
    chance, norm = 2 * 2.0 * DELTA * 2, 1 - 2 * 2.0 * DELTA  # 0.032 and 0.984
    one_of_two = (1 - chance) / (0.5 * 4 * norm)  # 0.968 / 1.968
    step0 = (1.0 + one_of_two) / 2  # (2 - 0.032) / 1.968 = 1 against the identical repeat
    step2 = 0.0  # a silent model against one spike: no coincidence, no chance level; the silent repeat left out
    gamma, normalized, undefined = scoring._gammas(result, t, [True, True, True])
    assert gamma == pytest.approx((step0 + step2) / 2, rel=1e-12)  # step 1 (nobody fires) left out
    # step 0's repeats agree with each other as one_of_two (both ways): the model's mean over it;
    # step 2's reliability is 0 (one repeat silent), nothing to normalise by
    assert normalized == pytest.approx(step0 / one_of_two, rel=1e-12)
    assert undefined == 0


def test_normalised_gamma_leaves_out_stimuli_whose_repeats_are_at_chance(case):
    result, t = case
    gamma, normalized, _ = scoring._gammas(result, t, [False, True, True])
    assert gamma == scoring._gammas(result, t, [True, True, True])[0]  # plain Gamma keeps every stimulus
    assert math.isnan(normalized)  # step 0 left out, step 2 has nothing to normalise by


def test_reliable_stimuli_follow_the_groups_above_chance():
    from spikefit.reports.reliability import Reliability

    groups = [Reliability((4, 6), 0.3, 0.05, 0.005), Reliability((5, 7), 0.0004, 0.05, 0.6)]
    # sweeps 4-7 at positions 0-3; stimulus groups by position; sweep 8 (position 4) has no repeat
    assert scoring._reliable_stimuli([4, 5, 6, 7, 8], [[0, 2], [1, 3], [4]], groups) == [True, False, False]


def test_a_model_too_fast_for_gamma_scores_minus_one_and_counts():
    fast = list(np.arange(1, 151) * 6e-3)  # 150 spikes in 1 s: 2 * 150 Hz * 4 ms = 1.2 >= 1
    t = target([[[0.3, 0.5]], [[0.3]]])
    result = batch([fast, [0.3]], t.stimuli)
    gamma, _, undefined = scoring._gammas(result, t, [True, True])
    # step 0: -1 (undefined); step 1: Gamma = (1 - 2 * 1 * DELTA * 1) / (0.5 * 2 * (1 - 2 * 1 * DELTA)) = 1
    assert (gamma, undefined) == (pytest.approx((-1.0 + 1.0) / 2), 1)


def test_explained_variance(case):
    result, _ = case
    # one repeat each, so EV is raw: (var x + var y - var(x - y)) / (var x + var y);
    # identical trains give 1, a silent model against a firing repeat 0; nobody firing: left out
    t = target([[[0.3, 0.5]], [[]], [[0.3]]])
    assert scoring._explained_variance(result, t) == pytest.approx((1.0 + 0.0) / 2, rel=1e-9)


def test_fi_error(case):
    result, t = case
    window = STOP - START
    # rates inside [start, stop): model 2, 0, 0 spikes; data mean of repeats (2 + 1) / 2, 0, (1 + 0) / 2
    errors = [2 / window - 1.5 / window, 0.0, 0.0 - 0.5 / window]
    assert scoring._fi_error(result, t) == pytest.approx(math.sqrt(np.mean(np.square(errors))), rel=1e-12)


def test_feature_z_and_errors(case):
    result, t = case
    scores, n_missing = scoring._feature_errors(result, t)
    # spike_count: model 2, 0, 0 against 2, 0, 0.5 (spread 1, 1, 0.25)
    assert scores["feature_error:spike_count"] == pytest.approx((0 + 0 + 0.5) / 3)
    assert scores["feature_z:spike_count"] == pytest.approx((0 + 0 + 0.5 / 0.25) / 3)
    # mean_frequency: eFEL's N / (t_last - start) = 2 / (0.5 - 0.1) = 5 Hz on step 0 against 4 Hz
    # (spread 2); step 1 undefined on both sides; step 2 the model cannot produce it: missing
    assert scores["feature_error:mean_frequency"] == pytest.approx(1.0, rel=1e-9)
    assert scores["feature_z:mean_frequency"] == pytest.approx(0.5, rel=1e-9)
    assert n_missing == 1
