"""The sample recordings shipped in the package, with their licences and attribution."""
import hashlib
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import efel
import numpy as np
import pytest

from spikefit.data import samples

SAMPLES_DIR = Path(samples.__file__).parent


def test_names_and_loading():
    assert samples.names() == ["bluepyefe_b6_idrest", "bluepyefe_b8_idrest", "pyabf_171116sh_0018", "pyabf_fsi",
                               "sscx_l5ttpc_c060112a3_idrest", "sscx_l5ttpc_idrest"]
    l5 = samples.load("sscx_l5ttpc_idrest")
    assert len(l5) == 16 and l5.cell == "C060109A1-SR-C1" and l5.metadata["species"].startswith("Rattus norvegicus")
    assert l5.metadata["cell_type"].startswith("L5 thick-tufted pyramidal") and l5.metadata["ljp_stated"] == 0.014
    assert l5.metadata["ljp_applied"] == 0.0 and l5.sampling_rates == [4000.0] * 16
    amplitudes = np.array([t.stimulus.metadata["amplitude"] for t in l5]) * 1e12
    assert np.allclose(amplitudes[:8], amplitudes[8:], atol=10) and 170 < amplitudes[0] < amplitudes[7] < 720
    fsi = samples.load("pyabf_fsi", sweeps=[16])
    assert fsi.metadata["cell_type"].startswith("fast-spiking interneuron") and fsi.metadata["species"] is None
    # The truth: eFEL's spike count of the same sweep's voltage, over the whole sweep.
    trace = fsi[0]
    efel.reset()
    [counted] = efel.get_feature_values([{"T": np.arange(trace.v.size) * trace.dt * 1e3, "V": trace.v * 1e3,
                                          "stim_start": [0.0], "stim_end": [trace.v.size * trace.dt * 1e3]}],
                                        ["spike_count"])
    assert len(trace.spike_times) == int(counted["spike_count"][0]) > 50  # a fast-spiking train


@pytest.mark.parametrize("name, cell, n_sweeps, n_levels", [
    ("sscx_l5ttpc_c060112a3_idrest", "C060112A3-SR-C1", 16, 8),
    ("bluepyefe_b6_idrest", "B6", 5, 5),
    ("bluepyefe_b8_idrest", "B8", 5, 5),
    ("pyabf_171116sh_0018", "171116sh_0018", 8, 8),
    ("pyabf_fsi", "2019_07_24_0055_fsi", 8, 8),
])
def test_suite_samples_resolve_to_step_families(name, cell, n_sweeps, n_levels):
    """Each loads by name through resolve, with its cell, its step levels and spikes that eFEL counts too."""
    from spikefit.data import resolve
    from spikefit.reports.cells import step_levels

    recording = resolve(name)
    assert recording.cell == cell and len(recording) == n_sweeps and len(step_levels(recording)) == n_levels
    assert recording.metadata["licence"].startswith(samples._spec(name)["licence"].split(" ")[0])
    trace = recording[-1]  # the largest step: the truth is eFEL's spike count of the same voltage
    efel.reset()
    [counted] = efel.get_feature_values([{"T": np.arange(trace.v.size) * trace.dt * 1e3, "V": trace.v * 1e3,
                                          "stim_start": [0.0], "stim_end": [trace.v.size * trace.dt * 1e3]}],
                                        ["spike_count"])
    assert len(trace.spike_times) == int(counted["spike_count"][0]) >= 10
    assert np.all(np.abs(trace.v) < 0.2) and -0.1 < np.median(trace.v) < -0.04  # volts, as the units say


def test_a_pyabf_sample_is_half_its_file_and_sweeps_reads_the_rest():
    """The sample holds -100 pA and 0..300 pA by 50 pA; sweeps= (positions in the file) reads any sweep."""
    chosen = samples.load("pyabf_171116sh_0018")
    levels = [t.stimulus.metadata["amplitude"] for t in chosen]
    assert np.allclose(np.array(levels) * 1e12, [-100, 0, 50, 100, 150, 200, 250, 300], atol=0.5)
    every = samples.load("pyabf_171116sh_0018", sweeps=list(range(17)))
    assert np.allclose([t.stimulus.metadata["amplitude"] * 1e12 for t in every], np.arange(-100, 301, 25), atol=0.5)


def test_options_reach_the_loader():
    corrected = samples.load("sscx_l5ttpc_idrest", sweeps=[0], ljp=0.014, metadata={"slice": "s1"})
    assert corrected.metadata["ljp_applied"] == 0.014 and corrected.metadata["slice"] == "s1"


def test_unknown_sample():
    with pytest.raises(ValueError, match=r"unknown sample 'l5'; samples are bluepyefe_b6_idrest, .*, sscx_l5ttpc_idrest$"):
        samples.load("l5")


@pytest.mark.parametrize("name, licence, licence_text, stated", [
    ("sscx_l5ttpc_idrest", "LICENSE_CC-BY-4.0.txt", "Creative Commons (CC BY) 4.0",
     ("CC BY 4.0", "doi:10.1016/j.patter.2023.100855")),
    ("pyabf_fsi", "LICENSE_MIT.txt", "MIT License", ("MIT licence",)),
    ("sscx_l5ttpc_c060112a3_idrest", "LICENSE_CC-BY-4.0.txt", "Creative Commons (CC BY) 4.0",
     ("CC BY 4.0", "doi:10.1016/j.patter.2023.100855")),
    ("pyabf_171116sh_0018", "LICENSE_MIT.txt", "MIT License", ("MIT licence",)),
    ("bluepyefe_b6_idrest", "LICENSE_BluePyEfe.txt", "Examples and test are BSD-licensed", ("BSD licence",)),
    ("bluepyefe_b8_idrest", "LICENSE_BluePyEfe.txt", "Examples and test are BSD-licensed", ("BSD licence",)),
])
def test_every_sample_carries_its_licence_and_attribution(name, licence, licence_text, stated):
    folder = samples.path(name) if samples.path(name).is_dir() else samples.path(name).parent
    assert (folder / licence).stat().st_size > 1000 and licence_text in (folder / licence).read_text()
    assert [p.name for p in folder.glob("LICENSE_*")] == [licence]  # its own licence, no other
    text = samples.attribution(name)
    assert "commit" in text and samples.describe(name).startswith(name)
    assert all(words in text for words in stated), stated
    assert samples.describe(name).endswith(f"({stated[0].split(' licence')[0]})")


@pytest.mark.parametrize("name", samples.names())
def test_every_shipped_file_is_the_one_its_attribution_hashes(name):
    """The files are byte-identical copies of their source: their sha256 is the attribution's."""
    folder = samples.path(name) if samples.path(name).is_dir() else samples.path(name).parent
    text = samples.attribution(name)
    data = sorted(p for p in folder.iterdir() if p.suffix in (".ibw", ".abf"))
    for path in data:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.search(rf"{digest}(\s+{re.escape(path.name)})?\s*$", text, re.MULTILINE), path.name
    assert len(re.findall(r"\b[0-9a-f]{64}\b", text)) == len(data)


def test_samples_are_small_and_in_the_wheel():
    files = [p for p in SAMPLES_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"]
    assert sum(p.stat().st_size for p in files) < 8.5e6  # a few MB in all (issue 13: the suite adds at most 10 MB)
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["spikefit.data.samples"]
    for p in files:
        relative = p.relative_to(SAMPLES_DIR).as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative
