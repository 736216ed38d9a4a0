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

DEFAULT_CHUNK_RUNS = 20_000
"""Runs per chunk: large enough to amortize a model's fixed Python cost (about 35 ms a chunk), small
enough for a worker's memory (about 165 MB above its 200 MB of code at 20,000 baseline runs).
Measured on 2 workers (docs/performance.md): 1,000,000 baseline runs took 2-12% less time than with
10,000 in five alternating pairs."""
MAX_CHUNKS = 1_000_000
"""The most chunks a sweep may have (each is a row of the chunk table and a file)."""
SWEEP_COMPILE_RUNS = 500_000
"""Runs per worker from which ``engine: auto`` compiles the kernels (about 20 s of CPU once per worker)."""
SWEEP_CACHED_RUNS = 50_000
"""Runs per worker from which ``engine: auto`` takes the kernels when the on-disk kernel cache holds
them (each worker loads them in about 2 s)."""


def replication_range(chunk: ChunkRecord, replications: int) -> tuple[int, int]:
    """Replication indices ``[first, stop)`` a chunk runs at each point: a chunk is points x indices.

    ``first_run = first_point * replications + first`` and ``stop_run = (stop_point - 1) *
    replications + stop`` (whole points: 0 and ``replications``; see ``docs/experiments.md``).
    """
    return chunk.first_run - chunk.first_point * replications, chunk.stop_run - (chunk.stop_point - 1) * replications


def holds_run(chunk: ChunkRecord, run_id: int, replications: int) -> bool:
    """True if run ``run_id`` is one of ``chunk``'s runs."""
    first, stop = replication_range(chunk, replications)
    point, k = divmod(int(run_id), replications)
    return chunk.first_point <= point < chunk.stop_point and first <= k < stop


Bounds = tuple[int, int, int, int, int]
"""A chunk's (scenario index, first point, stop point, first run, stop run)."""


def rectangle_bounds(
    s_index: int, points: tuple[int, int], ks: tuple[int, int], reps: int, chunk_runs: int
) -> list[Bounds]:
    """Chunks covering points ``[p0, p1)`` times replication indices ``[k0, k1)`` (``reps`` in all).

    Whole rows of the rectangle (every wanted replication of a point) when they fit in
    ``chunk_runs``, else blocks of one point's replications. A chunk's runs are
    ``first_run = first_point * reps + k0`` ... ``stop_run = (stop_point - 1) * reps + k1``
    (see :func:`replication_range`).
    """
    (p0, p1), (k0, k1) = points, ks
    width = k1 - k0
    bounds: list[Bounds] = []
    if width <= chunk_runs:
        per = max(1, chunk_runs // width)
        for p in range(p0, p1, per):
            q = min(p + per, p1)
            bounds.append((s_index, p, q, p * reps + k0, (q - 1) * reps + k1))
    else:
        blocks = math.ceil(width / chunk_runs)
        size = math.ceil(width / blocks)
        for p in range(p0, p1):
            for b in range(k0, k1, size):
                bounds.append((s_index, p, p + 1, p * reps + b, p * reps + min(b + size, k1)))
    return bounds


def _chunk_bounds(experiment: Experiment, chunk_runs: int) -> list[Bounds]:
    """(scenario index, first point, stop point, first run, stop run) of each chunk, in order.

    Chunks never cross a block of one scenario and one policy.
    """
    reps = experiment.spec.replications
    n = experiment.samples_per_scenario
    per_policy = len(experiment.policies)
    bounds: list[Bounds] = []
    for block in range(len(experiment.scenarios) * per_policy):
        bounds += rectangle_bounds(block // per_policy, (block * n, (block + 1) * n), (0, reps), reps, chunk_runs)
    return bounds


def chunk_records(experiment: Experiment, bounds: list[Bounds], first_id: int = 0) -> list[ChunkRecord]:
    """The chunk records of ``bounds``, numbered from ``first_id``."""
    reps = experiment.spec.replications
    chunks = []
    for ident, (s_index, p, q, a, b) in enumerate(bounds, start=first_id):
        scenario = experiment.scenarios[s_index]
        recorded = experiment.recorded_turns(scenario)
        runs = (q - p) * ((b - (q - 1) * reps) - (a - p * reps))
        chunks.append(
            ChunkRecord(
                id=ident,
                scenario=scenario.id,
                first_point=p,
                stop_point=q,
                first_run=a,
                stop_run=b,
                runs=runs,
                rows=runs * (len(recorded) if recorded is not None else 1),
            )
        )
    return chunks


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
    return chunk_records(experiment, _chunk_bounds(experiment, chunk_runs))


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


def sweep_engine(requested: str, runs_to_do: int, workers: int) -> str:
    """The model engine a sweep's chunks run on: ``requested``, or for ``auto`` the cheaper one.

    The compiled engine costs each worker process a few seconds to compile once and then saves
    CPU on every run; ``auto`` takes it when each worker has at least
    :data:`SWEEP_COMPILE_RUNS` runs to do and numba is installed, or :data:`SWEEP_CACHED_RUNS`
    when the on-disk kernel cache holds the kernels, else numpy. Results are
    bit-identical either way, so the choice is not part of the sweep's identity.

    Raises:
        SweepError: for an unknown engine name.
    """
    from sim.engine import kernels

    if requested not in kernels.ENGINES:
        raise SweepError(f"engine must be one of {', '.join(kernels.ENGINES)}, got {requested!r}")
    if requested != "auto":
        return requested
    needs = kernel_warm_up(requested, runs_to_do, workers)  # the thresholds, without numba
    if needs == "always" and kernels.numba_available():
        return "compiled"
    if needs is not None and kernels.cached():
        return "compiled"
    return "numpy"


def kernel_warm_up(requested: str, runs_to_do: int, workers: int) -> str | None:
    """What a local pool's fork server does with the kernels before it forks workers.

    The same choice as :func:`sweep_engine`, made without importing numba (so the fork server
    can start at once): ``"always"`` when the chunks run compiled wherever numba imports
    (``compiled``, or ``auto`` with :data:`SWEEP_COMPILE_RUNS` runs per worker), ``"cached"``
    when they run compiled only if the disk cache holds the kernels (``auto`` with
    :data:`SWEEP_CACHED_RUNS`), else None. The fork server checks numba and the cache itself
    (:func:`sim.research.sweep.backends.warm_kernels`).
    """
    if requested == "compiled":
        return "always"
    if requested != "auto":
        return None
    per_worker = runs_to_do / max(workers, 1)
    if per_worker >= SWEEP_COMPILE_RUNS:
        return "always"
    if per_worker >= SWEEP_CACHED_RUNS:
        return "cached"
    return None


def chunk_task(
    experiment: Experiment,
    chunk: ChunkRecord,
    values: np.ndarray,
    out_dir: str | None,
    code: str = "",
    engine: str = "auto",
) -> ChunkTask:
    """The task a worker runs for ``chunk`` (``values``: the design's parameter values, one row per point).

    ``code``: the sweep's code fingerprint, stamped into the chunk's parts; ``engine``: the
    model engine (see :func:`sweep_engine`).
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
        bans=dict(policy.bans),
        script=dict(policy.script),
        common_random_numbers=spec.common_random_numbers,
        outcomes=run_outcomes(spec.outcomes),
        code=code,
        engine=engine,
    )
