"""``spikefit simulate MODEL``: simulate one model under a current step and print its spikes."""
from __future__ import annotations

import numpy as np

from ..data.units import parse_quantity, to_display
from .options import parse_values


def add_command(subparsers) -> None:
    """Add ``simulate`` to the ``spikefit`` parser's subparsers."""
    sim = subparsers.add_parser("simulate", help="simulate a model under a current step")
    sim.add_argument("model", help="lif, izhikevich, adex, hh, hh_rs or hh_fs")
    sim.add_argument("--preset", help="a published parameter set (listed by spikefit models)")
    sim.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter, in SI or with a unit: C=200pF, V_th=-50mV")
    sim.add_argument("--step", help="step amplitude, e.g. 0.5nA (default 0.5 nA, or the preset's)")
    sim.add_argument("--start", default="0.1", help="step onset (default 0.1 s)")
    sim.add_argument("--stop", default="0.9", help="step offset (default 0.9 s)")
    sim.add_argument("--duration", default="1.0", help="trace duration (default 1 s)")
    sim.add_argument("--dt", default="0.1ms", help="sampling interval (default 0.1 ms)")
    sim.add_argument("--backend", default="numba", choices=["numba", "brian2"])
    sim.add_argument("--plot", metavar="FILE.png", help="save voltage and current to a figure")
    sim.set_defaults(run=run)


def run(args) -> int:
    """Simulate and print the parameters and spikes; 0 on success."""
    import spikefit

    model = spikefit.get_model(args.model, backend=args.backend)
    params = model.preset(args.preset) if args.preset else model.defaults()
    params.update(parse_values(model, args.param))
    amplitude = parse_quantity(args.step, "A", "--step") if args.step else _default_amplitude(args.preset)
    stimulus = spikefit.step(
        amplitude,
        parse_quantity(args.start, "s", "--start"),
        parse_quantity(args.stop, "s", "--stop"),
        parse_quantity(args.duration, "s", "--duration"),
        dt=parse_quantity(args.dt, "s", "--dt"),
    )
    trace = model.simulate(params, stimulus)
    print_trace(model, params, stimulus, trace)
    if args.plot:
        from ..reports.figures import plot_trace

        plot_trace(trace, args.plot, title=f"{model.name}" + (f" ({args.preset})" if args.preset else ""))
        print(f"plot written to {args.plot}")
    return 0


def _default_amplitude(preset: str | None) -> float:
    from ..models.presets import NAUD_STEP_CURRENTS

    return NAUD_STEP_CURRENTS.get(preset, 0.5e-9)


def print_trace(model, params, stimulus, trace) -> None:
    """The parameters in display units, the step, the spike count, rate and times."""
    print(f"model {model.name} ({model.backend})")
    for spec in model.parameters:
        value, unit = to_display(params[spec.name], spec.unit)
        print(f"  {spec.name:<12} {value:>10.5g} {unit}")
    print(f"step {stimulus.metadata['amplitude'] * 1e12:.1f} pA from {stimulus.start * 1e3:g} to "
          f"{stimulus.stop * 1e3:g} ms of {stimulus.duration * 1e3:g} ms")
    spikes_ms = np.round(trace.spike_times * 1e3, 3)
    print(f"{spikes_ms.size} spikes; firing rate in the step {trace.firing_rate:.2f} Hz")
    print("spike times (ms): " + (" ".join(f"{t:g}" for t in spikes_ms) if spikes_ms.size else "none"))
