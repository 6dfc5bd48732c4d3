"""Simulate the eight AdEx firing patterns of Naud et al. 2008 and draw them in one figure.

Run: python examples/naud_patterns.py [naud_patterns.png]
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import spikefit
from spikefit.models.presets import NAUD_STEP_CURRENTS

adex = spikefit.get_model("adex")
names = list(NAUD_STEP_CURRENTS)
stimuli = [spikefit.step(NAUD_STEP_CURRENTS[n], 0.05, 0.45, 0.5, dt=2e-5) for n in names]
fig, axes = plt.subplots(4, 2, figsize=(10, 9), sharex=True)
for ax, name, stim in zip(axes.flat, names, stimuli):
    trace = adex.simulate(adex.preset(name), stim)
    ax.plot(trace.time * 1e3, trace.v * 1e3, lw=0.7, color="k")
    ax.set_title(f"{name.removeprefix('naud_').replace('_', ' ')} ({NAUD_STEP_CURRENTS[name] * 1e12:.0f} pA)",
                 fontsize=9)
    ax.set_ylabel("V (mV)")
for ax in axes[-1]:
    ax.set_xlabel("time (ms)")
fig.tight_layout()
out = sys.argv[1] if len(sys.argv) > 1 else "naud_patterns.png"
fig.savefig(out, dpi=110)
print(f"written {out}")
