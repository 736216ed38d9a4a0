"""Frame timing is measured for `trilat bench` (30 fps goal); idle frames skip drawing."""

from __future__ import annotations

from ui.app import measure_frames
from ui.theme import pygame


def test_frame_times_are_measured_for_the_benchmark():
    """The frame rate goal (30 fps) is reported by `trilat bench`; here only that it is measured."""
    results = measure_frames("baseline", sizes=((1280, 720),))
    frames = results["1280x720"]
    assert set(frames) == {"turn_screen_ms", "resolution_ms"}
    assert all(value > 0 for value in frames.values())


def test_idle_frames_are_not_redrawn(app, driver, game):
    driver.frame()
    drawn = app.frames
    driver.frame(count=5)
    assert app.frames == drawn
    driver.press(pygame.K_2)  # any input redraws
    assert app.frames == drawn + 1
