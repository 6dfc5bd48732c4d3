"""Rate functions of the HH-type models: continuous through the removable singularities of x/(exp(x/y) - 1)."""
import numpy as np
import pytest

from spikefit.models.hh_rates import pospischil_rates, squid_rates

# Each limit is by hand: a * x / (exp(x/y) - 1) tends to a * y at x = 0 (1/ms, times 1e3 for 1/s).


@pytest.mark.parametrize("rate, v, limit", [
    (lambda v: squid_rates(v)[0], -40e-3, 1000.0),  # alpha_m: 0.1 * 10 per ms
    (lambda v: squid_rates(v)[4], -55e-3, 100.0),  # alpha_n: 0.01 * 10 per ms
    (lambda v: pospischil_rates(v, -55e-3)[0], -42e-3, 1280.0),  # alpha_m: 0.32 * 4
    (lambda v: pospischil_rates(v, -55e-3)[1], -15e-3, 1400.0),  # beta_m: 0.28 * 5
    (lambda v: pospischil_rates(v, -55e-3)[4], -40e-3, 160.0),  # alpha_n: 0.032 * 5
])
def test_rates_are_continuous_through_their_removable_singularities(rate, v, limit):
    values = np.array([rate(v + dv) for dv in (-1e-6, -1e-9, -1e-15, 0.0, 1e-15, 1e-9, 1e-6)])
    assert np.all(np.isfinite(values))
    np.testing.assert_allclose(values, limit, rtol=1e-3)
    assert rate(v) == pytest.approx(limit, rel=1e-12)
