"""The Destexhe 2009 cortical AdEx network: sustained vs transient activity, and what sustains it.

1. Simulates the network (RS, LTS, FS cells; notebook kick) with weak (5 pA) and strong
   (40 pA) RS adaptation and draws both rasters.
2. Sweeps mean delay, delay jitter, facilitation, depression, STDP and stochastic release
   one at a time and writes a Markdown report with figures.
3. Optionally (--search) bisects for the strongest adaptation that still sustains
   asynchronous irregular activity.

Run: python examples/destexhe2009_network.py [--out destexhe2009_out] [--n 500] [--duration 3]
     [--seeds 0,1,2] [--target cython] [--search] [--quick]
About 60 network runs: roughly 10 minutes at the defaults on a 2-core machine; --quick runs
tiny networks.
"""
import argparse
from pathlib import Path

from spikefit.studies.destexhe2009 import (plot_raster, simulate_network, sustaining_edge, sweep,
                                           write_sweep_report)

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--out", default="destexhe2009_out", help="output folder")
parser.add_argument("--n", type=int, default=500, help="network size (default 500; the paper: 2000)")
parser.add_argument("--duration", type=float, default=3.0, help="s simulated per run (default 3)")
parser.add_argument("--seeds", default="0,1,2", help="network seeds per sweep value")
parser.add_argument("--raster-seed", type=int, default=1,
                    help="seed of the two raster runs (default 1: sustains at b = 5 pA on every target)")
parser.add_argument("--target", default=None, choices=("numpy", "cython", "cpp_standalone"),
                    help="Brian 2 target (default numpy; cython is faster once compiled)")
parser.add_argument("--search", action="store_true", help="also run the bisection for the edge (8 trials)")
parser.add_argument("--quick", action="store_true", help="tiny networks, short runs")
args = parser.parse_args()
if args.quick:
    args.n, args.duration, args.seeds = 150, 0.6, "0"
seeds = tuple(int(s) for s in args.seeds.split(","))
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)

run = dict(n=args.n, duration=args.duration, seed=args.raster_seed, codegen_target=args.target)
weak = simulate_network(b=5e-12, **run)
strong = simulate_network(b=40e-12, **run)
for name, result in (("weak", weak), ("strong", strong)):
    plot_raster(result, out / f"raster_{name}_adaptation.png")
    print(f"b = {result.params['b'] * 1e12:g} pA: active {result.persistence:.2f} s after the kick, "
          f"CV {result.cv_isi:.2f}, chi {result.synchrony:.2f}, {result.mean_rate:.1f} Hz "
          f"({result.wall_time:.1f} s on {result.codegen_target})")

table = sweep(n=args.n, duration=args.duration, seeds=seeds, codegen_target=args.target, progress=True)
report = write_sweep_report(table, out, rasters={"weak_adaptation": weak, "strong_adaptation": strong})
print(f"written {report}")

if args.search:
    found = sustaining_edge("b", n=args.n, hold=args.duration - 0.25, n_trials=8,
                            codegen_target=args.target)
    print(found.trials.to_string(index=False))
    print("strongest sustaining b:", "none" if found.best is None else f"{found.best * 1e12:.1f} pA")
