"""CPU-time figures of the two engines, measured in one process, for ``trilat bench`` and the docs.

Runs per CPU-second (``time.process_time``) rather than wall time, so another busy process on
the machine disturbs the figures less; the reference workload gives the machine's own yardstick.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

REFERENCE_ITERATIONS = 68_700
"""Iterations of ``a * b + c`` on 10,000-element arrays in the reference workload (687M element-ops)."""


def reference_seconds() -> float:
    """CPU seconds of the reference workload: 68,700 x ``a * b + c`` on 10,000-element float arrays."""
    a, b, c = (np.full(10_000, v) for v in (1.0001, 0.9999, 1e-9))
    start = time.process_time()
    for _ in range(REFERENCE_ITERATIONS):
        a * b + c  # noqa: B018 - the workload is the arithmetic itself
    return time.process_time() - start


def _cpu_seconds(scenario: Any, runs: int, engine: str, repeats: int) -> float:
    from sim.engine.model import TrilateralModel

    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        TrilateralModel(scenario, seed=1, replications=runs, record=False, engine=engine).run()
        best = min(best, time.process_time() - start)
    return best


def engine_figures(scenario: Any = "baseline", runs: int = 10_000, repeats: int = 2) -> dict[str, Any]:
    """Runs per CPU-second of the numpy and compiled engines (record off), compile time and reference.

    Args:
        scenario: a library id or a loaded scenario.
        runs: the ensemble size R.
        repeats: runs of each engine; the fastest counts (the first also warms caches).

    Returns:
        ``numpy_runs_per_cpu_s``, ``compiled_runs_per_cpu_s`` (None without numba), ``speedup``
        (compiled over numpy), ``compile_s`` (first-call compile time of the kernels in this
        process), ``reference_s`` and ``baseline_to_reference`` (the fastest engine's CPU time for
        the ensemble over the reference workload's; the issue's goal is at most 0.6).
    """
    from sim.engine import kernels
    from sim.lang.scenario import load_scenario

    spec = load_scenario(scenario) if isinstance(scenario, str) else scenario
    compile_s = kernels.warm_up() if kernels.numba_available() else None
    numpy_s = _cpu_seconds(spec, runs, "numpy", repeats)
    compiled_s = _cpu_seconds(spec, runs, "compiled", repeats) if compile_s is not None else None
    reference_s = reference_seconds()
    best = numpy_s if compiled_s is None else min(numpy_s, compiled_s)
    return {
        "runs": runs,
        "numpy_cpu_s": round(numpy_s, 4),
        "numpy_runs_per_cpu_s": round(runs / numpy_s, 1),
        "compiled_cpu_s": None if compiled_s is None else round(compiled_s, 4),
        "compiled_runs_per_cpu_s": None if compiled_s is None else round(runs / compiled_s, 1),
        "speedup": None if compiled_s is None else round(numpy_s / compiled_s, 2),
        "compile_s": None if compile_s is None else round(compile_s, 3),
        "reference_s": round(reference_s, 4),
        "baseline_to_reference": round(best / reference_s, 3),
    }
