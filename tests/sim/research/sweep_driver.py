"""Test driver: run a sweep in this process with chunk N held until a file appears (signal tests).

``python -m tests.sim.research.sweep_driver EXPERIMENT OUT CHUNK_RUNS HELD_CHUNK REACHED GATE [WORKERS]``:
the sweep runs in-process (or on a pool of WORKERS processes, or a 2-worker Dask LocalCluster
for WORKERS ``dask``, the held chunk in a worker); when
it gets to chunk HELD_CHUNK it writes REACHED and waits for GATE, so a test can signal it at a
known point (chunks before HELD_CHUNK are stored, none after, in-process).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.research.sweep import Backend, DaskCluster, InProcess, ProcessPool, run_sweep
from tests.sim.research.sweep_backends import HoldingBackend


def main(argv: list[str]) -> None:
    experiment, out, chunk_runs, held, reached, gate, *rest = argv
    workers = rest[0] if rest else "1"
    inner: Backend
    if workers == "dask":
        inner = DaskCluster("local", 2)
    else:
        inner = ProcessPool(int(workers)) if int(workers) > 1 else InProcess()
    backend = HoldingBackend(inner, int(held), Path(reached), Path(gate))
    run_sweep(experiment, out, progress=False, chunk_runs=int(chunk_runs), backend=backend)


if __name__ == "__main__":
    main(sys.argv[1:])
