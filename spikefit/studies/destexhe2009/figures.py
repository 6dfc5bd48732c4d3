"""Figures of the Destexhe 2009 study: the cell types (the paper's Fig. 1), a network's raster,
and a sweep's summaries. Time in ms, voltage in mV; matplotlib is imported only when drawing.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping

import pandas as pd

from ...data import Recording
from .cell_types import CELL_TYPES
from .network import POPULATIONS, NetworkResult
from .sweeps import METRICS, display_value, factor_label, summarise_sweep

_COLOURS = {"RS": "tab:red", "LTS": "tab:orange", "FS": "tab:blue", "kick": "0.6"}


def plot_cell_types(recordings: Mapping[str, Recording], path=None, title: str = ""):
    """Draw the paper's Fig. 1: one panel per cell type, the steps of each overlaid.

    Parameters
    ----------
    recordings : mapping
        Cell type (or any label) -> Recording, as ``simulate_cell_types`` returns.
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
    plt = _pyplot(path)

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
    return _save(fig, plt, path)


def _check_recordings(recordings) -> dict:
    if not isinstance(recordings, Mapping):
        raise ValueError(
            "recordings must be a mapping of cell type to Recording (as simulate_cell_types returns), "
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


def plot_sweep(table: pd.DataFrame, path=None):
    """Figure: one column per factor, one row per summary (persistence, CV, chi, rate).

    Each seed's run is a dot, the mean over seeds a line. Returns the matplotlib Figure and
    saves it to ``path`` when given.
    """
    plt = _pyplot(path)
    factors = list(dict.fromkeys(table["factor"]))
    fig, axes = plt.subplots(len(METRICS), len(factors), figsize=(2.8 * len(factors) + 1, 8.5),
                             squeeze=False, sharex="col", sharey="row")
    means = summarise_sweep(table)
    for col, factor in enumerate(factors):
        runs = table[table["factor"] == factor]
        mean = means[means["factor"] == factor]
        for row, (metric, label) in enumerate(METRICS):
            ax = axes[row, col]
            ax.plot([display_value(factor, v) for v in runs["value"]], runs[metric], "o", color="0.6", ms=4)
            ax.plot([display_value(factor, v) for v in mean["value"]], mean[metric], "-", color="k", lw=1.5)
            if col == 0:
                ax.set_ylabel(label)
            if row == len(METRICS) - 1:
                ax.set_xlabel(factor_label(factor))
            ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _save(fig, plt, path)


def plot_raster(result: NetworkResult, path=None, max_points: int = 200_000):
    """Figure: raster of every cell (RS red, LTS orange, FS blue; kick sources grey below)
    over the population rates (Hz) of RS, LTS and FS.

    Time in ms. At most ``max_points`` spikes are drawn (evenly thinned beyond that).
    Returns the matplotlib Figure and saves it to ``path`` when given.
    """
    plt = _pyplot(path)
    fig, (ax, ax_rate) = plt.subplots(2, 1, sharex=True, figsize=(10, 6),
                                      gridspec_kw={"height_ratios": [3, 1]})
    total = result.kick.count + sum(p.count for p in result.spikes.values())
    step = max(1, int(math.ceil(total / max_points)))
    kick = result.kick
    ax.plot(kick.times[::step] * 1e3, kick.indices[::step] - kick.n, ",", color=_COLOURS["kick"])
    offset = 0
    for name in POPULATIONS:
        pop = result.spikes[name]
        ax.plot(pop.times[::step] * 1e3, pop.indices[::step] + offset, ",", color=_COLOURS[name])
        ax.plot([], [], "s", color=_COLOURS[name], label=f"{name} ({pop.n})")
        offset += pop.n
        ax_rate.plot(result.rate_time * 1e3, result.rates[name], color=_COLOURS[name], lw=0.8)
    ax.plot([], [], "s", color=_COLOURS["kick"], label=f"kick ({kick.n})")
    ax.axvspan(result.params["kick"].start * 1e3, result.kick_end * 1e3, color="0.9", zorder=0)
    ax.set_ylim(-kick.n, offset)
    ax.set_ylabel("cell")
    ax.set_title(f"N = {result.n}, b_RS = {result.params['b'] * 1e12:g} pA: activity "
                 f"{result.persistence:.2f} s after the kick, CV {result.cv_isi:.2f}, "
                 f"chi {result.synchrony:.2f}", fontsize=10)
    ax.legend(loc="upper right", fontsize=8, markerscale=1.5, frameon=True)
    ax_rate.set_ylabel("rate (Hz)")
    ax_rate.set_xlabel("time (ms)")
    ax_rate.set_xlim(0, result.duration * 1e3)
    for a in (ax, ax_rate):
        a.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _save(fig, plt, path)


def _pyplot(path):
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, plt, path):
    if path is not None:
        fig.savefig(Path(path), dpi=120)
        plt.close(fig)
    return fig
