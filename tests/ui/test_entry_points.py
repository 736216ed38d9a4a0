"""The CLI's entry points: the headless run's screenshots, the no-display message, bad saves, replay."""

from __future__ import annotations

import sys

import pytest

from sim.play.commands import Choose
from sim.play.session import GameSession
from tests.ui.helpers import SHADOWS
from ui import app as app_module
from ui.app import NO_DISPLAY, run_game, run_headless, run_replay
from ui.theme import pygame


def test_run_headless_saves_one_png_per_screen(tmp_path):
    folder = tmp_path / "shots"
    shots = run_headless("baseline", turns=2, screenshots=folder, seed=3, shadows=SHADOWS)
    names = [path.stem.split("-", 1)[1] for path in shots]
    assert names == [
        "title",
        "picker",
        "setup",
        "turn-t00",
        "console",
        "cover-usa-t01",
        "move-usa-t01",
        "all-moves-in-t01",
        "resolution-t01",
        "turn-t01",
        "cover-usa-t02",
        "move-usa-t02",
        "all-moves-in-t02",
        "resolution-t02",
        "debrief",
        "replay",
    ]
    assert sorted(folder.glob("*.png")) == shots
    pygame.display.init()
    for path in shots:
        assert pygame.image.load(str(path)).get_size() == (1280, 720)
    saves = list(folder.glob("baseline-*.json"))
    assert len(saves) == 1  # the game autosaved beside the screenshots, for `trilat report`
    session = GameSession.load(saves[0], autosave=False)
    assert session.turn == 2 and session.finished
    assert [e.government for e in session.log if isinstance(e, Choose)] == ["USA", "USA"]
    assert session.settings.controllers["USA"] == "human" and session.settings.controllers["ROK"] != "human"


def _no_display(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")


def test_without_a_display_run_game_says_so_in_one_line(monkeypatch, capsys):
    _no_display(monkeypatch)
    assert run_game("baseline") == 2
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).strip().splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0] and "trilat run" in lines[0] and "--headless" in lines[0]
    assert "Traceback" not in captured.err


def test_without_a_display_run_replay_says_so(monkeypatch, capsys, tmp_path):
    _no_display(monkeypatch)
    assert run_replay(tmp_path / "game.json") == 2
    assert capsys.readouterr().err.strip() == NO_DISPLAY


def test_a_dummy_driver_counts_as_a_display(monkeypatch):
    _no_display(monkeypatch)
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    assert app_module.has_display()
    monkeypatch.delenv("SDL_VIDEODRIVER")
    monkeypatch.setenv("DISPLAY", ":0")
    assert app_module.has_display()


def test_bad_save_or_scenario_is_one_line_and_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "something else"}', encoding="utf-8")
    assert run_game(None, resume=broken, saves_dir=tmp_path) == 2
    assert run_replay(broken) == 2
    assert run_game("baselien", saves_dir=tmp_path) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3
    assert "not a Trilat save file" in err[0] and "not a Trilat save file" in err[1]
    assert "did you mean 'baseline'" in err[2]


@pytest.mark.parametrize("entry", ["game", "replay"])
def test_the_window_opens_and_closes(tmp_path, monkeypatch, entry):
    """run_game and run_replay open the window and return 0 when the user quits."""
    shots = run_headless("baseline", turns=1, screenshots=tmp_path / "shots", shadows=0)
    save = next((tmp_path / "shots").glob("*.json"))
    assert shots

    def quit_after_a_few_frames(original=app_module.App.frame):
        count = {"n": 0}

        def frame(self, dt):
            count["n"] += 1
            if count["n"] == 3:
                pygame.event.post(pygame.event.Event(pygame.QUIT))
            original(self, dt)

        return frame

    monkeypatch.setattr(app_module.App, "frame", quit_after_a_few_frames())
    if entry == "game":
        assert run_game(None, resume=save, saves_dir=tmp_path) == 0
    else:
        assert run_replay(save) == 0
