"""Fixtures for the game window's tests: an app on SDL's dummy driver, a driver of synthetic events, games."""

from __future__ import annotations

import pytest

from tests.ui.helpers import start_game
from ui.app import App
from ui.driver import Driver
from ui.theme import pygame


@pytest.fixture
def app(tmp_path):
    """A 1280x720 game window (dummy video driver) autosaving into a temporary folder."""
    application = App((1280, 720), saves_dir=tmp_path / "saves")
    pygame.event.clear()
    yield application
    pygame.event.clear()
    pygame.display.quit()


@pytest.fixture
def driver(app):
    """Synthetic key presses and clicks for ``app``."""
    return Driver(app)


@pytest.fixture
def game(app, baseline):
    """A baseline game on the turn screen: USA and ROK human teams, Japan the computer."""
    return start_game(app, baseline)
