"""Parameters of LIF, Izhikevich and AdEx from the voltage trace, by regression of dV/dt.

``sweeps`` prepares the samples and the filters, ``models`` holds each model's regressors,
``events`` the trajectory around each spike, ``api`` the ``estimate`` function.
"""
from .api import Estimate, estimate

__all__ = ["estimate", "Estimate"]
