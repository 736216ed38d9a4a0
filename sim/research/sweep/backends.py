"""Execution back ends of a sweep: in this process, a local process pool, or a Dask cluster.

Every back end has the same small interface (:class:`Backend`): ``submit`` a chunk task and get
a future, ``wait`` for the first futures to finish, ``restart`` after a worker died, ``close``.
The runner does not know which one it drives; the tests wrap a real back end to inject
failures or hold a chunk until they say so.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Collection, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from typing import Any, Protocol

from sim.lang.scenario import Scenario
from sim.research.sweep.dask_probe import DEFAULT_TIMEOUT_S, check_dask_address, probe_scheduler
from sim.research.sweep.layout import SweepError
from sim.research.sweep.lifeline import follow
from sim.research.sweep.worker import ChunkResult, ChunkRunner, ChunkTask, ChunkWork, run_chunk

DASK_CONNECT_TIMEOUT = DEFAULT_TIMEOUT_S
"""Seconds to wait for a Dask scheduler to answer (``--dask-timeout``)."""
LOCAL_TRIM = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
"""The Dask setting a LocalCluster of this package leaves unset (see :class:`DaskCluster`)."""
WORKER_MODULES = ["sim.research.sweep.backends", "sim.research.sweep.worker"]
"""Imported once by the fork server, so each worker starts with them loaded: what a worker runs
(its set-up here, the chunk runner, the model, the Parquet writer), not the sweep's runner, manifest
or pandas (the package imports those only when they are used)."""
FORK_READY = "sim.research.sweep.fork_ready"
"""Imported last by the fork server: it freezes what the fork server holds before any worker is forked."""
KERNEL_WARM_UP = {"always": "sim.research.sweep.warm_kernels", "cached": "sim.research.sweep.warm_cached_kernels"}
"""The module a sweep's fork server also imports to make the kernels ready once for every worker
(see :func:`~sim.research.sweep.plan.kernel_warm_up`): always, or only from the disk cache."""


class ChunkFuture(Protocol):
    """A chunk's pending result (a ``concurrent.futures.Future`` or a Dask future)."""

    def result(self) -> ChunkResult:
        """The chunk's result, or the exception the chunk raised."""
        ...


class Backend(Protocol):
    """What the sweep runner needs from an execution back end."""

    name: str
    """Shown in the summary and recorded in the manifest's sessions."""
    window: int
    """How many chunks to keep submitted at once."""
    writes_in_workers: bool
    """True when workers write the parts themselves (they share this file system)."""

    def prepare(self, scenarios: Iterable[Scenario]) -> None:
        """Hand the already compiled scenarios to the workers, before the first chunk."""
        ...

    def submit(self, task: ChunkTask, work: ChunkWork | None = None) -> ChunkFuture:
        """Start a chunk (``work``: the function to run it with; None: the usual one)."""
        ...

    def wait(self, futures: Collection[ChunkFuture]) -> tuple[set[ChunkFuture], set[ChunkFuture]]:
        """Wait until at least one future is done; return (done, pending)."""
        ...

    def restart(self) -> None:
        """Replace workers that died (the futures in flight are lost)."""
        ...

    def close(self, cancel: bool) -> None:
        """Stop the workers (``cancel``: drop chunks not yet started)."""
        ...


class InProcess:
    """Run chunks in this process, one at a time."""

    name = "in-process"
    window = 1
    writes_in_workers = True

    def __init__(self) -> None:
        self.runner = ChunkRunner()

    def prepare(self, scenarios: Iterable[Scenario]) -> None:
        """Keep the compiled scenarios: no need to load them again."""
        for scenario in scenarios:
            self.runner.add_scenario(scenario)

    def submit(self, task: ChunkTask, work: ChunkWork | None = None) -> Future[ChunkResult]:
        """Run the chunk now; the future holds its result or its exception."""
        future: Future[ChunkResult] = Future()
        try:
            future.set_result((work or self.runner.run)(task))
        except Exception as exc:  # recorded as the chunk's failure
            future.set_exception(exc)
        return future

    def wait(self, futures: Collection[ChunkFuture]) -> tuple[set[ChunkFuture], set[ChunkFuture]]:
        """Every future is already done."""
        return set(futures), set()

    def restart(self) -> None:
        """Nothing to restart."""

    def close(self, cancel: bool) -> None:
        """Nothing to stop; the objects the runner froze are unfrozen (this process goes on)."""
        self.runner.close()


def _worker_setup(sweep_pid: int) -> None:
    """Worker initializer: leave Ctrl-C and SIGTERM to the sweep process, and die with it.

    The sweep process stops gracefully on either signal (running chunks finish); the worker
    must not die half-way on a signal sent to the whole process group. It must not outlive the
    sweep process either (see :func:`sim.research.sweep.lifeline.follow`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    follow(sweep_pid)


def warm_kernels(only_cached: bool) -> None:
    """Make the compiled engine's kernels ready in this process (a fork server, before it forks workers).

    With ``only_cached`` only when the disk cache holds them (then loading costs under a
    second); never when numba does not import. numba is imported without its BLAS check
    (:func:`sim.engine.kernels.numba_without_blas`: this process and its workers only run
    Trilat's kernels). A failure is left to the workers, which then load or compile the kernels
    themselves, as without a warm-up.
    """
    from sim.engine import kernels

    try:
        if kernels.numba_without_blas() and (not only_cached or kernels.cached()):
            kernels.warm_up()
    except Exception:  # noqa: BLE001 - the fork server must start anyway; the workers then do it themselves
        return


def process_context(warm: str | None = None) -> BaseContext:
    """The 'forkserver' context where available (with the worker modules preloaded), else 'spawn'.

    With ``warm`` (``"always"`` or ``"cached"``, see :data:`KERNEL_WARM_UP`) the fork server also
    makes the compiled engine's kernels ready before it forks a worker. The preload list only
    matters when the fork server starts: one fork server serves a whole Python process.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(WORKER_MODULES + ([KERNEL_WARM_UP[warm]] if warm else []) + [FORK_READY])
        return context
    return multiprocessing.get_context("spawn")


def start_fork_server(warm: str | None = None) -> None:
    """Start the fork server now: it imports the worker modules (and warms the kernels) while the experiment loads."""
    if process_context(warm).get_start_method() == "forkserver":
        forkserver.ensure_running()


class ProcessPool:
    """A local process pool ('forkserver' where available, else 'spawn')."""

    writes_in_workers = True

    def __init__(self, workers: int, warm: str | None = None) -> None:
        self.context = process_context(warm)
        self.name = f"{workers} {self.context.get_start_method()} processes"
        self.window = 2 * workers
        self.workers = workers
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.context, initializer=_worker_setup, initargs=(os.getpid(),)
        )

    def prepare(self, scenarios: Iterable[Scenario]) -> None:
        """Workers load each scenario from its file once (and check its hash)."""

    def submit(self, task: ChunkTask, work: ChunkWork | None = None) -> Future[ChunkResult]:
        """Queue the chunk in the pool."""
        return self.pool.submit(work or run_chunk, task)

    def wait(self, futures: Collection[ChunkFuture]) -> tuple[set[ChunkFuture], set[ChunkFuture]]:
        """Wait for the first chunk to finish."""
        mine: list[Future[ChunkResult]] = [f for f in futures if isinstance(f, Future)]
        done, pending = wait_futures(mine, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def restart(self) -> None:
        """A worker died (out of memory?): the pool is unusable; start a new one."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new_pool()

    def close(self, cancel: bool) -> None:
        """Shut the pool down, letting running chunks finish."""
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class DaskCluster:
    """A Dask cluster: a LocalCluster (``'local'``) or an existing scheduler's address."""

    def __init__(self, address: str, workers: int, timeout: float = DASK_CONNECT_TIMEOUT) -> None:
        check_dask_address(address, timeout)
        try:
            # Optional dependency (the 'cluster' extra): imported only for a Dask sweep.
            from distributed import Client, LocalCluster
        except ImportError:
            raise SweepError(
                "--dask needs dask.distributed, which is not installed: pip install 'trilat[cluster]'"
            ) from None
        self.cluster: Any = None
        if address == "local":
            import dask  # present with distributed

            # Dask sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, which makes glibc return
            # memory to the system on nearly every free: a chunk's many short-lived arrays then
            # cost about 3x the CPU of a pool worker (measured). Keep glibc's own, adaptive policy.
            with dask.config.set({LOCAL_TRIM: None}):
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self.client = Client(self.cluster)
            self.name = f"Dask LocalCluster ({workers} workers)"
        else:
            probe_scheduler(address, timeout)  # fails fast: closed port, silent or foreign listener
            try:
                self.client = Client(address, timeout=f"{timeout}s")
            except (OSError, TimeoutError) as exc:
                raise SweepError(f"--dask {address}: cannot reach the Dask scheduler: {exc}") from None
            self.name = f"Dask scheduler {address}"
        # A LocalCluster shares this file system; a remote cluster may not, so its workers send
        # the tables back and this process writes them.
        self.writes_in_workers = address == "local"
        self.window = 1 << 30  # the scheduler queues: submit everything
        self._shipped: dict[str, Any] = {}

    def prepare(self, scenarios: Iterable[Scenario]) -> None:
        """Send the compiled scenarios to every worker once (remote workers may lack the files)."""
        for scenario in scenarios:
            self._shipped[scenario.content_hash] = self.client.scatter(scenario, broadcast=True)

    def submit(self, task: ChunkTask, work: ChunkWork | None = None) -> Any:
        """Submit the chunk to the scheduler, with its shipped scenario."""
        shipped = self._shipped.get(task.scenario_hash)
        return self.client.submit(work or run_chunk, task, shipped, pure=False)

    def wait(self, futures: Collection[ChunkFuture]) -> tuple[set[ChunkFuture], set[ChunkFuture]]:
        """Wait for the first chunk to finish."""
        from distributed import wait  # optional dependency, present once a cluster runs

        result = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(result.done), set(result.not_done)

    def restart(self) -> None:
        """The scheduler replaces lost workers itself."""

    def close(self, cancel: bool) -> None:
        """Close the client (and the LocalCluster this back end started)."""
        with contextlib.suppress(Exception):  # best effort: the cluster may already be gone
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


def make_backend(
    workers: int, dask: str | None, timeout: float = DASK_CONNECT_TIMEOUT, warm: str | None = None
) -> Backend:
    """The back end for ``workers`` and ``dask`` (see :func:`run_sweep`; ``timeout``: seconds for a scheduler).

    ``warm``: whether a local pool's fork server makes the compiled kernels ready for its
    workers (:func:`~sim.research.sweep.plan.kernel_warm_up`).
    """
    if dask is not None:
        return DaskCluster(dask, workers, timeout)
    if workers == 1:
        return InProcess()
    return ProcessPool(workers, warm)
