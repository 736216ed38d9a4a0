"""The numpy functions compiled scenario expressions call, and nothing else.

Generated code runs with exactly this namespace (no builtins): safe division (``x / 0`` is 0),
element-wise ``min``/``max``/``mean``, NaN-safe truth values and the whitelisted functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.engine import mathlib


def _safe_div(a: Any, b: Any) -> Any:
    b_arr = np.asarray(b, dtype=np.float64)
    a_arr = np.asarray(a, dtype=np.float64)
    shape = np.broadcast_shapes(a_arr.shape, b_arr.shape)
    out = np.zeros(shape, dtype=np.float64)
    np.divide(a_arr, b_arr, out=out, where=b_arr != 0)
    return out if shape else float(out)


def _safe_pow(a: Any, b: Any) -> Any:
    """``a ** b`` through :func:`sim.engine.mathlib.power` (the same bits as the compiled path)."""
    return mathlib.power(a, b)


def _fmin(*args: Any) -> Any:
    out = args[0]
    for arg in args[1:]:
        out = np.minimum(out, arg)
    return out


def _fmax(*args: Any) -> Any:
    out = args[0]
    for arg in args[1:]:
        out = np.maximum(out, arg)
    return out


def _mean(*args: Any) -> Any:
    total = args[0]
    for arg in args[1:]:
        total = total + arg
    return total / len(args)


def _truth(value: Any) -> Any:
    """Truth of a value: non-zero is true; NaN is false (as for a rule's ``when:``)."""
    return np.nan_to_num(np.asarray(value, dtype=np.float64), nan=0.0) != 0


def _and(*args: Any) -> Any:
    out = _truth(args[0])
    for arg in args[1:]:
        out = np.logical_and(out, _truth(arg))
    return _num(out)


def _or(*args: Any) -> Any:
    out = _truth(args[0])
    for arg in args[1:]:
        out = np.logical_or(out, _truth(arg))
    return _num(out)


def _num(value: Any) -> Any:
    """Truth values as numbers (1.0 / 0.0), so `(a > b) - (c > d)` counts rather than fails."""
    return np.asarray(value, dtype=np.float64)


RUNTIME: dict[str, Any] = {
    "__builtins__": {},
    "_div": _safe_div,
    "_pow": _safe_pow,
    "_and": _and,
    "_or": _or,
    "_not": lambda x: _num(np.logical_not(_truth(x))),
    "_num": _num,
    "_truth": _truth,
    "_where": np.where,
    "_min": _fmin,
    "_max": _fmax,
    "_mean": _mean,
    "_clip": np.clip,
    "_abs": np.abs,
    "_sqrt": lambda x: np.sqrt(np.maximum(x, 0.0)),
    "_exp": lambda x: mathlib.exp(np.clip(x, -50.0, 50.0)),
    "_log": lambda x: mathlib.log(np.maximum(x, 1e-12)),
    "_sigmoid": lambda x: 1.0 / (1.0 + mathlib.exp(-np.clip(x, -50.0, 50.0))),
    "_floor": np.floor,
    "_ceil": np.ceil,
    "_round": np.round,
}
"""The whole namespace of a compiled expression (``__builtins__`` emptied)."""
