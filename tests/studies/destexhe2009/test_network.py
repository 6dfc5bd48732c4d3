"""The Destexhe 2009 network's settings: the kick, population sizes, connection probability."""
import pytest

from spikefit.studies.destexhe2009.network import (MIN_CELLS, PoissonKick, connection_probability,
                                                   population_sizes)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_sources=0), "n_sources must be an integer >= 1"),
    (dict(rate=-1.0), "rate must be >= 0"),
    (dict(start=0.3, stop=0.2), "start < stop must hold"),
    (dict(p_connect=1.5), r"p_connect must lie in \[0, 1\]"),
])
def test_bad_kick(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PoissonKick(**kwargs)


def test_sizes_and_connection_probability():
    assert population_sizes(500, 0.1) == {"RS": 360, "LTS": 40, "FS": 100}
    assert population_sizes(2000, 0.0) == {"RS": 1600, "LTS": 0, "FS": 400}
    assert connection_probability(2000) == pytest.approx(0.02)
    assert connection_probability(MIN_CELLS) == pytest.approx(1.0)
