"""Held-out Gamma against wall time: fits started from the estimate against the blind search.

Same data and seeds for both. Targets: AdEx and Izhikevich presets simulated on 10 s of OU
noise current (voltage and current), and the HH reference's noise sweep
(``spikefit.data.resolve("hh")``); each fitted with objective "spikes" and scored on another
noise current none of the fits saw (Gamma, 4 ms; for HH, the reference model simulated on it).

    PYTHONPATH=. /work/venv/bin/python benchmarks/estimate_start.py [--trials 1000] [--seeds 0 1 2]
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import spikefit
from spikefit.data import ou_noise, resolve
from spikefit.features.metrics import gamma_factor
from spikefit.fitting import fit

DT = 1e-4
CASES = [("adex", "naud_adapting"), ("adex", "brette_gerstner_2005"), ("izhikevich", "rs_2007"),
         ("hh", None)]
FREE = {"adex": ("C", "g_L", "E_L", "V_T", "Delta_T", "tau_w", "a", "b", "V_reset"),
        "izhikevich": ("C", "k", "v_r", "v_t", "a", "b", "c", "d")}


def noise(mean, seed, duration=10.0):
    return ou_noise(mean, 0.5 * mean, 5e-3, 0.0, duration, duration, dt=DT, seed=seed)


def targets(name, preset):
    """(training recording, held-out stimulus, held-out spike times)."""
    if name == "hh":
        ref = resolve("hh")
        train = spikefit.data.Recording((ref[-1],), ref.metadata)
        current = float(np.mean(ref[-1].current))
        held = noise(current, seed=101, duration=ref[-1].time[-1])
        return train, held, spikefit.get_model("hh").simulate(None, held).spike_times
    model = spikefit.get_model(name)
    truth = {**model.defaults(), **model.preset(preset)}
    rheo = next(a for a in np.geomspace(1e-12, 5e-9, 120)
                if model.simulate(truth, spikefit.data.step(a, 0.1, 0.9, 1.0, dt=DT)).spike_times.size)
    train = model.simulate(truth, [noise(1.2 * rheo, seed=1)], dt=DT / 10)
    held = noise(1.2 * rheo, seed=2)
    return train, held, model.simulate(truth, held, dt=DT / 10).spike_times


def run(model_name, train, held, held_spikes, init, seed, trials):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit(model_name, train, objective="spikes", n_trials=trials, seed=seed, init=init,
                     search=FREE[model_name], progress=False)
    wall = time.perf_counter() - t0
    spikes = result.simulate(held).spike_times
    return gamma_factor(model=spikes, data=held_spikes, duration=held.duration), wall, result.init


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    print(f"{'target':32s} {'model':10s} seed  gamma(est) gamma(blind)  wall(est) wall(blind)")
    for name, preset in CASES:
        train, held, held_spikes = targets(name, preset)
        fitted = ("adex", "izhikevich") if name == "hh" else (name,)
        for model_name in fitted:
            ratios = []
            for seed in args.seeds:
                g_e, w_e, how = run(model_name, train, held, held_spikes, "estimate", seed, args.trials)
                g_b, w_b, _ = run(model_name, train, held, held_spikes, None, seed, args.trials)
                ratios.append((g_e / g_b if g_b > 0 else np.nan, w_e / w_b))
                print(f"{name + ':' + str(preset):32s} {model_name:10s} {seed:4d} {g_e:10.3f} {g_b:12.3f} "
                      f"{w_e:9.1f}s {w_b:10.1f}s  ({how})")
            r = np.nanmean(np.array(ratios), axis=0)
            print(f"{'':32s} {model_name:10s} mean ratios: gamma {r[0]:.2f}, wall {r[1]:.2f}")


if __name__ == "__main__":
    main()
