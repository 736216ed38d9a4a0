"""Running (or resuming) a sweep: the chunk queue, retries, the manifest as it goes, Ctrl-C and SIGTERM.

:func:`run_sweep` opens the output folder (a new one, or a sweep of the same experiment and
model code to resume), marks the chunks whose parts are already valid as done (a part the
manifest does not list as done counts only if it carries this code's fingerprint), and hands
the others to a back end, a window of chunks at a time. A chunk that raises is retried once per
invocation, then recorded as failed with its error; the others go on. The manifest is rewritten
as chunks finish (at most every couple of seconds) and once more at the end, also after Ctrl-C
or SIGTERM, which both stop the same graceful way.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.research.experiment import Experiment, describe, design_table, load_experiment
from sim.research.sweep.backends import (
    DASK_CONNECT_TIMEOUT,
    Backend,
    ChunkFuture,
    make_backend,
    start_fork_server,
)
from sim.research.sweep.damage import chunk_problem, damaged_parts, describe_parts
from sim.research.sweep.dask_probe import check_dask_address, probe_scheduler
from sim.research.sweep.environment import code_fingerprint
from sim.research.sweep.extend import Extension, check_extension, extend_folder
from sim.research.sweep.guard import LOCK, folder_lock, make_folder
from sim.research.sweep.layout import MANIFEST, PARTS, TRAJECTORIES, SweepError, part_code, part_path, write_tables
from sim.research.sweep.manifest import (
    ChunkRecord,
    ChunkStatus,
    Manifest,
    SessionRecord,
    SweepStatus,
    load_manifest,
    now,
)
from sim.research.sweep.plan import (
    DEFAULT_CHUNK_RUNS,
    check_chunk_size,
    chunk_task,
    kernel_warm_up,
    new_manifest,
    plan_chunks,
    sweep_engine,
)
from sim.research.sweep.provenance import check_same_code, check_same_experiment
from sim.research.sweep.worker import ChunkResult

MAX_ATTEMPTS = 2
"""A chunk that raises is retried once per invocation, then recorded as failed."""
MANIFEST_INTERVAL_S = 2.0
ERROR_TEXT_LIMIT = 500


@dataclass
class SweepSummary:
    """What a call of :func:`run_sweep` did."""

    out_dir: Path
    experiment: str
    backend: str
    total_runs: int
    done_runs: int
    skipped_runs: int
    chunks: int
    failed_chunks: list[int]
    seconds: float
    interrupted: bool = False
    extended: str = ""
    """What ``--extend`` did (empty when it did not extend)."""

    @property
    def new_runs(self) -> int:
        """Runs completed by this call."""
        return self.done_runs - self.skipped_runs

    @property
    def runs_per_s(self) -> float:
        """Runs completed by this call per second of wall time."""
        return self.new_runs / self.seconds if self.seconds > 0 else 0.0

    @property
    def complete(self) -> bool:
        """True when every run is stored."""
        return self.done_runs == self.total_runs

    def __str__(self) -> str:
        head = f"{self.done_runs:,} of {self.total_runs:,} runs stored in {self.out_dir}"
        speed = f"{self.new_runs:,} new in {self.seconds:.1f} s ({self.runs_per_s:,.0f} runs/s, {self.backend})"
        if self.skipped_runs:
            speed += f"; {self.skipped_runs:,} were already done"
        tail = ""
        if self.failed_chunks:
            shown = ", ".join(map(str, self.failed_chunks[:10])) + (" ..." if len(self.failed_chunks) > 10 else "")
            tail = f"; {len(self.failed_chunks)} chunk(s) failed ({shown}): see {MANIFEST}, re-run to retry"
        if self.interrupted:
            tail += "; interrupted: re-run the same command to resume"
        extended = f"{self.extended}; " if self.extended else ""
        return f"{extended}{head}: {speed}{tail}"


class SweepTerminated(KeyboardInterrupt):
    """SIGTERM reached the sweep process: it stops as after Ctrl-C (running chunks finish, all is recorded)."""


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While the sweep runs, SIGTERM raises :class:`SweepTerminated` (later ones are ignored)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one graceful stop; kill -9 ends a stuck one
        raise SweepTerminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _open_folder(
    out: Path, experiment: Experiment, design: pd.DataFrame, allow_code_change: bool, extend: bool = False
) -> tuple[Manifest | None, Extension | None]:
    """The manifest of a sweep folder to resume (checked), or None for a new or empty folder.

    With ``extend``, also the extension the experiment asks for (None when it matches what is stored).

    Raises:
        SweepError: for a damaged manifest, another experiment or model code, or a folder that
            holds other files.
    """
    try:
        (out / MANIFEST).lstat()
    except FileNotFoundError:
        pass
    except OSError as exc:
        with contextlib.suppress(OSError):
            if out.is_dir():
                raise SweepError(f"{out / MANIFEST}: cannot read the manifest ({exc.strerror})") from None
        return None, None  # not a folder (yet): make_folder says what is wrong
    else:
        manifest = load_manifest(out)
        extension = check_extension(manifest, experiment, design, out) if extend else None
        if extension is None:
            check_same_experiment(manifest, experiment, design, out)
        check_same_code(manifest, code_fingerprint(), out, allow_code_change)
        return manifest, extension
    if extend:
        raise SweepError(f"{out} holds no sweep to extend (no {MANIFEST}); run without --extend to start one")
    with contextlib.suppress(OSError):
        if out.is_dir() and any(p.name != LOCK for p in out.iterdir()):
            raise SweepError(f"{out} is not empty and holds no {MANIFEST}; refusing to write a sweep into it")
    return None, None


def _prepare_folder(
    out: Path,
    experiment: Experiment,
    design: pd.DataFrame,
    chunk_runs: int | None,
    allow_code_change: bool,
    stack: contextlib.ExitStack,
    extend: bool = False,
) -> tuple[Manifest, str]:
    """Open a sweep folder to resume (or extend), or create it, holding its writer's lock (released by ``stack``).

    The folder is checked before it is created or locked (a refused folder is left as it was)
    and again under the lock (another sweep may have written it in between).

    Returns:
        The manifest, and what an extension did (empty without one).
    """
    if _open_folder(out, experiment, design, allow_code_change, extend)[0] is None:
        check_chunk_size(experiment, chunk_runs or DEFAULT_CHUNK_RUNS)  # before anything is created
    make_folder(out)
    stack.enter_context(folder_lock(out))
    manifest, extension = _open_folder(out, experiment, design, allow_code_change, extend)
    if manifest is not None and extension is None:
        return manifest, ""
    if manifest is not None and extension is not None:
        _clean_temporaries(out)
        _mark_finished_chunks(manifest, out)
        manifest = extend_folder(out, manifest, experiment, design, extension)
        done = f"{extension.old_samples:,} -> {extension.new_samples:,} samples per block"
        reps = f"{extension.old_replications:,} -> {extension.new_replications:,} replications"
        return manifest, f"extended ({done}, {reps}; {manifest.done_runs:,} stored runs kept, not rerun)"
    size = chunk_runs or DEFAULT_CHUNK_RUNS
    manifest = new_manifest(experiment, design, plan_chunks(experiment, size), size)
    manifest.write(out)
    return manifest, ""


def _clean_temporaries(out: Path) -> None:
    """Remove half-written parts left by a crash."""
    for kind in (PARTS, TRAJECTORIES):
        folder = out / kind
        if folder.is_dir():
            for stray in folder.glob(".part-*.tmp-*"):
                with contextlib.suppress(OSError):
                    stray.unlink()


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= ERROR_TEXT_LIMIT else text[: ERROR_TEXT_LIMIT - 3] + "..."


def _progress_bar(experiment: Experiment, total: int, initial: int, enabled: bool) -> tqdm[Any]:
    return tqdm(
        total=total,
        initial=initial,
        unit="run",
        unit_scale=True,
        smoothing=0.1,
        desc=experiment.id,
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
    )


class _ManifestWriter:
    """Rewrites the manifest at most every MANIFEST_INTERVAL_S, and within ~5% of the time for a big design."""

    def __init__(self, manifest: Manifest, out: Path) -> None:
        self.manifest = manifest
        self.out = out
        self.last_write = 0.0
        self.write_cost = 0.0

    def save(self, status: SweepStatus, force: bool = False) -> None:
        if not force and time.monotonic() - self.last_write < max(MANIFEST_INTERVAL_S, 20 * self.write_cost):
            return
        start = time.monotonic()
        self.manifest.status = status
        self.manifest.updated = now()
        self.manifest.write(self.out)
        self.last_write = time.monotonic()
        self.write_cost = self.last_write - start


class _SweepRun:
    """One invocation of a sweep on a prepared folder: the queue, the chunks in flight, the retries."""

    def __init__(
        self,
        experiment: Experiment,
        values: np.ndarray,
        out: Path,
        manifest: Manifest,
        backend: Backend,
        engine: str = "auto",
    ) -> None:
        self.experiment = experiment
        self.engine = engine
        self.values = values
        self.out = out
        self.manifest = manifest
        self.backend = backend
        self.writer = _ManifestWriter(manifest, out)
        self.task_dir = str(out.resolve()) if backend.writes_in_workers else None
        self.queue: deque[ChunkRecord] = deque(c for c in manifest.chunks if c.status is not ChunkStatus.DONE)
        self.in_flight: dict[ChunkFuture, ChunkRecord] = {}
        self.tries: dict[int, int] = {}

    def run(self, session: SessionRecord, bar: tqdm[Any]) -> None:
        """Run every queued chunk; record where each stands, also when interrupted."""
        interrupted = False
        try:
            self.backend.prepare(self.experiment.scenarios)
            self.writer.save(SweepStatus.RUNNING, force=True)
            while self.queue or self.in_flight:
                self._fill_window()
                done, _ = self.backend.wait(set(self.in_flight))
                self._collect(done, session, bar)
                self.writer.save(SweepStatus.RUNNING)
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            self._finish(session, interrupted)

    def _fill_window(self) -> None:
        while self.queue and len(self.in_flight) < self.backend.window:
            chunk = self.queue.popleft()
            chunk.attempts += 1
            chunk.status = ChunkStatus.RUNNING
            self.tries[chunk.id] = self.tries.get(chunk.id, 0) + 1
            code = self.manifest.fingerprint or ""
            task = chunk_task(self.experiment, chunk, self.values, self.task_dir, code, self.engine)
            self.in_flight[self.backend.submit(task)] = chunk

    def _collect(self, done: set[ChunkFuture], session: SessionRecord, bar: tqdm[Any]) -> None:
        for future in done:
            chunk = self.in_flight.pop(future)
            try:
                result = self._result(future, chunk)
            except BrokenProcessPool as exc:  # a worker died: its pool is gone
                self.backend.restart()
                for lost in [chunk, *self.in_flight.values()]:
                    self._retry_or_fail(lost, exc)
                self.in_flight.clear()
                break
            except Exception as exc:  # any failure of the chunk's own code is recorded
                self._retry_or_fail(chunk, exc)
            else:
                chunk.status, chunk.error = ChunkStatus.DONE, None
                chunk.seconds = round(float(result.seconds), 3)
                chunk.segment = len(self.manifest.segments) - 1
                session.runs += chunk.runs
                bar.update(chunk.runs)
            if chunk.status is ChunkStatus.FAILED:
                bar.set_postfix(failed=sum(1 for c in self.manifest.chunks if c.status is ChunkStatus.FAILED))

    def _result(self, future: ChunkFuture, chunk: ChunkRecord) -> ChunkResult:
        """The chunk's result, its tables written here when the worker sent them back."""
        result = future.result()
        if result.version != self.manifest.trilat_version:
            raise SweepError(f"a worker runs trilat {result.version}, this sweep {self.manifest.trilat_version}")
        if result.tables is not None:
            write_tables(self.out, chunk.id, result.tables)
        return result

    def _retry_or_fail(self, chunk: ChunkRecord, exc: BaseException) -> None:
        chunk.error = _error_text(exc)
        if self.tries.get(chunk.id, 0) < MAX_ATTEMPTS:
            chunk.status = ChunkStatus.RETRYING
            self.queue.appendleft(chunk)
        else:
            chunk.status = ChunkStatus.FAILED

    def _finish(self, session: SessionRecord, interrupted: bool) -> None:
        """Stop the back end and record where every chunk stands."""
        self.backend.close(cancel=interrupted)
        for chunk in self.manifest.chunks:
            if chunk.status in (ChunkStatus.RUNNING, ChunkStatus.RETRYING):
                # Chunks in flight at Ctrl-C may have finished while the workers wound down.
                if _trusted_part(self.manifest, self.out, chunk):
                    chunk.status, chunk.segment = ChunkStatus.DONE, len(self.manifest.segments) - 1
                    session.runs += chunk.runs
                else:
                    chunk.status = ChunkStatus.PENDING
        complete = all(c.status is ChunkStatus.DONE for c in self.manifest.chunks)
        session.finished = now()
        if complete:
            status = SweepStatus.COMPLETE  # also when a stop came after the last chunk finished
        else:
            status = SweepStatus.INTERRUPTED if interrupted else SweepStatus.INCOMPLETE
        self.writer.save(status, force=True)


def _trusted_part(manifest: Manifest, out: Path, chunk: ChunkRecord) -> bool:
    """True if a chunk's parts are sound (their digests verified) and written by this sweep's current model code."""
    if chunk_problem(out, chunk, manifest.keep_trajectories) is not None:
        return False
    return manifest.fingerprint is None or part_code(out, chunk.id) == manifest.fingerprint


def _discard_parts(out: Path, chunk_id: int) -> None:
    for kind in (PARTS, TRAJECTORIES):
        with contextlib.suppress(FileNotFoundError):
            part_path(out, kind, chunk_id).unlink()


def _mark_finished_chunks(manifest: Manifest, out: Path) -> int:
    """Mark chunks with trusted parts done (and lost ones pending again); return the runs already done.

    A part of a chunk the manifest records as done is kept if valid; any other part is kept
    only if it carries the current code fingerprint (a worker may have written it after the
    last manifest write), and is deleted otherwise.
    """
    segment = len(manifest.segments) - 1
    lost = damaged_parts(out, manifest)
    if lost:
        print(f"warning: {out}: damaged, run again: {describe_parts(out, lost)}", file=sys.stderr)
    for chunk in manifest.chunks:
        if chunk.status is ChunkStatus.DONE:
            if chunk in lost:
                chunk.status = ChunkStatus.PENDING  # its part went missing or is damaged: run it again
        elif _trusted_part(manifest, out, chunk):
            chunk.status, chunk.error, chunk.segment = ChunkStatus.DONE, None, segment
        elif part_path(out, PARTS, chunk.id).exists():
            _discard_parts(out, chunk.id)
    return manifest.done_runs


def run_sweep(
    experiment_path: str | Path,
    out_dir: str | Path,
    workers: int = 1,
    dask: str | None = None,
    progress: bool = True,
    chunk_runs: int | None = None,
    backend: Backend | None = None,
    allow_code_change: bool = False,
    dask_timeout: float = DASK_CONNECT_TIMEOUT,
    extend: bool = False,
    engine: str = "auto",
) -> SweepSummary:
    """Run (or resume) an experiment's sweep into ``out_dir``.

    Args:
        experiment_path: the experiment file.
        out_dir: the output folder (created; an existing sweep of the same experiment resumes).
        workers: local worker processes (1: run in this process), or LocalCluster workers.
        dask: None for local processes, ``"local"`` for a Dask LocalCluster, or a scheduler
            address such as ``"tcp://host:8786"``.
        progress: show a progress bar (runs done, runs/s, ETA) on stderr.
        chunk_runs: runs per chunk for a new sweep (default 10,000); a resumed sweep keeps its chunks.
        backend: the back end to run the chunks on (default: the one ``workers`` and ``dask`` say).
        allow_code_change: resume a sweep written by other model code, in a new segment
            recorded in the manifest (without it, such a resume is refused).
        dask_timeout: seconds to wait for a Dask scheduler to answer.
        extend: the experiment may differ from the stored one by larger ``samples`` and/or
            ``replications``: relabel the stored runs into the larger design and run only the
            new ones (see :mod:`~sim.research.sweep.extend`).
        engine: the model engine, ``auto`` (compiled for big sweeps, see
            :func:`~sim.research.sweep.plan.sweep_engine`), ``numpy`` or ``compiled``; the
            results are bit-identical whichever runs.

    Returns:
        What was done: runs stored, failed chunks, time.

    Raises:
        ExperimentError: for a bad experiment file (located problems).
        SweepError: for an output folder of another experiment or model code, or an unreachable cluster.
        KeyboardInterrupt: after Ctrl-C (:class:`SweepTerminated` after SIGTERM), once the
            manifest records the finished chunks.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SweepError(f"workers must be a positive integer, got {workers!r}")
    sweep_engine(engine, 0, workers)  # an unknown engine is refused before the folder is touched
    started = time.perf_counter()
    if dask is not None and backend is None:
        check_dask_address(dask, dask_timeout)
        if dask != "local":
            probe_scheduler(dask, dask_timeout)  # before the output folder is created
    experiment = load_experiment(experiment_path)
    # A local pool's fork server makes the kernels ready once for every worker when the chunks
    # will run compiled (decided on the whole experiment; a resume decides the engine again below).
    warm: str | None = None
    if backend is None and dask is None and workers > 1:
        warm = kernel_warm_up(engine, experiment.runs, workers)
        start_fork_server(warm)
    if progress:
        print(describe(experiment), file=sys.stderr)
    design = design_table(experiment)
    out = Path(out_dir)
    with contextlib.ExitStack() as stack:
        manifest, extended = _prepare_folder(out, experiment, design, chunk_runs, allow_code_change, stack, extend)
        summary = _run_locked(
            experiment,
            design,
            out,
            manifest,
            _Options(workers, dask, dask_timeout, progress, engine, warm),
            backend,
            started,
        )
        summary.extended = extended
        return summary


@dataclass(frozen=True)
class _Options:
    workers: int
    dask: str | None
    dask_timeout: float
    progress: bool
    engine: str = "auto"
    warm: str | None = None


def _run_locked(
    experiment: Experiment,
    design: pd.DataFrame,
    out: Path,
    manifest: Manifest,
    options: _Options,
    backend: Backend | None,
    started: float,
) -> SweepSummary:
    """Run the chunks of a prepared (and locked) folder; return the summary."""
    workers, progress = options.workers, options.progress
    _clean_temporaries(out)
    skipped = _mark_finished_chunks(manifest, out)
    values = design[experiment.parameter_names].to_numpy(dtype=np.float64)
    backend = (
        backend if backend is not None else make_backend(workers, options.dask, options.dask_timeout, options.warm)
    )
    session = SessionRecord(started=now(), backend=backend.name, workers=workers)
    manifest.sessions.append(session)
    bar = _progress_bar(experiment, manifest.total_runs, skipped, progress)
    stopped = ""
    try:
        with _sigterm_as_interrupt():
            engine = sweep_engine(options.engine, manifest.total_runs - skipped, workers)
            _SweepRun(experiment, values, out, manifest, backend, engine).run(session, bar)
    except KeyboardInterrupt as exc:
        stopped = "terminated (SIGTERM)" if isinstance(exc, SweepTerminated) else "interrupted"
        raise
    finally:
        bar.close()
        if stopped:
            print(
                f"{stopped}: {manifest.done_runs:,} of {manifest.total_runs:,} runs are stored in "
                f"{out}; re-run the same command to resume",
                file=sys.stderr,
            )
    return SweepSummary(
        out_dir=out,
        experiment=experiment.id,
        backend=backend.name,
        total_runs=manifest.total_runs,
        done_runs=manifest.done_runs,
        skipped_runs=skipped,
        chunks=len(manifest.chunks),
        failed_chunks=[c.id for c in manifest.chunks if c.status is ChunkStatus.FAILED],
        seconds=time.perf_counter() - started,
    )
