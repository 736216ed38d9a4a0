"""Per-design-point statistics of any recorded value, with split-half estimates of their noise.

:func:`point_values` reads one results column (an indicator at the last recorded turn, or an
outcome's per-run value ``outcome:NAME``) from every finished part into a (points, replications)
matrix, in replication order; :func:`point_statistic_table` reduces it to the outcome's
statistic per point and to ``HALVES`` split-half noise replicates: for a random split of the
replication indices into two halves (the same split at every point, so that common random
numbers stay paired), half the difference between the two halves' statistics. Its variance
estimates the variance of the full-sample statistic that replication noise alone causes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from sim.research.analysis.parts import PartReader
from sim.research.experiment_spec import ExperimentSpec
from sim.research.outcomes import PREFIX, point_statistic, statistic_of
from sim.research.sweep import Manifest

HALVES = 16
"""Random half splits averaged in the noise estimate."""


@dataclass
class PointValues:
    """One statistic per design point (NaN where the point has no results) and its noise replicates."""

    name: str
    statistic: str
    values: np.ndarray
    """Shape (points,), indexed by point id."""
    noise: np.ndarray | None
    """Shape (HALVES, points): half the difference between the statistic on two halves of the runs."""


def column_of(name: str, spec: ExperimentSpec) -> str:
    """The results column behind ``name``: ``outcome:NAME`` for an outcome, else the indicator itself."""
    return PREFIX + name if name in spec.outcomes else name


def point_values(out_dir: Path, manifest: Manifest, column: str, parts: PartReader | None = None) -> np.ndarray:
    """Run values of ``column``, shape (points, replications), NaN where a run is missing or its part skipped."""
    parts = parts if parts is not None else PartReader.open(out_dir, manifest)
    reps = manifest.replications
    points = manifest.total_runs // reps
    matrix = np.full(points * reps, np.nan)
    last_turn = {s.id: (max(s.recorded_turns) if s.recorded_turns else None) for s in manifest.scenarios}
    for chunk in parts.chunks():
        turn = last_turn[chunk.scenario]
        table = parts.read(chunk, ["replication", column] + (["turn"] if turn is not None else []))
        if table is None:
            continue
        if turn is not None:
            table = table.filter(pc.equal(table["turn"], turn))
        matrix[table["replication"].to_numpy()] = table[column].to_numpy()
    return matrix.reshape(points, reps)


def point_statistic_table(
    out_dir: Path,
    manifest: Manifest,
    spec: ExperimentSpec,
    name: str,
    *,
    halves: int = HALVES,
    parts: PartReader | None = None,
) -> PointValues:
    """The statistic of ``name`` (an outcome or an indicator: its mean) per point, with noise replicates.

    ``parts`` reads the results (default: a new reader, which checks the parts first).
    """
    outcome = spec.outcomes.get(name)
    statistic = statistic_of(outcome) if outcome is not None else "mean"
    q = outcome.q if outcome is not None else None
    matrix = point_values(out_dir, manifest, column_of(name, spec), parts)
    complete = ~np.isnan(matrix).any(axis=1)
    values = np.full(len(matrix), np.nan)
    values[complete] = point_statistic(matrix[complete], statistic, q, axis=1)
    reps = matrix.shape[1]
    noise = None
    if reps >= 4:
        rng = np.random.default_rng(spec.seed)
        noise = np.full((halves, len(matrix)), np.nan)
        for b in range(halves):
            order = rng.permutation(reps)
            first, second = order[: reps // 2], order[reps // 2 : 2 * (reps // 2)]
            a = point_statistic(matrix[complete][:, first], statistic, q, axis=1)
            c = point_statistic(matrix[complete][:, second], statistic, q, axis=1)
            noise[b, complete] = (np.asarray(a, dtype=np.float64) - np.asarray(c, dtype=np.float64)) / 2.0
    return PointValues(name, statistic, values, noise)
