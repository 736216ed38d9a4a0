"""A team's view speaks the game's words: the same level words as the window and the handouts."""

from __future__ import annotations

from sim.play.plain_names import band
from sim.room.views import _world
from tests.sim.room.helpers import make_room


def test_the_world_panel_uses_the_games_level_words(tmp_path):
    room = make_room(tmp_path)
    rows = _world(room, "ROK")
    assert [row["name"] for row in rows][-1] == "ROK.approval"
    for row in rows:
        value = room.match.value(row["name"])
        assert row["word"] == band(value, tie=row["name"] != "ROK.approval"), row
    assert {row["word"] for row in rows} <= {"strained", "fragile", "working", "strong", "low", "medium", "high"}
