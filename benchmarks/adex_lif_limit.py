"""AdEx against LIF on one cell of the default suite: LIF's fit written in AdEx (``limits.embed``)
at several Delta_T, and AdEx fits with Delta_T's lower bound lowered (issue 12 item 6).

Fits LIF as ``compare`` does (2000 trials, seed 0, objective ``features``), scores its embedding
in AdEx at each Delta_T and each V_T offset, then fits AdEx with every parameter searched and the
lower bound of Delta_T at each value, LIF's embeddings at that bound as candidates; prints the
training objective and held-out Gamma of each beside LIF's. ``--dimension``: instead, the
search's size against its budget, on seeds 0-2: AdEx with every parameter searched at 2000 and
10 000 trials, and with a, b and tau_w held at the embedding (AdEx without adaptation, 8
parameters) at 500 and 2000 trials, each from LIF's embeddings as candidates.

    python benchmarks/adex_lif_limit.py [CELL] [--dimension]   (default hh_fs)
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
ADAPTATION = ("a", "b", "tau_w")
"""What LIF's embedding in AdEx sets alike in every variant: no adaptation."""
SEEDS = (0, 1, 2)


def main(cell: str, dimension: bool) -> None:
    warnings.simplefilter("ignore")
    split = _splits(DEFAULT_CELLS, None, None, None, None)[cell]
    train = split.sweeps("train")
    target = build_target(train, repeats=compatible_groups(train, split.groups("train")))
    spec = parse_objective("features")
    lif, adex = get_model("lif"), get_model("adex")
    fitted = fit(lif, target, n_trials=2000, seed=0, progress=False).params
    score = {which: score_split(lif, fitted, split, which, spec) for which in ("train", "test")}
    print(f"{cell}: LIF training objective {score['train']['objective']:.4g}, held-out Gamma {score['test']['gamma']:.3f}")
    if dimension:
        search_size(adex, target, split, spec, fitted)
        return
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


def search_size(adex, target, split, spec, fitted) -> None:
    """Training objective and held-out Gamma of AdEx fits with and without adaptation held."""
    candidates = {f"lif ({v})": embed(fitted, source="lif", into="adex", variant=v) for v in ("threshold", "rheobase")}
    held = {name: candidates["lif (threshold)"][name] for name in ADAPTATION}
    for label, n_trials, fixed in (("every parameter", 2000, None), ("every parameter", 10000, None),
                                   ("a, b, tau_w held", 500, held), ("a, b, tau_w held", 2000, held)):
        rows = []
        for seed in SEEDS:
            result = fit(adex, target, n_trials=n_trials, seed=seed, progress=False, fixed=fixed,
                         candidates=candidates)
            test = score_split(adex, result.params, split, "test", spec)
            rows.append(f"{float(np.sum(result.score)):.4g} / {test['gamma']:.3f} ({result.wall_time:.1f} s)")
        print(f"  AdEx, {label}, {n_trials} trials, seeds {SEEDS}: objective / held-out Gamma: {'; '.join(rows)}")


if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(names[0] if names else "hh_fs", "--dimension" in sys.argv)
