"""AdEx against LIF on one cell of the default suite: LIF's fit written in AdEx (``limits.embed``)
at several Delta_T, and AdEx fits with Delta_T's lower bound lowered (issue 12 item 6).

Fits LIF as ``compare`` does (2000 trials, seed 0, objective ``features``), scores its embedding
in AdEx at each Delta_T and each V_T offset, then fits AdEx with every parameter searched and the
lower bound of Delta_T at each value, LIF's embeddings at that bound as candidates; prints the
training objective and held-out Gamma of each beside LIF's.

    python benchmarks/adex_lif_limit.py [CELL]   (default hh_fs)
"""
import sys
import warnings

import numpy as np

from spikefit.fitting import fit
from spikefit.fitting.objectives import parse_objective
from spikefit.fitting.target import build_target
from spikefit.models import get_model
from spikefit.models.limits import embed
from spikefit.reports.comparison import DEFAULT_CELLS, _splits
from spikefit.reports.scoring import compatible_groups, score_split

BOUNDS = (0.2e-3, 0.05e-3, 0.02e-3)
OFFSETS = (-3, -2, -1, 0, 1)


def main(cell: str) -> None:
    warnings.simplefilter("ignore")
    split = _splits(DEFAULT_CELLS, None, None, None, None)[cell]
    train = split.sweeps("train")
    target = build_target(train, repeats=compatible_groups(train, split.groups("train")))
    spec = parse_objective("features")
    lif, adex = get_model("lif"), get_model("adex")
    fitted = fit(lif, target, n_trials=2000, seed=0, progress=False).params
    score = {which: score_split(lif, fitted, split, which, spec) for which in ("train", "test")}
    print(f"{cell}: LIF training objective {score['train']['objective']:.4g}, held-out Gamma {score['test']['gamma']:.3f}")
    for delta in BOUNDS:
        scores = []
        for k in OFFSETS:
            p = embed(fitted, source="lif", into="adex", variant="threshold", delta_t=delta)
            p["V_T"] += k * delta
            p["V_cut"] = max(p["V_T"] + 5 * delta, adex.parameter("V_cut").low)
            scores.append(f"{k:+d}: {score_split(adex, p, split, 'train', spec)['objective']:.3g}")
        print(f"  embedding at Delta_T {delta * 1e3:g} mV, V_T = V_th + k Delta_T, training objective: {', '.join(scores)}")
    for low in BOUNDS:
        search = {p.name: None for p in adex.parameters}
        search["Delta_T"] = (low, adex.parameter("Delta_T").high)
        candidates = {f"lif ({v})": embed(fitted, source="lif", into="adex", variant=v, delta_t=low)
                      for v in ("threshold", "rheobase")}
        result = fit(adex, target, n_trials=2000, seed=0, progress=False, search=search, candidates=candidates)
        test = score_split(adex, result.params, split, "test", spec)
        print(f"  AdEx, Delta_T >= {low * 1e3:g} mV: training objective {float(np.sum(result.score)):.4g}, held-out "
              f"Gamma {test['gamma']:.3f}, fitted Delta_T {result.params['Delta_T'] * 1e3:.3g} mV ({result.wall_time:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "hh_fs")
