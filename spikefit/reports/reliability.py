"""Intrinsic reliability of a repeat group, and whether it is above chance.

Reliability is the mean Gamma between every ordered pair of repeats
(``features.metrics.intrinsic_reliability``, ``defaults.GAMMA_WINDOW`` = 4 ms). Gamma already
subtracts the coincidences of Poisson trains at the same rate, but with a few spikes per repeat
its chance spread is wide, and regular firing under a step is not Poisson. So the decision is a
test against the recording itself: every repeat is shifted circularly by an independent random
time (uniform over the trial), which keeps each repeat's rate and intervals and breaks what ties
its spikes to the stimulus; ``N_SHIFTS`` such shuffles give the chance distribution of the
reliability, and the group is above chance when the recorded reliability exceeds it with
``p = (1 + #shuffles >= recorded) / (1 + N_SHIFTS) < ALPHA``. The shifts are seeded: the same
recording always gets the same answer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..defaults import GAMMA_WINDOW

N_SHIFTS = 199
"""Shuffles of the chance distribution (the smallest p is 1 / 200)."""
ALPHA = 0.05
"""Reliability is above chance when p < ALPHA."""


@dataclass(frozen=True)
class Reliability:
    """One repeat group's reliability (dimensionless) and its test against shifted repeats.

    ``chance`` is the 95th percentile of the shuffled reliabilities; ``p`` as in the module doc;
    NaN values where no pair of repeats has a spike.
    """

    sweeps: tuple[int, ...]
    value: float
    chance: float
    p: float

    @property
    def above_chance(self) -> bool:
        return bool(self.p < ALPHA)


def group_reliability(trains, duration: float, sweeps=(), *, delta: float = GAMMA_WINDOW,
                      n_shifts: int = N_SHIFTS, seed: int = 0) -> Reliability:
    """The reliability of repeated spike trains (s) of one stimulus lasting ``duration`` (s).

    Raises
    ------
    ValueError
        Fewer than two trains.
    """
    from ..features.metrics import GammaUndefined, intrinsic_reliability

    trains = [np.asarray(t, dtype=float) for t in trains]
    try:
        value = intrinsic_reliability(trains, delta, duration)
    except GammaUndefined:  # a repeat fires so fast that chance fills the window: no timing to rely on
        value = math.nan
    if math.isnan(value):
        return Reliability(tuple(sweeps), value, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    shifts = rng.uniform(0.0, duration, size=(n_shifts, len(trains)))
    null = _shifted_reliability(trains, shifts, delta, duration)
    p = (1 + int(np.sum(null >= value))) / (1 + n_shifts)
    return Reliability(tuple(sweeps), value, float(np.nanpercentile(null, 95)), p)


def _shifted_reliability(trains, shifts: np.ndarray, delta: float, duration: float) -> np.ndarray:
    """Reliability of each row of shifts: repeat i moved by shifts[:, i] (circularly).

    Gamma depends on the two trains' relative shift only, so the pair (i, j) compares train i
    moved by ``shifts[:, i] - shifts[:, j]`` with train j as recorded.
    """
    from ..features.metrics import batch_gamma

    total, count = np.zeros(len(shifts)), np.zeros(len(shifts))
    for i, a in enumerate(trains):
        for j, b in enumerate(trains):
            if i == j:
                continue
            moved = np.sort(np.mod(a[None, :] + (shifts[:, i] - shifts[:, j])[:, None], duration), axis=1)
            gamma, _ = batch_gamma(model=moved, counts=np.full(len(shifts), a.size), data=b, delta=delta,
                                   duration=duration)
            defined = np.isfinite(gamma)
            total[defined] += gamma[defined]
            count += defined
    with np.errstate(invalid="ignore"):
        return total / count
