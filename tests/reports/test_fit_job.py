"""fit_job: one fit of a comparison, and its search again with adaptation held where it ends
above the fit of the model it contains."""
import numpy as np

import spikefit
from spikefit.reports.fit_job import fit_job


def _hh_fs_adex_job(contained_score):
    from spikefit.models.limits import embed, held
    from spikefit.reports.comparison import _splits

    split = _splits(["hh_fs"], None, None, None, None)["hh_fs"]
    lif = {"C": 225e-12, "g_L": 21e-9, "E_L": -70e-3, "V_th": -51e-3, "V_reset": -71.5e-3, "t_ref": 2e-3}
    candidates = {"lif in adex": embed(lif, source="lif", into="adex")}
    return fit_job(model="adex", cell="hh_fs", train=split.sweeps("train"), repeats=split.groups("train"),
                   objective="features", n_trials=48, seed=0, candidates=candidates,
                   held=held(candidates["lif in adex"], source="lif", into="adex"), contained_score=contained_score)


def test_a_fit_worse_than_the_fit_it_contains_searches_again_with_adaptation_held():
    again = _hh_fs_adex_job(contained_score=0.0)  # no objective is below 0: the fit always searches again
    search = again.held_search
    assert search["held"] == {"a": 0.0, "b": 0.0, "tau_w": spikefit.get_model("adex").parameter("tau_w").default}
    assert search["score_before"] > 0.0 and "above 0, the contained model's fit" in search["reason"]
    assert search["kept"] == (search["score"] < search["score_before"])
    assert again.score == min(search["score"], search["score_before"])
    if search["kept"]:
        assert all(again.params[name] == value for name, value in search["held"].items())
    once = _hh_fs_adex_job(contained_score=np.inf)  # never above: one search, the same as the first above
    assert once.held_search is None and once.score == search["score_before"]
    assert len(again.history) == len(once.history) + search["completed_trials"]
