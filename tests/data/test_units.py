import numpy as np
import pytest
from brian2 import mV, nA, ms, siemens, meter

from spikefit.data.units import to_display, to_si


def test_plain_numbers_are_taken_as_si():
    assert to_si(0.5, "A", "x") == 0.5
    assert np.array_equal(to_si([1, 2], "A", "x"), [1.0, 2.0])


def test_quantities_are_converted_after_a_dimension_check():
    assert to_si(-55 * mV, "V", "v") == pytest.approx(-0.055)
    assert np.allclose(to_si([1, 2] * nA, "A", "i"), [1e-9, 2e-9])
    assert to_si(1200 * siemens / meter**2, "S/m2", "g") == pytest.approx(1200)
    with pytest.raises(ValueError, match="t must have the dimension of s, got 3"):
        to_si(3 * mV, "s", "t")


def test_display_units_are_the_ones_people_read():
    assert to_display(2e-3, "s") == (2.0, "ms")
    assert to_display(1e-9, "A")[1] == "pA" and to_display(1e-9, "A")[0] == pytest.approx(1000)
    assert to_display(0.01, "F/m2") == (1.0, "uF/cm2")
    assert to_display(5.0, "furlong") == (5.0, "furlong")
    assert to_si(3 * ms, "s", "t") == pytest.approx(3e-3)
