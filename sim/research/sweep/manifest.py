"""A sweep folder's ``manifest.json`` as typed records: the design, the chunks and their status.

The manifest on disk is plain JSON (its keys are documented in ``docs/experiments.md``);
:class:`Manifest` reads and writes exactly those keys and values, so folders written before
these records existed still resume. :func:`read_manifest` returns the stored JSON itself, for
scripts; the sweep code works on :func:`load_manifest`'s typed records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.atomic import atomic_write
from sim.research.sweep.layout import FORMAT, MANIFEST, SweepError, part_is_complete

RUN_ID_RULE = "replication = point_id * replications + k, k = 0 .. replications - 1"


def now() -> str:
    """The current UTC time as the manifest writes it (ISO 8601, whole seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class ChunkStatus(StrEnum):
    """Where a chunk stands (its ``status`` in the manifest)."""

    PENDING = "pending"
    RUNNING = "running"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"


class SweepStatus(StrEnum):
    """Where the whole sweep stands (the manifest's ``status``)."""

    RUNNING = "running"
    INTERRUPTED = "interrupted"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


@dataclass
class ChunkRecord:
    """One chunk of the plan: its design points and runs, and how running it went."""

    id: int
    scenario: str
    first_point: int
    stop_point: int
    first_run: int
    stop_run: int
    runs: int
    rows: int
    status: ChunkStatus = ChunkStatus.PENDING
    attempts: int = 0
    error: str | None = None
    seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The chunk as the manifest stores it."""
        return {
            "id": self.id,
            "scenario": self.scenario,
            "first_point": self.first_point,
            "stop_point": self.stop_point,
            "first_run": self.first_run,
            "stop_run": self.stop_run,
            "runs": self.runs,
            "rows": self.rows,
            "status": self.status.value,
            "attempts": self.attempts,
            "error": self.error,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChunkRecord:
        """A chunk read from the manifest."""
        return cls(
            id=int(data["id"]),
            scenario=str(data["scenario"]),
            first_point=int(data["first_point"]),
            stop_point=int(data["stop_point"]),
            first_run=int(data["first_run"]),
            stop_run=int(data["stop_run"]),
            runs=int(data["runs"]),
            rows=int(data["rows"]),
            status=ChunkStatus(data["status"]),
            attempts=int(data["attempts"]),
            error=data["error"],
            seconds=data["seconds"],
        )


def part_is_valid(out_dir: str | Path, chunk: ChunkRecord, keep_trajectories: bool = False) -> bool:
    """True if the chunk's part files exist, are readable Parquet, and have the expected rows."""
    return part_is_complete(out_dir, chunk.id, chunk.rows, keep_trajectories)


@dataclass(frozen=True)
class ScenarioRecord:
    """A scenario of the sweep: where it was loaded from, its content hash, what was recorded."""

    id: str
    path: str
    content_hash: str
    turns: int
    recorded_turns: list[int] | None

    def to_json(self) -> dict[str, Any]:
        """The scenario entry as the manifest stores it."""
        return {
            "id": self.id,
            "path": self.path,
            "content_hash": self.content_hash,
            "turns": self.turns,
            "recorded_turns": self.recorded_turns,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScenarioRecord:
        """A scenario entry read from the manifest."""
        turns = data["recorded_turns"]
        return cls(
            id=data["id"],
            path=data["path"],
            content_hash=data["content_hash"],
            turns=int(data["turns"]),
            recorded_turns=[int(t) for t in turns] if turns is not None else None,
        )


@dataclass(frozen=True)
class ExperimentRecord:
    """The experiment file a sweep ran: id, title, path, hashes, and the validated spec."""

    id: str
    title: str
    path: str
    file_sha256: str
    content_hash: str
    spec: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The experiment entry as the manifest stores it."""
        return {
            "id": self.id,
            "title": self.title,
            "path": self.path,
            "file_sha256": self.file_sha256,
            "content_hash": self.content_hash,
            "spec": self.spec,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExperimentRecord:
        """The experiment entry read from the manifest."""
        return cls(
            id=data["id"],
            title=data["title"],
            path=data["path"],
            file_sha256=data["file_sha256"],
            content_hash=data["content_hash"],
            spec=data["spec"],
        )


@dataclass
class SessionRecord:
    """One invocation of the sweep command on the folder (a sweep resumed twice has three)."""

    started: str
    backend: str
    workers: int
    runs: int = 0
    finished: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The session as the manifest stores it."""
        return {
            "started": self.started,
            "backend": self.backend,
            "workers": self.workers,
            "runs": self.runs,
            "finished": self.finished,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionRecord:
        """A session read from the manifest."""
        return cls(data["started"], data["backend"], data["workers"], data["runs"], data["finished"])


@dataclass(frozen=True)
class DesignTable:
    """The design: one row per design point (``point_id``, ``scenario``, ``sample``, parameters)."""

    columns: list[str]
    data: list[list[Any]]

    def row(self, point_id: int) -> dict[str, Any]:
        """Design point ``point_id`` as ``{column: value}``."""
        return dict(zip(self.columns, self.data[point_id], strict=True))

    def to_json(self) -> dict[str, Any]:
        """The design as the manifest stores it."""
        return {"columns": self.columns, "data": self.data}

    @classmethod
    def from_frame(cls, design: pd.DataFrame) -> DesignTable:
        """The design built by ``design_table``, as plain values."""
        return cls(list(design.columns), design.to_numpy(dtype=object).tolist())


@dataclass
class Manifest:
    """Everything ``manifest.json`` holds: provenance, the design, the chunks, the sessions."""

    trilat_version: str
    created: str
    updated: str
    status: SweepStatus
    experiment: ExperimentRecord
    scenarios: list[ScenarioRecord]
    seed: int
    sampler: str
    replications: int
    parameters: list[str]
    fixed: dict[str, Any]
    indicators: list[str]
    statistics: list[str]
    keep_trajectories: bool
    columns: list[str]
    total_runs: int
    chunk_runs: int
    design: DesignTable
    chunks: list[ChunkRecord]
    sessions: list[SessionRecord] = field(default_factory=list)

    @property
    def done_runs(self) -> int:
        """Runs in chunks that are done."""
        return sum(c.runs for c in self.chunks if c.status is ChunkStatus.DONE)

    @property
    def failed_runs(self) -> int:
        """Runs in chunks that failed."""
        return sum(c.runs for c in self.chunks if c.status is ChunkStatus.FAILED)

    def scenario(self, scenario_id: str) -> ScenarioRecord:
        """The entry of scenario ``scenario_id``."""
        return next(s for s in self.scenarios if s.id == scenario_id)

    def to_json(self) -> dict[str, Any]:
        """The manifest as stored on disk (same keys, in the same order, as ever)."""
        return {
            "format": FORMAT,
            "trilat_version": self.trilat_version,
            "created": self.created,
            "updated": self.updated,
            "status": self.status.value,
            "experiment": self.experiment.to_json(),
            "scenarios": [s.to_json() for s in self.scenarios],
            "seed": self.seed,
            "sampler": self.sampler,
            "replications": self.replications,
            "parameters": self.parameters,
            "fixed": self.fixed,
            "indicators": self.indicators,
            "statistics": self.statistics,
            "keep_trajectories": self.keep_trajectories,
            "columns": self.columns,
            "run_id": RUN_ID_RULE,
            "runs": {"total": self.total_runs, "done": self.done_runs, "failed": self.failed_runs},
            "chunk_runs": self.chunk_runs,
            "design": self.design.to_json(),
            "chunks": [c.to_json() for c in self.chunks],
            "sessions": [s.to_json() for s in self.sessions],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """The records of a manifest read from disk (``runs.done`` and ``runs.failed`` follow the chunks)."""
        return cls(
            trilat_version=data["trilat_version"],
            created=data["created"],
            updated=data["updated"],
            status=SweepStatus(data["status"]),
            experiment=ExperimentRecord.from_json(data["experiment"]),
            scenarios=[ScenarioRecord.from_json(s) for s in data["scenarios"]],
            seed=int(data["seed"]),
            sampler=data["sampler"],
            replications=int(data["replications"]),
            parameters=list(data["parameters"]),
            fixed=dict(data["fixed"]),
            indicators=list(data["indicators"]),
            statistics=list(data["statistics"]),
            keep_trajectories=bool(data["keep_trajectories"]),
            columns=list(data["columns"]),
            total_runs=int(data["runs"]["total"]),
            chunk_runs=int(data["chunk_runs"]),
            design=DesignTable(list(data["design"]["columns"]), data["design"]["data"]),
            chunks=[ChunkRecord.from_json(c) for c in data["chunks"]],
            sessions=[SessionRecord.from_json(s) for s in data.get("sessions", [])],
        )

    def write(self, out_dir: str | Path) -> None:
        """Write ``manifest.json`` atomically (a crash leaves the previous one)."""
        data = self.to_json()
        atomic_write(Path(out_dir) / MANIFEST, lambda handle: json.dump(data, handle, indent=1))


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """A sweep folder's ``manifest.json``, as the plain JSON it stores.

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


def load_manifest(out_dir: str | Path) -> Manifest:
    """A sweep folder's manifest as typed records.

    Raises:
        SweepError: when the folder has no readable manifest, or a damaged one.
    """
    data = read_manifest(out_dir)
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise SweepError(f"{Path(out_dir) / MANIFEST}: damaged manifest ({type(exc).__name__}: {exc})") from None


def design_frame(manifest: Manifest) -> pd.DataFrame:
    """The design table stored in a manifest, as a pandas DataFrame."""
    frame = pd.DataFrame(manifest.design.data, columns=manifest.design.columns)
    for name in ("point_id", "sample"):
        frame[name] = frame[name].astype(np.int64)
    for name in manifest.parameters:
        frame[name] = frame[name].astype(np.float64)
    return frame
