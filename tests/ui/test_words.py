"""Plain words on the game's screens: the glossary, spendable capital, turning points that fit, honest sources."""

from __future__ import annotations

import pytest

from sim.play.glossary import GLOSSARY
from tests.ui.helpers import play_turn, start_game
from ui.app import App
from ui.input import Action, Intent
from ui.scenes.debrief import draw_turning_points
from ui.scenes.glossary import GlossaryScene
from ui.scenes.moves import MoveScene
from ui.theme import pygame


@pytest.fixture
def offscreen(tmp_path):
    return App((1280, 720), window=False, saves_dir=tmp_path / "saves")


def test_f3_opens_and_closes_the_glossary_anywhere(app, driver, baseline):
    start_game(app, baseline)
    driver.press(pygame.K_F3)
    assert driver.top.name == "glossary"
    app.render()
    assert app.fonts.has_rendered(GLOSSARY[0].word)
    driver.press(pygame.K_F3)
    assert driver.top.name == "turn"
    assert app.stack.top.widget("glossary") is not None  # the footer button
    driver.click("glossary")
    assert driver.top.name == "glossary"
    driver.press(pygame.K_ESCAPE)
    assert driver.top.name == "turn"


def test_the_glossary_scrolls_and_says_what_is_below(offscreen):
    scene = GlossaryScene(offscreen)
    offscreen.stack.push(scene)
    offscreen.render()
    assert scene.shown < len(GLOSSARY)  # 1280x720 cannot show every entry at once
    assert offscreen.fonts.rendered_containing("more below")
    for _ in GLOSSARY:
        scene.handle_action(Action(Intent.DOWN))
    offscreen.render()
    assert scene.first == len(GLOSSARY) - scene.shown
    assert offscreen.fonts.has_rendered(GLOSSARY[-1].word)
    assert offscreen.fonts.rendered_containing("more above")


def test_capital_shows_what_can_be_spent(offscreen, baseline, monkeypatch):
    match = start_game(offscreen, baseline, humans=("USA",))
    monkeypatch.setattr(type(match), "capital", lambda self, gov: 0.955)
    scene = MoveScene(offscreen, "USA")
    offscreen.stack.push(scene)
    offscreen.render()
    assert offscreen.fonts.has_rendered("0.9 left")
    assert not offscreen.fonts.rendered_containing("1.0 left")
    one = next(card for card in match.cards("USA") if card.cost == 1)
    scene.toggle(one.id)
    assert scene.chosen == []


def test_turning_points_draw_only_whole_entries_and_count_the_rest(offscreen, baseline):
    start_game(offscreen, baseline, humans=())
    match = offscreen.match
    for _ in range(3):
        match.resolve()
    points = match.turning_points(5, 3)
    surface = pygame.Surface((1280, 720))
    fonts = offscreen.fonts
    small = pygame.Rect(10, 10, 300, fonts.line_height("small") * 6)
    shown = draw_turning_points(surface, fonts, small, points)
    assert 0 < shown < len(points)
    assert fonts.has_rendered(f"{len(points) - shown} more turning points in the exported report (X)")
    assert draw_turning_points(surface, fonts, pygame.Rect(10, 10, 600, 2000), points) == len(points)


def test_move_screen_numbers_are_0_to_100_with_words(app, driver, baseline):
    start_game(app, baseline)
    driver.press(pygame.K_RETURN)
    driver.press(pygame.K_RETURN)
    assert driver.top.name == "move"
    app.render()
    drawn = app.fonts.rendered_containing("(strong)") + app.fonts.rendered_containing("(working)")
    assert drawn, "tie levels read as 0-100 with a word"
    assert app.fonts.rendered_containing("(medium)") or app.fonts.rendered_containing("(high)")
    assert not [t for t in app.fonts.rendered_containing("0.") if t.startswith("0.") and len(t) == 4]
    assert not app.fonts.rendered_containing("x0.")


def test_feed_sources_say_what_they_rest_on(app, driver, baseline):
    start_game(app, baseline, humans=())
    play_turn(driver)
    app.render()
    sources = app.fonts.rendered_containing("Source:")
    assert sources
    for line in sources:
        assert "Chung" in line or "after" in line or "record" in line or "reading" in line, line


def test_a_crowded_card_picks_a_shorter_form_instead_of_cutting(offscreen, baseline):
    from ui.cards import CardView

    match = start_game(offscreen, baseline, humans=("USA",))
    card = match.card("USA", "burden_sharing_ultimatum")
    surface = pygame.Surface((1280, 720))
    fonts = offscreen.fonts
    kwargs = {
        "chosen": False,
        "affordable": True,
        "effects": match.card_effects(card),
        "condition": match.condition(card),
        "brief": match.card_effects_brief(card),
    }
    details = []
    for height in (600, 200, 150):
        view = CardView(pygame.Rect(0, 0, 300, height), 3, card, **kwargs)
        fonts.shortened.clear()
        view.draw(surface, fonts)
        assert list(fonts.shortened) == [], height
        details.append(view.detail)
    assert details == ["sentences", "brief", "count"]
    assert fonts.has_rendered("7 effects: point at the card to read them")
    briefs = kwargs["brief"]
    assert briefs[0].startswith("+") and briefs[0].endswith("your approval at home now")
    assert not [b for b in briefs if "_" in b or "*" in b or "USA." in b]
