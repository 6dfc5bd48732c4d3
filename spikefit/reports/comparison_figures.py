"""Figures of a model comparison, in the units people read: ms, mV, pA, Hz.

One function per figure, each ``(comparison, path) -> path``: it draws with matplotlib's Agg
backend, saves a PNG at ``path`` and closes the figure. A model keeps its colour in every
figure (``model_colour``); the recording is black.

- ``plot_traces(comparison, path, cell)``: one cell's recording against each fitted model on a
  training step, a held-out step and the noise sweep, when the cell has one.
- ``plot_fi_curves``: firing rate in the stimulus window against step amplitude, per cell.
- ``plot_feature_errors``: mean held-out |z| per feature and model, over cells.
- ``plot_history``: best objective so far against completed trial, per cell.
- ``plot_score_distributions``: held-out Gamma, objective and f-I error across cells (needs
  two cells or more).
- ``plot_lif_failures``: how much worse LIF is than each richer model, per kind of failure
  (``lif_failures``): median and 95 % interval across cells.

Simulations of the fitted models (``Comparison.predict``) are made once per comparison and
shared by the figures that need them.
"""
from __future__ import annotations

import math
import warnings
import weakref
from pathlib import Path

import numpy as np

from .cells import step_amplitude, step_levels

MODEL_COLOURS = {"lif": "#1f77b4", "izhikevich": "#ff7f0e", "adex": "#2ca02c", "hh": "#9467bd"}
"""Colours of the built-in models; any other model takes the next of ``_SPARE_COLOURS``."""
_SPARE_COLOURS = ("#d62728", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")
TARGET_COLOUR = "black"

_PREDICTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_colour(model: str, models) -> str:
    """The colour of ``model`` in every figure of a comparison of ``models``."""
    if model in MODEL_COLOURS:
        return MODEL_COLOURS[model]
    others = [m for m in models if m not in MODEL_COLOURS]
    index = others.index(model) if model in others else len(others)
    return _SPARE_COLOURS[index % len(_SPARE_COLOURS)]


def predictions(comparison) -> dict:
    """(cell, model) -> Recording of the fitted model under every sweep of the cell, or the
    error text when the simulation failed; fits that failed are left out. Cached per
    comparison."""
    cached = _PREDICTIONS.get(comparison)
    if cached is None:
        cached = {}
        for key in comparison.fits:
            try:
                cached[key] = comparison.predict(*key)
            except Exception as error:  # noqa: BLE001 - a diverging model is drawn as such
                cached[key] = f"{type(error).__name__}: {error}"
        _PREDICTIONS[comparison] = cached
    return cached


def trace_sweeps(split) -> list[tuple[str, int]]:
    """(label, sweep index) of the sweeps ``plot_traces`` shows: the largest training step,
    the largest held-out step, and the first sweep that is not a step."""
    amplitudes = {i: step_amplitude(trace) for i, trace in enumerate(split.recording)}
    chosen = []
    for which, label in (("train", "training"), ("test", "held-out")):
        steps = [i for i in getattr(split, which) if math.isfinite(amplitudes[i])]
        if steps:
            index = max(steps, key=lambda i: amplitudes[i])
            chosen.append((f"{label} sweep {index}: {amplitudes[index] * 1e12:.0f} pA step", index))
    others = [i for i, a in amplitudes.items() if not math.isfinite(a)]
    if others:
        index = others[0]
        role = "held out" if index in split.test else "trained on" if index in split.train else "unused"
        chosen.append((f"noise sweep {index} ({role})", index))
    return chosen


def plot_traces(comparison, path, cell: str) -> Path:
    """Recording (black) and each fitted model (its colour) of one cell: one row a model, one
    column a sweep (``trace_sweeps``), current below; mV and pA against ms."""
    plt = _pyplot()
    # Tick size and spines in rcParams, through the drawing: set on each axes, every tick was
    # rebuilt (a third of the figure's time); the same image.
    with plt.rc_context({"xtick.labelsize": 8, "ytick.labelsize": 8, "axes.spines.top": False,
                         "axes.spines.right": False}):
        return _save(plt, _trace_figure(plt, comparison, cell), path)


def _trace_figure(plt, comparison, cell: str):
    split, simulated = comparison.splits[cell], predictions(comparison)
    sweeps, models = trace_sweeps(split), comparison.models
    fig, axes = plt.subplots(len(models) + 1, len(sweeps), figsize=(4.4 * len(sweeps), 1.9 * len(models) + 1.4),
                             sharex="col", squeeze=False,
                             gridspec_kw={"height_ratios": [3] * len(models) + [1.2]})
    for col, (label, index) in enumerate(sweeps):
        target = split.recording[index]
        t_ms = target.time * 1e3
        axes[0, col].set_title(label, fontsize=9)
        for row, model in enumerate(models):
            ax = axes[row, col]
            ax.plot(t_ms, target.v * 1e3, color=TARGET_COLOUR, lw=0.6, label="recording")
            outcome = simulated.get((cell, model), "fit failed" if (cell, model) in comparison.failed else "no fit")
            if isinstance(outcome, str):
                ax.text(0.5, 0.5, outcome[:60], transform=ax.transAxes, ha="center", va="center", color="C3")
            else:
                ax.plot(outcome[index].time * 1e3, outcome[index].v * 1e3, color=model_colour(model, models),
                        lw=0.6, alpha=0.85, label=model)
            if col == 0:
                ax.set_ylabel(f"{model}\nV (mV)", color=model_colour(model, models))
        current = axes[-1, col]
        current.plot(t_ms, target.current * 1e12, color="0.3", lw=0.6)
        current.set_xlabel("time (ms)")
        if col == 0:
            current.set_ylabel("I (pA)")
    fig.suptitle(f"{cell}: recording (black) and fitted models", fontsize=10)
    return fig


def fi_points(comparison, cell: str) -> list[dict]:
    """Per step level of a cell: amplitude (A), split, and the firing rate (Hz) in the stimulus
    window of the recording and of each fitted model (mean over the level's sweeps)."""
    split, simulated = comparison.splits[cell], predictions(comparison)
    points = []
    for level in step_levels(split.recording):
        point = {"amplitude": float(np.mean([step_amplitude(split.recording[i]) for i in level])),
                 "split": "train" if level[0] in split.train else "test" if level[0] in split.test else "unused",
                 "recording": float(np.mean([_rate(split.recording[i]) for i in level]))}
        for model in comparison.models:
            outcome = simulated.get((cell, model))
            if outcome is not None and not isinstance(outcome, str):
                point[model] = float(np.mean([_rate(outcome[i]) for i in level]))
        points.append(point)
    return points


def plot_fi_curves(comparison, path) -> Path:
    """Firing rate (Hz) in the stimulus window against step amplitude (pA), one panel a cell:
    recording black, models in their colours; filled markers at training amplitudes, open
    markers at held-out ones."""
    plt = _pyplot()
    from matplotlib.lines import Line2D

    fig, axes = _panels(plt, len(comparison.cells), width=4.0, height=3.2)
    for ax, cell in zip(axes, comparison.cells):
        points = fi_points(comparison, cell)
        amps = np.array([p["amplitude"] for p in points]) * 1e12
        train = np.array([p["split"] == "train" for p in points], dtype=bool)
        for name, colour in [("recording", TARGET_COLOUR)] + [(m, model_colour(m, comparison.models))
                                                              for m in comparison.models]:
            rates = np.array([p.get(name, np.nan) for p in points])
            if not np.isfinite(rates).any():
                continue
            target = name == "recording"
            ax.plot(amps, rates, color=colour, lw=1.6 if target else 1.1, zorder=3 if target else 2)
            ax.plot(amps[train], rates[train], "o", color=colour, ms=5, zorder=4)
            ax.plot(amps[~train], rates[~train], "o", mfc="white", mec=colour, mew=1.3, ms=5, zorder=4)
        ax.set_title(cell, fontsize=10)
        ax.set_xlabel("step amplitude (pA)")
        ax.set_ylabel("firing rate (Hz)")
        ax.spines[["top", "right"]].set_visible(False)
    handles = [Line2D([], [], color=TARGET_COLOUR, lw=1.6, label="recording")]
    handles += [Line2D([], [], color=model_colour(m, comparison.models), lw=1.1, label=m) for m in comparison.models]
    handles += [Line2D([], [], ls="", marker="o", color="0.4", label="training amplitude"),
                Line2D([], [], ls="", marker="o", mfc="white", mec="0.4", label="held-out amplitude")]
    fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 6), frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return _save(plt, fig, path, tight=False)


def feature_z(comparison, split: str = "test"):
    """Features x models: mean |z| (``feature_z:*``) over cells on ``split``; and the per-cell
    values (cells x features, per model) behind it."""
    table = comparison.table
    rows = table[(table["split"] == split) & table["metric"].str.startswith("feature_z:")]
    rows = rows.assign(feature=rows["metric"].str.slice(len("feature_z:")))
    wide = rows.pivot_table(index="feature", columns="model", values="value", aggfunc="mean", sort=False)
    features = list(dict.fromkeys(rows["feature"]))
    return wide.reindex(index=features, columns=[m for m in comparison.models]), rows


def plot_feature_errors(comparison, path) -> Path:
    """Mean |z| of each feature on held-out sweeps, grouped bars per model (averaged over
    cells; dots: single cells). The dashed line is the cap, which a missing feature scores;
    "n/a" marks a feature no cell gave a |z| for."""
    plt = _pyplot()
    from ..fitting.objectives import MAX_Z

    mean, rows = feature_z(comparison)
    models = list(comparison.models)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(mean) * max(len(models), 2) / 2 + 2), 4.2))
    width = 0.8 / max(len(models), 1)
    x = np.arange(len(mean))
    for k, model in enumerate(models):
        offset = x - 0.4 + width * (k + 0.5)
        values = mean[model].to_numpy(dtype=float) if model in mean else np.full(len(mean), np.nan)
        colour = model_colour(model, models)
        ax.bar(offset, np.nan_to_num(values), width, color=colour, label=model)
        per_cell = rows[rows["model"] == model]
        for j, feature in enumerate(mean.index):
            dots = per_cell.loc[per_cell["feature"] == feature, "value"].dropna().to_numpy()
            ax.plot(np.full(dots.size, offset[j]), dots, ".", color="black", ms=3, zorder=3)
            if not np.isfinite(values[j]):
                ax.text(offset[j], 0.2, "n/a", rotation=90, ha="center", va="bottom", fontsize=7, color=colour)
    ax.axhline(MAX_Z, color="0.5", ls="--", lw=0.8)
    ax.text(len(mean) - 0.5, MAX_Z, f"cap {MAX_Z:g}", ha="right", va="bottom", fontsize=7, color="0.4")
    ax.set_xticks(x, list(mean.index), rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("mean |z| on held-out sweeps")
    ax.set_title(f"feature errors by model (mean over {len(comparison.cells)} cell(s); dots: cells)", fontsize=10)
    if models:
        ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(plt, fig, path)


def best_so_far(history) -> np.ndarray:
    """The lowest objective among the first 1, 2, ... completed trials (NaN before the first
    finite one)."""
    values = np.asarray(history, dtype=float)
    values = np.where(np.isfinite(values), values, np.inf)
    best = np.minimum.accumulate(values) if values.size else values
    return np.where(np.isfinite(best), best, np.nan)


def plot_history(comparison, path) -> Path:
    """Best objective so far against completed trial, one panel a cell, log y (symmetric log
    when an objective reaches zero or below)."""
    plt = _pyplot()
    fig, axes = _panels(plt, len(comparison.cells), width=4.0, height=3.0)
    for ax, cell in zip(axes, comparison.cells):
        lowest = math.inf
        for model in comparison.models:
            fit = comparison.fits.get((cell, model))
            if fit is None or len(fit.history) == 0:
                continue
            best = best_so_far(fit.history)
            ax.plot(np.arange(1, best.size + 1), best, color=model_colour(model, comparison.models), lw=1.3,
                    label=model)
            if np.isfinite(best).any():
                lowest = min(lowest, float(np.nanmin(best)))
        if lowest <= 0:
            ax.set_yscale("symlog", linthresh=1e-3)
        elif math.isfinite(lowest):
            ax.set_yscale("log")
        ax.set_title(cell, fontsize=10)
        ax.set_xlabel("completed trial")
        ax.set_ylabel("best objective so far")
        ax.spines[["top", "right"]].set_visible(False)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=8)
    return _save(plt, fig, path)


SCORE_PANELS = (("gamma", "held-out Gamma (higher is better)"), ("objective", "held-out objective (lower is better)"),
                ("fi_error", "held-out f-I error, Hz (lower is better)"))


def plot_score_distributions(comparison, path) -> Path:
    """Held-out Gamma, objective and f-I error of each model across cells: a box per model,
    a dot per cell, grey lines joining one cell's models.

    Raises
    ------
    ValueError
        With fewer than two cells: a distribution needs more than one.
    """
    if len(comparison.cells) < 2:
        raise ValueError(f"score distributions need more than one cell, got {len(comparison.cells)} "
                         f"({', '.join(comparison.cells)})")
    plt = _pyplot()
    from .statistics import by_cell

    models = list(comparison.models)
    fig, axes = plt.subplots(1, len(SCORE_PANELS), figsize=(4.2 * len(SCORE_PANELS), 3.6), squeeze=False)
    for ax, (metric, title) in zip(axes[0], SCORE_PANELS):
        wide = by_cell(comparison.table, metric, "test").reindex(columns=models)
        x = np.arange(1, len(models) + 1)
        for _, row in wide.iterrows():
            ax.plot(x, row.to_numpy(dtype=float), color="0.8", lw=0.8, zorder=1)
        for k, model in enumerate(models):
            values = wide[model].dropna().to_numpy(dtype=float)
            colour = model_colour(model, models)
            if values.size:
                ax.boxplot([values], positions=[x[k]], widths=0.5, showfliers=False,
                           medianprops={"color": colour, "lw": 2}, boxprops={"color": "0.4"},
                           whiskerprops={"color": "0.4"}, capprops={"color": "0.4"})
            ax.plot(np.full(values.size, x[k]), values, "o", color=colour, ms=5, zorder=3)
        ax.set_xticks(x, models)
        ax.set_xlim(0.4, len(models) + 0.6)
        ax.set_title(title, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(f"scores across {len(comparison.cells)} cells (lines join one cell's models)", fontsize=10)
    return _save(plt, fig, path)


def plot_lif_failures(comparison, path) -> Path:
    """Median held-out difference, LIF minus each richer model (positive: LIF worse), with its 95 %
    interval across cells: one panel per kind of failure, each model its colour."""
    from .lif_failures import KINDS, lif_failures

    failures = lif_failures(comparison.table, comparison.models)
    models = [m for m in comparison.models if m != "lif"]
    plt = _pyplot()
    fig, axes = _panels(plt, len(KINDS), 3.0, 2.8)
    for ax, (key, words, _, unit) in zip(axes, KINDS):
        rows = failures[failures["kind"] == key].set_index("model")
        for k, model in enumerate(models):
            row = rows.loc[model]
            if not math.isfinite(row["median"]):
                ax.text(k, 0, f"{row['n_cells']} cell(s)", ha="center", fontsize=8)
                continue
            low = row["ci_low"] if math.isfinite(row["ci_low"]) else row["median"]
            high = row["ci_high"] if math.isfinite(row["ci_high"]) else row["median"]
            ax.errorbar([k], [row["median"]], yerr=[[row["median"] - low], [high - row["median"]]], fmt="o",
                        color=model_colour(model, comparison.models), capsize=3)
        ax.axhline(0, color="0.6", lw=0.8, ls="--")
        ax.set_xticks(range(len(models)), models)
        ax.set_xlim(-0.6, len(models) - 0.4)
        ax.set_ylabel(f"LIF worse by ({unit})", fontsize=8)
        ax.set_title(words, fontsize=9, wrap=True)
        ax.spines[["top", "right"]].set_visible(False)
    return _save(plt, fig, path)


def _rate(trace) -> float:
    """Hz: spikes inside the stimulus window (the whole trace without one) per second."""
    from ..data.spikes import detect_spikes

    spikes = trace.spike_times if trace.spike_times is not None else detect_spikes(trace.v, trace.dt)
    stim = trace.stimulus
    start = stim.start if stim.start is not None else 0.0
    stop = stim.stop if stim.stop is not None else stim.duration
    spikes = np.asarray(spikes)
    return float(((spikes >= start) & (spikes < stop)).sum() / (stop - start))


def _panels(plt, n: int, width: float, height: float):
    columns = min(max(n, 1), 4)
    rows = math.ceil(max(n, 1) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, path, tight: bool = True) -> Path:
    path = Path(path)
    try:
        if tight:
            with warnings.catch_warnings():  # a panel of text only cannot be tightened: drawn as it is
                warnings.filterwarnings("ignore", message="Tight layout not applied")
                fig.tight_layout()
        fig.savefig(path, dpi=110, format="png")
    finally:
        plt.close(fig)
    return path
