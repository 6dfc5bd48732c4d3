"""Figures of a model comparison: each draws a PNG from a small real comparison."""
import dataclasses
import math

import numpy as np
import pytest

from spikefit.reports import comparison_figures as figures
from spikefit.reports.comparison import compare_models
from spikefit.reports.parallel import JobFailure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def comparison():
    """LIF and AdEx fitted to the built-in HH reference (one cell), tiny budget."""
    return compare_models(["lif", "adex"], ["hh"], n_trials=16, seed=0, progress=False)


def _image(path):
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    return matplotlib.image.imread(path)


@pytest.mark.parametrize("name", ["plot_fi_curves", "plot_feature_errors", "plot_history",
                                  "plot_lif_failures"])
def test_each_figure_writes_a_png(comparison, tmp_path, name):
    path = getattr(figures, name)(comparison, tmp_path / f"{name}.png")
    assert path == tmp_path / f"{name}.png"
    height, width = _image(path).shape[:2]
    assert width > 300 and height > 200


def test_traces_show_training_held_out_and_noise_sweeps(comparison, tmp_path):
    split = comparison.splits["hh"]
    labels = [label for label, _ in figures.trace_sweeps(split)]
    assert labels[0].startswith("training sweep") and labels[1].startswith("held-out sweep")
    assert labels[2].startswith("noise sweep") and labels[2].endswith("(held out)")
    indices = [index for _, index in figures.trace_sweeps(split)]
    assert indices[0] in split.train and indices[1] in split.test and indices[2] in split.test
    height, width = _image(figures.plot_traces(comparison, tmp_path / "traces.png", "hh")).shape[:2]
    assert width > height > 200


def test_figures_draw_around_a_failed_fit(comparison, tmp_path):
    key = ("hh", "adex")
    failed = dataclasses.replace(comparison, fits={k: v for k, v in comparison.fits.items() if k != key},
                                 failed={key: JobFailure("RuntimeError: boom")})
    for name in ("plot_fi_curves", "plot_feature_errors", "plot_history"):
        _image(getattr(figures, name)(failed, tmp_path / f"{name}.png"))
    _image(figures.plot_traces(failed, tmp_path / "traces.png", "hh"))
    assert key not in figures.predictions(failed)


def test_score_distributions_need_two_cells(comparison, tmp_path):
    with pytest.raises(ValueError, match=r"more than one cell, got 1 \(hh\)"):
        figures.plot_score_distributions(comparison, tmp_path / "scores.png")
    assert not (tmp_path / "scores.png").exists()


def test_fi_points_count_spikes_in_the_stimulus_window(comparison):
    split = comparison.splits["hh"]
    points = figures.fi_points(comparison, "hh")
    assert len(points) == 8  # eight step levels; the noise sweep is no step
    assert [p["split"] for p in points] == ["train", "test"] * 4
    amplitudes = [p["amplitude"] for p in points]
    assert amplitudes == sorted(amplitudes)
    rates = [split.recording[i].firing_rate for i in range(8)]  # sweeps 0-7: the levels, lowest first
    assert [p["recording"] for p in points] == pytest.approx(rates)
    predicted = figures.predictions(comparison)[("hh", "lif")]
    assert points[-1]["lif"] == pytest.approx(predicted[7].firing_rate)


def test_feature_z_averages_the_table(comparison):
    mean, _ = figures.feature_z(comparison)
    table = comparison.table
    row = table[(table["split"] == "test") & (table["model"] == "lif")
                & (table["metric"] == "feature_z:time_to_first_spike")]
    assert mean.loc["time_to_first_spike", "lif"] == pytest.approx(row["value"].mean(), nan_ok=True)
    assert list(mean.columns) == ["lif", "adex"]


def test_best_so_far_is_the_running_minimum():
    best = figures.best_so_far([math.nan, 5.0, 7.0, 3.0, math.inf, 4.0])
    np.testing.assert_array_equal(best, [math.nan, 5.0, 5.0, 3.0, 3.0, 3.0])
    assert figures.best_so_far([]).size == 0


def test_model_colours_are_fixed_and_distinct():
    assert figures.model_colour("lif", ["adex", "lif"]) == figures.model_colour("lif", ["lif"])
    colours = {figures.model_colour(m, ["lif", "izhikevich", "adex", "mine", "yours"])
               for m in ["lif", "izhikevich", "adex", "mine", "yours"]}
    assert len(colours) == 5
