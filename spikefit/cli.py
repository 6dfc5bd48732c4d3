"""The ``spikefit`` command."""
from __future__ import annotations

import argparse
import re
import sys

import numpy as np

from .data.units import to_display

# SI prefixes accepted in command-line quantities such as "0.5nA" or "-55mV".
_PREFIXES = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6}
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Zµ/0-9]*)\s*$")


def parse_quantity(text: str, unit: str, name: str) -> float:
    """A number with an optional SI-prefixed unit ("0.5nA", "-55 mV", "2e-3") as SI float.

    A bare number is taken to be in SI units already. The unit must be ``unit``.
    """
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"{name} must be a number with an optional unit such as 0.5n{unit}, got {text!r}")
    value, suffix = float(match.group(1)), match.group(2)
    if not suffix or suffix == unit:
        return value
    prefix, base = suffix[:-len(unit)], suffix[-len(unit):]
    if base != unit or prefix not in _PREFIXES:
        raise ValueError(f"{name} must be in {unit} (with an SI prefix such as m, u, n, p), got {text!r}")
    return value * _PREFIXES[prefix]


def _parse_params(model, assignments: list[str]) -> dict[str, float]:
    params = {}
    for item in assignments:
        if "=" not in item:
            raise ValueError(f"--param must look like NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        spec = model.parameter(name.strip())
        params[spec.name] = parse_quantity(value, spec.unit, spec.name)
    return params


def _default_amplitude(preset: str | None) -> float:
    from .models.presets import NAUD_STEP_CURRENTS

    return NAUD_STEP_CURRENTS.get(preset, 0.5e-9)


def cmd_simulate(args) -> int:
    """Simulate one model under a current step and print its spikes."""
    import spikefit

    model = spikefit.get_model(args.model, backend=args.backend)
    params = model.preset(args.preset) if args.preset else model.defaults()
    params.update(_parse_params(model, args.param))
    amplitude = parse_quantity(args.step, "A", "--step") if args.step else _default_amplitude(args.preset)
    stimulus = spikefit.step(
        amplitude,
        parse_quantity(args.start, "s", "--start"),
        parse_quantity(args.stop, "s", "--stop"),
        parse_quantity(args.duration, "s", "--duration"),
        dt=parse_quantity(args.dt, "s", "--dt"),
    )
    trace = model.simulate(params, stimulus)
    _print_trace(model, params, stimulus, trace)
    if args.plot:
        from .reports.figures import plot_trace

        plot_trace(trace, args.plot, title=f"{model.name}" + (f" ({args.preset})" if args.preset else ""))
        print(f"plot written to {args.plot}")
    return 0


def _print_trace(model, params, stimulus, trace) -> None:
    print(f"model {model.name} ({model.backend})")
    for spec in model.parameters:
        value, unit = to_display(params[spec.name], spec.unit)
        print(f"  {spec.name:<12} {value:>10.5g} {unit}")
    print(f"step {stimulus.metadata['amplitude'] * 1e12:.1f} pA from {stimulus.start * 1e3:g} to "
          f"{stimulus.stop * 1e3:g} ms of {stimulus.duration * 1e3:g} ms")
    spikes_ms = np.round(trace.spike_times * 1e3, 3)
    print(f"{spikes_ms.size} spikes; firing rate in the step {trace.firing_rate:.2f} Hz")
    print("spike times (ms): " + (" ".join(f"{t:g}" for t in spikes_ms) if spikes_ms.size else "none"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spikefit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="simulate a model under a current step")
    sim.add_argument("model", help="lif, izhikevich, adex, hh, hh_rs or hh_fs")
    sim.add_argument("--preset", help="a published parameter set (see --list-presets)")
    sim.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter, in SI or with a unit: C=200pF, V_th=-50mV")
    sim.add_argument("--step", help="step amplitude, e.g. 0.5nA (default 0.5 nA, or the preset's)")
    sim.add_argument("--start", default="0.1", help="step onset (default 0.1 s)")
    sim.add_argument("--stop", default="0.9", help="step offset (default 0.9 s)")
    sim.add_argument("--duration", default="1.0", help="trace duration (default 1 s)")
    sim.add_argument("--dt", default="0.1ms", help="sampling interval (default 0.1 ms)")
    sim.add_argument("--backend", default="numba", choices=["numba", "brian2"])
    sim.add_argument("--plot", metavar="FILE.png", help="save voltage and current to a figure")
    sim.set_defaults(run=cmd_simulate)
    models = sub.add_parser("models", help="list models, their parameters and presets")
    models.set_defaults(run=cmd_models)
    from .data.inspect import add_inspect_command
    from .fitting.features_cli import add_features_command
    from .fitting.fit_cli import add_fit_commands
    from .reports.compare_cli import add_compare_command

    add_inspect_command(sub)
    add_features_command(sub)
    add_fit_commands(sub)
    add_compare_command(sub)
    return parser


def cmd_models(args) -> int:
    """List every model with its parameters and presets."""
    import spikefit

    for name in spikefit.available_models():
        model = spikefit.get_model(name)
        print(f"{name}: {type(model).__doc__.splitlines()[0]}")
        for p in model.parameters:
            (default, unit), (low, _), (high, _) = (to_display(x, p.unit) for x in (p.default, p.low, p.high))
            print(f"  {p.name:<12} {default:>9.4g} {unit:<7} [{low:.3g}, {high:.3g}]  {p.doc}")
        if model.presets:
            print("  presets: " + ", ".join(model.presets))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as error:
        print(f"spikefit: error: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:  # SimulationDiverged
        print(f"spikefit: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
