"""The IEEE-exact math library: array and scalar versions agree bit for bit and stay near libm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import mathlib

finite = st.floats(allow_nan=False, allow_infinity=False)


def _ulps(a: float, b: float) -> int:
    if a == b:
        return 0
    ia = np.array(a).view(np.int64)
    ib = np.array(b).view(np.int64)
    return int(abs(int(ia) - int(ib)))


def _same_bits(a: float, b: float) -> bool:
    return bool(np.array(a, dtype=np.float64).view(np.int64) == np.array(b, dtype=np.float64).view(np.int64))


CASES = [
    ("exp", math.exp, st.floats(-746.0, 710.0)),
    ("log", math.log, st.floats(min_value=0.0, exclude_min=True, allow_infinity=False)),
    ("log1p", math.log1p, st.floats(min_value=-1.0, exclude_min=True, allow_infinity=False)),
    ("cos", math.cos, st.floats(-1.6e6, 1.6e6)),
]


@pytest.mark.parametrize(("name", "reference", "values"), CASES, ids=[c[0] for c in CASES])
def test_array_and_scalar_agree_and_are_within_one_ulp(name, reference, values):
    array_fn = getattr(mathlib, name)
    scalar_fn = getattr(mathlib, f"{name}_scalar")

    @settings(max_examples=400, deadline=None)
    @given(st.lists(values, min_size=1, max_size=20))
    def check(xs):
        got = array_fn(np.array(xs))
        for x, y in zip(xs, got, strict=True):
            assert _same_bits(scalar_fn(x), y), (name, x)
            try:
                expected = reference(x)
            except OverflowError:
                expected = math.inf
            assert _ulps(float(y), expected) <= 1, (name, x, float(y), expected)

    check()


@pytest.mark.parametrize("name", ["exp", "log", "log1p", "cos"])
def test_special_values_match_libm_conventions(name):
    xs = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-310, -1e-310, 800.0, -800.0])
    got = getattr(mathlib, name)(xs)
    scalar = [getattr(mathlib, f"{name}_scalar")(float(x)) for x in xs]
    with np.errstate(all="ignore"):
        expected = getattr(np, name)(xs)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert all(_same_bits(a, b) for a, b in zip(scalar, got, strict=True))
    both = ~np.isnan(expected)
    assert all(_ulps(a, b) <= 1 for a, b in zip(got[both], expected[both], strict=True))


def test_cos_is_nan_beyond_its_reduction_range():
    assert math.isnan(mathlib.cos_scalar(1e7))
    assert np.isnan(mathlib.cos(np.array([1e7])))[0]


@settings(max_examples=500, deadline=None)
@given(st.floats(-50.0, 50.0), st.one_of(st.integers(-70, 70).map(float), st.floats(-20.0, 20.0)))
def test_power_array_and_scalar_agree(a, b):
    y = mathlib.power(np.array([a]), np.array([b]))[0]
    assert _same_bits(mathlib.pow_scalar(a, b), y)
    with np.errstate(all="ignore"):
        expected = float(np.power(a, b))
    if math.isnan(expected) or math.isinf(expected) or expected == 0.0:
        assert _same_bits(float(y), expected) or (math.isnan(y) and math.isnan(expected))
    else:
        # exp(b*log(a)) loses about |b*ln a| * 2**-53 relatively; products about |b| half-ulps.
        tolerance = 4e-16 * (abs(b * math.log(abs(a) or 1.0)) + abs(b) + 2)
        assert abs(y - expected) <= tolerance * abs(expected)


def test_power_small_integer_exponents_are_repeated_products():
    assert mathlib.pow_scalar(3.0, 4.0) == 81.0
    assert mathlib.pow_scalar(-2.0, 3.0) == -8.0
    assert mathlib.pow_scalar(2.0, -2.0) == 0.25
    assert mathlib.pow_scalar(0.0, -1.0) == math.inf
    assert math.isnan(mathlib.pow_scalar(-2.0, 0.5))
    assert mathlib.power(7.0, 0.0) == 1.0
    assert np.array_equal(mathlib.power(np.array([2.0, 3.0]), 2.0), [4.0, 9.0])


def test_power_keeps_the_sign_of_negative_zero_under_odd_exponents_as_c_pow_does():
    # C99 pow: (-0) ** y is -0 (y > 0) or -inf (y < 0) for odd integers y, +0 or +inf otherwise.
    cases = {65.0: -0.0, 3.0: -0.0, -65.0: -math.inf, -3.0: -math.inf, 66.0: 0.0, -66.0: math.inf, 0.5: 0.0, 1e300: 0.0}
    for b, expected in cases.items():
        assert _same_bits(mathlib.pow_scalar(-0.0, b), expected), b
        assert _same_bits(float(mathlib.power(np.array([-0.0]), np.array([b]))[0]), expected), b


def test_compiled_power_matches_the_array_version_for_huge_and_special_exponents():
    numba = pytest.importorskip("numba")
    from sim.engine import kernels

    kernels.load()  # registers exp_scalar and log_scalar for numba
    compiled_pow = numba.njit(mathlib.pow_scalar)
    bases = [-2.0, -0.5, -0.0, 0.0, 0.5, 2.0, -math.inf, math.inf, math.nan]
    exponents = [65.0, -65.0, 64.0, 2.0**63, 1e20, 1e300, -1e300, math.inf, -math.inf, 2.5, -2.5, math.nan]
    a, b = (np.array(v) for v in zip(*[(x, y) for x in bases for y in exponents], strict=True))
    array = mathlib.power(a, b)
    for x, y, z in zip(a, b, array, strict=True):
        assert _same_bits(compiled_pow(x, y), z) or (math.isnan(z) and math.isnan(compiled_pow(x, y))), (x, y)
        assert _same_bits(mathlib.pow_scalar(float(x), float(y)), z) or math.isnan(z), (x, y)
