"""Spike-train and voltage metrics: how close a model's output is to the data's.

Pure functions of spike trains (1-D arrays of spike times in s) or voltage traces (V), see
../shared/reference/REFERENCE.md section 5:

* ``gamma_factor``: coincidence factor of Kistler et al. 1997 and Jolivet et al. 2008; its
  batch form ``batch_gamma`` (many model trains, as a fit needs) and ``gamma_over_repeats``;
  ``intrinsic_reliability`` and ``normalized_gamma`` for repeated recordings (the 2009
  competition divides by the neuron's reliability).
* ``van_rossum_distance``: van Rossum 2001, exponential kernel.
* ``explained_variance``: Teeter et al. 2018 (Allen GLIF), Gaussian-smoothed trains,
  normalised by the data's own reliability when repeats exist.
* ``md_star``: Naud et al. 2011's Md*, as Pozzorini et al. 2015 compute it.

The voltage metric (``subthreshold_error``) is in ``voltage_error``.

Argument order is ``(model, data)`` everywhere; where a metric is not symmetric (Gamma,
normalised Gamma, explained variance) the two are keyword-only, so that a swapped call fails
instead of scoring the data against the model. Bad input (a negative window, ``delta <= 0``, spikes outside the trial, unsorted trains)
raises ``ValueError`` naming the value and the rule. A metric that is undefined for the
trains given (no spike on either side) is NaN, as each function documents.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from numba import njit

from ..data.units import require_positive, to_si
from ..defaults import GAMMA_WINDOW
from .voltage_error import subthreshold_error

__all__ = ["gamma_factor", "batch_gamma", "gamma_over_repeats", "GammaUndefined", "intrinsic_reliability", "normalized_gamma", "van_rossum_distance",
           "explained_variance", "spike_train_ev", "md_star", "METRICS"]


def _train(spikes, name: str, duration: float | None = None) -> np.ndarray:
    """A spike train as a sorted float array (s), checked."""
    train = np.array(to_si(spikes, "s", name), dtype=float, ndmin=1)
    if train.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of spike times, got shape {train.shape}")
    if not np.all(np.isfinite(train)):
        raise ValueError(f"{name} must hold finite spike times, got {train[~np.isfinite(train)][:3]}")
    if np.any(np.diff(train) < 0):
        raise ValueError(f"{name} must be sorted in time")
    if duration is not None and train.size and (train[0] < 0 or train[-1] > duration):
        raise ValueError(
            f"{name} must lie within [0, duration] = [0, {duration}] s, got spikes from "
            f"{train[0]} to {train[-1]} s"
        )
    return train


# --- coincidence factor --------------------------------------------------------------
class GammaUndefined(ValueError):
    """Gamma is undefined: the model fires so fast that ``2 rate delta >= 1`` (chance alone
    fills the coincidence window)."""


@njit(cache=True)
def _n_coincidences(data, model, delta):
    """Data spikes paired one-to-one with a model spike within +-delta (maximum pairing)."""
    n = 0
    j = 0
    for t in data:
        while j < model.size and model[j] < t - delta:
            j += 1
        if j < model.size and model[j] <= t + delta:
            n += 1
            j += 1
    return n


@njit(cache=True)
def _gamma_rows(model, counts, data, delta, duration, out):
    """Gamma of each row of ``model`` (its first ``counts`` spikes) against ``data``, the one
    implementation of the formula; NaN when neither fires, -inf when ``2 rate delta >= 1``."""
    for i in range(model.shape[0]):
        n_model = counts[i]
        if n_model + data.size == 0:
            out[i] = np.nan
            continue
        rate = n_model / duration
        norm = 1 - 2 * rate * delta
        if norm <= 0:
            out[i] = -np.inf
            continue
        coincidences = _n_coincidences(data, model[i, :n_model], delta)
        expected = 2 * rate * delta * data.size
        out[i] = (coincidences - expected) / (0.5 * (data.size + n_model) * norm)


def gamma_factor(*, model, data, delta: float = GAMMA_WINDOW, duration: float | None = None) -> float:
    """Coincidence factor Gamma (dimensionless) of a model spike train against a data spike train.

    ``Gamma = (N_coinc - 2 nu delta N_data) / (0.5 (N_data + N_model) (1 - 2 nu delta))``
    (Kistler et al. 1997; Jolivet et al. 2008). 1 for identical trains, about 0 for a model
    that fires at the right rate but at random, negative below chance. The chance level
    ``2 nu delta N_data`` is first order in ``nu delta``: it holds for ``2 nu delta << 1``
    (0.08 at 20 Hz and 2 ms, where chance scores about -0.004).

    Rate convention: ``nu`` is the **model's** rate, ``N_model / duration``, as in Kistler
    and Jolivet (brian2modelfitting uses the data's rate instead). ``N_coinc`` counts data
    spikes paired one-to-one with a model spike within +-``delta`` (inclusive), so
    ``N_coinc <= min(N_data, N_model)`` and Gamma <= 1. The arguments are keyword-only:
    Gamma is not symmetric, a swapped call would be silently wrong.

    Parameters
    ----------
    model, data : array of float
        Sorted spike times in s.
    delta : float
        Coincidence window in s: 2e-3 in the 2007/2008 competitions, 4e-3 in 2009.
    duration : float
        Length of the trial in s (both trains lie within ``[0, duration]``).

    Returns
    -------
    float
        Gamma; NaN when neither train has a spike (nothing to coincide).

    Raises
    ------
    GammaUndefined
        ``2 nu delta >= 1`` (a window so wide, or a model so fast, that chance alone fills it).
    ValueError
        ``delta <= 0``, no ``duration``, spikes outside the trial.
    """
    delta = to_si(delta, "s", "delta")
    if not delta > 0:
        raise ValueError(f"Delta must be > 0, got delta={delta}")
    if duration is None:
        raise ValueError("duration (s) must be given: Gamma's chance level needs the model's rate")
    duration = require_positive(to_si(duration, "s", "duration"), "duration")
    data, model = _train(data, "data", duration), _train(model, "model", duration)
    rate = model.size / duration
    if data.size + model.size and 2 * rate * delta >= 1:
        raise GammaUndefined(
            f"2 * rate * delta < 1 must hold for Gamma, got rate={rate} Hz (model), delta={delta} s"
        )
    out = np.empty(1)
    _gamma_rows(model[None, :], np.array([model.size]), data, float(delta), float(duration), out)
    return float(out[0])


def batch_gamma(*, model: np.ndarray, counts: np.ndarray, data, delta: float, duration: float):
    """Gamma (dimensionless) of many model trains against one data train: ``gamma_factor`` by rows.

    Parameters
    ----------
    model : float array (n_sets, k)
        Sorted spike times (s) of each set, its first ``counts`` entries valid (as
        ``BatchResult.spike_times``).
    counts : int array (n_sets,)
    data : array of float
        Sorted spike times (s) of the data; not checked (a fit's target, checked once).
    delta, duration : float
        Coincidence window and trial length, s.

    Returns
    -------
    (gamma, too_fast) : float array (n_sets,), bool array (n_sets,)
        Gamma of each set, NaN where neither side fires or where ``too_fast``
        (``2 rate delta >= 1``, where ``gamma_factor`` raises ``GammaUndefined``).
    """
    out = np.empty(len(counts))
    _gamma_rows(np.ascontiguousarray(model, dtype=float), np.ascontiguousarray(counts, dtype=np.int64),
                np.ascontiguousarray(data, dtype=float), float(delta), float(duration), out)
    too_fast = np.isneginf(out)
    out[too_fast] = np.nan
    return out, too_fast


def gamma_over_repeats(*, model: np.ndarray, counts: np.ndarray, repeats: Sequence, delta: float,
                       duration: float, clip: bool = False):
    """Gamma (dimensionless) of many model trains, mean over the data's repeats of one stimulus.

    The convention of every Gamma over repeats in spikefit (the ``spikes`` objective, the
    reports' ``gamma``): a repeat where neither the model nor the repeat fires is left out of
    the mean, and a stimulus where that holds for every repeat is NaN. Gamma is 0/0 there
    (``gamma_factor`` returns NaN): with no spike there is no timing to score, and counting it
    as 1 would lift a model's Gamma by the share of silent sweeps in the protocol (the f-I error
    and the features score silence). ``intrinsic_reliability`` and ``normalized_gamma`` leave
    such pairs out the same way.

    ``model``, ``counts``, ``delta`` and ``duration`` are as for ``batch_gamma``; ``repeats``
    holds the spike times (s) of each repeat; ``clip`` clips each repeat's Gamma to [-1, 1]
    before the mean (the ``spikes`` objective's range). Returns ``(gamma, too_fast)`` as
    ``batch_gamma``: the mean of each set, NaN where every repeat is left out or ``too_fast``
    (the model's rate alone decides it).
    """
    values, too_fast = [], np.zeros(len(counts), bool)
    for train in repeats:
        gamma, fast = batch_gamma(model=model, counts=counts, data=train, delta=delta, duration=duration)
        values.append(np.clip(gamma, -1.0, 1.0) if clip else gamma)
        too_fast |= fast
    values = np.array(values)
    defined = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        mean = np.where(defined, values, 0.0).sum(axis=0) / defined.sum(axis=0)
    mean[too_fast] = np.nan
    return mean, too_fast


def intrinsic_reliability(repeats: Sequence, delta: float = GAMMA_WINDOW, duration: float | None = None) -> float:
    """Mean Gamma (dimensionless) between every ordered pair of repeated recordings (the data's
    own ceiling).

    NaN when no pair has a spike. Needs at least two repeats.
    """
    if len(repeats) < 2:
        raise ValueError(f"intrinsic reliability needs at least 2 repeats, got {len(repeats)}")
    values = [gamma_factor(model=b, data=a, delta=delta, duration=duration)
              for i, a in enumerate(repeats) for j, b in enumerate(repeats) if i != j]
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else math.nan


def normalized_gamma(*, model, repeats: Sequence, delta: float = GAMMA_WINDOW,
                     duration: float | None = None) -> float:
    """Mean Gamma (dimensionless) of the model against each repeat, divided by the data's reliability.

    The score of the 2009 competition: 1 means the model predicts the spikes as well as
    one recording of the neuron predicts another. NaN when the repeats do not agree beyond
    chance (reliability <= 0): there is nothing to normalise by.
    """
    values = [gamma_factor(model=model, data=r, delta=delta, duration=duration) for r in repeats]
    values = [v for v in values if not math.isnan(v)]
    reliability = intrinsic_reliability(repeats, delta, duration)
    if not values or not reliability > 0:
        return math.nan
    return float(np.mean(values)) / reliability


# --- Md* ------------------------------------------------------------------------------
def _pairs_within(a: np.ndarray, b: np.ndarray, delta: float) -> int:
    """Pairs (one spike of ``a``, one of ``b``) at most ``delta`` apart: the inner product of
    the two trains under a rectangular kernel 2 delta wide."""
    if a.size == 0 or b.size == 0:
        return 0
    return int((np.searchsorted(b, a + delta, "right") - np.searchsorted(b, a - delta, "left")).sum())


def _mean_product(trains_a, trains_b, delta: float, distinct: bool) -> float:
    """Mean inner product over pairs of trains (only pairs of two different trains when ``distinct``)."""
    values = [_pairs_within(a, b, delta) for i, a in enumerate(trains_a) for j, b in enumerate(trains_b)
              if not (distinct and i == j)]
    return float(np.mean(values))


def md_star(*, model, data, delta: float = GAMMA_WINDOW) -> float:
    """Md* (dimensionless; Naud et al. 2011) of the model's spike train(s) against repeated data.

    ``Md* = 2 <D, M> / (<D, D>* + <M, M>)``, as Pozzorini et al. 2015 compute it: the inner
    product ``<A, B>`` of two trains counts the pairs of spikes at most ``delta`` apart (a
    rectangular kernel 2 delta wide); ``<D, M>`` is its mean over every (repeat, model train)
    pair; ``<D, D>*`` its mean over distinct pairs of repeats (the unbiased estimate, which leaves
    out each repeat's product with itself, so that the data's trial-to-trial variability lowers
    it); ``<M, M>`` the same over distinct model trains, or a single train's product with itself
    (a deterministic model repeats itself exactly). 1 when the model matches repeats that agree
    with one another; comparable to a Gamma normalised by reliability.

    Parameters
    ----------
    model : array or sequence of arrays
        The model's spike train(s), s.
    data : sequence of arrays
        Spike trains (s) of at least two repeats of the same stimulus.
    delta : float
        Half-width of the kernel in s (4 ms, as ``defaults.GAMMA_WINDOW``).

    Returns
    -------
    float
        NaN when the denominator is 0 (no two repeats share a spike and the model is silent).
    """
    delta = to_si(delta, "s", "delta")
    if not delta > 0:
        raise ValueError(f"Delta must be > 0, got delta={delta}")
    model, data = _trains(model, "model", None), _trains(data, "data", None)
    if len(data) < 2:
        raise ValueError(f"Md* needs at least 2 repeats of the data (its <D, D> is over distinct pairs), "
                         f"got {len(data)}")
    cross = _mean_product(data, model, delta, distinct=False)
    data_term = _mean_product(data, data, delta, distinct=True)
    model_term = _mean_product(model, model, delta, distinct=len(model) > 1)
    total = data_term + model_term
    return 2.0 * cross / total if total > 0 else math.nan


# --- van Rossum distance -------------------------------------------------------------
@njit(cache=True)
def _signed_kernel_sum(times, signs, tau):
    """sum_ij w_i w_j exp(-|t_i - t_j| / tau) over sorted times with weights w, in O(n)."""
    total = 0.0
    carry = 0.0
    for i in range(times.size):
        if i:
            carry = (carry + signs[i - 1]) * math.exp(-(times[i] - times[i - 1]) / tau)
        total += signs[i] * (signs[i] + 2.0 * carry)
    return total


def van_rossum_distance(a, b, tau: float = 10e-3) -> float:
    """van Rossum distance between two spike trains (dimensionless).

    Each train is filtered with a causal exponential ``exp(-t / tau)``;
    ``D^2 = (2 / tau) * integral (f_a - f_b)^2 dt``, normalised so that one spike that
    the other train lacks contributes 1 (as elephant and Rusu & Florian 2014; van Rossum
    2001 writes the factor 1/tau, giving D^2 = 1/2 for that spike). 0 for identical trains;
    for two single spikes ``s`` apart ``D^2 = 2 (1 - exp(-s / tau))``, growing with ``s``.

    Parameters
    ----------
    a, b : array of float
        Sorted spike times in s; either may be empty.
    tau : float
        Time constant of the kernel in s.
    """
    tau = to_si(tau, "s", "tau")
    if not tau > 0:
        raise ValueError(f"tau must be > 0, got tau={tau}")
    a, b = _train(a, "a"), _train(b, "b")
    # spikes at the same time in both trains cancel exactly: keep the net count per time
    times, where = np.unique(np.concatenate([a, b]), return_inverse=True)
    weights = np.bincount(where, np.concatenate([np.ones(a.size), -np.ones(b.size)]), times.size)
    nonzero = weights != 0
    squared = _signed_kernel_sum(times[nonzero], weights[nonzero], float(tau))
    return float(math.sqrt(max(squared, 0.0)))  # rounding can dip below 0


# --- explained variance --------------------------------------------------------------
def _smoothed(trains, sigma: float, dt: float, duration: float) -> np.ndarray:
    """Spike counts per bin of ``dt`` convolved with a Gaussian of ``sigma``; one row a train."""
    from scipy.ndimage import gaussian_filter1d

    n_bins = int(round(duration / dt))
    counts = np.zeros((len(trains), n_bins))
    for row, train in enumerate(trains):
        np.add.at(counts[row], np.minimum((train / dt).astype(np.int64), n_bins - 1), 1.0)
    return gaussian_filter1d(counts, sigma / dt, axis=1, mode="constant", truncate=4.0)


def _ev(x: np.ndarray, y: np.ndarray) -> float:
    """(var x + var y - var(x - y)) / (var x + var y); NaN when both are flat."""
    total = x.var() + y.var()
    return float((total - (x - y).var()) / total) if total > 0 else math.nan


def spike_train_ev(a, b, sigma: float = 10e-3, dt: float = 1e-3, duration: float | None = None) -> float:
    """Explained variance between two Gaussian-smoothed spike trains (Teeter et al. 2018).

    ``EV(x, y) = (var x + var y - var(x - y)) / (var x + var y)``: 1 for identical trains,
    NaN when neither train has a spike.
    """
    sigma, dt, duration = _ev_args(sigma, dt, duration)
    x, y = _smoothed([_train(a, "a", duration), _train(b, "b", duration)], sigma, dt, duration)
    return _ev(x, y)


def explained_variance(*, model, data, sigma: float = 10e-3, dt: float = 1e-3,
                       duration: float | None = None) -> float:
    """Explained variance of the model's spike trains, normalised by the data's reliability.

    Teeter et al. 2018: binary spike trains binned at ``dt`` are convolved with a Gaussian of
    ``sigma`` (10 ms); the model's score is the mean ``EV(model, repeat)`` over the data's
    repeats divided by the mean ``EV(PSTH, repeat)``, the PSTH being the mean smoothed
    train of all repeats. With one data train there is nothing to normalise by: the raw
    ``EV(model, data)`` is returned. Several model trains (a stochastic model) are averaged
    into the model's PSTH first.

    Parameters
    ----------
    model : array or sequence of arrays
        The model's spike train(s), s.
    data : array or sequence of arrays
        The recorded spike train(s) of repeated trials of the same stimulus, s.
    sigma, dt, duration : float
        Gaussian width, bin width and trial length, s.

    Returns
    -------
    float
        1 for a model identical to repeats identical to one another; NaN where an EV is
        undefined (no spike in the model's and a repeat's trains).
    """
    sigma, dt, duration = _ev_args(sigma, dt, duration)
    model = _trains(model, "model", duration)
    data = _trains(data, "data", duration)
    model_psth = _smoothed(model, sigma, dt, duration).mean(axis=0)
    smoothed = _smoothed(data, sigma, dt, duration)
    raw = np.mean([_ev(model_psth, r) for r in smoothed])
    if len(data) == 1:
        return float(raw)
    psth = smoothed.mean(axis=0)
    return float(raw / np.mean([_ev(psth, r) for r in smoothed]))


def _ev_args(sigma, dt, duration):
    sigma = require_positive(to_si(sigma, "s", "sigma"), "sigma")
    dt = require_positive(to_si(dt, "s", "dt"), "dt")
    if duration is None:
        raise ValueError("duration (s) must be given: the trains are binned over [0, duration]")
    duration = require_positive(to_si(duration, "s", "duration"), "duration")
    if dt > duration:
        raise ValueError(f"dt <= duration must hold, got dt={dt}, duration={duration}")
    return sigma, dt, duration


def _trains(trains, name: str, duration: float) -> list[np.ndarray]:
    """One train (1-D array) or a sequence of trains, as a non-empty list of checked trains."""
    if isinstance(trains, np.ndarray) and trains.ndim == 1 or (
            len(trains) and np.isscalar(trains[0])):
        trains = [trains]
    if len(trains) == 0:
        raise ValueError(f"{name} must hold at least one spike train, got none")
    return [_train(t, f"{name}[{i}]", duration) for i, t in enumerate(trains)]


METRICS = {
    "gamma_factor": gamma_factor,
    "van_rossum_distance": van_rossum_distance,
    "explained_variance": explained_variance,
    "md_star": md_star,
    "subthreshold_error": subthreshold_error,
}
"""The metrics by name."""
