"""No student-facing string is cut: every screen rendered at 1280x720 and 1920x1080 records no shortened text.

:class:`ui.theme.Fonts` records every string it had to shorten (an ellipsis, a word split across
lines, lines dropped below a box) in ``fonts.shortened``; these tests draw each screen a student
sees and require that record to stay empty.
"""

from __future__ import annotations

import pytest

from sim.lang.scenario import load_scenario
from sim.play.match import Match
from sim.play.session import GameSettings
from ui.app import App
from ui.input import Action, Intent
from ui.scene import SceneId
from ui.scenes.glossary import GlossaryScene
from ui.scenes.picker import PickerScene

SIZES = ((1280, 720), (1920, 1080))
SCENARIOS = ("baseline", "korean-polarization", "trump2-transactional", "alliance-system")


def _cuts(app: App, ident: SceneId, *args) -> list[str]:
    app.fonts.shortened.clear()
    app.reset(ident, *args)
    app.render()
    app.render()
    return list(app.fonts.shortened)


def _game(app: App, scenario: str) -> Match:
    humans = {g: "human" for g in ("USA", "ROK", "JPN")}
    match = Match.start(GameSettings(scenario=scenario, seed=3, shadows=10, controllers=humans))
    app.start_match(match)
    return match


@pytest.mark.parametrize("size", SIZES)
def test_title_picker_setup_and_glossary_cut_nothing(tmp_path, size):
    app = App(size, window=False, saves_dir=tmp_path / "saves")
    assert _cuts(app, SceneId.TITLE) == []
    assert _cuts(app, SceneId.PICKER) == []
    assert _cuts(app, SceneId.SETUP, "korean-polarization", load_scenario("korean-polarization")) == []
    app.fonts.shortened.clear()
    app.stack.push(GlossaryScene(app))
    app.render()
    assert list(app.fonts.shortened) == []


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_game_screens_cut_nothing(tmp_path, size, scenario):
    app = App(size, window=False, saves_dir=tmp_path / "saves")
    match = _game(app, scenario)
    assert _cuts(app, SceneId.TURN) == [], "turn"
    for gov in ("USA", "ROK", "JPN"):
        assert _cuts(app, SceneId.MOVE, gov) == [], gov
    for _ in range(2):
        for gov in ("USA", "ROK", "JPN"):
            match.submit(gov, [])
        assert _cuts(app, SceneId.RESOLUTION) == [], "resolution"
        app.stack.top.handle_action(Action(Intent.SHOW_ALL))
        app.render()
        assert list(app.fonts.shortened) == [], "resolution, all shown"
    assert _cuts(app, SceneId.TURN) == [], "turn after two turns"
    assert _cuts(app, SceneId.DEBRIEF) == [], "debrief"


def test_the_picker_shows_that_more_scenarios_are_below(tmp_path):
    app = App((1280, 720), window=False, saves_dir=tmp_path / "saves")
    scene = PickerScene(app)
    app.stack.push(scene)
    app.render()
    assert len(scene.entries) >= 15
    assert app.fonts.rendered_containing("more below")
    for _ in scene.entries:
        scene.handle_action(Action(Intent.DOWN))
    app.frame(0.0)
    app.render()
    assert scene.entry.id == scene.entries[-1].id
    assert app.fonts.rendered_containing("more above")
