import numpy as np
import pandas as pd
import pytest

from spikefit.models.parameters import Parameter, build_table, less, positive

SPECS = (Parameter("C", "F", 1e-10, 1e-11, 1e-9, True, "capacitance"),
         Parameter("V_th", "V", -0.05, -0.07, -0.03, False, "threshold"),
         Parameter("V_reset", "V", -0.06, -0.08, -0.04, False, "reset"))
RULES = (*positive("C"), less("V_reset", "V_th"))


def test_missing_parameters_take_defaults_in_model_order():
    table = build_table(SPECS, RULES, {"V_th": [-0.04, -0.045]}, "m")
    assert list(table.columns) == ["C", "V_th", "V_reset"]
    assert table["C"].tolist() == [1e-10, 1e-10] and table["V_th"].tolist() == [-0.04, -0.045]


@pytest.mark.parametrize("table", [
    pd.DataFrame({"C": [2e-10, 3e-10]}),
    [{"C": 2e-10}, {"C": 3e-10}],
    {"C": np.array([2e-10, 3e-10])},
])
def test_tables_come_in_several_shapes(table):
    assert build_table(SPECS, RULES, table, "m")["C"].tolist() == [2e-10, 3e-10]


def test_rows_must_name_the_same_parameters():
    with pytest.raises(ValueError, match="row 1 lacks V_th"):
        build_table(SPECS, RULES, [{"C": 2e-10, "V_th": -0.05}, {"C": 3e-10}], "m")


def test_an_empty_table_is_refused():
    with pytest.raises(ValueError, match="at least one parameter set, got 0"):
        build_table(SPECS, RULES, {"C": []}, "m")


def test_parameter_spec_checks_itself():
    with pytest.raises(ValueError, match="low <= default <= high must hold for x"):
        Parameter("x", "V", 1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="log-scale parameter needs low > 0"):
        Parameter("x", "V", 1.0, 0.0, 3.0, log=True)
