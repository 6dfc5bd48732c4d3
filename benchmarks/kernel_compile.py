"""Cold compile of each reset model's batch kernel, and what a second flavour of its inputs costs.

numba compiles a function once per flavour of its arguments (read-only is one). Each model runs in
a fresh process on an empty cache: the first call through ``simulate_batch`` (checked table), then
a fit-like call (a mapping of fresh arrays, ``check=False``), then a direct kernel call with a
writable parameter matrix, the flavour ``simulate_batch`` no longer passes. Before stop 18 the
second line compiled again (LIF 4.3 s, Izhikevich 7.0 s, AdEx 8.5 s); now it reuses the first.

    python benchmarks/kernel_compile.py
"""
import os
import subprocess
import sys
import tempfile

CODE = """
import time, numpy as np, spikefit
m = spikefit.get_model({name!r})
stim = spikefit.step(0.3e-9, start=0.1, stop=0.4, duration=0.5)
def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t
first = timed(lambda: m.simulate_batch(m.table(None), stim))
fresh = {{k: np.array([v, v]) for k, v in m.defaults().items()}}
again = timed(lambda: m.simulate_batch(fresh, stim, check=False))
P = np.ascontiguousarray(m.table(None).to_numpy(float).T).copy()
state0 = m._initial_state(P)
other = timed(lambda: m._kernel(P, stim.current, stim.dt, 1, False, state0, np.empty((0, 0)),
                               np.full((1, 50), np.nan), np.zeros(1, np.int64), np.zeros(1, bool)))
print(f"{{first:.2f}} {{again:.3f}} {{other:.2f}} {{len(m._kernel.block.signatures)}}")
"""

if __name__ == "__main__":
    print("model       first call (s)  fit's flavour (s)  writable P, direct (s)  signatures")
    for name in ("lif", "izhikevich", "adex"):
        env = {**os.environ, "NUMBA_CACHE_DIR": tempfile.mkdtemp()}
        out = subprocess.run([sys.executable, "-c", CODE.format(name=name)], env=env, check=True,
                             capture_output=True, text=True).stdout.split()
        print(f"{name:11s} {float(out[0]):14.2f} {float(out[1]):18.3f} {float(out[2]):23.2f} {out[3]:>11s}")
