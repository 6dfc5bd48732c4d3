"""spikefit: fit point-neuron models to membrane-potential traces and compare them."""
from .data import Recording, Stimulus, Trace, from_array, load, ou_noise, pulse_train, ramp, step, step_protocol
from .models import BatchResult, SimulationDiverged, available_models, get_model
from .features import extract_features

__version__ = "0.1.0"

__all__ = [
    "Stimulus", "Trace", "Recording",
    "step", "step_protocol", "ramp", "pulse_train", "ou_noise", "from_array", "load",
    "get_model", "available_models", "BatchResult", "SimulationDiverged",
    "extract_features", "fit", "recover", "compare_models",
]


def __getattr__(name):
    # fit, recover and compare_models load Optuna: imported on first use so that
    # `import spikefit` stays fast
    if name in ("fit", "recover"):
        from . import fitting

        return getattr(fitting, name)
    if name == "compare_models":
        from .reports.comparison import compare_models

        return compare_models
    raise AttributeError(f"module 'spikefit' has no attribute {name!r}")
