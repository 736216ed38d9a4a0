"""The room's secrets, joining, the countdown and the room file."""

from __future__ import annotations

import json
import stat

import pytest

from sim.errors import UsageError
from sim.play.match import Match
from sim.play.session import GameSession, GameSettings
from sim.room.state import (
    JOIN_ALPHABET,
    JOIN_CODE_LENGTH,
    MAX_DEVICES,
    Room,
    RoomMatch,
    human_teams,
    new_join_code,
    new_token,
    room_file,
    same_secret,
)
from tests.sim.room.helpers import FakeClock, make_room


def test_tokens_are_long_random_and_distinct():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(t) >= 22 for t in tokens)  # 128 bits, URL-safe base64


def test_join_codes_are_short_and_unambiguous():
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) > 190
    for code in codes:
        assert len(code) == JOIN_CODE_LENGTH
        assert set(code) <= set(JOIN_ALPHABET)
        assert not set(code) & set("0O1IL")


def test_same_secret_refuses_missing_and_wrong():
    assert same_secret("abc", "abc")
    assert not same_secret("abd", "abc")
    assert not same_secret(None, "abc")
    assert not same_secret("", "")
    assert not same_secret("abc", None)


def test_a_team_joins_once_and_can_be_released(tmp_path):
    room = make_room(tmp_path)
    token = room.join("ROK")
    assert room.team_for(token) == "ROK"
    assert room.team_for("nope") is None
    assert room.team_for(None) is None
    with pytest.raises(UsageError, match="already joined"):
        room.join("ROK")
    room.release("ROK")
    assert room.team_for(token) is None
    assert room.team_for(room.join("ROK")) == "ROK"


def test_only_human_teams_can_join(tmp_path):
    match = RoomMatch.start(GameSettings(scenario="baseline", shadows=0, controllers={"USA": "human"}))
    room = Room(match)
    with pytest.raises(UsageError, match="not played by a team"):
        room.join("JPN")


def test_the_code_matches_in_any_case_and_with_spaces(tmp_path):
    room = make_room(tmp_path)
    code = room.join_code
    assert room.code_matches(code.lower())
    assert room.code_matches(f" {code[:3]} {code[3:]} ")
    assert not room.code_matches("")
    assert not room.code_matches(None)


def test_countdown_runs_pauses_and_restarts_each_phase(tmp_path):
    clock = FakeClock()
    room = make_room(tmp_path, clock=clock, phase_seconds=300)
    assert room.timer()["left"] == 300
    clock.now += 100
    assert room.timer()["left"] == 200
    room.set_timer(pause=True)
    clock.now += 50
    assert room.timer() == {"left": 200, "length": 300, "running": False}
    room.set_timer(pause=False)
    clock.now += 20
    assert room.timer()["left"] == 180
    room.set_timer(seconds=60)
    assert room.timer()["left"] == 60
    clock.now += 500
    assert room.timer()["left"] == 0
    room.resolve()  # a new phase: the countdown starts again at the last length set
    assert room.timer()["left"] == 60


def test_window_resolutions_restart_the_countdown(tmp_path):
    clock = FakeClock()
    room = make_room(tmp_path, clock=clock, web_resolve=False, phase_seconds=120)
    clock.now += 100
    room.match.resolve()  # as the window does: through the match, not the room
    assert room.timer()["left"] == 120


def test_the_web_cannot_resolve_when_the_window_does(tmp_path):
    room = make_room(tmp_path, web_resolve=False)
    with pytest.raises(UsageError, match="game window"):
        room.resolve()
    with pytest.raises(UsageError, match="game window"):
        room.end()


def test_a_paused_game_refuses_moves(tmp_path):
    room = make_room(tmp_path)
    room.match.set_paused(True)
    with pytest.raises(UsageError, match="paused"):
        room.submit("USA", [])


def test_the_room_file_keeps_code_and_tokens_privately(tmp_path):
    room = make_room(tmp_path)
    token = room.join("JPN")
    path = room_file(room.match.session.autosave_path)
    data = json.loads(path.read_text())
    assert data["tokens"] == {"JPN": token}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    resumed = Match(GameSession.load(room.match.session.autosave_path))
    again = Room.restore(resumed)
    assert again.join_code == room.join_code
    assert again.facilitator_token == room.facilitator_token
    assert again.team_for(token) == "JPN"


def test_a_damaged_room_file_gives_a_new_room(tmp_path):
    room = make_room(tmp_path)
    room_file(room.match.session.autosave_path).write_text("{not json")
    again = Room.restore(room.match)
    assert again.join_code and again.tokens == {}


def test_human_teams_parses_and_refuses():
    assert human_teams(None) == ["USA", "ROK", "JPN"]
    assert human_teams("jpn, usa") == ["USA", "JPN"]
    with pytest.raises(UsageError, match="unknown government 'CHN'"):
        human_teams("USA,CHN")


def test_devices_count_recent_ones_and_memory_is_bounded(tmp_path):
    clock = FakeClock()
    room = make_room(tmp_path, clock=clock)
    room.seen("USA", "a")
    room.seen("USA", "b")
    room.seen("USA", "a")
    assert room.devices("USA") == 2 and room.devices("ROK") == 0
    clock.now += 60
    room.seen("USA", "c")
    assert room.devices("USA") == 1
    for i in range(MAX_DEVICES + 50):
        room.seen("ROK", f"device-{i}")
    assert len(room._seen["ROK"]) == MAX_DEVICES
