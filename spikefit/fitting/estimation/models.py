"""What each model regresses dV/dt on, and how its coefficients give its parameters.

For fixed values of the parameters that enter nonlinearly (none for LIF, ``a`` for
Izhikevich, ``Delta_T`` and ``tau_w`` for AdEx), dV/dt is linear in a few regressors:

* LIF:        dV/dt = th_V V + th_1 + th_I I
* Izhikevich: dv/dt = th_2 v^2 + th_V v + th_1 + th_I I + th_F F[v] + th_S S + sum_j th_Ej E_j
* AdEx:       dV/dt = th_V V + th_1 + th_X exp((V - V_ref)/Delta_T) + th_I I + th_F F[V]
              + th_S S + sum_j th_Ej E_j

with F[x] = int_0^t exp(-r (t - s)) x(s) ds, S = sum over spikes of exp(-r (t - t_j)) and
E_j = exp(-r t) in sweep j (0 elsewhere), r = a (Izhikevich) or 1/tau_w (AdEx). u and w
are these filters of v and of the spike train; E_j carries each sweep's unknown initial
u or w, and absorbs the filter of the constant.

Izhikevich: the coefficients fix the pair {v_r, v_t + b/k} (the two rest points of
``k (v - v_r)(v - v_t) = b (v - v_r)``) but not which is which; v_r is taken as the lower,
the stable rest of the model at I = 0, as in every published set.
"""
from __future__ import annotations

import math

import numpy as np

from .sweeps import exp_filter, filter_increments, spike_train_filter


class _Spec:
    """The regression of one model."""

    name = ""
    nonlinear: tuple[str, ...] = ()
    reset = ""      # parameter the voltage takes at a spike
    cut = ""        # parameter the voltage reaches at a spike
    t_ref: str | None = None
    jump: str | None = None  # spike-triggered increment of the second variable
    rest: str | None = None  # parameter the constant gives, divided by the leak at rest

    def leak_at_rest(self, p) -> float:
        """The conductance that holds the voltage at rest once the second variable settles, as
        a fraction of the leak."""
        return 1.0

    def rate(self, nl) -> float | None:
        return None

    n_fixed = 0  # leading voltage columns that do not depend on the searched parameters

    def voltage_columns(self, v, nl, v_ref):
        """Regressors that are functions of the voltage, at its samples ``v``."""
        raise NotImplementedError

    def linear_names(self, n_sweeps):
        raise NotImplementedError

    def params(self, coef, nl, v_ref) -> dict:
        raise NotImplementedError

    def w_offset(self, p) -> float:
        return 0.0

    def w_hold(self, p, v, w, duration):
        """u or w after ``duration`` (s) with the voltage held at ``v``."""
        return w

    def rhs(self, p, v, w, current):
        raise NotImplementedError

    def time_past_cut(self, p) -> float:
        """How long (s) the ODE takes from the cut to its blow-up; inf where the cut is not
        measured this way (LIF's threshold, Izhikevich's peak)."""
        return math.inf


class LIFSpec(_Spec):
    name = "lif"
    reset, cut, t_ref = "V_reset", "V_th", "t_ref"
    n_fixed = 2

    def voltage_columns(self, v, nl, v_ref):
        return [v, 1.0]

    def linear_names(self, n_sweeps):
        return ["V", "1", "I"]

    def params(self, coef, nl, v_ref):
        th_v, th_1, th_i = coef[:3]
        C = 1.0 / th_i
        return {"C": C, "g_L": -th_v * C, "E_L": -th_1 / th_v}

    def rhs(self, p, v, w, current):
        return (-p["g_L"] * (v - p["E_L"]) + current) / p["C"], 0.0 * w


class IzhikevichSpec(_Spec):
    name = "izhikevich"
    nonlinear = ("a",)
    reset, cut, jump = "c", "v_peak", "d"
    n_fixed = 3

    def rate(self, nl):
        return nl[0]

    def voltage_columns(self, v, nl, v_ref):
        return [v * v, v, 1.0]

    def linear_names(self, n_sweeps):
        return ["v^2", "v", "1", "I", "F[v]", "S"] + [f"E{j}" for j in range(n_sweeps)]

    def params(self, coef, nl, v_ref):
        th_2, th_v, th_1, th_i, th_f, th_s = coef[:6]
        a = nl[0]
        C = 1.0 / th_i
        b = -th_f * C / a
        # roots of th_2 v^2 + (th_v - b/C) v + th_1: v_r and v_t + b/k
        p, q = (th_v - b / C) / th_2, th_1 / th_2
        disc = max(p * p / 4 - q, 0.0)
        v_r = -p / 2 - math.sqrt(disc)
        return {"C": C, "k": th_2 * C, "v_r": v_r, "v_t": -th_v / th_2 - v_r, "a": a, "b": b,
                "d": -th_s * C}

    def w_offset(self, p):
        return -p["b"] * p["v_r"]

    def rhs(self, p, v, w, current):
        dv = (p["k"] * (v - p["v_r"]) * (v - p["v_t"]) - w + current) / p["C"]
        return dv, p["a"] * (p["b"] * (v - p["v_r"]) - w)


class AdExSpec(_Spec):
    name = "adex"
    nonlinear = ("Delta_T", "tau_w")
    reset, cut, t_ref, jump, rest = "V_reset", "V_cut", "t_ref", "b", "E_L"
    n_fixed = 2

    def leak_at_rest(self, p):
        return (p["g_L"] + p["a"]) / p["g_L"]

    def rate(self, nl):
        return 1.0 / nl[1]

    def voltage_columns(self, v, nl, v_ref):
        return [v, 1.0, np.exp((v - v_ref) / nl[0])]

    def linear_names(self, n_sweeps):
        return ["V", "1", "exp", "I", "F[V]", "S"] + [f"E{j}" for j in range(n_sweeps)]

    def params(self, coef, nl, v_ref):
        th_v, th_1, th_x, th_i, th_f, th_s = coef[:6]
        delta, tau_w = nl
        C = 1.0 / th_i
        g_L = -th_v * C
        a = -th_f * tau_w * C
        ratio = th_x * C / (g_L * delta)
        V_T = v_ref - delta * math.log(ratio) if ratio > 0 else math.nan
        return {"C": C, "g_L": g_L, "E_L": th_1 * C / (g_L + a), "V_T": V_T, "Delta_T": delta,
                "tau_w": tau_w, "a": a, "b": -th_s * C}

    def w_offset(self, p):
        return -p["a"] * p["E_L"]

    def time_past_cut(self, p):
        # the exponential alone from V_cut: the integral of C / (g_L Delta_T) exp(-(V - V_T)/Delta_T) dV
        return p["C"] / p["g_L"] * math.exp(-(p["V_cut"] - p["V_T"]) / p["Delta_T"])

    def w_hold(self, p, v, w, duration):
        w_inf = p["a"] * (v - p["E_L"])
        return w_inf + (w - w_inf) * np.exp(-duration / p["tau_w"])

    def rhs(self, p, v, w, current):
        with np.errstate(over="ignore", invalid="ignore"):
            spike = p["g_L"] * p["Delta_T"] * np.exp((v - p["V_T"]) / p["Delta_T"])
        dv = (-p["g_L"] * (v - p["E_L"]) + spike - w + current) / p["C"]
        return dv, (p["a"] * (v - p["E_L"]) - w) / p["tau_w"]


SPECS = {spec.name: spec for spec in (LIFSpec(), IzhikevichSpec(), AdExSpec())}


def filters(sweep, rate, corrections):
    """F[v] and S of one sweep at its samples (rate r, 1/s).

    ``corrections`` replaces the trapezoid increments of the two intervals beside each spike
    by the integral over the model's own trajectory there (see ``events``).
    """
    inc = filter_increments(sweep.v, rate, sweep.dt, sweep.k_spike)
    index, times, values = corrections
    if index.size:  # F[k] is wrong then, but no regression interval touches sample k
        t_end = (index + 1) * sweep.dt
        weights = np.exp(-rate * (t_end[:, None] - times))
        inc[index - 1] = 0.0
        inc[index] = np.trapezoid(weights * values, times, axis=1)
    return exp_filter(inc, rate, sweep.dt), spike_train_filter(sweep, rate)


def sample_filters(spec, sweeps, nl, corrections):
    """Per sweep, F[v], S and every sweep's E at each of its samples (None for LIF)."""
    rate = spec.rate(nl)
    if rate is None:
        return [None] * len(sweeps)
    states = []
    for j, sweep in enumerate(sweeps):
        state = np.zeros((2 + len(sweeps), sweep.v.size))
        state[0], state[1] = filters(sweep, rate, corrections[j])
        state[2 + j] = np.exp(-rate * sweep.time)
        states.append(state)
    return states


def design(spec, sweeps, nl, v_ref, corrections, cache=None):
    """Regressors (used intervals x columns) and targets (V/s).

    ``cache``: a dict kept by the caller for one list of sweeps and corrections. With it,
    the same array comes back from every call: the columns that do not depend on ``nl``
    are filled once (a search evaluates many ``nl``), the filter columns only when the rate
    changed since the last call, the other voltage columns only when ``nl`` did."""
    if cache is not None and "x" in cache:
        x, y = cache["x"], cache["y"]
    else:
        x, y = _fixed_columns(spec, sweeps, nl, v_ref)
        cache = {} if cache is None else cache
        cache["x"], cache["y"] = x, y
    rate = spec.rate(nl)
    n_voltage = len(spec.voltage_columns(0.0, nl, v_ref))
    new_voltage = n_voltage > spec.n_fixed and cache.get("nl") != nl
    new_rate = rate is not None and cache.get("rate") != rate
    cache["nl"], cache["rate"] = nl, rate
    row = 0
    for j, sweep in enumerate(sweeps):
        rows = slice(row, row + sweep.n_used)
        if new_voltage:
            cols = spec.voltage_columns(sweep.v, nl, v_ref)
            for c in range(spec.n_fixed, n_voltage):
                x[rows, c] = sweep.means(cols[c])
        if new_rate:
            f, s = filters(sweep, rate, corrections[j])
            e = np.exp(-rate * sweep.time)
            for c, values in ((0, f), (1, s), (2 + j, e)):
                x[rows, n_voltage + 1 + c] = sweep.means(values)
        row += sweep.n_used
    return x, y


def _fixed_columns(spec, sweeps, nl, v_ref):
    """The regressors that do not depend on ``nl`` (the first voltage columns and I) in
    place, the others 0; the targets."""
    n_cols = len(spec.linear_names(len(sweeps)))
    n_voltage = len(spec.voltage_columns(0.0, nl, v_ref))
    x = np.zeros((sum(s.n_used for s in sweeps), n_cols), order="F")  # columns written whole
    y = np.empty(x.shape[0])
    row = 0
    for sweep in sweeps:
        rows = slice(row, row + sweep.n_used)
        cols = spec.voltage_columns(sweep.v, nl, v_ref)
        for c in range(spec.n_fixed):
            x[rows, c] = sweep.means(cols[c])
        x[rows, n_voltage] = sweep.current[:-1].take(sweep.used_index)
        y[rows] = sweep.target
        row += sweep.n_used
    return x, y


def solve(x, y):
    """Least squares with columns scaled to unit norm: coefficients and residuals (V/s).

    By the normal equations (the Gram matrix of the scaled columns, solved by SVD so that a
    column without information gets the minimum-norm answer) plus one step of iterative
    refinement, which brings the coefficients to the accuracy of a QR solve; the residual
    is computed, not taken from the Gram matrix, so no cancellation enters it. 40 times
    faster than ``lstsq`` on 1e5 x 13 (measured), which a search calls hundreds of times.
    The Gram matrix is that of ``x`` itself, scaled after: the same numbers, without a
    scaled copy of ``x``.
    """
    gram = x.T @ x
    norms = np.sqrt(np.diag(gram))
    norms[norms == 0] = 1.0
    gram = gram / np.outer(norms, norms)
    coef = np.linalg.lstsq(gram, (x.T @ y) / norms, rcond=None)[0] / norms
    residual = y - x @ coef
    coef = coef + np.linalg.lstsq(gram, (x.T @ residual) / norms, rcond=None)[0] / norms
    return coef, y - x @ coef


def w_at_samples(spec, coef, p, filters):
    """The second variable (u or w, A) at every sample of a sweep, from the fitted filters."""
    if filters is None:
        return np.zeros(0)
    return -p["C"] * (coef[4] * filters[0] + coef[5] * filters[1] + coef[6:] @ filters[2:]) \
        + spec.w_offset(p)
