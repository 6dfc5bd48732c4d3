"""Sweeps over the Destexhe 2009 network: what keeps its activity going after the kick.

The notebook (../shared/sources/destexhe2009_notebook.md) closes with questions on how
self-sustained activity depends on the mean synaptic delay, the delay jitter, facilitation
(p_s0 < 1), depression and STDP, and suggests stochastic synapses. ``sweep`` varies one
factor at a time around a baseline and returns a tidy table; ``report.write_sweep_report``
turns it into ``report.md`` plus the figures of ``figures``.

Every measure is the one of ``network.NetworkResult``: persistence (s the activity outlives
the kick), mean ISI CV after the kick (irregularity) and Golomb's chi of 5 ms spike counts
(synchrony).
"""
from __future__ import annotations

import inspect
from typing import Mapping, Sequence

import pandas as pd

from ...data.units import to_si
from .simulate import simulate_network

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

_SI = {"delay": "s", "delay_jitter": "s", "b": "A"}
_DISPLAY_UNITS = {"delay": ("ms", 1e3), "delay_jitter": ("ms", 1e3), "b": ("pA", 1e12)}
METRICS = (("persistence", "activity after kick (s)"), ("cv_isi", "mean ISI CV"),
           ("synchrony", "synchrony chi"), ("mean_rate", "rate after kick (Hz)"))
"""The summaries a sweep reports, with their axis labels."""


def display_value(factor: str, value) -> float:
    """A factor's value (SI) in the unit figures and tables show it in (ms, pA)."""
    unit, scale = _DISPLAY_UNITS.get(factor, ("", 1.0))
    return float(value) * scale


def factor_label(factor: str) -> str:
    """A factor's name with its display unit, e.g. "delay (ms)"."""
    unit = _DISPLAY_UNITS.get(factor, ("", 1.0))[0]
    return f"{factor} ({unit})" if unit else factor


def sweep(factors: Mapping[str, Sequence] | Sequence[str] | None = None, *, n: int = 500,
          duration=2.0, seeds: Sequence[int] = (0, 1, 2), codegen_target: str | None = None,
          progress: bool = False, **baseline) -> pd.DataFrame:
    """Simulate the network once per factor value and seed; one row per run.

    Parameters
    ----------
    factors : mapping factor -> values, sequence of factor names, or None
        Which arguments of ``simulate_network`` to vary, one at a time; names alone take their
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
        Further ``simulate_network`` arguments held fixed (e.g. ``b=5e-12``).

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
    allowed = set(SWEEP_FACTORS) | {"b", "lts_fraction"}
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
                    cache[key] = simulate_network(seed=seed, **kwargs).summary()
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
    bound = inspect.signature(simulate_network).bind(**kwargs)
    bound.apply_defaults()
    return tuple((k, repr(v)) for k, v in sorted(bound.arguments.items()))


def summarise_sweep(table: pd.DataFrame) -> pd.DataFrame:
    """Per factor and value: mean of each summary over seeds, and the fraction sustained."""
    metrics = [m for m, _ in METRICS]
    grouped = table.groupby(["factor", "value"], sort=False)
    out = grouped[metrics].mean()
    out["sustained_fraction"] = grouped["sustained"].mean()
    out["runs"] = grouped.size()
    return out.reset_index()
