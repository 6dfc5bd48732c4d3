"""BatchCmaEsSampler's optimizer: pickled with the study, it continues the same search."""
import pickle

import numpy as np

from spikefit.fitting.samplers import _ReproducibleCMA


def _generations(cma, n):
    """n generations asked and told on a fixed quadratic; the sets asked."""
    asked = []
    for _ in range(n):
        xs = [cma.ask() for _ in range(cma.population_size)]
        cma.tell([(x, float(np.sum((x - 0.3) ** 2 * np.arange(1, 4)))) for x in xs])
        asked += xs
    return np.array(asked)


def test_a_pickled_optimizer_asks_what_the_live_one_asks():
    live = _ReproducibleCMA(mean=np.full(3, 0.5), sigma=0.25, bounds=np.tile([0.0, 1.0], (3, 1)), seed=1,
                            population_size=16)
    _generations(live, 2)
    restored = pickle.loads(pickle.dumps(live))
    assert np.array_equal(_generations(restored, 4), _generations(live, 4))  # bit for bit
