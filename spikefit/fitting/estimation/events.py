"""The model's own trajectory around each spike: the cut, the reset and the refractory period.

Near a spike the regression leaves samples out, but the ODE still holds there. From the last
sample before a spike, with u or w from the fitted filters, the fitted ODE is integrated
(RK4, ``N_STEPS`` steps an interval) to the recorded spike time: the voltage it reaches is
the cut (V_th, v_peak, V_cut). From the spike time, the voltage set to the reset value, held
for t_ref, with the jump added to u or w, it is integrated over the samples after the spike:
least squares against them gives the reset value and t_ref. The same trajectory replaces the
samples that draw the spike in the filters u and w integrate (``corrections``).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import least_squares

N_STEPS = 32
LATER_STEPS = 4
"""RK4 steps an interval beside a spike, and for the later intervals after it."""
RUNAWAY = 0.5
"""Voltage (V) above which an integration counts as run away (the exponential took over)."""


def _rk4(spec, p, v, w, current, h, frozen):
    """One RK4 step of (v, w); ``frozen`` holds v (a refractory period)."""
    hold = 1.0 - frozen

    def f(v_, w_):
        dv, dw = spec.rhs(p, v_, w_, current)
        return dv * hold, dw

    k1 = f(v, w)
    k2 = f(v + 0.5 * h * k1[0], w + 0.5 * h * k1[1])
    k3 = f(v + 0.5 * h * k2[0], w + 0.5 * h * k2[1])
    k4 = f(v + h * k3[0], w + h * k3[1])
    v_new = v + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
    w_new = w + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    run = ~np.isfinite(v_new) | (v_new > RUNAWAY)
    # once run away, w keeps its last value: the time left to the spike is negligible
    return np.where(run, np.inf, v_new), np.where(run | ~np.isfinite(w_new), w, w_new)


def _integrate(spec, p, v, w, current, t0, t1, frozen, times, values, n_steps=N_STEPS):
    """Integrate from t0 to t1 (arrays, one a spike), appending the fine trajectory."""
    h = np.maximum(t1 - t0, 0.0) / n_steps
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n_steps):
            v, w = _rk4(spec, p, v, w, current, h, frozen)
            times.append(t0 + (i + 1) * h)
            values.append(v)
    return v, w


def usable(sweep):
    """Spikes whose neighbours (sample before, two after) exist and hold no other spike."""
    k = sweep.k_spike
    n = sweep.v.size
    gap_next = np.append(np.diff(k), n)
    gap_prev = np.insert(np.diff(k), 0, n)
    return (k >= 1) & (k + 2 < n) & (gap_next > 2) & (gap_prev > 2)


def upswing(spec, p, sweep, w_samples, mask):
    """From the last sample before each spike to the spike time: (times, v) and the end state."""
    k = sweep.k_spike[mask]
    t0 = (k - 1) * sweep.dt
    v0 = sweep.v[k - 1]
    w0 = w_samples[k - 1] if w_samples.size else np.zeros(k.size)
    times, values = [t0], [v0]
    v, w = _integrate(spec, p, v0, w0, sweep.current[k - 1], t0, sweep.spikes[mask],
                      np.zeros(k.size), times, values)
    return np.array(times).T, np.array(values).T, v, w


def post_reset(spec, p, sweep, w_spike, mask, reset, t_ref, n_free):
    """From each spike: the voltage held at ``reset`` for ``t_ref``, then free over the
    ``n_free`` samples after the hold.

    Returns the first free sample ``j0`` of each spike, the voltage at samples j0..j0+n_free-1
    and the fine trajectory (times, values) from the spike time over the first two of them.
    """
    t_free = sweep.spikes[mask] + t_ref
    n = sweep.v.size
    w = spec.w_hold(p, reset, w_spike + (p[spec.jump] if spec.jump else 0.0), t_ref)
    v = np.full(t_free.size, float(reset))
    j0 = np.floor(t_free / sweep.dt + 1e-9).astype(np.int64) + 1
    times, values = [sweep.spikes[mask], t_free], [v, v]
    out, start = [], t_free
    for m in range(n_free):
        end = (j0 + m) * sweep.dt
        current = sweep.current[np.minimum(j0 + m - 1, n - 1)]
        path = (times, values) if m < 2 else ([], [])
        v, w = _integrate(spec, p, v, w, current, start, end, np.zeros(v.size), *path,
                          N_STEPS if m < 2 else LATER_STEPS)
        out.append(v)
        start = end
    return j0, np.array(out).T, (np.array(times).T, np.array(values).T)


def after_samples(sweep, mask, n_after, before):
    """Samples k+1..k+n_after after each spike (k shows it), and which of them to compare:
    inside the sweep and before the next spike's window."""
    k = sweep.k_spike[mask]
    n = sweep.v.size
    index = k[:, None] + 1 + np.arange(n_after)[None, :]
    next_spike = np.append(sweep.spikes, np.inf)[np.flatnonzero(mask) + 1]
    keep = (index < n) & (index * sweep.dt < next_spike[:, None] - before)
    return np.minimum(index, n - 1), keep


def fit_reset(spec, p, sweeps, w_spikes, masks, *, n_free, before, t_ref_max, start=None):
    """Reset value (and t_ref) by least squares over the samples after every spike: those
    in the hold and ``n_free`` after it; from ``start`` (values by name) when given, else
    from a scan of t_ref.

    Returns (values dict, standard errors dict, residual RMS in V, number of samples).
    """
    n_after = n_free + int(math.ceil(t_ref_max / sweeps[0].dt)) + 1
    pieces = [after_samples(s, m, n_after, before) for s, m in zip(sweeps, masks)]
    names = [spec.reset] + ([spec.t_ref] if spec.t_ref else [])

    def residuals(x):
        t_ref = x[1] if spec.t_ref else 0.0
        out = []
        for sweep, mask, w_spike, (index, keep) in zip(sweeps, masks, w_spikes, pieces):
            if not mask.any():
                continue
            j0, free, _ = post_reset(spec, p, sweep, w_spike, mask, x[0], t_ref, n_free)
            offset = index - j0[:, None]
            taken = np.take_along_axis(free, np.clip(offset, 0, n_free - 1), axis=1)
            pred = np.where(offset < 0, x[0], taken)
            # the held samples and n_free after them; a fixed-size vector for least_squares
            out.append(np.where(offset < n_free, pred - sweep.v[index], 0.0)[keep])
        res = np.concatenate(out) if out else np.zeros(0)
        return np.where(np.isfinite(res), np.clip(res, -1.0, 1.0), 1.0)

    first = np.concatenate([s.v[i[:, 0]] for s, (i, _) in zip(sweeps, pieces) if i.size])
    best = None
    starts = np.linspace(0.0, t_ref_max, 21) if spec.t_ref else [None]
    if start is not None and all(np.isfinite(start[n]) for n in names):
        starts = [start[spec.t_ref]] if spec.t_ref else [None]
    for t0 in starts:  # t_ref: a coarse scan first, as the residual has kinks at sample times
        x0 = [float(np.median(first))] + ([t0] if spec.t_ref else [])
        cost = float(np.sum(residuals(x0) ** 2))
        if best is None or cost < best[0]:
            best = (cost, x0)
    lower = [-np.inf] + ([0.0] if spec.t_ref else [])
    fit = least_squares(residuals, best[1], bounds=(lower, np.inf), x_scale="jac",
                        xtol=1e-12, ftol=1e-12, gtol=1e-12)
    n = fit.fun.size
    s2 = float(fit.fun @ fit.fun) / max(n - len(names), 1)
    try:
        errors = np.sqrt(np.abs(np.diag(np.linalg.inv(fit.jac.T @ fit.jac) * s2)))
    except np.linalg.LinAlgError:
        errors = np.full(len(names), np.inf)
    return dict(zip(names, fit.x)), dict(zip(names, errors)), float(np.sqrt(s2)), n


def corrections(spec, p, sweep, mask, upswing_path=None, post_path=None):
    """(sample index k, times, values) for each usable spike: the path the filters of u and w
    integrate over the two intervals beside the sample k that shows the spike, [t_k-1,
    t_k+1]. The model's own trajectory there, or, before any fit, the samples next to the
    spike held flat on either side of it."""
    k = sweep.k_spike[mask]
    if not k.size:
        return k, np.zeros((0, 2)), np.zeros((0, 2))
    end = ((k + 1) * sweep.dt)[:, None]
    if upswing_path is None:
        t_s, dt, v = sweep.spikes[mask], sweep.dt, sweep.v
        times = np.column_stack([(k - 1) * dt, t_s, t_s, end[:, 0]])
        values = np.column_stack([v[k - 1], v[k - 1], v[k + 1], v[k + 1]])
        return k, times, values
    cap = p[spec.cut] if np.isfinite(p[spec.cut]) else RUNAWAY
    (t_up, v_up), (t_post, v_post) = upswing_path, post_path
    t_post = t_post.copy()
    t_post[:, 1] = np.minimum(t_post[:, 1], end[:, 0])  # the hold may last past t_k+1
    times = np.minimum(np.hstack([t_up, t_post, end]), end)
    values = np.fmin(np.hstack([v_up, v_post, v_post[:, -1:]]), cap)
    return k, times, values
