"""``spikefit models``: every model, its parameters in display units, and its presets."""
import spikefit
from spikefit.cli import main


def test_models_lists_parameters_in_display_units(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in spikefit.available_models():
        assert f"\n{name}: " in f"\n{out}"
    assert "adex:" in out and "tau_w" in out and "ms" in out
    assert "presets: brette_gerstner_2005" in out
