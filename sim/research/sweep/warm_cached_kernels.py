"""Loaded by a sweep's fork server, and only there: the engine's kernels, made ready if the disk cache holds them.

For a sweep whose chunks run compiled only when the kernels are in the disk cache (``auto``
between :data:`~sim.research.sweep.plan.SWEEP_CACHED_RUNS` and
:data:`~sim.research.sweep.plan.SWEEP_COMPILE_RUNS` runs per worker): with an empty cache
nothing is compiled, and the chunks run on numpy. See :mod:`sim.research.sweep.warm_kernels`.
"""

from __future__ import annotations

from sim.research.sweep.backends import warm_kernels

warm_kernels(only_cached=True)
