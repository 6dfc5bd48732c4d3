import matplotlib

matplotlib.use("Agg")

import pytest

import spikefit
from spikefit.reports.figures import plot_trace


def test_plot_trace_draws_voltage_current_and_spike_marks(tmp_path):
    trace = spikefit.get_model("lif").simulate(None, spikefit.step(0.5e-9, 0.05, 0.25, 0.3))
    fig = plot_trace(trace, tmp_path / "t.png", title="lif")
    ax_v, ax_i = fig.axes
    assert ax_v.get_ylabel() == "V (mV)" and ax_i.get_ylabel() == "I (pA)"
    assert ax_i.lines[0].get_ydata().max() == pytest.approx(500.0)
    marks = ax_v.lines[1].get_xdata()
    assert len(marks) == trace.spike_times.size > 0
    assert (tmp_path / "t.png").stat().st_size > 5_000
