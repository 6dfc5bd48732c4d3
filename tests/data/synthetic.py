"""Synthetic recordings for the loader tests: step sweeps, Igor waves, NPZ columns (imported by conftest and tests)."""
import struct

import numpy as np


def ibw_bytes(data, unit: str, x_unit: str, dt: float, note: bytes = b"", order: str = ">") -> bytes:
    """An Igor binary wave, version 2, float32, with a valid header checksum."""
    data = np.asarray(data, dtype=order + "f4")
    wave_header = struct.pack(
        order + "hl20shhl4s4slhddhhhddccllL2sLl",
        2, 0, b"wave", 0, 0, 0, unit.encode("latin-1"), x_unit.encode("latin-1"), data.size, 0, dt, 0.0,
        0, 0, 0, 0.0, 0.0, b"\0", b"\0", 0, 0, 0, b"\0\0", 0, 0)
    assert len(wave_header) == 110
    body = wave_header + data.tobytes() + bytes(16)
    bin_header = struct.pack(order + "hlllh", 2, len(body), len(note), 0, 0)
    words = np.frombuffer((bin_header + body)[:142], dtype=order + "i2").astype(np.int64).sum()
    checksum = -int(words) & 0xFFFF
    checksum = checksum - 0x10000 if checksum >= 0x8000 else checksum
    return struct.pack(order + "hlllh", 2, len(body), len(note), 0, checksum) + body + note


def step_sweep(amplitude=200e-12, n=4000, dt=2.5e-4, onset=0.2, offset=0.8, holding=-20e-12, rest=-0.07,
               spikes=(0.3, 0.5)):
    """Voltage (V) and current (A) of a synthetic step sweep: a step of ``amplitude`` and square spikes."""
    t = np.arange(n) * dt
    current = np.where((t >= onset) & (t < offset), holding + amplitude, holding)
    v = np.full(n, rest) + 0.01 * (current - holding) / 200e-12
    for s in spikes:
        v[(t >= s) & (t < s + 1e-3)] = 0.03
    return v, current


def columns_npz(path, v, current, dt=2.5e-4, **extra):
    """Write an NPZ with named columns (time, voltage, current in s, V, A) at ``path`` and return it."""
    v, current = np.asarray(v), np.asarray(current)
    time = np.arange(np.shape(v)[-1]) * dt
    np.savez(path, time=time, voltage=v, current=current, time_unit="s", voltage_unit="V", current_unit="A", **extra)
    return path
