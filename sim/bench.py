"""``trilat bench``: ensemble speed against one replication at a time, and scenario load time.

Figures are ratios measured in one process run, so they are comparable across machines; the
absolute runs per second depend on the machine and how busy it is.
"""

from __future__ import annotations

import platform
import time
from typing import Any

import numpy as np

from sim.engine.model import TrilateralModel
from sim.lang.scenario import library_ids, load_scenario


def _time_load(name: str, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
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


def run_bench(scenario_name: str = "baseline", ensemble_runs: int = 10_000, seconds: float = 3.0) -> dict[str, Any]:
    """Measure load time, one-at-a-time runs/s and ensemble runs/s; return the figures."""
    load_s = _time_load(scenario_name)
    # The largest shipped scenario is the one with the most YAML once its extends: chain is counted.
    chains = {ident: load_scenario(ident).files for ident in library_ids()}
    largest = max(chains, key=lambda ident: sum(f.stat().st_size for f in chains[ident]))
    largest_load_s = _time_load(largest)
    scenario = load_scenario(scenario_name)
    turns = scenario.turns

    from sim.engine.kernels.measure import engine_figures

    # First, so the compiled kernels are built before the ensemble timings below.
    engines = engine_figures(scenario, ensemble_runs)
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
    TrilateralModel(scenario, seed=1, replications=ensemble_runs).run()
    ensemble_s = time.perf_counter() - start
    ensemble_rate = ensemble_runs / ensemble_s

    start = time.perf_counter()
    TrilateralModel(scenario, seed=1, replications=ensemble_runs, record=False).run()
    fast_s = time.perf_counter() - start

    game_turn_ms = _time_game_turns(scenario)

    return {
        "scenario": scenario.id,
        "turns": turns,
        "python": platform.python_version(),
        "load_compile_ms": round(load_s * 1000, 2),
        "largest_scenario": largest,
        "largest_load_compile_ms": round(largest_load_s * 1000, 2),
        "single": {"runs": single_runs, "seconds": round(elapsed, 3), "runs_per_s": round(single_rate, 1)},
        "ensemble": {"runs": ensemble_runs, "seconds": round(ensemble_s, 3), "runs_per_s": round(ensemble_rate, 1)},
        "ensemble_no_record": {
            "runs": ensemble_runs,
            "seconds": round(fast_s, 3),
            "runs_per_s": round(ensemble_runs / fast_s, 1),
        },
        "speedup": round(ensemble_rate / single_rate, 1),
        "game_turn_300_shadows_ms": round(game_turn_ms, 1),
        "engines": engines,
        "goals": {"speedup": 100, "ensemble_runs_per_s": 20_000, "load_compile_ms": 100, "game_turn_ms": 200},
    }


def print_bench(results: dict[str, Any]) -> None:
    """Print the figures with the goals beside them."""
    goals = results["goals"]

    def mark(ok: bool) -> str:
        return "ok" if ok else "BELOW GOAL"

    print(f"trilat bench - scenario {results['scenario']} ({results['turns']} turns), Python {results['python']}")
    print(
        f"  load + validate + compile:      {results['load_compile_ms']:>10.1f} ms"
        f"   ({mark(results['load_compile_ms'] <= goals['load_compile_ms'])}; goal <= {goals['load_compile_ms']} ms)"
    )
    print(
        f"  largest scenario ({results['largest_scenario']}):".ljust(34)
        + f"{results['largest_load_compile_ms']:>10.1f} ms"
        + f"   ({mark(results['largest_load_compile_ms'] <= goals['load_compile_ms'])})"
    )
    single, ens, fast = results["single"], results["ensemble"], results["ensemble_no_record"]
    print(f"  one at a time (R=1):            {single['runs_per_s']:>10.1f} runs/s  ({single['runs']} runs)")
    print(
        f"  ensemble (R={ens['runs']}):           {ens['runs_per_s']:>10.1f} runs/s"
        f"   ({mark(ens['runs_per_s'] >= goals['ensemble_runs_per_s'])}; goal >= {goals['ensemble_runs_per_s']})"
    )
    print(f"  ensemble, no cause record:      {fast['runs_per_s']:>10.1f} runs/s")
    print(
        f"  speed-up per run:               {results['speedup']:>10.1f} x"
        f"       ({mark(results['speedup'] >= goals['speedup'])}; goal >= {goals['speedup']}x)"
    )
    engines = results.get("engines")
    if engines:
        print(f"  numpy engine, CPU time:         {engines['numpy_runs_per_cpu_s']:>10.1f} runs/CPU-s")
        if engines["compiled_runs_per_cpu_s"] is None:
            print("  compiled engine:                 not available (numba missing)")
        else:
            print(
                f"  compiled engine, CPU time:      {engines['compiled_runs_per_cpu_s']:>10.1f} runs/CPU-s"
                f"   ({engines['speedup']:.2f}x numpy; kernels compiled in {engines['compile_s']:.2f} s)"
            )
        print(
            f"  reference a*b+c workload:       {engines['reference_s']:>10.3f} CPU-s"
            f"   (ensemble / reference = {engines['baseline_to_reference']:.2f}; goal <= 0.6)"
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
