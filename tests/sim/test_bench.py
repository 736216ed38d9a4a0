"""``trilat bench``: every figure is reported, and every ratio is computed from the measured numbers.

No timing is asserted (the machine is shared): only that the figures exist, are positive and agree
with one another.
"""

from __future__ import annotations

import pytest

from sim import bench_machine
from sim.bench import GOALS, print_bench, run_bench


@pytest.fixture(scope="module")
def results():
    return run_bench("baseline", ensemble_runs=300, seconds=0.1, repeats=1, reference_iterations=500)


def test_the_json_has_every_figure(results):
    assert set(results) >= {
        "scenario",
        "load_average",
        "reference",
        "cpu",
        "startup",
        "single",
        "ensemble",
        "ensemble_with_record",
        "speedup",
        "load_compile_ms",
        "game_turn_300_shadows_ms",
        "goals",
    }
    assert set(results["cpu"]) == {
        "runs",
        "numpy",
        "compiled",
        "compiled_note",
        "compiled_over_numpy",
        "first_call_compile_s",
        "cached_load_s",
    }
    assert set(results["load_average"]) == {"start", "end"}
    assert results["ensemble"]["engine"] in {"numpy", "compiled"}
    assert results["ensemble_with_record"]["runs"] == results["ensemble"]["runs"] == 300
    assert results["reference"]["iterations"] == 500
    assert results["reference"]["element_operations"] == 500 * bench_machine.REFERENCE_ELEMENTS
    assert results["goals"] == GOALS and GOALS["ratio_to_reference"] == 0.6
    startup = results["startup"]
    compiling = bench_machine.bytecode_env(bench_machine.Path("unused")) is not None
    assert set(startup) == {"list", "list_unkept", "run", "run_unkept", *(["run_compiling"] if compiling else [])}
    for name, timing in startup.items():
        assert timing["command"] == ("trilat list" if name.startswith("list") else "trilat run baseline")
        assert timing["repeats"] == 1 and timing["wall_s"] > 0 and timing["cpu_s"] > 0
    assert startup["list"]["conditions"].startswith("listing kept on disk")
    assert startup["list_unkept"]["conditions"].startswith("every scenario file read")
    assert startup["run"]["conditions"].startswith("compiled scenario kept on disk")
    assert startup["run_unkept"]["conditions"].startswith("scenario files read and checked")


def test_start_up_children_get_python_s_bytecode_where_this_machine_writes_none(monkeypatch, tmp_path):
    monkeypatch.setattr(bench_machine.sys, "dont_write_bytecode", True)
    assert bench_machine.bytecode_env(tmp_path) == {
        "PYTHONDONTWRITEBYTECODE": None,
        "PYTHONPYCACHEPREFIX": str(tmp_path),
    }
    monkeypatch.setattr(bench_machine.sys, "dont_write_bytecode", False)
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    assert bench_machine.bytecode_env(tmp_path) is None  # it has its own: nothing to change


def test_a_start_up_timing_runs_the_command_in_the_environment_given(monkeypatch, tmp_path):
    monkeypatch.setenv("TRILAT_LISTING_CACHE", str(tmp_path / "unwanted"))
    timing = bench_machine.startup_seconds(
        ["list"],
        2,
        {
            "TRILAT_LISTING_CACHE": str(tmp_path / "kept"),
            "PYTHONDONTWRITEBYTECODE": None,
            "PYTHONPYCACHEPREFIX": str(tmp_path / "pyc"),
        },
        True,
    )
    assert timing["repeats"] == 2 and timing["wall_s"] > 0
    assert (tmp_path / "kept" / "listing.json").is_file() and not (tmp_path / "unwanted").exists()
    assert any((tmp_path / "pyc").rglob("*.pyc"))  # the children wrote their bytecode where they were told


def test_each_start_up_figure_uses_its_caches_as_its_conditions_say(monkeypatch):
    """``run`` and ``list`` read what they keep on disk, the ``_unkept`` rows turn it off; all warm up untimed."""
    from sim import bench
    from sim.lang import kept, listing

    seen = {}

    def spy(commands, repeats):
        seen.update(commands)
        return {name: {"command": "trilat", "repeats": repeats, "wall_s": 1.0, "cpu_s": 1.0} for name in commands}

    monkeypatch.setattr(bench_machine, "startup_rounds", spy)
    figures = bench._startup_figures("baseline", 1)
    assert (
        seen["list"].env[listing.CACHE_ENV] not in ("off", None) and seen["list_unkept"].env[listing.CACHE_ENV] == "off"
    )
    assert seen["run"].env[kept.CACHE_ENV] not in ("off", None) and seen["run_unkept"].env[kept.CACHE_ENV] == "off"
    assert seen["list"].args == ("list",) and seen["run"].args == seen["run_unkept"].args == ("run", "baseline")
    assert all(seen[name].untimed_first for name in ("list", "list_unkept", "run", "run_unkept"))
    assert figures["run"]["conditions"].startswith("compiled scenario kept on disk")


def test_start_up_repeats_are_timed_in_rounds_after_the_warm_ups(monkeypatch):
    order = []
    monkeypatch.setattr(bench_machine, "_time_child", lambda args, env: order.append(args[0]) or (1.0, 0.5))
    commands = {
        "a": bench_machine.StartupCommand(("list",), untimed_first=True),
        "b": bench_machine.StartupCommand(("run",)),
    }
    figures = bench_machine.startup_rounds(commands, 3)
    assert order == ["list", "list", "run", "list", "run", "list", "run"]  # warm-up, then a, b each round
    assert figures["a"] == {"command": "trilat list", "wall_s": 1.0, "cpu_s": 0.5, "repeats": 3}


def test_the_compiling_row_keeps_the_libraries_bytecode_and_none_of_trilats(tmp_path):
    folder = tmp_path / "libraries"
    env = bench_machine.sources_without_bytecode(folder, ["list"], {"TRILAT_LISTING_CACHE": "off"})
    assert env == {"TRILAT_LISTING_CACHE": "off", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(folder)}
    kept = list(folder.rglob("*.pyc"))
    assert any("pydantic" in path.parts for path in kept)  # the listing read the schema: pydantic's bytecode
    assert not any(part in ("sim", "agents") for path in kept for part in path.parts)  # Trilat's was removed


def test_an_environment_block_changes_this_process_and_puts_everything_back(monkeypatch):
    monkeypatch.setenv("TRILAT_BENCH_KEPT", "before")
    monkeypatch.setenv("TRILAT_BENCH_REMOVED", "before")
    monkeypatch.delenv("TRILAT_BENCH_ADDED", raising=False)
    changes = {"TRILAT_BENCH_KEPT": "inside", "TRILAT_BENCH_REMOVED": None, "TRILAT_BENCH_ADDED": "inside"}
    with bench_machine.environment(changes):
        seen = {name: bench_machine.os.environ.get(name) for name in changes}
    assert seen == changes
    after = {name: bench_machine.os.environ.get(name) for name in changes}
    assert after == {"TRILAT_BENCH_KEPT": "before", "TRILAT_BENCH_REMOVED": "before", "TRILAT_BENCH_ADDED": None}


def test_trilats_sources_are_compiled_into_the_folder_given(tmp_path):
    folder = tmp_path / "pyc"
    bench_machine.compile_bytecode({"PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": str(folder)})
    compiled = {path.name.split(".")[0] for path in folder.rglob("*.pyc")}
    assert {"bench_machine", "model", "worker", "government"} <= compiled  # sim and agents
    assert not any("numpy" in path.parts for path in folder.rglob("*.pyc"))  # nothing else was imported


def test_the_libraries_a_module_loads_get_their_bytecode_too(tmp_path):
    """A cache folder replaces every library's ``__pycache__``: what the named modules import is compiled into it."""
    folder = tmp_path / "pyc"
    env = {"PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": str(folder)}
    bench_machine.compile_bytecode(env, ["sim.engine.state"])
    numpy_files = [path for path in folder.rglob("*.pyc") if "numpy" in path.parts]
    assert any(path.name.startswith("_methods.") for path in numpy_files)  # numpy, imported by the state


def test_ratios_are_computed_from_the_measured_times(results):
    cpu, reference = results["cpu"], results["reference"]["cpu_s"]
    numpy_path = cpu["numpy"]
    assert numpy_path["runs_per_cpu_s"] == pytest.approx(cpu["runs"] / numpy_path["cpu_s"], rel=1e-3)
    assert numpy_path["ratio_to_reference"] == pytest.approx(numpy_path["cpu_s"] / reference, rel=0.01, abs=1e-3)


def test_the_compiled_path_is_reported_or_said_to_be_missing(results):
    cpu = results["cpu"]
    if not bench_machine.engine_option():
        assert cpu["compiled_note"] == bench_machine.NOT_AVAILABLE
    if cpu["compiled_note"] is not None:
        assert cpu["compiled"] is None and cpu["compiled_over_numpy"] is None
    else:
        assert cpu["compiled_over_numpy"] == pytest.approx(cpu["numpy"]["cpu_s"] / cpu["compiled"]["cpu_s"], rel=0.01)
        assert cpu["first_call_compile_s"] > 0 and cpu["cached_load_s"] > 0


def test_with_a_compiled_path_its_rate_ratio_and_compile_time_come_from_measurements(monkeypatch, baseline):
    """Stand-in timings (not a clock): each figure is derived from them."""
    seconds = {"numpy": 0.8, "compiled": 0.2}
    monkeypatch.setattr(bench_machine, "engine_option", lambda: True)
    monkeypatch.setattr(bench_machine, "compiled_path_note", lambda scenario: None)
    monkeypatch.setattr(bench_machine, "compiled_warm_up", lambda: lambda: 0.0)
    monkeypatch.setattr(bench_machine, "warm_up_seconds", lambda cache: 1.25 if cache == "off" else 0.5)
    monkeypatch.setattr(bench_machine, "cpu_seconds_of_run", lambda scenario, runs, engine, repeats: seconds[engine])
    cpu = bench_machine.engine_figures(baseline, 10_000, 0.4, repeats=1)
    assert cpu["numpy"] == {"cpu_s": 0.8, "runs_per_cpu_s": 12_500.0, "ratio_to_reference": 2.0}
    assert cpu["compiled"] == {"cpu_s": 0.2, "runs_per_cpu_s": 50_000.0, "ratio_to_reference": 0.5}
    assert cpu["compiled_over_numpy"] == 4.0 and cpu["first_call_compile_s"] == 1.25
    assert cpu["cached_load_s"] == 0.5


def test_the_printout_shows_the_new_figures(results, capsys):
    print_bench(results)
    out = capsys.readouterr().out
    assert "machine load (1/5/15 min)" in out and "reference (5M x a*b+c)" in out
    assert "numpy path (R=300)" in out and "x reference" in out
    assert "start-up, trilat list" in out and "start-up, trilat run baseline" in out
    if results["cpu"]["compiled"] is None:
        assert results["cpu"]["compiled_note"] in out


def test_a_run_is_timed_in_steady_state(monkeypatch):
    """One untimed run of the same size first, then a garbage collection before each timed run."""
    events: list[str] = []

    class Model:
        def __init__(self, runs: int) -> None:
            self.runs = runs

        def run(self) -> None:
            events.append(f"run {self.runs}")

    monkeypatch.setattr(bench_machine, "_model", lambda scenario, runs, engine: Model(runs))
    monkeypatch.setattr(bench_machine.gc, "collect", lambda: events.append("collect"))
    bench_machine.cpu_seconds_of_run(None, 500, "numpy", repeats=2)
    assert events == ["run 500", "collect", "run 500", "collect", "run 500"]
