"""Targets, objectives and search: how well a model fits, and the fit.

``target``, ``objectives``, ``estimation``, ``space``, ``search`` (Optuna), ``refine``, ``result`` and
``recovery`` are imported on first use, so that ``import spikefit`` stays fast. What measures a
trace (features, metrics) is in ``spikefit.features``.
"""
from importlib import import_module

_LAZY = {
    "fit": "search", "FitResult": "result", "SearchSpace": "space", "search_space": "space",
    "BatchCmaEsSampler": "samplers",
    "build_target": "target", "Target": "target", "OBJECTIVES": "objectives",
    "parse_objective": "objectives", "Scores": "objectives",
    "recover": "recovery", "Recovery": "recovery", "default_protocol": "recovery",
    "estimate": "estimation", "Estimate": "estimation",
}

__all__ = list(_LAZY)


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
