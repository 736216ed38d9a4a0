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

from importlib import import_module
from typing import TYPE_CHECKING, Any

# ``simulate`` is eager: it is also a submodule's name, and importing the submodule (as a sweep's
# workers do) sets the package attribute to the module unless this import has already replaced it.
from sim.research.sweep.simulate import Recorded, simulate

if TYPE_CHECKING:
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
    from sim.research.sweep.provenance import (
        RunCheck,
        RunLocation,
        find_run,
        locate_run,
        reproduce,
        stored_run,
        verify_run,
    )
    from sim.research.sweep.runner import MAX_ATTEMPTS, SweepSummary, SweepTerminated, run_sweep
    from sim.research.sweep.worker import ChunkResult, ChunkRunner, ChunkTask, ChunkWork, run_chunk

_EXPORTS = {
    "Backend": "sim.research.sweep.backends",
    "DaskCluster": "sim.research.sweep.backends",
    "InProcess": "sim.research.sweep.backends",
    "ProcessPool": "sim.research.sweep.backends",
    "make_backend": "sim.research.sweep.backends",
    "bench_sweep": "sim.research.sweep.bench",
    "print_bench_sweep": "sim.research.sweep.bench",
    "DryRun": "sim.research.sweep.dryrun",
    "dry_run": "sim.research.sweep.dryrun",
    "code_fingerprint": "sim.research.sweep.environment",
    "library_versions": "sim.research.sweep.environment",
    "FORMAT": "sim.research.sweep.layout",
    "MANIFEST": "sim.research.sweep.layout",
    "PARTS": "sim.research.sweep.layout",
    "SweepError": "sim.research.sweep.layout",
    "TRAJECTORIES": "sim.research.sweep.layout",
    "part_path": "sim.research.sweep.layout",
    "result_columns": "sim.research.sweep.layout",
    "ChunkRecord": "sim.research.sweep.manifest",
    "ChunkStatus": "sim.research.sweep.manifest",
    "Manifest": "sim.research.sweep.manifest",
    "SweepStatus": "sim.research.sweep.manifest",
    "design_frame": "sim.research.sweep.manifest",
    "load_manifest": "sim.research.sweep.manifest",
    "part_is_valid": "sim.research.sweep.manifest",
    "read_manifest": "sim.research.sweep.manifest",
    "DEFAULT_CHUNK_RUNS": "sim.research.sweep.plan",
    "plan_chunks": "sim.research.sweep.plan",
    "RunCheck": "sim.research.sweep.provenance",
    "RunLocation": "sim.research.sweep.provenance",
    "find_run": "sim.research.sweep.provenance",
    "locate_run": "sim.research.sweep.provenance",
    "reproduce": "sim.research.sweep.provenance",
    "stored_run": "sim.research.sweep.provenance",
    "verify_run": "sim.research.sweep.provenance",
    "MAX_ATTEMPTS": "sim.research.sweep.runner",
    "SweepSummary": "sim.research.sweep.runner",
    "SweepTerminated": "sim.research.sweep.runner",
    "run_sweep": "sim.research.sweep.runner",
    "ChunkResult": "sim.research.sweep.worker",
    "ChunkRunner": "sim.research.sweep.worker",
    "ChunkTask": "sim.research.sweep.worker",
    "ChunkWork": "sim.research.sweep.worker",
    "run_chunk": "sim.research.sweep.worker",
}
"""The package's other names and their modules, imported on first use (a sweep's worker processes
import ``sim.research.sweep.worker`` and should not pay for the runner, the manifest, pandas ...)."""

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim.research.sweep' has no attribute '{name}'")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
