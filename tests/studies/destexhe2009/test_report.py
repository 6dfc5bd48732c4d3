"""The report of a Destexhe 2009 sweep, on tiny networks."""
from spikefit.studies.destexhe2009.report import write_sweep_report
from spikefit.studies.destexhe2009.simulate import simulate_network
from spikefit.studies.destexhe2009.sweeps import sweep

TINY = dict(n=100, duration=0.35, codegen_target="numpy")


def test_write_sweep_report(tmp_path):
    table = sweep({"delay": (3e-3,)}, seeds=(0,), **TINY)
    result = simulate_network(seed=0, **TINY)
    path = write_sweep_report(table, tmp_path / "out", rasters={"baseline": result})
    text = path.read_text()
    assert path.name == "report.md" and "## delay (ms)" in text and "raster_baseline.png" in text
    assert (tmp_path / "out" / "sweep.csv").stat().st_size > 100
    for name in ("sweep.png", "raster_baseline.png"):
        assert (tmp_path / "out" / name).stat().st_size > 1000
