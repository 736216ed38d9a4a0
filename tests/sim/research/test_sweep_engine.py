"""The model engine a sweep runs on: chosen by size for ``auto``, and never a change in the results."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from sim.engine import kernels
from sim.research.sweep import run_sweep
from sim.research.sweep.layout import SweepError
from sim.research.sweep.plan import SWEEP_CACHED_RUNS, SWEEP_COMPILE_RUNS, sweep_engine
from tests.sim.research.conftest import SMALL, read_runs, write_experiment

needs_numba = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")


def test_auto_runs_numpy_for_a_small_sweep_and_compiles_for_a_big_one(monkeypatch):
    monkeypatch.setattr(kernels, "cached", lambda: False)
    assert sweep_engine("auto", SWEEP_COMPILE_RUNS - 1, 1) == "numpy"
    assert sweep_engine("auto", 2 * SWEEP_COMPILE_RUNS - 1, 2) == "numpy"  # per worker, not in all
    monkeypatch.setattr(kernels, "numba_available", lambda: True)
    assert sweep_engine("auto", 2 * SWEEP_COMPILE_RUNS, 2) == "compiled"
    monkeypatch.setattr(kernels, "numba_available", lambda: False)
    assert sweep_engine("auto", 10 * SWEEP_COMPILE_RUNS, 1) == "numpy"


def test_auto_takes_cached_kernels_for_a_smaller_sweep(monkeypatch):
    monkeypatch.setattr(kernels, "cached", lambda: True)
    assert sweep_engine("auto", 2 * SWEEP_CACHED_RUNS - 1, 2) == "numpy"
    assert sweep_engine("auto", 2 * SWEEP_CACHED_RUNS, 2) == "compiled"
    monkeypatch.setattr(kernels, "cached", lambda: False)
    assert sweep_engine("auto", 2 * SWEEP_CACHED_RUNS, 2) == "numpy"


def test_an_explicit_engine_is_kept_and_an_unknown_one_refused():
    assert sweep_engine("numpy", 10 * SWEEP_COMPILE_RUNS, 1) == "numpy"
    assert sweep_engine("compiled", 1, 1) == "compiled"
    with pytest.raises(SweepError, match="engine must be one of auto, numpy, compiled"):
        sweep_engine("fast", 1, 1)


def test_run_sweep_refuses_an_unknown_engine_before_writing(small, tmp_path):
    with pytest.raises(SweepError, match="engine"):
        run_sweep(small, tmp_path / "out", progress=False, engine="fast")
    assert not (tmp_path / "out").exists()


@needs_numba
def test_a_sweep_on_the_compiled_engine_stores_the_numpy_sweeps_results(
    small, small_reference, tmp_path, chunk_engines
):
    summary = run_sweep(small, tmp_path / "out", progress=False, chunk_runs=80, engine="compiled")
    assert summary.complete
    assert chunk_engines and set(chunk_engines) == {"compiled"}
    compiled = read_runs(tmp_path / "out")
    assert compiled.equals(small_reference)  # every value, bit for bit (the reference ran on auto: numpy)


def test_a_sweep_keeps_freed_memory_for_its_chunks(small, tmp_path, monkeypatch):
    """Each chunk asks for freed memory to be kept (sim.engine.memory), once per process in effect."""
    worker = importlib.import_module("sim.research.sweep.worker")
    asked: list[bool] = []
    monkeypatch.setattr(worker, "retain_freed_memory", lambda: asked.append(True) or True)
    summary = run_sweep(small, tmp_path / "out", progress=False, chunk_runs=80)
    assert summary.complete
    assert summary.chunks > 1 and len(asked) == summary.chunks


_NOTING_SWEEP = """
import sys
from pathlib import Path
from sim.research.sweep import run_sweep
from sim.research.sweep.backends import ProcessPool
from tests.sim.research.sweep_backends import NotingBackend

experiment, out, notes, warm = sys.argv[1:5]
backend = NotingBackend(ProcessPool(2, warm="always" if warm == "warm" else None), Path(notes))
summary = run_sweep(experiment, out, progress=False, chunk_runs=40, engine="compiled", backend=backend)
assert summary.complete, summary
"""


def _chunk_notes(small, folder, warm: str) -> list[dict[str, Any]]:
    """Sweep ``small`` on a fresh 2-worker pool in a new Python process; each chunk's note, in chunk order."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    notes = folder / "notes"
    notes.mkdir()
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    args = [sys.executable, "-c", _NOTING_SWEEP, str(small), str(folder / "out"), str(notes), warm]
    subprocess.run(args, check=True, env=env, cwd=root, timeout=600)
    by_chunk = sorted(notes.iterdir(), key=lambda path: int(path.name.split("-")[1]))
    return [json.loads(path.read_text(encoding="utf-8")) for path in by_chunk]


@pytest.fixture(scope="module")
def warm_pool_notes(tmp_path_factory) -> list[dict[str, Any]]:
    """The chunk notes of a sweep of the small experiment on a fresh pool whose fork server warms the kernels."""
    folder = tmp_path_factory.mktemp("warm")
    return _chunk_notes(write_experiment(folder, SMALL), folder, "warm")


@needs_numba
def test_a_pool_whose_fork_server_warms_the_kernels_forks_workers_with_them_ready(small, tmp_path, warm_pool_notes):
    """Each worker of a fresh process's pool starts with the kernels ready, or loads them in its first chunk."""
    assert len(warm_pool_notes) == 6 and {note["kernels"] for note in warm_pool_notes} == {"ready"}
    cold = _chunk_notes(small, tmp_path, "cold")
    assert len(cold) == 6 and cold[0]["kernels"] == "cold"


@needs_numba
def test_a_pool_worker_starts_frozen_and_never_imports_pandas_or_the_runner(warm_pool_notes):
    """The fork server freezes what it holds (fork_ready); a worker imports only what a chunk needs.

    pandas cost about 0.3 s of each worker's first chunk (pyarrow's ``pa.array`` imports it), and
    the first collection of the fork server's objects about 90 ms.
    """
    assert len(warm_pool_notes) == 6
    for note in warm_pool_notes:
        assert note["frozen"] > 10_000  # the fork server's modules, kernels and scenario, not CPython's few hundred
        assert note["pandas"] == [False, False]
        assert note["runner"] == [False, False]


@pytest.mark.parametrize(
    ("engine", "compile_runs", "cached_runs", "warm"),
    [
        ("compiled", SWEEP_COMPILE_RUNS, SWEEP_CACHED_RUNS, "always"),
        ("numpy", 100, 100, None),
        ("auto", 100, 100, "always"),
        ("auto", SWEEP_COMPILE_RUNS, 100, "cached"),
        ("auto", SWEEP_COMPILE_RUNS, SWEEP_CACHED_RUNS, None),
    ],
)
def test_run_sweep_has_the_fork_server_warm_the_kernels_as_the_chunks_will_run(
    small, tmp_path, monkeypatch, engine, compile_runs, cached_runs, warm
):
    """``small`` has 240 runs: 120 per worker, at least ``compile_runs`` (or ``cached_runs``) or not."""
    runner = importlib.import_module("sim.research.sweep.runner")
    plan = importlib.import_module("sim.research.sweep.plan")
    monkeypatch.setattr(plan, "SWEEP_COMPILE_RUNS", compile_runs)
    monkeypatch.setattr(plan, "SWEEP_CACHED_RUNS", cached_runs)
    asked: list[tuple[str, str | None]] = []

    monkeypatch.setattr(runner, "start_fork_server", lambda warm: asked.append(("fork server", warm)))

    class StopError(Exception):
        pass

    def make_backend(workers, dask, timeout, warm):
        asked.append(("pool", warm))
        raise StopError

    monkeypatch.setattr(runner, "make_backend", make_backend)
    with pytest.raises(StopError):
        run_sweep(small, tmp_path / "out", workers=2, progress=False, engine=engine)
    assert asked == [("fork server", warm), ("pool", warm)]


def test_the_warm_up_choice_imports_no_numba_so_the_fork_server_starts_at_once():
    import subprocess
    import sys

    code = (
        "import sys; from sim.research.sweep.plan import kernel_warm_up; "
        "print(kernel_warm_up('auto', 10**7, 2), kernel_warm_up('auto', 10**5, 1), 'numba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["always", "cached", "False"]


@pytest.mark.parametrize(
    ("numba", "cached", "only_cached", "warmed"),
    [(True, True, True, True), (True, False, True, False), (True, False, False, True), (False, True, False, False)],
)
def test_the_fork_server_warms_the_kernels_only_where_the_chunks_will_use_them(
    monkeypatch, numba, cached, only_cached, warmed
):
    from sim.research.sweep.backends import warm_kernels

    calls: list[bool] = []
    monkeypatch.setattr(kernels, "numba_available", lambda: numba)
    monkeypatch.setattr(kernels, "cached", lambda: cached)
    monkeypatch.setattr(kernels, "warm_up", lambda: calls.append(True) or 0.0)
    warm_kernels(only_cached)
    assert calls == ([True] if warmed else [])


def test_a_failed_warm_up_leaves_the_kernels_to_the_workers(monkeypatch):
    from sim.research.sweep.backends import warm_kernels

    def broken() -> float:
        raise RuntimeError("no LLVM today")

    monkeypatch.setattr(kernels, "numba_available", lambda: True)
    monkeypatch.setattr(kernels, "warm_up", broken)
    warm_kernels(only_cached=False)  # no exception: the fork server must start anyway
