"""The default report of `spikefit compare`, from Python.

LIF, Izhikevich and AdEx are fitted (same budget, same seed) to the training steps of the three
built-in Hodgkin-Huxley references and a shipped rat L5 pyramidal cell, scored on held-out steps
and a noisy current none of them saw, and compared cell by cell.

    python examples/compare_models.py [OUT_DIR]
"""
import sys

import spikefit

out = sys.argv[1] if len(sys.argv) > 1 else "spikefit-report"
comparison = spikefit.compare_models(["lif", "izhikevich", "adex"], ["hh", "hh_rs", "hh_fs", "sscx_l5ttpc_idrest"],
                                     n_trials=2000, seed=0)
for line in comparison.headline():
    print(line)

# The tidy table is what scripts use: held-out Gamma per cell and model.
table = comparison.table
print(table.query("metric == 'gamma' and split == 'test'").pivot(index="cell", columns="model", values="value"))
print(comparison.tests("gamma"))  # paired Wilcoxon tests, Benjamini-Hochberg corrected

comparison.write(out, force=True)
print(f"open {out}/index.html")
