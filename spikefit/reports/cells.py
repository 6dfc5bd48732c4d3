"""Cells of a comparison: their names, step levels and repeat groups (``splits`` divides them
into training and held-out data).

A cell is a Recording (``spikefit.data.resolve`` makes one from a reference's name, a
shipped sample or a path). Sweeps that repeat one stimulus form a repeat group:

* step sweeps are grouped into levels: one amplitude, within ``LEVEL_TOLERANCE``;
* any other sweeps repeat one another when they share dt, length and stimulus window and their
  currents, as means over ``REPEAT_BIN`` bins, agree within ``REPEAT_TOLERANCE``: a recorded
  current repeats itself through its amplifier noise, and two different frozen noises do not.
"""
from __future__ import annotations

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


REPEAT_BIN = 10e-3
"""s: currents are compared as means over 10 ms bins. A bin averages the amplifier noise of a
recorded current away (white noise of 100 pA s.d. at 10 kHz leaves 14 pA in the difference of two
repeats) and keeps most of the fluctuations of a frozen-noise stimulus (correlation times of 3 ms
and more)."""

REPEAT_TOLERANCE = (0.02, 20e-12)
"""Two sweeps repeat one stimulus when their binned currents differ by at most max(2 % of the
larger RMS current, 20 pA) RMS. Fitted to recorded currents: in the SSCx IDrest recordings of
../shared/data/recordings (about 170 pA of sample-to-sample noise at 4 kHz), the two repeats of a
level differ by 6-12 pA over 10 ms bins and neighbouring levels by 31 pA; two frozen noises of
different seeds, 25 pA s.d. or more and a correlation time of 3 ms or more, differ by more than 20 pA. The 2 % is ``LEVEL_TOLERANCE``'s."""


def _binned(current: np.ndarray, dt: float) -> np.ndarray:
    width = max(1, int(round(REPEAT_BIN / dt)))
    n = current.size // width * width or current.size
    return current[:n].reshape(-1, min(width, n)).mean(axis=1)


def repeat_tolerance(a, b) -> float:
    """A: the largest RMS difference of two sweeps' binned currents that still makes them
    repeats (``REPEAT_TOLERANCE``)."""
    relative, absolute = REPEAT_TOLERANCE
    scale = max(float(np.sqrt(np.mean(a.current ** 2))), float(np.sqrt(np.mean(b.current ** 2))))
    return max(relative * scale, absolute)


def current_difference(a, b) -> float:
    """A: RMS difference of two sweeps' currents binned over ``REPEAT_BIN``; inf when they differ
    in dt, length or stimulus window (they cannot repeat one stimulus)."""
    sa, sb = a.stimulus, b.stimulus
    if sa.dt != sb.dt or sa.n_samples != sb.n_samples or (sa.start, sa.stop) != (sb.start, sb.stop):
        return float("inf")
    return float(np.sqrt(np.mean((_binned(sa.current, sa.dt) - _binned(sb.current, sb.dt)) ** 2)))


def repeats_one_stimulus(a, b) -> bool:
    """True when two non-step sweeps repeat one stimulus (``repeat_tolerance``)."""
    return current_difference(a, b) <= repeat_tolerance(a, b)


def repeat_groups(recording: Recording) -> list[list[int]]:
    """Sweep indices that repeat one stimulus: the step levels (lowest first), then the other
    sweeps grouped by waveform in the order of their first sweep."""
    levels = step_levels(recording)
    stepped = {i for level in levels for i in level}
    others: list[list[int]] = []
    for i in (i for i in range(len(recording)) if i not in stepped):
        for group in others:
            if repeats_one_stimulus(recording[group[0]], recording[i]):
                group.append(i)
                break
        else:
            others.append([i])
    return levels + others


def check_repeats(recording: Recording, name: str, groups) -> list[list[int]]:
    """Repeat groups given by a user, checked: every pair must agree within ``repeat_tolerance``.

    Raises
    ------
    ValueError
        An index out of range, a sweep in two groups, or two sweeps of a group whose currents
        differ beyond the tolerance (naming the cell, the sweeps and both values).
    """
    groups = [[int(i) for i in group] for group in groups]
    flat = [i for group in groups for i in group]
    bad = [i for i in flat if not 0 <= i < len(recording)]
    if bad:
        raise ValueError(f"repeat sweep indices must lie in 0..{len(recording) - 1} for cell {name!r}, got {bad}")
    if len(set(flat)) != len(flat):
        raise ValueError(f"each sweep belongs to one repeat group, got {groups} for cell {name!r}")
    for group in groups:
        first = recording[group[0]]
        for i in group[1:]:
            difference, tolerance = current_difference(first, recording[i]), repeat_tolerance(first, recording[i])
            if not difference <= tolerance:
                raise ValueError(
                    f"sweeps {group[0]} and {i} of cell {name!r} are given as repeats, but their currents differ "
                    f"by {difference * 1e12:.3g} pA RMS (over {REPEAT_BIN * 1e3:g} ms bins; inf: another dt, "
                    f"length or window), beyond the repeat tolerance of {tolerance * 1e12:.3g} pA")
    return groups
