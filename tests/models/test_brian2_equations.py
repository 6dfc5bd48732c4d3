"""Brian2Equations: a model's Brian 2 form, checked when it is written."""
import pytest

from spikefit import get_model
from spikefit.models.brian2_equations import Brian2Equations

GOOD = dict(equations="dv/dt = -v/(10*ms) : volt", threshold="v > 1*mV", reset="v = 0*mV",
            refractory=False, method="exact", spike_peak=None)


def test_a_model_states_its_equations_once():
    adex = get_model("adex").brian2
    assert isinstance(adex, Brian2Equations)
    assert (adex.threshold, adex.reset, adex.spike_peak) == ("v > V_cut", "v = V_reset; w += b", "V_cut")


@pytest.mark.parametrize("field, value, message", [
    ("equations", "", "equations must be a non-empty string, got ''"),
    ("threshold", None, "threshold must be a non-empty string, got None"),
    ("refractory", True, "refractory must be a condition \\(str\\) or False, got True"),
    ("reset", 3, "reset must be a string or None, got 3"),
])
def test_bad_fields_are_refused(field, value, message):
    with pytest.raises(ValueError, match=message):
        Brian2Equations(**{**GOOD, field: value})


def test_a_model_without_brian2_equations_refuses_the_brian2_backend():
    lif = type(get_model("lif"))
    bare = type("Bare", (lif,), {"brian2": None, "name": "bare"})
    with pytest.raises(ValueError, match="model 'bare' has none"):
        bare(backend="brian2")
