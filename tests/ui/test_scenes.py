"""Scene logic without a window: intents in, game state out (an off-screen surface stands in for the window)."""

from __future__ import annotations

import re
import sys
import types
from datetime import datetime

import pytest

from sim.engine.scoring import objective_scores
from sim.engine.sources import Source, SourceKind, behaviour
from sim.play.match import Match, autosave_path, label
from sim.play.session import GameSession, GameSettings
from tests.ui.helpers import SHADOWS, first_affordable, start_game
from ui.app import App
from ui.input import Action, Intent
from ui.scenes.debrief import NO_EXPORTER, DebriefScene, report_folder
from ui.scenes.moves import MoveScene, next_move_scene
from ui.scenes.picker import PickerScene
from ui.scenes.resolution import ResolutionScene
from ui.scenes.setup import COMPUTER_STRATEGIES, SetupScene
from ui.scenes.turn import ReplayScene


@pytest.fixture
def offscreen(tmp_path):
    """An app drawing to an off-screen surface (no window)."""
    return App((1280, 720), window=False, saves_dir=tmp_path / "saves")


def test_setup_builds_the_settings_and_starts_an_autosaved_game(offscreen, baseline):
    scene = SetupScene(offscreen, "baseline", baseline)
    offscreen.stack.push(scene)
    scene.handle_action(Action(Intent.TOGGLE_HUMAN, "JPN"))
    scene.handle_action(Action(Intent.CYCLE_STRATEGY, "JPN"))
    scene.handle_action(Action(Intent.FOCUS_FIELD, "team_ROK"))
    for char in "Team Seoul":
        scene.handle_action(Action(Intent.TEXT, char))
    scene.handle_action(Action(Intent.BLUR))
    scene.handle_action(Action(Intent.TURNS, -1))
    scene.handle_action(Action(Intent.SHADOWS, -1))
    scene.handle_action(Action(Intent.FOCUS_FIELD, "seed"))
    scene.handle_action(Action(Intent.TEXT, "4x2"))  # digits only
    settings = scene.settings()
    strategies = list(COMPUTER_STRATEGIES)
    expected = strategies[(strategies.index(baseline.spec.governments["JPN"].strategy) + 1) % len(strategies)]
    assert settings.controllers == {"USA": "human", "ROK": "human", "JPN": expected}
    assert settings.team_names == {"ROK": "Team Seoul"}
    assert settings.turns == baseline.turns - 1
    assert settings.seed == 142
    assert settings.shadows == 200
    scene.shadows = SHADOWS
    scene.handle_action(Action(Intent.BLUR))
    scene.handle_action(Action(Intent.START))
    match = offscreen.match
    assert offscreen.stack.top.name == "turn"
    assert match.settings.team_names == {"ROK": "Team Seoul"}
    assert re.fullmatch(r"baseline-\d{8}-\d{6}\.json", match.session.autosave_path.name)
    assert match.session.autosave_path.parent == offscreen.saves_dir
    assert match.session.autosave_path.is_file()  # written at once, so the game can be resumed


def test_picker_lists_the_library_with_briefings(offscreen):
    scene = PickerScene(offscreen)
    offscreen.stack.push(scene)
    ids = [entry.id for entry in scene.entries]
    assert ids[0] == "baseline" and "trump2-transactional" in ids
    scene.handle_action(Action(Intent.DOWN))
    assert scene.entry.id == ids[1]
    offscreen.render()
    assert offscreen.fonts.rendered_containing("suggested length: about")
    scene.handle_action(Action(Intent.CONFIRM))
    assert offscreen.stack.top.name == "setup" and offscreen.stack.top.scenario.id == ids[1]


def test_move_scene_keeps_the_hand_within_capital(offscreen, baseline):
    match = start_game(offscreen, baseline, humans=("USA",))
    scene = MoveScene(offscreen, "USA")
    offscreen.stack.push(scene)
    for card in match.cards("USA"):
        scene.handle_action(Action(Intent.CHOOSE_CARD, card.id))
    assert match.hand_cost("USA", scene.chosen) <= match.capital("USA") + 1e-9
    chosen = list(scene.chosen)
    scene.handle_action(Action(Intent.UNDO))
    assert scene.chosen == chosen[:-1]
    scene.handle_action(Action(Intent.SUBMIT))
    assert match.submitted() == {"USA": chosen[:-1]}
    assert offscreen.stack.top.name == "cover" and offscreen.stack.top.gov is None


def test_computer_only_games_resolve_without_cover_screens(offscreen, baseline):
    match = start_game(offscreen, baseline, humans=())
    scene = next_move_scene(offscreen)
    assert isinstance(scene, ResolutionScene)
    assert match.turn == 1 and scene.turn == 1
    assert [f.label for f in scene.firings] == [f.label for f in match.story.log if f.turn == 1 and f.in_story]


def test_resolution_reveals_step_by_step_and_animates(offscreen, baseline):
    match = start_game(offscreen, baseline, humans=())
    scene = ResolutionScene.resolve(offscreen)
    offscreen.stack.push(scene)
    assert scene.revealed == 0 and scene.animating()
    scene.update(0.95)
    assert scene.revealed == 1
    scene.update(0.6)
    assert scene.progress() == 1.0
    scene.handle_action(Action(Intent.SHOW_ALL))
    assert scene.done
    assert scene.first_shown(10_000) == 0  # everything on show: read from the top
    scene.handle_action(Action(Intent.DOWN))
    assert scene.first == min(1, len(scene.firings) - 1)
    scene.update(1.0)
    assert not scene.animating()
    offscreen.render()
    assert offscreen.fonts.rendered_containing("What happened in 2025Q1")
    scene.handle_action(Action(Intent.CONTINUE))
    assert offscreen.stack.top.name == "turn"
    assert match.turn == 1


def test_match_reads_the_story(offscreen, baseline):
    match = start_game(offscreen, baseline, humans=("USA",))
    _, card = first_affordable(match, "USA")
    match.submit("USA", [card])
    match.resolve()
    match.resolve()
    assert match.quarter(0) == "start" and match.quarter(2) == "2025Q2"
    assert label("tie.ROK_JPN") == "ROK-JPN tie" and label("USA.approval") == "USA approval"
    assert match.source_label(Source(SourceKind.ACTION, card, "USA")).startswith("USA move: ")
    assert match.source_label(behaviour("shared threat")) == "shared threat"
    assert match.source_label(Source(SourceKind.EVENT, "history_flareup")) == "event: History flare-up"
    total, parts = match.why("trilateral", 1)
    assert total == pytest.approx(match.story.explain(1)["trilateral"]["total"])
    assert sum(v for _, v in parts) == pytest.approx(total, abs=1e-9)
    points = match.turning_points(3)
    assert len(points) == 3
    assert abs(points[0].change) >= abs(points[1].change) >= abs(points[2].change)
    scores = match.scores()
    assert scores["USA"] == pytest.approx(float(objective_scores(match.story)["USA"][0]))
    low, high = match.shadow_scores()["USA"]
    assert low <= high
    assert match.camp("USA") in ("America First", "Alliance-minded internationalists")
    assert match.doc("tie.USA_ROK")


def test_autosave_path_is_named_after_the_scenario_and_time(tmp_path):
    path = autosave_path(tmp_path, "baseline", datetime(2025, 3, 1, 9, 30, 5))
    assert path == tmp_path / "baseline-20250301-093005.json"


def test_debrief_export_without_the_exporter_says_so(offscreen, baseline, monkeypatch):
    start_game(offscreen, baseline, humans=(), turns=2)
    offscreen.match.resolve()
    offscreen.match.resolve()
    monkeypatch.setitem(sys.modules, "sim.play.aar", None)  # an import of sim.play.aar now fails
    scene = DebriefScene(offscreen)
    offscreen.stack.push(scene)
    scene.handle_action(Action(Intent.EXPORT))
    assert scene.export_message == NO_EXPORTER
    assert scene.exported is None


def test_debrief_export_calls_write_report(offscreen, baseline, monkeypatch):
    match = start_game(offscreen, baseline, humans=(), turns=2)
    match.resolve()
    match.resolve()
    calls = []

    def write_report(session, folder):
        calls.append((session, folder))
        folder.mkdir(parents=True)
        return {"markdown": folder / "report.md", "html": folder / "report.html", "charts": []}

    monkeypatch.setitem(sys.modules, "sim.play.aar", types.SimpleNamespace(write_report=write_report))
    scene = DebriefScene(offscreen)
    offscreen.stack.push(scene)
    scene.handle_action(Action(Intent.EXPORT))
    folder = report_folder(match)
    assert calls == [(match.session, folder)]
    assert folder.name == match.session.autosave_path.stem + "-report"
    assert "report.html" in scene.export_message


def test_replay_steps_through_a_saved_game(offscreen, baseline):
    match = start_game(offscreen, baseline, humans=(), turns=3)
    for _ in range(3):
        match.resolve()
    session = GameSession.load(match.session.autosave_path, autosave=False)
    offscreen.match = None
    offscreen.replay_only = True
    scene = ReplayScene(offscreen, session)
    offscreen.stack.reset(scene)
    assert scene.dashboard.view_turn == 1
    scene.handle_action(Action(Intent.RIGHT))
    scene.handle_action(Action(Intent.RIGHT))
    assert scene.dashboard.view_turn == 3
    scene.handle_action(Action(Intent.RIGHT))
    assert scene.dashboard.view_turn == 3
    scene.handle_action(Action(Intent.SELECT, "tie.USA_JPN"))
    assert [v for _, v in scene.dashboard.why_parts] == [v for _, v in session.story.explain(3)["tie.USA_JPN"]["parts"]]
    scene.handle_action(Action(Intent.HOME))
    assert scene.dashboard.view_turn == 0
    offscreen.update(0.0)
    offscreen.render()
    assert offscreen.fonts.rendered_containing("Replay: ")
    scene.handle_action(Action(Intent.BACK))
    assert not offscreen.running


def test_draw_never_changes_the_game(offscreen, baseline):
    match = start_game(offscreen, baseline, humans=("USA",))
    match.resolve()
    before = (len(match.session.log), match.turn, match.story.x.copy(), match.revision)
    for _ in range(3):
        offscreen.render()
    after = (len(match.session.log), match.turn, match.story.x.copy(), match.revision)
    assert before[0] == after[0] and before[1] == after[1] and before[3] == after[3]
    assert (before[2] == after[2]).all()


def test_match_start_without_saves_dir_does_not_autosave(baseline):
    match = Match.start(GameSettings(scenario="baseline", shadows=0), baseline)
    assert match.session.autosave_path is None
    match.autosave()  # nothing to write, no error
