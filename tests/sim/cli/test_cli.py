"""The trilat command line: stories, ensembles, JSON, bench, and located errors without tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_baseline_tells_a_story_and_prints_a_final_table(capsys):
    code, out, _ = run_cli(capsys, "run", "baseline")
    assert code == 0
    assert "Camp David momentum" in out
    assert "2025Q1 (turn 1)" in out and "2028Q4 (turn 16)" in out
    assert "Ishiba" in out  # a scheduled event's narrative text, with its source
    assert "[after Choi's related work]" in out and "[Choi]" not in out  # honest sources (issue 11)
    assert "trilateral index" in out and "change" in out


@pytest.mark.parametrize("scenario", ["baseline", "korean-polarization"])
def test_a_story_without_explain_skips_the_cause_record_and_tells_the_same_story(capsys, monkeypatch, scenario):
    import sim.engine.model as model_module
    from sim.play.report import print_story, story_json

    built: list[bool] = []
    real = model_module.TrilateralModel

    def spy(*args, **kwargs):
        model = real(*args, **kwargs)
        built.append(model.state.recorder.enabled)
        return model

    monkeypatch.setattr(model_module, "TrilateralModel", spy)
    _, text, _ = run_cli(capsys, "run", scenario, "--seed", "4")
    _, as_json, _ = run_cli(capsys, "run", scenario, "--seed", "4", "--json")
    run_cli(capsys, "run", scenario, "--seed", "4", "--turns", "1", "--explain")
    assert built == [False, False, True]  # the record is kept only for --explain
    recorded = real(scenario, seed=4, replication_ids=[0], record=True)
    recorded.run()
    print_story(recorded)
    assert capsys.readouterr().out == text
    assert json.loads(as_json) == json.loads(json.dumps(story_json(recorded)))


def test_explain_lists_causes_per_turn(capsys):
    code, out, _ = run_cli(capsys, "run", "baseline", "--turns", "2", "--explain")
    assert code == 0
    assert "why ROK-JPN tie" in out
    assert "shared threat" in out


def test_json_is_deterministic_per_seed(capsys):
    _, first, _ = run_cli(capsys, "run", "baseline", "--runs", "50", "--json", "--seed", "3")
    _, second, _ = run_cli(capsys, "run", "baseline", "--runs", "50", "--json", "--seed", "3")
    _, other, _ = run_cli(capsys, "run", "baseline", "--runs", "50", "--json", "--seed", "4")
    assert first == second
    assert json.loads(first)["final"] != json.loads(other)["final"]


def test_json_has_the_documented_fields(capsys):
    code, out, _ = run_cli(capsys, "run", "baseline", "--runs", "300", "--json", "--turns", "4")
    assert code == 0
    data = json.loads(out)
    assert {"scenario", "seed", "runs", "turns", "final", "summary", "scores"} <= set(data)
    assert len(data["scores"]["ROK"]) == 300
    assert data["scenario"] == "baseline" and data["runs"] == 300 and data["turns"] == 4
    assert len(data["final"]["trilateral"]) == 300
    stats = data["summary"]["tie.ROK_JPN"]
    assert stats["p5"] <= stats["p50"] <= stats["p95"]


def test_single_run_json_has_story_and_trajectory(capsys):
    _, out, _ = run_cli(capsys, "run", "baseline", "--json", "--explain")
    data = json.loads(out)
    assert data["runs"] == 1 and len(data["final"]["trilateral"]) == 1
    assert len(data["trajectory"]["trilateral"]) == 17
    assert any(entry["id"] == "event:ishiba_trump_summit" for entry in data["story"])
    assert "tie.ROK_JPN" in data["explain"]["1"]


def test_replication_flag_matches_the_ensemble(capsys):
    _, ensemble, _ = run_cli(capsys, "run", "baseline", "--runs", "40", "--json", "--seed", "9")
    _, alone, _ = run_cli(capsys, "run", "baseline", "--replication", "17", "--json", "--seed", "9")
    whole, single = json.loads(ensemble)["final"], json.loads(alone)["final"]
    for name, values in single.items():
        assert values == [whole[name][17]]


def test_ensemble_text_summary(capsys):
    code, out, _ = run_cli(capsys, "run", "baseline", "--runs", "500")
    assert code == 0
    assert "500 runs" in out
    assert "p95" in out and "USA-ROK tie" in out


def test_set_and_strategy_options(capsys):
    _, low, _ = run_cli(capsys, "run", "baseline", "--runs", "400", "--json", "--set", "us_transactionalism=0.1")
    _, high, _ = run_cli(capsys, "run", "baseline", "--runs", "400", "--json", "--set", "us_transactionalism=0.9")
    assert json.loads(low)["summary"]["tie.USA_ROK"]["mean"] > json.loads(high)["summary"]["tie.USA_ROK"]["mean"]
    code, _, _ = run_cli(capsys, "run", "baseline", "--turns", "2", "--strategy", "USA=passive")
    assert code == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "baseline", "--set", "us_transactionalism=2"], "outside its range"),
        (["run", "baseline", "--set", "nope=1"], "no such parameter"),
        (["run", "baseline", "--strategy", "USA=nice"], "unknown strategy"),
        (["run", "baseline", "--replication", "5", "--runs", "3"], "not in an ensemble of 3"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys, args, fragment):
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "baseline", "--runs", "0"])
    assert exc.value.code == 2


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_missing_file_is_a_located_error(capsys, tmp_path):
    missing = tmp_path / "nothere.yaml"
    code, _, err = run_cli(capsys, "run", str(missing))
    assert code == 2
    assert err.strip() == f"{missing}:1:1: no such file"


def test_unknown_library_name_suggests_the_near_miss(capsys):
    code, _, err = run_cli(capsys, "run", "baselin")
    assert code == 2
    assert err.startswith("baselin:1:1:") and "did you mean 'baseline'" in err


def test_yaml_syntax_error_is_located(capsys, tmp_path):
    path = write(tmp_path / "broken.yaml", "id: broken\ntitle: [unclosed\nturns: 4\n")
    code, _, err = run_cli(capsys, "run", path)
    assert code == 2
    line = err.strip().splitlines()[0]
    assert line.startswith(f"{path}:3:")
    assert "YAML syntax error" in line


def test_unknown_name_in_expression_points_at_the_column(capsys, tmp_path):
    text = (
        "id: typo\n"
        "title: Typo\n"
        "rules:\n"
        "  - id: r\n"
        "    phase: cooperation\n"
        '    when: "ROK.polarizaton > 0.5"\n'
        "    effects: {tie.ROK_JPN: -0.01}\n"
    )
    path = write(tmp_path / "typo.yaml", text)
    code, _, err = run_cli(capsys, "run", path)
    assert code == 2
    # Line 6; the quote is at column 11, the expression (and the bad name) starts at column 12.
    assert err.strip() == f"{path}:6:12: unknown name 'ROK.polarizaton' (did you mean 'ROK.polarization'?)"


def test_problem_inside_an_expression_adds_its_offset(capsys, tmp_path):
    text = "id: off\ntitle: Off\nrules:\n  - id: r\n    phase: outcomes\n    when: trilateral > 0.5 and bogus\n"
    path = write(tmp_path / "off.yaml", text)
    code, _, err = run_cli(capsys, "run", path)
    assert code == 2
    assert err.strip().startswith(f"{path}:6:32: unknown name 'bogus'")


def test_console_script_reports_errors_without_traceback(tmp_path):
    trilat = shutil.which("trilat") or str(Path(sys.executable).parent / "trilat")
    path = write(tmp_path / "bad.yaml", "id: x\ntitle: x\nturns: [\n")
    result = subprocess.run([trilat, "run", path], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}:")


def test_list_shows_the_library(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    assert "baseline" in out and "Camp David momentum" in out and "Kuyoun Chung" in out
    assert "defaults" not in out.split()


def test_bench_json_reports_rates_and_ratio(capsys):
    code, out, err = run_cli(
        capsys, "bench", "--json", "--quiet", "--repeats", "1", "--runs", "500", "--seconds", "0.2"
    )
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["cpu"]["numpy"]["ratio_to_reference"] > 0 and data["reference"]["iterations"] == 68_700
    assert data["startup"]["list"]["repeats"] == 1
    assert data["single"]["runs_per_s"] > 0 and data["ensemble"]["runs_per_s"] > 0
    # The ratio of the rates, recomputed from runs and seconds (the printed rates are rounded).
    rate = {kind: data[kind]["runs"] / data[kind]["seconds"] for kind in ("single", "ensemble")}
    assert data["speedup"] == pytest.approx(rate["ensemble"] / rate["single"], rel=0.02, abs=0.1)
    assert data["load_compile_ms"] > 0
    assert data["game_turn_300_shadows_ms"] > 0
    assert data["largest_load_compile_ms"] > 0
    from sim import library_ids

    assert data["largest_scenario"] in library_ids()
    assert set(data["ui_frames"]) == {"1280x720", "1920x1080"}
    cpu = data["cpu"]
    assert cpu["numpy"]["runs_per_cpu_s"] > 0 and data["reference"]["cpu_s"] > 0
    assert cpu["compiled"] is None or cpu["compiled_over_numpy"] > 0


def test_the_committed_json_schema_is_up_to_date(capsys):
    code, out, _ = run_cli(capsys, "schema")
    assert code == 0
    committed = (Path(__file__).parents[3] / "schema" / "scenario.schema.json").read_text(encoding="utf-8")
    assert out == committed, "regenerate with: trilat schema > schema/scenario.schema.json"
    assert json.loads(out)["properties"]["turns"]["exclusiveMinimum"] == 0


class FakeTerminal:
    """A stderr that says it is a terminal, so tqdm draws its bar."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_long_ensembles_show_a_progress_bar_on_stderr(capsys, monkeypatch):
    import sim.cli.run

    fake = FakeTerminal()
    monkeypatch.setattr(sim.cli.run, "PROGRESS_DELAY_S", 0.0)
    monkeypatch.setattr(sys, "stderr", fake)
    assert main(["run", "baseline", "--runs", "3000", "--turns", "4"]) == 0
    drawn = "".join(fake.parts)
    assert "/3000 runs" in drawn  # the bar (cleared when done)
    assert "3000 runs, seed 1" in capsys.readouterr().out


def test_validate_the_library_and_folders(capsys):
    code, _, err = run_cli(capsys, "validate")
    assert code == 0 and "0 with problems" in err
    code, _, err = run_cli(capsys, "validate", str(Path(__file__).parents[3] / "scenarios"))
    assert code == 0 and "file(s) checked" in err


def test_validate_reports_every_problem_and_json(capsys, tmp_path):
    good = write(tmp_path / "good.yaml", "id: good\ntitle: Good\nextends: baseline\n")
    bad = write(
        tmp_path / "bad.yaml",
        "id: bad\ntitle: Bad\nturns: many\nrules:\n  - id: r\n    phase: outcomes\n    when: 'trilaterl > 1'\n",
    )
    code, _, err = run_cli(capsys, "validate", good, bad)
    assert code == 2
    assert f"{bad}:3:8: turns: expected a whole number, got 'many'" in err
    assert f"{bad}:7:12: unknown name 'trilaterl' (did you mean 'trilateral'?)" in err
    code, out, _ = run_cli(capsys, "validate", good, bad, "--json")
    data = json.loads(out)
    assert code == 2 and data["valid"] is False
    assert [f["valid"] for f in data["files"]] == [True, False]
    assert {"file", "line", "col", "code", "message"} <= set(data["problems"][0])
    assert [(p["line"], p["col"]) for p in data["problems"]] == [(3, 8), (7, 12)]


def test_new_writes_a_starter_that_validates_and_runs(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "new", "my_exercise", "--dir", str(tmp_path))
    assert code == 0
    path = tmp_path / "my_exercise.yaml"
    assert path.is_file() and "wrote" in out
    text = path.read_text(encoding="utf-8")
    assert text.count("\n#") >= 5  # commented for a first-time author
    assert run_cli(capsys, "validate", str(path))[0] == 0
    assert run_cli(capsys, "run", str(path))[0] == 0
    # never overwrites without --force
    code, _, err = run_cli(capsys, "new", "my_exercise", "--dir", str(tmp_path))
    assert code == 2 and "already exists" in err
    assert path.read_text(encoding="utf-8") == text
    assert run_cli(capsys, "new", "bad name", "--dir", str(tmp_path))[0] == 2


def test_new_with_a_bad_parent_leaves_nothing_behind(capsys, tmp_path):
    code, _, err = run_cli(capsys, "new", "orphan", "--dir", str(tmp_path), "--extends", "nothere.yaml")
    assert code == 2 and "cannot start from 'nothere.yaml'" in err
    assert list(tmp_path.iterdir()) == []


def test_story_reports_objective_scores(capsys):
    code, out, _ = run_cli(capsys, "run", "baseline", "--turns", "4")
    assert code == 0 and "Objective scores" in out
    _, out, _ = run_cli(capsys, "run", "baseline", "--turns", "4", "--json")
    scores = json.loads(out)["scores"]
    assert set(scores) == {"USA", "ROK", "JPN"} and len(scores["ROK"]) == 1


def test_show_facilitator_prints_the_whole_briefing(capsys):
    code, out, _ = run_cli(capsys, "show", "baseline", "--facilitator")
    assert code == 0
    for fragment in (
        "Camp David momentum",
        "Sources",
        "For the teacher",
        "us_transactionalism",
        "The teams",
        "Host a trilateral summit",
        "objectives",
        "Debrief questions",
        "2025Q1",
    ):
        assert fragment in out, fragment


def test_play_headless_writes_screenshots_and_a_save(tmp_path, capsys):
    code, out, _ = run_cli(
        capsys,
        "play",
        "baseline",
        "--headless",
        "--auto",
        "--turns",
        "1",
        "--screenshots",
        str(tmp_path),
        "--shadows",
        "20",
    )
    assert code == 0 and "screenshots" in out
    shots = sorted(tmp_path.glob("*.png"))
    assert len(shots) >= 8 and shots[0].read_bytes()[:4] == b"\x89PNG"
    saves = list(tmp_path.glob("*.json"))
    assert saves, "the headless game autosaves beside its screenshots"
    assert run_cli(capsys, "report", str(saves[0]), "--out", str(tmp_path / "report"))[0] == 0


def test_play_with_a_bad_scenario_or_save_is_a_one_line_error(capsys, tmp_path):
    assert run_cli(capsys, "play", "nosuch", "--headless")[0] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    code, _, err = run_cli(capsys, "play", "--resume", str(bad))
    assert code == 2 and "not a Trilat save" in err and "Traceback" not in err


def test_play_scenario_with_resume_of_another_scenario_is_refused(capsys, tmp_path, monkeypatch):
    from sim.play.session import GameSession, GameSettings

    GameSession(GameSettings("trump2-transactional", shadows=0), autosave=tmp_path / "t.json").resolve()
    opened = []
    monkeypatch.setattr("ui.app.run_game", lambda *a, **k: opened.append((a, k)) or 0)
    code, _, err = run_cli(capsys, "play", "baseline", "--resume", str(tmp_path / "t.json"))
    assert code == 2 and not opened
    assert "game of 'trump2-transactional', not 'baseline'" in err and "only --resume SAVE" in err
    assert run_cli(capsys, "play", "trump2-transactional", "--resume", str(tmp_path / "t.json"))[0] == 0
    assert opened and opened[0][1]["resume"] == tmp_path / "t.json"


def test_an_ensemble_run_keeps_freed_memory_and_a_story_does_not(capsys, monkeypatch):
    import sim.engine.memory

    asked: list[bool] = []
    monkeypatch.setattr(sim.engine.memory, "retain_freed_memory", lambda: asked.append(True) or True)
    assert run_cli(capsys, "run", "baseline", "--turns", "1")[0] == 0
    assert asked == []
    assert run_cli(capsys, "run", "baseline", "--turns", "1", "--runs", "20")[0] == 0
    assert asked == [True]
