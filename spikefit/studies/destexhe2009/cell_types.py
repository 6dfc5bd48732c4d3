"""Destexhe 2009 (J Comput Neurosci 27:493), Fig. 1: six AdEx cell types under +-0.25 nA steps.

Every cell type shares one membrane (200 pF, 10 nS, E_L = -60 mV, V_T = -50 mV,
Delta_T = 2.5 mV, tau_w = 600 ms, refractory 2.5 ms) and differs only in its adaptation
(a, b); the parameter sets are the AdEx presets ``destexhe_*`` (spikefit.models.presets,
../shared/reference/REFERENCE.md section 3). As in the paper's figure and its seed notebook,
each cell receives a depolarising and a hyperpolarising step of 0.25 nA from 200 to 700 ms,
over a 1.5 s run at dt = 0.1 ms, starting from rest (V = E_L, w = 0).

What the figure shows: RS cells adapt (strongly with b = 40 pA, mildly with 5 pA), FS cells
do not (b = 0, a = 1 nS), and the cells with a strong subthreshold adaptation conductance
(LTS a = 20 nS, TC a = 40 nS, RE a = 30 nS) fire a rebound burst when the hyperpolarising
step ends: during the step, w settles at a (V - E_L) < 0, an inward current that outlasts the
step and carries V across threshold once the step is released.

``figures.plot_cell_types`` draws the figure. The network of the paper's Fig. 7 is
``simulate.simulate_network``.
"""
from __future__ import annotations

from typing import Mapping

from ...data import Recording, step
from ...data.stimulus import MAX_PLAUSIBLE_CURRENT
from ...data.units import require_finite, to_si

CELL_TYPES = {
    "rs_strong": ("destexhe_rs_strong", "RS, strong adaptation"),
    "rs_weak": ("destexhe_rs_weak", "RS, weak adaptation"),
    "fs": ("destexhe_fs", "FS"),
    "lts": ("destexhe_lts", "LTS"),
    "tc": ("destexhe_tc", "TC"),
    "re": ("destexhe_re", "RE"),
}
"""Cell type -> (AdEx preset, panel title), in the order of the paper's Fig. 1."""

STEP_START = 0.2
"""Onset (s) of the steps, as in the seed notebook (200 ms)."""
STEP_STOP = 0.7
"""Offset (s) of the steps (700 ms)."""
DURATION = 1.5
"""Length (s) of each sweep (1.5 s): 800 ms after the step for rebound bursts."""


def _check_names(names) -> list[str]:
    from ...models.parameters import unknown_name_error

    if names is None:
        return list(CELL_TYPES)
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError(f"names must name at least one cell type of {', '.join(CELL_TYPES)}, got []")
    for name in names:
        if name not in CELL_TYPES:
            raise unknown_name_error("cell type", name, list(CELL_TYPES), "Destexhe 2009")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"names must not repeat a cell type, got {', '.join(repeated)} more than once")
    return names


def _check_amplitude(amplitude) -> float:
    amplitude = require_finite(to_si(amplitude, "A", "amplitude"), "amplitude")
    if not 0 < amplitude <= MAX_PLAUSIBLE_CURRENT:
        raise ValueError(
            f"amplitude must be > 0 and <= {MAX_PLAUSIBLE_CURRENT} A (its size: the steps are "
            f"+amplitude and -amplitude), got amplitude={amplitude} A"
            + ("; was a current in nA passed as A?" if amplitude > MAX_PLAUSIBLE_CURRENT else "")
        )
    return amplitude


def simulate_cell_types(names=None, amplitude=0.25e-9, start=STEP_START, stop=STEP_STOP,
                        duration=DURATION, dt=1e-4, overrides: Mapping | None = None) -> dict[str, Recording]:
    """Simulate Destexhe 2009 cell types under a +``amplitude`` and a -``amplitude`` step.

    Parameters
    ----------
    names : str or sequence of str, optional
        Cell types among ``CELL_TYPES`` ("rs_strong", "rs_weak", "fs", "lts", "tc", "re");
        all six by default, in the paper's order.
    amplitude : float or brian2 Quantity
        Size of the steps in A (0.25 nA): each cell gets +amplitude and -amplitude.
    start, stop, duration : float or brian2 Quantity
        Step onset, step offset and sweep length in s (200 ms, 700 ms, 1.5 s).
    dt : float or brian2 Quantity
        Sampling and integration step in s (0.1 ms, as the paper).
    overrides : mapping, optional
        AdEx parameter values applied to every cell type, for example
        ``{"V_reset": -55e-3}`` (the seed notebook's reset; the paper's is -60 mV).

    Returns
    -------
    dict
        Cell type -> ``Recording`` of two sweeps (+amplitude, then -amplitude); its metadata
        names the cell type, the preset, the panel title and the parameters (SI). Spikes
        are drawn in the voltage as one sample at +20 mV, as in the paper's figure.

    Raises
    ------
    ValueError
        An unknown or repeated cell type, an amplitude <= 0 or implausibly large, a step
        outside the sweep, an unknown or invalid override.
    """
    from ...models import get_model

    names = _check_names(names)
    amplitude = _check_amplitude(amplitude)
    stimuli = [step(sign * amplitude, start, stop, duration, dt) for sign in (1.0, -1.0)]
    model = get_model("adex")
    recordings = {}
    for name in names:
        preset, label = CELL_TYPES[name]
        params = {**model.preset(preset), **dict(overrides or {})}
        rec = model.simulate(params, stimuli)
        recordings[name] = Recording(rec.sweeps, {
            "cell": name, "model": "adex", "preset": preset, "label": label,
            "params": rec.metadata["params"], "amplitude": amplitude,
        })
    return recordings
