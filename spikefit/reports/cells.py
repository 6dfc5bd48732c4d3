"""Cells of a comparison: where their recordings come from, and how they split into training
and held-out sweeps.

A cell is a Recording (``spikefit.data.resolve`` makes one from a reference's name, a
shipped sample or a path). Step sweeps are grouped into levels (one amplitude,
repeats within ``LEVEL_TOLERANCE``); the default split trains on every other level from the
lowest (0, 2, 4, ...) and holds out the rest, and sweeps that are not steps (the noise
sweep of a reference) are always held out: no fit sees them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data import Recording

LEVEL_TOLERANCE = (0.02, 3e-12)
"""Two steps share a level when their amplitudes differ by less than max(2 %, 3 pA)."""


def cell_name(recording: Recording, index: int) -> str:
    """The cell's name for tables: its ``cell`` metadata, else ``cell<index>``."""
    return str(recording.cell or f"cell{index}")


def step_amplitude(trace) -> float:
    """A: the median current inside the stimulus window; NaN when the sweep is not a step
    (no window, or a current that varies inside it by more than the level tolerance)."""
    inside = trace.stimulus.inner_current()
    if inside.size == 0:
        return float("nan")
    level = float(np.median(inside))
    spread = float(np.percentile(inside, 95) - np.percentile(inside, 5))
    return level if spread <= _tolerance(level) else float("nan")


def _tolerance(level: float) -> float:
    relative, absolute = LEVEL_TOLERANCE
    return max(relative * abs(level), absolute)


def step_levels(recording: Recording) -> list[list[int]]:
    """Sweep indices grouped by step amplitude, lowest level first; non-steps left out."""
    amplitudes = [step_amplitude(s) for s in recording]
    order = sorted((a, i) for i, a in enumerate(amplitudes) if np.isfinite(a))
    levels: list[list[int]] = []
    for amplitude, index in order:
        if levels and amplitude - amplitudes[levels[-1][0]] <= _tolerance(amplitude):
            levels[-1].append(index)
        else:
            levels.append([index])
    return levels


@dataclass(frozen=True, eq=False)
class Split:
    """One cell's sweeps for a comparison.

    Attributes
    ----------
    name : str
    recording : Recording
        Every sweep.
    train, test : tuple of int
        Sweep indices fitted, and held out.
    repeats : tuple of tuple of int
        Sweeps that repeat one stimulus (the same level), as indices into ``recording``.
    """

    name: str
    recording: Recording
    train: tuple[int, ...]
    test: tuple[int, ...]
    repeats: tuple[tuple[int, ...], ...]

    def sweeps(self, which: str) -> Recording:
        """The ``"train"`` or ``"test"`` sweeps as a Recording."""
        return Recording([self.recording[i] for i in getattr(self, which)], self.recording.metadata)

    def groups(self, which: str) -> list[list[int]]:
        """Repeat groups of the ``which`` sweeps, as positions within ``sweeps(which)``."""
        chosen = list(getattr(self, which))
        groups = []
        for group in self.repeats:
            inside = [chosen.index(i) for i in group if i in chosen]
            if inside:
                groups.append(inside)
        return groups


def split_cell(recording: Recording, name: str, train=None, test=None) -> Split:
    """Training and held-out sweeps of a cell; see the module doc for the default.

    ``train`` and ``test`` are sweep indices; given one, the other is the rest.

    Raises
    ------
    ValueError
        A split that leaves nothing to train on or nothing to test on, an index out of
        range, a sweep in both, or a cell with too few step levels for the default.
    """
    n = len(recording)
    levels = step_levels(recording)
    if train is None and test is None:
        if len(levels) < 2:
            raise ValueError(f"cell {name!r} has {len(levels)} step level(s): the default split needs at least 2 "
                             f"(train on some, test on others; a step's current must vary by less than max(2 %, 3 pA) inside "
                             f"its window: load a noisy recorded current with stimulus='ideal_step'); pass train= and "
                             f"test= sweep indices")
        train = [i for level in levels[0::2] for i in level]
    train, test = _indices(name, "train", train, n), _indices(name, "test", test, n)
    if train is None:
        train = [i for i in range(n) if i not in test]
    if test is None:
        test = [i for i in range(n) if i not in train]
    both = sorted(set(train) & set(test))
    if both:
        raise ValueError(f"a sweep is either trained on or held out, got sweeps {both} in both for cell {name!r}")
    if not train:
        raise ValueError(f"the split leaves nothing to train on for cell {name!r} ({n} sweeps, test={sorted(test)})")
    if not test:
        raise ValueError(f"cell {name!r} has no sweeps for the test split ({n} sweeps, train={sorted(train)})")
    repeats = tuple(tuple(level) for level in levels) + tuple(
        (i,) for i in range(n) if not any(i in level for level in levels))
    return Split(name, recording, tuple(sorted(train)), tuple(sorted(test)), repeats)


def _indices(name: str, which: str, given, n: int):
    if given is None:
        return None
    indices = [int(i) for i in given]
    bad = [i for i in indices if not 0 <= i < n]
    if bad:
        raise ValueError(f"{which} sweep indices must lie in 0..{n - 1} for cell {name!r}, got {bad}")
    return indices
