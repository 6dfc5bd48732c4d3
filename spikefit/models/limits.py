"""LIF as a limit case of the richer models: a LIF parameter set written in their parameters.

A comparison that finds a richer model worse than LIF has found a failure of the fit, not of
the model, wherever the richer model contains LIF: ``embed`` gives the richer model's
parameter set that behaves as a fitted LIF, so that its fit can start there
(``fitting.fit(candidates=...)``) and the objective decides.

AdEx contains LIF exactly in the limit a = b = 0, Delta_T -> 0: the exponential then turns
on at V_T like a threshold. Delta_T is the smallest its bounds allow, and V_cut V_T +
5 Delta_T (the convention of ``adex.PARAMETERS``; from there the exponential reaches any V_cut
in microseconds) or the bound of V_cut. At a finite Delta_T neither threshold matches LIF at
once everywhere: ``variant="threshold"`` puts V_T at V_th (the exponential starts below it, so
a voltage held just under V_th may fire), ``"rheobase"`` at V_th + Delta_T (the fixed point
vanishes at V = V_T under g_L (V_T - E_L - Delta_T): LIF's rheobase, reached later).

Izhikevich does not contain LIF: its quadratic bends below threshold and takes time to reach
v_peak, and it has no refractory period. A quadratic that keeps LIF's rest, leak at rest and
rheobase (tried on the 12 default cells, seed 0) scored 1.1 to 80 times LIF's training
objective, and as a start it left 4 of 7 Izhikevich fits worse than the blind search: it is
not offered.
"""
from __future__ import annotations

from typing import Mapping

LIMITS = {("lif", "adex"): ("threshold", "rheobase")}
"""(simpler, richer) -> the variants of ``embed``: the richer models that contain a simpler one."""

HELD = {("lif", "adex"): ("a", "b", "tau_w")}
"""(simpler, richer) -> the richer model's parameters that every embedding of the simpler sets
alike: AdEx without adaptation (a = b = 0; tau_w then acts on nothing). A richer fit that ends
worse than the simpler one searches again with these held (``held``; ``reports.fit_job``):
a smaller space around the simpler model's fit."""

V_CUT_ABOVE_V_T = 5.0
"""V_cut at least V_T + 5 Delta_T: from there the exponential reaches V_cut in microseconds."""


def variants(source: str, into: str) -> tuple[str, ...]:
    """The ways ``embed`` writes ``source`` in ``into``; empty when ``into`` does not contain it."""
    return LIMITS.get((source, into), ())


def held(embedding: Mapping[str, float], *, source: str, into: str) -> dict:
    """name -> value: the parameters ``HELD`` names for (source, into), at their values in
    ``embedding`` (a parameter set of ``embed``); empty where ``into`` holds none."""
    return {name: float(embedding[name]) for name in HELD.get((source, into), ())}


def embed(params: Mapping[str, float], *, source: str, into: str, variant: str | None = None,
          delta_t: float | None = None) -> dict:
    """V, S, F, s (SI): the parameter set of model ``into`` that behaves as ``params`` of ``source``.

    Parameters
    ----------
    params : mapping name -> float
        A full parameter set of ``source`` (SI).
    source, into : str
        Model names, a pair of ``LIMITS``.
    variant : str, optional
        One of ``variants(source, into)``; the first by default.
    delta_t : float, optional
        V: Delta_T of an AdEx embedding; by default the smallest its bounds allow. The
        embedding approaches LIF as it shrinks (at 0.2 mV, the bound, a LIF firing at
        30-120 Hz with tau_m = 20 ms fires 8-14 % slower: the way from V_th to V_cut).

    Raises
    ------
    ValueError
        ``into`` does not contain ``source`` (``LIMITS``), an unknown variant, or a parameter
        of ``source`` missing from ``params``.
    """
    known = variants(source, into)
    if not known:
        pairs = ", ".join(f"{a} in {b}" for a, b in LIMITS)
        raise ValueError(f"model {into!r} does not contain {source!r} as a limit case; known: {pairs}")
    variant = known[0] if variant is None else variant
    if variant not in known:
        raise ValueError(f"variant must be one of {list(known)} for {source} in {into}, got {variant!r}")
    from . import get_model

    names = [p.name for p in get_model(source).parameters]
    missing = [n for n in names if n not in params]
    if missing:
        raise ValueError(f"params must hold every parameter of {source!r}, missing {missing}")
    p = {n: float(params[n]) for n in names}
    return _lif_in_adex(p, variant, delta_t)


def _lif_in_adex(p: dict, variant: str, delta_t: float | None) -> dict:
    from . import get_model

    adex = get_model("adex")
    delta = adex.parameter("Delta_T").low if delta_t is None else float(delta_t)
    v_t = p["V_th"] + (delta if variant == "rheobase" else 0.0)
    v_cut = max(v_t + V_CUT_ABOVE_V_T * delta, adex.parameter("V_cut").low)
    return {"C": p["C"], "g_L": p["g_L"], "E_L": p["E_L"], "V_T": v_t, "Delta_T": delta,
            "tau_w": adex.parameter("tau_w").default, "a": 0.0, "b": 0.0, "V_reset": p["V_reset"],
            "V_cut": v_cut, "t_ref": p["t_ref"]}

