"""Loaded by a sweep's fork server, and only there: the engine's kernels, made ready before any worker is forked.

Python's fork server imports the modules it is told to preload, then forks every worker from
itself. A sweep on the compiled engine adds this module to that list (see
:func:`sim.research.sweep.backends.start_fork_server`), so its workers start with the kernels
loaded from the disk cache instead of each loading them in its first chunk (about 1.3 s of CPU
per worker, measured), and on a machine whose kernel cache is empty they are compiled once for
the sweep instead of once per worker. Importing the module does the work; it defines nothing.
If anything goes wrong here, each worker loads or compiles the kernels itself, as it would
without this module.
"""

from __future__ import annotations


def _warm_up() -> None:
    from sim.engine import kernels

    try:
        if kernels.numba_available():
            kernels.warm_up()
    except Exception:  # noqa: BLE001 - the fork server must start anyway; the workers then do it themselves
        return


_warm_up()
