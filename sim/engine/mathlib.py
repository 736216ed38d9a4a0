"""exp, log, log1p, cos and pow built only from IEEE-exact operations, for numpy and for numba.

numpy's ``np.exp``/``np.log1p`` (SIMD code on AVX-512 machines) and the C library that numba
calls can differ in the last bit, so the numpy path and the compiled path could not be
bit-identical if each used its own. Every function here is written once from ``+ - * /``,
comparisons, ``floor`` and ``frexp``/``ldexp`` (all exact or correctly rounded in IEEE 754),
following fdlibm's range reduction and polynomials (FreeBSD/musl kernels for sin/cos), so the
same operations in the same order give the same bits on every CPU.

Each function has an array version (numpy, named ``exp`` ...) and a scalar version
(``exp_scalar`` ...) that numba compiles (``sim.engine.kernels``); both call one shared core
written only with arithmetic operators, so their operation order is the same by construction.

Accuracy (tested against ``math``): exp, log, log1p and cos within 1 ulp. cos is defined for
``|x| <= 2**20 * pi / 2`` (about 1.6e6; Trilat only takes cos of ``[0, 2*pi)``) and is NaN
beyond, where the three-part Cody-Waite reduction would lose bits (no Payne-Hanek). pow: exact repeated
multiplication (binary powering, at most 7 squarings and 7 products, each correctly rounded) for
integer exponents ``|b| <= 64``; otherwise ``exp(b * log(a))`` whose relative error is about
``|b * ln a| * 2**-53`` plus 1 ulp (up to a few hundred ulp for results near overflow).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# fdlibm e_exp.c / e_log.c
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_P1 = 1.66666666666666019037e-01
_P2 = -2.77777777770155933842e-03
_P3 = 6.61375632143793436117e-05
_P4 = -1.65339022054652515390e-06
_P5 = 4.13813679705723846039e-08
_EXP_HI = 7.09782712893383973096e02
_EXP_LO = -7.45133219101941108420e02
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_SQRT_HALF = 0.70710678118654752440
# fdlibm k_cos.c / k_sin.c (FreeBSD/musl forms) and e_rem_pio2.c
_C1 = 4.16666666666666019037e-02
_C2 = -1.38888888888741095749e-03
_C3 = 2.48015872894767294178e-05
_C4 = -2.75573143513906633035e-07
_C5 = 2.08757232129817482790e-09
_C6 = -1.13596475577881948265e-11
_S1 = -1.66666666666666324348e-01
_S2 = 8.33333333332248946124e-03
_S3 = -1.98412698298579493134e-04
_S4 = 2.75573137070700676789e-06
_S5 = -2.50507602534068634195e-08
_S6 = 1.58969099521155010221e-10
_INV_PIO2 = 6.36619772367581382433e-01
_PIO2_1 = 1.57079632673412561417e00
_PIO2_2 = 6.07710050630396597660e-11
_PIO2_2T = 2.02226624879595063154e-21
_PIO2_3 = 2.02226624871116645580e-21
_PIO2_3T = 8.47842766036889956997e-32
_COS_MAX = 1647099.0  # 2**20 * pi / 2: n * _PIO2_1 stays exact below it
POW_INT_MAX = 64
"""Integer exponents up to this magnitude are computed by exact repeated multiplication."""
_POW_BITS = 7  # bits of POW_INT_MAX

# ----------------------------------------------------------------------------- shared cores
# Only arithmetic operators: the same code runs on floats (numba, Python) and arrays (numpy).


def _exp_core(x: Any, k: Any) -> Any:
    """exp(x) / 2**k for k = round(x / ln 2)."""
    hi = x - k * _LN2_HI
    lo = k * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    return 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)


def _log_core(f: Any, k: Any, c: Any) -> Any:
    """Return k*ln2 + log(1 + f) + c for f in [sqrt(1/2) - 1, sqrt(2) - 1)."""
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    r = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))) + w * (_LG2 + w * (_LG4 + w * _LG6))
    return k * _LN2_HI - ((hfsq - (s * (hfsq + r) + (k * _LN2_LO + c))) - f)


def _reduce_pio2(ax: Any, n: Any) -> tuple[Any, Any]:
    """Reduce ``ax - n*pi/2`` to a head and a tail and a tail (three-part Cody-Waite, fdlibm's medium path)."""
    r = ax - n * _PIO2_1
    t = r
    w = n * _PIO2_2
    r = t - w
    w = n * _PIO2_2T - ((t - r) - w)
    t = r
    w = n * _PIO2_3
    r = t - w
    w = n * _PIO2_3T - ((t - r) - w)
    y0 = r - w
    y1 = (r - y0) - w
    return y0, y1


def _kcos(x: Any, y: Any) -> Any:
    z = x * x
    w = z * z
    r = z * (_C1 + z * (_C2 + z * _C3)) + w * w * (_C4 + z * (_C5 + z * _C6))
    hz = 0.5 * z
    w = 1.0 - hz
    return w + (((1.0 - w) - hz) + (z * r - x * y))


def _ksin(x: Any, y: Any) -> Any:
    z = x * x
    w = z * z
    r = _S2 + z * (_S3 + z * _S4) + z * w * (_S5 + z * _S6)
    v = z * x
    return x - ((z * (0.5 * y - v * r) - y) - v * _S1)


# ----------------------------------------------------------------------------- scalar versions


def exp_scalar(x: float) -> float:
    """e**x (scalar; numba-compilable)."""
    if x != x:
        return x
    if x > _EXP_HI:
        return math.inf
    if x < _EXP_LO:
        return 0.0
    k = math.floor(x * _INV_LN2 + 0.5)
    return math.ldexp(_exp_core(x, k), k)


def log_scalar(x: float) -> float:
    """Natural logarithm (scalar; numba-compilable)."""
    if x != x or x == math.inf:
        return x
    if x < 0.0:
        return math.nan
    if x == 0.0:
        return -math.inf
    m, e = math.frexp(x)
    if m < _SQRT_HALF:
        m = m * 2.0
        e = e - 1
    return _log_core(m - 1.0, e, 0.0)


def log1p_scalar(x: float) -> float:
    """log(1 + x), accurate for small x (scalar; numba-compilable)."""
    if x != x or x == math.inf or x == 0.0:
        return x
    if x < -1.0:
        return math.nan
    if x == -1.0:
        return -math.inf
    u = 1.0 + x
    m, k = math.frexp(u)
    if m < _SQRT_HALF:
        k = k - 1
    # Both candidates, then a selection (no unpredictable branch; the array version does the same).
    f_scaled = math.ldexp(u, -k) - 1.0
    c_scaled = (1.0 - (u - x) if u >= 2.0 else x - (u - 1.0)) / u
    f = x if k == 0 else f_scaled
    c = 0.0 if k == 0 else c_scaled
    return _log_core(f, k, c)


def cos_scalar(x: float) -> float:
    """Cosine (scalar; numba-compilable)."""
    ax = abs(x)
    if not ax <= _COS_MAX:
        return math.nan
    n = math.floor(ax * _INV_PIO2 + 0.5)
    y0, y1 = _reduce_pio2(ax, n)
    q = int(n) & 3
    c = _kcos(y0, y1)
    s = _ksin(y0, y1)
    # Both polynomials, then a selection (no unpredictable branch; as the array version).
    even = c if q == 0 else -c
    odd = -s if q == 1 else s
    return even if (q & 1) == 0 else odd


def pow_scalar(a: float, b: float) -> float:
    """a**b (scalar; numba-compilable); see the module docstring for accuracy.

    ``np.floor`` rather than ``math.floor``: numba's ``math.floor`` returns an int64, which
    overflows for exponents beyond 2**63 (and infinity), while ``np.floor`` stays a float.
    """
    if b == 0.0 or a == 1.0:
        return 1.0
    integral = b == np.floor(b) and abs(b) <= POW_INT_MAX
    if integral:
        n = int(abs(b))
        base = a
        result = 1.0
        for _ in range(_POW_BITS):
            if n & 1:
                result = result * base
            base = base * base
            n = n >> 1
        if b > 0.0:
            return result
        return 1.0 / result if result != 0.0 else math.copysign(math.inf, result)
    if a != a or b != b:
        return math.nan
    odd = b == np.floor(b) and np.floor(b * 0.5) * 2.0 != b
    if a == 0.0:
        zero = 0.0 if b > 0.0 else math.inf
        return math.copysign(zero, a) if odd else zero  # C's pow: (-0) ** odd keeps the sign
    if a < 0.0:
        if b != np.floor(b):
            return math.nan
        magnitude = exp_scalar(b * log_scalar(-a))
        return -magnitude if odd else magnitude
    return exp_scalar(b * log_scalar(a))


# ----------------------------------------------------------------------------- array versions


def _out(result: np.ndarray) -> Any:
    return result if result.ndim else result[()]


def exp(x: Any) -> Any:
    """e**x element-wise (bit-identical to :func:`exp_scalar`)."""
    x = np.asarray(x, dtype=np.float64)
    inside = (x >= _EXP_LO) & (x <= _EXP_HI)
    xs = np.where(inside, x, 0.0)
    k = np.floor(xs * _INV_LN2 + 0.5)
    y = np.ldexp(_exp_core(xs, k), k.astype(np.int64))
    y = np.where(inside, y, np.where(x > _EXP_HI, np.inf, np.where(x < _EXP_LO, 0.0, x)))
    return _out(y)


def log(x: Any) -> Any:
    """Natural logarithm element-wise (bit-identical to :func:`log_scalar`)."""
    x = np.asarray(x, dtype=np.float64)
    inside = (x > 0.0) & (x < np.inf)
    m, e = np.frexp(np.where(inside, x, 1.0))
    low = m < _SQRT_HALF
    m = np.where(low, m * 2.0, m)
    k = (e - low).astype(np.float64)
    y = _log_core(m - 1.0, k, 0.0)
    special = np.where(x == 0.0, -np.inf, np.where(x < 0.0, np.nan, x))
    return _out(np.where(inside, y, special))


def log1p(x: Any) -> Any:
    """log(1 + x) element-wise (bit-identical to :func:`log1p_scalar`)."""
    x = np.asarray(x, dtype=np.float64)
    inside = (x > -1.0) & (x < np.inf) & (x != 0.0)
    xs = np.where(inside, x, 0.5)
    u = 1.0 + xs
    m, e = np.frexp(u)
    k = (e - (m < _SQRT_HALF)).astype(np.int64)
    zero = k == 0
    kf = k.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(u >= 2.0, 1.0 - (u - xs), xs - (u - 1.0)) / u
    f = np.where(zero, xs, np.ldexp(u, -k) - 1.0)
    y = _log_core(f, kf, np.where(zero, 0.0, c))
    special = np.where(x == -1.0, -np.inf, np.where(x < -1.0, np.nan, x))
    return _out(np.where(inside, y, special))


def cos(x: Any) -> Any:
    """Cosine element-wise (bit-identical to :func:`cos_scalar`)."""
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    inside = ax <= _COS_MAX
    ax = np.where(inside, ax, 0.0)
    n = np.floor(ax * _INV_PIO2 + 0.5)
    y0, y1 = _reduce_pio2(ax, n)
    q = n.astype(np.int64) & 3
    c = _kcos(y0, y1)
    s = _ksin(y0, y1)
    y = np.where(q == 0, c, np.where(q == 1, -s, np.where(q == 2, -c, s)))
    return _out(np.where(inside, y, np.nan))


def power(a: Any, b: Any) -> Any:
    """a**b element-wise (bit-identical to :func:`pow_scalar`; broadcasts like numpy)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    with np.errstate(all="ignore"):
        fb = np.floor(b)
        integral = (b == fb) & (np.abs(b) <= POW_INT_MAX)
        n = np.where(integral, np.abs(b), 0.0).astype(np.int64)
        base = a
        result = np.ones(a.shape)
        for _ in range(_POW_BITS):
            result = np.where(n & 1 == 1, result * base, result)
            base = base * base
            n = n >> 1
        by_products = np.where(b < 0.0, 1.0 / result, result)
        safe_a = np.where(np.isnan(a) | (a == 0.0), 1.0, np.abs(a))
        magnitude = exp(b * log(safe_a))
        odd = np.floor(b * 0.5) * 2.0 != b
        signed = np.where((a < 0.0) & odd, -magnitude, magnitude)
        unsigned_zero = np.where(b > 0.0, 0.0, np.inf)
        zero = np.where(odd & (b == fb), np.copysign(unsigned_zero, a), unsigned_zero)
        general = np.where(
            np.isnan(a) | np.isnan(b),
            np.nan,
            np.where(a == 0.0, zero, np.where((a < 0.0) & (b != fb), np.nan, signed)),
        )
        y = np.where((b == 0.0) | (a == 1.0), 1.0, np.where(integral, by_products, general))
    return _out(np.asarray(y))
