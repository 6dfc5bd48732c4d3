"""The LIF tutorial's explorer: sliders for a model's parameters, its trace against a target's.

The lecture notebook this grew from (../shared/sources/lif_tutorial.md) moves input current,
tau and E_leak with ipywidgets sliders, then asks how badly a LIF trace matches a
Hodgkin-Huxley trace and which metrics would say so. ``explore`` does both at once: one
slider per model parameter (from its spec: default, bounds, log scale, unit) and one for the
step current; every change re-simulates the model and the target under the same step,
redraws the two traces, and prints the scores: Gamma at Delta = 4 ms, the subthreshold
voltage error, and the errors of a few eFEL features.

The widgets are a thin layer. All the work is in plain functions that run without them:
``make_state`` checks the choices once, ``update(state, **values)`` simulates, scores and
draws for one set of slider values (SI units, as everywhere in spikefit), ``format_scores``
gives the printed table. ipywidgets is an optional extra (``pip install "spikefit[explore]"``),
imported only inside ``explore``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..data import Trace, step
from ..data.stimulus import MAX_PLAUSIBLE_CURRENT
from ..data.units import require_finite, to_display, to_si
from ..defaults import GAMMA_WINDOW
from .figures import finish_with_current

EXPLORER_FEATURES = ("spike_count", "mean_frequency", "time_to_first_spike", "voltage_base")
"""eFEL features whose errors (model - target) the explorer reports."""

INSTALL_HINT = 'pip install "spikefit[explore]"'

_TARGET_CACHE = 32  # simulated targets kept, one per step current


@dataclass(frozen=True, eq=False)
class ExplorerState:
    """What ``update`` needs besides the slider values; build it with ``make_state``.

    Attributes
    ----------
    model : Model
        The model under the sliders.
    params : dict
        Its starting parameter values (SI), complete.
    amplitude : float or None
        Starting step current (A); None when the target is a fixed Trace.
    target_model, target_params
        The model simulated as the target and its parameters (SI); None for a fixed Trace.
    target_trace : Trace or None
        A fixed target (a recording, say); the model is simulated under its stimulus.
    start, stop, duration, dt : float
        The step's window, the sweep length and the sampling step (s).
    delta : float
        Gamma's coincidence window (s).
    features : tuple of str
        eFEL features whose errors are scored.
    """

    model: object
    params: dict
    amplitude: float | None
    target_model: object | None
    target_params: dict | None
    target_trace: Trace | None
    start: float
    stop: float
    duration: float
    dt: float
    delta: float = GAMMA_WINDOW
    features: tuple[str, ...] = EXPLORER_FEATURES
    _targets: dict = field(default_factory=dict, repr=False)  # amplitude -> simulated target

    def stimulus(self, amplitude: float):
        """The step (a Stimulus) that model and target receive at ``amplitude`` (A)."""
        if self.target_trace is not None:
            return self.target_trace.stimulus
        return step(amplitude, self.start, self.stop, self.duration, self.dt)

    def target(self, amplitude: float | None) -> Trace:
        """The target trace at ``amplitude`` (A): simulated once per amplitude, then cached."""
        if self.target_trace is not None:
            return self.target_trace
        if amplitude not in self._targets:
            if len(self._targets) >= _TARGET_CACHE:
                self._targets.pop(next(iter(self._targets)))  # the oldest
            self._targets[amplitude] = self.target_model.simulate(self.target_params, self.stimulus(amplitude))
        return self._targets[amplitude]


def _as_model(model, what: str):
    from ..models import Model, get_model

    if isinstance(model, Model):
        return model
    if not isinstance(model, str):
        raise ValueError(f"{what} must be a model name or a Model, got {type(model).__name__}")
    return get_model(model)


def _params(model, params) -> dict:
    """Complete SI parameters from None, a preset name or a mapping (checked by the model's rules)."""
    if isinstance(params, str):
        params = model.preset(params)
    return model.table(dict(params or {})).iloc[0].to_dict()


def _amplitude(amplitude) -> float:
    amplitude = require_finite(to_si(amplitude, "A", "amplitude"), "amplitude")
    if abs(amplitude) > MAX_PLAUSIBLE_CURRENT:
        raise ValueError(
            f"|amplitude| <= {MAX_PLAUSIBLE_CURRENT} A must hold, got amplitude={amplitude} A: "
            "was a current in pA or nA passed as A?"
        )
    return amplitude


def make_state(model="lif", target="hh", *, params=None, target_params=None, amplitude=1e-9,
               start=0.1, stop=0.6, duration=0.7, dt=1e-4, delta=GAMMA_WINDOW,
               features=EXPLORER_FEATURES) -> ExplorerState:
    """Check the explorer's choices once and return the state ``update`` works from.

    Parameters
    ----------
    model : str or Model
        The model under the sliders ("lif" by default).
    target : str, Model or Trace
        A model simulated under the same step ("hh", the squid axon, by default), or a fixed
        Trace (a recording); the model is then simulated under the trace's stimulus, and
        the current cannot be changed.
    params, target_params : mapping or str, optional
        Starting parameter values (SI or brian2 Quantities) or a preset name; defaults fill
        in the rest.
    amplitude : float or brian2 Quantity
        Starting step current in A (1 nA: 10 uA/cm2 on the squid axon's 10 000 um2).
    start, stop, duration, dt : float or brian2 Quantity
        Step window, sweep length and sampling step in s (100 to 600 ms of 700 ms, 0.1 ms,
        as in the tutorial). A target Trace brings its own, and these are not used.
    delta : float
        Gamma's coincidence window in s (4 ms).
    features : sequence of str
        eFEL features whose errors are reported.
    """
    from ..features.efel_features import check_names

    model = _as_model(model, "model")
    params = _params(model, params)
    features = check_names(features)
    delta = require_finite(to_si(delta, "s", "delta"), "delta")
    if delta <= 0:
        raise ValueError(f"delta must be > 0, got delta={delta}")
    if isinstance(target, Trace):
        if target_params is not None:
            raise ValueError("target_params must be None when the target is a Trace: its voltage is fixed")
        stim = target.stimulus
        if stim.start is None:
            raise ValueError("a target Trace needs a stimulus window (start, stop) for its features, got none")
        return ExplorerState(model, params, None, None, None, target, stim.start, stim.stop,
                             stim.duration, stim.dt, delta, features)
    target_model = _as_model(target, "target")
    target_params = _params(target_model, target_params)
    amplitude = _amplitude(amplitude)
    state = ExplorerState(model, params, amplitude, target_model, target_params, None,
                          *_timing(start, stop, duration, dt), delta, features)
    state.stimulus(amplitude)  # checks the window against the sweep
    return state


def _timing(start, stop, duration, dt) -> tuple[float, float, float, float]:
    return tuple(require_finite(to_si(x, "s", name), name)
                 for x, name in ((start, "start"), (stop, "stop"), (duration, "duration"), (dt, "dt")))


def update(state: ExplorerState, amplitude=None, *, draw: bool = True, **values) -> dict:
    """Simulate, score and draw the model for one set of slider values: the sliders' callback.

    Parameters
    ----------
    state : ExplorerState
        From ``make_state``.
    amplitude : float or brian2 Quantity, optional
        Step current in A (the state's by default); not with a fixed target Trace.
    draw : bool
        Also draw the figure (``plot_against_target``).
    **values
        Model parameter values (SI or brian2 Quantities) that replace the state's.

    Returns
    -------
    dict
        ``scores`` (dict: ``gamma``, ``subthreshold_error`` in V, ``<feature>_error``,
        model minus target in SI), ``reasons`` (score -> why it is NaN), ``features``
        (DataFrame, rows "model" and "target", SI), ``trace`` and ``target`` (Traces),
        ``params`` (SI), ``amplitude`` (A or None), ``delta`` (s) and ``figure`` (or None).

    Raises
    ------
    ValueError
        An unknown parameter name, a value the model's rules forbid, a current to a fixed
        target. ``SimulationDiverged`` when the model runs away.
    """
    for name in values:
        state.model.parameter(name)  # unknown names raise, with suggestions
    params = _params(state.model, {**state.params, **values})
    if state.target_trace is not None:
        if amplitude is not None:
            raise ValueError("amplitude cannot be set when the target is a Trace: its stimulus is fixed")
    else:
        amplitude = state.amplitude if amplitude is None else _amplitude(amplitude)
    target = state.target(amplitude)
    trace = state.model.simulate(params, target.stimulus)
    scores, reasons, table = score(trace, target, state.delta, state.features)
    figure = plot_against_target(trace, target, scores, title=_title(state, amplitude)) if draw else None
    return {"scores": scores, "reasons": reasons, "features": table, "trace": trace,
            "target": target, "params": params, "amplitude": amplitude, "delta": state.delta,
            "figure": figure}


def _spikes(trace: Trace) -> np.ndarray:
    if trace.spike_times is not None:
        return trace.spike_times
    from ..data.spikes import detect_spikes

    return detect_spikes(trace.v, trace.dt)


def score(trace: Trace, target: Trace, delta: float = GAMMA_WINDOW, features=EXPLORER_FEATURES):
    """Scores of a model trace against a target trace on the same stimulus.

    Returns
    -------
    scores : dict
        ``gamma`` (coincidence factor at ``delta``), ``subthreshold_error`` (RMS, V, spikes
        left out) and ``<feature>_error`` (model minus target, SI) for each feature.
    reasons : dict
        Score name -> why it is NaN.
    table : pandas.DataFrame
        The features themselves, rows "model" and "target", SI units.
    """
    from ..features.efel_features import extract_features
    from ..features.metrics import GammaUndefined, gamma_factor
    from ..features.voltage_error import subthreshold_error

    scores, reasons = {}, {}
    try:
        scores["gamma"] = gamma_factor(model=_spikes(trace), data=_spikes(target), delta=delta,
                                       duration=trace.stimulus.duration)
        if math.isnan(scores["gamma"]):
            reasons["gamma"] = "neither trace has a spike"
    except GammaUndefined as err:  # a model firing so fast that chance fills the window
        scores["gamma"], reasons["gamma"] = math.nan, str(err)
    try:
        scores["subthreshold_error"] = subthreshold_error(trace, target)
    except ValueError as err:
        scores["subthreshold_error"], reasons["subthreshold_error"] = math.nan, str(err)
    table = extract_features([trace, target], features)
    table.index = ["model", "target"]
    for name in features:
        key = f"{name}_error"
        scores[key] = float(table.loc["model", name] - table.loc["target", name])
        if math.isnan(scores[key]):
            why = [table.attrs["reasons"].get((i, name)) for i in (0, 1)]
            reasons[key] = "; ".join(f"{who}: {w}" for who, w in zip(("model", "target"), why) if w)
    return scores, reasons, table


def format_scores(result: Mapping) -> str:
    """The scores of an ``update`` result as a short table in ms, mV and Hz."""
    scores, reasons, table = result["scores"], result["reasons"], result["features"]
    units = table.attrs.get("units", {})
    delta = result.get("delta", GAMMA_WINDOW)
    lines = [f"Gamma (Delta = {delta * 1e3:g} ms): {_fmt(scores['gamma'])}"
             + (f"  ({reasons['gamma']})" if "gamma" in reasons else "")]
    err, shown = to_display(scores["subthreshold_error"], "V")
    lines.append(f"subthreshold error: {_fmt(err)} {shown}")
    lines.append(f"{'feature':<24}{'model':>12}{'target':>12}{'error':>12}  unit")
    for name in table.columns:
        unit = units.get(name, "1")
        row = [to_display(table.loc[who, name], unit)[0] for who in ("model", "target")]
        shown = to_display(0.0, unit)[1] if unit != "1" else ""
        error = to_display(scores[f"{name}_error"], unit)[0]
        lines.append(f"{name:<24}{_fmt(row[0]):>12}{_fmt(row[1]):>12}{_fmt(error):>12}  {shown}")
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return "nan" if x is None or math.isnan(x) else f"{x:.4g}"


def _title(state: ExplorerState, amplitude) -> str:
    target = state.target_model.name if state.target_model is not None else "target trace"
    current = "" if amplitude is None else f", I = {amplitude * 1e12:.0f} pA"
    return f"{state.model.name} against {target}{current}"


def plot_against_target(trace: Trace, target: Trace, scores: Mapping | None = None, path=None,
                        title: str = ""):
    """Model trace over the target trace (mV), the current below (pA), against time (ms).

    Returns the matplotlib Figure; saves it to ``path`` when given.
    """
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, (ax_v, ax_i) = plt.subplots(2, 1, sharex=True, figsize=(9, 4.5),
                                     gridspec_kw={"height_ratios": [3, 1]})
    ax_v.plot(target.time * 1e3, target.v * 1e3, lw=0.8, color="0.55",
              label=f"{target.metadata.get('model', 'target')} (target)")
    ax_v.plot(trace.time * 1e3, trace.v * 1e3, lw=0.8, color="C3", label=trace.metadata.get("model", "model"))
    ax_v.set_ylabel("V (mV)")
    if scores is not None:
        title = f"{title}   Gamma = {_fmt(scores.get('gamma', math.nan))}".strip()
    ax_v.set_title(title)
    ax_v.legend(loc="upper right", frameon=False)
    return finish_with_current(fig, ax_v, ax_i, trace, path)


def slider_specs(state: ExplorerState) -> list[dict]:
    """One slider per model parameter, and one for the current, in display units.

    Each is a dict: ``name``, ``unit`` (display), ``factor`` (display value = SI * factor),
    ``value``, ``low``, ``high`` (display) and ``log``. Bounds come from the parameter's
    spec, widened to hold the starting value.
    """
    specs = []
    for p in state.model.parameters:
        value = state.params[p.name]
        factor = to_display(1.0, p.unit)[0]
        low, high = min(p.low, value), max(p.high, value)
        log = p.log and low > 0
        specs.append(dict(name=p.name, unit=to_display(1.0, p.unit)[1], factor=factor,
                          value=_round(value * factor), low=_round(low * factor),
                          high=_round(high * factor), log=log, doc=p.doc))
    if state.amplitude is not None:
        a = state.amplitude
        specs.append(dict(name="amplitude", unit="pA", factor=1e12, value=_round(a * 1e12),
                          low=_round(min(0.0, a) * 1e12), high=_round(max(3e-9, 2 * a) * 1e12),
                          log=False, doc="step current"))
    return specs


def _round(x: float) -> float:
    """``x`` to 12 significant digits: 1000.0 rather than 1000.0000000000001 on a slider."""
    return float(f"{x:.12g}")


def _slider(widgets, spec: dict):
    description = f"{spec['name']} ({spec['unit']})" if spec["unit"] != "1" else spec["name"]
    common = dict(description=description, continuous_update=False, readout_format=".4g",
                  style={"description_width": "140px"}, layout={"width": "520px"},
                  tooltip=spec["doc"])
    if spec["log"]:
        lo, hi = math.log10(spec["low"]), math.log10(spec["high"])
        return widgets.FloatLogSlider(value=spec["value"], base=10, min=lo, max=hi,
                                      step=(hi - lo) / 200, **common)
    return widgets.FloatSlider(value=spec["value"], min=spec["low"], max=spec["high"],
                               step=(spec["high"] - spec["low"]) / 200, **common)


def explore(model="lif", target="hh", **options):
    """Sliders for ``model``'s parameters and the step current; its trace against ``target``'s.

    Every slider change calls ``update`` with the slider values in SI, redraws the model's
    trace over the target's and prints ``format_scores``. A value the model's rules forbid
    (V_reset above V_th, say) prints the rule instead of a figure.

    Parameters
    ----------
    model, target, **options
        As ``make_state``: a model name ("lif"), a target model name ("hh") or Trace, and
        ``params``, ``target_params``, ``amplitude``, ``start``, ``stop``, ``duration``,
        ``dt``, ``delta``, ``features``.

    Returns
    -------
    ipywidgets.VBox
        Sliders, a reset button and the output; its ``state`` attribute is the
        ``ExplorerState``. Display it in a notebook (it is the cell's value).

    Raises
    ------
    ImportError
        ipywidgets is not installed: ``pip install "spikefit[explore]"``.
    """
    try:
        import ipywidgets as widgets
    except ImportError as err:
        raise ImportError(f"explore needs ipywidgets, an optional extra: {INSTALL_HINT}") from err
    from IPython.display import display

    state = make_state(model, target, **options)
    specs = slider_specs(state)
    sliders = {s["name"]: _slider(widgets, s) for s in specs}
    factors = {s["name"]: s["factor"] for s in specs}

    def on_change(**shown):
        import matplotlib.pyplot as plt

        values = {name: value / factors[name] for name, value in shown.items()}
        try:
            result = update(state, **values)
        except (ValueError, RuntimeError) as err:  # a forbidden value or a runaway model
            print(f"not simulated: {err}")
            return
        display(result["figure"])
        plt.close(result["figure"])
        print(format_scores(result))

    output = widgets.interactive_output(on_change, sliders)
    reset = widgets.Button(description="Reset")

    def on_reset(_):
        for spec in specs:
            sliders[spec["name"]].value = spec["value"]

    reset.on_click(on_reset)
    box = widgets.VBox([widgets.HBox([reset]), *sliders.values(), output])
    box.state = state
    return box
