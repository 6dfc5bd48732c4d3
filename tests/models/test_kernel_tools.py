"""exp_simd, the vectorisable exp of the numba kernels, against math.exp (libm)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from spikefit.models.kernel_tools import exp_simd

ULP = 1  # exp_simd's claim: within 1 ulp of math.exp (libm)
EXP_MAX = 709.782712893384  # log(DBL_MAX): math.exp overflows above it
EXP_MIN = -708.0  # exp_simd returns exp(-708) below it instead of a subnormal
EXP_FLOOR = math.exp(EXP_MIN) + ULP * np.spacing(math.exp(EXP_MIN))  # the most it gives below EXP_MIN


@njit
def exp_scalar(x):
    return exp_simd(x)


@njit(fastmath={"contract", "arcp", "nsz"})
def exp_loop(xs):
    """As the kernels call it: in a loop that vectorises, with their fastmath flags."""
    out = np.empty_like(xs)
    for i in range(xs.size):
        out[i] = exp_simd(xs[i])
    return out


def math_exp_overflows(x: float) -> bool:
    """math.exp raises OverflowError for a finite x too large, and gives inf for inf."""
    try:
        return math.exp(x) == math.inf
    except OverflowError:
        return True


def ulps(y, expected):
    """Distance from ``expected`` in units of its last place (np.spacing)."""
    return np.abs(np.asarray(y) - expected) / np.spacing(expected)


def assert_close(x: float, y: float) -> None:
    expected = math.exp(x)
    assert ulps(y, expected) <= ULP, (x, y, expected, ulps(y, expected))


@settings(max_examples=400, deadline=None)
@given(st.floats(min_value=EXP_MIN, max_value=EXP_MAX))
def test_matches_math_exp_over_the_whole_range(x):
    assert_close(x, exp_scalar(x))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1.0, max_value=1.0))
def test_matches_math_exp_near_zero(x):
    assert_close(x, exp_scalar(x))


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=EXP_MAX, exclude_min=True, allow_nan=False))
def test_overflows_to_inf_like_math_exp(x):
    assert math_exp_overflows(x)
    assert exp_scalar(x) == math.inf


@settings(max_examples=100, deadline=None)
@given(st.floats(max_value=EXP_MIN, allow_nan=False))
def test_below_minus_708_gives_no_more_than_exp_minus_708(x):
    y = exp_scalar(x)
    assert 0.0 <= y <= EXP_FLOOR


@pytest.mark.parametrize("x", [
    0.0, -0.0, 5e-324, -5e-324, 1e-300, 1e-17, -1e-17, 1e-8, 1.0, -1.0, 0.5, -0.5,
    math.log(2) / 2, -math.log(2) / 2, 1.5 * math.log(2), -1.5 * math.log(2),  # |r| at its widest
    math.log(2), 10 * math.log(2), -10 * math.log(2),
    -70.6e-3 / 2e-3, 20.0, -20.0, 100.0, -100.0,
    700.0, 709.0, 709.5, 709.78, EXP_MAX, np.nextafter(EXP_MAX, 0.0),
    -700.0, -707.9, -707.99999, EXP_MIN,
])
def test_edge_cases_match_math_exp(x):
    assert_close(x, exp_scalar(x))


def test_exact_at_zero():
    assert exp_scalar(0.0) == 1.0
    assert exp_scalar(-0.0) == 1.0


@pytest.mark.parametrize("x", [np.nextafter(EXP_MAX, math.inf), 709.79, 710.0, 1e10, 1e308, math.inf])
def test_overflow_boundary(x):
    assert math_exp_overflows(x)
    assert exp_scalar(x) == math.inf


def test_largest_finite():
    y = exp_scalar(EXP_MAX)
    assert math.isfinite(y) and y > 1.79e308


@pytest.mark.parametrize("x", [-708.5, -745.0, -746.0, -1e308, -math.inf])
def test_far_below_underflows_to_at_most_exp_minus_708(x):
    assert 0.0 <= exp_scalar(x) <= EXP_FLOOR


def test_nan_gives_nan():
    assert math.isnan(exp_scalar(math.nan))
    assert np.isnan(exp_loop(np.array([1.0, math.nan, -1.0])))[1]


@pytest.mark.parametrize("kernel", [exp_loop, np.vectorize(exp_scalar)], ids=["vectorised", "scalar"])
def test_within_one_ulp_over_the_whole_range(kernel):
    rng = np.random.default_rng(0)
    xs = np.concatenate([
        np.linspace(EXP_MIN, EXP_MAX, 20001), rng.uniform(EXP_MIN, EXP_MAX, 100_000),
        rng.uniform(-50.0, 50.0, 20_000), rng.uniform(-1.0, 1.0, 20_000),
        rng.uniform(-1e-3, 1e-3, 2000), [0.0, math.inf, -math.inf, EXP_MAX, 710.0],
    ])
    ys = kernel(xs)
    finite = (xs >= EXP_MIN) & (xs <= EXP_MAX)
    expected = np.array([math.exp(x) for x in xs[finite]])
    assert ulps(ys[finite], expected).max() <= ULP
    assert np.all(ys[xs > EXP_MAX] == math.inf)
    assert np.all((ys[xs < EXP_MIN] >= 0.0) & (ys[xs < EXP_MIN] <= EXP_FLOOR))


def test_the_reset_kernels_compile_no_shape_error_message(tmp_path):
    """A slice assigned from an array compiles numba's message for mismatched shapes (string
    formatting: over half of a reset kernel's cold compile). A cold compile, in a fresh process
    on an empty cache, of LIF's, Izhikevich's and AdEx's kernels compiles no such message."""
    import os
    import subprocess
    import sys

    code = """
from numba.core.event import install_recorder
import spikefit
with install_recorder("numba:compile") as recorded:
    for name in ("lif", "izhikevich", "adex"):
        model = spikefit.get_model(name)
        model.simulate_batch(model.table(None), spikefit.step(0.3e-9, start=0.01, stop=0.04, duration=0.05))
names = {str(event.data.get("dispatcher")) for _, event in recorded.buffer}
print(sum("_block" in n for n in names), sum("raise_with_shape_context" in n for n in names))
"""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["3", "0"]  # the three block functions compiled, no shape-error message
