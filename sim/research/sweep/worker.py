"""Running one chunk of a sweep: a worker's task, its result, and the per-process chunk runner.

A chunk is a block of design points of one scenario (or a block of one point's replications),
run as one ensemble model that carries every point's parameters as per-replication arrays.
:class:`ChunkRunner` runs chunks in one process: it keeps each compiled scenario (checked
against the hash the sweep recorded) and paces the garbage collector. The in-process back end
owns a runner; pool and Dask workers call :func:`run_chunk`, which uses their process's runner.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa

from sim import __version__
from sim.engine.memory import retain_freed_memory
from sim.lang.scenario import Scenario, load_scenario
from sim.research.outcomes import PREFIX, RunOutcome
from sim.research.sweep.layout import PARTS, TRAJECTORIES, SweepError, write_tables
from sim.research.sweep.simulate import Recorded, simulate

GC_EVERY = 8
"""Chunks between full garbage collections while this process's objects are not frozen (a model
and its agents form reference cycles, so only the cycle collector frees them; a full collection
then walks every object of the process, about 80 ms in a sweep worker, measured)."""


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
    """Where the worker writes the parts; None: it sends the tables back instead."""
    code: str = ""
    """The sweep's model code fingerprint, stamped into each part's metadata (``trilat.code``)."""
    policy: str | None = None
    """The design points' policy (None: the experiment has no levers, no ``policy`` column)."""
    policy_parameters: tuple[tuple[str, float], ...] = ()
    strategies: tuple[tuple[str, str], ...] = ()
    bans: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The policy's card bans: government -> cards it never plays."""
    script: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    """The policy's scripted moves: government -> quarter label -> cards."""
    common_random_numbers: bool = False
    """Run ``k`` of every point draws the random numbers of replication index ``k`` (else its run id)."""
    outcomes: tuple[RunOutcome, ...] = ()
    engine: str = "auto"
    """The model engine the chunk runs on (``auto``, ``numpy`` or ``compiled``; bit-identical results)."""

    def run_ids(self) -> np.ndarray:
        """The chunk's global run ids, point by point: its points times its replication indices.

        ``first_run = first_point * replications + first`` and ``stop_run = (stop_point - 1) *
        replications + stop`` give the replication indices ``[first, stop)`` (a chunk of whole
        points, or of a block of one point's replications, is a contiguous range of run ids).
        """
        reps = self.replications
        first, stop = self.first_run - self.first_point * reps, self.stop_run - (self.stop_point - 1) * reps
        points = np.arange(self.first_point, self.stop_point, dtype=np.int64)
        return (points[:, None] * reps + np.arange(first, stop, dtype=np.int64)[None, :]).ravel()

    def model_replication_ids(self, ids: np.ndarray) -> np.ndarray:
        """The counter-based RNG's replication indices of global run ids ``ids``."""
        return ids % self.replications if self.common_random_numbers else ids


@dataclass
class ChunkResult:
    """What a worker reports for a finished chunk."""

    chunk: int
    runs: int
    rows: int
    seconds: float
    version: str
    """The worker's trilat version (a sweep refuses results of another version)."""
    tables: dict[str, pa.Table] | None = None
    """The chunk's tables, when the worker did not write them (``task.out_dir`` is None)."""


class ChunkWork(Protocol):
    """A function that runs a chunk in a worker (pickled by reference to pool and Dask workers)."""

    def __call__(self, task: ChunkTask, scenario: Scenario | None = None, /) -> ChunkResult:
        """Run ``task``, with the compiled scenario when the caller ships it."""
        ...


def numpy_column(values: np.ndarray) -> pa.Array:
    """An Arrow column viewing a numeric numpy vector's memory (no copy), as ``pa.array(values)`` gives.

    ``pa.array`` imports pandas on its first call (to check for pandas types), about 0.3 s in every
    worker's first chunk; a sweep's worker builds its columns this way and never imports pandas.
    NaN stays a value (not a null), as with ``pa.array``; numbers in a non-native byte order are
    swapped first. Other dtypes (bool, objects) go through ``pa.array``.
    """
    values = np.asarray(values)
    if values.ndim != 1 or values.dtype.kind not in "iuf":
        return pa.array(values)
    values = np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("="))  # a copy only if strided or swapped
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def repeated_string(value: str, count: int) -> pa.Array:
    """A string column holding ``value`` ``count`` times (``pa.array([value] * count)``, without pandas)."""
    data = value.encode()
    offsets = np.arange(count + 1, dtype=np.int32) * len(data)
    return pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data * count)])


def _trajectory_table(task: ChunkTask, recorded: Recorded, ids: np.ndarray, points: np.ndarray) -> pa.Table:
    """Every turn of every run: point, run, turn, then one column per indicator."""
    runs = len(ids)
    steps = sorted(recorded.turns)
    cube = np.stack([recorded.turns[t] for t in steps])  # (turns, indicators, runs)
    flat = cube.transpose(2, 0, 1).reshape(runs * len(steps), len(task.indicators))
    columns = {
        "point_id": numpy_column(np.repeat(points, len(steps))),
        "replication": numpy_column(np.repeat(ids, len(steps))),
        "turn": numpy_column(np.tile(np.asarray(steps, dtype=np.int32), runs)),
    }
    columns.update({name: numpy_column(np.ascontiguousarray(flat[:, j])) for j, name in enumerate(task.indicators)})
    return pa.table(columns)


def _results_table(task: ChunkTask, recorded: Recorded, ids: np.ndarray, local: np.ndarray) -> pa.Table:
    """The results part: one row per run (or per run and recorded turn), in ``result_columns`` order."""
    runs = len(ids)
    points = local + task.first_point
    steps = list(task.record_turns) if task.record_turns is not None else None
    repeat = len(steps) if steps is not None else 1
    columns = {
        "point_id": numpy_column(np.repeat(points, repeat)),
        "scenario": repeated_string(task.scenario_id, runs * repeat),
    }
    if task.policy is not None:
        columns["policy"] = repeated_string(task.policy, runs * repeat)
    for j, name in enumerate(task.parameter_names):
        columns[name] = numpy_column(np.repeat(task.parameter_values[local, j], repeat))
    columns["replication"] = numpy_column(np.repeat(ids, repeat))
    columns["seed"] = numpy_column(np.full(runs * repeat, task.seed, dtype=np.int64))
    if steps is not None:
        columns["turn"] = numpy_column(np.tile(np.asarray(steps, dtype=np.int32), runs))
        cube = np.stack([recorded.turns[t] for t in steps])
        flat = cube.transpose(2, 0, 1).reshape(runs * len(steps), len(task.indicators))
        for j, name in enumerate(task.indicators):
            columns[name] = numpy_column(np.ascontiguousarray(flat[:, j]))
    else:
        for j, name in enumerate(task.indicators):
            columns[name] = numpy_column(recorded.final[j])
    for stat in task.statistics:
        values = recorded.statistics[stat]
        for j, name in enumerate(task.indicators):
            columns[f"{name}:{stat}"] = numpy_column(np.repeat(values[j], repeat))
    for j, outcome in enumerate(task.outcomes):
        assert recorded.outcomes is not None
        columns[PREFIX + outcome.name] = numpy_column(np.repeat(recorded.outcomes[j], repeat))
    return pa.table(columns)


def chunk_tables(task: ChunkTask, recorded: Recorded, ids: np.ndarray, local: np.ndarray) -> dict[str, pa.Table]:
    """The tables of a finished chunk: ``parts``, and ``trajectories`` when the sweep keeps them.

    Each carries the chunk id and the code fingerprint in its metadata (see :func:`part_stamp`).
    """
    tables: dict[str, pa.Table] = {}
    if task.keep_trajectories:
        tables[TRAJECTORIES] = _trajectory_table(task, recorded, ids, local + task.first_point)
    tables[PARTS] = _results_table(task, recorded, ids, local)
    stamp = part_stamp(task.chunk_id, task.code)
    return {kind: table.replace_schema_metadata(stamp) for kind, table in tables.items()}


def part_stamp(chunk_id: int, code: str) -> dict[bytes, bytes]:
    """The key-value metadata of a chunk's parts: which chunk, written by which model code."""
    return {b"trilat.chunk": str(chunk_id).encode(), b"trilat.code": code.encode()}


class ChunkRunner:
    """Runs chunks in one process, keeping compiled scenarios and pacing the garbage collector.

    After its first chunk the runner freezes the objects the process has then (``gc.freeze``:
    modules, compiled scenarios, kernels; they live as long as the process). The collector then
    walks only what later chunks create, so a full collection after every chunk costs well under
    a millisecond instead of about 80 ms (measured), and each chunk's model is freed as soon as
    it is done. :meth:`close` unfreezes every frozen object (CPython freezes a few hundred of its
    own at start-up; they are then collected like any other), for a process that goes on after
    its sweep. Pool and Dask workers never close theirs: they end with the sweep.
    """

    def __init__(self, gc_every: int = GC_EVERY, freeze: bool = True) -> None:
        self._scenarios: dict[tuple[str, str], Scenario] = {}
        self._gc_every = gc_every
        self._chunks_since_gc = 0
        self._freeze = freeze
        self._frozen = False

    def add_scenario(self, scenario: Scenario) -> None:
        """Keep an already compiled scenario, so that chunks need not load it again."""
        self._scenarios.setdefault((str(scenario.path.resolve()), scenario.content_hash), scenario)

    def scenario(self, path: str, content_hash: str, given: Scenario | None = None) -> Scenario:
        """The compiled scenario, loaded once and checked against its recorded hash.

        Raises:
            SweepError: when the scenario changed since the sweep started.
        """
        key = (path, content_hash)
        if key not in self._scenarios:
            scenario = given if given is not None else load_scenario(Path(path))
            if scenario.content_hash != content_hash:
                raise SweepError(
                    f"scenario file {path} changed since the sweep started (content hash "
                    f"{scenario.content_hash[:12]}, recorded {content_hash[:12]}); use a new output folder"
                )
            self._scenarios[key] = scenario
        return self._scenarios[key]

    def run(self, task: ChunkTask, scenario: Scenario | None = None, /) -> ChunkResult:
        """Run one chunk; write its parts (or return them, when ``task.out_dir`` is None).

        Args:
            task: the chunk.
            scenario: the compiled scenario, when the caller ships it (remote Dask workers).
        """
        start = time.perf_counter()
        retain_freed_memory()  # a sweep's process runs chunk after chunk: reuse their memory
        compiled = self.scenario(task.scenario_path, task.scenario_hash, scenario)
        ids = task.run_ids()
        local = ids // task.replications - task.first_point
        parameters: dict[str, float | np.ndarray] = dict(task.fixed)
        parameters.update(task.policy_parameters)
        for j, name in enumerate(task.parameter_names):
            parameters[name] = np.ascontiguousarray(task.parameter_values[local, j])
        wanted = set(task.record_turns or ())
        if task.keep_trajectories:
            wanted |= set(range(task.turns + 1))
        recorded = simulate(
            compiled,
            seed=task.seed,
            replication_ids=task.model_replication_ids(ids),
            turns=task.turns,
            parameters=parameters,
            indicators=task.indicators,
            record_turns=wanted,
            statistics=task.statistics,
            strategies=dict(task.strategies),
            bans=task.bans,
            script=task.script,
            outcomes=task.outcomes,
            engine=task.engine,
        )
        tables = chunk_tables(task, recorded, ids, local)
        recorded.model.history.clear()
        del recorded
        self._collect()
        result = ChunkResult(chunk=task.chunk_id, runs=len(ids), rows=0, seconds=0.0, version=__version__)
        if task.out_dir is not None:
            result.rows = write_tables(task.out_dir, task.chunk_id, tables)
        else:
            result.rows = int(tables[PARTS].num_rows)
            result.tables = tables
        result.seconds = time.perf_counter() - start
        return result

    def _collect(self) -> None:
        """Free the finished chunk's model (reference cycles): after every chunk once frozen, else now and then."""
        if self._frozen:
            gc.collect()
            return
        self._chunks_since_gc += 1
        if self._freeze:
            gc.collect()
            gc.freeze()  # what is alive now lives as long as the process (see the class docstring)
            self._frozen = True
        elif self._chunks_since_gc >= self._gc_every:
            self._chunks_since_gc = 0
            gc.collect()

    @property
    def frozen(self) -> bool:
        """Whether this runner froze the process's objects (and so collects after every chunk)."""
        return self._frozen

    def close(self) -> None:
        """Unfreeze the frozen objects, if this runner froze them (see the class docstring)."""
        if self._frozen:
            gc.unfreeze()
            self._frozen = False


_PROCESS_RUNNER = ChunkRunner()
"""The chunk runner of this worker process: the sweep package's one piece of per-process state.

Pool and Dask workers can only be handed module-level functions and picklable tasks, so the
compiled scenarios and the garbage-collection pace a worker keeps between chunks live here, in
one object per process (each worker process has its own). The in-process back end does not use
it: it owns a :class:`ChunkRunner`.
"""


def run_chunk(task: ChunkTask, scenario: Scenario | None = None, /) -> ChunkResult:
    """Run one chunk with this process's chunk runner (the function pool and Dask workers call)."""
    return _PROCESS_RUNNER.run(task, scenario)
