"""The report of a Destexhe 2009 sweep: ``report.md`` with tables and figures, and the table."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .figures import plot_raster, plot_sweep
from .network import NetworkResult
from .sweeps import display_value, factor_label, summarise_sweep


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
             f"(b_RS = {first['b'] * 1e12:g} pA).", "",
             "Persistence: seconds the network stays active after the kick ends (the whole remaining "
             "run if it still fires in the last 50 ms). CV: mean ISI coefficient of variation after "
             "the kick (about 1 for Poisson-like firing). chi: Golomb's synchrony of 5 ms spike counts "
             "(1 fully synchronous, about 1/sqrt(N) for independent cells).", "",
             "![sweep](sweep.png)", ""]
    for factor in dict.fromkeys(means["factor"]):
        part = means[means["factor"] == factor]
        lines += [f"## {factor_label(factor)}", "",
                  "| value | sustained (fraction of seeds) | persistence (s) | CV | chi | rate (Hz) |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for _, r in part.iterrows():
            lines.append(f"| {display_value(factor, r['value']):g} | {r['sustained_fraction']:.2f} | "
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
    return (f"Longest persistence at {display_value(factor, best):g}, shortest at {display_value(factor, worst):g} "
            f"({persist.min():.2f} to {persist.max():.2f} s).")
