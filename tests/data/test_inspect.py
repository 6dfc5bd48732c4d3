"""``describe``: the text table of what was read from a recording."""
from spikefit.data import load, samples
from spikefit.data.inspect import describe


def test_describe_names_species_and_cell_type():
    text = describe(load(samples.path("pyabf_fsi"), sweeps=[0], metadata={"species": "Mus musculus"}))
    assert "species Mus musculus" in text.splitlines()[1]
