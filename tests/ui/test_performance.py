"""Frame rate: at least 30 frames per second while animating, at 1280x720 and 1920x1080; idle frames skip drawing."""

from __future__ import annotations

import time

import pytest

from tests.ui.helpers import play_turn, start_game
from ui.app import App
from ui.driver import Driver
from ui.theme import pygame

BUDGET = 1 / 30


def mean_frame_seconds(app, frames=30):
    app.update(1 / 60)
    app.render()  # warm the text cache
    start = time.perf_counter()
    for _ in range(frames):
        app.update(1 / 60)
        app.render()
    return (time.perf_counter() - start) / frames


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_turn_and_resolution_screens_draw_faster_than_30_fps(tmp_path, baseline, size):
    app = App(size, saves_dir=tmp_path)
    start_game(app, baseline, humans=(), shadows=300)
    driver = Driver(app)
    for _ in range(3):
        play_turn(driver)
    assert mean_frame_seconds(app) < BUDGET
    driver.press(pygame.K_RETURN)  # computer-only game: straight to the resolution, animating
    assert driver.top.name == "resolution" and driver.top.animating()
    assert mean_frame_seconds(app) < BUDGET
    pygame.display.quit()


def test_idle_frames_are_not_redrawn(app, driver, game):
    driver.frame()
    drawn = app.frames
    driver.frame(count=5)
    assert app.frames == drawn
    driver.press(pygame.K_2)  # any input redraws
    assert app.frames == drawn + 1
