"""Destexhe 2009 (J Comput Neurosci 27:493): AdEx cell types and a self-sustained cortical network.

- ``cell_types``: ``simulate_cell_types``, the six cell types of the paper's Fig. 1 under
  +-0.25 nA steps.
- ``network``, ``brian2_network``, ``simulate``: the cortical network of RS, LTS and FS cells
  (``simulate_network``), its constants and results, and its Brian 2 objects.
- ``sweeps``: one factor at a time (delay, jitter, facilitation, depression, STDP, release).
- ``edge_bisection``: ``sustaining_edge``, bisection for the strongest RS adaptation, or the
  smallest network, that still sustains asynchronous irregular activity.
- ``figures`` and ``report``: the figures, and ``report.md`` of a sweep.
"""
from .cell_types import CELL_TYPES, simulate_cell_types
from .figures import plot_cell_types, plot_raster, plot_sweep
from .network import NetworkResult, PoissonKick, PopulationSpikes
from .report import write_sweep_report
from .simulate import simulate_network
from .edge_bisection import SustainingEdge, sustaining_edge
from .sweeps import SWEEP_FACTORS, summarise_sweep, sweep

__all__ = ["CELL_TYPES", "simulate_cell_types", "plot_cell_types", "plot_raster", "plot_sweep", "NetworkResult",
           "PoissonKick", "PopulationSpikes", "write_sweep_report", "simulate_network", "SustainingEdge",
           "sustaining_edge", "SWEEP_FACTORS", "summarise_sweep", "sweep"]
