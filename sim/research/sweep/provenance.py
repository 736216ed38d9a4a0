"""Provenance: the hashes, code fingerprint and versions a sweep folder records, and exact reproduction.

On resume, :func:`check_same_experiment` refuses a folder written from another experiment,
a changed scenario, another trilat version or another design, and :func:`check_same_code` one
written by other model code (unless the user allows a new segment). :func:`reproduce` rebuilds
one stored run from the manifest (scenario, design-point parameters, seed, replication index),
from the scenario texts the manifest embeds when the file moved or changed, and
:func:`verify_run` compares every stored value with the reproduction.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.engine.model import TrilateralModel
from sim.errors import TrilatError
from sim.lang.scenario import Scenario, load_scenario
from sim.research.experiment import Experiment
from sim.research.levers import POLICY_COLUMN, run_settings
from sim.research.sweep.damage import chunk_problem
from sim.research.sweep.environment import MODEL_SOURCES, materialize
from sim.research.sweep.layout import PARTS, SweepError, part_path
from sim.research.sweep.manifest import (
    ChunkRecord,
    ChunkStatus,
    Manifest,
    ScenarioRecord,
    SegmentRecord,
    design_frame,
    load_manifest,
    now,
    part_is_valid,
)
from sim.research.sweep.plan import holds_run
from sim.research.sweep.simulate import Recorded, simulate

SOURCES = "sources"
"""Folder of a sweep where scenario texts from the manifest are written when the files moved."""


def check_same_experiment(manifest: Manifest, experiment: Experiment, design: pd.DataFrame, out: Path) -> None:
    """Refuse to resume a folder whose results came from another experiment, scenario, version or design.

    Raises:
        SweepError: naming what differs and what to do.
    """
    old = manifest.experiment
    if old.content_hash != experiment.content_hash:
        raise SweepError(
            f"{out} holds results of a different experiment ('{old.id}' from {old.path}, "
            f"hash {old.content_hash[:12]}), not {experiment.path} (hash {experiment.content_hash[:12]}); "
            f"use another --out folder, or delete {out} to start over (to raise only samples or "
            f"replications, add --extend)"
        )
    recorded = {s.id: s.content_hash for s in manifest.scenarios}
    for scenario in experiment.scenarios:
        if recorded.get(scenario.id) != scenario.content_hash:
            raise SweepError(
                f"{out}: scenario '{scenario.id}' changed since these results were written "
                f"(hash {scenario.content_hash[:12]}, recorded {str(recorded.get(scenario.id))[:12]}); "
                f"use another --out folder"
            )
    if manifest.trilat_version != __version__:
        raise SweepError(
            f"{out} was written by trilat {manifest.trilat_version}; this is {__version__}, and "
            f"results would mix engine versions; use another --out folder"
        )
    stored = design_frame(manifest)
    names = experiment.parameter_names
    if len(stored) != len(design) or not np.array_equal(
        stored[names].to_numpy(dtype=np.float64), design[names].to_numpy(dtype=np.float64)
    ):
        raise SweepError(f"{out}: the design built from the seed differs from the stored one; use another --out folder")


def check_same_code(manifest: Manifest, fingerprint: str, out: Path, allow_code_change: bool = False) -> None:
    """Refuse to resume under other model code; with ``allow_code_change``, start a new segment instead.

    A folder that recorded no fingerprint (written before fingerprints) gets one, in a segment
    that says so.

    Raises:
        SweepError: naming both fingerprints, when the code changed and no new segment is allowed.
    """
    recorded = manifest.fingerprint
    sessions = len(manifest.sessions)
    if recorded is None:
        manifest.segments.append(SegmentRecord(fingerprint, now(), sessions, "no fingerprint recorded before"))
        return
    if recorded == fingerprint:
        return
    if not allow_code_change:
        raise SweepError(
            f"{out}: the model code changed since these results were written (code fingerprint "
            f"{recorded[:16]} recorded, this code is {fingerprint[:16]}; it covers {', '.join(MODEL_SOURCES)}): "
            f"resuming would mix runs of two model versions; use another --out folder, or resume with "
            f"--allow-code-change to continue in a new segment recorded in the manifest"
        )
    reason = f"--allow-code-change: code changed from {recorded[:16]}"
    manifest.segments.append(SegmentRecord(fingerprint, now(), sessions, reason))


@dataclass(frozen=True)
class RunLocation:
    """Where a run of a sweep comes from: its design row, scenario entry and chunk."""

    run_id: int
    row: dict[str, Any]
    scenario: ScenarioRecord
    chunk: ChunkRecord


def find_run(manifest: Manifest, run_id: int) -> RunLocation:
    """The design row, scenario entry and chunk of a run id.

    Raises:
        SweepError: for a run id that is not in the sweep.
    """
    total = manifest.total_runs
    if isinstance(run_id, bool) or not isinstance(run_id, int | np.integer) or not 0 <= run_id < total:
        raise SweepError(f"run {run_id!r} is not in this sweep: run ids go from 0 to {total - 1}")
    run_id = int(run_id)
    row = manifest.design.row(run_id // manifest.replications)
    scenario = manifest.scenario(row["scenario"])
    chunk = next(c for c in manifest.chunks if holds_run(c, run_id, manifest.replications))
    return RunLocation(run_id, row, scenario, chunk)


def locate_run(manifest: Mapping[str, Any], run_id: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The design row, scenario entry and chunk of a run id, in a manifest's plain JSON (``read_manifest``).

    Raises:
        SweepError: for a run id that is not in the sweep.
    """
    found = find_run(Manifest.from_json(dict(manifest)), run_id)
    return found.row, found.scenario.to_json(), found.chunk.to_json()


def _sources_folder(out_dir: Path, scenario_id: str) -> Path:
    """Where to write a scenario's stored texts: in the sweep folder, else a new temporary folder."""
    folder = out_dir / SOURCES / scenario_id
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return Path(tempfile.mkdtemp(prefix=f"trilat-{scenario_id}-"))


def recorded_scenario(out_dir: str | Path, entry: ScenarioRecord) -> Scenario:
    """The scenario a sweep ran, exactly: from its file if unchanged, else from the texts the manifest embeds.

    The stored texts (the file and its ``extends:`` chain) are written under ``SOURCES`` in the
    sweep folder and loaded from there; library files of the chain come from the installed
    library and must still match the recorded content hash.

    Raises:
        SweepError: when neither the file nor the stored texts give the recorded scenario.
    """
    problem = f"{entry.path} no longer exists"
    if Path(entry.path).is_file():
        try:
            scenario = load_scenario(Path(entry.path))
        except TrilatError as exc:
            problem = f"cannot load it from {entry.path}: {exc}"
        else:
            if scenario.content_hash == entry.content_hash:
                return scenario
            problem = f"{entry.path} changed (hash {scenario.content_hash[:12]}, recorded {entry.content_hash[:12]})"
    if not entry.files:
        raise SweepError(f"scenario '{entry.id}': {problem}, and the manifest stores no copy; cannot reproduce")
    try:
        scenario = load_scenario(materialize(entry.files, _sources_folder(Path(out_dir), entry.id)))
    except TrilatError as exc:
        raise SweepError(f"scenario '{entry.id}': {problem}; its stored copy does not load: {exc}") from None
    if scenario.content_hash != entry.content_hash:
        raise SweepError(
            f"scenario '{entry.id}': {problem}; its stored copy gives hash {scenario.content_hash[:12]}, "
            f"not {entry.content_hash[:12]} (a library file it extends, such as defaults.yaml, changed); "
            f"cannot reproduce exactly"
        )
    return scenario


def _replay(out_dir: str | Path, run_id: int, record: bool) -> tuple[Recorded, Manifest, RunLocation]:
    manifest = load_manifest(out_dir)
    found = find_run(manifest, run_id)
    chunk = found.chunk
    problem = None
    if chunk.status is ChunkStatus.DONE:
        problem = chunk_problem(Path(out_dir), chunk, manifest.keep_trajectories)
    if problem is not None:
        raise SweepError(
            f"{problem}; it holds run {run_id} (chunk {chunk.id}); re-run the sweep command to run it again"
        )
    entry = found.scenario
    scenario = recorded_scenario(out_dir, entry)
    parameters: dict[str, Any] = dict(manifest.fixed)
    settings = run_settings(manifest.experiment.spec, found.row, found.run_id, manifest.replications)
    parameters.update(settings.parameters)
    for name in manifest.parameters:
        parameters[name] = np.array([float(found.row[name])])
    recorded = simulate(
        scenario,
        seed=manifest.seed,
        replication_ids=np.array([settings.replication_index], dtype=np.int64),
        strategies=settings.strategies,
        bans=settings.bans,
        script=settings.script,
        outcomes=settings.outcomes,
        turns=entry.turns,
        parameters=parameters,
        indicators=manifest.indicators,
        record_turns=set(entry.recorded_turns or ()),
        statistics=manifest.statistics,
        record=record,
    )
    return recorded, manifest, found


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


def stored_run(out_dir: str | Path, run_id: int) -> pd.DataFrame:
    """The stored result rows of one run (one row, or one per recorded turn), as a DataFrame."""
    chunk = find_run(load_manifest(out_dir), run_id).chunk
    path = part_path(out_dir, PARTS, chunk.id)
    if not part_is_valid(out_dir, chunk):
        if chunk.status is not ChunkStatus.DONE:
            raise SweepError(f"run {run_id} is in chunk {chunk.id}, which is {chunk.status.value}: no stored row")
        raise SweepError(
            f"{path}: the part holding run {run_id} (chunk {chunk.id}) is missing or unreadable; "
            "re-run the sweep command to run it again"
        )
    try:
        table = pq.read_table(path, filters=[("replication", "==", int(run_id))])
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise SweepError(f"{path}: cannot read the part holding run {run_id} ({str(exc)[:200]})") from None
    return table.to_pandas()


@dataclass
class RunCheck:
    """A reproduced run compared with its stored rows."""

    run_id: int
    model: TrilateralModel
    stored: pd.DataFrame
    mismatches: list[str]
    policy: str | None = None
    """The run's policy (None: the sweep has no levers)."""
    bans: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The policy's card bans (government -> cards), as the replay applied them."""
    script: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    """The policy's scripted moves (government -> quarter -> cards), as the replay applied them."""

    @property
    def exact(self) -> bool:
        """True when every stored value was reproduced bit for bit."""
        return not self.mismatches


def _same(value: float, kept: float) -> bool:
    return value == kept or (math.isnan(value) and math.isnan(kept))


def _indicator_mismatches(stored: pd.DataFrame, recorded: Recorded, index: int, name: str) -> list[str]:
    """Stored values of indicator ``name`` (row ``index`` of the recorded values) that differ."""
    mismatches = []
    for position in range(len(stored)):
        if "turn" in stored.columns:
            turn = int(stored["turn"].iloc[position])
            value, where = float(recorded.turns[turn][index, 0]), f" at turn {turn}"
        else:
            value, where = float(recorded.final[index, 0]), ""
        kept = float(stored[name].iloc[position])
        if not _same(value, kept):
            mismatches.append(f"{name}{where}: stored {kept!r}, reproduced {value!r}")
    return mismatches


def verify_run(out_dir: str | Path, run_id: int, *, record: bool = True) -> RunCheck:
    """Reproduce a run and compare every stored value with the reproduction (exact equality)."""
    stored = stored_run(out_dir, run_id)
    recorded, manifest, found = _replay(out_dir, run_id, record)
    mismatches: list[str] = []
    for i, name in enumerate(manifest.indicators):
        mismatches += _indicator_mismatches(stored, recorded, i, name)
        for stat in manifest.statistics:
            value, kept = float(recorded.statistics[stat][i, 0]), float(stored[f"{name}:{stat}"].iloc[0])
            if value != kept:
                mismatches.append(f"{name}:{stat}: stored {kept!r}, reproduced {value!r}")
    names = list(manifest.experiment.spec.get("outcomes") or {})
    for j, name in enumerate(names):
        assert recorded.outcomes is not None
        value, kept = float(recorded.outcomes[j, 0]), float(stored[f"outcome:{name}"].iloc[0])
        if not _same(value, kept):
            mismatches.append(f"outcome {name}: stored {kept!r}, reproduced {value!r}")
    for name in manifest.parameters:
        if float(stored[name].iloc[0]) != float(found.row[name]):
            mismatches.append(f"parameter {name}: stored {stored[name].iloc[0]!r}, design {found.row[name]!r}")
    settings = run_settings(manifest.experiment.spec, found.row, found.run_id, manifest.replications)
    policy = found.row.get(POLICY_COLUMN)
    return RunCheck(
        run_id=int(run_id),
        model=recorded.model,
        stored=stored,
        mismatches=mismatches,
        policy=None if policy is None else str(policy),
        bans=settings.bans,
        script=settings.script,
    )
