"""``spikefit fit MODEL SOURCE``: fit a model from a shell.

``spikefit fit MODEL SOURCE`` fits MODEL to SOURCE (``spikefit.data.resolve``): a recording
file or folder that ``spikefit.load`` reads, a shipped sample (``spikefit.data.samples.names()``),
or a built-in reference (``hh``, ``hh_rs``, ``hh_fs``: its steps and its noise sweep).
``--param NAME=VALUE`` pins a parameter to a value, ``--search NAME[=LOW:HIGH]`` searches it
(within its spec's bounds, or those given, units allowed: ``C=50pF:500pF``); without
``--search`` every parameter not pinned is searched. With ``--out DIR`` it writes
``best_params.json`` (values with units), ``trials.csv`` and ``fit.png`` (target against fit,
sweep by sweep).
"""
from __future__ import annotations

import json
import signal
from contextlib import contextmanager
from pathlib import Path

from ..data import resolve
from ..data.load_options import STIMULUS_MODES
from ..data.sources import DEFAULT_STIMULUS
from .options import parse_objective_arg, parse_search, parse_values


def add_command(subparsers) -> None:
    """Add ``fit`` to the ``spikefit`` parser's subparsers."""
    from ..fitting.objectives import OBJECTIVES
    from ..fitting.studies import GRACE_FACTOR, HEARTBEAT

    fit = subparsers.add_parser("fit", help="fit a model to a recording, a sample or a simulated reference",
                                description=__doc__.split("\n\n")[1])
    fit.add_argument("model", help="lif, izhikevich or adex (or another model name)")
    fit.add_argument("target", metavar="SOURCE",
                     help="a recording file or folder, a shipped sample, or hh, hh_rs, hh_fs")
    fit.add_argument("--objective", default="features",
                     help=f"one of {', '.join(OBJECTIVES)} or multi; NAME=W,NAME=W for a weighted sum "
                          f"(default: features)")
    fit.add_argument("--trials", type=int, default=500, help="completed trials (default 500)")
    fit.add_argument("--seed", type=int, default=None)
    fit.add_argument("--sampler", default=None, help="cmaes (default), tpe, random, nsga2, gp, optuna-cmaes")
    fit.add_argument("--search", action="append", default=[], metavar="NAME[=LOW:HIGH]",
                     help="search this parameter (repeat), within its spec's bounds or LOW:HIGH (SI or with a "
                          "unit: C=50pF:500pF); by default every parameter not set by --param")
    fit.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="pin a parameter to a value, in SI or with a unit: V_reset=-65mV (repeat)")
    fit.add_argument("--storage", help="sqlite:///fit.db, another RDB URL, or a journal file path")
    fit.add_argument("--study", help="study name in --storage")
    fit.add_argument("--resume", action="store_true",
                     help="resume the study if it exists, or join the workers fitting it (start every worker so)")
    fit.add_argument("--heartbeat", type=int, default=HEARTBEAT, metavar="SECONDS",
                     help=f"seconds between heartbeats of running trials in an RDB storage; a trial silent for "
                          f"{GRACE_FACTOR} heartbeats is retried by another worker (default {HEARTBEAT})")
    fit.add_argument("--stimulus", choices=STIMULUS_MODES,
                     help=f"current of a recording (as spikefit.load: recorded, smoothed, or the ideal step rebuilt "
                          f"without amplifier noise; default {DEFAULT_STIMULUS}, as every command, and a Recording "
                          f"spikefit wrote as written)")
    fit.add_argument("--no-refine", action="store_true", help="skip the local polish of the best trial")
    fit.add_argument("--blind", action="store_true",
                     help="search blind from the centre of the bounds (default: start from the estimate from the "
                          "voltage trace and its current, raced against the blind search)")
    fit.add_argument("--out", metavar="DIR", help="write best_params.json, trials.csv and fit.png here")
    fit.set_defaults(run=run)


def run(args) -> int:
    """Fit and report; 0 on success."""
    import spikefit

    if args.resume and not (args.storage and args.study):
        raise ValueError("--resume needs --storage URL and --study NAME")
    model = spikefit.get_model(args.model)
    target = resolve(args.target, stimulus=args.stimulus)
    with _sigterm_exits():
        result = spikefit.fit(model, target, objective=parse_objective_arg(args.objective), n_trials=args.trials,
                              seed=args.seed, search=parse_search(model, args.search),
                              fixed=parse_values(model, args.param) or None, sampler=args.sampler,
                              storage=args.storage, study_name=args.study, refine=not args.no_refine,
                              load_if_exists=args.resume, heartbeat=args.heartbeat,
                              init=None if args.blind else "estimate")
    print_fit(result)
    if args.out:
        for path in write_fit(result, args.out):
            print(f"wrote {path}")
    return 0


@contextmanager
def _sigterm_exits():
    """SIGTERM (a scheduler stopping a worker) exits like Ctrl-C: the fit queues its batch again."""
    def stop(signum, frame):
        raise SystemExit(128 + signum)

    try:
        before = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def print_fit(result) -> None:
    """Best parameters, score, failures and timings."""
    print(f"fit {result.model.name}: score {_score_text(result.score)} (objective {', '.join(result.objective.describe())}), "
          f"best trial {result.best_trial}{', refined' if result.refined else ''}")
    print(f"start: {result.init} ({result.init_reason})")
    print(result.summary().to_string(index=False, float_format=lambda x: f"{x:.5g}"))
    f = result.failures
    print(f"failures: {f['infeasible']} infeasible proposals, {f['diverged']} diverged trials, "
          f"{f['missing_features']} missing features, {f['retried']} trials retried after an interrupt or a lost worker")
    t = result.timings
    print(f"time {result.wall_time:.2f} s: ask {t['ask']:.2f}, tell {t['tell']:.2f}, simulate {t['simulate']:.2f}, "
          f"score {t['score']:.2f}, refine {t['refine']:.2f} s over {t['batches']} batches")


def write_fit(result, directory) -> list[Path]:
    """Write best_params.json (with units), trials.csv and fit.png to ``directory``."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    params = {p.name: {"value": result.params[p.name], "unit": p.unit, "searched": p.name in result.space.names}
              for p in result.model.parameters}
    doc = {"model": result.model.name, "score": result.score, "objective": result.objective.describe(),
           "best_trial": result.best_trial, "refined": result.refined, "failures": result.failures,
           "wall_time_s": result.wall_time, "params": params}
    (out / "best_params.json").write_text(json.dumps(doc, indent=2))
    result.trials.to_csv(out / "trials.csv", index=False)
    plot_fit(result, out / "fit.png")
    return [out / "best_params.json", out / "trials.csv", out / "fit.png"]


def plot_fit(result, path) -> None:
    """Target (black) against the fitted model (red), one panel per stimulus, mV against ms."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ..models import SimulationDiverged

    target = result.target
    n = len(target.stimuli)
    fig, axes = plt.subplots(n, 1, sharex=True, figsize=(8, 1.8 * n + 0.6), squeeze=False)
    for ax, stimulus, v in zip(axes[:, 0], target.stimuli, target.v):
        t_ms = stimulus.time * 1e3
        ax.plot(t_ms, v * 1e3, lw=0.7, color="k", label="target")
        try:
            ax.plot(t_ms, result.simulate(stimulus).v * 1e3, lw=0.7, color="C3", alpha=0.8, label="fit")
        except SimulationDiverged:
            ax.text(0.5, 0.5, "fit diverged", transform=ax.transAxes)
        ax.set_ylabel("V (mV)")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0, 0].legend(loc="upper right", frameon=False)
    axes[-1, 0].set_xlabel("time (ms)")
    axes[0, 0].set_title(f"{result.model.name} fit to {len(target.recording)} sweeps, score {_score_text(result.score)}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _score_text(score) -> str:
    return ", ".join(f"{v:.4g}" for v in score) if isinstance(score, tuple) else f"{score:.4g}"
