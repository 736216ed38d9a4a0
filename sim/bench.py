"""``trilat bench``: speed per CPU-second against the machine's own reference, start-up, and more.

Figures are ratios measured in one process run, so they are comparable across machines; the
absolute runs per second depend on the machine and how busy it is (the load average is printed
beside them). The CPU-time figures (numpy and compiled paths, the reference workload, start-up)
come from :mod:`sim.bench_machine`; the wall-clock ones (one run at a time against an ensemble,
scenario load, a game turn) are measured here.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim import bench_machine
from sim.engine.memory import retain_freed_memory
from sim.engine.model import TrilateralModel
from sim.lang.kept import CACHE_ENV as SCENARIO_CACHE_ENV
from sim.lang.listing import CACHE_ENV as LISTING_CACHE_ENV
from sim.lang.loading import clear_parse_cache
from sim.lang.scenario import library_ids, load_scenario

GOALS: dict[str, float] = {
    "speedup": 100,
    "ensemble_runs_per_s": 20_000,
    "load_compile_ms": 100,
    "game_turn_ms": 200,
    "ratio_to_reference": 0.6,
    "list_s": 0.5,
    "run_s": 1.0,
}
"""What each figure should reach (issue 14: a 10,000-world run at most 0.6x the reference's CPU time)."""


def _startup_figures(scenario_name: str, repeats: int) -> dict[str, dict[str, Any]]:
    """Start-up of ``trilat list`` and of a one-story ``trilat run``, as a user's second command meets them.

    ``list`` prints the listing kept on disk (:mod:`sim.lang.listing`, filled by an untimed first
    run) and ``list_unkept`` reads every file, as the first listing after a change does; ``run``
    runs the compiled scenario kept on disk (:mod:`sim.lang.kept`) and ``run_unkept`` reads and
    checks its files, as the first run after a change does. The commands run with Python's
    bytecode: where this machine's Python writes none (``PYTHONDONTWRITEBYTECODE``), the children
    keep theirs in a private folder (:func:`~sim.bench_machine.bytecode_env`) and
    ``run_compiling`` is also measured, compiling Trilat's sources on every start as such a
    machine does. The repeats are timed in rounds, every command once per round
    (:func:`~sim.bench_machine.startup_rounds`). Each figure says its conditions.
    """
    with tempfile.TemporaryDirectory(prefix="trilat-bench-startup-") as tmp:
        bytecode = bench_machine.bytecode_env(Path(tmp) / "bytecode")
        with_bytecode = bytecode or {}
        code = "private bytecode cache" if bytecode else "bytecode"
        command = bench_machine.StartupCommand
        run = ("run", scenario_name)
        commands = {
            "list": command(("list",), {**with_bytecode, LISTING_CACHE_ENV: tmp}, untimed_first=True),
            "list_unkept": command(("list",), {**with_bytecode, LISTING_CACHE_ENV: "off"}, untimed_first=True),
            "run": command(run, {**with_bytecode, SCENARIO_CACHE_ENV: tmp}, untimed_first=True),
            "run_unkept": command(run, {**with_bytecode, SCENARIO_CACHE_ENV: "off"}, untimed_first=True),
        }
        conditions = {
            "list": f"listing kept on disk, {code}",
            "list_unkept": f"every scenario file read, {code}",
            "run": f"compiled scenario kept on disk, {code}",
            "run_unkept": f"scenario files read and checked, {code}",
        }
        if bytecode is not None:
            compiling = bench_machine.sources_without_bytecode(Path(tmp) / "libraries", run, {SCENARIO_CACHE_ENV: tmp})
            commands["run_compiling"] = command(run, compiling)
            conditions["run_compiling"] = "sources compiled on every start (PYTHONDONTWRITEBYTECODE)"
        figures = bench_machine.startup_rounds(commands, repeats)
        for name, timing in figures.items():
            timing["conditions"] = conditions[name]
    return figures


def _time_load(name: str, repeats: int = 5) -> float:
    """Median wall time of a cold load (the files parsed again each time, as a new process does)."""
    times = []
    for _ in range(repeats):
        clear_parse_cache()
        start = time.perf_counter()
        load_scenario(name)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _time_game_turns(scenario: Any, shadows: int = 300) -> float:
    """Median time to resolve one game turn: the story plus ``shadows`` shadow worlds."""
    from sim.play.session import GameSession, GameSettings

    session = GameSession(GameSettings(scenario=scenario.id, seed=1, shadows=shadows), scenario)
    times = []
    while not session.finished:
        start = time.perf_counter()
        session.resolve()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def _say(quiet: bool) -> Callable[[str], None]:
    def say(text: str) -> None:
        if not quiet:
            print(f"bench: {text}", file=sys.stderr, flush=True)

    return say


def run_bench(
    scenario_name: str = "baseline",
    ensemble_runs: int = 10_000,
    seconds: float = 3.0,
    *,
    repeats: int = 3,
    reference_iterations: int = bench_machine.REFERENCE_ITERATIONS,
    quiet: bool = True,
) -> dict[str, Any]:
    """Measure every figure of ``trilat bench`` and return them (the JSON of ``--json``).

    Args:
        scenario_name: the scenario to measure.
        ensemble_runs: the ensemble size R of the ensemble and CPU-time figures.
        seconds: the time budget of the one-at-a-time loop.
        repeats: timings per CPU-time and start-up figure (the median is kept).
        reference_iterations: evaluations of ``a * b + c`` in the reference workload (the
            issue's figure by default; fewer only to test the bench itself).
        quiet: print no progress on stderr.
    """
    say = _say(quiet)
    retain_freed_memory()  # as trilat run and sweep workers do (sim.engine.memory)
    load_start = bench_machine.load_average()
    say("reference workload")
    reference_s = bench_machine.reference_cpu_seconds(reference_iterations)
    scenario = load_scenario(scenario_name)
    say(f"numpy and compiled paths, R={ensemble_runs}")
    cpu = bench_machine.engine_figures(scenario, ensemble_runs, reference_s, repeats)
    say("start-up of trilat list and trilat run")
    startup = _startup_figures(scenario_name, repeats)
    say("load times, one run at a time, ensembles, a game turn")
    load_s = _time_load(scenario_name)
    # The largest shipped scenario is the one with the most YAML once its extends: chain is counted.
    chains = {ident: load_scenario(ident).files for ident in library_ids()}
    largest = max(chains, key=lambda ident: sum(f.stat().st_size for f in chains[ident]))
    largest_load_s = _time_load(largest)
    scenario = load_scenario(scenario_name)
    turns = scenario.turns

    # One replication at a time: a fresh R=1 model per run, as a naive tool would do.
    single_runs = 0
    start = time.perf_counter()
    while True:
        TrilateralModel(scenario, seed=1, replication_ids=[single_runs]).run()
        single_runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and single_runs >= 3:
            break
    single_rate = single_runs / elapsed

    start = time.perf_counter()
    default = TrilateralModel(scenario, seed=1, replications=ensemble_runs).run()
    ensemble_s = time.perf_counter() - start
    ensemble_rate = ensemble_runs / ensemble_s

    # The default leaves an ensemble's cause-and-effect record off: this is what asking for it costs.
    start = time.perf_counter()
    TrilateralModel(scenario, seed=1, replications=ensemble_runs, record=True).run()
    recorded_s = time.perf_counter() - start

    game_turn_ms = _time_game_turns(scenario)

    return {
        "scenario": scenario.id,
        "turns": turns,
        "python": platform.python_version(),
        "load_average": {"start": load_start, "end": bench_machine.load_average()},
        "reference": {
            "workload": "a * b + c on float64 arrays",
            "elements": bench_machine.REFERENCE_ELEMENTS,
            "iterations": reference_iterations,
            "element_operations": bench_machine.REFERENCE_ELEMENTS * reference_iterations,
            "cpu_s": reference_s,
        },
        "cpu": cpu,
        "startup": startup,
        "load_compile_ms": round(load_s * 1000, 2),
        "largest_scenario": largest,
        "largest_load_compile_ms": round(largest_load_s * 1000, 2),
        "single": {"runs": single_runs, "seconds": round(elapsed, 3), "runs_per_s": round(single_rate, 1)},
        "ensemble": {
            "runs": ensemble_runs,
            "seconds": round(ensemble_s, 3),
            "runs_per_s": round(ensemble_rate, 1),
            "engine": getattr(default, "engine", "numpy"),
        },
        "ensemble_with_record": {
            "runs": ensemble_runs,
            "seconds": round(recorded_s, 3),
            "runs_per_s": round(ensemble_runs / recorded_s, 1),
        },
        "speedup": round(ensemble_rate / single_rate, 1),
        "game_turn_300_shadows_ms": round(game_turn_ms, 1),
        "goals": dict(GOALS),
    }


def _load_text(load: list[float] | None) -> str:
    return " ".join(f"{value:.2f}" for value in load) if load else "unknown"


def print_cpu_figures(results: dict[str, Any], mark: Callable[[bool], str]) -> None:
    """The CPU-time lines: load, the reference, each path against it, compile time, start-up."""
    goals, ref, cpu = results["goals"], results["reference"], results["cpu"]
    load = results["load_average"]
    print(f"  machine load (1/5/15 min):      {_load_text(load['start'])} at start, {_load_text(load['end'])} at end")
    print(f"  reference ({ref['element_operations'] / 1e6:,.0f}M x a*b+c):".ljust(34) + f"{ref['cpu_s']:>10.3f} s CPU")
    goal = goals["ratio_to_reference"]
    for path in ("numpy", "compiled"):
        figures = cpu[path]
        label = f"  {path} path (R={cpu['runs']}):".ljust(34)
        if figures is None:
            print(f"{label}{cpu['compiled_note']}")
            continue
        ratio = figures["ratio_to_reference"]
        print(
            f"{label}{figures['runs_per_cpu_s']:>10,.0f} runs/CPU-s; {figures['cpu_s']:.3f} s CPU = "
            f"{ratio:.2f} x reference ({mark(ratio <= goal)}; goal <= {goal} x)"
        )
    if cpu["compiled_over_numpy"] is not None:
        print(f"  compiled / numpy (runs/CPU-s):  {cpu['compiled_over_numpy']:>10.2f} x")
    if cpu["first_call_compile_s"] is not None:
        print(f"  first-call compile:             {cpu['first_call_compile_s']:>10.2f} s")
    if cpu.get("cached_load_s") is not None:
        print(f"  kernels from the disk cache:    {cpu['cached_load_s']:>10.2f} s")
    startup_lines = (
        ("list", "list_s"),
        ("list_unkept", None),
        ("run", "run_s"),
        ("run_unkept", None),
        ("run_compiling", None),
    )
    for name, goal_key in startup_lines:
        timing = results["startup"].get(name)
        if timing is None:
            continue
        verdict = f"{mark(timing['wall_s'] <= goals[goal_key])}; goal <= {goals[goal_key]} s; " if goal_key else ""
        print(
            f"  start-up, {timing['command']}:".ljust(34)
            + f"{timing['wall_s']:>10.2f} s wall, {timing['cpu_s']:.2f} s CPU"
            + f"   ({verdict}{timing.get('conditions', '')})"
        )


def print_bench(results: dict[str, Any]) -> None:
    """Print the figures with the goals beside them."""
    goals = results["goals"]

    def mark(ok: bool) -> str:
        return "ok" if ok else "BELOW GOAL"

    print(f"trilat bench - scenario {results['scenario']} ({results['turns']} turns), Python {results['python']}")
    print_cpu_figures(results, mark)
    print(
        f"  load + validate + compile:      {results['load_compile_ms']:>10.1f} ms"
        f"   ({mark(results['load_compile_ms'] <= goals['load_compile_ms'])}; goal <= {goals['load_compile_ms']} ms)"
    )
    print(
        f"  largest scenario ({results['largest_scenario']}):".ljust(34)
        + f"{results['largest_load_compile_ms']:>10.1f} ms"
        + f"   ({mark(results['largest_load_compile_ms'] <= goals['load_compile_ms'])})"
    )
    single, ens, fast = results["single"], results["ensemble"], results["ensemble_with_record"]
    print(f"  one at a time (R=1):            {single['runs_per_s']:>10.1f} runs/s  ({single['runs']} runs)")
    print(
        f"  ensemble (R={ens['runs']}):           {ens['runs_per_s']:>10.1f} runs/s"
        f"   ({mark(ens['runs_per_s'] >= goals['ensemble_runs_per_s'])}; goal >= {goals['ensemble_runs_per_s']};"
        f" {ens['engine']} engine)"
    )
    print(f"  ensemble, with cause record:    {fast['runs_per_s']:>10.1f} runs/s")
    print(
        f"  speed-up per run:               {results['speedup']:>10.1f} x"
        f"       ({mark(results['speedup'] >= goals['speedup'])}; goal >= {goals['speedup']}x)"
    )
    for size, frames in results.get("ui_frames", {}).items():
        worst = max(frames.values())
        print(
            f"  game window frame, {size}:".ljust(34)
            + f"{worst:>10.1f} ms   ({mark(worst <= 1000 / 30)}; goal >= 30 fps: <= 33 ms)"
        )
    turn_ms = results["game_turn_300_shadows_ms"]
    print(
        f"  game turn, story + 300 shadows: {turn_ms:>10.1f} ms"
        f"   ({mark(turn_ms <= goals['game_turn_ms'])}; goal <= {goals['game_turn_ms']} ms)"
    )
