"""Igor Pro binary waves (.ibw): one file per channel per sweep, grouped into sweeps and protocols by name.

File names are ``<cell>_<protocol>_ch<k>_<sweep>.ibw`` (SSCx) or ``<cell>_Ch<k>_<protocol>_<sweep>.ibw``
(BluePyEfe): the channel token ``ch<k>`` may sit anywhere after the first token, the sweep number
comes last, the first token names the cell or experiment and the others the protocol.

Which channel is the voltage and which the current is decided by the unit in the wave header (V,
mV, ... or A, pA, ...), never by the channel number: databases differ (SSCx 2006 cells store the
current in ch0, its 2008 cells the voltage). Where a wave states no unit, the caller says which
channel is which with ``channel_units={0: "pA", 3: "mV"}``. A wave without a time unit is read in s
only where its note confirms the sampling interval (``SI:250``, in us) or the caller gives ``dt``.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .raw import RawRecording, RawSweep, RecordingError, unit_factor, unit_quantity

_CHANNEL = re.compile(r"^ch(\d+)$", re.IGNORECASE)
# Bytes summed by the header checksum: binary header plus wave header (and, for version 2,
# the first 16 bytes of data, as Igor's own reader does).
_CHECKSUM_BYTES = {2: 142, 5: 384}


@dataclass(frozen=True)
class WaveName:
    """What an .ibw file name says: cell prefix, protocol, channel and sweep number."""

    prefix: str
    protocol: str
    channel: int
    sweep: int


@dataclass(frozen=True)
class Wave:
    """One Igor wave: data as stored, its units and x scaling (``x_step`` in ``x_unit``)."""

    path: Path
    data: np.ndarray
    unit: str
    x_unit: str
    x_step: float
    note: str
    version: int


def parse_name(path: Path) -> WaveName:
    """The prefix, protocol, channel and sweep of an .ibw file, from its name."""
    tokens = path.stem.split("_")
    channels = [i for i, t in enumerate(tokens) if _CHANNEL.match(t)]
    ok = len(tokens) >= 4 and len(channels) == 1 and 0 < channels[0] < len(tokens) - 1 and tokens[-1].isdigit()
    if not ok:
        raise RecordingError(f"{path}: name must read <cell>_<protocol>_ch<k>_<sweep>.ibw or "
                             "<cell>_Ch<k>_<protocol>_<sweep>.ibw, to tell its channel and sweep")
    protocol = "_".join(t for i, t in enumerate(tokens[1:-1], 1) if i != channels[0])
    return WaveName(tokens[0], protocol, int(_CHANNEL.match(tokens[channels[0]]).group(1)), int(tokens[-1]))


def read_wave(path: Path) -> Wave:
    """One .ibw file, after checking its version and header checksum."""
    raw = Path(path).read_bytes()
    version = _version(raw, path)
    size = _CHECKSUM_BYTES.get(version)
    if size is not None and (len(raw) < size or _checksum(raw[:size], raw) != 0):
        raise RecordingError(f"{path}: Igor wave header is truncated or corrupt (checksum fails)")
    from igor2 import binarywave

    try:
        wave = binarywave.load(io.BytesIO(raw))["wave"]
    except Exception as error:  # igor2 raises struct, Value and Type errors alike
        raise RecordingError(f"{path}: not a readable Igor wave ({str(error)[:120]}); is it truncated?") from None
    header = wave["wave_header"]
    data = np.asarray(wave["wData"], dtype=float)
    if data.ndim != 1:
        raise RecordingError(f"{path}: holds a wave of shape {data.shape}; one sweep of one channel expected")
    if version == 5:
        unit = _text(wave.get("data_units")) or _text(header["dataUnits"])
        x_unit = _text(wave.get("dimension_units")) or _text(header["dimUnits"][0])
        x_step = float(header["sfA"][0])
    else:
        unit, x_unit, x_step = _text(header["dataUnits"]), _text(header["xUnits"]), float(header["hsA"])
    return Wave(Path(path), data, unit, x_unit, x_step, _text(wave.get("note")), version)


def _version(raw: bytes, path) -> int:
    if len(raw) < 2:
        raise RecordingError(f"{path}: {len(raw)} bytes, too short for an Igor wave")
    for order in ("big", "little"):
        version = int.from_bytes(raw[:2], order)
        if version in (1, 2, 3, 5):
            return version
    raise RecordingError(f"{path}: not an Igor binary wave (version field {raw[:2]!r})")


def _checksum(header: bytes, raw: bytes) -> int:
    order = ">" if raw[0] == 0 else "<"
    return int(np.frombuffer(header, dtype=order + "i2").astype(np.int64).sum()) & 0xFFFF


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, np.ndarray):
        value = value.tobytes()
    if isinstance(value, bytes):
        value = value.split(b"\x00")[0].decode("latin-1")
    return str(value).strip()


def _note_value(note: str, key: str) -> str | None:
    match = re.search(rf"(?:^|;){key}:([^;]*)", note)
    return match.group(1).strip() if match else None


# --------------------------------------------------------------------------------------------


def read_igor(path, opts) -> RawRecording:
    """Sweeps (in sweep-number order) of a folder, a list or one .ibw file and its sibling channels."""
    files, source, folder_name = _collect(path)
    names = {f: parse_name(f) for f in files}
    prefixes = sorted({n.prefix for n in names.values()})
    if len(prefixes) > 1:
        raise RecordingError(f"{source}: files of several cells ({', '.join(prefixes)}); load each cell's files "
                             "on their own (pass a list of files)")
    groups: dict = {}
    for f, name in names.items():
        channels = groups.setdefault((name.sweep, name.protocol), {})
        if name.channel in channels:
            raise RecordingError(f"{f}: sweep {name.sweep} channel {name.channel} given twice")
        channels[name.channel] = f
    channel_units = _channel_units(opts.channel_units, source)
    sweeps = [_sweep(number, protocol, channels, index, channel_units, opts)
              for index, ((number, protocol), channels) in enumerate(sorted(groups.items()))]
    return RawRecording(sweeps, {"cell": folder_name, "source": source, "format": "ibw", "file_prefix": prefixes[0]})


def _collect(path) -> tuple[list[Path], str, str]:
    if isinstance(path, (list, tuple)):
        files = [Path(p) for p in path]
        return files, str(files[0].parent), files[0].resolve().parent.name
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.ibw"))
        if not files:
            inside = sorted(d.name for d in path.iterdir() if d.is_dir() and any(d.glob("*.ibw")))
            hint = f" (its subfolders {', '.join(inside)} do: load each cell on its own)" if inside else ""
            raise RecordingError(f"{path}: folder holds no .ibw files{hint}")
        return files, str(path), path.resolve().name
    name = parse_name(path)
    siblings = [f for f in sorted(path.parent.glob("*.ibw")) if _same_sweep(f, name)]
    return siblings, str(path), path.resolve().parent.name


def _same_sweep(path: Path, name: WaveName) -> bool:
    try:
        other = parse_name(path)
    except RecordingError:
        return False
    return (other.prefix, other.protocol, other.sweep) == (name.prefix, name.protocol, name.sweep)


def _channel_units(given, source) -> dict:
    out = {}
    for key, unit in (given or {}).items():
        match = _CHANNEL.match(str(key)) or re.match(r"^(\d+)$", str(key))
        if match is None:
            raise ValueError(f"channel_units keys must be channel numbers such as 0 or 'ch0', got {key!r}")
        if unit_quantity(unit) not in ("voltage", "current"):
            raise ValueError(f"channel_units[{key!r}] must be a voltage or current unit such as mV or pA, got {unit!r}")
        out[int(match.group(1))] = str(unit)
    return out


def _sweep(number, protocol, channels, index, channel_units, opts) -> RawSweep:
    label = f"{channels[min(channels)]}: sweep {number}"
    roles: dict = {}
    for channel, path in sorted(channels.items()):
        wave = read_wave(path)
        unit = _unit(wave, channel, channel_units)
        roles.setdefault(unit_quantity(unit), []).append((channel, wave, unit))
    found = ", ".join(f"ch{c} in {u}" for group in roles.values() for c, _, u in group)
    if len(roles.get("voltage", [])) != 1 or len(roles.get("current", [])) != 1:
        raise RecordingError(f"{label}: one voltage and one current channel expected, found {found}")
    (_, v_wave, v_unit), = roles["voltage"]
    (_, i_wave, i_unit), = roles["current"]
    (dt, time_unit), (i_dt, _) = _dt(v_wave, opts), _dt(i_wave, opts)
    if abs(dt - i_dt) > 1e-9 * dt:
        raise RecordingError(f"{label}: voltage sampled every {dt} s but current every {i_dt} s")
    metadata = {"current_file": str(i_wave.path)}
    if v_wave.note:
        metadata["igor_note"] = v_wave.note
    return RawSweep(
        v=v_wave.data * unit_factor(v_unit, "voltage", str(v_wave.path)),
        current=i_wave.data * unit_factor(i_unit, "current", str(i_wave.path)),
        dt=dt, name=str(number), protocol=protocol, source=str(v_wave.path),
        units={"voltage": v_unit, "current": i_unit, "time": time_unit},
        current_origin="recorded", index=index, metadata=metadata)


def _unit(wave: Wave, channel: int, channel_units: dict) -> str:
    given = channel_units.get(channel)
    if wave.unit and given and wave.unit != given:
        raise RecordingError(f"{wave.path}: header says unit {wave.unit!r} but channel_units says {given!r} "
                             f"for channel {channel}")
    unit = wave.unit or given
    if not unit:
        raise RecordingError(f"{wave.path}: the wave states no unit; say which channel is which, e.g. "
                             f"channel_units={{{channel}: 'mV'}} for the voltage or {{{channel}: 'pA'}} "
                             "for the current")
    if unit_quantity(unit) not in ("voltage", "current"):
        raise RecordingError(f"{wave.path}: unit {unit!r} is neither a voltage nor a current")
    return unit


def _dt(wave: Wave, opts) -> tuple[float, str]:
    """Sampling interval (s) and how the time unit was known."""
    if wave.x_unit:
        return wave.x_step * unit_factor(wave.x_unit, "time", str(wave.path)), wave.x_unit
    if opts.dt is not None:
        return opts.dt, "none in file; dt given"
    interval = _note_value(wave.note, "SI")
    if interval is not None and re.fullmatch(r"[0-9.eE+-]+", interval):
        from_note = float(interval) * 1e-6
        if abs(from_note - wave.x_step) <= 1e-9 * from_note:
            return wave.x_step, f"s (none in header; wave note SI:{interval} us agrees)"
        raise RecordingError(f"{wave.path}: x step {wave.x_step} has no unit and the wave note says SI:{interval} us; "
                             "pass dt (s)")
    raise RecordingError(f"{wave.path}: the wave states no time unit for its x step {wave.x_step}; pass dt (s)")
