"""Features, spike-train metrics, objectives and search: how well a model fits.

``features`` (eFEL) is imported at once; ``fast_features``, ``metrics``, ``objectives``,
``search`` (Optuna) and ``recovery`` are imported on first use, so that ``import spikefit``
stays fast.
"""
from importlib import import_module

from .features import (DEFAULT_FEATURES, FIRING_FEATURES, SHAPE_FEATURES, SUBTHRESHOLD_FEATURES,
                       extract_features)

_LAZY = {
    "batch_features": "fast_features", "fast_extract_features": "fast_features",
    "FAST_FEATURES": "fast_features", "metrics": None,
    "fit": "search", "FitResult": "search", "SearchSpace": "search", "search_space": "search",
    "BatchCmaEsSampler": "search",
    "build_target": "objectives", "Target": "objectives", "OBJECTIVES": "objectives",
    "parse_objective": "objectives", "Scores": "objectives",
    "recover": "recovery", "Recovery": "recovery", "default_protocol": "recovery",
    "estimate": "estimation", "Estimate": "estimation",
}

__all__ = [
    "extract_features", "DEFAULT_FEATURES", "FIRING_FEATURES", "SUBTHRESHOLD_FEATURES",
    "SHAPE_FEATURES", "batch_features", "fast_extract_features", "FAST_FEATURES", "metrics",
    "fit", "FitResult", "SearchSpace", "search_space", "BatchCmaEsSampler", "build_target", "Target",
    "OBJECTIVES", "parse_objective", "Scores", "recover", "Recovery", "default_protocol",
    "estimate", "Estimate",
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(f".{_LAZY[name] or name}", __name__)
    return module if _LAZY[name] is None else getattr(module, name)
