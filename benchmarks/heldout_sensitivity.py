"""How far a preset's held-out Gamma falls when one parameter moves off its true value.

For ``recover``'s held-out current (``recovery.heldout_stimulus``), the true model's spikes
against those of the same model with one parameter moved by each fraction, the others true.
A preset whose Gamma falls below 0.95 for moves well inside ``recovery.TOLERANCE`` asks a
fit for more digits than the protocol gives (benchmarks/RESULTS.md, "Recovery: the polish
runs from the start too").

    PYTHONPATH=. /work/venv/bin/python benchmarks/heldout_sensitivity.py izhikevich resonator_2004
        [--fractions -0.005 -0.002 0.002 0.005]
"""
from __future__ import annotations

import argparse

import spikefit
from spikefit.features.metrics import GammaUndefined, gamma_factor
from spikefit.fitting import recovery as R


def moved_gamma(model, truth: dict, name: str, fraction: float, heldout, reference) -> str:
    """Gamma and spike count with ``name`` moved by ``fraction`` of its value, or why none."""
    params = {**truth, name: truth[name] * (1 + fraction)}
    try:
        spikes = model.simulate(params, [heldout])[0].spike_times
    except ValueError as error:  # the move breaks a rule (v_r <= v_t at the bifurcation)
        return f"breaks {str(error).split(' must')[0]}"
    try:
        gamma = gamma_factor(model=spikes, data=reference, duration=heldout.duration)
    except GammaUndefined:
        return f"undefined/{len(spikes)}"
    return f"{gamma:.3f}/{len(spikes)}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("preset")
    parser.add_argument("--fractions", nargs="+", type=float, default=[-0.005, -0.002, 0.002, 0.005])
    args = parser.parse_args()
    model = spikefit.get_model(args.model)
    truth = model.preset(args.preset)
    heldout = R.heldout_stimulus(model, truth)
    reference = model.simulate(truth, [heldout])[0].spike_times
    print(f"{args.model} {args.preset}: {len(reference)} held-out spikes; Gamma/spikes with one "
          f"parameter moved by {', '.join(f'{f:+.1%}' for f in args.fractions)}")
    for name in truth:
        if truth[name] == 0:
            continue  # no scale of its own to move by
        cells = [moved_gamma(model, truth, name, f, heldout, reference) for f in args.fractions]
        print(f"  {name:8s} " + "  ".join(f"{c:>16s}" for c in cells))


if __name__ == "__main__":
    main()
