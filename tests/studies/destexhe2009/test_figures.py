"""Figures of the Destexhe 2009 study: cell types (Fig. 1), a network's raster, a sweep."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from spikefit.studies.destexhe2009.cell_types import CELL_TYPES, simulate_cell_types  # noqa: E402
from spikefit.studies.destexhe2009.figures import plot_cell_types, plot_raster, plot_sweep  # noqa: E402
from spikefit.studies.destexhe2009.simulate import simulate_network  # noqa: E402
from spikefit.studies.destexhe2009.sweeps import sweep  # noqa: E402

TINY = dict(n=100, duration=0.35, codegen_target="numpy")


@pytest.fixture(scope="module")
def recordings():
    return simulate_cell_types()


def test_plot_cell_types_draws_six_panels_with_both_steps(recordings, tmp_path):
    path = tmp_path / "fig1.png"
    fig = plot_cell_types(recordings, path, title="Destexhe 2009, Fig. 1")
    assert len(fig.axes) == 6
    assert [ax.get_title() for ax in fig.axes] == [label for _, label in CELL_TYPES.values()]
    assert all(len(ax.lines) == 2 for ax in fig.axes)
    assert path.stat().st_size > 20_000


def test_plot_cell_types_leaves_no_empty_panel():
    import matplotlib.pyplot as plt

    fig = plot_cell_types(simulate_cell_types(["lts", "tc", "re", "fs"]))
    assert len(fig.axes) == 4
    plt.close(fig)


def test_bad_recordings_are_refused():
    with pytest.raises(ValueError, match="recordings must hold at least one cell type"):
        plot_cell_types({})
    with pytest.raises(ValueError, match=r"recordings\['fs'\] must be a Recording"):
        plot_cell_types({"fs": None})


def test_plot_raster_returns_figure(tmp_path):
    result = simulate_network(seed=0, **TINY)
    fig = plot_raster(result)
    assert len(fig.axes) == 2
    plot_raster(result, tmp_path / "raster.png")
    assert (tmp_path / "raster.png").stat().st_size > 1000


def test_plot_sweep_draws_a_column_per_factor_and_a_row_per_summary(tmp_path):
    table = sweep({"delay": (3e-3, 5e-3), "depression": (0.0,)}, seeds=(0,), **TINY)
    fig = plot_sweep(table, tmp_path / "sweep.png")
    assert len(fig.axes) == 4 * 2
    assert (tmp_path / "sweep.png").stat().st_size > 1000
