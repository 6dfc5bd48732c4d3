"""Shared fixtures: where the real recordings are, and real sweeps read from them.

The real sweeps are read here directly with igor2 (not through spikefit.load), so that the
tests that use them (features, the features command) do not depend on the loaders.
"""
import os
from pathlib import Path

import numpy as np
import pytest

import spikefit

SHARED = Path(os.environ.get("SPIKEFIT_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
RECORDINGS = SHARED / "data" / "recordings"


@pytest.fixture(scope="session")
def recordings_dir() -> Path:
    """../shared/data/recordings beside the checkout (or $SPIKEFIT_SHARED/data/recordings)."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"real recordings not found at {RECORDINGS}: set SPIKEFIT_SHARED to the shared folder")
    return RECORDINGS


IDREST_WINDOW = (0.7, 2.7)  # s, both IDRest folders


def _ibw(path: Path) -> tuple[np.ndarray, dict]:
    from igor2 import binarywave

    wave = binarywave.load(str(path))["wave"]
    return wave["wData"].astype(float), wave["wave_header"]


def _bluepyefe_sweep(ch3: Path) -> spikefit.Trace:
    """A BluePyEfe IDRest sweep: no units in the header; Ch3 = mV, Ch0 = pA, dt 0.25 ms."""
    v, _ = _ibw(ch3)
    current, _ = _ibw(ch3.with_name(ch3.name.replace("_Ch3_", "_Ch0_")))
    stimulus = spikefit.from_array(current * 1e-12, 2.5e-4, *IDREST_WINDOW)
    return spikefit.Trace(v * 1e-3, stimulus, metadata={"source": ch3.name})


def _sscx_sweep(ch1: Path) -> spikefit.Trace:
    """An SSCx IDrest sweep of cell C060109A1: SI units in the header, ch1 = V, ch0 = A."""
    v, header = _ibw(ch1)
    current, current_header = _ibw(ch1.with_name(ch1.name.replace("_ch1_", "_ch0_")))
    assert header["dataUnits"][0] == b"V" and current_header["dataUnits"][0] == b"A"
    stimulus = spikefit.from_array(current, float(header["hsA"]), *IDREST_WINDOW)
    return spikefit.Trace(v, stimulus, metadata={"source": ch1.name})


@pytest.fixture(scope="session")
def real_sweeps(recordings_dir) -> list:
    """Firing sweeps of three cells: BluePyEfe B6 and B8 (5 each), SSCx C060109A1 (4)."""
    folder = recordings_dir / "bluepyefe_rat_ssc_IDRest"
    sweeps = [_bluepyefe_sweep(p) for cell in ("B6", "B8") for p in sorted((folder / cell).glob("*_Ch3_*.ibw"))]
    sscx = sorted((recordings_dir / "sscx_rat_L5TTPC" / "C060109A1-SR-C1").glob("X_IDrest_ch1_*.ibw"))
    sweeps += [_sscx_sweep(p) for p in sscx[::8][:4]]
    return sweeps
