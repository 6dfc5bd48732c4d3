"""Neuron models behind one contract: parameters, ``simulate`` and ``simulate_batch``."""
from __future__ import annotations

from .base import BatchResult, Model, SimulationDiverged
from .parameters import Parameter, unknown_name_error

_MODELS = {
    "lif": ("lif", "LIF"),
    "izhikevich": ("izhikevich", "Izhikevich"),
    "adex": ("adex", "AdEx"),
    "hh": ("hh", "HodgkinHuxley"),
    "hh_rs": ("hh", "PospischilRS"),
    "hh_fs": ("hh", "PospischilFS"),
    "hh_ib": ("hh", "PospischilIB"),
    "hh_lts": ("hh", "PospischilLTS"),
}


def available_models() -> list[str]:
    """Names that ``get_model`` accepts."""
    return list(_MODELS)


def get_model(name: str, backend: str = "numba") -> Model:
    """A model by name: "lif", "izhikevich", "adex", "hh", "hh_rs", "hh_fs", "hh_ib" or "hh_lts".

    ``backend="brian2"`` runs the same equations in Brian 2 (the reference); the default,
    "numba", runs compiled batch kernels.
    """
    if name not in _MODELS:
        raise unknown_name_error("model", name, list(_MODELS), "spikefit")
    from importlib import import_module

    module, cls = _MODELS[name]
    return getattr(import_module(f"{__name__}.{module}"), cls)(backend=backend)


__all__ = ["Model", "BatchResult", "Parameter", "SimulationDiverged", "get_model", "available_models"]
