"""Fine-step references for the reset models: RK4 at 1 us, written here apart from the kernels.

Each integrates one parameter set under a current held over each stimulus sample, with the
threshold crossing interpolated linearly between fine steps (an error of well under 1 us)
and ``v`` held at its reset for ``t_ref`` (to the nearest fine step). Tested against Brian 2
at 1 us on short runs (tests/models/test_accuracy.py).
"""
import numpy as np
from numba import njit

FINE_DT = 1e-6


@njit(cache=True)
def _izhikevich_rates(v, u, I, C, k, v_r, v_t, a, b):
    return (k * (v - v_r) * (v - v_t) - u + I) / C, a * (b * (v - v_r) - u)


@njit(cache=True)
def _adex_rates(v, w, I, C, g_L, E_L, V_T, Delta_T, tau_w, a, held):
    dv = 0.0 if held else (g_L * (E_L - v) + g_L * Delta_T * np.exp((v - V_T) / Delta_T) - w + I) / C
    return dv, (a * (v - E_L) - w) / tau_w


@njit(cache=True)
def _lif_rates(v, w, I, C, g_L, E_L, held):
    return 0.0 if held else (g_L * (E_L - v) + I) / C, 0.0


@njit(cache=True)
def _run(model, p, current, sample_dt, h, v, w):
    """Spike times (s) of one set; ``model`` 0 LIF, 1 Izhikevich, 2 AdEx (see ``simulate``)."""
    n_sub = int(round(sample_dt / h))
    out = np.empty(100000)
    n = 0
    held_steps = 0
    if model == 0:
        threshold, reset, t_ref = p[3], p[4], p[5]
    elif model == 1:
        threshold, reset, t_ref = p[4], p[7], 0.0
    else:
        threshold, reset, t_ref = p[9], p[8], p[10]
    step = 0
    for i in range(current.shape[0]):
        I = current[i]
        for _ in range(n_sub):
            held = held_steps > 0
            ks = np.empty((4, 2))
            vv, ww = v, w
            for s in range(4):
                if model == 0:
                    dv, dw = _lif_rates(vv, ww, I, p[0], p[1], p[2], held)
                elif model == 1:
                    dv, dw = _izhikevich_rates(vv, ww, I, p[0], p[1], p[2], p[3], p[5], p[6])
                else:
                    dv, dw = _adex_rates(vv, ww, I, p[0], p[1], p[2], p[3], p[4], p[5], p[6], held)
                ks[s, 0], ks[s, 1] = dv, dw
                f = 0.5 if s < 2 else 1.0
                vv, ww = v + f * h * dv, w + f * h * dw
            v_new = v + h / 6 * (ks[0, 0] + 2 * ks[1, 0] + 2 * ks[2, 0] + ks[3, 0])
            w_new = w + h / 6 * (ks[0, 1] + 2 * ks[1, 1] + 2 * ks[2, 1] + ks[3, 1])
            held_steps = max(held_steps - 1, 0)
            crossed = not (v_new < threshold) if model == 1 else not (v_new <= threshold)
            if crossed:  # (an overflow within the fine step is a crossing too)
                frac = (threshold - v) / (v_new - v) if np.isfinite(v_new) else 1.0
                if n < out.size:
                    out[n] = (step + frac) * h
                n += 1
                w_new = w  # w (u) at the crossing: its stages saw v far beyond the cut
                v_new = reset
                w_new = w_new + (p[8] if model == 1 else (p[7] if model == 2 else 0.0))
                held_steps = int(round(t_ref / h))
            v, w = v_new, w_new
            step += 1
    return out[:min(n, out.size)]


MODEL_CODES = {"lif": 0, "izhikevich": 1, "adex": 2}
INITIAL_V = {"lif": "E_L", "izhikevich": "v_r", "adex": "E_L"}


def simulate(model, params, stimulus, h=FINE_DT):
    """Spike times (s) of ``params`` (a complete dict, SI) under ``stimulus``, at step ``h``."""
    names = [p.name for p in model.parameters]
    p = np.array([params[n] for n in names], float)
    return _run(MODEL_CODES[model.name], p, stimulus.current, stimulus.dt, h,
                params[INITIAL_V[model.name]], 0.0)
