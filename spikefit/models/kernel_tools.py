"""Pieces shared by the numba batch kernels of the reset models (LIF, Izhikevich, AdEx).

The kernels keep parameter sets side by side in blocks of ``BLOCK`` and update a whole
block per time step in a branch-free loop that LLVM turns into SIMD code; events (spikes,
divergence) are flagged in that loop and handled in a rare scalar pass. Blocks run in
parallel threads.

``exp_simd`` exists because the numba and llvmlite wheels on PyPI come without Intel's SVML:
there ``math.exp`` is a scalar libm call that cannot be vectorised, and it is the cost of an
AdEx step. ``exp_simd`` is branch-free and vectorises; it agrees with ``math.exp`` to 1
ulp (tests/models/test_kernel_tools.py).
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

BLOCK = 256
"""Parameter sets updated together in one SIMD loop and given to one thread at a time."""

NO_EVENT, SPIKE, NOT_FINITE, RELEASE = 0, 1, 2, 3
"""Events of a step; RELEASE: a refractory period ends within the step."""

NO_CROSSING = -1.0
"""What a model's ``fire`` returns for a set flagged ``SPIKE`` whose step, integrated there,
does not reach the cut: ``fire`` advanced the state itself and there is no spike."""

SAMPLE_ROUNDING = 1e-6
"""Tolerance (in samples) of rounding a spike time up to the sample that draws it.

A recorded trace draws a spike at the first sample after its step; ``drawn_peaks``
(``spikefit.features.peaks``) finds that sample from the spike time alone, as
``ceil(t / dt - SAMPLE_ROUNDING)``, so the kernels stamp no spike closer than
``2 * SAMPLE_ROUNDING`` samples (0.2 ns at 0.1 ms) after the start of its step: a crossing
found earlier than that, as AdEx's can be far above V_T, is stamped there.
"""

DRAWN_SPIKE_PEAK = 0.02
"""Lowest value (V) at which a reset model's recorded trace draws a spike.

LIF, Izhikevich and AdEx reset instead of drawing an action potential, so the sample at each
spike is set to ``max(model's cut or peak, DRAWN_SPIKE_PEAK)``; eFEL (threshold -20 mV) then
counts every spike the model fired. Spike times themselves are kept separately, interpolated within the step.
"""

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_EXP_MAX = 709.782712893384
"""log(DBL_MAX): above it exp overflows."""
# exp(r) = 1 + r + r^2 q(r) on |r| <= ln2/2, q of degree 9: Chebyshev interpolation of
# q(r) = (e^r - 1 - r)/r^2 at 10 nodes on |r| <= 1.002 ln2/2 (mpmath, 60 digits), rounded to
# doubles: 1.7e-17 relative error before rounding, where the Taylor terms 1/k!, k = 2..11,
# left 6e-15 (some 50 ulp). Stored doubled (exact), as exp_simd evaluates 2 exp(r).
_Q = (0.5000000000000001, 0.16666666666666669, 0.04166666666662348, 0.008333333333330011,
      0.0013888888917538296, 0.00019841269863303223, 2.4801520792572694e-05,
      2.75572680728901e-06, 2.762032742826824e-07, 2.5100569275813683e-08)
_Q2 = tuple(2.0 * c for c in _Q)


@intrinsic
def _bits_to_float(typingctx, bits):
    """Reinterpret an int64 as a float64 (a no-op for the CPU, and vectorisable)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@njit(cache=True, inline="always")
def exp_simd(x):
    """exp(x) without a libm call, so that loops calling it vectorise.

    Within 1 ulp of ``math.exp`` from -708 to 709.78, above which it is inf like
    ``math.exp``; below -708 it returns exp(-708) instead of a subnormal, which no membrane
    equation can tell from zero. NaN gives NaN.
    """
    big = x > _EXP_MAX
    xc = min(max(x, -708.0), _EXP_MAX)
    n = np.floor(xc * _LOG2E + 0.5)
    r = (xc - n * _LN2_HI) - n * _LN2_LO
    q = _Q2[9]
    q = q * r + _Q2[8]
    q = q * r + _Q2[7]
    q = q * r + _Q2[6]
    q = q * r + _Q2[5]
    q = q * r + _Q2[4]
    q = q * r + _Q2[3]
    q = q * r + _Q2[2]
    q = q * r + _Q2[1]
    q = q * r + _Q2[0]
    p2 = (q * r + 2.0) * r + 2.0  # 2 exp(r)
    # 2 exp(r) 2^(n-1) rather than exp(r) 2^n: n reaches 1024 just below the overflow
    # threshold, and 2^1024 has no float; 2 exp(r) 2^(n-1) is exact for n >= -1021 (x >= -708).
    scale = _bits_to_float((np.int64(n) + 1022) << 52)
    y = p2 * scale
    y = np.inf if big else y
    return x if x != x else y


@njit(inline="always")
def copy_into(dst, src):
    """``dst[i] = src[i]`` over the 1-D ``src`` (and ``dst``, a view to write through). A slice
    assigned from an array (``dst[:] = src``) compiles numba's message for mismatched shapes,
    string formatting that took half of a reset kernel's cold compile (benchmarks/RESULTS.md)."""
    for i in range(src.shape[0]):
        dst[i] = src[i]


@njit(cache=True)
def record_sample(v_out, lo, m, k, v, pending, peak):
    """Write sample ``k`` of a block; a spike since the last sample is drawn at ``peak``."""
    for j in range(m):
        if pending[j]:
            v_out[lo + j, k] = max(peak[j], DRAWN_SPIKE_PEAK)
            pending[j] = False
        else:
            v_out[lo + j, k] = v[j]


@njit(cache=True)
def refractory_steps(t_ref, dt):
    """Refractory periods (s) as whole integration steps, rounded, one per set."""
    n_ref = np.empty(t_ref.size, np.int64)
    for j in range(t_ref.size):
        n_ref[j] = int(round(t_ref[j] / dt))
    return n_ref


@njit(inline="always")
def hold_after_spike(t_ref, rest, dt):
    """How long (s) ``v`` stays at the reset within the spike step, and after it (in steps).

    ``rest`` (s) is what is left of the spike step after the crossing. The period ``t_ref``
    runs from the crossing: within the spike step when it is shorter than ``rest``, else
    over whole steps and then part of a step, whose free part the ``RELEASE`` event integrates.
    """
    return min(t_ref, rest), max(t_ref - rest, 0.0) / dt
