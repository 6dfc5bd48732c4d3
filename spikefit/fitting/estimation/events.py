"""The model's own trajectory around each spike: the cut, the reset and the refractory period.

Near a spike the regression leaves samples out, but the ODE still holds there. From the last
sample before a spike, with u or w from the fitted filters, the fitted ODE is integrated
(RK4, ``N_STEPS`` steps an interval) to the recorded spike time: the voltage it reaches is
the cut (V_th, v_peak, V_cut). From the spike time, the voltage set to the reset value, held
for t_ref, with the jump added to u or w, it is integrated over the samples after the spike:
least squares against them gives the reset value and t_ref. The same trajectory replaces the
samples that draw the spike in the filters u and w integrate (``corrections``).

The spikes of all sweeps are integrated side by side (``Spikes``), and the reset fit
integrates every trial value of (reset, t_ref) it needs at once (the scan of t_ref, the
finite differences of the Jacobian): the cost is the Python loop over RK4 steps, not the
number of spikes or trial values.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

N_STEPS = 32
LATER_STEPS = 4
"""RK4 steps an interval beside a spike, and for the later intervals after it."""
FIT_STEPS = (4, 1)
"""RK4 steps an interval in the residuals of the reset fit (the two intervals after the
hold, the later ones). Against ``(N_STEPS, LATER_STEPS)``, at 0.1 ms, they moved no
parameter of AdEx naud_initial_burst and destexhe_lts or Izhikevich dap_2004 by more than
3e-7 relative (measured; tests/fitting/estimation/test_events.py), at a fifth of the cost:
the fit integrates some 30 times as many trajectories as the corrections do."""
RUNAWAY = 0.5
"""Voltage (V) above which an integration counts as run away (the exponential took over)."""


@dataclass(frozen=True, eq=False)
class Spikes:
    """The usable spikes of all sweeps side by side, with the samples around each.

    ``time`` (s, in its sweep), ``k`` the sample that shows it, ``counts`` spikes a sweep;
    ``current[e, i]`` the current (A) at sample ``k - 1 + i`` (the sweep's last sample past
    its end), ``v_before`` the voltage (V) at sample ``k - 1``, ``v_after[e, i]`` at sample
    ``k + 1 + i`` and ``keep[e, i]`` whether that sample is compared (inside the sweep,
    before the next spike's window).
    """

    time: np.ndarray
    k: np.ndarray
    counts: np.ndarray
    current: np.ndarray
    v_before: np.ndarray
    v_after: np.ndarray
    keep: np.ndarray

    def split(self, values):
        """``values`` (one row a spike, on axis 0) cut into one array a sweep."""
        return np.split(values, np.cumsum(self.counts)[:-1])


def usable(sweep):
    """Spikes whose neighbours (sample before, two after) exist and hold no other spike."""
    k = sweep.k_spike
    n = sweep.v.size
    gap_next = np.append(np.diff(k), n)
    gap_prev = np.insert(np.diff(k), 0, n)
    return (k >= 1) & (k + 2 < n) & (gap_next > 2) & (gap_prev > 2)


def gather(sweeps, masks, *, n_after, before) -> Spikes:
    """The usable spikes (``masks``) of ``sweeps`` and ``n_after`` samples after each."""
    parts = []
    for sweep, mask in zip(sweeps, masks):
        k = sweep.k_spike[mask]
        n = sweep.v.size
        index = k[:, None] + 1 + np.arange(n_after)[None, :]
        next_spike = np.append(sweep.spikes, np.inf)[np.flatnonzero(mask) + 1]
        keep = (index < n) & (index * sweep.dt < next_spike[:, None] - before)
        window = np.minimum(k[:, None] - 1 + np.arange(n_after + 1)[None, :], n - 1)
        parts.append((sweep.spikes[mask], k, sweep.current[window], sweep.v[k - 1],
                      sweep.v[np.minimum(index, n - 1)], keep))
    columns = [np.concatenate(c) for c in zip(*parts)]
    return Spikes(columns[0], columns[1], np.array([p[1].size for p in parts]), *columns[2:])


def _rk4(spec, p, v, w, current, h):
    """One RK4 step of (v, w)."""
    k1 = spec.rhs(p, v, w, current)
    k2 = spec.rhs(p, v + 0.5 * h * k1[0], w + 0.5 * h * k1[1], current)
    k3 = spec.rhs(p, v + 0.5 * h * k2[0], w + 0.5 * h * k2[1], current)
    k4 = spec.rhs(p, v + h * k3[0], w + h * k3[1], current)
    v_new = v + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
    w_new = w + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    run = ~np.isfinite(v_new) | (v_new > RUNAWAY)
    # once run away, w keeps its last value: the time left to the spike is negligible
    return np.where(run, np.inf, v_new), np.where(run | ~np.isfinite(w_new), w, w_new)


def _integrate(spec, p, v, w, current, t0, t1, n_steps, path=None):
    """Integrate from t0 to t1 (arrays, one a spike); append the steps to ``path``."""
    h = np.maximum(t1 - t0, 0.0) / n_steps
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n_steps):
            v, w = _rk4(spec, p, v, w, current, h)
            if path is not None:
                path[0].append(t0 + (i + 1) * h)
                path[1].append(v)
    return v, w


def upswing(spec, p, spikes, dt, w_before):
    """From the last sample before each spike to the spike time: (times, v) and the end
    state; ``w_before`` is u or w at that sample (empty for LIF)."""
    t0 = (spikes.k - 1) * dt
    w0 = w_before if w_before.size else np.zeros(spikes.k.size)
    path = ([t0], [spikes.v_before])
    v, w = _integrate(spec, p, spikes.v_before, w0, spikes.current[:, 0], t0, spikes.time,
                      N_STEPS, path)
    return np.array(path[0]).T, np.array(path[1]).T, v, w


def post_reset(spec, p, spikes, dt, w_spike, reset, t_ref, n_free, steps=(N_STEPS, LATER_STEPS),
               fine=False):
    """From each spike: the voltage held at ``reset`` for ``t_ref``, then free over the
    ``n_free`` samples after the hold; ``reset`` and ``t_ref`` are arrays of trial values.

    Returns the first free sample ``j0`` of each spike and the voltage at samples
    j0..j0+n_free-1, (trial, spike) and (trial, spike, n_free), and, when ``fine`` (one
    trial), the trajectory (times, values) from the spike time over the first two.
    """
    reset = np.asarray(reset, float).reshape(-1, 1)
    t_ref = np.asarray(t_ref, float).reshape(-1, 1)
    t_free = spikes.time + t_ref
    w = spec.w_hold(p, reset, w_spike + (p[spec.jump] if spec.jump else 0.0), t_ref)
    v = np.broadcast_to(reset, t_free.shape)
    j0 = np.floor(t_free / dt + 1e-9).astype(np.int64) + 1
    column = np.minimum(j0 - spikes.k, spikes.current.shape[1] - 1)  # current at j0 - 1
    rows = np.arange(spikes.k.size)
    path = ([spikes.time, t_free[0]], [v[0], v[0]]) if fine else None
    out, start = [], t_free
    for m in range(n_free):
        end = (j0 + m) * dt
        current = spikes.current[rows, np.minimum(column + m, spikes.current.shape[1] - 1)]
        v, w = _integrate(spec, p, v, w, current, start, end, steps[m >= 2],
                          path if m < 2 else None)
        out.append(v)
        start = end
    free = np.stack(out, axis=-1)
    if fine:
        return j0, free, tuple(np.array([np.reshape(x, -1) for x in part]).T for part in path)
    return j0, free


RESET_EVALUATIONS = 50
"""Most residual evaluations of the reset (and t_ref) least squares in one pass."""


def fit_reset(spec, p, spikes, dt, w_spike, *, n_free, t_ref_max, start=None):
    """Reset value (and t_ref) by least squares over the samples after every spike: those
    in the hold and ``n_free`` after it; from ``start`` (values by name) when given, else
    from a scan of t_ref.

    Returns (values dict, standard errors dict, residual RMS in V, number of samples).
    """
    names = [spec.reset] + ([spec.t_ref] if spec.t_ref else [])
    index = spikes.k[:, None] + 1 + np.arange(spikes.v_after.shape[1])[None, :]

    def residuals(x):
        """One row of residuals (V) a trial value, x (trials, names)."""
        reset = x[:, 0]
        t_ref = x[:, 1] if spec.t_ref else np.zeros(x.shape[0])
        j0, free = post_reset(spec, p, spikes, dt, w_spike, reset, t_ref, n_free, FIT_STEPS)
        offset = index[None] - j0[:, :, None]
        taken = np.take_along_axis(free, np.clip(offset, 0, n_free - 1), axis=2)
        pred = np.where(offset < 0, reset[:, None, None], taken)
        # the held samples and n_free after them; a fixed-size vector for least_squares
        res = np.where(offset < n_free, pred - spikes.v_after[None], 0.0)[:, spikes.keep]
        return np.where(np.isfinite(res), np.clip(res, -1.0, 1.0), 1.0)

    def jacobian(x):  # forward differences, every column from one batched integration
        h = np.sqrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(x))
        res = residuals(np.vstack([x, x + np.diag(h)]))
        return ((res[1:] - res[0]) / h[:, None]).T

    first = float(np.median(spikes.v_after[:, 0]))
    starts = np.linspace(0.0, t_ref_max, 21) if spec.t_ref else [None]
    if start is not None and all(np.isfinite(start[n]) for n in names):
        starts = [start[spec.t_ref]] if spec.t_ref else [None]
    # t_ref: a coarse scan first, as the residual has kinks at sample times
    trials = np.array([[first] + ([t0] if spec.t_ref else []) for t0 in starts])
    x0 = trials[np.argmin(np.sum(residuals(trials) ** 2, axis=1))]
    lower = [-np.inf] + ([0.0] if spec.t_ref else [])
    # capped: where the model is not the cell (hh_fs, LIF) the kinked residual let the
    # solver wander 400 evaluations a pass (18 s); exact data converge in a few
    fit = least_squares(lambda x: residuals(x[None])[0], x0, jac=jacobian, bounds=(lower, np.inf),
                        x_scale="jac", xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=RESET_EVALUATIONS)
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
