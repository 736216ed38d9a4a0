"""Drive the real game with synthetic pygame events; check the session, the model and what is drawn."""

from __future__ import annotations

import os

import numpy as np

from sim.play.commands import Custom, Inject, Note, SetParameter, SetState, Undo
from sim.play.session import GameSession
from tests.ui.helpers import first_affordable, play_turn, start_game
from ui import theme
from ui.charts import map_positions
from ui.input import CTRL
from ui.scenes.console.values import SETTLE_SECONDS
from ui.scenes.moves import CARD_KEYS
from ui.theme import pygame


def test_secret_moves_hot_seat_then_resolve_together(app, driver, game):
    """Two human teams move in turn behind cover screens; the computer plays Japan; all resolve at once."""
    assert driver.top.name == "turn"
    driver.press(pygame.K_RETURN)  # Play turn 1
    assert driver.top.name == "cover" and driver.top.gov == "USA"
    app.render()
    center = (app.size[0] // 2, app.size[1] // 4)
    assert app.screen.get_at(center)[:3] == theme.GOVERNMENT_COLORS["USA"]  # the screen is covered
    assert app.fonts.has_rendered("Pass the laptop to United States")

    driver.press(pygame.K_RETURN)  # the USA team is ready
    assert driver.top.name == "move" and driver.top.gov == "USA"
    index, usa_card = first_affordable(game, "USA")
    driver.click(f"card_{usa_card}")  # by mouse
    assert driver.top.chosen == [usa_card]
    assert driver.widget(f"card_{usa_card}").chosen
    driver.press(pygame.K_RETURN)  # submit
    assert game.submitted() == {"USA": [usa_card]}

    assert driver.top.name == "cover" and driver.top.gov == "ROK"
    app.render()
    assert app.screen.get_at(center)[:3] == theme.GOVERNMENT_COLORS["ROK"]
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "move" and driver.top.chosen == []  # Seoul does not see Washington's hand
    rok_index, rok_card = first_affordable(game, "ROK")
    driver.press(CARD_KEYS[rok_index])  # by keyboard
    driver.press(pygame.K_RETURN)

    assert driver.top.name == "cover" and driver.top.gov is None  # all moves are in
    assert game.turn == 0
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "resolution"
    assert game.turn == 1
    labels = [f.label for f in game.story.log if f.turn == 1]
    assert f"action:USA.{usa_card}" in labels and f"action:ROK.{rok_card}" in labels
    assert any(label.startswith("action:JPN.") for label in labels)  # the computer's move

    # step by step: Space reveals one entry at a time, Enter shows all, Enter again continues
    scene = driver.top
    assert scene.revealed == 0
    driver.press(pygame.K_SPACE)
    assert scene.revealed == 1
    driver.press(pygame.K_RETURN)
    assert scene.done
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "turn"
    assert driver.top.dashboard.view_turn == 1


def test_a_card_beyond_the_capital_is_refused(app, driver, game):
    driver.press(pygame.K_RETURN)
    driver.press(pygame.K_RETURN)
    scene = driver.top
    capital = game.capital("USA")
    cards = sorted(game.cards("USA"), key=lambda c: -c.cost)
    for card in cards:
        driver.click(f"card_{card.id}")
    spent = game.hand_cost("USA", scene.chosen)
    assert spent <= capital + 1e-9
    assert len(scene.chosen) < len(cards)
    refused = next(c for c in cards if c.id not in scene.chosen)
    assert not driver.widget(f"card_{refused.id}").affordable
    assert any("political capital left" in text for text, _ in app.toasts)
    driver.press(pygame.K_BACKSPACE)  # drop all
    assert scene.chosen == []
    driver.press(pygame.K_ESCAPE)  # back without moving
    assert driver.top.name == "turn" and game.submitted() == {}


def test_clicking_a_tie_explains_its_change(app, driver, game):
    play_turn(driver)
    driver.click("link_ROK_JPN")
    dashboard = driver.top.dashboard
    assert dashboard.selected == "tie.ROK_JPN"
    expected = game.story.explain(1)["tie.ROK_JPN"]
    assert [v for _, v in dashboard.why_parts] == [v for _, v in expected["parts"]]
    assert dashboard.why_total == expected["total"]
    app.render()
    assert app.fonts.has_rendered("ROK-JPN tie in 2025Q1")
    # the indicator keys do the same
    driver.press(pygame.K_5)
    assert dashboard.selected == "institutionalization"
    driver.click("index_deterrence")
    assert dashboard.selected == "deterrence"


def test_ties_are_drawn_with_their_level_colour(app, driver, game):
    dashboard = driver.top.dashboard
    app.render()
    positions = map_positions(dashboard.rects["map"])
    level = game.value("tie.USA_JPN")
    a, b = positions["USA"], positions["JPN"]
    point = (round(a[0] + 0.65 * (b[0] - a[0])), round(a[1] + 0.65 * (b[1] - a[1])))
    assert app.screen.get_at(point)[:3] == theme.tie_color(level)
    assert driver.widget("chip_trilateral").selected
    assert driver.widget("play").enabled


def test_console_injects_a_scenario_event_that_fires_next_turn(app, driver, game):
    driver.press(pygame.K_F2)
    assert driver.top.name == "console"
    events = [e.id for e in game.scenario.events]
    for _ in range(events.index("history_flareup")):
        driver.press(pygame.K_DOWN)
    driver.press(pygame.K_RETURN)
    assert game.session.log[-1] == Inject(turn=0, event="history_flareup")
    assert game.pending() == [Inject(turn=0, event="history_flareup")]
    driver.press(pygame.K_F2)
    assert driver.top.name == "turn"
    play_turn(driver)
    assert "event:history_flareup" in [f.label for f in game.story.log if f.turn == 1 and f.in_story]


def test_console_custom_event_with_two_effects(app, driver, game):
    driver.press(pygame.K_F2)
    driver.press(pygame.K_c)  # the custom event tab
    driver.click("title")
    driver.type("Collision at sea")
    driver.press(pygame.K_RETURN)  # leaves the text field
    driver.click("say")
    driver.type("A Korean and a Japanese patrol boat collide.")
    driver.press(pygame.K_TAB)
    custom = driver.top.custom_tab
    targets = [custom.target_name()]
    while custom.target_name() != "tie.ROK_JPN":
        driver.press(pygame.K_RIGHTBRACKET)
        targets.append(custom.target_name())
    driver.press(pygame.K_a)  # add: tie.ROK_JPN -0.05 (the default change)
    driver.press(pygame.K_RIGHTBRACKET)
    driver.press(pygame.K_MINUS)
    driver.press(pygame.K_a)  # add a second effect on the next target
    second = custom.target_name()
    driver.press(pygame.K_RETURN)
    entry = game.session.log[-1]
    assert isinstance(entry, Custom) and entry.title == "Collision at sea"
    assert entry.say == "A Korean and a Japanese patrol boat collide."
    assert entry.effects["tie.ROK_JPN"] == -0.05
    assert entry.effects[second] < -0.05
    driver.press(pygame.K_ESCAPE)
    play_turn(driver)
    assert any(f.label == "inject:custom_1" and f.in_story for f in game.story.log)


def test_console_sliders_set_parameters_and_state(app, driver, game):
    driver.press(pygame.K_F2)
    driver.press(pygame.K_p)
    slider = driver.widget("slider_us_transactionalism") if driver.top.widget("slider_us_transactionalism") else None
    while slider is None:
        driver.press(pygame.K_DOWN)
        slider = driver.top.widget("slider_us_transactionalism")
    lo, hi = game.scenario.spec.parameters["us_transactionalism"].range
    driver.click((slider.rect.left + round(slider.rect.width * 0.9), slider.rect.centery))
    entry = game.session.log[-1]
    assert isinstance(entry, SetParameter) and entry.name == "us_transactionalism"
    assert abs(entry.value - (lo + 0.9 * (hi - lo))) < 0.02
    assert abs(game.parameter("us_transactionalism") - entry.value) < 1e-12
    before = entry.value
    driver.press(pygame.K_RIGHT)  # the chosen parameter, one step up
    driver.frame(SETTLE_SECONDS + 0.1)  # logged once the presses settle
    assert game.session.log[-1].value > before

    driver.press(pygame.K_s)  # state tab
    driver.click("slider_ROK.approval")
    entry = game.session.log[-1]
    assert isinstance(entry, SetState) and entry.name == "ROK.approval"
    assert abs(game.value("ROK.approval") - entry.value) < 1e-9
    assert all(np.allclose(m.x[game.scenario.layout.rows["ROK.approval"]], entry.value) for m in game.session.models)


def test_undo_the_last_turn_with_ctrl_z(app, driver, game):
    play_turn(driver)
    after_one = game.story.x.copy()
    play_turn(driver)
    assert game.turn == 2
    driver.press(pygame.K_z, CTRL)
    assert driver.top.name == "confirm"
    driver.press(pygame.K_y)
    assert game.turn == 1
    assert np.array_equal(game.story.x, after_one)
    assert isinstance(game.session.history_notes[-1], Undo)
    assert driver.top.name == "turn" and driver.top.dashboard.view_turn == 1


def test_pause_blocks_play_until_resumed(app, driver, game):
    driver.press(pygame.K_F2)
    driver.press(pygame.K_g)
    driver.press(pygame.K_SPACE)
    assert game.paused
    assert game.session.log[-1] == Note(turn=0, text="facilitator paused the game")
    driver.press(pygame.K_F2)
    assert not driver.widget("play").enabled
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "turn" and game.turn == 0
    app.render()
    assert app.fonts.has_rendered("PAUSED by the facilitator (F2 to resume)")
    driver.press(pygame.K_F2)
    driver.press(pygame.K_g)
    driver.press(pygame.K_SPACE)
    driver.press(pygame.K_F2)
    assert not game.paused and driver.widget("play").enabled


def test_branch_from_an_earlier_turn(app, driver, game):
    play_turn(driver)
    state_after_one = game.story.x.copy()
    play_turn(driver)
    old_session = game.session
    driver.press(pygame.K_F2)
    driver.press(pygame.K_g)
    assert driver.top.game_tab.branch_turn == 1
    driver.press(pygame.K_b)
    driver.press(pygame.K_y)
    assert game.session is not old_session and game.turn == 1
    assert np.array_equal(game.story.x, state_after_one)
    assert game.session.autosave_path != old_session.autosave_path
    assert "-branch-t1-" in game.session.autosave_path.name
    assert driver.top.name == "turn"
    assert old_session.turn == 2


def test_end_the_game_early_goes_to_the_debrief(app, driver, game):
    play_turn(driver)
    driver.press(pygame.K_F2)
    driver.press(pygame.K_g)
    driver.press(pygame.K_x)
    driver.press(pygame.K_y)
    assert game.finished and game.turn == 1
    assert driver.top.name == "debrief"
    app.render()
    assert app.fonts.has_rendered("Debrief questions")
    assert app.fonts.rendered_containing(game.scenario.spec.debrief[0][:20])
    assert set(driver.top.scores) == {"USA", "ROK", "JPN"}


def test_resume_from_a_save_through_the_title_screen(app, driver, baseline, tmp_path):
    match = start_game(app, baseline, humans=("USA",))
    play_turn(driver)
    play_turn(driver)
    saved = match.session.autosave_path
    assert saved.parent == app.saves_dir and saved.name.startswith("baseline-")
    state = [m.x.copy() for m in match.session.models]
    driver.press(pygame.K_ESCAPE)
    driver.press(pygame.K_y)  # leave the game
    assert driver.top.name == "title" and app.match is None
    driver.press(pygame.K_r)
    assert driver.top.name == "saves"
    assert driver.top.saves[0].path == saved
    driver.press(pygame.K_RETURN)
    resumed = app.match
    assert driver.top.name == "turn" and resumed.turn == 2
    assert all(np.array_equal(a, m.x) for a, m in zip(state, resumed.session.models, strict=True))
    play_turn(driver)
    assert GameSession.load(saved, autosave=False).turn == 3


def test_a_damaged_save_gives_a_message_not_a_crash(app, driver):
    app.saves_dir.mkdir(parents=True)
    (app.saves_dir / "broken.json").write_text("{not json", encoding="utf-8")
    app.show_title()
    driver.press(pygame.K_r)
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "saves"
    assert any("damaged save" in text for text, _ in app.toasts)


def test_hostile_files_in_the_saves_folder_show_as_damaged(app, driver):
    folder = app.saves_dir
    folder.mkdir(parents=True)
    os.mkfifo(folder / "pipe.json")  # never opened: it would block a reader forever
    (folder / "folder.json").mkdir()
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "nan.json").write_text('{"format": "trilat-save", "version": 1, "seed": NaN}', encoding="utf-8")
    (folder / "gone.json").symlink_to(folder / "nowhere.json")
    app.show_title()
    driver.press(pygame.K_r)
    assert driver.top.name == "saves"
    problems = {info.path.name: info.problem for info in driver.top.saves}
    assert problems == {
        "pipe.json": "is a named pipe, not a save file",
        "folder.json": "is a folder, not a save file",
        "deep.json": "damaged save (JSON nested deeper than 16 levels)",
        "nan.json": "damaged save (NaN is not a number a save may hold (numbers must be finite))",
        "gone.json": "is a broken symbolic link",
    }
    driver.press(pygame.K_RETURN)  # opening one is a message, not a crash
    assert driver.top.name == "saves" and app.toasts


def test_submitted_moves_and_commands_are_autosaved_between_turns(app, driver, game):
    driver.press(pygame.K_RETURN)
    driver.press(pygame.K_RETURN)
    _, card = first_affordable(game, "USA")
    driver.click(f"card_{card}")
    driver.press(pygame.K_RETURN)
    saved = GameSession.load(game.session.autosave_path, autosave=False)
    assert saved.submitted() == {"USA": [card]}


def test_window_resize_rescales_fonts_and_layout(app, driver, game):
    driver.resize(1920, 1080)
    assert app.size == (1920, 1080)
    assert app.fonts.scale == 1.5
    play = driver.widget("play")
    assert play.rect.right <= 1920 and play.rect.bottom <= 1080
    assert driver.top.dashboard.rects["map"].width > 800
    driver.resize(1280, 720)
    assert driver.widget("play").rect.bottom <= 720


def test_help_card_lists_the_screens_keys(app, driver, game):
    driver.press(pygame.K_F1)
    assert driver.top.name == "help"
    lines = dict((action, key_text) for key_text, action in driver.top.lines())
    assert lines["Play turn 1: 2025Q1"] == "Enter"
    assert lines["Console"] == "F2"
    driver.press(pygame.K_ESCAPE)
    assert driver.top.name == "turn"


def test_looking_back_at_an_earlier_turn(app, driver, game):
    play_turn(driver)
    play_turn(driver)
    dashboard = driver.top.dashboard
    driver.press(pygame.K_LEFT)
    assert dashboard.view_turn == 1
    assert dashboard.map_view.ties["ROK_JPN"] == game.value("tie.ROK_JPN", 1)
    assert dashboard.governments["USA"].values["capital"] is None  # not recorded for past turns
    driver.press(pygame.K_END)
    assert dashboard.view_turn == 2


def test_hovering_an_indicator_shows_what_it_means(app, driver, game):
    """Tooltips say what each indicator means (in the glossary's plain words)."""
    from sim.play.plain_names import meaning

    driver.hover("index_institutionalization")
    app.render()
    doc = meaning("institutionalization")
    assert doc
    tooltip = driver.widget("index_institutionalization").tooltip
    assert doc in tooltip
    first_line = app.fonts.wrap(tooltip, app.fonts.s(380) - 2 * app.fonts.s(8), "small")[0]
    assert app.fonts.has_rendered(first_line)
    driver.hover_away()
    app.render()
    before = app.screen.copy()
    driver.hover("index_institutionalization")
    app.render()
    assert pygame.image.tobytes(before, "RGB") != pygame.image.tobytes(app.screen, "RGB")  # the box was drawn
