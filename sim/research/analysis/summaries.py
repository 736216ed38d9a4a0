"""Per-design-point summaries of a sweep, read chunk by chunk (memory bounded by a chunk or one point).

:func:`read_point_stats` reads the Parquet parts in run order and reduces each design point's
runs to mean, p5, p50 and p95 per indicator plus the share of runs with the outcome of
interest; :func:`summary_table` and :func:`points_table` lay those out as DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sim.research.analysis.parts import PartReader
from sim.research.experiment import Outcome
from sim.research.sweep import ChunkRecord, Manifest, SweepError

STATISTICS = ("mean", "p5", "p50", "p95")
PERCENTILES = (5.0, 50.0, 95.0)


@dataclass
class _PointStats:
    point_ids: list[np.ndarray] = field(default_factory=list)
    runs: list[np.ndarray] = field(default_factory=list)
    stats: list[np.ndarray] = field(default_factory=list)  # (points, columns, 4)
    share: list[np.ndarray] = field(default_factory=list)

    def add(self, pids: np.ndarray, matrix: np.ndarray, hits: np.ndarray) -> None:
        unique, counts = np.unique(pids, return_counts=True)
        order = np.argsort(pids, kind="stable")
        matrix, hits = matrix[order], hits[order]
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        out = np.empty((len(unique), matrix.shape[1], len(STATISTICS)))
        share = np.empty(len(unique))
        if len(unique) and np.all(counts == counts[0]):
            cube = matrix.reshape(len(unique), counts[0], matrix.shape[1])
            out[:, :, 0] = cube.mean(axis=1)
            out[:, :, 1:] = np.moveaxis(np.percentile(cube, PERCENTILES, axis=1), 0, -1)
            share[:] = hits.reshape(len(unique), counts[0]).mean(axis=1)
        else:
            for i, (a, c) in enumerate(zip(starts, counts, strict=True)):
                block = matrix[a : a + c]
                out[i, :, 0] = block.mean(axis=0)
                out[i, :, 1:] = np.percentile(block, PERCENTILES, axis=0).T
                share[i] = hits[a : a + c].mean()
        self.point_ids.append(unique)
        self.runs.append(counts)
        self.stats.append(out)
        self.share.append(share)


@dataclass
class PointStats:
    """Per design point with results: ids, runs, statistics (points, columns, STATISTICS), outcome share."""

    point_ids: np.ndarray
    runs: np.ndarray
    stats: np.ndarray
    share: np.ndarray
    notes: list[str]


class _Reader:
    """Buffers the tables of a design point's chunks until the point is complete, then reduces them."""

    def __init__(self, columns: list[str], outcome: Outcome) -> None:
        self.columns = columns
        self.outcome = outcome
        self.acc = _PointStats()
        self.buffer: list[pa.Table] = []

    def add(self, table: pa.Table) -> None:
        self.buffer.append(table)

    def flush(self) -> None:
        if not self.buffer:
            return
        table = pa.concat_tables(self.buffer)
        self.buffer.clear()
        matrix = np.column_stack([table[name].to_numpy() for name in self.columns])
        hits = self.outcome.test(table[self.outcome.indicator].to_numpy()).astype(np.float64)
        self.acc.add(table["point_id"].to_numpy(), matrix, hits)


def _read_chunk(parts: PartReader, chunk: ChunkRecord, wanted: list[str], turn: int | None) -> pa.Table | None:
    """A chunk's point ids and wanted columns (at the last recorded turn, when it records turns); None: skipped."""
    read = ["point_id", *wanted] + (["turn"] if turn is not None else [])
    table = parts.read(chunk, read)
    if table is not None and turn is not None:
        table = table.filter(pc.equal(table["turn"], turn))
    return table


def read_point_stats(
    out_dir: Path, manifest: Manifest, columns: list[str], outcome: Outcome, parts: PartReader | None = None
) -> PointStats:
    """Per design point: ids, runs, (points, columns, statistics) array, outcome share; notes.

    Args:
        out_dir: the sweep folder.
        manifest: its manifest.
        columns: the indicators to summarize.
        outcome: the outcome of interest.
        parts: the reader of the parts (default: a new one, which checks them first).

    Raises:
        SweepError: when no chunk has finished yet.
    """
    parts = parts if parts is not None else PartReader.open(out_dir, manifest)
    last_turn = {s.id: (max(s.recorded_turns) if s.recorded_turns else None) for s in manifest.scenarios}
    wanted = list(dict.fromkeys([*columns, outcome.indicator]))
    notes: list[str] = []
    reader = _Reader(columns, outcome)
    missing, buffered_stop = 0, 0
    # By first point: every chunk holding a buffered point comes before one starting past them all
    # (an extended sweep splits a point's runs over chunks that are not adjacent in run order).
    for chunk in sorted(manifest.chunks, key=lambda c: (c.first_point, c.first_run)):
        if chunk.first_point >= buffered_stop:
            reader.flush()
        table = _read_chunk(parts, chunk, wanted, last_turn[chunk.scenario]) if parts.usable(chunk) else None
        if table is None:
            missing += chunk.runs
            continue
        reader.add(table)
        buffered_stop = max(buffered_stop, chunk.stop_point)
    reader.flush()
    if missing:
        notes.append(
            f"{missing:,} of {manifest.total_runs:,} runs are missing (failed, unfinished or skipped chunks); "
            "re-run the sweep command to complete them"
        )
    acc = reader.acc
    if not acc.point_ids:
        raise SweepError(f"{out_dir}: no finished results to analyze yet")
    return PointStats(
        np.concatenate(acc.point_ids),
        np.concatenate(acc.runs),
        np.concatenate(acc.stats),
        np.concatenate(acc.share),
        notes,
    )


def summary_table(found: pd.DataFrame, names: list[str], columns: list[str], point: PointStats) -> pd.DataFrame:
    """Long summary: one row per (design point, indicator) with mean, p5, p50, p95.

    Args:
        found: the design rows of the points with results, in ``point.point_ids`` order.
        names: the varied parameters.
        columns: the indicators summarized, in ``point.stats`` order.
        point: the per-point statistics.
    """
    n_points, n_cols = len(point.point_ids), len(columns)
    return pd.DataFrame(
        {
            "point_id": np.repeat(point.point_ids, n_cols),
            "scenario": np.repeat(found["scenario"].to_numpy(), n_cols),
            **{name: np.repeat(found[name].to_numpy(), n_cols) for name in names},
            "indicator": np.tile(np.asarray(columns, dtype=object), n_points),
            "runs": np.repeat(point.runs, n_cols),
            **{stat: point.stats[:, :, k].ravel() for k, stat in enumerate(STATISTICS)},
        }
    )


def points_table(
    found: pd.DataFrame, names: list[str], columns: list[str], output: str, point: PointStats
) -> pd.DataFrame:
    """One row per design point: parameters, runs, the output's statistics, outcome share."""
    j = columns.index(output)
    points = found[["point_id", "scenario", "sample", *names]].copy()
    points["runs"] = point.runs
    for k, stat in enumerate(STATISTICS):
        points[f"{output}:{stat}"] = point.stats[:, j, k]
    points["outcome_share"] = point.share
    return points
