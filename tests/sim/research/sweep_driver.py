"""Test driver: run a sweep in this process with chunk N held until a file appears (signal tests).

``python -m tests.sim.research.sweep_driver EXPERIMENT OUT CHUNK_RUNS HELD_CHUNK REACHED GATE``:
the sweep runs in-process; when it gets to chunk HELD_CHUNK it writes REACHED and waits for
GATE, so a test can signal it at a known point (chunks before HELD_CHUNK are stored, none after).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.research.sweep import InProcess, run_sweep
from tests.sim.research.sweep_backends import HoldingBackend


def main(argv: list[str]) -> None:
    experiment, out, chunk_runs, held, reached, gate = argv
    backend = HoldingBackend(InProcess(), int(held), Path(reached), Path(gate))
    run_sweep(experiment, out, progress=False, chunk_runs=int(chunk_runs), backend=backend)


if __name__ == "__main__":
    main(sys.argv[1:])
