"""Pieces shared by the numba batch kernels of the reset models (LIF, Izhikevich, AdEx).

The kernels keep parameter sets side by side in blocks of ``BLOCK`` and update a whole
block per time step in a branch-free loop that LLVM turns into SIMD code; events (spikes,
divergence) are flagged in that loop and handled in a rare scalar pass. Blocks run in
parallel threads.

``exp_simd`` exists because the numba and llvmlite wheels on PyPI come without Intel's SVML:
there ``math.exp`` is a scalar libm call that cannot be vectorised, and it is the cost of an
AdEx step. ``exp_simd`` is branch-free and vectorises; it agrees with ``math.exp`` to a few
ulp (tests/models/test_kernel_tools.py).
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

BLOCK = 256
"""Parameter sets updated together in one SIMD loop and given to one thread at a time."""

NO_EVENT, SPIKE, NOT_FINITE = 0, 1, 2

DRAWN_SPIKE_PEAK = 0.02
"""Lowest value (V) at which a reset model's recorded trace draws a spike.

LIF, Izhikevich and AdEx reset instead of drawing an action potential, so the sample at each
spike is set to ``max(model's cut or peak, DRAWN_SPIKE_PEAK)``; eFEL (threshold -20 mV) then
counts every spike the model fired. Spike times themselves are exact and kept separately.
"""

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
# Taylor coefficients 1/k! for k = 2..11: on |r| <= ln2/2 the remainder is below 1e-16.
_C = (1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
      1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800)


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

    Overflows to inf above 709.78 like ``math.exp``; below -708 it returns exp(-708)
    instead of a subnormal, which no membrane equation can tell from zero. NaN gives NaN.
    """
    big = x > 709.782712893384
    xc = min(max(x, -708.0), 709.0)
    n = np.floor(xc * _LOG2E + 0.5)
    r = (xc - n * _LN2_HI) - n * _LN2_LO
    p = _C[9]
    p = p * r + _C[8]
    p = p * r + _C[7]
    p = p * r + _C[6]
    p = p * r + _C[5]
    p = p * r + _C[4]
    p = p * r + _C[3]
    p = p * r + _C[2]
    p = p * r + _C[1]
    p = p * r + _C[0]
    p = 1.0 + r + r * r * p
    scale = _bits_to_float((np.int64(n) + 1023) << 52)
    y = p * scale
    y = np.inf if big else y
    return x if x != x else y


@njit(cache=True)
def handle_events(flag, lo, m, t, spikes, counts, diverged, pending):
    """Record the spikes and divergences flagged in one step of one block.

    A spike time goes into ``spikes`` while there is room; ``counts`` keeps counting past
    the capacity so that the caller can rerun the set with a bigger buffer. A set that is
    no longer finite is marked diverged once and records nothing more.
    """
    cap = spikes.shape[1]
    for j in range(m):
        if flag[j] == NO_EVENT:
            continue
        i = lo + j
        if flag[j] == SPIKE and not diverged[i]:
            if counts[i] < cap:
                spikes[i, counts[i]] = t
            counts[i] += 1
            pending[j] = True
        elif flag[j] == NOT_FINITE:
            diverged[i] = True


@njit(cache=True)
def record_sample(v_out, lo, m, k, v, pending, peak):
    """Write sample ``k`` of a block; a spike since the last sample is drawn at ``peak``."""
    for j in range(m):
        if pending[j]:
            v_out[lo + j, k] = max(peak[j], DRAWN_SPIKE_PEAK)
            pending[j] = False
        else:
            v_out[lo + j, k] = v[j]
