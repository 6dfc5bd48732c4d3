"""Destexhe 2009 (J Comput Neurosci 27:493), Fig. 1: six AdEx cell types under +-0.25 nA steps.

Every cell type shares one membrane (200 pF, 10 nS, E_L = -60 mV, V_T = -50 mV,
Delta_T = 2.5 mV, tau_w = 600 ms, refractory 2.5 ms) and differs only in its adaptation
(a, b); the parameter sets are the AdEx presets ``destexhe_*`` (spikefit.models.presets,
../shared/reference/REFERENCE.md section 3). As in the paper's figure and its seed notebook,
each cell receives a depolarising and a hyperpolarising step of 0.25 nA from 200 to 700 ms,
over a 1.5 s run at dt = 0.1 ms, starting from rest (V = E_L, w = 0).

What the figure shows: RS cells adapt (strongly with b = 40 pA, mildly with 5 pA), FS cells
do not (b = 0, a = 1 nS), and the cells with a strong subthreshold adaptation conductance
(LTS a = 20 nS, TC a = 40 nS, RE a = 30 nS) fire a rebound burst when the hyperpolarising
step ends: during the step, w settles at a (V - E_L) < 0, an inward current that outlasts the
step and carries V across threshold once the step is released.

The network of the paper's Fig. 7 is ``spikefit.models.network.destexhe2009``; the sweeps that
answer the seed notebook's questions (delay, jitter, facilitation, depression, STDP) and the
search for the strongest adaptation and the smallest network that still sustain activity are
re-exported here from ``network_sweeps``: ``sweep``, ``write_sweep_report``, ``plot_raster``,
``plot_sweep``, ``weakest_sustaining``.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping

from ..data import Recording, step
from ..data.stimulus import MAX_PLAUSIBLE_CURRENT
from ..data.units import require_finite, to_si
from .network_sweeps import (SustainSearch, plot_raster, plot_sweep, summarise_sweep, sweep,  # noqa: F401
                             weakest_sustaining, write_sweep_report)

CELL_TYPES = {
    "rs_strong": ("destexhe_rs_strong", "RS, strong adaptation"),
    "rs_weak": ("destexhe_rs_weak", "RS, weak adaptation"),
    "fs": ("destexhe_fs", "FS"),
    "lts": ("destexhe_lts", "LTS"),
    "tc": ("destexhe_tc", "TC"),
    "re": ("destexhe_re", "RE"),
}
"""Cell type -> (AdEx preset, panel title), in the order of the paper's Fig. 1."""

STEP_START = 0.2
"""Onset (s) of the steps, as in the seed notebook (200 ms)."""
STEP_STOP = 0.7
"""Offset (s) of the steps (700 ms)."""
DURATION = 1.5
"""Length (s) of each sweep (1.5 s): 800 ms after the step for rebound bursts."""


def _check_names(names) -> list[str]:
    from ..models.parameters import unknown_name_error

    if names is None:
        return list(CELL_TYPES)
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError(f"names must name at least one cell type of {', '.join(CELL_TYPES)}, got []")
    for name in names:
        if name not in CELL_TYPES:
            raise unknown_name_error("cell type", name, list(CELL_TYPES), "Destexhe 2009")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"names must not repeat a cell type, got {', '.join(repeated)} more than once")
    return names


def _check_amplitude(amplitude) -> float:
    amplitude = require_finite(to_si(amplitude, "A", "amplitude"), "amplitude")
    if not 0 < amplitude <= MAX_PLAUSIBLE_CURRENT:
        raise ValueError(
            f"amplitude must be > 0 and <= {MAX_PLAUSIBLE_CURRENT} A (its size: the steps are "
            f"+amplitude and -amplitude), got amplitude={amplitude} A"
            + ("; was a current in nA passed as A?" if amplitude > MAX_PLAUSIBLE_CURRENT else "")
        )
    return amplitude


def cell_types(names=None, amplitude=0.25e-9, start=STEP_START, stop=STEP_STOP,
               duration=DURATION, dt=1e-4, overrides: Mapping | None = None) -> dict[str, Recording]:
    """Simulate Destexhe 2009 cell types under a +``amplitude`` and a -``amplitude`` step.

    Parameters
    ----------
    names : str or sequence of str, optional
        Cell types among ``CELL_TYPES`` ("rs_strong", "rs_weak", "fs", "lts", "tc", "re");
        all six by default, in the paper's order.
    amplitude : float or brian2 Quantity
        Size of the steps in A (0.25 nA): each cell gets +amplitude and -amplitude.
    start, stop, duration : float or brian2 Quantity
        Step onset, step offset and sweep length in s (200 ms, 700 ms, 1.5 s).
    dt : float or brian2 Quantity
        Sampling and integration step in s (0.1 ms, as the paper).
    overrides : mapping, optional
        AdEx parameter values applied to every cell type, for example
        ``{"V_reset": -55e-3}`` (the seed notebook's reset; the paper's is -60 mV).

    Returns
    -------
    dict
        Cell type -> ``Recording`` of two sweeps (+amplitude, then -amplitude); its metadata
        names the cell type, the preset, the panel title and the parameters (SI). Spikes
        are drawn in the voltage as one sample at +20 mV, as in the paper's figure.

    Raises
    ------
    ValueError
        An unknown or repeated cell type, an amplitude <= 0 or implausibly large, a step
        outside the sweep, an unknown or invalid override.
    """
    from ..models import get_model

    names = _check_names(names)
    amplitude = _check_amplitude(amplitude)
    stimuli = [step(sign * amplitude, start, stop, duration, dt) for sign in (1.0, -1.0)]
    model = get_model("adex")
    recordings = {}
    for name in names:
        preset, label = CELL_TYPES[name]
        params = {**model.preset(preset), **dict(overrides or {})}
        rec = model.simulate(params, stimuli)
        recordings[name] = Recording(rec.sweeps, {
            "cell": name, "model": "adex", "preset": preset, "label": label,
            "params": rec.metadata["params"], "amplitude": amplitude,
        })
    return recordings


def plot_cell_types(recordings: Mapping[str, Recording], path=None, title: str = ""):
    """Draw the paper's Fig. 1: one panel per cell type, the steps of each overlaid.

    Parameters
    ----------
    recordings : mapping
        Cell type (or any label) -> Recording, as ``cell_types`` returns.
    path : str or Path, optional
        Where to save the figure (format from the suffix: .png, .pdf, .svg).
    title : str
        Title above the grid.

    Returns
    -------
    matplotlib.figure.Figure
        A grid of up to three panels a row, membrane potential (mV) against time (ms), the
        step window shaded.
    """
    recordings = _check_recordings(recordings)
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    n = len(recordings)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False,
                             figsize=(4.6 * ncols, 3.2 * nrows))
    flat = axes.ravel()
    for ax, (name, rec) in zip(flat, recordings.items()):
        _draw_panel(ax, name, rec)
    for ax in flat[n:]:
        fig.delaxes(ax)
    for ax in axes[:, 0]:
        ax.set_ylabel("V (mV)")
    for i, ax in enumerate(flat[:n]):
        if i + ncols >= n:  # lowest panel of its column
            ax.set_xlabel("time (ms)")
            ax.xaxis.set_tick_params(labelbottom=True)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(Path(path), dpi=120)
        plt.close(fig)
    return fig


def _check_recordings(recordings) -> dict:
    if not isinstance(recordings, Mapping):
        raise ValueError(
            "recordings must be a mapping of cell type to Recording (as cell_types returns), "
            f"got {type(recordings).__name__}"
        )
    if not recordings:
        raise ValueError("recordings must hold at least one cell type, got an empty mapping")
    for name, rec in recordings.items():
        if not isinstance(rec, Recording) or len(rec) == 0:
            raise ValueError(
                f"recordings[{name!r}] must be a Recording with at least one sweep, got {rec!r}"
            )
    return dict(recordings)


def _draw_panel(ax, name: str, rec: Recording) -> None:
    colors = {1.0: "C3", -1.0: "C0"}
    for sweep in rec:
        amp = float(sweep.stimulus.metadata.get("amplitude", sweep.current.max()))
        color = colors.get(math.copysign(1.0, amp), "k") if amp else "k"
        ax.plot(sweep.time * 1e3, sweep.v * 1e3, lw=0.7, color=color, label=f"{amp * 1e9:+.3g} nA")
    first = rec[0].stimulus
    if first.start is not None:
        ax.axvspan(first.start * 1e3, first.stop * 1e3, color="0.92", zorder=0)
    label = rec.metadata.get("label") or CELL_TYPES.get(name, (None, name))[1]
    ax.set_title(label)
    ax.legend(loc="upper right", frameon=False, fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
