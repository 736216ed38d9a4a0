"""Planning a sweep: the chunks of a design, the new manifest, and the task a worker gets per chunk."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim import __version__
from sim.research.experiment import Experiment
from sim.research.outcomes import run_outcomes
from sim.research.sweep.environment import MODEL_SOURCES, code_fingerprint, library_versions, scenario_files
from sim.research.sweep.layout import SweepError, result_columns
from sim.research.sweep.manifest import (
    ChunkRecord,
    DesignTable,
    ExperimentRecord,
    Manifest,
    ScenarioRecord,
    SegmentRecord,
    SweepStatus,
    now,
)
from sim.research.sweep.worker import ChunkTask

DEFAULT_CHUNK_RUNS = 10_000
MAX_CHUNKS = 1_000_000
"""The most chunks a sweep may have (each is a row of the chunk table and a file)."""
"""Runs per chunk: large enough to amortize Python overhead, small enough to stay in cache."""


def _chunk_bounds(experiment: Experiment, chunk_runs: int) -> list[tuple[int, int, int, int, int]]:
    """(scenario index, first point, stop point, first run, stop run) of each chunk, in order.

    Chunks never cross a block of one scenario and one policy.
    """
    reps = experiment.spec.replications
    n = experiment.samples_per_scenario
    per_policy = len(experiment.policies)
    bounds: list[tuple[int, int, int, int, int]] = []
    for block in range(len(experiment.scenarios) * per_policy):
        s_index = block // per_policy
        first, stop = block * n, (block + 1) * n
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
    return bounds


def check_chunk_size(experiment: Experiment, chunk_runs: int) -> None:
    """Refuse a chunk size below one run, or one that splits the sweep into more than MAX_CHUNKS chunks.

    Raises:
        SweepError: naming --chunk and the limit.
    """
    if chunk_runs < 1:
        raise SweepError(f"chunk size must be a positive number of runs, got {chunk_runs}")
    count = chunk_count(experiment, chunk_runs)
    if count > MAX_CHUNKS:
        raise SweepError(
            f"--chunk {chunk_runs:,} splits the sweep into {count:,} chunks; at most {MAX_CHUNKS:,} are allowed: "
            f"give a larger --chunk (at least {math.ceil(experiment.runs / MAX_CHUNKS):,} runs)"
        )


def chunk_count(experiment: Experiment, chunk_runs: int) -> int:
    """How many chunks :func:`plan_chunks` makes (computed without making them)."""
    reps = experiment.spec.replications
    blocks = len(experiment.scenarios) * len(experiment.policies)
    n = experiment.samples_per_scenario
    if reps <= chunk_runs:
        return blocks * math.ceil(n / max(1, chunk_runs // reps))
    return blocks * n * math.ceil(reps / chunk_runs)


def plan_chunks(experiment: Experiment, chunk_runs: int = DEFAULT_CHUNK_RUNS) -> list[ChunkRecord]:
    """Split the design into chunks of at most ``chunk_runs`` runs, never across scenarios.

    A chunk holds whole design points when a point's replications fit, else one block of a
    single point's replications.

    Raises:
        SweepError: for a chunk size below one run.
    """
    check_chunk_size(experiment, chunk_runs)
    chunks = []
    for ident, (s_index, p, q, a, b) in enumerate(_chunk_bounds(experiment, chunk_runs)):
        scenario = experiment.scenarios[s_index]
        recorded = experiment.recorded_turns(scenario)
        chunks.append(
            ChunkRecord(
                id=ident,
                scenario=scenario.id,
                first_point=p,
                stop_point=q,
                first_run=a,
                stop_run=b,
                runs=b - a,
                rows=(b - a) * (len(recorded) if recorded is not None else 1),
            )
        )
    return chunks


def _statistics(experiment: Experiment) -> tuple[str, ...]:
    """The statistics over turns the sweep records (only with ``at: summary``)."""
    outputs = experiment.spec.outputs
    return tuple(outputs.statistics) if outputs.at == "summary" else ()


def new_manifest(experiment: Experiment, design: pd.DataFrame, chunks: list[ChunkRecord], chunk_runs: int) -> Manifest:
    """The manifest of a new sweep: provenance, the design and the planned chunks, nothing run yet."""
    spec = experiment.spec
    scenarios = []
    for s in experiment.scenarios:
        recorded = experiment.recorded_turns(s)
        scenarios.append(
            ScenarioRecord(
                id=s.id,
                path=str(s.path.resolve()),
                content_hash=s.content_hash,
                turns=experiment.turns_of(s),
                recorded_turns=list(recorded) if recorded is not None else None,
                files=scenario_files(s.files),
            )
        )
    created = now()
    fingerprint = code_fingerprint()
    return Manifest(
        trilat_version=__version__,
        created=created,
        updated=created,
        status=SweepStatus.RUNNING,
        experiment=ExperimentRecord(
            id=experiment.id,
            title=spec.title,
            path=str(experiment.path.resolve()),
            file_sha256=experiment.file_sha256,
            content_hash=experiment.content_hash,
            spec=spec.model_dump(mode="json"),
        ),
        scenarios=scenarios,
        seed=spec.seed,
        sampler=spec.sampler,
        replications=spec.replications,
        parameters=experiment.parameter_names,
        fixed=experiment.fixed,
        indicators=list(experiment.indicators),
        statistics=list(_statistics(experiment)),
        keep_trajectories=spec.outputs.keep_trajectories,
        columns=result_columns(
            experiment.parameter_names,
            experiment.indicators,
            with_turn=spec.outputs.at not in ("final", "summary"),
            statistics=_statistics(experiment),
            with_policy=experiment.has_policies,
            outcomes=list(spec.outcomes),
        ),
        total_runs=experiment.runs,
        chunk_runs=chunk_runs,
        design=DesignTable.from_frame(design),
        chunks=chunks,
        code={"fingerprint": fingerprint, "sources": list(MODEL_SOURCES)},
        versions=library_versions(),
        segments=[SegmentRecord(fingerprint=fingerprint, started=created, first_session=0)],
    )


def chunk_task(
    experiment: Experiment, chunk: ChunkRecord, values: np.ndarray, out_dir: str | None, code: str = ""
) -> ChunkTask:
    """The task a worker runs for ``chunk`` (``values``: the design's parameter values, one row per point).

    ``code``: the sweep's code fingerprint, stamped into the chunk's parts.
    """
    spec = experiment.spec
    scenario = experiment.scenarios[experiment.scenario_ids.index(chunk.scenario)]
    policy = experiment.policies[(chunk.first_point // experiment.samples_per_scenario) % len(experiment.policies)]
    return ChunkTask(
        chunk_id=chunk.id,
        attempt=chunk.attempts,
        scenario_path=str(scenario.path.resolve()),
        scenario_hash=scenario.content_hash,
        scenario_id=scenario.id,
        seed=spec.seed,
        turns=experiment.turns_of(scenario),
        replications=spec.replications,
        first_point=chunk.first_point,
        stop_point=chunk.stop_point,
        first_run=chunk.first_run,
        stop_run=chunk.stop_run,
        parameter_names=tuple(experiment.parameter_names),
        parameter_values=np.ascontiguousarray(values[chunk.first_point : chunk.stop_point]),
        fixed=tuple(sorted(experiment.fixed.items())),
        indicators=experiment.indicators,
        record_turns=experiment.recorded_turns(scenario),
        statistics=_statistics(experiment),
        keep_trajectories=spec.outputs.keep_trajectories,
        out_dir=out_dir,
        policy=policy.name if experiment.has_policies else None,
        policy_parameters=tuple(sorted(policy.parameters.items())),
        strategies=tuple(sorted(policy.strategies.items())),
        common_random_numbers=spec.common_random_numbers,
        outcomes=run_outcomes(spec.outcomes),
        code=code,
    )
