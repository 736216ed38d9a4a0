"""The facilitator console's settings, presets and reopening; the hot-seat's pass and revise; banners on top."""

from __future__ import annotations

import pytest

from sim.lang.scenario import load_scenario
from sim.play.commands import ApplyPreset, SetParameter
from sim.play.match import Match
from sim.play.session import GameSettings
from sim.play.wording import describe_action
from tests.ui.helpers import SHADOWS, first_affordable, play_turn
from ui.input import SHIFT
from ui.scenes.console.values import SETTLE_SECONDS
from ui.scenes.moves import CARD_KEYS
from ui.scenes.setup import SetupScene
from ui.theme import pygame


def parameters_tab(driver):
    driver.press(pygame.K_F2)
    driver.press(pygame.K_p)
    return driver.top.parameters_tab


def select(driver, tab, key):
    while tab.rows()[tab.selected].key != key:
        driver.press(pygame.K_DOWN)


def setting_entries(game):
    return [e for e in game.session.log if isinstance(e, SetParameter)]


def test_scenario_settings_come_first_with_docs_and_coefficients_are_collapsed(app, driver, game):
    tab = parameters_tab(driver)
    rows = tab.rows()
    assert rows[0].kind == "group" and rows[0].key == "scenario"
    own = [r.key for r in rows[1:] if r.kind == "value"]
    assert own[:2] == ["us_transactionalism", "rok_polarization"]
    assert all(r.doc for r in rows[1 : 1 + len(own)])  # the docs are shown under each setting
    assert rows[-1].kind == "group" and rows[-1].key == "advanced" and "[+]" in rows[-1].title
    app.render()
    doc = game.scenario.spec.parameters["us_transactionalism"].doc
    assert app.fonts.rendered_containing(doc[:30])
    select(driver, tab, "advanced")
    driver.press(pygame.K_RETURN)  # open the advanced group
    assert len(tab.rows()) > len(rows) + 50 and "[-]" in tab.rows()[len(rows) - 1].title
    app.render()
    first, shown, total = tab.scroll_shown
    assert total == len(tab.rows()) and shown < total  # the scroll bar shows what part is visible


def test_a_run_of_arrow_presses_is_one_log_entry(app, driver, game):
    tab = parameters_tab(driver)
    select(driver, tab, "us_transactionalism")
    before = len(setting_entries(game))
    start = game.parameter("us_transactionalism")
    for _ in range(25):
        driver.press(pygame.K_RIGHT)
    assert len(setting_entries(game)) == before  # still moving: nothing logged yet
    assert tab.shown("us_transactionalism") == pytest.approx(min(1.0, start + 0.5))
    driver.frame(SETTLE_SECONDS + 0.1)  # the facilitator stops pressing
    entries = setting_entries(game)
    assert len(entries) == before + 1 and entries[-1].value == pytest.approx(min(1.0, start + 0.5))
    assert game.parameter("us_transactionalism") == pytest.approx(entries[-1].value)
    driver.press(pygame.K_LEFT)
    driver.press(pygame.K_DOWN)  # moving on settles the adjustment at once
    assert len(setting_entries(game)) == before + 2


def test_a_typed_value_is_set_and_a_bad_one_refused(app, driver, game):
    tab = parameters_tab(driver)
    select(driver, tab, "rok_polarization")
    driver.press(pygame.K_RETURN)
    assert driver.top.field == "value_rok_polarization"
    driver.type("0.3")
    driver.press(pygame.K_RETURN)
    assert setting_entries(game)[-1] == SetParameter(0, "rok_polarization", 0.3)
    assert game.parameter("rok_polarization") == pytest.approx(0.3)
    driver.press(pygame.K_RETURN)
    driver.type("7")
    driver.press(pygame.K_RETURN)
    assert len(setting_entries(game)) == 1 and any("outside its range" in t for t, _ in app.toasts)


def test_a_preset_is_applied_as_one_logged_action(app, driver):
    scenario = load_scenario("trump2-transactional")
    settings = GameSettings("trump2-transactional", seed=3, shadows=SHADOWS, controllers={"USA": "human"})
    match = Match.start(settings, scenario, saves_dir=app.saves_dir)
    app.start_match(match)
    app.frame(0.0)
    tab = parameters_tab(driver)
    assert [r.kind for r in tab.rows()[:4]] == ["group", "preset", "preset", "preset"]
    app.render()
    assert app.fonts.has_rendered("Maximal Trump")
    before = len(match.session.log)
    driver.click("preset_maximal_trump")
    assert len(match.session.log) == before + 1 and isinstance(match.session.log[-1], ApplyPreset)
    assert match.parameter("tariff_pressure") == 1.0 and match.parameter("drawdown_risk") == 1.0
    line = describe_action(scenario, match.session.facilitator_actions()[-1])
    assert line.startswith("before turn 1, 2025Q1: applied the preset 'Maximal Trump' (us_transactionalism 1")


def test_an_ended_game_can_be_reopened_from_the_console(app, driver, game):
    play_turn(driver)
    driver.press(pygame.K_F2)
    driver.press(pygame.K_g)
    driver.press(pygame.K_x)
    driver.press(pygame.K_y)  # confirm: end the game
    assert driver.top.name == "debrief" and game.finished
    driver.press(pygame.K_ESCAPE)  # back to the game
    driver.press(pygame.K_F2)
    driver.press(pygame.K_g)
    assert driver.widget("reopen").enabled
    driver.press(pygame.K_r)
    assert not game.finished and driver.top.name == "turn"
    play_turn(driver)
    assert game.turn == 2
    kinds = [a.kind.value for a in game.facilitator_actions()]
    assert kinds[-2:] == ["end", "reopen"]


def test_the_console_names_turns_with_their_quarter(app, driver, game):
    driver.press(pygame.K_F2)
    app.render()
    assert app.fonts.has_rendered("next: turn 1, 2025Q1")


def test_setup_plus_works_however_the_keyboard_types_it(app, driver, baseline):
    scene = SetupScene(app, "baseline", baseline)
    app.stack.push(scene)
    app.frame(0.0)
    turns = scene.turns
    driver.press(pygame.K_EQUALS, SHIFT)  # "+" on a US keyboard
    driver.press(pygame.K_KP_PLUS)
    driver.press(pygame.K_PLUS)
    assert scene.turns == turns + 3
    driver.press(pygame.K_KP_MINUS)
    driver.press(pygame.K_MINUS)
    assert scene.turns == turns + 1


def test_a_pass_asks_first_and_a_move_can_be_revised_until_resolution(app, driver, game):
    driver.press(pygame.K_RETURN)  # play turn 1: the USA's cover
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "move" and driver.top.gov == "USA"
    driver.press(pygame.K_RETURN)  # no card chosen
    assert driver.top.name == "confirm" and game.submitted() == {}
    driver.press(pygame.K_n)  # not yet
    assert driver.top.name == "move" and game.submitted() == {}
    driver.press(pygame.K_RETURN)
    driver.press(pygame.K_RETURN)  # yes, pass
    assert game.submitted() == {"USA": []}
    driver.press(pygame.K_RETURN)  # Seoul's cover
    index, rok_card = first_affordable(game, "ROK")
    driver.press(CARD_KEYS[index])
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "cover" and driver.top.gov is None  # all moves are in
    driver.press(pygame.K_1)  # revise the first team's move (the USA)
    assert driver.top.name == "cover" and driver.top.gov == "USA"
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "move" and driver.top.chosen == []  # its own (empty) move, nobody else's
    usa_index, usa_card = first_affordable(game, "USA")
    driver.press(CARD_KEYS[usa_index])
    driver.press(pygame.K_RETURN)
    assert game.submitted() == {"USA": [usa_card], "ROK": [rok_card]}
    assert driver.top.name == "cover" and driver.top.gov is None
    driver.press(pygame.K_2)  # Seoul revises: it starts from its own cards
    driver.press(pygame.K_RETURN)
    assert driver.top.chosen == [rok_card]
    driver.press(pygame.K_RETURN)
    driver.press(pygame.K_RETURN)  # resolve
    assert game.turn == 1
    labels = [f.label for f in game.story.log if f.turn == 1]
    assert f"action:USA.{usa_card}" in labels and f"action:ROK.{rok_card}" in labels


def test_banners_are_drawn_over_the_widgets(app, driver, game, monkeypatch):
    import ui.scene as scene_module
    import ui.scenes.turn as turn_module

    order: list[str] = []
    original_widgets = scene_module.Scene.draw_widgets

    def draw_widgets(self, surface):
        original_widgets(self, surface)
        order.append("widgets")

    monkeypatch.setattr(scene_module.Scene, "draw_widgets", draw_widgets)
    monkeypatch.setattr(turn_module, "draw_paused", lambda *a: order.append("paused"))
    monkeypatch.setattr(turn_module, "draw_banner", lambda *a: order.append("looking back"))
    play_turn(driver)
    game.set_paused(True)
    driver.top.dashboard.view_turn = 0  # looking back at the start
    order.clear()
    app.render()
    assert order.index("widgets") < order.index("looking back") < order.index("paused")


def test_resuming_a_save_whose_scenario_changed_says_so_on_screen(app, tmp_path):
    from sim.play.session import GameSession

    path = tmp_path / "mine.yaml"
    path.write_text("id: mine\ntitle: Mine\nextends: baseline\n", encoding="utf-8")
    GameSession(GameSettings(str(path), shadows=0), autosave=tmp_path / "game.json").resolve()
    path.write_text("# edited after class\nid: mine\ntitle: Mine\nextends: baseline\n", encoding="utf-8")
    app.start_match(Match(GameSession.load(tmp_path / "game.json")))
    assert any("using the copy saved with the game" in text for text, _ in app.toasts)


def test_the_debrief_shows_contribution_and_raw_change_and_explains_them(app, driver, game):
    play_turn(driver)
    game.end()
    from ui.scene import SceneId

    app.push(SceneId.DEBRIEF)
    app.frame(0.0)
    app.render()
    scene = driver.top
    usa = scene.fair["USA"]
    assert scene.scores["USA"] == pytest.approx(usa.contribution) and usa.counterfactual
    assert app.fonts.has_rendered("Team scores: contribution")
    assert app.fonts.has_rendered(f"raw change {usa.raw:+.1f}, default play would score {usa.baseline:+.1f}")
    assert "default strategy in the same world" in driver.widget("score_USA").tooltip
    assert app.fonts.rendered_containing("turn 1, 2025Q1 ROK-JPN tie")
    assert app.fonts.rendered_containing("ended by the facilitator after turn 1 of 16")
