"""Scalar numba helpers the generated trigger kernels call: numpy's semantics for one world.

Each helper does, for one float, exactly what its numpy counterpart in
:mod:`sim.lang.expr_runtime` does element by element (same IEEE operations, same NaN and
signed-zero choices as ``np.minimum``/``np.maximum``), and :func:`_kuni` is
:meth:`sim.engine.rng.CounterRNG.uniform` for one replication.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.engine.kernels import source
from sim.engine.kernels.source import _GOLDEN, _S11, _TO_UNIT

_jit = njit(cache=False, fastmath=False, error_model="numpy", nogil=True)


_mix = _jit(source.mix)  # the counter RNG's SplitMix64 finalizer, the built-in kernels' own


@_jit
def _kuni(key: np.uint64, rep: np.uint64) -> float:  # pragma: no cover - compiled
    """The uniform draw in [0, 1) of replication ``rep`` for a (turn, stream) ``key``."""
    z = rep * _GOLDEN + key
    bits = _mix(_mix(z) ^ key)
    return np.float64(bits >> _S11) * _TO_UNIT


@_jit
def _kdiv(a: float, b: float) -> float:  # pragma: no cover - compiled
    """Safe division: 0 where the divisor is 0."""
    if b != 0.0:
        return a / b
    return 0.0


_kmin = _jit(source.np_minimum)  # ``np.minimum``: NaN propagates; of two equal values, the second
_kmax = _jit(source.np_maximum)  # ``np.maximum``, the same way


@_jit
def _ktruth(a: float) -> bool:  # pragma: no cover - compiled
    """Truth of a value: non-zero and not NaN."""
    return a == a and a != 0.0


@_jit
def _kone(a: bool) -> float:  # pragma: no cover - compiled
    """A truth value as a number (1.0 or 0.0)."""
    return 1.0 if a else 0.0


@_jit
def _knot(a: bool) -> bool:  # pragma: no cover - compiled
    return not a


@_jit
def _kand(a: bool, b: bool) -> bool:  # pragma: no cover - compiled
    return a and b


@_jit
def _kor(a: bool, b: bool) -> bool:  # pragma: no cover - compiled
    return a or b


@_jit
def _kpick(test: bool, a: float, b: float) -> float:  # pragma: no cover - compiled
    """``np.where`` for one world."""
    return a if test else b


@_jit
def _kabs(a: float) -> float:  # pragma: no cover - compiled
    return np.abs(a)


@_jit
def _ksqrt(a: float) -> float:  # pragma: no cover - compiled
    return np.sqrt(_kmax(a, 0.0))


@_jit
def _kfloor(a: float) -> float:  # pragma: no cover - compiled
    return np.floor(a)


@_jit
def _kceil(a: float) -> float:  # pragma: no cover - compiled
    return np.ceil(a)


@_jit
def _kround(a: float) -> float:  # pragma: no cover - compiled
    """Round half to even, as ``np.round``."""
    return np.rint(a)


@_jit
def _kprob(a: float) -> float:  # pragma: no cover - compiled
    """A chance as the engine reads it: NaN is 0, +inf 1, -inf 0."""
    if a != a:
        return 0.0
    if a == np.inf:
        return 1.0
    if a == -np.inf:
        return 0.0
    return a


@_jit
def _kfin(a: float) -> float:  # pragma: no cover - compiled
    """An effect value as the engine reads it: NaN or infinite is 0."""
    if a - a == 0.0:
        return a
    return 0.0


@_jit
def _kclamp(value: float, lo: float, hi: float) -> float:  # pragma: no cover - compiled
    """``np.minimum(np.maximum(value, lo), hi)``, as :meth:`WorldState.apply` clips."""
    return _kmin(_kmax(value, lo), hi)


HELPERS = {
    "_kuni": _kuni,
    "_kdiv": _kdiv,
    "_kmin": _kmin,
    "_kmax": _kmax,
    "_ktruth": _ktruth,
    "_kone": _kone,
    "_knot": _knot,
    "_kand": _kand,
    "_kor": _kor,
    "_kpick": _kpick,
    "_kabs": _kabs,
    "_ksqrt": _ksqrt,
    "_kfloor": _kfloor,
    "_kceil": _kceil,
    "_kround": _kround,
    "_kprob": _kprob,
    "_kfin": _kfin,
    "_kclamp": _kclamp,
}
"""The namespace of a generated kernel, besides ``np`` and ``range``."""


@_jit
def apply_group(
    x: np.ndarray,
    fired: np.ndarray,
    anywhere: np.ndarray,
    vals: np.ndarray,
    first: np.ndarray,
    starts: np.ndarray,
    stops: np.ndarray,
    sets: np.ndarray,
    constant: np.ndarray,
    constants: np.ndarray,
    counters: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Apply the effects of the triggers that fired anywhere, in order, as the numpy path does.

    Trigger ``i`` owns effects ``first[i]`` to ``first[i + 1]``; effect ``k`` adds to (or, if
    ``sets[k]``, sets) rows ``starts[k]`` to ``stops[k]`` its value (``constants[k]`` if
    ``constant[k]``, else ``vals[k, w]``) where the trigger fired and 0 elsewhere, clipped to
    the bounds; then the counter row (if ``counters[i] >= 0``) counts the firing.
    """
    # Row by row over contiguous worlds; each element still sees the effects in file order.
    # Each loop reads one value source (a constant or the effect's row of values): no branch per world.
    n = x.shape[1]
    for i in range(fired.shape[0]):
        if not anywhere[i]:
            continue
        where = fired[i]
        for k in range(first[i], first[i + 1]):
            value = constants[k]
            given = vals[k]
            for row in range(starts[k], stops[k]):
                low, high = lo[row], hi[row]
                target = x[row]
                if sets[k] and constant[k]:
                    for w in range(n):
                        old = target[w]
                        delta = value - old if where[w] else old - old
                        target[w] = _kclamp(old + delta, low, high)
                elif sets[k]:
                    for w in range(n):
                        old = target[w]
                        delta = given[w] - old if where[w] else old - old
                        target[w] = _kclamp(old + delta, low, high)
                elif constant[k]:
                    for w in range(n):
                        old = target[w]
                        delta = value if where[w] else 0.0
                        target[w] = _kclamp(old + delta, low, high)
                else:
                    for w in range(n):
                        old = target[w]
                        delta = given[w] if where[w] else 0.0
                        target[w] = _kclamp(old + delta, low, high)
        if counters[i] >= 0:
            counter = x[counters[i]]
            for w in range(n):
                counter[w] += 1.0 if where[w] else 0.0
