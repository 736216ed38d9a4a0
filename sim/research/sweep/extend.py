"""Extending a stored sweep (``trilat sweep --extend``): more samples or replications, nothing rerun.

With common random numbers, run ``k`` of a design point draws the random numbers of
replication index ``k`` whatever the design's size, and for a prefix-stable sampler the first
``n`` points of a larger sample are the ``n`` points already stored; so every stored run keeps
its values and only its labels change: point ``block * n + s`` becomes ``block * n' + s``
(blocks are scenario x policy) and run ``p * r + k`` becomes ``p' * r' + k``. The extension
relabels the stored parts (staged under ``.extend/`` and applied after a commit mark, see
:mod:`~sim.research.sweep.staging`), keeps their chunk records as rectangles of points x
replication indices, and adds chunks for the new (point, k) pairs, which the sweep then runs.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.research.experiment import Experiment
from sim.research.sweep.layout import PARTS, TRAJECTORIES, SweepError, part_path, write_parquet_atomic
from sim.research.sweep.manifest import (
    ChunkRecord,
    ChunkStatus,
    DesignTable,
    ExperimentRecord,
    Manifest,
    SweepStatus,
    design_frame,
    now,
)
from sim.research.sweep.plan import Bounds, chunk_records, rectangle_bounds, replication_range
from sim.research.sweep.staging import STAGING, commit

EXTENDABLE = ("samples", "replications")
"""The experiment fields an extension may raise; every other field must stay as stored."""
PREFIX_STABLE = ("montecarlo", "sobol", "morris")
"""Samplers whose first ``n`` points do not change when ``samples`` grows (same seed)."""
NOT_PREFIX_STABLE = {
    "lhs": "a Latin hypercube of n points cuts each axis into n strata, so a larger sample moves every point",
    "grid": "a grid is the product of its levels, so more levels move every point",
}
"""Samplers whose sample cannot grow in place, and why (their replications can)."""


@dataclass(frozen=True)
class Extension:
    """How a stored sweep grows: samples per block and replications, before and after."""

    blocks: int
    old_samples: int
    new_samples: int
    old_replications: int
    new_replications: int

    def points(self, old_points: np.ndarray) -> np.ndarray:
        """New point ids of stored point ids (block-major numbering, the sample index kept)."""
        block, sample = np.divmod(old_points, self.old_samples)
        return block * self.new_samples + sample

    def runs(self, old_runs: np.ndarray) -> np.ndarray:
        """New run ids of stored run ids (the replication index ``k`` kept)."""
        point, k = np.divmod(old_runs, self.old_replications)
        return self.points(point) * self.new_replications + k

    def describe(self) -> dict[str, Any]:
        """The extension as the manifest's ``extensions`` records it."""
        return {
            "at": now(),
            "samples_per_block": [self.old_samples, self.new_samples],
            "replications": [self.old_replications, self.new_replications],
            "blocks": self.blocks,
            "rule": "point block*n+s -> block*n'+s; run p*r+k -> p'*r'+k (values unchanged)",
        }


def _first_difference(old: Any, new: Any, where: str = "") -> str | None:
    """The dotted path of the first value that differs between two JSON values (None: equal)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if key not in old or key not in new:
                return f"{where}{key}"
            found = _first_difference(old[key], new[key], f"{where}{key}.")
            if found is not None:
                return found
        return None
    return None if old == new else where.rstrip(".") or "(the whole experiment)"


def _check_fields(stored: dict[str, Any], spec: dict[str, Any], out: Path) -> None:
    """Refuse an extension that changes anything but ``samples`` and ``replications``, or lowers them."""
    if not stored.get("common_random_numbers", False):
        raise SweepError(
            f"{out}: cannot extend a sweep run without common random numbers: each run's random numbers "
            "follow its run id point_id x replications + k, which a larger design renumbers, so the stored "
            "runs would not be the runs of the larger design; use a new --out folder"
        )
    kept = {key: value for key, value in stored.items() if key not in EXTENDABLE}
    changed = _first_difference(kept, {key: value for key, value in spec.items() if key not in EXTENDABLE})
    if changed is not None:
        raise SweepError(
            f"{out}: --extend may only raise samples and replications, but '{changed}' differs from the "
            "stored experiment; use a new --out folder"
        )
    for key in EXTENDABLE:
        before, after = stored.get(key) or 0, spec.get(key) or 0
        if after < before:
            raise SweepError(
                f"{out}: --extend cannot lower {key} (stored {before:,}, the file says {after:,}); "
                "use a new --out folder"
            )
    if (spec.get("samples") or 0) > (stored.get("samples") or 0) and spec["sampler"] not in PREFIX_STABLE:
        why = NOT_PREFIX_STABLE.get(spec["sampler"], "its points depend on the sample size")
        raise SweepError(
            f"{out}: cannot add samples to a '{spec['sampler']}' sweep: {why}; only its replications "
            "can grow in place; use a new --out folder for a larger sample"
        )


def check_extension(manifest: Manifest, experiment: Experiment, design: pd.DataFrame, out: Path) -> Extension | None:
    """Check that ``experiment`` extends the stored sweep; None when it is the stored one (a resume).

    Nothing is written: a refused extension leaves the folder as it was.

    Raises:
        SweepError: naming the field that differs, the sampler that cannot grow, a changed
            scenario or trilat version, or a stored design that is not a prefix of the new one.
    """
    if manifest.experiment.content_hash == experiment.content_hash:
        return None
    _check_fields(manifest.experiment.spec, experiment.spec.model_dump(mode="json"), out)
    recorded = {s.id: s.content_hash for s in manifest.scenarios}
    for scenario in experiment.scenarios:
        if recorded.get(scenario.id) != scenario.content_hash:
            raise SweepError(f"{out}: scenario '{scenario.id}' changed since the stored runs; cannot extend")
    if manifest.trilat_version != __version__:
        raise SweepError(f"{out} was written by trilat {manifest.trilat_version}, this is {__version__}; cannot extend")
    blocks = len(experiment.scenarios) * len(experiment.policies)
    stored = design_frame(manifest)
    n, reps = experiment.samples_per_scenario, experiment.spec.replications
    extension = Extension(blocks, len(stored) // blocks, n, manifest.replications, reps)
    _check_design(stored, design, extension, experiment.parameter_names, out)
    return extension


def _check_design(stored: pd.DataFrame, design: pd.DataFrame, ext: Extension, names: list[str], out: Path) -> None:
    """The stored design points are the new design's points of the same block and sample."""
    rows = design.iloc[ext.points(stored["point_id"].to_numpy())]
    same = np.array_equal(stored[names].to_numpy(dtype=np.float64), rows[names].to_numpy(dtype=np.float64))
    labels = [c for c in ("scenario", "policy", "sample") if c in stored.columns]
    if not same or any(not np.array_equal(stored[c].to_numpy(), rows[c].to_numpy()) for c in labels):
        raise SweepError(
            f"{out}: the first {ext.old_samples:,} points of the larger sample differ from the stored "
            "design, so the stored runs are not part of it; use a new --out folder"
        )


def _relabelled(chunk: ChunkRecord, ext: Extension) -> ChunkRecord:
    """A stored chunk's record under the new labels (same rectangle of points x replication indices)."""
    first, stop = replication_range(chunk, ext.old_replications)
    p0, p1 = (int(p) for p in ext.points(np.array([chunk.first_point, chunk.stop_point - 1])))
    reps = ext.new_replications
    return dataclasses.replace(
        chunk, first_point=p0, stop_point=p1 + 1, first_run=p0 * reps + first, stop_run=p1 * reps + stop
    )


def _relabel_table(table: pa.Table, ext: Extension) -> pa.Table:
    """A stored part with its ``point_id`` and run id columns renumbered; its metadata kept."""
    for name in ("point_id", "replication", "run"):
        if name in table.column_names:
            values = table[name].to_numpy()
            new = ext.points(values) if name == "point_id" else ext.runs(values)
            column = pa.array(new.astype(values.dtype), type=table.schema.field(name).type)
            table = table.set_column(table.column_names.index(name), name, column)
    return table


def _new_bounds(experiment: Experiment, ext: Extension, chunk_runs: int) -> list[Bounds]:
    """Chunks of the new (point, k) pairs: new replications of stored points, then the new points."""
    n, reps = ext.new_samples, ext.new_replications
    per_policy = len(experiment.policies)
    bounds: list[Bounds] = []
    for block in range(ext.blocks):
        s_index, first = block // per_policy, block * n
        if reps > ext.old_replications:
            stored = (first, first + ext.old_samples)
            bounds += rectangle_bounds(s_index, stored, (ext.old_replications, reps), reps, chunk_runs)
        if n > ext.old_samples:
            bounds += rectangle_bounds(s_index, (first + ext.old_samples, first + n), (0, reps), reps, chunk_runs)
    return bounds


def extend_folder(
    out: Path, manifest: Manifest, experiment: Experiment, design: pd.DataFrame, ext: Extension
) -> Manifest:
    """Relabel the stored sweep in ``out`` as part of the larger design and plan its new chunks.

    The relabelled parts and the new manifest are staged in ``out/.extend`` and applied after a
    commit mark; chunks not done keep their records (relabelled) and run with the new ones.

    Returns:
        The extended sweep's manifest (as written).
    """
    stage = out / STAGING
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    chunks = [_relabelled(chunk, ext) for chunk in manifest.chunks]
    kinds = (PARTS, TRAJECTORIES) if manifest.keep_trajectories else (PARTS,)
    for chunk in manifest.chunks:
        if chunk.status is ChunkStatus.DONE:
            for kind in kinds:
                table = pq.read_table(part_path(out, kind, chunk.id))
                write_parquet_atomic(_relabel_table(table, ext), part_path(stage, kind, chunk.id))
    added = chunk_records(experiment, _new_bounds(experiment, ext, manifest.chunk_runs), first_id=len(chunks))
    spec = experiment.spec
    manifest.experiment = ExperimentRecord(
        id=experiment.id,
        title=spec.title,
        path=str(experiment.path.resolve()),
        file_sha256=experiment.file_sha256,
        content_hash=experiment.content_hash,
        spec=spec.model_dump(mode="json"),
    )
    manifest.replications = spec.replications
    manifest.total_runs = experiment.runs
    manifest.design = DesignTable.from_frame(design)
    manifest.design_stored = False
    manifest.chunks = chunks + added
    manifest.extensions.append(
        {**ext.describe(), "kept_runs": manifest.done_runs, "new_chunks": len(added), "kept_chunks": len(chunks)}
    )
    manifest.status = SweepStatus.INCOMPLETE
    manifest.updated = now()
    manifest.write(stage)
    commit(out)
    return manifest
