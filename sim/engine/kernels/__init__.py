"""The compiled engine: numba kernels for the turn's hot spots, loaded lazily, and the engine switch.

``TrilateralModel(..., engine="auto"|"numpy"|"compiled")`` picks the path; :func:`resolve`
turns the request into ``"numpy"`` or ``"compiled"``. numba is imported only when the compiled
path is first used (never when ``sim.engine`` is imported), and the kernels compile once per
process (:func:`load` is cached; :func:`warm_up` compiles them all and returns the seconds it
took, for ``trilat bench``). Results are bit-identical to the numpy path (tests/sim/engine/
test_compiled.py); the kernels' source is :mod:`sim.engine.kernels.source`.
"""

from __future__ import annotations

import functools
import importlib
import sys
import time
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np

ENGINES: tuple[str, ...] = ("auto", "numpy", "compiled")
"""Values of the model's ``engine`` option."""

AUTO_MIN_REPLICATIONS = 256
"""``engine="auto"`` uses the compiled kernels for ensembles at least this big once they are compiled
in this process (:func:`warm_up`; a one-story game stays numpy)."""

AUTO_COMPILE_REPLICATIONS = 500_000
"""``engine="auto"`` compiles the kernels itself only for an ensemble at least this big: compiling
them all takes about 20 s of CPU and saves about 0.05 ms per world (16-turn baseline), so it pays
from about half a million worlds in one process. A sweep or bench that will run more calls
:func:`warm_up`."""

_MATHLIB_FUNCTIONS = (
    "_exp_core",
    "_log_core",
    "_reduce_pio2",
    "_kcos",
    "_ksin",
    "exp_scalar",
    "log_scalar",
    "log1p_scalar",
    "cos_scalar",
    "pow_scalar",
)
AUTO_CACHED_REPLICATIONS = 100_000
"""``engine="auto"`` also takes the compiled kernels for an ensemble at least this big when the
on-disk kernel cache (:mod:`sim.engine.kernels.cache`) holds them all: loading them costs about
2 s, and a large ensemble's state no longer fits the CPU caches (measured: at 60,000 worlds
``trilat run`` took about the same time on either engine)."""

_KERNEL_MODULES = (
    "sim.engine.kernels.source",
    "sim.engine.kernels.draws",
    "sim.engine.kernels.domestic",
    "sim.engine.kernels.domestic_terms",
    "sim.engine.kernels.valuation",
    "sim.engine.kernels.build",
    "sim.engine.kernels.dynamics",
    "sim.engine.kernels.bargaining",
)
"""Modules of kernels: each declares ``HELPERS`` (functions its kernels call, inlined) and ``KERNELS``
(the entry points compiled with ``numba.njit``), all plain Python a test can also run uncompiled; an
optional ``JIT_OPTIONS`` tuple of (name, value) pairs holds ``numba.njit`` options for its kernels."""


@functools.cache
def numba_available() -> bool:
    """Whether numba imports on this platform (checked once per process)."""
    try:
        import numba  # noqa: F401
    except Exception:  # noqa: BLE001 - any import failure means: no JIT here
        return False
    return True


def numba_without_blas() -> bool:
    """Import numba as :func:`numba_available` does, with scipy's BLAS hidden from its one check.

    When numba first types a function it imports its array functions (``numba.np.arraymath``),
    which check that scipy's BLAS imports so that compiled code may call ``np.dot`` and the like.
    That check imports ``scipy.linalg``: 0.2-0.3 s of a process's start on the 2-core machine,
    more with a cold disk. No Trilat kernel calls BLAS. A process that only runs Trilat's kernels
    (a sweep's fork server, and the workers forked from it) calls this before it loads them: the
    array functions are imported with ``scipy.linalg`` hidden, so the check fails at once and
    numba offers no BLAS functions in that process. ``import scipy.linalg`` works as usual
    afterwards. Anywhere else (a user's own process) numba is imported untouched.

    Returns:
        whether numba imports (as :func:`numba_available`).
    """
    if not numba_available():
        return False
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return True  # too late, or nothing to save: the check has run or scipy.linalg is loaded
    sys.modules["scipy.linalg"] = None  # type: ignore[assignment]  # Python's way to refuse an import
    try:
        importlib.import_module("numba.np.arraymath")
    finally:
        if "scipy.linalg" in sys.modules and sys.modules["scipy.linalg"] is None:
            del sys.modules["scipy.linalg"]
    return True


@functools.cache
def _notice_no_numba() -> None:
    warnings.warn("numba is not available: the compiled engine falls back to numpy", RuntimeWarning, stacklevel=4)


def resolve(engine: Any, replications: int) -> str:
    """The engine a model runs on: ``"numpy"`` or ``"compiled"``.

    Args:
        engine: ``"auto"`` (compiled when numba imports, for ensembles of at least
            :data:`AUTO_MIN_REPLICATIONS` worlds once the kernels are compiled in this process,
            of :data:`AUTO_CACHED_REPLICATIONS` when the kernel cache holds them, or of
            :data:`AUTO_COMPILE_REPLICATIONS` otherwise), ``"numpy"`` or ``"compiled"``.
        replications: the ensemble's size.

    Raises:
        UsageError: for another value.
    """
    from sim.errors import UsageError

    if not isinstance(engine, str) or engine not in ENGINES:
        raise UsageError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "numpy" or (engine == "auto" and replications < AUTO_MIN_REPLICATIONS):
        return "numpy"
    if engine == "auto" and replications < AUTO_COMPILE_REPLICATIONS and not compiled():
        if replications < AUTO_CACHED_REPLICATIONS or not cached():
            return "numpy"
    if not numba_available():
        _notice_no_numba()
        return "numpy"
    return "compiled"


@functools.cache
def load() -> SimpleNamespace:
    """The compiled kernels (numba dispatchers), built once per process; they compile on first call."""
    import numba
    from numba.extending import register_jitable

    from sim.engine import mathlib
    from sim.engine.kernels import cache

    for name in _MATHLIB_FUNCTIONS:
        register_jitable(getattr(mathlib, name))
    kernels: dict[str, Any] = {}
    for module in map(importlib.import_module, _KERNEL_MODULES):
        for name in module.HELPERS:
            register_jitable(getattr(module, name))
        options = dict(getattr(module, "JIT_OPTIONS", ()))
        for name in module.KERNELS:
            if name in kernels:
                raise RuntimeError(f"two kernels named {name!r} ({module.__name__})")
            kernels[name] = numba.njit(**options)(getattr(module, name))
            cache.enable(kernels[name], _cache_name(module.__name__, name))
    return SimpleNamespace(**kernels)


def coefficients(values: list[Any], replications: int) -> np.ndarray:
    """Coefficients as a kernel reads them: (k, 1) when each is one number, else (k, R) (a swept parameter)."""
    if not any(isinstance(value, np.ndarray) and value.ndim for value in values):  # numbers (floats, 0-d arrays)
        return np.array(values, dtype=np.float64).reshape(-1, 1)
    matrix = np.empty((len(values), replications))
    for k, value in enumerate(values):
        matrix[k] = value
    return matrix


def plain() -> SimpleNamespace:
    """Every kernel as the plain Python it is compiled from (slow; tests check both give the same bits)."""
    return SimpleNamespace(
        **{
            name: getattr(module, name)
            for module in map(importlib.import_module, _KERNEL_MODULES)
            for name in module.KERNELS
        }
    )


def _cache_name(module: str, name: str) -> str:
    return f"{module.rsplit('.', 1)[-1]}.{name}"


def cached() -> bool:
    """Whether the on-disk kernel cache holds every built-in kernel of this code (then loading is cheap)."""
    if not numba_available():
        return False
    from sim.engine.kernels import cache
    from sim.engine.kernels.triggers import APPLIER_CACHE_NAME

    names = [
        _cache_name(module.__name__, name)
        for module in map(importlib.import_module, _KERNEL_MODULES)
        for name in module.KERNELS
    ]
    return cache.holds([*names, APPLIER_CACHE_NAME])


def warm_up() -> float:
    """Compile every kernel (once per process) and return the seconds it took (0 when already done)."""
    start = time.perf_counter()
    k = load()
    reps = np.arange(2, dtype=np.uint64)
    keys = np.array([1, 2], dtype=np.uint64)
    out = np.zeros((2, 2))
    k.uniform_block(reps, keys, 1.0, out)
    for scale in (np.ones(1), np.ones(2)):
        k.normal_pairs(reps, keys.reshape(1, 2), scale, True, out)
    x = np.zeros((8, 2))
    lo, hi = np.zeros(8), np.ones(8)
    for delta in (np.ones((1, 1)), np.ones((1, 2)), np.ones((2, 4))[:, ::2]):
        for clip in (False, True):
            k.apply_rows(x, 0, delta, lo, hi, np.zeros((delta.shape[0], 2)), clip)
    weakest = np.broadcast_to(np.asarray(0.5), (2,))
    pair_rows, agg_rows = np.array([0, 1, 2]), np.array([3, 4, 5])
    k.refresh_ties(x, pair_rows, agg_rows, np.ones(1), 6, weakest, 7)
    k.refresh_ties(x, pair_rows, agg_rows, np.ones(1), 6, np.ones(2), 5)
    chosen = np.zeros((2, 2), dtype=bool)
    k.greedy(out, np.ones((2, 2), dtype=bool), np.ones(2), np.ones(2), 0.5, chosen)
    k.objective_choice(out, np.ones(2), np.ones(2), 0.005, 1.5, 0.7, chosen)
    ones = np.ones(2)
    for value in (np.ones(1), ones):
        k.weighted_change(x, 0, value, False, 0.0, 1.0, ones, np.zeros(2))
    k.zero_nonfinite(out)
    k.objective_values(out, out, out, ones, out, 0.5, np.ones((2, 2), dtype=bool), np.empty((2, 2)))
    k.objective_decision(
        out, out, out, ones, 0.05, reps, keys, 0.5, np.ones((2, 2), dtype=bool), ones, ones, 0.005, 1.5, 0.7, chosen
    )
    rows = np.array([0, 1], dtype=np.int64)
    k.threat_acts(x, rows, rows + 2, out, np.ones((2, 2), dtype=bool), out, 4, 5, 6)
    k.threat_drift(x, x.copy(), 0, 1, 2, np.ones((4, 1)), lo, hi)
    k.defection_cost(x, rows, out, 4, ones, 5, lo, hi, np.empty(2))
    k.tie_falls(x, rows, out, np.empty(2))  # the defection cost with the record on
    ops = np.zeros(1, dtype=np.int64)
    k.sensitivity_terms(x, np.arange(8), np.ones(7), True, ops, ops == 0, ops, ones[:1], np.empty((5, 2)), out)
    camp, profiles = np.zeros(2, dtype=np.int64), np.zeros((2, 5, 2))
    k.out_stance_two(profiles, 3, camp, np.empty(2))
    k.mobilization_two(x, 0, 1, profiles, 3, camp, np.empty(2))
    k.history_lean_two(x, 0, 1, profiles, 3, camp, 0.5, 0.5, np.empty(2))
    k.polarization_weight_two(x, 1, profiles, 3, camp, 0.5, np.empty(2))
    index, no, starts = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=bool), np.array([0, 1])
    k.played_history_payoff(x, out, index, starts, index, ones[:1], no, -1 - index, out, ones, ones, ones, ones)
    _warm_up_model()
    return time.perf_counter() - start


def _warm_up_model() -> None:
    """Two turns of a small compiled baseline run: the argument types real runs pass get compiled too.

    The trilateral index's weights are asked for too (only objectives on ``trilateral`` and the
    cause record read them).
    """
    from sim.engine.model import TrilateralModel

    model = TrilateralModel("baseline", replications=4, seed=0, turns=2, engine="compiled")
    model.run()
    model.state.index_weights()


def compiled() -> bool:
    """Whether every kernel is already compiled in this process (then using them costs nothing extra)."""
    if not load.cache_info().currsize:
        return False
    kernels = load()
    return all(kernel.signatures for kernel in vars(kernels).values())


__all__ = [
    "AUTO_CACHED_REPLICATIONS",
    "AUTO_COMPILE_REPLICATIONS",
    "cached",
    "coefficients",
    "AUTO_MIN_REPLICATIONS",
    "ENGINES",
    "compiled",
    "load",
    "numba_available",
    "numba_without_blas",
    "resolve",
    "warm_up",
]
