"""``spikefit fit`` and ``spikefit recover``: fit a model from a shell, check what a protocol recovers.

``spikefit fit MODEL TARGET`` fits MODEL to TARGET: a recording file or folder that
``spikefit.load`` reads, a shipped sample (``spikefit.data.samples.names()``), or a
built-in reference (``hh``, ``hh_rs``, ``hh_fs``: its step sweeps; ``spikefit.models.references``).
With ``--out DIR`` it writes ``best_params.json`` (values with units), ``trials.csv`` and
``fit.png`` (target against fit, sweep by sweep).

``spikefit recover MODEL`` simulates MODEL with a preset (or its defaults) under the
rheobase protocol, fits it, and prints true against recovered values.
"""
from __future__ import annotations

import json
import signal
from contextlib import contextmanager
from pathlib import Path

from ..models.references import REFERENCES


def add_fit_commands(subparsers) -> None:
    """Add ``fit`` and ``recover`` to the ``spikefit`` parser's subparsers."""
    from .objectives import OBJECTIVES
    from .studies import GRACE_FACTOR, HEARTBEAT

    fit = subparsers.add_parser("fit", help="fit a model to a recording, a sample or a simulated reference",
                                description=__doc__.split("\n\n")[1])
    fit.add_argument("model", help="lif, izhikevich or adex (or another model name)")
    fit.add_argument("target", metavar="TARGET",
                     help="a recording file or folder, a shipped sample, or hh, hh_rs, hh_fs")
    fit.add_argument("--objective", default="features",
                     help=f"one of {', '.join(OBJECTIVES)} or multi; NAME=W,NAME=W for a weighted sum "
                          f"(default: features)")
    fit.add_argument("--trials", type=int, default=500, help="completed trials (default 500)")
    fit.add_argument("--seed", type=int, default=None)
    fit.add_argument("--sampler", default=None, help="cmaes (default), tpe, random, nsga2, gp, optuna-cmaes")
    fit.add_argument("--param", action="append", default=[], metavar="NAME",
                     help="search only these parameters (repeat); the others keep their defaults")
    fit.add_argument("--storage", help="sqlite:///fit.db, another RDB URL, or a journal file path")
    fit.add_argument("--study", help="study name in --storage")
    fit.add_argument("--resume", action="store_true",
                     help="resume the study if it exists, or join the workers fitting it (start every worker so)")
    fit.add_argument("--heartbeat", type=int, default=HEARTBEAT, metavar="SECONDS",
                     help=f"seconds between heartbeats of running trials in an RDB storage; a trial silent for "
                          f"{GRACE_FACTOR} heartbeats is retried by another worker (default {HEARTBEAT})")
    fit.add_argument("--stimulus", default="recorded", choices=["recorded", "smoothed", "ideal_step"],
                     help="current of a recording (as spikefit.load: recorded, smoothed, or the ideal step rebuilt "
                          "without amplifier noise; default recorded)")
    fit.add_argument("--no-refine", action="store_true", help="skip the local polish of the best trial")
    fit.add_argument("--out", metavar="DIR", help="write best_params.json, trials.csv and fit.png here")
    fit.set_defaults(run=cmd_fit)

    recover = subparsers.add_parser("recover", help="recover known parameters from a simulated protocol",
                                    description=__doc__.split("\n\n")[2])
    recover.add_argument("model", help="lif, izhikevich or adex")
    recover.add_argument("--preset", help="the true parameters: a preset of the model (default: its defaults)")
    recover.add_argument("--trials", type=int, default=2000, help="completed trials (default 2000)")
    recover.add_argument("--seed", type=int, default=0)
    recover.add_argument("--param", action="append", default=[], metavar="NAME",
                         help="recover only these parameters (repeat); the others are fixed at the truth")
    recover.add_argument("--objective", default="features", help="as for fit (default: features)")
    recover.set_defaults(run=cmd_recover)


def cmd_fit(args) -> int:
    """Fit and report; 0 on success."""
    import spikefit

    from .search import fit

    if args.resume and not (args.storage and args.study):
        raise ValueError("--resume needs --storage URL and --study NAME")
    model = spikefit.get_model(args.model)
    target = load_target(args.target, args.stimulus)
    with _sigterm_exits():
        result = fit(model, target, objective=parse_objective_arg(args.objective), n_trials=args.trials,
                     seed=args.seed, params=args.param or None, sampler=args.sampler, storage=args.storage,
                     study_name=args.study, refine=not args.no_refine, load_if_exists=args.resume,
                     heartbeat=args.heartbeat)
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


def cmd_recover(args) -> int:
    """Recover and print the table; 0 on success."""
    from .recovery import IDENTIFIABLE_SPREAD, format_table, recover

    result = recover(args.model, args.preset, n_trials=args.trials, seed=args.seed,
                     params=args.param or None, objective=parse_objective_arg(args.objective))
    fit = result.fit
    print(f"{args.model} ({args.preset or 'defaults'}), {len(result.protocol)} steps, {args.trials} trials, "
          f"seed {args.seed}: score {fit.score:.4g} in {fit.wall_time:.1f} s")
    print(format_table(result))
    print(f"Gamma on held-out noise: {result.heldout_gamma:.3f}")
    print(f"spread: interquartile range of the best 5 % of trials, as a fraction of the search range; "
          f"identifiable below {IDENTIFIABLE_SPREAD}")
    return 0


def parse_objective_arg(text: str):
    """``features``, ``multi``, ``features=1,trace=0.1`` (a weighted sum) or ``firing;spikes`` (several)."""
    if ";" in text:
        return [parse_objective_arg(part) for part in text.split(";") if part.strip()]
    if "=" not in text:
        return text.strip()
    weights = {}
    for item in text.split(","):
        name, _, weight = item.partition("=")
        try:
            weights[name.strip()] = float(weight)
        except ValueError:
            raise ValueError(f"--objective weights must be numbers, got {item!r}") from None
    return weights


def load_target(source: str, stimulus: str = "recorded"):
    """A Recording from a file or a sample (read with ``stimulus``, as ``spikefit.load``), or a
    built-in reference (its step sweeps)."""
    from spikefit.data import samples

    from ..models.references import is_noise, reference

    if source in REFERENCES:
        recording = reference(source)
        return type(recording)([s for s in recording if not is_noise(s)], recording.metadata)
    return samples.load_path_or_sample(source, stimulus=stimulus)


def print_fit(result) -> None:
    """Best parameters, score, failures and timings."""
    print(f"fit {result.model.name}: score {_score_text(result.score)} (objective {', '.join(result.objective.describe())}), "
          f"best trial {result.best_trial}{', refined' if result.refined else ''}")
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
