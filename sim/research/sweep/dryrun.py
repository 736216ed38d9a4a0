"""``trilat sweep --dry-run``: what a sweep would do (runs, chunks, time, disk) without doing it.

The time and the disk come from a calibration: two short blocks of each scenario's first chunk
(a quarter of the calibration size, then all of it) run in this process and their tables are
compressed as the sweep would store them. The difference between the two blocks gives the
seconds per run, the rest the fixed cost per chunk; bytes per row scale to the whole dataset.
"""

from __future__ import annotations

import dataclasses
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from sim.research.experiment import Experiment, design_table, load_experiment
from sim.research.sweep.layout import COMPRESSION, MANIFEST, dictionary_columns
from sim.research.sweep.manifest import ChunkRecord, ChunkStatus, load_manifest
from sim.research.sweep.plan import DEFAULT_CHUNK_RUNS, chunk_task, plan_chunks, replication_range, sweep_engine
from sim.research.sweep.worker import ChunkRunner

CALIBRATION_RUNS = 5_000
"""Runs of the larger calibration block per scenario (the smaller one has a quarter)."""


@dataclass
class DryRun:
    """What a sweep would do: its size, and the time and disk estimated from a calibration."""

    experiment: str
    points: int
    replications: int
    scenarios: int
    runs: int
    chunks: int
    chunk_runs: int
    workers: int
    stored_runs: int
    remaining_chunks: int
    seconds: float
    bytes: int
    calibration_runs: int
    runs_per_s: float
    engine: str = "numpy"
    """The engine the chunks would run on (and the calibration ran on)."""

    def __str__(self) -> str:
        lines = [
            f"Dry run of '{self.experiment}': {self.points:,} design points x {self.replications:,} replications "
            f"= {self.runs:,} runs ({self.scenarios} scenario(s))",
            f"  chunks: {self.chunks:,} of at most {self.chunk_runs:,} runs",
        ]
        if self.stored_runs:
            lines.append(f"  already stored: {self.stored_runs:,} runs; {self.remaining_chunks:,} chunks left to run")
        lines += [
            f"  estimated time: {_duration(self.seconds)} with {self.workers} worker(s) "
            f"(calibration: {self.calibration_runs:,} runs here on the {self.engine} engine, "
            f"{self.runs_per_s:,.0f} runs/s per worker)",
            f"  estimated disk: {_size(self.bytes)} of results (zstd Parquet)",
        ]
        return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "B" else f"{count:,.1f} {unit}"
        count /= 1024
    return f"{count:,.1f} TB"  # pragma: no cover - the loop returns at GB


@dataclass(frozen=True)
class _Calibration:
    per_run_s: float
    per_chunk_s: float
    bytes_per_row: float
    runs: int


def _timed_block(
    experiment: Experiment, values: np.ndarray, chunk: ChunkRecord, runs: int, runner: ChunkRunner, engine: str
) -> tuple[float, int, int, int]:
    """Run about the first ``runs`` runs of ``chunk`` (whole rows of its rectangle).

    Returns:
        Seconds, runs, result rows and compressed bytes.
    """
    reps = experiment.spec.replications
    first, stop = replication_range(chunk, reps)
    width = stop - first
    if width >= runs or chunk.stop_point - chunk.first_point == 1:
        stop_run = chunk.first_run + min(runs, width)
        block = dataclasses.replace(chunk, stop_point=chunk.first_point + 1, stop_run=stop_run)
    else:
        last = min(chunk.stop_point, chunk.first_point + runs // width) - 1
        block = dataclasses.replace(chunk, stop_point=last + 1, stop_run=last * reps + stop)
    task = chunk_task(experiment, block, values, None, engine=engine)
    scenario = experiment.scenarios[experiment.scenario_ids.index(chunk.scenario)]
    start = time.perf_counter()
    result = runner.run(task, scenario)
    seconds = time.perf_counter() - start
    size, rows = 0, 0
    for kind, table in (result.tables or {}).items():
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression=COMPRESSION, use_dictionary=dictionary_columns(table))
        size += buffer.tell()
        rows += table.num_rows if kind == "parts" else 0
    return seconds, result.runs, rows, size


def _calibrate(experiment: Experiment, chunks: list[ChunkRecord], engine: str) -> dict[str, _Calibration]:
    runner = ChunkRunner(freeze=False)  # calibration runs in the caller's process: leave its collector alone
    values = design_table(experiment)[experiment.parameter_names].to_numpy(dtype=np.float64)
    found: dict[str, _Calibration] = {}
    for chunk in chunks:
        if chunk.scenario in found:
            continue
        big = min(chunk.runs, CALIBRATION_RUNS)
        small = max(1, big // 4)
        _timed_block(experiment, values, chunk, small, runner, engine)  # warm-up: first-use costs are not per chunk
        t_small, small, _, _ = _timed_block(experiment, values, chunk, small, runner, engine)
        t_big, big, rows, size = _timed_block(experiment, values, chunk, big, runner, engine)
        per_run = max((t_big - t_small) / (big - small), 0.0) if big > small else t_big / big
        per_chunk = max(t_big - per_run * big, 0.0)
        found[chunk.scenario] = _Calibration(per_run, per_chunk, size / max(rows, 1), small * 2 + big)
    return found


def dry_run(
    experiment_path: str | Path,
    out_dir: str | Path | None = None,
    workers: int = 1,
    chunk_runs: int | None = None,
    engine: str = "auto",
) -> DryRun:
    """Plan a sweep and estimate its time and disk, running nothing but a short calibration.

    Args:
        experiment_path: the experiment file.
        out_dir: the output folder; when it holds a sweep, its chunks and stored runs count.
        workers: worker processes the estimate assumes (chunks spread evenly over them).
        chunk_runs: runs per chunk of a new sweep.
        engine: the sweep's ``engine``: the calibration runs on the engine its chunks would
            (:func:`~sim.research.sweep.plan.sweep_engine`; compiling the kernels first when
            the sweep would and the kernel cache is empty).
    """
    sweep_engine(engine, 0, workers)  # an unknown engine is refused at once
    experiment = load_experiment(experiment_path)
    size = chunk_runs or DEFAULT_CHUNK_RUNS
    chunks = plan_chunks(experiment, size)
    if out_dir is not None and (Path(out_dir) / MANIFEST).exists():
        manifest = load_manifest(out_dir)
        chunks, size = manifest.chunks, manifest.chunk_runs
    todo = [c for c in chunks if c.status is not ChunkStatus.DONE]
    chosen = sweep_engine(engine, sum(c.runs for c in todo), workers)
    calibration = _calibrate(experiment, todo or chunks, chosen)
    seconds = sum(calibration[c.scenario].per_chunk_s + c.runs * calibration[c.scenario].per_run_s for c in todo)
    disk = sum(c.rows * calibration[c.scenario].bytes_per_row for c in chunks)
    per_run = sum(c.per_run_s for c in calibration.values()) / len(calibration)
    return DryRun(
        experiment=experiment.id,
        points=experiment.points,
        replications=experiment.spec.replications,
        scenarios=len(experiment.scenarios),
        runs=experiment.runs,
        chunks=len(chunks),
        chunk_runs=size,
        workers=workers,
        stored_runs=sum(c.runs for c in chunks if c.status is ChunkStatus.DONE),
        remaining_chunks=len(todo),
        seconds=seconds / max(1, min(workers, len(todo) or 1)),
        bytes=int(disk),
        calibration_runs=sum(c.runs for c in calibration.values()),
        runs_per_s=1.0 / per_run if per_run > 0 else float("inf"),
        engine=chosen,
    )
