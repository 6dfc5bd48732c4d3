"""What a study in a database costs per trial: in memory, SQLite and PostgreSQL.

A fit whose study lives in a database writes every trial there (ask, parameters, heartbeat,
worker, tell): that is the price of resuming and of sharing a study between workers. This
script fits the same LIF target with each storage and prints the wall time per trial and
its ratio to the in-memory fit.

    python benchmarks/storage_overhead.py [--trials 320] [--postgres postgresql://user:pw@127.0.0.1/db]

PostgreSQL is measured when --postgres (or SPIKEFIT_TEST_POSTGRES) names a server.
"""
import argparse
import os
import statistics
import tempfile
import time
import uuid

import spikefit
from spikefit.fitting import fit


def one_fit(target, n_trials: int, storage) -> float:
    started = time.perf_counter()
    fit("lif", target, objective="spikes", n_trials=n_trials, search=["C", "g_L", "V_th"], seed=0, refine=False,
        progress=False, storage=storage, study_name=None if storage is None else uuid.uuid4().hex)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=320)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("SPIKEFIT_TEST_POSTGRES"))
    args = parser.parse_args()
    lif = spikefit.get_model("lif")
    target = lif.simulate(None, spikefit.step_protocol([0.1e-9, 0.3e-9, 0.5e-9], 0.1, 0.5, 0.6))
    one_fit(target, 32, None)  # compile
    folder = tempfile.mkdtemp()
    storages = {"memory": None, "sqlite": f"sqlite:///{folder}/bench.db"}
    if args.postgres:
        storages["postgresql"] = args.postgres
    medians = {}
    for name, storage in storages.items():
        times = [one_fit(target, args.trials, storage) for _ in range(args.repeats)]
        medians[name] = statistics.median(times) / args.trials * 1e3
    print(f"{args.trials} trials of LIF (3 sweeps, batches of 32), median of {args.repeats} fits:")
    for name, ms in medians.items():
        print(f"  {name:<10} {ms:8.2f} ms per trial   {ms / medians['memory']:6.1f}x memory")


if __name__ == "__main__":
    main()
