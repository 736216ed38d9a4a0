"""Normal draws as loops the compiler vectorizes, bit-identical to ``CounterRNG.normal``'s numpy path.

A per-world scalar kernel would call ``math.frexp``/``math.ldexp`` in every world, and those
library calls keep the loop scalar. Here the same Box-Muller draw is
split into loops over a block of worlds, each free of calls and of branches the compiler cannot
turn into selects: the counter hash, then ``log1p`` (its ``frexp``/``ldexp`` done on the bits of
the float through a ``uint64`` view, which is exact for the normal positive numbers ``1 + x``
takes), then ``cos``, then the product. Every floating-point operation is the one
:mod:`sim.engine.mathlib` does, in the same order, through the same cores (``_log_core``,
``_reduce_pio2``, ``_kcos``, ``_ksin``), so the bits are those of the numpy path.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.kernels.source import unit
from sim.engine.mathlib import _COS_MAX, _INV_PIO2, _SQRT_HALF, _kcos, _ksin, _log_core, _reduce_pio2

_BLOCK = 512
"""Worlds per block: the scratch vectors of a block stay in the first-level cache."""
_TWO_PI = 2.0 * np.pi
_S52 = np.uint64(52)
_FRACTION = np.uint64(0x000FFFFFFFFFFFFF)
_EXPONENT_HALF = np.uint64(1022 << 52)
"""The exponent field of [0.5, 1): ``frexp``'s mantissa."""
_EXPONENT_ONE = np.uint64(1023 << 52)
"""The exponent field of [1, 2)."""
_SQRT_HALF_BITS = np.uint64(int(np.array(_SQRT_HALF).view(np.uint64)))
"""The bits of sqrt(1/2): positive floats compare as their bits do."""

HELPERS = ("log1p_block", "cos_block", "normal_row")
"""Functions the kernels call (``sim.engine.kernels.load`` inlines them)."""
KERNELS = ("normal_pairs",)
"""The kernels ``sim.engine.kernels.load`` compiles from this module."""
JIT_OPTIONS = (("error_model", "numpy"),)
"""numba options for this module's kernels: with numpy's error model a float division is a plain
IEEE division (no zero-divisor check and exception branch), so the ``log1p`` loop vectorizes; the
results are the same, as no draw divides by zero."""


def log1p_block(x: np.ndarray, n: int, out: np.ndarray, u: np.ndarray, scaled: np.ndarray, k: np.ndarray) -> None:
    """``out[:n] = mathlib.log1p(x[:n])`` with the scratch vectors ``u``, ``scaled`` and ``k``.

    For ``x`` in (-1, inf) other than 0, ``u = 1 + x`` is a positive normal float (at least
    2**-53), so ``frexp(u)`` is its fraction bits under the exponent of [0.5, 1) and
    ``ldexp(u, -k)`` the same bits under the exponent of [0.5, 1) or [1, 2): integer operations
    on the bits give exactly the library's results. Elsewhere ``x`` is replaced by 0.5 (as
    :func:`sim.engine.mathlib.log1p` does) and the special value selected at the end.
    """
    for i in range(n):
        xv = x[i]
        inside = (xv > -1.0) & (xv < math.inf) & (xv != 0.0)
        u[i] = 1.0 + (xv if inside else 0.5)
    u_bits = u.view(np.uint64)
    scaled_bits = scaled.view(np.uint64)
    for i in range(n):
        bits = u_bits[i]
        fraction = bits & _FRACTION
        exponent = np.int64(bits >> _S52) - 1022
        low = (fraction | _EXPONENT_HALF) < _SQRT_HALF_BITS
        k[i] = float(exponent - 1) if low else float(exponent)
        scaled_bits[i] = fraction | (_EXPONENT_ONE if low else _EXPONENT_HALF)
    for i in range(n):
        xv = x[i]
        inside = (xv > -1.0) & (xv < math.inf) & (xv != 0.0)
        xs = xv if inside else 0.5
        uv = u[i]
        kv = k[i]
        c_scaled = (1.0 - (uv - xs) if uv >= 2.0 else xs - (uv - 1.0)) / uv
        zero = kv == 0.0
        f = xs if zero else scaled[i] - 1.0
        c = 0.0 if zero else c_scaled
        y = _log_core(f, kv, c)
        special = -math.inf if xv == -1.0 else (math.nan if xv < -1.0 else xv)
        out[i] = y if inside else special


def cos_block(x: np.ndarray, n: int, out: np.ndarray) -> None:
    """``out[:n] = mathlib.cos(x[:n])``: both polynomials, then a selection by quadrant."""
    for i in range(n):
        ax = abs(x[i])
        inside = ax <= _COS_MAX
        ax = ax if inside else 0.0
        quadrant = math.floor(ax * _INV_PIO2 + 0.5)
        y0, y1 = _reduce_pio2(ax, quadrant)
        q = int(quadrant) & 3
        c = _kcos(y0, y1)
        s = _ksin(y0, y1)
        even = c if q == 0 else -c
        odd = -s if q == 1 else s
        y = even if (q & 1) == 0 else odd
        out[i] = y if inside else math.nan


def normal_row(
    replications: np.ndarray, key1: np.uint64, key2: np.uint64, scale: np.ndarray, scaled: bool, out: np.ndarray
) -> None:
    """``out = CounterRNG.normal`` from the keys of its two slots, times ``scale`` when ``scaled``.

    sqrt(-2 * log1p(-u1)) * cos(2 * pi * u2), block by block of worlds; ``scale`` has 1 or one
    value per world, and the product is the caller's ``normal(...) * scale``. Other kernels may
    call this helper; it vectorizes when they are compiled with this module's ``JIT_OPTIONS``.
    """
    worlds = replications.shape[0]
    per_world = scale.shape[0] > 1
    factor = scale[0] if scale.shape[0] > 0 else 1.0
    minus_u1 = np.empty(_BLOCK)
    angle = np.empty(_BLOCK)
    logs = np.empty(_BLOCK)
    cosines = np.empty(_BLOCK)
    u = np.empty(_BLOCK)
    scaled_u = np.empty(_BLOCK)
    k = np.empty(_BLOCK)
    for start in range(0, worlds, _BLOCK):
        n = min(_BLOCK, worlds - start)
        block = replications[start : start + n]  # slices: their indices are known non-negative
        for i in range(n):
            replication = block[i]
            minus_u1[i] = -unit(replication, key1)
            angle[i] = _TWO_PI * unit(replication, key2)
        log1p_block(minus_u1, n, logs, u, scaled_u, k)
        cos_block(angle, n, cosines)
        dest = out[start : start + n]
        if not scaled:
            for i in range(n):
                dest[i] = math.sqrt(-2.0 * logs[i]) * cosines[i]
        elif per_world:
            scales = scale[start : start + n]
            for i in range(n):
                dest[i] = (math.sqrt(-2.0 * logs[i]) * cosines[i]) * scales[i]
        else:
            for i in range(n):
                dest[i] = (math.sqrt(-2.0 * logs[i]) * cosines[i]) * factor


def normal_pairs(replications: np.ndarray, keys: np.ndarray, scale: np.ndarray, scaled: bool, out: np.ndarray) -> None:
    """``out[s]`` = :func:`normal_row` from the key pair ``keys[s]`` (slots ``2 * slot`` and ``2 * slot + 1``)."""
    for s in range(keys.shape[0]):
        normal_row(replications, keys[s, 0], keys[s, 1], scale, scaled, out[s])
