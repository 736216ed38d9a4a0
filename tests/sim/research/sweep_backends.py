"""Test back ends for sweeps: wrap a real back end to make chunks fail, or to hold one until told.

Both run their extra behaviour inside the wrapped back end (in its worker process, for a pool),
through the back end's ``work`` argument, so a failure travels the same way a real one does.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sim.lang.scenario import Scenario
from sim.research.sweep import Backend, ChunkResult, ChunkTask, ChunkWork, run_chunk
from sim.research.sweep.backends import ChunkFuture

HOLD_LIMIT_S = 120.0
"""Hang guard: a held chunk gives up (and fails) after this long if the test never opens the gate."""


def raise_injected_failure(task: ChunkTask, scenario: Scenario | None = None, /) -> ChunkResult:
    """A chunk function that always raises (run in the back end's worker)."""
    raise RuntimeError(f"injected failure in chunk {task.chunk_id}, attempt {task.attempt}")


@dataclass(frozen=True)
class HoldThenRun:
    """A chunk function that writes ``reached``, waits until ``gate`` exists, then runs the chunk."""

    reached: str
    gate: str

    def __call__(self, task: ChunkTask, scenario: Scenario | None = None, /) -> ChunkResult:
        Path(self.reached).write_text(str(task.chunk_id), encoding="utf-8")
        deadline = time.monotonic() + HOLD_LIMIT_S
        while not Path(self.gate).exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"chunk {task.chunk_id} was held for {HOLD_LIMIT_S} s and nobody released it")
            time.sleep(0.01)
        return run_chunk(task, scenario)


@dataclass(frozen=True)
class NoteKernelsThenRun:
    """A chunk function that notes what its worker process held as the chunk started, then runs it.

    It writes ``folder/chunk-<id>-<worker pid>``, JSON: ``kernels`` (``ready`` if the compiled
    kernels were ready, else ``cold``), ``frozen`` (``gc.get_freeze_count()``), and ``pandas`` and
    ``runner``: whether pandas and the sweep's runner module were imported before the chunk, and
    after it.
    """

    folder: str

    def __call__(self, task: ChunkTask, scenario: Scenario | None = None, /) -> ChunkResult:
        from sim.engine import kernels

        note = {
            "kernels": "ready" if kernels.compiled() else "cold",
            "frozen": gc.get_freeze_count(),
            "pandas": ["pandas" in sys.modules],
            "runner": ["sim.research.sweep.runner" in sys.modules],
        }
        result = run_chunk(task, scenario)
        note["pandas"].append("pandas" in sys.modules)
        note["runner"].append("sim.research.sweep.runner" in sys.modules)
        Path(self.folder, f"chunk-{task.chunk_id}-{os.getpid()}").write_text(json.dumps(note), encoding="utf-8")
        return result


class _Wrapper:
    """Delegates everything to a real back end; subclasses choose the chunk function per task."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name = inner.name
        self.window = inner.window
        self.writes_in_workers = inner.writes_in_workers

    def work_for(self, task: ChunkTask) -> ChunkWork | None:
        return None

    def prepare(self, scenarios: Iterable[Scenario]) -> None:
        self.inner.prepare(scenarios)

    def submit(self, task: ChunkTask, work: ChunkWork | None = None) -> ChunkFuture:
        return self.inner.submit(task, self.work_for(task) or work)

    def wait(self, futures: Collection[ChunkFuture]) -> tuple[set[ChunkFuture], set[ChunkFuture]]:
        return self.inner.wait(futures)

    def restart(self) -> None:
        self.inner.restart()

    def close(self, cancel: bool) -> None:
        self.inner.close(cancel)


class FailingBackend(_Wrapper):
    """A real back end in which the listed chunks raise.

    Args:
        inner: the back end that runs the chunks.
        failures: ``{chunk id: attempts that fail}``; None fails every attempt.
    """

    def __init__(self, inner: Backend, failures: Mapping[int, Collection[int] | None]) -> None:
        super().__init__(inner)
        self.failures = dict(failures)

    def work_for(self, task: ChunkTask) -> ChunkWork | None:
        if task.chunk_id not in self.failures:
            return None
        attempts = self.failures[task.chunk_id]
        return raise_injected_failure if attempts is None or task.attempt in attempts else None


class HoldingBackend(_Wrapper):
    """A real back end in which chunk ``chunk_id`` waits for the test (see :class:`HoldThenRun`)."""

    def __init__(self, inner: Backend, chunk_id: int, reached: Path, gate: Path) -> None:
        super().__init__(inner)
        self.chunk_id = chunk_id
        self.hold = HoldThenRun(str(reached), str(gate))

    def work_for(self, task: ChunkTask) -> ChunkWork | None:
        return self.hold if task.chunk_id == self.chunk_id else None


class NotingBackend(_Wrapper):
    """A real back end whose every chunk notes what its worker held as it started (see :class:`NoteKernelsThenRun`)."""

    def __init__(self, inner: Backend, folder: Path) -> None:
        super().__init__(inner)
        self.note = NoteKernelsThenRun(str(folder))

    def work_for(self, task: ChunkTask) -> ChunkWork | None:
        return self.note
