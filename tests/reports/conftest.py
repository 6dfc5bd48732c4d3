"""Recordings the report tests share."""
import pytest
from noise_cells import repeated_noise


@pytest.fixture(scope="session")
def noise_recording():
    return repeated_noise()
