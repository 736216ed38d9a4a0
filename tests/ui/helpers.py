"""Helpers for the game window's tests: start a game, play a turn through the real screens."""

from __future__ import annotations

from sim.play.match import Match
from sim.play.session import GameSettings
from ui.scenes.moves import CARD_KEYS
from ui.theme import pygame

SHADOWS = 20
"""Few shadow worlds keep the tests fast."""


def start_game(app, baseline, humans=("USA", "ROK"), seed=7, turns=None, shadows=SHADOWS):
    """Start a baseline game in ``app`` (the given governments human, the others computer)."""
    controllers = {g: ("human" if g in humans else "objectives") for g in ("USA", "ROK", "JPN")}
    settings = GameSettings(scenario="baseline", seed=seed, turns=turns, shadows=shadows, controllers=controllers)
    match = Match.start(settings, baseline, saves_dir=app.saves_dir)
    app.start_match(match)
    app.frame(0.0)
    return match


def first_affordable(match, gov):
    """Index and id of the first card ``gov`` can afford now."""
    capital = match.capital(gov)
    for i, card in enumerate(match.cards(gov)):
        if card.cost <= capital:
            return i, card.id
    raise AssertionError(f"{gov} can afford no card")


def play_turn(driver, cards=None):
    """Play one turn through the real screens: each human team picks its first affordable card (or ``cards``)."""
    app = driver.app
    match = app.match
    driver.press(pygame.K_RETURN)
    while driver.top.name == "cover" and driver.top.gov is not None:
        gov = driver.top.gov
        driver.press(pygame.K_RETURN)
        assert driver.top.name == "move"
        wanted = (cards or {}).get(gov)
        if wanted is None:
            index, _ = first_affordable(match, gov)
            driver.press(CARD_KEYS[index])
        else:
            for ident in wanted:
                driver.click(f"card_{ident}")
        driver.press(pygame.K_RETURN)
        if driver.top.name == "confirm":  # passing with no card asks first
            driver.press(pygame.K_RETURN)
    if driver.top.name == "cover":
        driver.press(pygame.K_RETURN)
    assert driver.top.name == "resolution"
    driver.press(pygame.K_RETURN)  # show all
    driver.press(pygame.K_RETURN)  # continue
