"""``trilat bench``'s CPU-time figures: the machine's reference workload, each engine path, start-up.

Speeds here are in runs per CPU-second (:func:`time.process_time`), which a busy machine disturbs
less than wall time, and are set against the CPU time of a fixed numpy workload measured in the
same process, so the ratio says how close the model is to what this machine's numpy can do:

- the reference: :data:`REFERENCE_ITERATIONS` evaluations of ``a * b + c`` on
  :data:`REFERENCE_ELEMENTS`-element float64 arrays (687 million element-operations);
- a baseline ensemble of R worlds (no cause record, no per-turn snapshots) on the numpy path
  and, where the build has it, the compiled path (``TrilateralModel(..., engine=...)``);
- the compiled kernels' first-call compile time (``sim.engine.kernels.warm_up()`` in a fresh
  process with the kernel cache off) and the time the same warm-up takes when it loads them from
  the on-disk cache (:mod:`sim.engine.kernels.cache`; a fresh cache filled by a first process);
- the start-up of ``trilat list`` and of a one-story ``trilat run`` in fresh processes (wall
  and CPU time, the median of a few).
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import inspect
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REFERENCE_ELEMENTS = 10_000
REFERENCE_ITERATIONS = 68_700
"""687 million element-operations of ``a * b + c`` (the issue's fixed reference workload)."""

NOT_AVAILABLE = "not available in this build"


def load_average() -> list[float] | None:
    """The machine's 1, 5 and 15 minute load averages (None where the system has none)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def reference_cpu_seconds(iterations: int = REFERENCE_ITERATIONS) -> float:
    """CPU seconds of ``iterations`` evaluations of ``a * b + c`` on 10,000-element float64 arrays."""
    rng = np.random.default_rng(0)
    a, b, c = (rng.random(REFERENCE_ELEMENTS) for _ in range(3))
    start = time.process_time()
    for _ in range(iterations):
        a * b + c
    return round(time.process_time() - start, 6)


def engine_option() -> bool:
    """Whether this build's model takes ``engine=`` (the compiled path's switch)."""
    from sim.engine.model import TrilateralModel

    return "engine" in inspect.signature(TrilateralModel.__init__).parameters


def compiled_warm_up() -> Callable[[], float] | None:
    """``sim.engine.kernels.warm_up`` (compiles the kernels, returns seconds) if this build has it."""
    if importlib.util.find_spec("sim.engine.kernels") is None:
        return None
    warm_up = getattr(importlib.import_module("sim.engine.kernels"), "warm_up", None)
    return warm_up if callable(warm_up) else None


def _model(scenario: Any, runs: int, engine: str | None) -> Any:
    from sim.engine.model import TrilateralModel

    options: dict[str, Any] = {"engine": engine} if engine is not None else {}
    return TrilateralModel(scenario, seed=1, replications=runs, record=False, keep="final", **options)


def warm_up_seconds(cache: str) -> float:
    """Seconds ``sim.engine.kernels.warm_up()`` takes in a fresh process with ``TRILAT_KERNEL_CACHE=cache``."""
    from sim.engine.kernels.cache import CACHE_ENV

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(  # noqa: S603 - this Python running a fixed snippet of this package
        [sys.executable, "-c", "from sim.engine import kernels; print(kernels.warm_up())"],
        cwd=root,
        env={**os.environ, CACHE_ENV: cache},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return round(float(done.stdout.strip().splitlines()[-1]), 3)


def compile_figures() -> dict[str, float]:
    """The kernels' compile time (no cache) and their load time from a filled on-disk cache."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="trilat-bench-cache-") as folder:
        warm_up_seconds(folder)  # fills the cache
        cached = warm_up_seconds(folder)
    return {"first_call_compile_s": warm_up_seconds("off"), "cached_load_s": cached}


def compiled_path_note(scenario: Any) -> str | None:
    """None when the compiled path runs here, else why not (one line)."""
    if not engine_option():
        return NOT_AVAILABLE
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = _model(scenario, 2, "compiled")
    if getattr(model, "engine", "compiled") != "compiled":
        said = "; ".join(str(w.message) for w in caught)
        return f"not available on this machine ({said or 'the model fell back to numpy'})"
    return None


def cpu_seconds_of_run(scenario: Any, runs: int, engine: str | None, repeats: int) -> float:
    """Median CPU seconds of an R-world run, in steady state.

    One untimed run of the same size comes first (kernels loaded, the heap grown to its size);
    before each timed run the garbage collector frees the last model (Mesa's agents and model
    hold each other in reference cycles), so no run pays for collecting or faulting in another's memory.
    """
    _model(scenario, runs, engine).run()
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.process_time()
        _model(scenario, runs, engine).run()
        times.append(time.process_time() - start)
    return float(statistics.median(times))


def _path_figures(cpu_s: float, runs: int, reference_s: float) -> dict[str, float]:
    """A path's figures, each derived from the reported (rounded) CPU times."""
    cpu_s = round(cpu_s, 6)
    return {
        "cpu_s": cpu_s,
        "runs_per_cpu_s": round(runs / cpu_s, 1),
        "ratio_to_reference": round(cpu_s / max(reference_s, 1e-6), 3),
    }


def engine_figures(scenario: Any, runs: int, reference_s: float, repeats: int) -> dict[str, Any]:
    """Runs per CPU-second on each path, their ratio, each path's CPU time over the reference's."""
    numpy_engine = "numpy" if engine_option() else None
    numpy_s = cpu_seconds_of_run(scenario, runs, numpy_engine, repeats)
    out: dict[str, Any] = {
        "runs": runs,
        "numpy": _path_figures(numpy_s, runs, reference_s),
        "compiled": None,
        "compiled_note": compiled_path_note(scenario),
        "compiled_over_numpy": None,
        "first_call_compile_s": None,
        "cached_load_s": None,
    }
    warm_up = compiled_warm_up()
    if out["compiled_note"] is None and warm_up is not None:
        out.update(compile_figures())
        warm_up()  # this process's kernels (from the user's cache when it has them)
    if out["compiled_note"] is None:
        compiled_s = cpu_seconds_of_run(scenario, runs, "compiled", repeats)
        out["compiled"] = _path_figures(compiled_s, runs, reference_s)
        out["compiled_over_numpy"] = round(
            out["numpy"]["cpu_s"] / out["compiled"]["cpu_s"], 3
        )  # a rate ratio: compiled runs/s over numpy's
    return out


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class StartupCommand:
    """A ``trilat`` command to time in fresh interpreters.

    Attributes:
        args: the command's arguments.
        env: variables to set (a None value removes the variable) in the children's environment.
        untimed_first: run the command once before timing it (so that what it keeps on disk,
            Python's bytecode or the kept listing, is there, as for a user's second command).
    """

    args: tuple[str, ...]
    env: Mapping[str, str | None] = field(default_factory=dict)
    untimed_first: bool = False


def startup_rounds(commands: Mapping[str, StartupCommand], repeats: int) -> dict[str, dict[str, Any]]:
    """Median wall and CPU seconds of each command in a fresh interpreter (this code, this Python).

    The untimed first runs come first; then ``repeats`` rounds each time every command once, in
    turn, so that a spell in which the machine runs slower (a shared machine's usual drift) weighs
    on every command alike rather than on the one timed during it.
    """
    envs = {name: _changed_environment(command.env) for name, command in commands.items()}
    for name, command in commands.items():
        if command.untimed_first:
            _time_child(command.args, envs[name])
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            times[name].append(_time_child(command.args, envs[name]))
    return {
        name: {
            "command": " ".join(["trilat", *command.args]),
            "wall_s": round(statistics.median(wall for wall, _ in times[name]), 3),
            "cpu_s": round(statistics.median(cpu for _, cpu in times[name]), 3),
            "repeats": repeats,
        }
        for name, command in commands.items()
    }


def startup_seconds(
    args: list[str], repeats: int, env: dict[str, str | None] | None = None, untimed_first: bool = False
) -> dict[str, Any]:
    """Median wall and CPU seconds of ``trilat ARGS`` (:func:`startup_rounds` of one command)."""
    return startup_rounds({"it": StartupCommand(tuple(args), env or {}, untimed_first)}, repeats)["it"]


def _time_child(args: tuple[str, ...], child_env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of ``trilat ARGS`` in a child Python."""
    root = Path(__file__).resolve().parent.parent  # the folder holding the ``sim`` package
    cpu, wall = _child_cpu(), time.perf_counter()
    subprocess.run(  # noqa: S603 - this Python running this package's CLI, with fixed arguments
        [sys.executable, "-m", "sim.cli", *args],
        cwd=root,
        env=child_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=300,
    )
    return time.perf_counter() - wall, _child_cpu() - cpu


def bytecode_env(folder: Path) -> dict[str, str | None] | None:
    """The environment changes that give a start-up child Python's bytecode cache, or None if it has it already.

    An installed package comes with its bytecode, and Python writes it for a checkout on its first
    import; with ``PYTHONDONTWRITEBYTECODE`` set (as on some shared machines) every start compiles
    Trilat's sources again (0.1-0.3 s of a one-story run, measured on 2 December 2026). The children then keep their
    bytecode in ``folder`` (``PYTHONPYCACHEPREFIX``), outside the checkout.
    """
    if not (sys.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE")):
        return None
    return {"PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": str(folder)}


def compile_bytecode(env: Mapping[str, str | None], imports: Sequence[str] = ()) -> None:
    """Compile Trilat's sources in a child Python with ``env`` (:func:`bytecode_env`'s), as an install does.

    The packages' bytecode then lies in the child's cache folder, so a process started later with
    the same environment (a sweep's fork server, :func:`environment`) reads it instead of
    compiling every module, as an installed copy does. A cache folder holds the bytecode of
    every module (``PYTHONPYCACHEPREFIX`` replaces the ``__pycache__`` folders of the installed
    libraries too), so a second child then imports ``imports``: the libraries those modules load
    (numpy, numba, pyarrow ...) get their bytecode as well, as they have it in an installed
    environment.
    """
    root = Path(__file__).resolve().parent.parent  # the folder holding the ``sim`` package
    packages = [str(root / name) for name in ("sim", "agents") if (root / name).is_dir()]
    child_env = _changed_environment(env)
    subprocess.run(  # noqa: S603 - this Python's compileall, on this package's folders
        [sys.executable, "-m", "compileall", "-q", *packages],
        env=child_env,
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=300,
    )
    if imports:
        subprocess.run(  # noqa: S603 - this Python importing this package's modules, by name
            [
                sys.executable,
                "-c",
                "import importlib, sys\nfor name in sys.argv[1:]: importlib.import_module(name)",
                *imports,
            ],
            cwd=root,
            env=child_env,
            stdout=subprocess.DEVNULL,
            check=True,
            timeout=600,
        )


def sources_without_bytecode(folder: Path, args: Sequence[str], env: Mapping[str, str | None]) -> dict[str, str | None]:
    """Children's environment in which the libraries have bytecode and Trilat's own sources have none.

    ``trilat ARGS`` runs once with ``folder`` as its bytecode cache (``PYTHONPYCACHEPREFIX``), which
    gives every module it imports its bytecode there; Trilat's packages are then removed from the
    folder, and the environment returned (``env`` with that folder and
    ``PYTHONDONTWRITEBYTECODE=1``) makes a child compile exactly Trilat's sources at every start,
    as a checkout run on such a machine does, whatever ``__pycache__`` folders the checkout holds.
    """
    root = Path(__file__).resolve().parent.parent  # the folder holding the ``sim`` package
    warm = {**env, "PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": str(folder)}
    _time_child(tuple(args), _changed_environment(warm))
    mirror = folder / root.relative_to(root.anchor)
    for package in ("sim", "agents", "scenarios", "ui"):
        shutil.rmtree(mirror / package, ignore_errors=True)
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(folder)}


def _changed_environment(changes: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment with ``changes`` (None removes a variable), for a child process."""
    child_env = dict(os.environ)
    _put(child_env, changes)
    return child_env


def _put(env: MutableMapping[str, str], changes: Mapping[str, str | None]) -> None:
    """Set each variable of ``changes`` in ``env``, removing those whose value is None."""
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value


@contextmanager
def environment(changes: Mapping[str, str | None]) -> Iterator[None]:
    """Within the block, this process's environment has ``changes`` (None removes a variable).

    Child processes started within the block inherit it (a sweep's fork server); afterwards every
    variable is as before.
    """
    before = {name: os.environ.get(name) for name in changes}
    try:
        _put(os.environ, changes)
        yield
    finally:
        _put(os.environ, before)
