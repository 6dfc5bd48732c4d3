"""The features a fit computes thousands of times, with eFEL's definitions, without eFEL.

``batch_features`` (a table) and ``feature_values`` (an array, for the objectives of a fit)
read ``simulate_batch`` output through one core, ``batch_sweeps``: spike times for the firing
features, recorded voltages (``record_v=True``) for the subthreshold ones, vectorised over
parameter sets. ``fast_extract_features`` does the same for any traces (recordings, HH
models): it interpolates them on eFEL's grid and finds eFEL's peaks itself.

Every feature reproduces eFEL 5.7's definition, down to its time grid (so that a spike on
a window edge falls on the same side) and its rules for undefined values:

- ``spike_count``: peaks in the whole trace (0 when there is none).
- ``spike_count_stimint``: peaks with ``start <= t <= stop``.
- ``mean_frequency`` (Hz): ``N / (t_last - start)`` over the peaks in the window; NaN
  without any peak, 0 with peaks outside the window only.
- ``time_to_first_spike``, ``time_to_last_spike`` (s): first or last peak (anywhere) minus
  ``start``; need 1 peak.
- ``inv_first_ISI``, ``inv_last_ISI`` (Hz): inverse of the first or last ISI; need 2 peaks.
- ``ISI_CV``: std (ddof 1) / mean of the ISIs, the first skipped when ``ignore_first_ISI``
  (default): needs 4 peaks (3 without skipping).
- ``adaptation_index2``: peaks in the window, the first dropped; mean of
  ``(ISI_i - ISI_{i-1}) / (ISI_i + ISI_{i-1})``; needs 4 peaks in the window.
- ``voltage_base`` (V): mean V over ``[0.9 start, start]`` (percentages settable).
- ``steady_state_voltage_stimend`` (V): mean V over ``[stop - 0.1 (stop - start), stop)``.

A peak is eFEL's: the first maximum between an upward and the next downward crossing of
``Threshold`` (-20 mV) on the trace interpolated at ``interp_step`` (0.1 ms). For a reset
model (``spike_drawing="reset"``: LIF, Izhikevich, AdEx) that is the sample that draws the
spike (see ``efel_features`` and ``peaks``): the spike time rounded up to the sample grid;
spikes in the same or in consecutive samples are one peak, and a spike drawn in the last
sample (no downward crossing after it) or not drawn at all (after the last sample) is none.
This needs the reset value below ``Threshold`` (so the voltage crosses it down after each
spike); ``batch_sweeps`` checks it. In a run of adjacent drawn samples (a model firing faster
than half the sampling rate, 5 kHz at 0.1 ms) eFEL names as peak whichever sample its grid's rounding
makes highest, the fast path the first: counts agree, peak times can differ by one sample.

Output tables are in SI units and carry ``attrs["units"]`` and ``attrs["reasons"]`` like
``extract_features``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from . import efel_edge
from .efel_features import FIRING_FEATURES, WINDOW_FREE, as_sweeps, check_sweep, sweep_window
from .peaks import detected_peaks, drawn_peaks

SUBTHRESHOLD_FAST = ("voltage_base", "steady_state_voltage_stimend")
FAST_DEFAULT = FIRING_FEATURES + SUBTHRESHOLD_FAST
"""Default features of the fast path: the firing features and the subthreshold levels."""

# Settings the fast path honours (SI, as extract_features takes them).
FAST_SETTINGS = ("Threshold", "interp_step", "ignore_first_ISI", "voltage_base_start_perc",
                 "voltage_base_end_perc", "precision_threshold")


@dataclass(frozen=True, eq=False)
class Sweeps:
    """What the fast features read: many sweeps on one time base and stimulus window.

    Times are eFEL's (ms, on eFEL's grid) so that comparisons fall as in eFEL.
    """

    peaks: np.ndarray  # (n, k) peak times, ms, NaN after each sweep's last peak
    counts: np.ndarray  # (n,) peaks per sweep
    start: float | None  # stimulus window, ms; None when the stimulus has none
    stop: float | None
    v: np.ndarray | None  # (n, n_samples) membrane potential, V
    dt: float  # sampling interval, s
    settings: dict  # eFEL's units

    @property
    def step(self) -> float:
        """eFEL's interpolation step, ms."""
        return self.settings["interp_step"]

    @property
    def inside(self) -> np.ndarray:
        """(n, k) True for the peaks inside the stimulus window (inclusive, as eFEL)."""
        return (self.peaks >= self.start) & (self.peaks <= self.stop)


Result = tuple[np.ndarray, list]
"""Values in SI (n,) and [(mask, reason), ...] for the NaNs; a reason is a str or row -> str."""


def _too_few(have: np.ndarray, needed: int, name: str, where: str = ""):
    """(mask, reason of a row) for sweeps with fewer than ``needed`` peaks."""
    def reason(row: int) -> str:
        unit = "spike" if needed == 1 else "spikes"
        return f"too few spikes: {name} needs at least {needed} {unit}{where}, the sweep has {int(have[row])}"

    return have < needed, reason


# --- the features: one pure function each --------------------------------------------
def spike_count(s: Sweeps) -> Result:
    """Number of peaks in the whole trace."""
    return s.counts.astype(float), []


def spike_count_stimint(s: Sweeps) -> Result:
    """Number of peaks inside the stimulus window."""
    return s.inside.sum(axis=1).astype(float), []


def mean_frequency(s: Sweeps) -> Result:
    """Hz: peaks in the window over the time from stimulus onset to the last of them."""
    inside = s.inside
    n_in = inside.sum(axis=1)
    last = np.where(inside, s.peaks, -np.inf).max(axis=1, initial=-np.inf)
    last = np.where(n_in > 0, last, 0.0)  # eFEL's last peak time starts at 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = n_in * 1000.0 / (last - s.start) + 0.0
    no_span = (last == s.start) & (s.counts > 0)
    value[no_span | (s.counts == 0)] = np.nan
    return value, [_too_few(s.counts, 1, "mean_frequency"),
                   (no_span, "mean_frequency is undefined: the only spike falls on the stimulus onset")]


def time_to_first_spike(s: Sweeps) -> Result:
    """s from stimulus onset to the first peak (negative if it comes before)."""
    value = (s.peaks[:, 0] - s.start) * 1e-3 if s.peaks.shape[1] else np.full(len(s.counts), np.nan)
    return value, [_too_few(s.counts, 1, "time_to_first_spike")]


def time_to_last_spike(s: Sweeps) -> Result:
    """s from stimulus onset to the last peak."""
    value = (_nth_from_end(s, 1) - s.start) * 1e-3
    return value, [_too_few(s.counts, 1, "time_to_last_spike")]


def inv_first_ISI(s: Sweeps) -> Result:
    """Hz: inverse of the first inter-spike interval."""
    value = 1000.0 / (s.peaks[:, 1] - s.peaks[:, 0]) if s.peaks.shape[1] > 1 else np.full(len(s.counts), np.nan)
    return value, [_too_few(s.counts, 2, "inv_first_ISI")]


def inv_last_ISI(s: Sweeps) -> Result:
    """Hz: inverse of the last inter-spike interval."""
    value = 1000.0 / (_nth_from_end(s, 1) - _nth_from_end(s, 2))
    return value, [_too_few(s.counts, 2, "inv_last_ISI")]


def ISI_CV(s: Sweeps) -> Result:
    """Coefficient of variation (ddof 1) of the ISIs, the first skipped by default."""
    isi = np.diff(s.peaks, axis=1)
    skip = int(bool(s.settings.get("ignore_first_ISI", True)))
    isi = isi[:, skip:]
    n = np.isfinite(isi).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.nansum(isi, axis=1) / n
        var = np.nansum((isi - mean[:, None]) ** 2, axis=1) / (n - 1)
        value = np.sqrt(var) / mean
    value[n < 2] = np.nan
    return value, [_too_few(s.counts, 3 + skip, "ISI_CV")]


def adaptation_index2(s: Sweeps) -> Result:
    """Mean normalised ISI change over the peaks in the window, the first dropped."""
    inside = s.inside
    n_in = inside.sum(axis=1)
    reasons = [_too_few(np.where(s.counts < 4, s.counts, n_in), 4, "adaptation_index2",
                        " inside the stimulus window")]
    if s.peaks.shape[1] < 4:
        return np.full(len(n_in), np.nan), reasons
    times = np.where(inside, s.peaks, np.nan)
    first = np.argmax(inside, axis=1)
    times[np.arange(len(times)), first] = np.nan  # eFEL starts at the second ISI
    isi = np.diff(times, axis=1)
    with np.errstate(invalid="ignore"):
        terms = (isi[:, 1:] - isi[:, :-1]) / (isi[:, 1:] + isi[:, :-1])
        value = np.nansum(terms, axis=1) / (n_in - 3)
    value[(s.counts < 4) | (n_in < 4)] = np.nan
    return value, reasons


def voltage_base(s: Sweeps) -> Result:
    """V: mean over ``[0.9 start, start]`` on eFEL's grid (eFEL's edge rules)."""
    lo = s.start * s.settings["voltage_base_start_perc"]
    hi = s.start * s.settings["voltage_base_end_perc"]
    n = len(s.counts)
    if lo >= hi:
        return np.full(n, np.nan), [(np.ones(n, bool), "no baseline: voltage_base needs the stimulus "
                                     "to start after 0 s (its window [0.9 start, start] is empty)")]
    grid = efel_edge.interp_grid(s.v.shape[1], s.dt, s.step)
    i0 = int(np.searchsorted(grid, lo, side="left"))
    i0 = 0 if i0 == grid.size else i0
    below = np.flatnonzero(grid[1:] - hi < s.settings["precision_threshold"])
    i1 = below[-1] + 2 if below.size else grid.size
    return _window_mean(s, i0, i1, "voltage_base")


def steady_state_voltage_stimend(s: Sweeps) -> Result:
    """V: mean over the last 10 % of the stimulus on eFEL's grid."""
    grid = efel_edge.interp_grid(s.v.shape[1], s.dt, s.step)
    i0 = int(np.searchsorted(grid, s.stop - 0.1 * (s.stop - s.start), side="left"))
    i1 = int(np.searchsorted(grid, s.stop, side="left"))
    return _window_mean(s, i0, i1, "steady_state_voltage_stimend")


def _window_mean(s: Sweeps, i0: int, i1: int, name: str) -> Result:
    n = len(s.counts)
    if i1 <= i0:
        return np.full(n, np.nan), [(np.ones(n, bool), f"{name}: its window holds no sample")]
    lo, weights = efel_edge.window_weights(s.v.shape[1], s.dt, s.step, i0, i1)
    return s.v[:, lo:lo + weights.size] @ weights, []


def _nth_from_end(s: Sweeps, k: int) -> np.ndarray:
    """The k-th last peak time of each sweep (NaN where there are fewer than k)."""
    index = np.clip(s.counts - k, 0, None)
    value = s.peaks[np.arange(len(index)), index] if s.peaks.shape[1] else np.full(len(index), np.nan)
    return np.where(s.counts >= k, value, np.nan)


FAST_FEATURES: dict[str, Callable[[Sweeps], Result]] = {
    f.__name__: f for f in (
        spike_count, spike_count_stimint, mean_frequency, time_to_first_spike, time_to_last_spike,
        inv_first_ISI, inv_last_ISI, ISI_CV, adaptation_index2, voltage_base,
        steady_state_voltage_stimend,
    )
}
"""The fast features by eFEL name; each takes a ``Sweeps`` and returns SI values and reasons."""

UNITS = {"spike_count": "1", "spike_count_stimint": "1", "mean_frequency": "Hz",
         "time_to_first_spike": "s", "time_to_last_spike": "s", "inv_first_ISI": "Hz",
         "inv_last_ISI": "Hz", "ISI_CV": "1", "adaptation_index2": "1", "voltage_base": "V",
         "steady_state_voltage_stimend": "V"}


# --- the array core: one BatchResult, one set of checks ------------------------------
def batch_sweeps(result, config: dict) -> list[Sweeps]:
    """The ``Sweeps`` of each stimulus of a ``BatchResult``: eFEL's peaks, window and voltages.

    What ``batch_features`` and ``feature_values`` (and through it the objectives of a fit)
    share, with the checks they share. ``config`` is eFEL's settings (``_fast_settings``).

    Raises
    ------
    ValueError
        A reset model whose reset is not below ``Threshold`` or whose sampling is off eFEL's
        grid; a model with spikes of its own (``spike_drawing="shape"``) simulated without
        voltages (its peaks are found in them).
    """
    reset = result.spike_drawing == "reset"
    if reset:
        _check_reset_threshold(result, config["Threshold"] * 1e-3)
    elif result.v is None:
        raise ValueError(f"model {result.model!r} fires spikes of its own: the fast path finds "
                         f"eFEL's peaks in its voltages, simulate with record_v=True")
    out = []
    for j, stimulus in enumerate(result.stimuli):
        if reset:
            error = efel_edge.reset_model_step_error(stimulus.dt, config["interp_step"], f"stimulus {j}")
            if error is not None:
                raise error
            peaks, counts = drawn_peaks(result.spike_times[j], result.spike_counts[:, j], stimulus.dt,
                                        stimulus.n_samples, config["interp_step"])
        else:
            peaks, counts = detected_peaks(result.v[j], stimulus.dt, config["interp_step"], config["Threshold"])
        window = (None, None) if stimulus.start is None else efel_edge.window_ms(stimulus.start, stimulus.stop)
        out.append(Sweeps(peaks, counts, *window, None if result.v is None else result.v[j], stimulus.dt, config))
    return out


def feature_values(result, names=None, **settings) -> np.ndarray:
    """Fast features (SI) of a ``BatchResult`` as an array (n_sets, n_stimuli, n_features).

    The values of ``batch_features(result, names, **settings)``, NaN where undefined or
    diverged, without its table and reasons (which cost more than the features in a fit).
    """
    names = _check_fast_names(names, result.v is not None)
    config = _fast_settings(settings)
    out = np.full((result.n_sets, len(result.stimuli), len(names)), np.nan)
    for j, sweeps in enumerate(batch_sweeps(result, config)):
        for k, name in enumerate(names):
            if sweeps.start is not None or name in WINDOW_FREE:
                out[:, j, k] = FAST_FEATURES[name](sweeps)[0]
        out[result.diverged[:, j], j, :] = np.nan
    return out


# --- public entry points -------------------------------------------------------------
def batch_features(result, names=None, **settings) -> pd.DataFrame:
    """Fast features of every parameter set under every stimulus of a ``BatchResult``.

    Parameters
    ----------
    result : BatchResult
        From ``model.simulate_batch``; ``record_v=True`` for the subthreshold features
        and for models with spikes of their own (HH).
    names : sequence of str, optional
        Keys of ``FAST_FEATURES``; by default ``FAST_DEFAULT`` (without the subthreshold
        features when voltages were not recorded).
    **settings
        eFEL settings in SI, among ``FAST_SETTINGS``.

    Returns
    -------
    pandas.DataFrame
        Rows indexed by (``set``, ``stimulus``), one column a feature, SI units, with
        ``attrs["units"]`` and ``attrs["reasons"]`` (keys ``((set, stimulus), feature)``).
        A diverged simulation gets NaN everywhere.
    """
    names = _check_fast_names(names, result.v is not None)
    blocks = []
    for j, sweeps in enumerate(batch_sweeps(result, _fast_settings(settings))):
        rows = pd.MultiIndex.from_arrays([np.arange(result.n_sets), np.full(result.n_sets, j)],
                                         names=["set", "stimulus"])
        blocks.append(_table(sweeps, names, rows, result.diverged[:, j]))
    return _concat(blocks, names)


def fast_extract_features(trace_or_recording, names=None, *, window=None, **settings) -> pd.DataFrame:
    """Fast features of traces (recorded or simulated), eFEL's peaks found from the voltage.

    The same table as ``extract_features(trace_or_recording, names)`` for the features of
    ``FAST_FEATURES``: one row a sweep, SI units, ``attrs["units"]`` and ``attrs["reasons"]``.
    """
    sweeps = as_sweeps(trace_or_recording)
    names = _check_fast_names(names, True)
    config = _fast_settings(settings)
    frames = []
    for i, sweep in enumerate(sweeps):
        check_sweep(sweep, i, config["interp_step"])
        win = sweep_window(sweep, window, i)
        v = sweep.v[None, :]
        peaks, counts = detected_peaks(v, sweep.dt, config["interp_step"], config["Threshold"])
        start, stop = efel_edge.window_ms(*win) if win else (None, None)
        frames.append(_table(Sweeps(peaks, counts, start, stop, v, sweep.dt, config), names,
                             pd.RangeIndex(i, i + 1, name="sweep"), ~np.isfinite(sweep.v).all(keepdims=True)))
    return _concat(frames, names)


# --- helpers -------------------------------------------------------------------------
def _check_fast_names(names, have_v: bool) -> tuple[str, ...]:
    if names is None:
        return FAST_DEFAULT if have_v else FIRING_FEATURES
    names = (names,) if isinstance(names, str) else tuple(dict.fromkeys(names))
    for name in names:
        if name not in FAST_FEATURES:
            raise efel_edge.unknown_name_error("fast feature", name, FAST_FEATURES)
        if name in SUBTHRESHOLD_FAST and not have_v:
            raise ValueError(f"{name} needs the membrane potential: simulate with record_v=True")
    return names


def _fast_settings(settings: dict) -> dict:
    for name in settings:
        if name not in FAST_SETTINGS:
            if name in efel_edge.efel_defaults():
                raise ValueError(f"the fast path honours only the settings {', '.join(FAST_SETTINGS)}, "
                                 f"got {name}: use extract_features for it")
            raise efel_edge.unknown_name_error("fast-path setting", name, FAST_SETTINGS)
    defaults = efel_edge.efel_defaults()
    return {**{k: defaults[k] for k in FAST_SETTINGS}, **efel_edge.settings_to_efel(settings)}


def _check_reset_threshold(result, threshold: float) -> None:
    """Raise unless every drawn spike crosses ``threshold`` (V) up and its reset crosses it down."""
    from ..models.kernel_tools import DRAWN_SPIKE_PEAK

    if threshold >= DRAWN_SPIKE_PEAK:
        raise ValueError(f"Threshold < {DRAWN_SPIKE_PEAK} V (the drawn spike peak) must hold for a "
                         f"reset model, got Threshold={threshold}")
    name = result.reset_parameter
    high = result.params[name].to_numpy() >= threshold
    if high.any():
        raise ValueError(
            f"{name} < Threshold must hold for the fast path (after a reset the voltage must fall "
            f"below eFEL's threshold), got {name}={result.params[name].iloc[np.flatnonzero(high)[0]]}, "
            f"Threshold={threshold} in set {np.flatnonzero(high)[0]}: use fast_extract_features on the traces"
        )


def _table(s: Sweeps, names, rows, diverged) -> pd.DataFrame:
    """Evaluate the features on one block of sweeps; NaN and reasons for what is undefined."""
    columns, reasons = {}, {}
    no_window = s.start is None
    for name in names:
        if no_window and name not in WINDOW_FREE:
            values = np.full(len(s.counts), np.nan)
            why = [(np.ones(len(s.counts), bool), "no stimulus window: the stimulus has no start and stop")]
        else:
            values, why = FAST_FEATURES[name](s)
            values = np.asarray(values, dtype=float)
        why = [(np.asarray(diverged), "the membrane potential is not finite (a diverged simulation)")] + why
        values[np.asarray(diverged)] = np.nan
        for row in np.flatnonzero(np.isnan(values)):
            reasons[(_key(rows[row]), name)] = _first_reason(why, row)
        columns[name] = values
    table = pd.DataFrame(columns, index=rows)
    table.attrs["reasons"] = reasons
    return table


def _key(row):
    """A row label as plain ints, so that reasons read (0, 1) and not np.int64."""
    return tuple(int(x) for x in row) if isinstance(row, tuple) else int(row)


def _first_reason(why, row) -> str:
    for mask, reason in why:
        if mask[row]:
            return reason if isinstance(reason, str) else reason(row)
    return "undefined"


def _concat(blocks, names) -> pd.DataFrame:
    """One table of the blocks (stimuli or sweeps), with their reasons and the units."""
    table = pd.concat(blocks) if len(blocks) > 1 else blocks[0]
    if isinstance(table.index, pd.MultiIndex):
        table = table.sort_index(level=["set", "stimulus"])
    table.attrs["reasons"] = {k: v for b in blocks for k, v in b.attrs["reasons"].items()}
    table.attrs["units"] = {name: UNITS[name] for name in names}
    return table
