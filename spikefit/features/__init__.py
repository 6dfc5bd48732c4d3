"""Everything that measures a trace or a spike train: eFEL features, the fast batch path,
spike-train metrics.

``efel_features`` (eFEL's features of any trace, ``extract_features``) is imported at once;
``fast`` (eFEL's definitions in numpy, for fits), ``peaks`` and ``metrics`` (Gamma, van Rossum,
explained variance, Md*), ``voltage_error`` (subthreshold error) compile numba kernels and are imported on first use, so
that ``import spikefit`` stays fast.
"""
from importlib import import_module

from .efel_features import (DEFAULT_FEATURES, FIRING_FEATURES, SHAPE_FEATURES, SUBTHRESHOLD_FEATURES,
                            extract_features)

_LAZY = {
    "batch_features": "fast", "fast_extract_features": "fast", "feature_values": "fast",
    "FAST_FEATURES": "fast", "FAST_DEFAULT": "fast", "UNITS": "fast",
    "gamma_factor": "metrics", "batch_gamma": "metrics", "gamma_over_repeats": "metrics",
    "GammaUndefined": "metrics", "intrinsic_reliability": "metrics", "normalized_gamma": "metrics",
    "van_rossum_distance": "metrics", "explained_variance": "metrics", "spike_train_ev": "metrics",
    "md_star": "metrics", "subthreshold_error": "voltage_error", "METRICS": "metrics",
}

__all__ = ["extract_features", "DEFAULT_FEATURES", "FIRING_FEATURES", "SUBTHRESHOLD_FEATURES",
           "SHAPE_FEATURES", *_LAZY]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
