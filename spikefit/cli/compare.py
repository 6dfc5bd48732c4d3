"""``spikefit compare``: fit several models to the same cells, score them on held-out sweeps,
and write the report (index.html, report.md, scores.csv, results.json and figures).

With no arguments it compares LIF, Izhikevich and AdEx on the suite of cells shipped with
spikefit (``DEFAULT_CELLS``: six Hodgkin-Huxley references and six real cells), and writes the
report to ./spikefit-report.
"""
from __future__ import annotations

import os
import sys
import time

from ..data.load_options import STIMULUS_MODES
from ..data.sources import DEFAULT_STIMULUS
from ..reports.comparison import DEFAULT_CELLS, DEFAULT_MODELS, DEFAULT_TRIALS
from ..reports.splits import SPLITS
from .options import parse_objective_arg

DEFAULT_OUT = "spikefit-report"


def add_command(subparsers) -> None:
    """Add ``compare`` to the ``spikefit`` parser's subparsers."""
    compare = subparsers.add_parser("compare", help="compare models on held-out sweeps and write a report",
                                    description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    compare.add_argument("--target", action="append", default=[], metavar="CELL",
                         help=f"a built-in reference, a shipped sample or a recording file (repeat; default "
                              f"{', '.join(DEFAULT_CELLS)})")
    compare.add_argument("--models", default=",".join(DEFAULT_MODELS),
                         help=f"comma-separated model names (default {','.join(DEFAULT_MODELS)})")
    compare.add_argument("--trials", type=int, default=DEFAULT_TRIALS,
                         help=f"completed trials per fit (default {DEFAULT_TRIALS})")
    compare.add_argument("--seed", type=int, default=0, help="seed of every fit (default 0)")
    compare.add_argument("--objective", default="features", help="the fits' objective, as for spikefit fit")
    compare.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                         help=f"fits run in parallel processes (a Dask local cluster), one at a time each (default: the CPUs, "
                              f"{os.cpu_count() or 1} here)")
    compare.add_argument("--scheduler", metavar="ADDRESS",
                         help="run the fits on this Dask scheduler (tcp://host:8786; see the README) instead of "
                              "--workers local processes")
    compare.add_argument("--storage", help="keep every fit as a resumable study here (sqlite:///..., postgresql://...)")
    compare.add_argument("--stimulus", choices=STIMULUS_MODES,
                         help=f"current of recorded cells (default {DEFAULT_STIMULUS}: steps rebuilt without amplifier "
                              f"noise, as every command, and a Recording spikefit wrote as written)")
    compare.add_argument("--split", choices=SPLITS,
                         help="how every cell is divided into training and held-out data (default: level for a step "
                              "family, time for a repeated stimulus without steps; the report says which and why)")
    compare.add_argument("--independent", action="store_true",
                         help="fit every model on its own, all at once (default: LIF first, its fit a start candidate "
                              "of the AdEx fit of the same cell)")
    compare.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"report folder (default {DEFAULT_OUT})")
    compare.add_argument("--force", action="store_true", help="write into an output folder that holds files")
    compare.set_defaults(run=run)


def run(args) -> int:
    """Compare, print the headline and the scores, write the report; 0 on success."""
    from ..data import resolve
    from ..reports.comparison import compare_models
    from ..reports.writer import check_directory

    check_directory(args.out, args.force, override="--force")  # before a minute of fitting, not after
    started = time.perf_counter()
    cells = [resolve(source, stimulus=args.stimulus) for source in (args.target or DEFAULT_CELLS)]
    comparison = compare_models(args.models, cells, split=args.split, objective=parse_objective_arg(args.objective),
                                n_trials=args.trials, seed=args.seed, workers=args.workers, storage=args.storage,
                                scheduler=args.scheduler, nested=not args.independent)
    print_comparison(comparison)
    paths = comparison.write(args.out, force=args.force)
    print(f"wrote {len(paths)} files to {args.out}/ (open {args.out}/index.html) in "
          f"{time.perf_counter() - started:.0f} s")
    return 1 if comparison.failed else 0


def print_comparison(comparison) -> None:
    """Headline sentences, held-out scores per cell and model, and failed fits."""
    for line in comparison.headline():
        print(line)
    table = comparison.table
    metrics = ["gamma_normalized", "md_star", "feature_z", "gamma", "objective", "fi_error"]
    heldout = table[(table["split"] == "test") & table["metric"].isin(metrics)]
    if not heldout.empty:
        wide = heldout.pivot_table(index=["cell", "model"], columns="metric", values="value", dropna=False)
        wide = wide[[m for m in metrics if m in wide.columns]]
        print("\nheld-out scores (gamma_normalized, md_star, gamma: higher is better; feature_z, objective, "
              "fi_error (Hz): lower is better)")
        print(wide.to_string(float_format=lambda x: f"{x:.3g}"))
    for (cell, model), failure in comparison.failed.items():
        print(f"fit of {model} to {cell} failed: {failure.error}", file=sys.stderr)
