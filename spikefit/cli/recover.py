"""``spikefit recover MODEL``: check what a protocol recovers.

``spikefit recover MODEL`` simulates MODEL with a preset (or its defaults, with ``--param
NAME=VALUE`` set) under the rheobase steps plus one noise sweep, fits it from its estimate,
and prints true against recovered values and what the protocol does not determine.
``--search NAME[=LOW:HIGH]`` recovers only these parameters; the others are fixed at the
truth.
"""
from __future__ import annotations

from ..fitting.recovery import DEFAULT_OBJECTIVE, DEFAULT_TRIALS  # no Optuna: cheap to import
from .options import parse_objective_arg, parse_search, parse_values


def add_command(subparsers) -> None:
    """Add ``recover`` to the ``spikefit`` parser's subparsers."""
    recover = subparsers.add_parser("recover", help="recover known parameters from a simulated protocol",
                                    description=__doc__.split("\n\n")[1])
    recover.add_argument("model", help="lif, izhikevich or adex")
    recover.add_argument("--preset", help="the true parameters: a preset of the model (default: its defaults)")
    recover.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                         help="a true value, in SI or with a unit: C=150pF (repeat; over the preset's)")
    recover.add_argument("--trials", type=int, default=DEFAULT_TRIALS,
                         help=f"completed trials (default {DEFAULT_TRIALS})")
    recover.add_argument("--seed", type=int, default=0)
    recover.add_argument("--search", action="append", default=[], metavar="NAME[=LOW:HIGH]",
                         help="recover only these parameters (repeat), within their spec's bounds or LOW:HIGH; "
                              "the others are fixed at the truth")
    recover.add_argument("--objective", help="as for fit (default: "
                         + ",".join(f"{k}={v:g}" for k, v in DEFAULT_OBJECTIVE.items()) + ")")
    recover.set_defaults(run=run)


def run(args) -> int:
    """Recover and print the table; 0 on success."""
    import spikefit

    from ..fitting.recovery import IDENTIFIABLE_SPREAD, format_table, recover

    model = spikefit.get_model(args.model)
    truth = {**(model.preset(args.preset) if args.preset else model.defaults()), **parse_values(model, args.param)}
    result = recover(model, truth, n_trials=args.trials, seed=args.seed, search=parse_search(model, args.search),
                     objective=parse_objective_arg(args.objective) if args.objective else DEFAULT_OBJECTIVE)
    fit = result.fit
    print(f"{args.model} ({args.preset or 'defaults'}), {len(result.protocol)} sweeps, {args.trials} trials, "
          f"seed {args.seed}: score {fit.score:.4g} in {fit.wall_time:.1f} s")
    print(format_table(result))
    print(f"Gamma on held-out noise: {result.heldout_gamma:.3f}")
    print(f"spread: interquartile range of the best 5 % of trials, as a fraction of the search range; "
          f"identifiable below {IDENTIFIABLE_SPREAD} unless the estimate says otherwise")
    return 0
