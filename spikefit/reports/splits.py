"""Splits of a cell into training and held-out data; no fit ever sees a held-out sample.

``SPLITS``:

``level``
    Step families: train on every other step level from the lowest (0, 2, 4, ...), hold out
    the rest; sweeps that are not steps (the noise sweep of a reference) are held out too. The
    default where a cell has at least 2 step levels: held-out levels test how a fit
    extrapolates across amplitudes.
``time``
    Train on the first ``TIME_TRAIN_FRACTION`` of every sweep, hold out the rest (the 2009
    competition trained on 39 s of a 60 s frozen noise and tested on 21 s). The default for a
    cell without step levels whose stimulus repeats: held-out repeats of a stimulus no fit saw.
    Each part must last at least ``MIN_TIME_PART``. Each part is its own sweep
    (``Trace.window``, time 0 at its start), so a model scored on a held-out part starts from
    its resting state there: a transient of a membrane time constant or so, which the data
    does not have.
``stimulus``
    Hold out whole waveforms: every other repeat group (in the order of their first sweep),
    steps or not.
``repeat``
    Within every repeat group, train on repeats 0, 2, 4, ... and hold out the others; every
    group needs two repeats.

``train=`` / ``test=`` sweep indices give a split by hand instead (kind ``sweeps``). Every rule
is checked before any fit runs, and a split that cannot work is an error naming the cell, the
rule and the values.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..data import Recording
from .cells import check_repeats, repeat_groups, step_levels
from .reliability import Reliability, group_reliability

SPLITS = ("level", "time", "stimulus", "repeat")
TIME_TRAIN_FRACTION = 0.6
"""Share of every sweep trained on by the time split (39 s of 60 s in the 2009 competition)."""
MIN_TIME_PART = 0.5
"""s: the shortest training or held-out part of a sweep under the time split (a few spikes at
10 Hz: less leaves Gamma and the features nothing to measure)."""


@dataclass(frozen=True, eq=False)
class Split:
    """One cell's training and held-out data for a comparison.

    Attributes
    ----------
    name : str
    recording : Recording
        Every sweep.
    train, test : tuple of int
        Sweep indices fitted, and held out (under the ``time`` split every sweep is in both:
        its first part is fitted, the rest held out).
    repeats : tuple of tuple of int
        Sweeps that repeat one stimulus (``cells.repeat_groups``), as indices into ``recording``.
    kind : str
        ``level``, ``time``, ``stimulus``, ``repeat`` or ``sweeps`` (given by hand).
    reason : str
        Why this split, in words for the report.
    fraction : float or None
        Under the ``time`` split, the share of each sweep trained on.
    """

    name: str
    recording: Recording
    train: tuple[int, ...]
    test: tuple[int, ...]
    repeats: tuple[tuple[int, ...], ...]
    kind: str = "sweeps"
    reason: str = ""
    fraction: float | None = None

    def sweeps(self, which: str) -> Recording:
        """The ``"train"`` or ``"test"`` data as a Recording (time windows under the time split)."""
        traces = [self.recording[i] for i in getattr(self, which)]
        if self.fraction is not None:
            traces = [_part(trace, self.fraction, which) for trace in traces]
        return Recording(traces, self.recording.metadata)

    def groups(self, which: str) -> list[list[int]]:
        """Repeat groups of the ``which`` sweeps, as positions within ``sweeps(which)``."""
        chosen = list(getattr(self, which))
        groups = []
        for group in self.repeats:
            inside = [chosen.index(i) for i in group if i in chosen]
            if inside:
                groups.append(inside)
        return groups

    def reliability(self, which: str = "test") -> list[Reliability]:
        """Reliability of every repeat group of two or more among the ``which`` data."""
        sweeps = self.sweeps(which)
        out = []
        for group in self.groups(which):
            if len(group) >= 2:
                trains = [_spike_train(sweeps[k]) for k in group]
                out.append(group_reliability(trains, sweeps[group[0]].stimulus.duration,
                                             tuple(getattr(self, which)[k] for k in group)))
        return out


def _spike_train(trace):
    """s: the sweep's spike times, or the upward crossings of ``defaults.SPIKE_THRESHOLD`` (as a fit's target)."""
    from ..data.spikes import detect_spikes

    return trace.spike_times if trace.spike_times is not None else detect_spikes(trace.v, trace.dt)


def _part(trace, fraction: float, which: str):
    boundary = _boundary(trace, fraction)
    return trace.window(0.0, boundary) if which == "train" else trace.window(boundary, trace.stimulus.duration)


def _boundary(trace, fraction: float) -> float:
    """s: the end of the trained part, on a sample."""
    return round(fraction * trace.stimulus.n_samples) * trace.dt


def split_cell(recording: Recording, name: str, train=None, test=None, *, split: str | None = None,
               repeats=None) -> Split:
    """Training and held-out data of a cell; see the module doc for the splits and the default.

    ``train`` and ``test`` are sweep indices (given one, the other is the rest); ``split`` is
    one of ``SPLITS``; ``repeats`` gives the repeat groups by hand (checked with
    ``cells.check_repeats``; by default ``cells.repeat_groups``).

    Raises
    ------
    ValueError
        An unknown split, ``split`` with ``train``/``test``, a split that leaves the cell or a
        repeat group with nothing to train or test on, a time part shorter than
        ``MIN_TIME_PART``, an index out of range, a sweep in both, or repeats whose currents
        differ beyond the tolerance.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got split={split!r}")
    if split is not None and (train is not None or test is not None):
        raise ValueError(f"give split= or train=/test= sweep indices for cell {name!r}, not both")
    groups = repeat_groups(recording) if repeats is None else _all_sweeps(check_repeats(recording, name, repeats),
                                                                         len(recording))
    if train is not None or test is not None:
        train, test = _given(name, train, test, len(recording))
        return _checked(Split(name, recording, train, test, tuple(map(tuple, groups)), "sweeps",
                              "the sweeps given (train= / test=)"))
    kind, reason = (split, f"asked for (split={split!r})") if split else _default(recording, name, groups)
    return _checked(_SPLITTERS[kind](recording, name, groups, reason))


def _all_sweeps(groups, n: int) -> list[list[int]]:
    named = {i for group in groups for i in group}
    return groups + [[i] for i in range(n) if i not in named]


def _default(recording, name: str, groups) -> tuple[str, str]:
    levels = step_levels(recording)
    if len(levels) >= 2:
        return "level", (f"{len(levels)} step levels: held-out levels test how a fit extrapolates across "
                         f"amplitudes (the default for a step family)")
    repeated = [g for g in groups if len(g) >= 2]
    if not levels and repeated:
        sizes = sorted({len(g) for g in repeated})
        return "time", (f"no step levels, and {len(repeated)} stimulus/stimuli repeated "
                        f"{'/'.join(map(str, sizes))} times: the last {1 - TIME_TRAIN_FRACTION:.0%} of every sweep "
                        f"is held out (the default without step levels)")
    raise ValueError(f"cell {name!r} has {len(levels)} step level(s): the default split needs at least 2 "
                     f"step levels (a step's current must vary by less than max(2 %, 3 pA) inside "
                     f"its window: load a noisy recorded current with stimulus='ideal_step') or, without steps, a "
                     f"stimulus repeated at least twice; pass split= ({', '.join(SPLITS)}) or train= and test= sweep indices")


def _level(recording, name, groups, reason) -> Split:
    levels = step_levels(recording)
    if len(levels) < 2:
        raise ValueError(f"the level split needs at least 2 step levels, got {len(levels)} for cell {name!r}")
    train = tuple(sorted(i for level in levels[0::2] for i in level))
    test = tuple(i for i in range(len(recording)) if i not in train)
    return Split(name, recording, train, test, tuple(map(tuple, groups)), "level", reason)


def _time(recording, name, groups, reason) -> Split:
    for i, trace in enumerate(recording):
        boundary = _boundary(trace, TIME_TRAIN_FRACTION)
        parts = {"train": boundary, "test": trace.stimulus.duration - boundary}
        for which, length in parts.items():
            if length < MIN_TIME_PART - 1e-12:
                raise ValueError(
                    f"the time split leaves sweep {i} of cell {name!r} a {which} part of {length:g} s (the first "
                    f"{TIME_TRAIN_FRACTION:.0%} of {trace.stimulus.duration:g} s is trained on): each part must last "
                    f"at least {MIN_TIME_PART:g} s")
    every = tuple(range(len(recording)))
    return Split(name, recording, every, every, tuple(map(tuple, groups)), "time", reason, TIME_TRAIN_FRACTION)


def _stimulus(recording, name, groups, reason) -> Split:
    if len(groups) < 2:
        raise ValueError(f"the stimulus split needs at least 2 distinct stimuli, got {len(groups)} for cell {name!r} "
                         f"(its repeat groups: {groups})")
    train = tuple(sorted(i for group in groups[0::2] for i in group))
    test = tuple(sorted(i for group in groups[1::2] for i in group))
    return Split(name, recording, train, test, tuple(map(tuple, groups)), "stimulus", reason)


def _repeat(recording, name, groups, reason) -> Split:
    single = [g for g in groups if len(g) < 2]
    if single:
        raise ValueError(f"the repeat split leaves repeat group(s) {single} of cell {name!r} with nothing to test on: "
                         f"every group needs at least 2 repeats (train on one, test on another)")
    train = tuple(sorted(i for group in groups for i in group[0::2]))
    test = tuple(sorted(i for group in groups for i in group[1::2]))
    return Split(name, recording, train, test, tuple(map(tuple, groups)), "repeat", reason)


_SPLITTERS = {"level": _level, "time": _time, "stimulus": _stimulus, "repeat": _repeat}


def _given(name: str, train, test, n: int):
    train, test = _indices(name, "train", train, n), _indices(name, "test", test, n)
    if train is None:
        train = [i for i in range(n) if i not in test]
    if test is None:
        test = [i for i in range(n) if i not in train]
    both = sorted(set(train) & set(test))
    if both:
        raise ValueError(f"a sweep is either trained on or held out, got sweeps {both} in both for cell {name!r}")
    return tuple(sorted(train)), tuple(sorted(test))


def _checked(split: Split) -> Split:
    n = len(split.recording)
    if not split.train:
        raise ValueError(f"the split leaves nothing to train on for cell {split.name!r} ({n} sweeps, "
                         f"test={list(split.test)})")
    if not split.test:
        raise ValueError(f"cell {split.name!r} has no sweeps for the test split ({n} sweeps, train={list(split.train)})")
    return split


def _indices(name: str, which: str, given, n: int):
    if given is None:
        return None
    indices = [int(i) for i in given]
    bad = [i for i in indices if not 0 <= i < n]
    if bad:
        raise ValueError(f"{which} sweep indices must lie in 0..{n - 1} for cell {name!r}, got {bad}")
    return indices

