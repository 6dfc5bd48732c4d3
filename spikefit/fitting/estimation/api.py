"""``estimate``: model parameters from a voltage trace and its current, by regression."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from . import events
from .models import SPECS, design, sample_filters, solve, w_at_samples
from .sweeps import Sweep, as_traces, prepare, with_window

SAMPLES_PER_COEFFICIENT = 100
"""Fewest regression intervals per fitted coefficient."""

CUT_RESOLUTION = 0.01
"""An AdEx cut is not determined where the ODE goes from it to its blow-up in under this
fraction of the sampling step: every cut above gives spikes within that time of each other
(destexhe_fs, V_cut = V_T + 12 Delta_T: 0.12 us against the 100 us step; a 0.05 mV move of
the cut moves its spikes by 0.01 us). A recording's spike times do not tell such cuts apart."""

LEAK_RESOLUTION = 0.01
"""Where the leak at rest (AdEx: g_L + a) is under this fraction of g_L, the regression's
constant (g_L + a) E_L / C says next to nothing of E_L (naud_delayed_regular_bursting,
a = -g_L: every V is a rest point, and the regression gave E_L 0.65 mV off with a standard
error of 0.09 mV); the voltage at rest (``REST_WINDOW``) is E_L's estimate there."""

REST_WINDOW = 10e-3
"""The first samples of each sweep (s) whose mean voltage is the voltage at rest."""

_DISPLAY = {"F": ("pF", 1e12), "S": ("nS", 1e9), "V": ("mV", 1e3), "A": ("pA", 1e12),
            "s": ("ms", 1e3), "1/s": ("1/s", 1.0), "S/V": ("nS/mV", 1e6)}


@dataclass(frozen=True, eq=False)
class Estimate:
    """Parameters estimated from a voltage trace, with how well the data determine each.

    Attributes
    ----------
    model : str
    params : mapping name -> float
        Every parameter of the model, SI; NaN where the data hold no information on it.
    stderr : mapping name -> float
        Standard error (SI): from the regression covariance by the delta method, which
        includes the searched (nonlinear) parameters through the Jacobian of the full least
        squares (the curvature of the profiled residual); for the reset and t_ref from their
        own least squares; for the cut, the spread over spikes / sqrt(n).
    determined : mapping name -> bool
    reasons : mapping name -> str
        Why a parameter is not determined, and what value stands in.
    units : mapping name -> str
        SI unit of each parameter.
    residual_rms : float
        RMS residual of dV/dt over the regression intervals (V/s).
    n_used, n_excluded : int
        Sampling intervals in the regression, and left out (near spikes, refractory).
    n_spikes : int
    """

    model: str
    params: Mapping[str, float]
    stderr: Mapping[str, float]
    determined: Mapping[str, bool]
    reasons: Mapping[str, str]
    units: Mapping[str, str]
    residual_rms: float
    n_used: int
    n_excluded: int
    n_spikes: int

    def __post_init__(self):
        for name in ("params", "stderr", "determined", "reasons", "units"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def table(self) -> pd.DataFrame:
        """The estimate in display units (pF, nS, mV, pA, ms), one row a parameter."""
        rows = []
        for name, value in self.params.items():
            unit, scale = _DISPLAY.get(self.units[name], (self.units[name], 1.0))
            rows.append({"parameter": name, "value": value * scale,
                         "stderr": self.stderr[name] * scale, "unit": unit,
                         "determined": self.determined[name], "reason": self.reasons.get(name, "")})
        return pd.DataFrame(rows).set_index("parameter")


def estimate(model, recording, *, spike_window=(2e-3, 3e-3), threshold=-20e-3,
             smooth_current=None, passes=3) -> Estimate:
    """Parameters (SI) of LIF, Izhikevich or AdEx from a voltage trace and its current.

    dV/dt is regressed (least squares) on the model's regressors over the subthreshold
    sampling intervals (the dynamic I-V curve of Badel et al. 2008; Pozzorini et al. 2015);
    the parameters that enter nonlinearly (Izhikevich ``a``; AdEx ``Delta_T``, ``tau_w``) are
    searched: a grid, then a trust-region Gauss-Newton (``least_squares``) on the regression
    residual profiled over the linear coefficients (variable projection), within 3 times
    their search bounds. The cut, reset and
    refractory period come from the fitted ODE around each spike (``events``). The
    discretisation (``sweeps``) is second order, so the estimate targets the continuous ODE.

    Parameters
    ----------
    model : str or Model
        "lif", "izhikevich" or "adex".
    recording : Trace or Recording
        Voltage and injected current, one sampling interval for all sweeps. Spike times are
        the traces' own (a simulation's mark the end of the integration step in which the
        cut was crossed) or, where a trace has none, upward crossings of ``threshold``.
    spike_window : (float, float)
        Time (s) before and after each spike whose sampling intervals are left out of the
        regression (the upswing, where the trapezoid rule fails, and the reset); the
        estimated refractory period is added to the second.
    threshold : float
        Voltage (V) at which spikes are detected in traces without spike times.
    smooth_current : float or None
        Standard deviation (s) of a Gaussian that smooths the recorded current before the
        regression. Noise in the current biases the regression (errors in variables: C
        comes out too large); smoothing removes noise faster than the stimulus.
    passes : int
        Rounds of fit, then spike trajectories, then refit with them (3 converge).

    Returns
    -------
    Estimate

    Raises
    ------
    ValueError
        For a model without an estimator, a sweep without current, mixed sampling intervals,
        or fewer subthreshold intervals than the regression needs (100 per coefficient).

    Notes
    -----
    What the data cannot determine is flagged, with the reason, never guessed silently:

    * the cut is the lowest value the fitted ODE reaches at the spike times (every spike's
      value is at or above it). Where the ODE runs away before the spike time (an AdEx cut
      far above V_T: any cut there gives the same spikes) it is not determined, and the
      spec's convention V_T + 5 Delta_T stands in;
    * where the leak at rest g_L + a of AdEx is under ``LEAK_RESOLUTION`` of g_L, E_L is the
      mean voltage over the first ``REST_WINDOW`` of the sweeps (the cell at rest before the
      stimulus), with the standard error of that mean: the regression's constant does not
      show it;
    * without spikes, the cut, the reset, t_ref and the jump (b, d) are NaN;
    * a searched parameter is not determined when its standard error exceeds 10 % of it,
      or when the residual is least at the edge of the searched range (the model does not
      hold the data: Izhikevich on the HH reference gives a = 3000/s there);
    * a value that breaks a rule of the parameter alone (``g_L > 0``, ``C > 0``, ``k > 0``)
      is not determined, and kept as estimated: no other values make it possible (AdEx on
      hh, hh_ib and 4 of the 6 real cells of the suite gives g_L < 0).

    Standard errors assume independent residuals; they are a floor for real recordings.
    Values outside the parameters' search bounds are reported as estimated, with a warning.
    """
    from ...models import get_model

    model = get_model(model) if isinstance(model, str) else model
    if model.name not in SPECS:
        raise ValueError(f"model {model.name!r} has no estimator from the voltage trace: "
                         f"estimate supports {', '.join(SPECS)}")
    spec = SPECS[model.name]
    before, after = (float(x) for x in spike_window)
    if not (before >= 0 and after >= 0):
        raise ValueError(f"spike_window must be two times >= 0 s, got {spike_window}")
    if int(passes) != passes or passes < 1:
        raise ValueError(f"passes must be a positive integer, got {passes}")
    traces = as_traces(recording)
    sweeps = [prepare(t, threshold=threshold, before=before, after=after,
                      smooth_current=smooth_current) for t in traces]
    # before any fit, a held (refractory) voltage shows as intervals without change
    first = [Sweep(s.v, s.current, s.dt, s.spikes, s.k_spike, s.used & (np.diff(s.v) != 0))
             for s in sweeps]
    _require_samples(spec, first)
    v_ref = max(float(s.v[:-1][s.used].max()) for s in first if s.used.any())
    fitter = _Fitter(spec, model, v_ref, before, after)
    return fitter.result(fitter.run(first, passes))


def _require_samples(spec, sweeps):
    n_coef = len(spec.linear_names(len(sweeps))) + len(spec.nonlinear)
    need = SAMPLES_PER_COEFFICIENT * n_coef
    have = sum(int(s.used.sum()) for s in sweeps)
    if have < need:
        total = sum(s.used.size for s in sweeps)
        raise ValueError(
            f"the {spec.name} regression needs at least {need} subthreshold sampling intervals "
            f"({SAMPLES_PER_COEFFICIENT} per coefficient, {n_coef} coefficients), got {have} of "
            f"{total} outside the spike windows: record longer, or with fewer spikes")


@dataclass
class _State:
    nl: tuple
    coef: np.ndarray
    params: dict
    sweeps: list
    x: np.ndarray
    y: np.ndarray
    corrections: list
    cut_values: np.ndarray
    n_runaway: int
    reset_stderr: dict
    t_ref: float
    rest_stderr: dict


class _Fitter:
    """The rounds of regression and spike trajectories of one estimate."""

    def __init__(self, spec, model, v_ref, before, after):
        self.spec, self.model, self.v_ref = spec, model, v_ref
        self.before, self.after = before, after
        self.t_ref_max = model.parameter(spec.t_ref).high if spec.t_ref else 0.0

    def search(self, sweeps, corrections, start):
        """The nonlinear parameters that minimise the regression residual (log scale): the
        residual profiled over the linear coefficients (variable projection), minimised by
        a trust-region Gauss-Newton (``least_squares``) from the best point of a grid, or
        from ``start`` (the last round's values), within the grid's span (``span``)."""
        spec = self.spec
        if not spec.nonlinear:
            return ()
        cache = {}

        def residual(log_nl):
            x, y = design(spec, sweeps, tuple(np.exp(log_nl)), self.v_ref, corrections, cache)
            return solve(x, y)[1]

        low, high = np.log(self.span()).T
        if start is None:
            axes = [np.linspace(lo, hi, 25 if low.size == 1 else 8) for lo, hi in zip(low, high)]
            grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, low.size)
            grid = grid[np.lexsort(grid.T)]  # the last (the rate of AdEx) slowest: see design
            best = grid[np.argmin([float(r @ r) for r in map(residual, grid)])]
        else:
            best = np.clip(np.log(np.asarray(start)), low, high)
        fit = least_squares(residual, best, bounds=(low, high), xtol=1e-10, ftol=1e-12, gtol=1e-12)
        return tuple(float(v) for v in np.exp(fit.x))

    def span(self):
        """(low, high) of each searched parameter: a factor 3 beyond its search bounds, as
        values are not clipped to those; beyond it the fitted ODE can overflow."""
        return [(p.low / 3, p.high * 3) for p in map(self.model.parameter, self.spec.nonlinear)]

    def run(self, sweeps, passes):
        spec, dt = self.spec, sweeps[0].dt
        masks = [events.usable(s) for s in sweeps]
        n_free = max(int(math.ceil(self.after / dt)), 2)
        spikes = events.gather(sweeps, masks, before=self.before,
                               n_after=n_free + int(math.ceil(self.t_ref_max / dt)) + 1)
        corrections = [events.corrections(spec, None, s, m) for s, m in zip(sweeps, masks)]
        nl, t_ref, reset = None, 0.0, None
        for i in range(passes):
            if i:
                sweeps = [with_window(s, before=self.before, after=self.after + t_ref) for s in sweeps]
            nl = self.search(sweeps, corrections, nl)
            x, y = design(spec, sweeps, nl, self.v_ref, corrections)
            coef = solve(x, y)[0]
            filters = sample_filters(spec, sweeps, nl, corrections)
            p = {**self.model.defaults(), **spec.params(coef, nl, self.v_ref)}
            rest_stderr = self._rest(p, sweeps)
            w_before = np.zeros(0) if filters[0] is None else np.concatenate(
                [w_at_samples(spec, coef, p, f)[s.k_spike[m] - 1]
                 for f, s, m in zip(filters, sweeps, masks)])
            t_up, v_up, cut_values, w_spike = events.upswing(spec, p, spikes, dt, w_before)
            n_runaway = int(np.count_nonzero(~np.isfinite(cut_values)))
            p[spec.cut] = self._cut(p, cut_values, n_runaway)
            reset, reset_stderr = self._reset(p, spikes, dt, w_spike, n_free, reset if i else None)
            p.update(reset)
            t_ref = p[spec.t_ref] if spec.t_ref and np.isfinite(p[spec.t_ref]) else 0.0
            if spikes.k.size and np.isfinite(p[spec.reset]):
                _, _, (t_post, v_post) = events.post_reset(spec, p, spikes, dt, w_spike,
                                                           p[spec.reset], t_ref, 2, fine=True)
                paths = zip(*(spikes.split(a) for a in (t_up, v_up, t_post, v_post)))
                corrections = [events.corrections(spec, p, s, m, (a, b), (c, d))
                               for s, m, (a, b, c, d) in zip(sweeps, masks, paths)]
            else:
                corrections = [events.corrections(spec, p, s, m) for s, m in zip(sweeps, masks)]
        return _State(nl, coef, p, sweeps, x, y, corrections, cut_values, n_runaway,
                      reset_stderr, t_ref, rest_stderr)

    def _rest(self, p, sweeps) -> dict:
        """Where the leak at rest is too small to show the rest parameter (``LEAK_RESOLUTION``),
        sets it in ``p`` to the voltage at rest and returns its standard error by name."""
        spec = self.spec
        if not spec.rest or not abs(spec.leak_at_rest(p)) < LEAK_RESOLUTION:
            return {}
        n = max(int(round(REST_WINDOW / sweeps[0].dt)), 1)
        v = np.concatenate([s.v[:n] for s in sweeps])
        # at g_L + a = 0, E_L moved by d and w by -a d leave dV/dt as it was: no trace tells E_L
        p[spec.rest] = float(np.mean(v))
        return {spec.rest: float(np.std(v) / math.sqrt(v.size))}

    def _cut(self, p, values, n_runaway):
        if not values.size:
            return math.nan
        if n_runaway:  # the convention of the model's spec: V_cut = V_T + 5 Delta_T
            return p["V_T"] + 5 * p["Delta_T"] if self.spec.name == "adex" else math.nan
        # every spike time marks the end of the step (or the instant) in which the cut was
        # crossed, so each spike's value is at or above the cut: the lowest is the estimate
        return float(np.min(values))

    def _reset(self, p, spikes, dt, w_spike, n_free, start):
        spec = self.spec
        names = [spec.reset] + ([spec.t_ref] if spec.t_ref else [])
        if not spikes.k.size:
            return {n: math.nan for n in names}, {n: math.nan for n in names}
        values, errors, _, _ = events.fit_reset(spec, p, spikes, dt, w_spike, n_free=n_free,
                                                t_ref_max=self.t_ref_max, start=start)
        return values, errors

    def result(self, state) -> Estimate:
        spec, model = self.spec, self.model
        names = [p.name for p in model.parameters]
        n_used = int(state.x.shape[0])
        n_total = sum(s.used.size for s in state.sweeps)
        residual = state.y - state.x @ state.coef
        stderr = {**self._regression_stderr(state, residual), **state.reset_stderr,
                  **state.rest_stderr}
        finite = state.cut_values[np.isfinite(state.cut_values)]
        stderr[spec.cut] = float(np.std(finite, ddof=1) / math.sqrt(finite.size)) \
            if finite.size > 1 and not state.n_runaway else math.nan
        params = dict(state.params)
        reasons = self._reasons(state, params, stderr)
        reasons.update({n: text for n, text in self._impossible(params).items() if n not in reasons})
        for name in names:
            stderr.setdefault(name, math.nan)
        _warn_bounds(model, params)
        return Estimate(model.name, {n: float(params[n]) for n in names},
                        {n: float(stderr[n]) for n in names},
                        {n: n not in reasons for n in names}, reasons,
                        {p.name: p.unit for p in model.parameters},
                        float(np.sqrt(np.mean(residual ** 2))), n_used, n_total - n_used,
                        sum(int(s.spikes.size) for s in state.sweeps))

    def _regression_stderr(self, state, residual):
        """Delta method over the full least squares (linear coefficients and searched ones)."""
        spec = self.spec
        nl = np.asarray(state.nl, float)
        columns = [state.x]
        for j in range(nl.size):
            h = 1e-5 * nl[j]
            up, down = nl.copy(), nl.copy()
            up[j] += h
            down[j] -= h
            x_up = design(spec, state.sweeps, tuple(up), self.v_ref, state.corrections)[0]
            x_down = design(spec, state.sweeps, tuple(down), self.v_ref, state.corrections)[0]
            columns.append(((x_up - x_down) @ state.coef / (2 * h))[:, None])
        jac = np.hstack(columns)
        theta = np.concatenate([state.coef, nl])
        dof = max(jac.shape[0] - jac.shape[1], 1)
        s2 = float(residual @ residual) / dof
        norms = np.linalg.norm(jac, axis=0)
        norms[norms == 0] = 1.0
        cov = np.linalg.pinv((jac / norms).T @ (jac / norms)) / np.outer(norms, norms) * s2

        def derived(t):
            return spec.params(t[:state.coef.size], tuple(t[state.coef.size:]), self.v_ref)

        base = derived(theta)
        grad = np.zeros((len(base), theta.size))
        for j in range(theta.size):
            h = 1e-6 * (abs(theta[j]) or 1.0)
            up, down = theta.copy(), theta.copy()
            up[j] += h
            down[j] -= h
            d_up, d_down = derived(up), derived(down)
            grad[:, j] = [(d_up[n] - d_down[n]) / (2 * h) for n in base]
        var = np.einsum("ij,jk,ik->i", grad, cov, grad)
        return {n: float(np.sqrt(max(v, 0.0))) for n, v in zip(base, var)}

    def _reasons(self, state, params, stderr):
        spec = self.spec
        reasons = {}
        spiking = [n for n in (spec.cut, spec.reset, spec.t_ref, spec.jump) if n]
        n_spikes = sum(int(s.spikes.size) for s in state.sweeps)
        if not n_spikes:
            for name in spiking:
                params[name] = math.nan
                reasons[name] = "no spikes in the recording: nothing shows it; NaN"
            return reasons
        if state.n_runaway:
            reasons[spec.cut] = (
                f"the fitted ODE runs away (V > {events.RUNAWAY} V) before the recorded spike time "
                f"in {state.n_runaway} of {state.cut_values.size} spikes: any cut above where it "
                f"runs away gives the same spikes"
                + ("; the model's convention V_T + 5 Delta_T stands in" if spec.name == "adex"
                   else "; NaN"))
        elif np.isfinite(params[spec.cut]):
            past, dt = spec.time_past_cut(params), state.sweeps[0].dt
            if past < CUT_RESOLUTION * dt:
                reasons[spec.cut] = (
                    f"the fitted ODE goes from the cut to its blow-up in {past * 1e6:.2g} us, under "
                    f"{CUT_RESOLUTION:.0%} of the {dt * 1e3:g} ms sampling step: any cut above gives "
                    f"spikes within that time; the lowest value the ODE reaches at the spike times "
                    f"stands in")
        for name, (low, high) in zip(spec.nonlinear, self.span()):
            if not low * (1 + 1e-6) < params[name] < high * (1 - 1e-6):
                reasons[name] = (f"the regression residual is least at the edge of the searched "
                                 f"range [{low:.3g}, {high:.3g}] (its search bounds widened 3 "
                                 f"times): the model does not hold the data")
            elif not stderr[name] < 0.1 * abs(params[name]):
                reasons[name] = (f"the regression residual hardly changes with it (stderr "
                                 f"{stderr[name]:.3g} for {params[name]:.3g})")
        for name, err in stderr.items():
            if not np.isfinite(err) and name not in reasons:
                reasons[name] = "its standard error is not finite (the regressors are collinear)"
        return reasons

    def _impossible(self, params) -> dict[str, str]:
        """Values that break a rule of one parameter (``C > 0``, ``t_ref >= 0``): no set of the
        others makes them possible, so the regression says the model does not hold the data
        there (AdEx on hh: g_L -3.8e-7 S). Kept as estimated, flagged, so that a fit starts
        them blind rather than at the edge of their bounds."""
        out = {}
        for rule in (r for r in self.model.rules if len(r.names) == 1):
            name = rule.names[0]
            value = params.get(name, math.nan)
            if np.isfinite(value) and not np.all(rule.check({name: np.array([value])})):
                unit = self.model.parameter(name).unit
                out[name] = (f"the estimate {value:.3g} {unit} breaks the model's rule {rule.text}: the model "
                             f"does not hold the data")
        return out


def _warn_bounds(model, params):
    for spec in model.parameters:
        value = params[spec.name]
        if np.isfinite(value) and not spec.low <= value <= spec.high:
            warnings.warn(f"estimated {spec.name} = {value:.6g} {spec.unit} lies outside its bounds "
                          f"[{spec.low:g}, {spec.high:g}]; reported as estimated, not clipped",
                          stacklevel=3)
