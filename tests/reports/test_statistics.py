"""Paired tests and their correction on constructed tables with known answers."""
import numpy as np
import pandas as pd
import pytest

from spikefit.reports.statistics import (benjamini_hochberg, headline, median_interval, min_p, paired_tests,
                                         power_sentence, summarise)


def _table(values: dict, metric="gamma") -> pd.DataFrame:
    rows = [{"cell": f"c{i}", "model": model, "split": "test", "metric": metric, "value": v, "unit": "1"}
            for model, column in values.items() for i, v in enumerate(column)]
    return pd.DataFrame(rows)


def test_wilcoxon_on_five_cells_all_better():
    """Every difference positive: W = 0, exact two-sided p = 2 / 2**5."""
    table = _table({"adex": [0.9, 0.8, 0.7, 0.6, 0.5], "lif": [0.8, 0.6, 0.4, 0.2, 0.0]})
    row = paired_tests(table, "gamma", models=["adex", "lif"]).iloc[0]
    assert (row.n_cells, row.a_better, row.b_better) == (5, 5, 0)
    assert row.statistic == 0 and row.p == pytest.approx(0.0625)
    assert row.median_difference == pytest.approx(0.3)


def test_wilcoxon_with_one_negative_difference():
    """Differences 1, -2, 3, 4, 5, 6: W = 2; 3 of 64 sign patterns reach W <= 2, p = 6/64."""
    table = _table({"a": [1, -2, 3, 4, 5, 6], "b": [0] * 6})
    row = paired_tests(table, "gamma").iloc[0]
    assert row.statistic == 2 and row.p == pytest.approx(6 / 64)


def test_tied_and_zero_differences_get_scipys_exact_p():
    """Gamma ties across cells (fits that score alike, cells with no spike): the vectorised
    permutation test gives scipy.stats.wilcoxon's statistic and p, up to 13 cells and past them."""
    from scipy import stats

    from spikefit.reports.statistics import _wilcoxon

    rng = np.random.default_rng(0)
    for n in (3, 8, 12, 14):
        for _ in range(3):
            diff = rng.choice([-0.2, -0.1, 0.0, 0.1, 0.3, 0.5], n) if n % 2 else rng.integers(-3, 4, n) / 10
            if not np.any(diff != 0):
                continue
            expected = stats.wilcoxon(diff, zero_method="wilcox", alternative="two-sided")
            assert _wilcoxon(diff) == pytest.approx((expected.statistic, expected.pvalue), rel=1e-12, abs=0), diff
    # by hand: 0.1, 0.1, 0.3, 0.4 rank 1.5, 1.5, 3, 4; all positive, r+ = 10, and 1 of the 16 sign
    # patterns reaches it: p = 2/16
    assert _wilcoxon(np.array([0.1, 0.1, 0.3, 0.4])) == pytest.approx((0.0, 0.125))


def test_lower_is_better_metrics_count_wins_the_other_way():
    table = _table({"adex": [0.1, 0.2, 0.3], "lif": [1.0, 2.0, 3.0]}, metric="objective")
    row = paired_tests(table, "objective", models=["lif", "adex"]).iloc[0]
    assert (row.a_better, row.b_better) == (0, 3)


def test_benjamini_hochberg_known_values():
    adjusted = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.2, np.nan]))
    np.testing.assert_allclose(adjusted[:4], [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2])
    assert np.isnan(adjusted[4])


def test_correction_runs_over_every_pair():
    table = _table({"a": [3, 2, 1, 4, 5], "b": [0, 0, 0, 0, 0], "c": [1, 1, 1, 1, 1]})
    tests = paired_tests(table, "gamma", models=["a", "b", "c"])
    assert list(zip(tests.model_a, tests.model_b)) == [("a", "b"), ("a", "c"), ("b", "c")]
    np.testing.assert_allclose(tests.p_bh, benjamini_hochberg(tests.p.to_numpy()))


def test_undefined_tests_are_nan_not_zero():
    table = _table({"a": [1, 1, 1], "b": [1, 1, 1]})
    row = paired_tests(table, "gamma").iloc[0]
    assert np.isnan(row.p) and np.isnan(row.p_bh) and (row.a_better, row.b_better) == (0, 0)


def test_headline_sentences():
    table = _table({"adex": [0.9, 0.8, 0.7, 0.6, 0.5], "lif": [0.8, 0.6, 0.4, 0.2, 0.0], "izh": [0.9, 0.8, 0.4, 0.2, 0.0]})
    lines = headline(paired_tests(table, "gamma", models=["lif", "adex", "izh"]))
    assert lines[0].startswith("adex beats lif on 5 of 5 cells (held-out gamma: median difference +0.3, "
                               "95 % interval +0.1 to +0.5; Wilcoxon p = 0.0625")
    assert lines[1].startswith("lif and izh tie") is False and "izh beats lif on 2 of 5 cells" in lines[1]


def test_summary_medians_and_quartiles():
    summary = summarise(_table({"a": [1.0, 2.0, 3.0, 4.0, 5.0]}))
    row = summary.iloc[0]
    assert (row["n_cells"], row["median"], row["q25"], row["q75"]) == (5, 3.0, 2.0, 4.0)


def test_smallest_p_of_the_exact_test_and_the_power_sentence():
    assert [min_p(n) for n in (4, 5, 6)] == [0.125, 0.0625, 0.03125]  # 2 / 2**n
    table = _table({"a": [1, 2, 3, 4], "b": [0, 0, 0, 0]})
    row = paired_tests(table, "gamma").iloc[0]
    assert row.p == pytest.approx(row.min_p) == pytest.approx(0.125)  # every cell one way: the floor itself
    assert "cannot go below p = 2/2^4 = 0.125" in power_sentence(4) and "at least 6 cells" in power_sentence(4)
    assert power_sentence(6) is None and power_sentence(0) is None


def test_median_interval_by_hand():
    # 5 distinct differences: a resample's median is the smallest value when 3 or more of its 5 draws
    # are: P = C(5,3) .2^3 .8^2 + C(5,4) .2^4 .8 + .2^5 = 0.058 > 0.025, so the 2.5 % point is 0.1
    low, high = median_interval([0.1, 0.2, 0.3, 0.4, 0.5])
    assert (low, high) == pytest.approx((0.1, 0.5))
    wide = paired_tests(_table({"a": [0.1, 0.2, 0.3, 0.4, 0.5], "b": [0.0] * 5}), "gamma").iloc[0]
    assert (wide.ci_low, wide.ci_high) == pytest.approx((0.1, 0.5))
    assert all(np.isnan(median_interval([0.3]))) and all(np.isnan(median_interval([0.2, 0.2])))
