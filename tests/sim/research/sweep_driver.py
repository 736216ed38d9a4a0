"""Test driver: run a sweep in this process with chunk N held until a file appears (signal tests).

``python -m tests.sim.research.sweep_driver EXPERIMENT OUT CHUNK_RUNS HELD_CHUNK REACHED GATE [WORKERS]``:
the sweep runs in-process (or on a pool of WORKERS processes, or a 2-worker Dask LocalCluster
for WORKERS ``dask``, the held chunk in a worker); when
it gets to chunk HELD_CHUNK it writes REACHED and waits for GATE, so a test can signal it at a
known point (chunks before HELD_CHUNK are stored, none after, in-process).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from sim.research.sweep import Backend, DaskCluster, InProcess, ProcessPool, run_sweep
from tests.sim.research.sweep_backends import HoldingBackend

ROOT = Path(__file__).resolve().parents[3]
HELD = 3
"""The chunk a held sweep waits in (chunks before it are stored)."""


def finished_sweep(folder: Path, experiment: str, chunk_runs: int = 4) -> Path:
    """Write ``experiment`` in ``folder`` and sweep it to the end into ``folder/out``; return ``folder``."""
    from tests.sim.research.conftest import write_experiment

    path = write_experiment(folder, experiment)
    assert run_sweep(path, folder / "out", progress=False, chunk_runs=chunk_runs).complete
    return folder


def copy_of_sweep(stored: Path, tmp_path: Path) -> Path:
    """A copy of a :func:`finished_sweep` folder's sweep (and its experiment file beside it) in ``tmp_path``."""
    shutil.copy(stored / "experiment.yaml", tmp_path / "experiment.yaml")
    shutil.copytree(stored / "out", tmp_path / "out")
    return tmp_path / "out"


def start_held(experiment: Path, out: Path, tmp_path: Path, workers: str = "1") -> tuple[subprocess.Popen, Path]:
    """Start a sweep of 40-run chunks in a subprocess; return once chunk :data:`HELD` is held (and the gate)."""
    reached, gate = tmp_path / "reached", tmp_path / "gate"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sim.research.sweep_driver"]
        + [str(experiment), str(out), "40", str(HELD), str(reached), str(gate), workers],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    guard = time.monotonic() + 120  # hang guard only: the driver says when it is there
    while not reached.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < guard, "the sweep never reached the held chunk"
        time.sleep(0.02)
    return process, gate


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
