"""Held-out Gamma against wall time during a fit: started from the estimate against the blind search.

Same data and seeds for both. Targets: 10 s of Ornstein-Uhlenbeck noise current (voltage and
current), simulated at 10 us from LIF (defaults), Izhikevich rs_2007, AdEx brette_gerstner_2005
and naud_adapting at 1.2 rheobase mean (sd 0.6 rheobase, tau 5 ms), and from the HH references
``hh`` and ``hh_rs`` under the noise of their references' noise sweep (mean 1.5, sd 1.0 rheobase;
the shipped references hold 1 s of it, so model ``hh``/``hh_rs`` is simulated on 10 s). Each is
fitted with ``fit(..., objective="spikes")`` (the defaults otherwise; refine on) and scored on
another 10 s noise current none of the fits saw (Gamma, 4 ms).

The curve: the best-so-far parameters after each CMA-ES generation (the study's trials, each
generation's time its last trial's completion), scored on the held-out noise after the run,
then the polished result at the end of the fit. The estimate (``fitting.estimate``, the same
for every seed) is computed once per target and model; its time is added to the start of the
estimate-started curves and shown on its own.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /work/venv/bin/python benchmarks/estimate_start.py \\
        [--trials 1000] [--seeds 0 1 2] [--out benchmarks/estimate_start.json]
    PYTHONPATH=. /work/venv/bin/python benchmarks/estimate_start.py --plot benchmarks/estimate_start.json
"""
from __future__ import annotations

import argparse
import datetime
import json
import time
import warnings

import numpy as np

import spikefit
from spikefit.data import ou_noise
from spikefit.features.metrics import batch_gamma
from spikefit.fitting import estimate, fit
from spikefit.models.references import RHEOBASE

DT, DURATION, DELTA = 1e-4, 10.0, 4e-3
TOLERANCE = 0.02
"""A fit has reached its final held-out Gamma once it is within this of it."""

CASES = [("lif", None, ("lif",)), ("izhikevich", "rs_2007", ("izhikevich",)),
         ("adex", "brette_gerstner_2005", ("adex",)), ("adex", "naud_adapting", ("adex",)),
         ("hh", None, ("izhikevich", "adex")), ("hh_rs", None, ("izhikevich", "adex"))]
FREE = {"lif": ("C", "g_L", "E_L", "V_th", "V_reset"),
        "adex": ("C", "g_L", "E_L", "V_T", "Delta_T", "tau_w", "a", "b", "V_reset"),
        "izhikevich": ("C", "k", "v_r", "v_t", "a", "b", "c", "d")}


def rheobase(model, truth) -> float:
    """A: the smallest 0.8 s step (on a log grid) that makes the model spike."""
    return next(a for a in np.geomspace(1e-12, 5e-9, 120)
                if model.simulate(truth, spikefit.data.step(a, 0.1, 0.9, 1.0, dt=DT)).spike_times.size)


def targets(name, preset):
    """(training recording, held-out stimulus, held-out spike times, true parameters or None)."""
    model = spikefit.get_model(name)
    if name.startswith("hh"):
        base, mean, sd, dt_sim, truth = RHEOBASE[name], 1.5, 1.0, None, None
    else:
        truth = model.preset(preset) if preset else model.defaults()
        base, mean, sd, dt_sim = rheobase(model, truth), 1.2, 0.6, DT / 10
    train, held = (ou_noise(mean * base, sd * base, 5e-3, 0.0, DURATION, DURATION, dt=DT, seed=s) for s in (1, 2))
    return (model.simulate(truth, [train], dt=dt_sim), held,
            model.simulate(truth, held, dt=dt_sim).spike_times, truth)


def timed_estimate(model_name, train):
    """The estimate, its wall and CPU time (s); None where the estimator refuses the target."""
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = estimate(model_name, train)
    except (ValueError, np.linalg.LinAlgError) as error:
        print(f"  {model_name}: no estimate ({error})")
        est = None
    return est, time.perf_counter() - t0, time.process_time() - c0


def curve(model_name, train, held, held_spikes, init, seed, trials):
    """Wall time (s), held-out Gamma and completed trials after each generation and at the end
    (after the polish), and the fit's timings (``FitResult.timings``, the process's CPU time, s)."""
    began = datetime.datetime.now()
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit(model_name, train, objective="spikes", n_trials=trials, seed=seed, init=init,
                     search=FREE[model_name], progress=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    times, sets, counts, best = [], [], [], np.inf
    done = [t for t in result.study.trials if t.state.name == "COMPLETE"]
    for number in sorted({t.system_attrs.get("spikefit:cma_generation") for t in done}, key=_generation):
        batch = [t for t in done if t.system_attrs.get("spikefit:cma_generation") == number]
        top = min(batch, key=lambda t: t.value)
        if top.value < best:
            best, params = top.value, {**result.params, **top.params}
        times.append(max(t.datetime_complete for t in batch))
        sets.append(params)
        counts.append(len(batch) + (counts[-1] if counts else 0))
    elapsed = [(t - began).total_seconds() for t in times] + [wall]
    sets.append(result.params)
    gammas = held_gamma(model_name, sets, held, held_spikes).tolist()
    return elapsed, gammas, counts + [len(done)], {**result.timings, "cpu": cpu}


def _generation(label) -> tuple:
    """Order of CMA-ES generations ("restart:generation"); the start (no label) first."""
    return (-1,) if label is None else tuple(int(x) for x in str(label).split(":"))


def held_gamma(model_name, sets, held, held_spikes) -> np.ndarray:
    """Held-out Gamma (4 ms) of each parameter set; -1 where undefined (too fast, diverged)."""
    model = spikefit.get_model(model_name)
    table = {p.name: np.array([s[p.name] for s in sets]) for p in model.parameters}
    result = model.simulate_batch(table, [held])
    gamma, _ = batch_gamma(model=result.spike_times[0], counts=result.spike_counts[:, 0], data=held_spikes,
                           delta=DELTA, duration=held.duration)
    return np.where(np.isfinite(gamma) & ~result.diverged[:, 0], gamma, -1.0)


def reached(elapsed, gammas, tolerance=TOLERANCE) -> float:
    """Wall time (s) from which the curve stays within ``tolerance`` of its final Gamma."""
    g = np.asarray(gammas)
    off = np.flatnonzero(np.abs(g - g[-1]) > tolerance)
    return elapsed[off[-1] + 1] if off.size else elapsed[0]


def run(args) -> list[dict]:
    rows = []
    for name, preset, fitted in CASES:
        if args.targets and name not in args.targets and f"{name}:{preset}" not in args.targets:
            continue
        train, held, held_spikes, truth = targets(name, preset)
        label = f"{name}:{preset}" if preset else name
        # What the fit can reach: the true values of the searched parameters, the others at their
        # defaults (as in the fit), simulated at 0.1 ms
        defaults = spikefit.get_model(name).defaults()
        ceiling = (held_gamma(name, [{**defaults, **{k: truth[k] for k in FREE[name]}}], held, held_spikes)[0]
                   if truth else float("nan"))
        print(f"{label}: {train[0].spike_times.size} training spikes, {held_spikes.size} held out, "
              f"ceiling {ceiling:.3f}", flush=True)
        for model_name in fitted:
            case = {"target": label, "model": model_name, "ceiling": ceiling}
            rows += fits(case, train, held, held_spikes, args)
    return rows


def fits(case: dict, train, held, held_spikes, args) -> list[dict]:
    """The rows of one target and model: from the estimate and blind, every seed."""
    model_name = case["model"]
    with warnings.catch_warnings():  # load the compiled kernels before any clock runs
        warnings.simplefilter("ignore")
        fit(model_name, train, objective="spikes", n_trials=2, search=FREE[model_name], progress=False, refine=2)
    est, est_time, est_cpu = timed_estimate(model_name, train)
    starts = (("estimate", est), ("blind", None)) if est is not None else (("blind", None),)
    rows = []
    for seed in args.seeds:
        for init, start in starts:
            elapsed, gammas, counts, timings = curve(model_name, train, held, held_spikes, start, seed, args.trials)
            offset, cpu = (est_time, est_cpu) if init == "estimate" else (0.0, 0.0)
            row = {**case, "seed": seed, "init": init, "estimate_s": offset, "estimate_cpu_s": cpu,
                   "elapsed": [offset + e for e in elapsed], "gamma": gammas, "trials": counts, "timings": timings}
            row["reached_s"] = reached(row["elapsed"], gammas)
            rows.append(row)
            print(f"  {model_name:10s} seed {seed} {init:8s} final Gamma {gammas[-1]:6.3f} (after the search "
                  f"{gammas[-2]:6.3f}), wall {row['elapsed'][-1]:6.1f} s (estimate {offset:5.1f} s), within "
                  f"{TOLERANCE} of final from {row['reached_s']:5.1f} s", flush=True)
    return rows


def table(rows) -> str:
    """Markdown table of medians over seeds per target, model and start."""
    head = ["target", "model", "start", "ceiling", "held-out Gamma", "worst seed", "before refine", "estimate",
            "fit", f"final (+-{TOLERANCE}) from", "of which fit", "CPU estimate + fit"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key in dict.fromkeys((r["target"], r["model"], r["init"]) for r in rows):
        sel = [r for r in rows if (r["target"], r["model"], r["init"]) == key]
        lines.append("| " + " | ".join(list(key) + _cells(sel)) + " |")
    return "\n".join(lines)


def _cells(sel) -> list[str]:
    def med(f):
        return float(np.median([f(r) for r in sel]))

    return [f"{sel[0]['ceiling']:.3f}", f"{med(lambda r: r['gamma'][-1]):.3f}",
            f"{min(r['gamma'][-1] for r in sel):.3f}",
            f"{med(lambda r: r['gamma'][-2]):.3f}", f"{med(lambda r: r['estimate_s']):.1f} s",
            f"{med(lambda r: r['elapsed'][-1] - r['estimate_s']):.1f} s", f"{med(lambda r: r['reached_s']):.1f} s",
            f"{med(lambda r: r['reached_s'] - r['estimate_s']):.1f} s",
            f"{med(lambda r: r.get('estimate_cpu_s', np.nan)):.1f} + "
            f"{med(lambda r: r['timings'].get('cpu', np.nan)):.1f} s"]


def plot(rows, path) -> None:
    """Held-out Gamma against wall time, one panel per target and model, a line per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(dict.fromkeys((r["target"], r["model"]) for r in rows))
    cols = 4
    fig, axes = plt.subplots(-(-len(panels) // cols), cols, figsize=(4 * cols, 3.2 * -(-len(panels) // cols)),
                             squeeze=False, sharey=True)
    for ax, (target, model) in zip(axes.flat, panels):
        for r in (r for r in rows if (r["target"], r["model"]) == (target, model)):
            colour = "tab:blue" if r["init"] == "estimate" else "tab:orange"
            ax.step(r["elapsed"], r["gamma"], where="post", color=colour, alpha=0.8,
                    label=r["init"] if r["seed"] == rows[0]["seed"] else None)
        ax.axvline(10, color="grey", lw=0.8, ls="--")
        ceiling = next(r["ceiling"] for r in rows if (r["target"], r["model"]) == (target, model))
        if np.isfinite(ceiling) and target.split(":")[0] == model:
            ax.axhline(ceiling, color="black", lw=0.8, ls=":")
        ax.set(title=f"{target} <- {model}", xlabel="wall time (s, log)", ylim=(-0.1, 1.05), xscale="log")
        ax.legend(loc="lower right", fontsize=8)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    axes[0, 0].set_ylabel("held-out Gamma (4 ms)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--targets", nargs="+", help="target names (lif, adex:naud_adapting, hh, ...)")
    parser.add_argument("--out", default="benchmarks/estimate_start.json")
    parser.add_argument("--plot", help="a JSON this script wrote: draw its figure and table only")
    args = parser.parse_args(argv)
    if args.plot:
        with open(args.plot) as f:
            rows = json.load(f)
    else:
        rows = run(args)
        with open(args.out, "w") as f:
            json.dump(rows, f)
    plot(rows, (args.plot or args.out).replace(".json", ".png"))
    print(table(rows))


if __name__ == "__main__":
    main()
