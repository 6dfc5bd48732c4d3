"""``spikefit models``: every model with its parameters (default and search bounds) and presets."""
from __future__ import annotations

from ..data.units import to_display


def add_command(subparsers) -> None:
    """Add ``models`` to the ``spikefit`` parser's subparsers."""
    models = subparsers.add_parser("models", help="list models, their parameters and presets")
    models.set_defaults(run=run)


def run(args) -> int:
    """List every model with its parameters and presets; 0."""
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
