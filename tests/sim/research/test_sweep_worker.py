"""The chunk runner's garbage collection: long-lived objects frozen once, each chunk's model freed after it.

CPython keeps a few hundred objects of its own in the permanent generation after a collection,
so the tests compare ``gc.get_freeze_count()`` with its value after a collection, not with 0.
"""

from __future__ import annotations

import gc
import importlib
import weakref

import pytest

from sim.research.sweep import run_sweep
from sim.research.sweep.dryrun import dry_run


@pytest.fixture()
def models(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, weakref.ref]]:
    """Each chunk's model (a weak reference) and the process's frozen-object count as the chunk started."""
    worker = importlib.import_module("sim.research.sweep.worker")
    seen: list[tuple[int, weakref.ref]] = []
    simulate = worker.simulate

    def spy(*args, **kwargs):
        frozen = gc.get_freeze_count()
        if seen:
            assert seen[-1][1]() is None, "the previous chunk's model is still alive as the next chunk starts"
        recorded = simulate(*args, **kwargs)
        seen.append((frozen, weakref.ref(recorded.model)))
        return recorded

    monkeypatch.setattr(worker, "simulate", spy)
    return seen


def _frozen_baseline() -> int:
    gc.unfreeze()
    gc.collect()
    return gc.get_freeze_count()


def test_a_sweep_freezes_after_its_first_chunk_frees_every_model_and_unfreezes_at_the_end(small, tmp_path, models):
    at_start = _frozen_baseline()
    summary = run_sweep(small, tmp_path / "out", progress=False, chunk_runs=40)
    assert summary.complete and summary.chunks == len(models) > 2
    assert models[0][0] == at_start and all(frozen > at_start for frozen, _ in models[1:])
    assert models[-1][1]() is None  # the last model is freed too
    assert gc.get_freeze_count() < at_start  # this process goes on: what was frozen is collectable again


def test_a_runner_told_not_to_freeze_collects_now_and_then(small, tmp_path, monkeypatch):
    at_start = _frozen_baseline()
    worker = importlib.import_module("sim.research.sweep.worker")
    backends = importlib.import_module("sim.research.sweep.backends")
    collections: list[int] = []
    real_collect = gc.collect
    monkeypatch.setattr(worker.gc, "collect", lambda *a: collections.append(1) or real_collect(*a))
    backend = backends.InProcess()
    backend.runner = worker.ChunkRunner(gc_every=2, freeze=False)
    summary = run_sweep(small, tmp_path / "out", progress=False, chunk_runs=40, backend=backend)
    assert summary.complete and summary.chunks >= 4
    assert len(collections) == summary.chunks // 2 and not backend.runner.frozen
    assert gc.get_freeze_count() <= at_start


def test_a_dry_run_leaves_the_collector_alone(small, tmp_path):
    at_start = _frozen_baseline()
    dry_run(small, tmp_path / "out")
    assert gc.get_freeze_count() <= at_start
