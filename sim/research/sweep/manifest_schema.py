"""The schema of a sweep folder's ``manifest.json`` and ``chunks.parquet``: strict types, bounds, consistency.

A sweep folder is read back by ``analyze``, ``run --from-sweep`` and a resumed sweep, and may
have been damaged (a crash on another machine, an editor, a copy cut short) or tampered with.
:func:`parse_manifest` reads the JSON with no ``NaN``, no infinities and no deep nesting;
:func:`check_manifest` and :func:`check_chunk_rows` validate it with pydantic (strict types: a
string is never read as a count) and check that the pieces agree (chunk ids, runs, design
points, scenarios). Every refusal is one :class:`SweepError` line naming the file, the first
problems by their place in the file, and how to recover.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from sim.research.sweep.guard import RECOVER, read_regular
from sim.research.sweep.layout import MANIFEST, READABLE_FORMATS, SweepError

MAX_MANIFEST_BYTES = 64 << 20
"""The largest ``manifest.json`` read (a format-2 manifest is tens of KB; format 1 held the design too)."""
MAX_TABLE_BYTES = 2 << 30
"""The largest ``design.parquet`` or ``chunks.parquet`` read."""
MAX_RUNS = 10**12
"""The most runs a manifest may declare (the experiment file allows fewer; see ``experiment_spec``)."""
MAX_CHUNKS = 10_000_000
MAX_TURNS = 100_000
SHOWN_PROBLEMS = 3

Count = Annotated[StrictInt, Field(ge=0, le=MAX_RUNS)]
Positive = Annotated[StrictInt, Field(ge=1, le=MAX_RUNS)]
Text = Annotated[StrictStr, Field(max_length=1 << 16)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=1000)]
Status = Literal["pending", "running", "retrying", "done", "failed"]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False)


class SegmentEntry(_Strict):
    fingerprint: Text
    started: Text
    first_session: Count
    reason: Text = "new sweep"


class SessionEntry(_Strict):
    started: Text
    backend: Text
    workers: Positive
    runs: Count = 0
    finished: Text | None = None


class ExperimentEntry(_Strict):
    id: Name
    title: Text
    path: Text
    file_sha256: Text
    content_hash: Text
    spec: dict[str, Any]


class ScenarioEntry(_Strict):
    id: Name
    path: Text
    content_hash: Text
    turns: Annotated[StrictInt, Field(ge=1, le=MAX_TURNS)]
    recorded_turns: list[Annotated[StrictInt, Field(ge=0, le=MAX_TURNS)]] | None
    files: list[dict[str, Any]] = Field(default_factory=list)


class RunsEntry(_Strict):
    total: Positive
    done: Count = 0
    failed: Count = 0


class DesignFile(_Strict):
    file: Literal["design.parquet"]
    columns: list[Name] = Field(min_length=1, max_length=100_000)
    points: Positive


class DesignRows(_Strict):
    columns: list[Name] = Field(min_length=1, max_length=100_000)
    data: list[list[Any]]


class ChunksFile(_Strict):
    file: Literal["chunks.parquet"]
    count: Annotated[StrictInt, Field(ge=1, le=MAX_CHUNKS)]
    status: dict[Status, Count] = Field(default_factory=dict)


class ChunkRow(_Strict):
    """One row of ``chunks.parquet`` (or of a format-1 manifest's ``chunks`` list)."""

    id: Count
    scenario: Name
    first_point: Count
    stop_point: Positive
    first_run: Count
    stop_run: Positive
    runs: Positive
    rows: Count
    status: Status
    attempts: Annotated[StrictInt, Field(ge=0, le=1_000_000)]
    error: Text | None = None
    seconds: Annotated[StrictFloat, Field(ge=0)] | None = None
    segment: Annotated[StrictInt, Field(ge=0, le=1_000_000)] | None = None


class ManifestEntry(_Strict):
    """``manifest.json`` (format ``trilat-sweep/2``, or ``/1`` with the tables inline)."""

    format: StrictStr
    trilat_version: Text
    created: Text
    updated: Text
    status: Literal["running", "interrupted", "complete", "incomplete"]
    code: dict[str, Any] = Field(default_factory=dict)
    versions: dict[str, Text] = Field(default_factory=dict)
    segments: list[SegmentEntry] = Field(default_factory=list)
    experiment: ExperimentEntry
    scenarios: list[ScenarioEntry] = Field(min_length=1)
    seed: Annotated[StrictInt, Field(ge=0, lt=2**63)]
    sampler: Name
    replications: Positive
    parameters: list[Name]
    fixed: dict[str, Any]
    indicators: list[Name]
    statistics: list[Name]
    keep_trajectories: StrictBool
    columns: list[Name] = Field(min_length=1)
    runs: RunsEntry
    chunk_runs: Positive
    design: DesignFile | DesignRows
    chunks: ChunksFile | list[ChunkRow]
    sessions: list[SessionEntry] = Field(default_factory=list)


def _shown(text: object, limit: int = 60) -> str:
    """``text`` with control characters escaped and cut to ``limit`` characters (for a message)."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return out if len(out) <= limit else out[: limit - 3] + "..."


def _problems(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    parts = []
    for error in errors[:SHOWN_PROBLEMS]:
        place = ".".join(_shown(p, 30) for p in error["loc"]) or "(top)"
        parts.append(f"{place}: {_shown(error['msg'], 90)}")
    more = f" (and {len(errors) - SHOWN_PROBLEMS} more)" if len(errors) > SHOWN_PROBLEMS else ""
    return "; ".join(parts) + more


def damaged(path: Path, what: str) -> SweepError:
    """The error for a damaged file of the sweep folder: names it, says what is wrong and how to recover."""
    return SweepError(f"{path}: damaged {_shown(what, 400)}; {RECOVER}")


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_manifest(raw: bytes, path: Path) -> dict[str, Any]:
    """``manifest.json``'s bytes as a dict (strict JSON: no NaN or infinities, bounded nesting)."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise damaged(path, "manifest (JSON nested too deeply)") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise damaged(path, f"manifest (not JSON: {exc})") from None
    if not isinstance(data, dict):
        raise damaged(path, f"manifest (a JSON {type(data).__name__}, not an object)")
    if not isinstance(data.get("format"), str) or data["format"] not in READABLE_FORMATS:
        shown = _shown(data.get("format"), 40)
        raise damaged(path, f"manifest (format {shown!r}; this trilat reads {', '.join(sorted(READABLE_FORMATS))})")
    return data


def check_manifest(data: dict[str, Any], path: Path) -> ManifestEntry:
    """Validate the manifest's JSON (types, bounds, how its numbers agree).

    Raises:
        SweepError: naming ``path`` and the first problems.
    """
    try:
        entry = ManifestEntry.model_validate(data)
    except ValidationError as exc:
        raise damaged(path, f"manifest: {_problems(exc)}") from None
    except RecursionError:
        raise damaged(path, "manifest (nested too deeply)") from None
    if isinstance(entry.design, DesignRows):
        width = len(entry.design.columns)
        for index, row in enumerate(entry.design.data):
            if len(row) != width:
                raise damaged(path, f"manifest: design.data.{index} has {len(row)} values for {width} columns")
    points = entry.design.points if isinstance(entry.design, DesignFile) else len(entry.design.data)
    if entry.runs.total != points * entry.replications:
        message = f"runs.total is {entry.runs.total:,}, but {points:,} design points x {entry.replications:,}"
        raise damaged(path, f"manifest: {message} replications = {points * entry.replications:,}")
    for name in ("point_id", "replication"):
        if name not in entry.columns:
            raise damaged(path, f"manifest: columns lacks {name!r}")
    return entry


def check_chunk_rows(rows: list[dict[str, Any]], entry: ManifestEntry, path: Path) -> list[dict[str, Any]]:
    """Validate the chunk table's rows against the manifest; return them (missing numbers as None).

    Raises:
        SweepError: naming ``path`` and the first problem (the row and the column).
    """
    for row in rows:
        for key in ("seconds", "segment"):
            value = row.get(key)
            if isinstance(value, float) and math.isnan(value):
                row[key] = None  # a table edited with pandas turns missing numbers into NaN
    checked = []
    for index, row in enumerate(rows):
        try:
            checked.append(ChunkRow.model_validate(row))
        except ValidationError as exc:
            raise damaged(path, f"chunk table: row {index}: {_problems(exc)}") from None
    if isinstance(entry.chunks, ChunksFile) and len(checked) != entry.chunks.count:
        raise damaged(path, f"chunk table: {len(checked):,} rows, the manifest says {entry.chunks.count:,} chunks")
    points = entry.design.points if isinstance(entry.design, DesignFile) else len(entry.design.data)
    scenarios = {s.id for s in entry.scenarios}
    reps, total = entry.replications, 0
    for index, chunk in enumerate(checked):
        where = f"chunk table: row {index}"
        if chunk.id != index:
            raise damaged(path, f"{where}: id {chunk.id}, expected {index} (chunks are numbered in order)")
        if chunk.scenario not in scenarios:
            raise damaged(path, f"{where}: scenario {_shown(chunk.scenario)!r} is not one of the sweep's")
        if not (chunk.first_point < chunk.stop_point <= points):
            raise damaged(path, f"{where}: points {chunk.first_point}..{chunk.stop_point} outside 0..{points}")
        # A chunk is a block of points x replication indices k0..k1 (runs point*reps + k).
        k0 = chunk.first_run - chunk.first_point * reps
        k1 = chunk.stop_run - (chunk.stop_point - 1) * reps
        if not (0 <= k0 < k1 <= reps) or chunk.runs != (chunk.stop_point - chunk.first_point) * (k1 - k0):
            raise damaged(
                path, f"{where}: runs {chunk.first_run}..{chunk.stop_run} do not match its points and replications"
            )
        if chunk.segment is not None and entry.segments and chunk.segment >= len(entry.segments):
            raise damaged(path, f"{where}: segment {chunk.segment} is not one of the manifest's segments")
        total += chunk.runs
    run = total
    if run != entry.runs.total:
        raise damaged(path, f"chunk table: the chunks hold {run:,} runs, the manifest says {entry.runs.total:,}")
    return [chunk.model_dump() for chunk in checked]


def check_design(frame: pd.DataFrame, entry: ManifestEntry, path: Path) -> None:
    """Check the design table against the manifest: its columns, its points numbered 0..n-1, numeric parameters.

    Raises:
        SweepError: naming ``path`` and the problem.
    """
    points = entry.design.points if isinstance(entry.design, DesignFile) else len(entry.design.data)
    columns = [str(c) for c in frame.columns]
    if columns != list(entry.design.columns):
        raise damaged(path, f"design table: columns {_shown(columns, 120)}, the manifest says {entry.design.columns}")
    if len(frame) != points:
        raise damaged(path, f"design table: {len(frame):,} points, the manifest says {points:,}")
    if "point_id" not in frame.columns or not np.array_equal(frame["point_id"].to_numpy(), np.arange(points)):
        raise damaged(path, "design table: point_id is not 0, 1, 2, ... in order")
    for name in entry.parameters:
        if name not in frame.columns or not pd.api.types.is_float_dtype(frame[name]):
            raise damaged(path, f"design table: parameter {_shown(name)!r} is not a column of numbers")


def read_table_file(out_dir: str | Path | None, name: str) -> pa.Table:
    """The Parquet table ``name`` of a sweep folder (a regular file of at most MAX_TABLE_BYTES)."""
    if out_dir is None:
        raise SweepError(f"the manifest keeps its table in {name}: give the sweep folder to read it")
    path = Path(out_dir) / name
    raw = read_regular(path, MAX_TABLE_BYTES, f"table {name}")
    try:
        # ParquetFile.read on one thread: these tables are small, and Arrow's dataset scanner
        # leaves background threads that can abort the process at exit (apache/arrow#34314).
        return pq.ParquetFile(pa.BufferReader(raw)).read(use_threads=False)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise damaged(path, f"table (not readable Parquet: {str(exc)[:200]})") from None


def read_manifest_json(out_dir: str | Path) -> dict[str, Any]:
    """``out_dir/manifest.json`` as a dict: a regular file of at most MAX_MANIFEST_BYTES, strict JSON."""
    path = Path(out_dir) / MANIFEST
    try:
        path.lstat()
    except FileNotFoundError:
        raise SweepError(f"{out_dir}: no {MANIFEST}; not a sweep output folder") from None
    except OSError as exc:
        raise SweepError(f"{path}: cannot read the manifest ({exc.strerror})") from None
    return parse_manifest(read_regular(path, MAX_MANIFEST_BYTES, "manifest"), path)
