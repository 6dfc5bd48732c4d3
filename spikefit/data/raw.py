"""What a reader returns, before any check: sweeps in SI units, the unit table, and the loaders' error.

The readers (``abf``, ``nwb``, ``igor``, ``tabular``) build these; ``loaders`` checks and corrects
them into a Recording. Nothing here imports another module of spikefit, so every reader and the
loaders can stand on it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Unit symbols as files write them -> (quantity, factor to SI).
UNITS = {
    "V": ("voltage", 1.0), "mV": ("voltage", 1e-3), "uV": ("voltage", 1e-6), "µV": ("voltage", 1e-6),
    "volt": ("voltage", 1.0), "volts": ("voltage", 1.0),
    "A": ("current", 1.0), "mA": ("current", 1e-3), "uA": ("current", 1e-6), "µA": ("current", 1e-6),
    "nA": ("current", 1e-9), "pA": ("current", 1e-12), "fA": ("current", 1e-15),
    "amp": ("current", 1.0), "amps": ("current", 1.0), "ampere": ("current", 1.0), "amperes": ("current", 1.0),
    "s": ("time", 1.0), "ms": ("time", 1e-3), "us": ("time", 1e-6), "µs": ("time", 1e-6),
    "second": ("time", 1.0), "seconds": ("time", 1.0),
}


class RecordingError(ValueError):
    """A recording that cannot be used as it is; the message names the file, the sweep and the problem."""


class ProcessedRecordingError(RecordingError):
    """An option that processes a file's contents was given for a Recording spikefit wrote,
    which was processed when it was first loaded."""


class RecordingNotFoundError(RecordingError, FileNotFoundError):
    """The file or folder given does not exist."""


def unit_factor(unit: str, quantity: str, where: str) -> float:
    """Factor that converts ``unit`` to SI, after checking that it measures ``quantity``.

    ``where`` names the file (and sweep or column) for the error message.
    """
    found = UNITS.get(str(unit).strip())
    if found is None or found[0] != quantity:
        known = ", ".join(u for u, (q, _) in UNITS.items() if q == quantity)
        raise RecordingError(f"{where}: unit {unit!r} is not a {quantity} unit; expected one of {known}")
    return found[1]


def unit_quantity(unit: str) -> str | None:
    """'voltage', 'current' or 'time' for a unit symbol, None for anything else (or no unit)."""
    found = UNITS.get(str(unit).strip())
    return found[0] if found else None


@dataclass(eq=False)
class RawSweep:
    """One sweep as a reader found it, in SI units, before any check or correction.

    ``units`` records the units the file stated (voltage, current, time);
    ``current_origin`` is "recorded" (a measured channel) or "command" (the protocol's waveform);
    ``index`` is the sweep's position among all the sweeps of the file.
    """

    v: np.ndarray
    current: np.ndarray
    dt: float
    name: str
    protocol: str | None
    source: str
    units: dict
    current_origin: str
    index: int
    metadata: dict = field(default_factory=dict)


@dataclass(eq=False)
class RawRecording:
    """A reader's result: sweeps in file order, and what the file says about the cell."""

    sweeps: list
    metadata: dict


@dataclass(eq=False)
class WrittenRecording:
    """A reader's result for a file that spikefit wrote: its description and the stored arrays.

    ``description`` is what ``serialize.loads`` read back (already checked to be spikefit's format);
    ``arrays`` holds one (voltage, current) pair per stored sweep; ``source`` names the file.
    """

    description: dict
    arrays: list
    source: str
