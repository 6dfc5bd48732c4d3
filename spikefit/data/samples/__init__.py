"""Real recordings shipped with spikefit, with their licences and attribution files.

>>> from spikefit.data import samples
>>> samples.names()[:3]
['bluepyefe_b6_idrest', 'bluepyefe_b8_idrest', 'pyabf_171116sh_0018']
>>> rec = samples.load("sscx_l5ttpc_idrest")   # doctest: +SKIP

Each sample sits in its own folder beside this file with its licence (``LICENSE_*.txt``) and an
``ATTRIBUTION.md`` that says where it comes from, what was selected and how to cite it.
"""
from __future__ import annotations

from pathlib import Path

from ..trace import Recording

_HERE = Path(__file__).resolve().parent

# name -> what the sample is. "file" is relative to this folder; "metadata" is what the source
# says about the cell (recorded in the Recording's metadata as given); "options", what
# spikefit.load must be told to read it (where the files do not say).
_SSCX = {
    "species": "Rattus norvegicus (Wistar, juvenile)",
    "cell_type": "L5 thick-tufted pyramidal cell (e-type cADpyr)",
    "brain_region": "somatosensory cortex",
    "ljp_stated": 0.014,
    "citation": "Reva, Rossert et al. 2023, Patterns 4:100855, doi:10.1016/j.patter.2023.100855",
    "licence": "CC BY 4.0",
}
_EVERY_50_PA = (0, 4, 6, 8, 10, 12, 14, 16)
"""Sweeps of the pyABF step files (-100..300 pA by 25 pA) a sample holds: -100 pA and 0..300 pA by
50 pA, half the file: 20 kHz sweeps of 3 s cost a fit five times a 4 kHz one, and the suite's
comparison must stay under two minutes. ``sweeps=`` (positions in the file) reads any others."""

_BLUEPYEFE = {
    "species": None,  # the source calls them rat SSCx in one place and "MouseNeuron" in another
    "brain_region": "somatosensory cortex",
    "ljp_stated": 0.014,
    "licence": "BSD (BluePyEfe test data)",
}
_SAMPLES = {
    "sscx_l5ttpc_idrest": {
        "file": "sscx_l5ttpc_idrest",
        "licence": "CC BY 4.0",
        "description": "rat SSCx L5 thick-tufted pyramidal cell C060109A1-SR-C1: 16 IDrest steps "
                       "(8 amplitudes x 2 repetitions, ~185-700 pA, 0.7-2.7 s), recorded current, 4 kHz",
        "metadata": _SSCX,
        "cell": "C060109A1-SR-C1",
    },
    "sscx_l5ttpc_c060112a3_idrest": {
        "file": "sscx_l5ttpc_c060112a3_idrest",
        "licence": "CC BY 4.0",
        "description": "rat SSCx L5 thick-tufted pyramidal cell C060112A3-SR-C1: 16 IDrest steps "
                       "(8 amplitudes x 2 repetitions, 0.7-2.7 s), recorded current, 4 kHz",
        "metadata": _SSCX,
        "cell": "C060112A3-SR-C1",
    },
    "bluepyefe_b6_idrest": {
        "file": "bluepyefe_b6_idrest",
        "licence": "BSD",
        "description": "BBP somatosensory cortex cell B6 (BluePyEfe test data): 5 IDRest steps (0.7-2.7 s), "
                       "recorded current, 4 kHz, fast firing",
        "metadata": {**_BLUEPYEFE, "cell_type": None},
        "cell": "B6",
        "options": {"channel_units": {0: "pA", 3: "mV"}},
    },
    "bluepyefe_b8_idrest": {
        "file": "bluepyefe_b8_idrest",
        "licence": "BSD",
        "description": "BBP somatosensory cortex cell B8 (BluePyEfe test data): 5 IDRest steps (0.7-2.7 s), "
                       "recorded current, 4 kHz, fast firing",
        "metadata": {**_BLUEPYEFE, "cell_type": None},
        "cell": "B8",
        "options": {"channel_units": {0: "pA", 3: "mV"}},
    },
    "pyabf_171116sh_0018": {
        "file": "pyabf_171116sh_0018/171116sh_0018.abf",
        "licence": "MIT",
        "description": "regular-spiking, adapting cell (pyABF sample 171116sh_0018): 8 of the file's 17 steps, "
                       "-100 pA and 0..300 pA by 50 pA, command waveform, 20 kHz",
        "metadata": {"cell_type": None, "species": None, "licence": "MIT (pyABF sample collection)"},
        "cell": "171116sh_0018",
        "options": {"sweeps": list(_EVERY_50_PA)},
    },
    "pyabf_fsi": {
        "file": "pyabf_fsi/2019_07_24_0055_fsi.abf",
        "licence": "MIT",
        "description": "fast-spiking interneuron (pyABF sample 2019_07_24_0055_fsi): 8 of the file's 17 steps, "
                       "-100 pA and 0..300 pA by 50 pA, command waveform, 20 kHz",
        "metadata": {
            "cell_type": "fast-spiking interneuron (as its file name says)",
            "licence": "MIT (pyABF sample collection)",
        },
        "cell": None,
        "options": {"sweeps": list(_EVERY_50_PA)},
    },
}


def names() -> list[str]:
    """Names of the shipped samples, sorted."""
    return sorted(_SAMPLES)


def _spec(name: str) -> dict:
    if name not in _SAMPLES:
        raise ValueError(f"unknown sample {name!r}; samples are {', '.join(names())}")
    return _SAMPLES[name]


def path(name: str) -> Path:
    """Where the sample's file (or folder of files) is."""
    return _HERE / _spec(name)["file"]


def describe(name: str) -> str:
    """One line on what the sample holds, and its licence."""
    spec = _spec(name)
    return f"{name}: {spec['description']} ({spec['licence']})"


def attribution(name: str) -> str:
    """The sample's attribution text: source, selection, citation and licence."""
    return (path(name) if path(name).is_dir() else path(name).parent).joinpath("ATTRIBUTION.md").read_text()


def load(name: str, **options) -> Recording:
    """The sample as a Recording, read by ``spikefit.load`` with ``options`` (ljp, sweeps, stimulus...);
    ``sweeps`` are positions in the sample's file, and replace the sample's own selection."""
    from ..loaders import load as load_file

    spec = _spec(name)
    metadata = {**spec["metadata"], **(options.pop("metadata", None) or {})}
    options = {**spec.get("options", {}), **options}
    if spec["cell"] is not None:
        options.setdefault("cell", spec["cell"])
    return load_file(path(name), metadata=metadata, **options)
