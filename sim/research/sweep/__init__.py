"""Research sweeps: run an experiment's design in chunks, in parallel or on Dask, into a Parquet dataset.

:func:`run_sweep` splits the design into chunks (a block of design points of one scenario, or
a block of one point's replications), runs each chunk as one ensemble model that carries every
point's parameters as per-replication arrays, and writes one Parquet part per chunk as it
completes (to a temporary name, then ``os.replace``), plus a small ``manifest.json`` (experiment
and scenario hashes and texts, code fingerprint, versions, seed) beside ``design.parquet`` and
``chunks.parquet``. The run with global id
``point_id * replications + k`` draws its random numbers from (seed, that id) through the
counter-based RNG, so results do not depend on chunking, worker count, or Dask vs local
processes. Re-running on the same folder skips finished chunks; ``extend=True`` grows a stored
sweep's samples or replications without rerunning it; :func:`reproduce` rebuilds any stored run
exactly. The output layout is documented in ``docs/experiments.md``.

Modules, one concern each: ``layout`` (file names, parts), ``simulate`` (running a block of
replications), ``worker`` (one chunk), ``manifest`` (typed manifest records), ``plan`` (chunks
and tasks), ``backends`` (in-process, process pool, Dask), ``runner`` (:func:`run_sweep`),
``provenance`` (hash and code checks, reproduction), ``environment`` (code fingerprint, library
versions, scenario texts), ``extend`` and ``staging`` (``--extend``: relabelling a stored sweep
into a larger design, through a committed journal), ``lifeline`` (workers that die with the sweep
process), ``dryrun``
(``trilat sweep --dry-run``), ``bench`` (``trilat bench --sweep``).
"""

from sim.research.sweep.backends import Backend, DaskCluster, InProcess, ProcessPool, make_backend
from sim.research.sweep.bench import bench_sweep, print_bench_sweep
from sim.research.sweep.dryrun import DryRun, dry_run
from sim.research.sweep.environment import code_fingerprint, library_versions
from sim.research.sweep.layout import FORMAT, MANIFEST, PARTS, TRAJECTORIES, SweepError, part_path, result_columns
from sim.research.sweep.manifest import (
    ChunkRecord,
    ChunkStatus,
    Manifest,
    SweepStatus,
    design_frame,
    load_manifest,
    part_is_valid,
    read_manifest,
)
from sim.research.sweep.plan import DEFAULT_CHUNK_RUNS, plan_chunks
from sim.research.sweep.provenance import RunCheck, RunLocation, find_run, locate_run, reproduce, stored_run, verify_run
from sim.research.sweep.runner import MAX_ATTEMPTS, SweepSummary, SweepTerminated, run_sweep
from sim.research.sweep.simulate import Recorded, simulate
from sim.research.sweep.worker import ChunkResult, ChunkRunner, ChunkTask, ChunkWork, run_chunk

__all__ = [
    "DEFAULT_CHUNK_RUNS",
    "FORMAT",
    "MANIFEST",
    "MAX_ATTEMPTS",
    "PARTS",
    "TRAJECTORIES",
    "Backend",
    "ChunkRecord",
    "ChunkResult",
    "ChunkRunner",
    "ChunkStatus",
    "ChunkTask",
    "ChunkWork",
    "DaskCluster",
    "DryRun",
    "InProcess",
    "Manifest",
    "ProcessPool",
    "Recorded",
    "RunCheck",
    "RunLocation",
    "SweepError",
    "SweepStatus",
    "SweepSummary",
    "SweepTerminated",
    "bench_sweep",
    "code_fingerprint",
    "design_frame",
    "dry_run",
    "find_run",
    "library_versions",
    "load_manifest",
    "locate_run",
    "make_backend",
    "part_is_valid",
    "part_path",
    "plan_chunks",
    "print_bench_sweep",
    "read_manifest",
    "reproduce",
    "result_columns",
    "run_chunk",
    "run_sweep",
    "simulate",
    "stored_run",
    "verify_run",
]
