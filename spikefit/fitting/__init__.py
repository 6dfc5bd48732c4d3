"""Features, spike-train metrics, objectives and search: how well a model fits.

``features`` (eFEL) is imported at once; ``fast_features`` and ``metrics`` compile numba code
and are imported on first use, so that ``import spikefit`` stays fast.
"""
from importlib import import_module

from .features import (DEFAULT_FEATURES, FIRING_FEATURES, SHAPE_FEATURES, SUBTHRESHOLD_FEATURES,
                       extract_features)

_LAZY = {
    "batch_features": "fast_features", "fast_extract_features": "fast_features",
    "FAST_FEATURES": "fast_features", "metrics": None,
}

__all__ = [
    "extract_features", "DEFAULT_FEATURES", "FIRING_FEATURES", "SUBTHRESHOLD_FEATURES",
    "SHAPE_FEATURES", "batch_features", "fast_extract_features", "FAST_FEATURES", "metrics",
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(f".{_LAZY[name] or name}", __name__)
    return module if _LAZY[name] is None else getattr(module, name)
