"""Loaded by a sweep's fork server, and only there: the engine's kernels, made ready before any worker is forked.

Python's fork server imports the modules it is told to preload, then forks every worker from
itself. A sweep whose chunks run on the compiled engine adds this module to that list (see
:func:`sim.research.sweep.plan.kernel_warm_up`), so its workers start with the kernels ready
instead of each loading them in its first chunk, and on a machine whose kernel cache is empty
they are compiled once for the sweep instead of once per worker. Importing the module does the
work (:func:`sim.research.sweep.backends.warm_kernels`); it defines nothing.
"""

from __future__ import annotations

from sim.research.sweep.backends import warm_kernels

warm_kernels(only_cached=False)
