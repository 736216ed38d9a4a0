"""A sweep folder's manifest as typed records: provenance, the design, the chunks and their status.

On disk, ``manifest.json`` is small plain JSON (its keys are documented in
``docs/experiments.md``); the design and the chunk table, which grow with the sweep, live beside
it in ``design.parquet`` and ``chunks.parquet``. :class:`Manifest` reads both this layout and the
older one that kept everything in the JSON (format ``trilat-sweep/1``), so old folders still
resume. :func:`read_manifest` returns the JSON with both tables read in, for scripts; the sweep
code works on :func:`load_manifest`'s typed records.
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
import pyarrow as pa
from pydantic import ValidationError

from sim.atomic import atomic_write
from sim.research.experiment_spec import ExperimentSpec
from sim.research.sweep.layout import (
    CHUNKS,
    DESIGN,
    FORMAT,
    MANIFEST,
    part_is_complete,
    write_parquet_atomic,
)
from sim.research.sweep.manifest_schema import (
    check_chunk_rows,
    check_design,
    check_manifest,
    damaged,
    read_manifest_json,
    read_table_file,
)
from sim.research.sweep.staging import settle

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
    segment: int | None = None
    """The code segment (index into the manifest's ``segments``) whose run stored the chunk."""

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
            "segment": self.segment,
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
            seconds=None if _missing(data["seconds"]) else float(data["seconds"]),
            segment=None if _missing(data.get("segment")) else int(data["segment"]),
        )


def _missing(value: Any) -> bool:
    """None, or NaN (a table edited with pandas turns missing numbers into NaN)."""
    return value is None or value != value


CHUNK_SCHEMA = pa.schema(
    [("id", pa.int64()), ("scenario", pa.string())]
    + [(name, pa.int64()) for name in ("first_point", "stop_point", "first_run", "stop_run", "runs", "rows")]
    + [("status", pa.string()), ("attempts", pa.int64()), ("error", pa.string())]
    + [("seconds", pa.float64()), ("segment", pa.int64())]
)
"""The columns of ``chunks.parquet``: the keys of :meth:`ChunkRecord.to_json`."""


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
    files: list[dict[str, Any]] = field(default_factory=list)
    """The file and its ``extends:`` chain, root first: ``{path, library, sha256, text}`` each."""

    def to_json(self) -> dict[str, Any]:
        """The scenario entry as the manifest stores it."""
        return {
            "id": self.id,
            "path": self.path,
            "content_hash": self.content_hash,
            "turns": self.turns,
            "recorded_turns": self.recorded_turns,
            "files": self.files,
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
            files=list(data.get("files", [])),
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


@dataclass
class SegmentRecord:
    """A stretch of a sweep run by one model code (a new one starts only with ``--allow-code-change``)."""

    fingerprint: str
    started: str
    first_session: int
    """Index of the first session of the segment in the manifest's ``sessions``."""
    reason: str = "new sweep"

    def to_json(self) -> dict[str, Any]:
        """The segment as the manifest stores it."""
        return {
            "fingerprint": self.fingerprint,
            "started": self.started,
            "first_session": self.first_session,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SegmentRecord:
        """A segment read from the manifest."""
        return cls(data["fingerprint"], data["started"], int(data["first_session"]), data["reason"])


@dataclass(frozen=True)
class DesignTable:
    """The design: one row per design point (``point_id``, ``scenario``, ``sample``, parameters)."""

    frame: pd.DataFrame

    @property
    def columns(self) -> list[str]:
        """The design's column names, in order."""
        return [str(c) for c in self.frame.columns]

    def row(self, point_id: int) -> dict[str, Any]:
        """Design point ``point_id`` as ``{column: value}`` (plain Python values)."""
        values = self.frame.iloc[int(point_id)]
        return {str(name): (value.item() if isinstance(value, np.generic) else value) for name, value in values.items()}

    def to_json(self) -> dict[str, Any]:
        """The design's entry in ``manifest.json`` (the rows are in ``design.parquet``)."""
        return {"file": DESIGN, "columns": self.columns, "points": len(self.frame)}

    @classmethod
    def from_frame(cls, design: pd.DataFrame) -> DesignTable:
        """The design built by ``design_table``."""
        return cls(design.reset_index(drop=True))

    @classmethod
    def from_rows(cls, columns: list[str], data: list[list[Any]], parameters: list[str]) -> DesignTable:
        """A design stored as JSON rows (format ``trilat-sweep/1``)."""
        frame = pd.DataFrame(data, columns=columns)
        for name in ("point_id", "sample"):
            if name in frame.columns:
                frame[name] = frame[name].astype(np.int64)
        for name in parameters:
            frame[name] = frame[name].astype(np.float64)
        return cls(frame)


@dataclass
class Manifest:
    """Everything a sweep folder records: provenance, the design, the chunks, the sessions."""

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
    code: dict[str, Any] = field(default_factory=dict)
    """The model code fingerprint and the sources it covers (``fingerprint``, ``sources``)."""
    versions: dict[str, str] = field(default_factory=dict)
    """Python's and the libraries' versions when the sweep was created."""
    segments: list[SegmentRecord] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)  # each --extend: when, from, to, rule
    design_stored: bool = field(default=False, compare=False, repr=False)
    """True once ``design.parquet`` holds this design (it is written once)."""

    @property
    def done_runs(self) -> int:
        """Runs in chunks that are done."""
        return sum(c.runs for c in self.chunks if c.status is ChunkStatus.DONE)

    @property
    def failed_runs(self) -> int:
        """Runs in chunks that failed."""
        return sum(c.runs for c in self.chunks if c.status is ChunkStatus.FAILED)

    @property
    def fingerprint(self) -> str | None:
        """The code fingerprint of the current segment (None for a folder that recorded none)."""
        if self.segments:
            return self.segments[-1].fingerprint
        return self.code.get("fingerprint")

    def scenario(self, scenario_id: str) -> ScenarioRecord:
        """The entry of scenario ``scenario_id``."""
        return next(s for s in self.scenarios if s.id == scenario_id)

    def to_json(self) -> dict[str, Any]:
        """``manifest.json`` as stored (the design and chunk rows are in their Parquet files)."""
        counts = {status.value: 0 for status in ChunkStatus}
        for chunk in self.chunks:
            counts[chunk.status.value] += 1
        return {
            "format": FORMAT,
            "trilat_version": self.trilat_version,
            "created": self.created,
            "updated": self.updated,
            "status": self.status.value,
            "code": self.code,
            "versions": self.versions,
            "segments": [s.to_json() for s in self.segments],
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
            "chunks": {"file": CHUNKS, "count": len(self.chunks), "status": counts},
            "sessions": [s.to_json() for s in self.sessions],
            "extensions": self.extensions,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], out_dir: str | Path | None = None) -> Manifest:
        """The records of a manifest (``out_dir``: where to read the Parquet tables it points to).

        Accepts the JSON with the tables inline too (format ``trilat-sweep/1``, or the
        :func:`read_manifest` view); ``runs.done`` and ``runs.failed`` follow the chunks.
        """
        parameters = list(data["parameters"])
        design_entry, chunk_entry = data["design"], data["chunks"]
        if "data" in design_entry:
            design = DesignTable.from_rows(list(design_entry["columns"]), design_entry["data"], parameters)
        else:
            design = DesignTable(read_table_file(out_dir, design_entry["file"]).to_pandas())
        rows = (
            chunk_entry if isinstance(chunk_entry, list) else read_table_file(out_dir, chunk_entry["file"]).to_pylist()
        )
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
            parameters=parameters,
            fixed=dict(data["fixed"]),
            indicators=list(data["indicators"]),
            statistics=list(data["statistics"]),
            keep_trajectories=bool(data["keep_trajectories"]),
            columns=list(data["columns"]),
            total_runs=int(data["runs"]["total"]),
            chunk_runs=int(data["chunk_runs"]),
            design=design,
            chunks=[ChunkRecord.from_json(c) for c in rows],
            sessions=[SessionRecord.from_json(s) for s in data.get("sessions", [])],
            code=dict(data.get("code", {})),
            versions=dict(data.get("versions", {})),
            segments=[SegmentRecord.from_json(s) for s in data.get("segments", [])],
            extensions=list(data.get("extensions", [])),
            design_stored="data" not in design_entry,
        )

    def write(self, out_dir: str | Path) -> None:
        """Write the tables, then ``manifest.json``, each atomically (a crash leaves the previous file)."""
        out = Path(out_dir)
        if not self.design_stored:
            write_parquet_atomic(pa.Table.from_pandas(self.design.frame, preserve_index=False), out / DESIGN)
            self.design_stored = True
        chunks = pa.Table.from_pylist([c.to_json() for c in self.chunks], schema=CHUNK_SCHEMA)
        write_parquet_atomic(chunks, out / CHUNKS)
        data = self.to_json()
        atomic_write(out / MANIFEST, lambda handle: json.dump(data, handle, indent=1))


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """A sweep folder's manifest as plain JSON, with the design and chunk tables read in.

    ``design.data`` holds the design rows and ``chunks`` the list of chunk records, as in the
    JSON of format ``trilat-sweep/1`` (reading a big design this way is slow: the sweep code
    itself uses :func:`load_manifest`).

    Raises:
        SweepError: when the folder has no readable manifest.
    """
    settle(out_dir)  # finish (or undo) an interrupted --extend before reading
    manifest = read_manifest_json(out_dir)
    design, chunks = manifest["design"], manifest["chunks"]
    if "data" not in design:
        frame = read_table_file(out_dir, design["file"]).to_pandas()
        design["data"] = frame.to_numpy(dtype=object).tolist()
    if not isinstance(chunks, list):
        manifest["chunks"] = read_table_file(out_dir, chunks["file"]).to_pylist()
    return manifest


def load_manifest(out_dir: str | Path) -> Manifest:
    """A sweep folder's manifest as typed records.

    Raises:
        SweepError: when the folder has no readable manifest, or a damaged one.
    """
    settle(out_dir)  # finish (or undo) an interrupted --extend before reading
    data = read_manifest_json(out_dir)
    path = Path(out_dir) / MANIFEST
    entry = check_manifest(data, path)
    try:
        ExperimentSpec.model_validate(entry.experiment.spec)
    except ValidationError as exc:
        raise damaged(path, f"manifest: experiment.spec: {exc.errors(include_url=False)[0]['msg']}") from None
    if isinstance(entry.chunks, list):
        data["chunks"] = check_chunk_rows(list(data["chunks"]), entry, path)
    else:
        rows = read_table_file(out_dir, CHUNKS).to_pylist()
        data["chunks"] = check_chunk_rows(rows, entry, Path(out_dir) / CHUNKS)
    try:
        manifest = Manifest.from_json(data, out_dir)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise damaged(path, f"manifest ({type(exc).__name__}: {exc})") from None
    check_design(manifest.design.frame, entry, Path(out_dir) / DESIGN)
    return manifest


def design_frame(manifest: Manifest) -> pd.DataFrame:
    """The design table of a manifest, as a pandas DataFrame (a copy)."""
    return manifest.design.frame.copy()
