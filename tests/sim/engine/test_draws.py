"""The vectorized normal draws (sim/engine/kernels/draws.py) give the numpy path's bits."""

from __future__ import annotations

import functools
import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim.engine import kernels, mathlib
from sim.engine.kernels import draws
from sim.engine.rng import CounterRNG

pytestmark = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")

_TINY = 2.0**-1074
_SPECIAL = [
    math.nan,
    -math.nan,
    math.inf,
    -math.inf,
    0.0,
    -0.0,
    -1.0,
    -1.0 - 2.0**-52,
    -2.0,
    -1.0 + 2.0**-53,
    -1.0 + 2.0**-52,
    -0.5,
    -(2.0**-53),
    2.0**-53,
    _TINY,
    -_TINY,
    2.2250738585072014e-308,
    1e-300,
    math.sqrt(0.5) - 1.0,
    math.nextafter(math.sqrt(0.5) - 1.0, 0.0),
    math.nextafter(math.sqrt(0.5) - 1.0, -1.0),
    math.sqrt(2.0) - 1.0,
    math.nextafter(math.sqrt(2.0) - 1.0, 1.0),
    1.0,
    math.nextafter(1.0, 0.0),
    2.0,
    3.0,
    1e10,
    1.7976931348623157e308,
]


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)


def _log1p_inputs() -> np.ndarray:
    rng = np.random.default_rng(14)
    # The draws' own domain (-u for u a multiple of 2**-53 in [0, 1)), then the whole line.
    draws_domain = -(rng.integers(0, 2**53, 3000, dtype=np.int64).astype(np.float64) * 2.0**-53)
    wide = np.concatenate(
        [rng.uniform(-1.0, 1.0, 2000), rng.uniform(-1.0, 100.0, 1000), np.exp(rng.uniform(-700, 700, 1000))]
    )
    edges = np.array([-(2.0**-k) for k in range(1, 60)] + [2.0**k - 1.0 for k in range(-60, 60)])
    return np.concatenate([np.array(_SPECIAL), draws_domain, wide, -wide, edges])


def _cos_inputs() -> np.ndarray:
    rng = np.random.default_rng(41)
    angles = 2.0 * np.pi * (rng.integers(0, 2**53, 4000, dtype=np.int64).astype(np.float64) * 2.0**-53)
    quarter = np.array([k * np.pi / 4.0 for k in range(-16, 17)])
    near = np.concatenate([np.nextafter(quarter, np.inf), np.nextafter(quarter, -np.inf)])
    far = np.array([mathlib._COS_MAX, np.nextafter(mathlib._COS_MAX, np.inf), -mathlib._COS_MAX, 1e7, 1e300])
    return np.concatenate([np.array(_SPECIAL), angles, -angles, quarter, near, far, rng.uniform(-1e6, 1e6, 500)])


@functools.cache
def _compiled() -> SimpleNamespace:
    """The helpers compiled the way the kernels use them (numpy error model), and the kernels."""
    import numba

    loaded = kernels.load()
    options = dict(draws.JIT_OPTIONS)
    return SimpleNamespace(
        log1p_block=numba.njit(**options)(draws.log1p_block),
        cos_block=numba.njit(**options)(draws.cos_block),
        normal_pairs=loaded.normal_pairs,
    )


def _log1p_with(log1p_block, x: np.ndarray) -> np.ndarray:
    out, u, scaled, k = (np.full(len(x), 7.0) for _ in range(4))
    log1p_block(x, len(x), out, u, scaled, k)
    return out


def _cos_with(cos_block, x: np.ndarray) -> np.ndarray:
    out = np.full(len(x), 7.0)
    cos_block(x, len(x), out)
    return out


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_log1p_block_gives_mathlib_bits_on_adversarial_inputs(compiled):
    x = _log1p_inputs()
    if not compiled:
        x = np.concatenate([np.array(_SPECIAL), x[:: len(x) // 400]])
    block = _compiled().log1p_block if compiled else draws.log1p_block
    got = _log1p_with(block, x)
    assert np.array_equal(_bits(got), _bits(mathlib.log1p(x)))
    scalar = np.array([mathlib.log1p_scalar(float(v)) for v in x])
    assert np.array_equal(_bits(got), _bits(scalar))


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_cos_block_gives_mathlib_bits_on_adversarial_inputs(compiled):
    x = _cos_inputs()
    if not compiled:
        x = np.concatenate([np.array(_SPECIAL), x[:: len(x) // 400]])
    block = _compiled().cos_block if compiled else draws.cos_block
    got = _cos_with(block, x)
    assert np.array_equal(_bits(got), _bits(mathlib.cos(x)))
    scalar = np.array([mathlib.cos_scalar(float(v)) for v in x])
    assert np.array_equal(_bits(got), _bits(scalar))


@pytest.mark.parametrize("worlds", [0, 1, 7, 511, 512, 513, 1500])
@pytest.mark.parametrize("seed", [0, 2**64 - 1])
def test_compiled_normals_equal_numpy_normals_bit_for_bit(worlds, seed):
    replications = np.concatenate(
        [np.array([0, 2**64 - 1, 2**63], dtype=np.uint64), np.arange(worlds, dtype=np.uint64)]
    )
    replications = replications[:worlds]
    numpy_rng = CounterRNG(seed, replications)
    compiled_rng = CounterRNG(seed, replications, compiled=True)
    _compiled()
    per_world = np.linspace(-3.0, 3.0, worlds)
    for turn, stream, slot in ((0, 0, 0), (5, 2**64 - 1, 3), (15, 1234567, 1)):
        expected = numpy_rng.normal(turn, stream, slot)
        assert np.array_equal(_bits(compiled_rng.normal(turn, stream, slot)), _bits(expected))
        for scale in (0.01, np.float64(-2.5), per_world, np.array([0.3])):
            scaled = compiled_rng.normal(turn, stream, slot, scale=scale)
            assert np.array_equal(_bits(scaled), _bits(expected * scale))
            assert np.array_equal(_bits(numpy_rng.normal(turn, stream, slot, scale=scale)), _bits(expected * scale))


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "numba"])
def test_normals_of_several_streams_are_their_single_draws(compiled):
    rng = CounterRNG(3, np.arange(600), compiled=compiled)
    streams = (11, 12, 2**63 + 1)
    block = rng.normals(4, streams, slot=2, scale=0.5)
    assert block.shape == (3, 600)
    for row, stream in zip(block, streams, strict=True):
        assert np.array_equal(_bits(row), _bits(rng.normal(4, stream, slot=2) * 0.5))
    assert rng.normals(4, ()).shape == (0, 600)


def test_normal_kernel_runs_as_plain_python_with_the_same_bits():
    replications = np.arange(40, dtype=np.uint64) * np.uint64(977)
    rng = CounterRNG(9, replications)
    keys = np.array([rng.keys(2, 5, 2, 6)], dtype=np.uint64)
    out = np.empty((1, 40))
    with np.errstate(over="ignore"):  # uint64 scalars wrap (numpy warns; numba does not)
        draws.normal_pairs(replications, keys, np.ones(1), False, out)
    assert np.array_equal(_bits(out[0]), _bits(rng.normal(2, 5, slot=3)))


def test_keys_are_the_keys_of_each_slot():
    rng = CounterRNG(5, np.arange(3))
    assert rng.keys(7, 99, 4, slot=2) == [rng.key(7, 99, s) for s in range(2, 6)]


def test_a_scale_of_the_wrong_length_is_refused():
    rng = CounterRNG(5, np.arange(3), compiled=True)
    with pytest.raises(ValueError, match="scale has 2 values"):
        rng.normal(0, 1, scale=np.ones(2))
