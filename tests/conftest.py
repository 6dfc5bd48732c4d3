"""Shared fixtures: where the real recordings are."""
import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("SPIKEFIT_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
RECORDINGS = SHARED / "data" / "recordings"


@pytest.fixture(scope="session")
def recordings_dir() -> Path:
    """../shared/data/recordings beside the checkout (or $SPIKEFIT_SHARED/data/recordings)."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"real recordings not found at {RECORDINGS}: set SPIKEFIT_SHARED to the shared folder")
    return RECORDINGS
