"""Research sweeps: run an experiment's design in chunks, in parallel or on Dask, into a Parquet dataset.

:func:`run_sweep` splits the design into chunks (a block of design points of one scenario, or
a block of one point's replications), runs each chunk as one ensemble model that carries every
point's parameters as per-replication arrays, and writes one Parquet part per chunk as it
completes (to a temporary name, then ``os.replace``), plus ``manifest.json`` (experiment and
scenario hashes, package version, seed, design table, chunk list). The run with global id
``point_id * replications + k`` draws its random numbers from (seed, that id) through the
counter-based RNG, so results do not depend on chunking, worker count, or Dask vs local
processes. Re-running on the same folder skips finished chunks; :func:`reproduce` rebuilds any
stored run exactly. The output layout is documented in ``docs/experiments.md``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.atomic import atomic_write
from sim.errors import TrilatError
from sim.research.experiment import Experiment, describe, design_table, load_experiment

if TYPE_CHECKING:
    import pyarrow as pa

    from sim.engine.model import TrilateralModel
    from sim.lang.scenario import Scenario

FORMAT = "trilat-sweep/1"
MANIFEST = "manifest.json"
PARTS = "parts"
TRAJECTORIES = "trajectories"
DEFAULT_CHUNK_RUNS = 10_000
"""Runs per chunk: large enough to amortize Python overhead, small enough to stay in cache."""
MAX_ATTEMPTS = 2
"""A chunk that raises is retried once per invocation, then recorded as failed."""
FAIL_ENV = "TRILAT_SWEEP_FAIL"
"""Test-only hook: ``"3"`` makes chunk 3 raise on every attempt, ``"3@1"`` on its first only."""
MANIFEST_INTERVAL_S = 2.0
COMPRESSION = "zstd"
DASK_CONNECT_TIMEOUT = "20s"


class SweepError(TrilatError):
    """A sweep that cannot start or continue (reported in one line by the CLI)."""


# ---------------------------------------------------------------------------------------------
# running one chunk (in a worker process, a Dask worker, or in-process)


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run one chunk (small and picklable)."""

    chunk_id: int
    attempt: int
    scenario_path: str
    scenario_hash: str
    scenario_id: str
    seed: int
    turns: int
    replications: int
    first_point: int
    stop_point: int
    first_run: int
    stop_run: int
    parameter_names: tuple[str, ...]
    parameter_values: np.ndarray
    fixed: tuple[tuple[str, float], ...]
    indicators: tuple[str, ...]
    record_turns: tuple[int, ...] | None
    statistics: tuple[str, ...]
    keep_trajectories: bool
    out_dir: str | None
    fail: str = ""


@dataclass
class Recorded:
    """The values a sweep keeps for a block of runs (``simulate``'s result)."""

    model: TrilateralModel
    final: np.ndarray
    """Indicators at the last turn, shape (indicators, runs)."""
    turns: dict[int, np.ndarray] = field(default_factory=dict)
    """Indicators at each recorded turn, shape (indicators, runs)."""
    statistics: dict[str, np.ndarray] = field(default_factory=dict)
    """Statistic over turns 1..T (``mean``, ``min``, ``max``, ``sd``), shape (indicators, runs)."""


_SCENARIOS: dict[tuple[str, str], Scenario] = {}


def _scenario(path: str, content_hash: str, given: Scenario | None = None) -> Scenario:
    """The compiled scenario, loaded once per process and checked against its recorded hash."""
    from sim.lang.scenario import load_scenario

    key = (path, content_hash)
    if key not in _SCENARIOS:
        scenario = given if given is not None else load_scenario(Path(path))
        if scenario.content_hash != content_hash:
            raise SweepError(
                f"scenario file {path} changed since the sweep started (content hash "
                f"{scenario.content_hash[:12]}, recorded {content_hash[:12]}); use a new output folder"
            )
        _SCENARIOS[key] = scenario
    return _SCENARIOS[key]


def simulate(
    scenario: Scenario,
    *,
    seed: int,
    replication_ids: np.ndarray,
    turns: int,
    parameters: Mapping[str, Any],
    indicators: Iterable[str],
    record_turns: Iterable[int] = (),
    statistics: Iterable[str] = (),
    record: bool = False,
) -> Recorded:
    """Run a block of replications to the end and keep the indicators a sweep records.

    Args:
        scenario: the compiled scenario.
        seed: the experiment seed.
        replication_ids: the global run ids (the counter-based RNG's replication indices).
        turns: turns to play.
        parameters: parameter values, scalars or arrays with one value per run.
        indicators: state variables to keep.
        record_turns: turns (0 = the start) whose values to keep.
        statistics: statistics over turns 1..T to compute (``mean``, ``min``, ``max``, ``sd``).
        record: keep the model's cause-and-effect record (for the narrative; no effect on values).

    Returns:
        The model run to the end and the recorded values.
    """
    from sim.engine.model import TrilateralModel

    model = TrilateralModel(
        scenario, seed=seed, replication_ids=replication_ids, turns=turns, record=record, **dict(parameters)
    )
    rows = [scenario.layout.rows[name] for name in indicators]
    wanted = set(record_turns)
    stats = tuple(statistics)
    kept: dict[int, np.ndarray] = {}
    if 0 in wanted:
        kept[0] = model.x[rows]
    count, mean, m2, low, high = 0, None, None, None, None
    while model.turn < model.turns:
        model.step()
        values = model.x[rows]
        if model.turn in wanted:
            kept[model.turn] = values
        if stats:
            count += 1
            if mean is None:
                mean, m2, low, high = values.copy(), np.zeros_like(values), values.copy(), values.copy()
            else:
                delta = values - mean
                mean += delta / count
                m2 += delta * (values - mean)
                np.minimum(low, values, out=low)
                np.maximum(high, values, out=high)
    out = Recorded(model=model, final=model.x[rows], turns=kept)
    if stats and mean is not None:
        computed = {"mean": mean, "min": low, "max": high, "sd": np.sqrt(m2 / count)}
        out.statistics = {name: computed[name] for name in stats}
    return out


GC_EVERY = 8
"""Chunks between full garbage collections in a worker (a model and its agents form reference
cycles, so only the cycle collector frees them; a full collection costs tens of milliseconds)."""
_chunks_since_gc = 0


def _release(recorded: Recorded) -> None:
    """Free a finished chunk's model: drop its per-turn history now, collect cycles now and then."""
    global _chunks_since_gc
    recorded.model.history.clear()
    _chunks_since_gc += 1
    if _chunks_since_gc >= GC_EVERY:
        _chunks_since_gc = 0
        gc.collect()


def _fail_if_asked(task: ChunkTask) -> None:
    """The test-only failure hook (see FAIL_ENV)."""
    for token in task.fail.replace(" ", "").split(","):
        if not token:
            continue
        chunk, _, attempt = token.partition("@")
        if chunk.isdigit() and int(chunk) == task.chunk_id and (not attempt or int(attempt) == task.attempt):
            raise RuntimeError(f"injected failure ({FAIL_ENV}) in chunk {task.chunk_id}, attempt {task.attempt}")


def result_columns(
    parameter_names: Iterable[str],
    indicators: Iterable[str],
    *,
    with_turn: bool,
    statistics: Iterable[str] = (),
) -> list[str]:
    """The column names of the results dataset, in order."""
    names = ["point_id", "scenario", *parameter_names, "replication", "seed"]
    if with_turn:
        names.append("turn")
    names += list(indicators)
    names += [f"{name}:{stat}" for name in indicators for stat in statistics]
    return names


def _tables(task: ChunkTask, recorded: Recorded, ids: np.ndarray, local: np.ndarray) -> dict[str, pa.Table]:
    import pyarrow as pa

    runs = len(ids)
    points = local + task.first_point
    tables: dict[str, pa.Table] = {}
    if task.keep_trajectories:
        steps = sorted(recorded.turns)
        cube = np.stack([recorded.turns[t] for t in steps])  # (turns, indicators, runs)
        flat = cube.transpose(2, 0, 1).reshape(runs * len(steps), len(task.indicators))
        columns = {
            "point_id": pa.array(np.repeat(points, len(steps))),
            "replication": pa.array(np.repeat(ids, len(steps))),
            "turn": pa.array(np.tile(np.asarray(steps, dtype=np.int32), runs)),
        }
        columns.update({name: pa.array(np.ascontiguousarray(flat[:, j])) for j, name in enumerate(task.indicators)})
        tables[TRAJECTORIES] = pa.table(columns)
    steps = list(task.record_turns) if task.record_turns is not None else None
    repeat = len(steps) if steps is not None else 1
    columns = {
        "point_id": pa.array(np.repeat(points, repeat)),
        "scenario": pa.array([task.scenario_id] * (runs * repeat), type=pa.string()),
    }
    for j, name in enumerate(task.parameter_names):
        columns[name] = pa.array(np.repeat(task.parameter_values[local, j], repeat))
    columns["replication"] = pa.array(np.repeat(ids, repeat))
    columns["seed"] = pa.array(np.full(runs * repeat, task.seed, dtype=np.int64))
    if steps is not None:
        columns["turn"] = pa.array(np.tile(np.asarray(steps, dtype=np.int32), runs))
        cube = np.stack([recorded.turns[t] for t in steps])
        flat = cube.transpose(2, 0, 1).reshape(runs * len(steps), len(task.indicators))
        for j, name in enumerate(task.indicators):
            columns[name] = pa.array(np.ascontiguousarray(flat[:, j]))
    else:
        for j, name in enumerate(task.indicators):
            columns[name] = pa.array(recorded.final[j])
    for stat in task.statistics:
        values = recorded.statistics[stat]
        for j, name in enumerate(task.indicators):
            columns[f"{name}:{stat}"] = pa.array(np.repeat(values[j], repeat))
    tables[PARTS] = pa.table(columns)
    return tables


def part_path(out_dir: str | Path, kind: str, chunk_id: int) -> Path:
    """Where chunk ``chunk_id``'s part of ``kind`` (``parts`` or ``trajectories``) lives."""
    return Path(out_dir) / kind / f"part-{chunk_id:06d}.parquet"


def _write_atomic(table: pa.Table, final: Path) -> None:
    """Write a Parquet file under a hidden temporary name, flush it to disk, then rename it."""
    import pyarrow.parquet as pq

    atomic_write(final, lambda handle: pq.write_table(table, handle, compression=COMPRESSION), binary=True)


def _write_tables(out_dir: str | Path, chunk_id: int, tables: Mapping[str, pa.Table]) -> int:
    """Write a chunk's parts (trajectories first: the results part marks the chunk done)."""
    if TRAJECTORIES in tables:
        _write_atomic(tables[TRAJECTORIES], part_path(out_dir, TRAJECTORIES, chunk_id))
    _write_atomic(tables[PARTS], part_path(out_dir, PARTS, chunk_id))
    return tables[PARTS].num_rows


def run_chunk(task: ChunkTask, scenario: Scenario | None = None) -> dict[str, Any]:
    """Run one chunk; write its parts (or return them, when ``task.out_dir`` is None).

    Args:
        task: the chunk.
        scenario: the compiled scenario, when the caller ships it (remote Dask workers).

    Returns:
        ``{"chunk", "runs", "rows", "seconds", "version"}``, plus ``"tables"`` when not written here.
    """
    from sim import __version__

    start = time.perf_counter()
    _fail_if_asked(task)
    compiled = _scenario(task.scenario_path, task.scenario_hash, scenario)
    ids = np.arange(task.first_run, task.stop_run, dtype=np.int64)
    local = ids // task.replications - task.first_point
    parameters: dict[str, Any] = dict(task.fixed)
    for j, name in enumerate(task.parameter_names):
        parameters[name] = np.ascontiguousarray(task.parameter_values[local, j])
    wanted = set(task.record_turns or ())
    if task.keep_trajectories:
        wanted |= set(range(task.turns + 1))
    recorded = simulate(
        compiled,
        seed=task.seed,
        replication_ids=ids,
        turns=task.turns,
        parameters=parameters,
        indicators=task.indicators,
        record_turns=wanted,
        statistics=task.statistics,
    )
    tables = _tables(task, recorded, ids, local)
    _release(recorded)
    del recorded
    result: dict[str, Any] = {"chunk": task.chunk_id, "runs": len(ids), "version": __version__}
    if task.out_dir is not None:
        result["rows"] = _write_tables(task.out_dir, task.chunk_id, tables)
    else:
        result["rows"] = tables[PARTS].num_rows
        result["tables"] = tables
    result["seconds"] = time.perf_counter() - start
    return result


# ---------------------------------------------------------------------------------------------
# planning and the manifest


def plan_chunks(experiment: Experiment, chunk_runs: int = DEFAULT_CHUNK_RUNS) -> list[dict[str, Any]]:
    """Split the design into chunks of at most ``chunk_runs`` runs, never across scenarios.

    A chunk holds whole design points when a point's replications fit, else one block of a
    single point's replications.
    """
    if chunk_runs < 1:
        raise SweepError(f"chunk size must be a positive number of runs, got {chunk_runs}")
    reps = experiment.spec.replications
    n = experiment.samples_per_scenario
    bounds: list[tuple[int, int, int, int, int]] = []
    for s_index in range(len(experiment.scenarios)):
        first, stop = s_index * n, (s_index + 1) * n
        if reps <= chunk_runs:
            per = max(1, chunk_runs // reps)
            for p in range(first, stop, per):
                q = min(p + per, stop)
                bounds.append((s_index, p, q, p * reps, q * reps))
        else:
            blocks = math.ceil(reps / chunk_runs)
            size = math.ceil(reps / blocks)
            for p in range(first, stop):
                for b in range(0, reps, size):
                    bounds.append((s_index, p, p + 1, p * reps + b, p * reps + min(b + size, reps)))
    chunks = []
    for ident, (s_index, p, q, a, b) in enumerate(bounds):
        scenario = experiment.scenarios[s_index]
        recorded = experiment.recorded_turns(scenario)
        chunks.append(
            {
                "id": ident,
                "scenario": scenario.id,
                "first_point": p,
                "stop_point": q,
                "first_run": a,
                "stop_run": b,
                "runs": b - a,
                "rows": (b - a) * (len(recorded) if recorded is not None else 1),
                "status": "pending",
                "attempts": 0,
                "error": None,
                "seconds": None,
            }
        )
    return chunks


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _design_json(design: Any) -> dict[str, Any]:
    return {"columns": list(design.columns), "data": design.to_numpy(dtype=object).tolist()}


def _new_manifest(experiment: Experiment, design: Any, chunks: list[dict[str, Any]], chunk_runs: int) -> dict:
    from sim import __version__

    spec = experiment.spec
    return {
        "format": FORMAT,
        "trilat_version": __version__,
        "created": _now(),
        "updated": _now(),
        "status": "running",
        "experiment": {
            "id": experiment.id,
            "title": spec.title,
            "path": str(experiment.path.resolve()),
            "file_sha256": experiment.file_sha256,
            "content_hash": experiment.content_hash,
            "spec": spec.model_dump(mode="json"),
        },
        "scenarios": [
            {
                "id": s.id,
                "path": str(s.path.resolve()),
                "content_hash": s.content_hash,
                "turns": experiment.turns_of(s),
                "recorded_turns": (
                    list(experiment.recorded_turns(s)) if experiment.recorded_turns(s) is not None else None
                ),
            }
            for s in experiment.scenarios
        ],
        "seed": spec.seed,
        "sampler": spec.sampler,
        "replications": spec.replications,
        "parameters": experiment.parameter_names,
        "fixed": experiment.fixed,
        "indicators": list(experiment.indicators),
        "statistics": list(spec.outputs.statistics) if spec.outputs.at == "summary" else [],
        "keep_trajectories": spec.outputs.keep_trajectories,
        "columns": result_columns(
            experiment.parameter_names,
            experiment.indicators,
            with_turn=spec.outputs.at != "final" and spec.outputs.at != "summary",
            statistics=spec.outputs.statistics if spec.outputs.at == "summary" else (),
        ),
        "run_id": "replication = point_id * replications + k, k = 0 .. replications - 1",
        "runs": {"total": experiment.runs, "done": 0, "failed": 0},
        "chunk_runs": chunk_runs,
        "design": _design_json(design),
        "chunks": chunks,
        "sessions": [],
    }


def _write_json_atomic(data: dict[str, Any], path: Path) -> None:
    atomic_write(path, lambda handle: json.dump(data, handle, indent=1))


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """Read a sweep folder's ``manifest.json``.

    Raises:
        SweepError: when the folder has no readable manifest.
    """
    path = Path(out_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(f"{out_dir}: no {MANIFEST}; not a sweep output folder") from None
    except (OSError, ValueError) as exc:
        raise SweepError(f"{path}: cannot read the manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SweepError(f"{path}: not a {FORMAT} manifest")
    return manifest


def design_frame(manifest: Mapping[str, Any]) -> Any:
    """The design table stored in a manifest, as a pandas DataFrame."""
    import pandas as pd

    design = manifest["design"]
    frame = pd.DataFrame(design["data"], columns=design["columns"])
    for name in ("point_id", "sample"):
        frame[name] = frame[name].astype(np.int64)
    for name in manifest["parameters"]:
        frame[name] = frame[name].astype(np.float64)
    return frame


def part_is_valid(out_dir: str | Path, chunk: Mapping[str, Any], keep_trajectories: bool = False) -> bool:
    """True if the chunk's part files exist, are readable Parquet, and have the expected rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if pq.read_metadata(part_path(out_dir, PARTS, chunk["id"])).num_rows != chunk["rows"]:
            return False
        if keep_trajectories:
            pq.read_metadata(part_path(out_dir, TRAJECTORIES, chunk["id"]))
    except (OSError, ValueError, pa.ArrowException):
        return False
    return True


def _check_same_experiment(manifest: dict, experiment: Experiment, design: Any, out: Path) -> None:
    from sim import __version__

    old = manifest["experiment"]
    if old["content_hash"] != experiment.content_hash:
        raise SweepError(
            f"{out} holds results of a different experiment ('{old['id']}' from {old['path']}, "
            f"hash {old['content_hash'][:12]}), not {experiment.path} (hash {experiment.content_hash[:12]}); "
            f"use another --out folder, or delete {out} to start over"
        )
    recorded = {s["id"]: s["content_hash"] for s in manifest["scenarios"]}
    for scenario in experiment.scenarios:
        if recorded.get(scenario.id) != scenario.content_hash:
            raise SweepError(
                f"{out}: scenario '{scenario.id}' changed since these results were written "
                f"(hash {scenario.content_hash[:12]}, recorded {str(recorded.get(scenario.id))[:12]}); "
                f"use another --out folder"
            )
    if manifest["trilat_version"] != __version__:
        raise SweepError(
            f"{out} was written by trilat {manifest['trilat_version']}; this is {__version__}, and "
            f"results would mix engine versions; use another --out folder"
        )
    stored = design_frame(manifest)
    names = experiment.parameter_names
    if len(stored) != len(design) or not np.array_equal(
        stored[names].to_numpy(dtype=np.float64), design[names].to_numpy(dtype=np.float64)
    ):
        raise SweepError(f"{out}: the design built from the seed differs from the stored one; use another --out folder")


# ---------------------------------------------------------------------------------------------
# execution back ends


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C goes to the parent, which lets running chunks finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Serial:
    """Run chunks in this process, one at a time."""

    name = "in-process"
    window = 1
    writes_in_workers = True

    def submit(self, task: ChunkTask) -> Future:
        future: Future = Future()
        try:
            future.set_result(run_chunk(task))
        except Exception as exc:  # recorded as the chunk's failure
            future.set_exception(exc)
        return future

    def wait(self, futures: set) -> tuple[set, set]:
        return set(futures), set()

    def close(self, cancel: bool) -> None:
        return None


WORKER_MODULES = ["sim.research.sweep", "sim.engine.model", "pyarrow.parquet"]
"""Imported once by the fork server, so each worker starts with them loaded."""


def _process_context() -> Any:
    """The 'forkserver' context where available (with the worker modules preloaded), else 'spawn'."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(WORKER_MODULES)
        return context
    return multiprocessing.get_context("spawn")


def _start_fork_server() -> None:
    """Start the fork server now, so it imports the worker modules while the experiment loads."""
    context = _process_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class _Processes:
    """A local process pool ('forkserver' where available, else 'spawn')."""

    writes_in_workers = True

    def __init__(self, workers: int) -> None:
        context = _process_context()
        self.name = f"{workers} {context.get_start_method()} processes"
        self.window = 2 * workers
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_sigint)

    def submit(self, task: ChunkTask) -> Future:
        return self.pool.submit(run_chunk, task)

    def wait(self, futures: set) -> tuple[set, set]:
        done, pending = wait_futures(futures, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def close(self, cancel: bool) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class _Dask:
    """A Dask cluster: a LocalCluster (``'local'``) or an existing scheduler's address."""

    def __init__(self, address: str, workers: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SweepError(
                "--dask needs dask.distributed, which is not installed: pip install 'trilat[cluster]'"
            ) from None
        import logging

        self.cluster = None
        if address == "local":
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            self.name = f"Dask LocalCluster ({workers} workers)"
        else:
            try:
                self.client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise SweepError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
            self.name = f"Dask scheduler {address}"
        # A LocalCluster shares this file system; a remote cluster may not, so its workers send
        # the tables back and this process writes them.
        self.writes_in_workers = address == "local"
        self.window = 1 << 30  # the scheduler queues: submit everything
        self._shipped: dict[str, Any] = {}

    def ship(self, scenarios: Iterable[Scenario]) -> None:
        """Send the compiled scenarios to every worker once (remote workers may lack the files)."""
        for scenario in scenarios:
            self._shipped[scenario.content_hash] = self.client.scatter(scenario, broadcast=True)

    def submit(self, task: ChunkTask) -> Any:
        shipped = self._shipped.get(task.scenario_hash)
        return self.client.submit(run_chunk, task, shipped, pure=False)

    def wait(self, futures: set) -> tuple[set, set]:
        from distributed import wait

        result = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(result.done), set(result.not_done)

    def close(self, cancel: bool) -> None:
        with contextlib.suppress(Exception):  # best effort: the cluster may already be gone
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


# ---------------------------------------------------------------------------------------------
# the sweep


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
        return f"{head}: {speed}{tail}"


def _task(
    experiment: Experiment, chunk: Mapping[str, Any], values: np.ndarray, out_dir: str | None, fail: str
) -> ChunkTask:
    spec = experiment.spec
    index = experiment.scenario_ids.index(chunk["scenario"])
    scenario = experiment.scenarios[index]
    recorded = experiment.recorded_turns(scenario)
    return ChunkTask(
        chunk_id=chunk["id"],
        attempt=chunk["attempts"],
        scenario_path=str(scenario.path.resolve()),
        scenario_hash=scenario.content_hash,
        scenario_id=scenario.id,
        seed=spec.seed,
        turns=experiment.turns_of(scenario),
        replications=spec.replications,
        first_point=chunk["first_point"],
        stop_point=chunk["stop_point"],
        first_run=chunk["first_run"],
        stop_run=chunk["stop_run"],
        parameter_names=tuple(experiment.parameter_names),
        parameter_values=np.ascontiguousarray(values[chunk["first_point"] : chunk["stop_point"]]),
        fixed=tuple(sorted(experiment.fixed.items())),
        indicators=experiment.indicators,
        record_turns=recorded,
        statistics=tuple(spec.outputs.statistics) if spec.outputs.at == "summary" else (),
        keep_trajectories=spec.outputs.keep_trajectories,
        out_dir=out_dir,
        fail=fail,
    )


def _prepare_folder(out: Path, experiment: Experiment, design: Any, chunk_runs: int | None) -> dict[str, Any]:
    """Open a sweep folder to resume, or create it; refuse a folder of another experiment."""
    if (out / MANIFEST).exists():
        manifest = read_manifest(out)
        _check_same_experiment(manifest, experiment, design, out)
        return manifest
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} is a file, not a folder")
    if out.exists() and any(out.iterdir()):
        raise SweepError(f"{out} is not empty and holds no {MANIFEST}; refusing to write a sweep into it")
    out.mkdir(parents=True, exist_ok=True)
    size = chunk_runs or DEFAULT_CHUNK_RUNS
    manifest = _new_manifest(experiment, design, plan_chunks(experiment, size), size)
    _write_json_atomic(manifest, out / MANIFEST)
    return manifest


def _clean_temporaries(out: Path) -> None:
    for kind in (PARTS, TRAJECTORIES):
        folder = out / kind
        if folder.is_dir():
            for stray in folder.glob(".part-*.tmp-*"):
                with contextlib.suppress(OSError):
                    stray.unlink()


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 500 else text[:497] + "..."


def run_sweep(
    experiment_path: str | Path,
    out_dir: str | Path,
    workers: int = 1,
    dask: str | None = None,
    progress: bool = True,
    chunk_runs: int | None = None,
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

    Returns:
        What was done: runs stored, failed chunks, time.

    Raises:
        ExperimentError: for a bad experiment file (located problems).
        SweepError: for an output folder of another experiment, or an unreachable cluster.
        KeyboardInterrupt: after Ctrl-C, once the manifest records the finished chunks.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SweepError(f"workers must be a positive integer, got {workers!r}")
    started = time.perf_counter()
    if dask is None and workers > 1:
        _start_fork_server()
    experiment = load_experiment(experiment_path)
    if progress:
        print(describe(experiment), file=sys.stderr)
    design = design_table(experiment)
    out = Path(out_dir)
    manifest = _prepare_folder(out, experiment, design, chunk_runs)
    _clean_temporaries(out)
    keep = bool(manifest["keep_trajectories"])
    chunks: list[dict[str, Any]] = manifest["chunks"]
    for chunk in chunks:
        if part_is_valid(out, chunk, keep):
            chunk["status"], chunk["error"] = "done", None
        elif chunk["status"] == "done":
            chunk["status"] = "pending"  # its part went missing: run it again
    skipped = sum(c["runs"] for c in chunks if c["status"] == "done")
    values = design[experiment.parameter_names].to_numpy(dtype=np.float64)
    fail = os.environ.get(FAIL_ENV, "")

    if dask is not None:
        backend: Any = _Dask(dask, workers)
    elif workers == 1:
        backend = _Serial()
        for scenario in experiment.scenarios:  # already compiled: no need to load it again
            _SCENARIOS.setdefault((str(scenario.path.resolve()), scenario.content_hash), scenario)
    else:
        backend = _Processes(workers)
    session = {"started": _now(), "backend": backend.name, "workers": workers, "runs": 0, "finished": None}
    manifest.setdefault("sessions", []).append(session)
    task_dir = str(out.resolve()) if backend.writes_in_workers else None

    queue = deque(c for c in chunks if c["status"] != "done")
    tries: dict[int, int] = {}
    in_flight: dict[Any, dict[str, Any]] = {}
    last_write, write_cost = 0.0, 0.0
    interrupted = False

    def save(status: str, force: bool = False) -> None:
        # At most every MANIFEST_INTERVAL_S, and never more than ~5% of the time for a big design.
        nonlocal last_write, write_cost
        if not force and time.monotonic() - last_write < max(MANIFEST_INTERVAL_S, 20 * write_cost):
            return
        start = time.monotonic()
        manifest["status"] = status
        manifest["updated"] = _now()
        manifest["runs"]["done"] = sum(c["runs"] for c in chunks if c["status"] == "done")
        manifest["runs"]["failed"] = sum(c["runs"] for c in chunks if c["status"] == "failed")
        _write_json_atomic(manifest, out / MANIFEST)
        last_write = time.monotonic()
        write_cost = last_write - start

    bar = _progress_bar(experiment, manifest["runs"]["total"], skipped, progress)
    try:
        if isinstance(backend, _Dask):
            backend.ship(experiment.scenarios)
        save("running", force=True)
        while queue or in_flight:
            while queue and len(in_flight) < backend.window:
                chunk = queue.popleft()
                chunk["attempts"] += 1
                chunk["status"] = "running"
                tries[chunk["id"]] = tries.get(chunk["id"], 0) + 1
                in_flight[backend.submit(_task(experiment, chunk, values, task_dir, fail))] = chunk
            done, _ = backend.wait(set(in_flight))
            for future in done:
                chunk = in_flight.pop(future)
                try:
                    result = future.result()
                    if result["version"] != manifest["trilat_version"]:
                        raise SweepError(
                            f"a worker runs trilat {result['version']}, this sweep {manifest['trilat_version']}"
                        )
                    if "tables" in result:
                        _write_tables(out, chunk["id"], result["tables"])
                except BrokenProcessPool as exc:
                    # A worker died (out of memory?): the pool is unusable; start a new one.
                    backend.close(cancel=True)
                    backend = _Processes(workers)
                    _retry_or_fail(chunk, exc, tries, queue)
                    for other in list(in_flight.values()):
                        _retry_or_fail(other, exc, tries, queue)
                    in_flight.clear()
                    break
                except Exception as exc:  # any failure of the chunk's own code is recorded
                    _retry_or_fail(chunk, exc, tries, queue)
                else:
                    chunk["status"], chunk["error"] = "done", None
                    chunk["seconds"] = round(float(result["seconds"]), 3)
                    session["runs"] += chunk["runs"]
                    bar.update(chunk["runs"])
                if chunk["status"] == "failed":
                    bar.set_postfix(failed=sum(1 for c in chunks if c["status"] == "failed"))
            save("running")
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        backend.close(cancel=interrupted)
        for chunk in chunks:
            if chunk["status"] in ("running", "retrying"):
                # Chunks in flight at Ctrl-C may have finished while the workers wound down.
                chunk["status"] = "done" if part_is_valid(out, chunk, keep) else "pending"
        failed = [c["id"] for c in chunks if c["status"] == "failed"]
        complete = all(c["status"] == "done" for c in chunks)
        session["finished"] = _now()
        save("interrupted" if interrupted else "complete" if complete else "incomplete", force=True)
        bar.close()
        if interrupted:
            print(
                f"interrupted: {manifest['runs']['done']:,} of {manifest['runs']['total']:,} runs are stored in "
                f"{out}; re-run the same command to resume",
                file=sys.stderr,
            )
    return SweepSummary(
        out_dir=out,
        experiment=experiment.id,
        backend=backend.name,
        total_runs=manifest["runs"]["total"],
        done_runs=manifest["runs"]["done"],
        skipped_runs=skipped,
        chunks=len(chunks),
        failed_chunks=failed,
        seconds=time.perf_counter() - started,
    )


def _retry_or_fail(chunk: dict[str, Any], exc: BaseException, tries: dict[int, int], queue: deque) -> None:
    chunk["error"] = _error_text(exc)
    if tries.get(chunk["id"], 0) < MAX_ATTEMPTS:
        chunk["status"] = "retrying"
        queue.appendleft(chunk)
    else:
        chunk["status"] = "failed"


def _progress_bar(experiment: Experiment, total: int, initial: int, enabled: bool) -> Any:
    from tqdm import tqdm

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


# ---------------------------------------------------------------------------------------------
# provenance


def _locate_run(manifest: Mapping[str, Any], run_id: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The design row, scenario entry and chunk of a run id."""
    total = manifest["runs"]["total"]
    if isinstance(run_id, bool) or not isinstance(run_id, int | np.integer) or not 0 <= run_id < total:
        raise SweepError(f"run {run_id!r} is not in this sweep: run ids go from 0 to {total - 1}")
    run_id = int(run_id)
    point = run_id // manifest["replications"]
    design = manifest["design"]
    row = dict(zip(design["columns"], design["data"][point], strict=True))
    scenario = next(s for s in manifest["scenarios"] if s["id"] == row["scenario"])
    chunk = next(c for c in manifest["chunks"] if c["first_run"] <= run_id < c["stop_run"])
    return row, scenario, chunk


def _replay(out_dir: str | Path, run_id: int, record: bool) -> tuple[Recorded, dict[str, Any], dict[str, Any]]:
    from sim.lang.scenario import load_scenario

    manifest = read_manifest(out_dir)
    row, entry, chunk = _locate_run(manifest, run_id)
    try:
        scenario = load_scenario(Path(entry["path"]))
    except TrilatError as exc:
        raise SweepError(f"cannot load scenario '{entry['id']}' from {entry['path']}: {exc}") from None
    if scenario.content_hash != entry["content_hash"]:
        raise SweepError(
            f"scenario '{entry['id']}' ({entry['path']}) changed since the sweep "
            f"(hash {scenario.content_hash[:12]}, recorded {entry['content_hash'][:12]}); cannot reproduce exactly"
        )
    parameters: dict[str, Any] = dict(manifest["fixed"])
    for name in manifest["parameters"]:
        parameters[name] = np.array([float(row[name])])
    wanted = set(entry["recorded_turns"] or ())
    recorded = simulate(
        scenario,
        seed=manifest["seed"],
        replication_ids=np.array([run_id], dtype=np.int64),
        turns=entry["turns"],
        parameters=parameters,
        indicators=manifest["indicators"],
        record_turns=wanted,
        statistics=manifest["statistics"],
        record=record,
    )
    return recorded, row, chunk


def reproduce(out_dir: str | Path, run_id: int, *, record: bool = True) -> TrilateralModel:
    """Rebuild the model of one stored run and run it to the end.

    The model has the run's scenario, design-point parameters, seed and replication index, so
    its indicators equal the stored row exactly; with ``record=True`` it also keeps the
    narrative (cause-and-effect record) for the story view or the game's replay.

    Args:
        out_dir: the sweep folder.
        run_id: the run's ``replication`` value in the results.
        record: keep the cause-and-effect record.

    Raises:
        SweepError: for an unknown run id, or a scenario that changed since the sweep.
    """
    recorded, _, _ = _replay(out_dir, run_id, record)
    return recorded.model


def stored_run(out_dir: str | Path, run_id: int) -> Any:
    """The stored result rows of one run (one row, or one per recorded turn), as a DataFrame."""
    import pyarrow.parquet as pq

    manifest = read_manifest(out_dir)
    _, _, chunk = _locate_run(manifest, run_id)
    if chunk["status"] != "done" and not part_is_valid(out_dir, chunk):
        raise SweepError(f"run {run_id} is in chunk {chunk['id']}, which is {chunk['status']}: no stored row")
    table = pq.read_table(part_path(out_dir, PARTS, chunk["id"]), filters=[("replication", "==", int(run_id))])
    return table.to_pandas()


@dataclass
class RunCheck:
    """A reproduced run compared with its stored rows."""

    run_id: int
    model: TrilateralModel
    stored: Any
    mismatches: list[str]

    @property
    def exact(self) -> bool:
        """True when every stored value was reproduced bit for bit."""
        return not self.mismatches


def verify_run(out_dir: str | Path, run_id: int, *, record: bool = True) -> RunCheck:
    """Reproduce a run and compare every stored value with the reproduction (exact equality)."""
    stored = stored_run(out_dir, run_id)
    recorded, row, _ = _replay(out_dir, run_id, record)
    manifest = read_manifest(out_dir)
    mismatches: list[str] = []
    indicators = manifest["indicators"]
    for i, name in enumerate(indicators):
        for position in range(len(stored)):
            if "turn" in stored.columns:
                turn = int(stored["turn"].iloc[position])
                value, where = float(recorded.turns[turn][i, 0]), f" at turn {turn}"
            else:
                value, where = float(recorded.final[i, 0]), ""
            kept = float(stored[name].iloc[position])
            if not (value == kept or (math.isnan(value) and math.isnan(kept))):
                mismatches.append(f"{name}{where}: stored {kept!r}, reproduced {value!r}")
        for stat in manifest["statistics"]:
            value, kept = float(recorded.statistics[stat][i, 0]), float(stored[f"{name}:{stat}"].iloc[0])
            if value != kept:
                mismatches.append(f"{name}:{stat}: stored {kept!r}, reproduced {value!r}")
    for name in manifest["parameters"]:
        if float(stored[name].iloc[0]) != float(row[name]):
            mismatches.append(f"parameter {name}: stored {stored[name].iloc[0]!r}, design {row[name]!r}")
    return RunCheck(run_id=int(run_id), model=recorded.model, stored=stored, mismatches=mismatches)


# ---------------------------------------------------------------------------------------------
# benchmark


_BENCH_EXPERIMENT = """\
id: bench-sweep
scenarios: [{scenario}]
parameters:
  us_transactionalism: {{range: [0, 1]}}
  rok_polarization: {{range: [0, 1]}}
sampler: lhs
samples: {samples}
replications: {replications}
seed: 1
"""


def bench_sweep(
    runs: int = 1_000_000,
    workers: Iterable[int] = (1, 2),
    *,
    scenario: str = "baseline",
    chunk_runs: int = DEFAULT_CHUNK_RUNS,
    progress: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Time a sweep of ``runs`` runs (final indicators) with each worker count.

    The design is a Latin hypercube over U.S. transactionalism and Korean polarization with
    1,000 replications per point, so every chunk carries several points as per-replication
    parameter arrays. Times are wall-clock and include loading the experiment, starting the
    worker processes and writing the Parquet parts. ``busy_efficiency`` compares the time the
    chunks themselves took (the sum over chunks), so it shows contention between workers
    without the fixed start-up cost.

    Args:
        runs: runs per sweep (rounded down to whole design points of 1,000 replications).
        workers: worker counts to measure; efficiency is relative to the first.
        scenario: the scenario to sweep.
        chunk_runs: runs per chunk.
        progress: show each sweep's progress bar.
        on_result: called with each worker count's figures as soon as they are measured.

    Returns:
        ``{"scenario", "runs", "turns", "results": [{"workers", "seconds", "runs_per_s",
        "speedup", "efficiency", "chunk_seconds", "busy_efficiency"}], "identical", "goals"}``.
    """
    import pyarrow.dataset as ds

    from sim.lang.scenario import load_scenario

    replications = min(1000, max(1, runs))
    samples = max(1, runs // replications)
    counts = list(workers)
    results: list[dict[str, Any]] = []
    digests = []
    with tempfile.TemporaryDirectory(prefix="trilat-bench-") as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(
            _BENCH_EXPERIMENT.format(scenario=scenario, samples=samples, replications=replications), encoding="utf-8"
        )
        for count in counts:
            out = Path(tmp) / f"out-{count}"
            summary = run_sweep(path, out, workers=count, progress=progress, chunk_runs=chunk_runs)
            rate = summary.new_runs / summary.seconds
            busy = sum(c["seconds"] or 0.0 for c in read_manifest(out)["chunks"])
            base = results[0]["runs_per_s"] if results else rate
            base_busy = results[0]["chunk_seconds"] if results else busy
            base_workers = counts[0]
            figures = {
                "workers": count,
                "seconds": round(summary.seconds, 2),
                "runs_per_s": round(rate, 1),
                "speedup": round(rate / base, 2),
                "efficiency": round(rate / base * base_workers / count, 2),
                "chunk_seconds": round(busy, 2),
                "busy_efficiency": round(base_busy / busy, 2),
            }
            results.append(figures)
            if on_result is not None:
                on_result(figures)
            table = ds.dataset(out / PARTS, format="parquet").to_table(columns=["replication", "trilateral"])
            order = np.argsort(table["replication"].to_numpy())
            digests.append(table["trilateral"].to_numpy()[order].tobytes())
            del table
    return {
        "scenario": scenario,
        "runs": samples * replications,
        "turns": load_scenario(scenario).turns,
        "chunk_runs": chunk_runs,
        "results": results,
        "identical": all(d == digests[0] for d in digests),
        "goals": {"million_runs_s": 60, "speedup_2_workers": 1.8},
    }


def print_bench_sweep(results: Mapping[str, Any]) -> None:
    """Print :func:`bench_sweep`'s figures with the goals beside them."""
    print(
        f"trilat bench --sweep - {results['runs']:,} runs of {results['scenario']} "
        f"({results['turns']} turns, final indicators, {results['chunk_runs']:,} runs per chunk)"
    )
    for row in results["results"]:
        print(
            f"  {row['workers']} worker(s): {row['seconds']:>8.2f} s  {row['runs_per_s']:>10,.0f} runs/s"
            f"  speed-up {row['speedup']:.2f}x  efficiency {row['efficiency']:.0%}"
            f"  (chunks alone: {row['busy_efficiency']:.0%})"
        )
    best = max(r["runs_per_s"] for r in results["results"])
    million = 1_000_000 / best
    goals = results["goals"]
    print(
        f"  1,000,000 runs at the best rate:  {million:.1f} s"
        f"   ({'ok' if million <= goals['million_runs_s'] else 'BELOW GOAL'}; goal < {goals['million_runs_s']} s)"
    )
    two = next((r for r in results["results"] if r["workers"] == 2), None)
    if two is not None:
        verdict = "ok" if two["speedup"] >= goals["speedup_2_workers"] else "BELOW GOAL"
        print(f"  2 workers vs 1: {two['speedup']:.2f}x ({verdict}; goal >= {goals['speedup_2_workers']}x)")
    print(f"  results identical across worker counts: {'yes' if results['identical'] else 'NO'}")
