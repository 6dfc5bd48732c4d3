"""Sweeps over the Destexhe 2009 network: what keeps its activity going after the kick.

The notebook (../shared/sources/destexhe2009_notebook.md) closes with questions on how
self-sustained activity depends on the mean synaptic delay, the delay jitter, facilitation
(p_s0 < 1), depression and STDP, and suggests stochastic synapses. ``sweep`` varies one
factor at a time around a baseline and returns a tidy table; ``write_sweep_report`` turns
it into ``report.md`` plus PNG figures; ``plot_raster`` draws one network's spikes.
``weakest_sustaining`` goes beyond the paper: an Optuna search for the strongest RS
adaptation, or the smallest network, that still sustains asynchronous irregular activity.

Every measure is the one of ``spikefit.models.network.NetworkResult``: persistence (s the
activity outlives the kick), mean ISI CV after the kick (irregularity) and Golomb's chi of
5 ms spike counts (synchrony).
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..data.units import to_si
from ..models.network import POPULATIONS, NetworkResult, PoissonKick, destexhe2009

SWEEP_FACTORS: dict[str, tuple] = {
    "delay": (1e-3, 3e-3, 6e-3, 10e-3),
    "delay_jitter": (0.0, 1.5e-3, 3e-3, 6e-3),
    "facilitation": (0.0, 0.2, 0.4, 0.6),
    "depression": (0.0, 0.1, 0.3, 0.6),
    "stdp": (0.0, 0.5, 1.0),
    "stochastic_release": (False, True),
}
"""Default values per factor (SI). The delay sweep keeps the notebook's jitter of half the
delay; every other factor is varied around the notebook's baseline (3 ms +- 0.75 ms, no
facilitation, no depression, no STDP, graded release)."""

_SI = {"delay": "s", "delay_jitter": "s", "adaptation_b": "A"}
_UNITS = {"delay": ("ms", 1e3), "delay_jitter": ("ms", 1e3), "adaptation_b": ("pA", 1e12)}
_METRICS = (("persistence", "activity after kick (s)"), ("cv_isi", "mean ISI CV"),
            ("synchrony", "synchrony chi"), ("mean_rate", "rate after kick (Hz)"))
_COLOURS = {"RS": "tab:red", "LTS": "tab:orange", "FS": "tab:blue", "kick": "0.6"}


def _display(factor: str, value) -> float:
    unit, scale = _UNITS.get(factor, ("", 1.0))
    return float(value) * scale


def _label(factor: str) -> str:
    unit = _UNITS.get(factor, ("", 1.0))[0]
    return f"{factor} ({unit})" if unit else factor


def sweep(factors: Mapping[str, Sequence] | Sequence[str] | None = None, *, n: int = 500,
          duration=2.0, seeds: Sequence[int] = (0, 1, 2), codegen_target: str | None = None,
          progress: bool = False, **baseline) -> pd.DataFrame:
    """Simulate the network once per factor value and seed; one row per run.

    Parameters
    ----------
    factors : mapping factor -> values, sequence of factor names, or None
        Which arguments of ``destexhe2009`` to vary, one at a time; names alone take their
        values from ``SWEEP_FACTORS``; None sweeps all of ``SWEEP_FACTORS``.
    n : int
        Network size.
    duration : float
        s simulated per run.
    seeds : sequence of int
        Network seeds; each value is run once per seed.
    codegen_target : str or None
        Brian 2 target (None: numpy; "cython" pays back its 70 to 80 s compile after about
        25 runs at N = 2000).
    progress : bool
        Print one line per run.
    **baseline
        Further ``destexhe2009`` arguments held fixed (e.g. ``adaptation_b=5e-12``).

    Returns
    -------
    pandas.DataFrame
        Columns ``factor``, ``value`` (SI, booleans as 0/1), ``seed``, the summaries of
        ``NetworkResult.summary()`` (``persistence``, ``sustained``, ``cv_isi``,
        ``synchrony``, ``mean_rate``, ``rate_RS`` ...) and every setting used.
    """
    if factors is None:
        factors = SWEEP_FACTORS
    if not isinstance(factors, Mapping):
        unknown = [f for f in factors if f not in SWEEP_FACTORS]
        if unknown:
            raise ValueError(f"factors must name {', '.join(SWEEP_FACTORS)} or map names to values, "
                             f"got {', '.join(map(repr, unknown))}")
        factors = {f: SWEEP_FACTORS[f] for f in factors}
    allowed = set(SWEEP_FACTORS) | {"adaptation_b", "lts_fraction"}
    for name, values in factors.items():
        if name not in allowed:
            raise ValueError(f"factor must be one of {', '.join(sorted(allowed))}, got {name!r}")
        if len(values) == 0:
            raise ValueError(f"factor {name!r} needs at least one value, got {values!r}")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, got ()")
    duration = to_si(duration, "s", "duration")
    cache: dict[tuple, dict] = {}
    rows = []
    for factor, values in factors.items():
        for value in values:
            kwargs = dict(baseline, n=n, duration=duration, codegen_target=codegen_target)
            kwargs[factor] = value
            if factor == "delay" and "delay_jitter" not in baseline:
                kwargs["delay_jitter"] = 0.5 * to_si(value, "s", "delay")  # the notebook's jitter
            for seed in seeds:
                key = _run_key(seed=seed, **kwargs)
                if key not in cache:
                    cache[key] = destexhe2009(seed=seed, **kwargs).summary()
                summary = cache[key]
                row = {"factor": factor, "value": float(to_si(value, _SI.get(factor, "1"), factor)),
                       "seed": seed}
                row.update({k: v for k, v in summary.items() if k != "seed"})
                rows.append(row)
                if progress:
                    print(f"{factor}={value!r} seed={seed}: persistence {summary['persistence']:.2f} s, "
                          f"CV {summary['cv_isi']:.2f}, chi {summary['synchrony']:.2f}, "
                          f"{summary['mean_rate']:.1f} Hz ({summary['wall_time']:.1f} s)", flush=True)
    return pd.DataFrame(rows)


def _run_key(**kwargs) -> tuple:
    """The complete settings of a run (defaults filled in), to simulate each one once."""
    bound = inspect.signature(destexhe2009).bind(**kwargs)
    bound.apply_defaults()
    return tuple((k, repr(v)) for k, v in sorted(bound.arguments.items()))


def summarise_sweep(table: pd.DataFrame) -> pd.DataFrame:
    """Per factor and value: mean of each summary over seeds, and the fraction sustained."""
    metrics = [m for m, _ in _METRICS]
    grouped = table.groupby(["factor", "value"], sort=False)
    out = grouped[metrics].mean()
    out["sustained_fraction"] = grouped["sustained"].mean()
    out["runs"] = grouped.size()
    return out.reset_index()


def plot_sweep(table: pd.DataFrame, path=None):
    """Figure: one column per factor, one row per summary (persistence, CV, chi, rate).

    Each seed's run is a dot, the mean over seeds a line. Returns the matplotlib Figure and
    saves it to ``path`` when given.
    """
    plt = _pyplot(path)
    factors = list(dict.fromkeys(table["factor"]))
    fig, axes = plt.subplots(len(_METRICS), len(factors), figsize=(2.8 * len(factors) + 1, 8.5),
                             squeeze=False, sharex="col", sharey="row")
    means = summarise_sweep(table)
    for col, factor in enumerate(factors):
        runs = table[table["factor"] == factor]
        mean = means[means["factor"] == factor]
        for row, (metric, label) in enumerate(_METRICS):
            ax = axes[row, col]
            ax.plot([_display(factor, v) for v in runs["value"]], runs[metric], "o", color="0.6", ms=4)
            ax.plot([_display(factor, v) for v in mean["value"]], mean[metric], "-", color="k", lw=1.5)
            if col == 0:
                ax.set_ylabel(label)
            if row == len(_METRICS) - 1:
                ax.set_xlabel(_label(factor))
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
    ax.set_title(f"N = {result.n}, b_RS = {result.params['adaptation_b'] * 1e12:g} pA: activity "
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


def write_sweep_report(table: pd.DataFrame, directory, rasters: Mapping[str, NetworkResult] | None = None,
                       title: str = "Self-sustained activity in the Destexhe 2009 network") -> Path:
    """Write ``report.md``, ``sweep.csv``, ``sweep.png`` (and ``raster_<name>.png`` per raster).

    Parameters
    ----------
    table : pandas.DataFrame
        What ``sweep`` returned.
    directory : path
        Created if missing.
    rasters : mapping name -> NetworkResult, optional
        Runs to draw as rasters in the report (e.g. weak and strong adaptation).

    Returns
    -------
    Path of ``report.md``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    table.to_csv(directory / "sweep.csv", index=False)
    plot_sweep(table, directory / "sweep.png")
    means = summarise_sweep(table)
    first = table.iloc[0]
    lines = [f"# {title}", "",
             f"N = {int(first['n'])} cells ({int(first['n_rs'])} RS, {int(first['n_lts'])} LTS, "
             f"{int(first['n_fs'])} FS), {first['duration']:g} s per run, seeds "
             f"{', '.join(str(s) for s in sorted(set(table['seed'])))}, Brian 2 target "
             f"{first['codegen_target']}. One factor varied at a time; the others at the baseline "
             f"(b_RS = {first['adaptation_b'] * 1e12:g} pA).", "",
             "Persistence: seconds the network stays active after the kick ends (the whole remaining "
             "run if it still fires in the last 50 ms). CV: mean ISI coefficient of variation after "
             "the kick (about 1 for Poisson-like firing). chi: Golomb's synchrony of 5 ms spike counts "
             "(1 fully synchronous, about 1/sqrt(N) for independent cells).", "",
             "![sweep](sweep.png)", ""]
    for factor in dict.fromkeys(means["factor"]):
        part = means[means["factor"] == factor]
        lines += [f"## {_label(factor)}", "",
                  "| value | sustained (fraction of seeds) | persistence (s) | CV | chi | rate (Hz) |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for _, r in part.iterrows():
            lines.append(f"| {_display(factor, r['value']):g} | {r['sustained_fraction']:.2f} | "
                         f"{r['persistence']:.2f} | {r['cv_isi']:.2f} | {r['synchrony']:.2f} | "
                         f"{r['mean_rate']:.1f} |")
        lines += ["", _verdict(part), ""]
        if factor == "delay":
            lines += ["Axon length for a 10 ms delay: conduction velocities of unmyelinated cortical "
                      "axons of 0.1 to 1 m/s give 1 to 10 mm; myelinated axons (1 to 20 m/s) give "
                      "1 to 20 cm.", ""]
    for name, result in (rasters or {}).items():
        filename = f"raster_{name}.png"
        plot_raster(result, directory / filename)
        lines += [f"## Raster: {name}", "", f"![{name}]({filename})", ""]
    path = directory / "report.md"
    path.write_text("\n".join(lines))
    return path


def _verdict(part: pd.DataFrame) -> str:
    """One sentence on how persistence moves across a factor's values."""
    persist = part["persistence"].to_numpy()
    values = part["value"].to_numpy()
    best, worst = values[np.argmax(persist)], values[np.argmin(persist)]
    if persist.max() - persist.min() < 0.05 * max(persist.max(), 1e-9):
        return "Persistence hardly changes across these values."
    factor = part["factor"].iloc[0]
    return (f"Longest persistence at {_display(factor, best):g}, shortest at {_display(factor, worst):g} "
            f"({persist.min():.2f} to {persist.max():.2f} s).")


@dataclass(frozen=True, eq=False)
class SustainSearch:
    """What ``weakest_sustaining`` found.

    Attributes
    ----------
    parameter : {"adaptation_b", "n"}
    best : float or None
        The strongest RS adaptation b (A), or the smallest network size, that sustained AI
        activity; None if no trial did.
    bracket : (float or None, float or None)
        (best, the nearest value tried beyond it that failed): the answer lies in between.
        None where no such trial exists.
    trials : pandas.DataFrame
        One row per trial, sorted by the value tried: ``sustained`` and the summaries.
    study : optuna.Study
    """

    parameter: str
    best: float | None
    bracket: tuple
    trials: pd.DataFrame
    study: object


def weakest_sustaining(parameter: str = "adaptation_b", *, n: int = 500, adaptation_b=5e-12,
                       hold=1.0, b_range=(0.0, 60e-12), n_range=(100, 2000), n_trials: int = 8,
                       seeds: Sequence[int] = (1,), min_cv: float = 0.5, max_chi: float = 0.5,
                       seed: int = 0, codegen_target: str | None = None,
                       kick: PoissonKick = PoissonKick(), **network) -> SustainSearch:
    """Optuna search for the edge of self-sustained asynchronous irregular (AI) activity.

    A network *sustains AI activity for* ``hold`` s when, for every seed in ``seeds``, it is
    still firing ``hold`` s after the kick ends (the run lasts ``kick.stop + hold``), with
    mean ISI CV >= ``min_cv`` (irregular) and Golomb's chi <= ``max_chi`` (asynchronous).

    - ``parameter="adaptation_b"``: the *strongest* RS adaptation b (the largest, A) in
      ``b_range`` that still sustains it at size ``n``: how much adaptation the network can
      carry. (The "weakest adaptation" of the paper's question is the other side of this
      edge: every b above the answer is too strong.)
    - ``parameter="n"``: the *smallest* network in ``n_range`` that still sustains it with
      RS adaptation ``adaptation_b``.

    A plain Optuna study (maximising b, or -n, over sustaining trials; failing trials score
    below every sustaining one) records every trial. Since sustaining is close to monotone
    in b and in n, the trials are proposed by bisection rather than by a sampler: the first
    two are the ends of the range, then each trial is enqueued halfway (geometrically for
    n) between the best sustaining value and the nearest failing one beyond it, until the
    budget ``n_trials`` is spent or the bracket is closed. Each trial is one network
    simulation per seed, so the default budget (8) is small: it resolves ``b_range`` to
    1/64 of its width. Networks at the edge may sustain by chance with one seed and not
    another; give several ``seeds`` for a firmer answer.

    Parameters
    ----------
    parameter : {"adaptation_b", "n"}
    n : int
        Network size for the b search.
    adaptation_b : float
        A: RS adaptation for the size search.
    hold : float
        s the activity must outlive the kick.
    b_range : (float, float)
        A: range of b searched.
    n_range : (int, int)
        Range of sizes searched.
    n_trials : int
        Most Optuna trials.
    seeds : sequence of int
        Network seeds each trial must sustain with.
    min_cv, max_chi : float
        AI criteria.
    seed : int
        Seed of the study's sampler (only used if a trial is not enqueued).
    codegen_target : str or None
    kick : PoissonKick
    **network
        Further ``destexhe2009`` arguments (lts_fraction, delay, ...).

    Returns
    -------
    SustainSearch
    """
    import optuna

    if parameter not in ("adaptation_b", "n"):
        raise ValueError(f"parameter must be 'adaptation_b' or 'n', got {parameter!r}")
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got n_trials={n_trials}")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, got ()")
    hold = to_si(hold, "s", "hold")
    if not hold > 0:
        raise ValueError(f"hold must be > 0 (s), got hold={hold}")
    b_low, b_high = (float(to_si(v, "A", "b_range")) for v in b_range)
    if not 0 <= b_low < b_high:
        raise ValueError(f"0 <= b_range[0] < b_range[1] must hold (A), got b_range=({b_low}, {b_high})")
    n_low, n_high = (int(v) for v in n_range)
    if not 0 < n_low < n_high:
        raise ValueError(f"0 < n_range[0] < n_range[1] must hold, got n_range=({n_low}, {n_high})")
    by_b = parameter == "adaptation_b"
    name = "adaptation_b_pA" if by_b else "n"
    # the easy end first (little adaptation, a large network), then the hard end
    ends = (b_low * 1e12, b_high * 1e12) if by_b else (n_high, n_low)
    duration = kick.stop + hold
    records = []

    def objective(trial) -> float:
        if by_b:
            b_pA = trial.suggest_float(name, b_low * 1e12, b_high * 1e12)
            kwargs, value = dict(n=n, adaptation_b=b_pA * 1e-12), b_pA * 1e-12
        else:
            size = trial.suggest_int(name, n_low, n_high)
            kwargs, value = dict(n=size, adaptation_b=adaptation_b), float(size)
        runs = [destexhe2009(duration=duration, seed=s, codegen_target=codegen_target, kick=kick,
                             **kwargs, **network) for s in seeds]
        ok = all(r.sustained and r.cv_isi >= min_cv and r.synchrony <= max_chi for r in runs)
        cvs = [r.cv_isi for r in runs if not math.isnan(r.cv_isi)]
        chis = [r.synchrony for r in runs if not math.isnan(r.synchrony)]
        records.append({"trial": trial.number, parameter: value, "sustained": ok,
                        "persistence": min(r.persistence for r in runs),
                        "cv_isi": float(np.mean(cvs)) if cvs else math.nan,
                        "synchrony": float(max(chis)) if chis else math.nan,
                        "mean_rate": float(np.mean([r.mean_rate for r in runs]))})
        if by_b:  # maximise b among sustaining; failures below all of them, larger b worse
            return value * 1e12 if ok else b_low * 1e12 - 1.0 - value * 1e12
        return -value if ok else -2.0 * n_high - 1.0 + value  # minimise n likewise

    def bisect(study, trial) -> None:
        done = len(records)
        if done >= n_trials:
            return  # the budget is spent: leave no waiting trial behind
        if done == 1 and len(ends) > 1:
            if not records[0]["sustained"]:  # even the easy end fails: nothing to bisect
                study.stop()
            else:
                study.enqueue_trial({name: ends[1]})
            return
        good, bad = _bracket(records, parameter)
        if good is None or bad is None:
            study.stop()
            return
        if by_b:
            study.enqueue_trial({name: 0.5 * (good + bad) * 1e12})
        else:
            middle = int(round(math.sqrt(good * bad)))
            if not bad < middle < good:
                study.stop()  # adjacent sizes: the bracket is closed
                return
            study.enqueue_trial({name: middle})

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
        study.enqueue_trial({name: ends[0]})
        study.optimize(objective, n_trials=n_trials, callbacks=[bisect])
    finally:
        optuna.logging.set_verbosity(verbosity)
    trials = pd.DataFrame(records).sort_values(parameter).reset_index(drop=True)
    good, bad = _bracket(records, parameter)
    return SustainSearch(parameter=parameter, best=good, bracket=(good, bad), trials=trials, study=study)


def _bracket(records: list[dict], parameter: str) -> tuple:
    """(best sustaining value, nearest failing value beyond it); None where there is none."""
    good = [r[parameter] for r in records if r["sustained"]]
    if parameter == "adaptation_b":
        best = max(good) if good else None
        beyond = [r[parameter] for r in records if not r["sustained"] and (best is None or r[parameter] > best)]
        return best, (min(beyond) if beyond else None)
    best = min(good) if good else None
    beyond = [r[parameter] for r in records if not r["sustained"] and (best is None or r[parameter] < best)]
    return best, (max(beyond) if beyond else None)


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
