"""One template for the batch kernels of the reset models (LIF, Izhikevich, AdEx).

A reset model gives four small numba functions, compiled ``inline="always"`` into its kernel:

``coefficients(P, lo, hi, dt) -> (C, peak)``
    What the step needs of sets ``lo`` to ``hi - 1``: a (n_constants, m) array, one row per
    constant, named through ``constant_rows`` (``C[K.dt_C, j]``), and the value (V) at which
    a recorded trace draws each set's spikes. ``P`` rows are read by name through
    ``parameter_rows``, never by position. One array rather than a tuple of arrays: numba
    counts references to every array a variable or an inlined function's argument names,
    with atomic instructions, and a tuple of eight arrays handed to the scalar pass at each
    spike cost more than the pass itself (profiled: over half of LIF's time); ``C[k, j]``
    reads a float.
``step(C, x, ref, flag, I) -> flag_sum``
    One integration step of every set of the block under current ``I`` (A): updates the
    state ``x`` (n_state, m; row 0 is ``v``) and the refractory time left ``ref`` (in steps,
    a float) in place, writes each set's ``NO_EVENT``, ``SPIKE``, ``NOT_FINITE`` or
    ``RELEASE`` into ``flag`` and returns the sum of the flags (0: no event; the scan stops
    once it has met them all). Its loop over the sets is branch-free, so that it
    vectorises; it takes the rows of ``C`` it needs before that loop.
``release(C, x, ref, j, I, dt)``
    The scalar pass for set ``j``, flagged ``RELEASE``: its refractory period (``ref[j]``
    steps, under 1) ends within this step, and ``step`` left its start state; holds ``v``
    for that part of the step, integrates the rest and sets ``ref[j]`` to 0.
``fire(C, x, ref, j, I, dt) -> before_end``
    The rare scalar pass for set ``j``, flagged ``SPIKE`` in this step; returns how long (s)
    before the step's end the spike is stamped. ``step`` leaves the set's start state;
    ``fire`` finds the crossing within the step, resets there, starts the refractory
    period and integrates the rest of the step, so the SIMD loop pays only for the step
    itself. A model whose ``step`` flags a set that may cross (AdEx well above V_T, where
    its scalar pass integrates more accurately than the SIMD step) returns ``NO_CROSSING``
    from ``fire`` when the set did not: it has advanced the state, and no spike is stamped.
    At most one spike per set and step; a recorded trace draws it at the first sample after
    its step (``record_sample``), wherever it fell.

``integrate_block`` is the loop shell around them. Each model module then defines, in
three lines each, its block function (``@njit(cache=True, fastmath=FASTMATH)``, calling
``integrate_block``) and its parallel kernel (a ``prange`` over the blocks calling the block
function), and gives ``by_batch_size(parallel, block)`` as its ``_kernel``: a batch of one
block runs the block function alone, without the thread pool. (A serial kernel looping over
the blocks would be one more function to compile from a cold cache, for nothing: a batch of
more than one block is what the thread pool is for.)

Why not a factory returning the kernels as closures: numba keys the on-disk cache of a
closure by the pickle of what it closes over, and a pickled dispatcher carries a uuid drawn
per process, so closures over the model's functions recompiled in every new process. Module
level functions that reach the model's functions as globals load from the cache.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from .kernel_tools import BLOCK, NO_CROSSING, NO_EVENT, NOT_FINITE, RELEASE, SAMPLE_ROUNDING, SPIKE, record_sample

FASTMATH = {"contract", "arcp", "nsz"}
"""fastmath flags of the reset kernels: contraction to FMA, reciprocals, no signed zeros
(no ``reassoc``, so sums keep their order, and no ``nnan``/``ninf``, so divergence shows)."""

ERROR_MODEL = "numpy"
"""numba's error model of the reset kernels: a float division by zero gives inf or nan (and the
set is marked diverged) instead of raising ZeroDivisionError out of a whole batch (Izhikevich
dap_2004 raised it in a crossing search, and the fit died)."""


def parameter_rows(parameters):
    """Row of each parameter in the kernels' (n_params, n_sets) matrix, by name.

    Returns a namedtuple, so a kernel reads ``P[ROW.tau_w]``; numba freezes it as a
    constant when it compiles, and a reordered ``PARAMETERS`` changes the file and so
    invalidates the cache.
    """
    names = [p.name for p in parameters]
    return namedtuple("ParameterRows", names)(*range(len(names)))


def constant_rows(names):
    """Row of each named constant in a kernel's (n_constants, m) array ``C``, as ``parameter_rows``."""
    names = names.split()
    return namedtuple("ConstantRows", names)(*range(len(names)))


@njit(inline="always")
def n_blocks(n_sets):
    """Blocks of ``BLOCK`` sets that cover ``n_sets`` sets."""
    return (n_sets + BLOCK - 1) // BLOCK


@njit(inline="always")
def integrate_block(coefficients, step, fire, release, P, current, dt, substeps, record_v,
                    state0, v_out,
                    spikes, counts, diverged, blk):
    """Integrate block ``blk`` (sets ``blk * BLOCK`` to ``blk * BLOCK + BLOCK - 1``).

    Arguments after ``release`` are those of ``Model._kernel``, plus the block.
    """
    n_sets = P.shape[1]
    lo = blk * BLOCK
    m = min(BLOCK, n_sets - lo)
    hi = lo + m
    c, peak = coefficients(P, lo, hi, dt)
    x = np.ascontiguousarray(state0[lo:hi].T)  # (n_state, m): a row per state variable
    v = x[0]
    ref = np.zeros(m)  # refractory time left, in steps
    flag = np.zeros(m, np.int64)
    pending = np.zeros(m, np.bool_)
    step_index = 0
    latest = dt * (1.0 - 2.0 * SAMPLE_ROUNDING * substeps)  # before a step's end (see SAMPLE_ROUNDING)
    for k in range(current.shape[0]):
        if record_v:
            record_sample(v_out, lo, m, k, v, pending, peak)
        I = current[k]
        for _ in range(substeps):
            step_index += 1
            left = step(c, x, ref, flag, I)  # the sum of the flags
            if left:
                end = step_index * dt
                for j in range(m):  # one scan, until the last event: the sets with one are few
                    if flag[j] == NO_EVENT:
                        continue
                    left -= flag[j]
                    if flag[j] == RELEASE:
                        release(c, x, ref, j, I, dt)
                    else:
                        before_end = fire(c, x, ref, j, I, dt) if flag[j] == SPIKE else 0.0
                        if before_end == NO_CROSSING:  # fire advanced the state: no spike
                            continue
                        when = end - min(before_end, latest)
                        # a set whose state is not finite after the reset diverged there;
                        # written out here, not called: an inlined call counts references
                        finite = flag[j] != NOT_FINITE
                        for r in range(x.shape[0]):
                            finite = finite and abs(x[r, j]) < np.inf
                        i = lo + j
                        if not finite:
                            diverged[i] = True
                        elif not diverged[i]:
                            if counts[i] < spikes.shape[1]:
                                spikes[i, counts[i]] = when
                            counts[i] += 1  # past the capacity too: the caller reruns the set
                        pending[j] = pending[j] or finite
                    if left == 0:
                        break


def by_batch_size(parallel, block):
    """The kernel a model runs: ``block`` alone when the sets fit in one block, else ``parallel``.

    Waking numba's thread pool for a single block costs little on an idle machine but a
    scheduler time slice (milliseconds) on a busy one, more than simulating the block
    (benchmarks/RESULTS.md).
    """

    def kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
        if 0 < P.shape[1] <= BLOCK:
            block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged, 0)
        else:
            parallel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged)

    kernel.parallel, kernel.block = parallel, block
    return kernel
