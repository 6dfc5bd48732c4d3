"""How badly LIF fits, per kind of failure: medians checked against hand computations."""
import math
import types

import pandas as pd
import pytest

from spikefit.reports import sections
from spikefit.reports.document import render_markdown
from spikefit.reports.lif_failures import lif_failures, sentences

NAN = math.nan
CELLS = ("c1", "c2", "c3", "c4")
VALUES = {  # metric -> model -> one held-out value per cell
    "feature_z:time_to_first_spike": {"lif": (3, 2, 5, 1), "adex": (1, 1, 1, 1), "izhikevich": (4, 3, 6, 2)},
    "gamma_normalized": {"lif": (0.2, 0.5, NAN, NAN), "adex": (0.8, 0.6, NAN, NAN),
                         "izhikevich": (0.9, NAN, NAN, NAN)},
    "feature_z:voltage_base": {"lif": (2, 4, 0, 1), "adex": (1, 1, 1, 1), "izhikevich": (1, 1, 1, 1)},
    "feature_z:steady_state_voltage_stimend": {"lif": (4, 2, 2, NAN), "adex": (1, 1, 1, 1),
                                               "izhikevich": (1, 1, 1, 1)},
}
MODELS = ("lif", "izhikevich", "adex")


def _table(values=VALUES):
    rows = [{"cell": cell, "model": model, "split": split, "metric": metric,
             "value": v if split == "test" else 99.0, "unit": "1"}
            for metric, by_model in values.items() for model, per_cell in by_model.items()
            for cell, v in zip(CELLS, per_cell) for split in ("test", "train")]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def failures():
    return lif_failures(_table(), MODELS).set_index(["kind", "model"])


def test_median_difference_is_lif_minus_model_on_held_out_data(failures):
    row = failures.loc[("latency", "adex")]
    # by hand: 3-1, 2-1, 5-1, 1-1 = 2, 1, 4, 0 -> median 1.5; training values (99) are not used
    assert row["n_cells"] == 4 and row["median"] == pytest.approx(1.5)
    assert row["ci_low"] <= 1.5 <= row["ci_high"]
    assert failures.loc[("latency", "izhikevich"), "median"] == pytest.approx(-1.0)  # 3-4, 2-3, ...


def test_higher_is_better_flips_the_sign_so_positive_is_lif_worse(failures):
    # normalised Gamma: adex - lif = 0.6, 0.1 -> median 0.35 (LIF worse); cells without it left out
    row = failures.loc[("timing", "adex")]
    assert row["median"] == pytest.approx(0.35) and row["n_cells"] == 2 and row["n_left_out"] == 2


def test_subthreshold_is_the_mean_of_both_voltages(failures):
    # lif means 3, 3, 1 (c4 lacks one) against adex 1 -> 2, 2, 0 -> median 2 on 3 cells
    row = failures.loc[("subthreshold", "adex")]
    assert row["median"] == pytest.approx(2.0) and row["n_cells"] == 3 and row["n_left_out"] == 1


def test_sentences_say_worse_better_and_fewer_than_two(failures):
    lines = sentences(lif_failures(_table(), MODELS))
    assert ("On latency to the first spike, LIF is worse than adex by a median of 1.5 |z| across 4 cells "
            "(95 % interval") in " ".join(lines)
    assert any(line.startswith("On latency to the first spike, LIF is better than izhikevich by a median of 1 |z|")
               and "every cell has the same difference" in line for line in lines)
    assert ("On spike timing under noise, LIF and izhikevich cannot be compared: 1 cell(s) with both values, "
            "fewer than 2") in " ".join(lines)
    assert any(line.startswith("On the f-I curve (slope and onset), LIF and adex cannot be compared: 0 cell(s)")
               for line in lines)


def test_needs_lif_among_the_models():
    with pytest.raises(ValueError, match="need model 'lif' among the models, got \\['adex'\\]"):
        lif_failures(_table(), ["adex"])


def test_section_appears_in_the_markdown():
    comparison = types.SimpleNamespace(table=_table(), models=MODELS)
    markdown = render_markdown("t", [sections._lif(comparison)])
    assert "## How badly LIF fits" in markdown
    assert "positive number means LIF is worse" in markdown
    assert "LIF is worse than adex by a median of 1.5 |z| across 4 cells" in markdown
    one_model = render_markdown("t", [sections._lif(types.SimpleNamespace(table=_table(), models=("lif",)))])
    assert "nothing to measure" in one_model
