"""Where a recording comes from: ``resolve(source)`` turns a name or a path into a Recording.

A source is a Recording (kept as it is), a built-in Hodgkin-Huxley reference (``REFERENCES``:
shipped in ``spikefit/data/references/``, simulated by ``spikefit.models.references``), a
shipped sample (``samples.names()``), or a file or folder that ``spikefit.load`` reads (or a
list of .ibw files). Every command and ``compare_models`` resolves its sources here, so that
``spikefit fit X``, ``spikefit features X`` and ``spikefit compare --target X`` see the same data.

One rule for every source: a Recording holds every sweep of its source. A reference's noise
sweeps are in it too; a comparison's default split holds them out (``reports.splits.split_cell``).

>>> from spikefit.data import resolve
>>> rec = resolve("hh")
>>> len(rec), rec.cell
(9, 'hh')
"""
from __future__ import annotations

import warnings
from pathlib import Path

from .trace import Recording

REFERENCES = ("hh", "hh_rs", "hh_fs", "hh_ib", "hh_lts", "hh_rs_repeats")
"""Names of the built-in references (each simulated by the model of the same name, or the
one ``REFERENCE_MODELS`` names)."""

REFERENCE_MODELS = {"hh_rs_repeats": "hh_rs"}
"""References simulated by a model of another name: ``hh_rs_repeats`` is hh_rs under repeats
of one frozen noise current, each with its own background noise (``spikefit.models.references``)."""


def reference_model(name: str) -> str:
    """The name of the model that simulates a built-in reference."""
    reference_path(name)  # checks the name
    return REFERENCE_MODELS.get(name, name)

DEFAULT_STIMULUS = "ideal_step"
"""How a recorded current is read by default: as the ideal step rebuilt from it. Recorded
currents carry amplifier noise of 100 pA and more, which a model would take as input."""

_REFERENCE_FOLDER = Path(__file__).resolve().parent / "references"


def reference_path(name: str) -> Path:
    """The shipped file of a built-in reference."""
    if name not in REFERENCES:
        raise ValueError(f"unknown reference {name!r}; references are {', '.join(REFERENCES)}")
    return _REFERENCE_FOLDER / f"{name}.npz"


def reference(name: str) -> Recording:
    """A built-in reference's Recording (its step sweeps, then its noise sweep), as shipped."""
    from .loaders import load

    recording = load(reference_path(name))
    return Recording(recording.sweeps, {**recording.metadata, "cell": name, "reference": name,
                                        "source": f"spikefit reference {name} (simulated)"})


def resolve(source, *, stimulus: str | None = None, **options) -> Recording:
    """The Recording a source names; see the module doc.

    Parameters
    ----------
    source : Recording, str, path, or sequence of paths
        A Recording, a reference's name, a sample's name, or what ``spikefit.load`` reads.
    stimulus : {"ideal_step", "recorded", "smoothed"}, optional
        How files and samples read their current (``spikefit.load``). By default
        ``DEFAULT_STIMULUS``, without the loader's warning (the rebuilt step is the rule),
        except for a Recording that spikefit wrote: its stimulus was chosen when it was first
        loaded, and it is read as written. A reference's current is the simulated one.
    **options
        More options of ``spikefit.load`` (ljp, sweeps, channel_units, ...) for files and samples.

    Returns
    -------
    Recording
        Every sweep of the source; its ``cell`` is the source's name when the file names none.

    Raises
    ------
    ValueError
        No file, folder, sample or reference of that name, or options given for a Recording
        or a reference (which have nothing to read).
    """
    if isinstance(source, Recording) or (isinstance(source, str) and source in REFERENCES):
        if options:
            raise ValueError(f"options {', '.join(sorted(options))} apply to files and samples, got them "
                             f"for {'a Recording' if isinstance(source, Recording) else f'reference {source!r}'}")
        return source if isinstance(source, Recording) else reference(source)
    with warnings.catch_warnings():
        if stimulus in (None, "ideal_step"):
            warnings.filterwarnings("ignore", message=".*rebuilt as ideal steps")
        recording = _read(source, stimulus, options)
    if recording.cell is None:
        name = source[0] if isinstance(source, (list, tuple)) and len(source) == 1 else source
        recording = Recording(recording.sweeps, {**recording.metadata, "cell": str(name)})
    return recording


def _read(source, stimulus: str | None, options: dict) -> Recording:
    from .raw import ProcessedRecordingError

    if stimulus is not None:
        return _load(source, stimulus=stimulus, **options)
    try:
        return _load(source, stimulus=DEFAULT_STIMULUS, **options)
    except ProcessedRecordingError:
        return _load(source, **options)  # processed when it was first loaded: read as written


def _load(source, **options) -> Recording:
    from . import samples
    from .loaders import load

    if isinstance(source, (list, tuple)):
        if len(source) > 1:
            return load(list(source), **options)
        source = source[0]
    if Path(source).exists():
        return load(source, **options)
    if source in samples.names():
        return samples.load(source, **options)
    raise ValueError(f"no file or folder {str(source)!r}, and no sample or reference of that name; samples are "
                     f"{', '.join(samples.names())}, references {', '.join(REFERENCES)}")
