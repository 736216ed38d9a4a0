"""The projector window of a hosted game: the join panel, who has submitted (never what), no hot-seat screens."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sim.room.state import Room, RoomMatch
from tests.sim.room.helpers import TEAMS, FakeClock, settings
from ui.driver import Driver
from ui.hosted import clock_text, hosted_app, qr_surface
from ui.scene import SceneId
from ui.theme import pygame

URL = "http://192.168.1.20:8000/?code=K7QM2P"


@pytest.fixture
def hosted(tmp_path):
    match = RoomMatch.start(settings(shadows=8), saves_dir=tmp_path / "saves")
    room = Room(match, join_code="K7QM2P", clock=FakeClock(), phase_seconds=300)
    app = hosted_app(room, URL, window=False)
    pygame.event.clear()
    app.frame(0.0)
    yield room, app, Driver(app)
    pygame.event.clear()
    pygame.display.quit()


def _shot(app, path: Path) -> None:
    app.screenshot(path)
    target = os.environ.get("TRILAT_SHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def test_the_projector_shows_the_join_code_qr_and_teams(hosted, tmp_path):
    room, app, _ = hosted
    app.render()
    fonts = app.fonts
    assert fonts.has_rendered("Join on your phone")
    assert fonts.has_rendered("Code K7QM2P")
    assert fonts.has_rendered("United States: not joined yet")
    assert fonts.has_rendered("Time left 5:00")
    _shot(app, tmp_path / "projector-join.png")


def test_the_projector_shows_who_submitted_but_never_what(hosted, tmp_path):
    room, app, _ = hosted
    for team in TEAMS:
        room.join(team)
    room.submit("ROK", ["pragmatic_tokyo_agenda"])
    room.submit("USA", ["engage_both_camps"])
    room.clock.now += 75
    app.frame(1.0)
    fonts = app.fonts
    assert fonts.has_rendered("Republic of Korea: submitted")
    assert fonts.has_rendered("Japan: choosing")
    assert fonts.rendered_containing("Time left 3:45")
    for gov, ident in (("ROK", "pragmatic_tokyo_agenda"), ("USA", "engage_both_camps")):
        title = room.match.card(gov, ident).title
        assert not fonts.rendered_containing(title), title
        assert not fonts.rendered_containing(ident), ident
    _shot(app, tmp_path / "projector-playing.png")


def test_playing_the_turn_never_opens_a_move_screen(hosted):
    room, app, driver = hosted
    room.submit("USA", [])
    driver.press(pygame.K_RETURN)
    assert driver.top.scene_id is SceneId.CONFIRM  # Seoul and Tokyo have not submitted: play anyway?
    assert not app.fonts.rendered_containing("Pass the laptop")
    driver.press(pygame.K_ESCAPE)
    assert driver.top.scene_id is SceneId.TURN
    room.submit("ROK", [])
    room.submit("JPN", [])
    driver.press(pygame.K_RETURN)
    assert driver.top.scene_id is SceneId.RESOLUTION
    assert room.match.turn == 1
    assert room.timer()["left"] == 300  # a new phase, a new countdown


def test_confirming_plays_the_turn_without_the_missing_teams(hosted):
    room, app, driver = hosted
    room.submit("ROK", ["pragmatic_tokyo_agenda"])
    driver.press(pygame.K_RETURN)
    assert driver.top.scene_id is SceneId.CONFIRM
    driver.press(pygame.K_RETURN)
    assert driver.top.scene_id is SceneId.RESOLUTION
    assert room.match.turn == 1


def test_drawing_never_changes_the_game(hosted):
    room, app, _ = hosted
    room.join("USA")
    before = (len(room.match.session.log), room.revision, room.match.revision, dict(room.tokens))
    for _ in range(5):
        app.render()
    assert (len(room.match.session.log), room.revision, room.match.revision, dict(room.tokens)) == before


def test_the_window_holds_the_rooms_lock_each_frame(hosted):
    room, app, _ = hosted
    assert app.lock is room.lock and app.remote


def test_qr_and_clock_helpers():
    surface = qr_surface(URL, 200)
    assert 150 <= surface.get_width() <= 200 and surface.get_width() == surface.get_height()
    assert clock_text(425) == "7:05" and clock_text(-3) == "0:00"


def test_leaving_a_hosted_game_closes_the_window(hosted):
    room, app, driver = hosted
    app.to_title()
    assert not app.running and app.match is room.match


def test_a_local_only_host_says_phones_need_lan(tmp_path):
    match = RoomMatch.start(settings(shadows=0), saves_dir=tmp_path)
    room = Room(match, clock=FakeClock())
    app = hosted_app(room, f"http://127.0.0.1:8000/?code={room.join_code}", window=False)
    try:
        app.render()
        assert app.fonts.rendered_containing("--lan")
    finally:
        pygame.display.quit()
