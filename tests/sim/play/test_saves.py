"""Self-contained saves: the scenario's whole extends: chain travels in the save."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.cli import main
from sim.play.session import GameSession, GameSettings, SaveError

CHILD = "# a class variant\nid: mine\ntitle: Mine\nextends: parent.yaml\nturns: 6\n"
PARENT = "id: parent\ntitle: Parent\nextends: baseline\n"


def played(tmp_path, turns=2):
    library = tmp_path / "lib"
    library.mkdir()
    (library / "mine.yaml").write_text(CHILD, encoding="utf-8")
    (library / "parent.yaml").write_text(PARENT, encoding="utf-8")
    settings = GameSettings(scenario=str(library / "mine.yaml"), seed=3, shadows=20, controllers={"ROK": "human"})
    session = GameSession(settings, autosave=tmp_path / "game.json")
    for _ in range(turns):
        session.submit("ROK", [])
        session.resolve()
    return session, library


def test_a_save_embeds_every_file_of_the_extends_chain(tmp_path):
    session, _ = played(tmp_path)
    files = json.loads((tmp_path / "game.json").read_text(encoding="utf-8"))["scenario"]["files"]
    assert [f["path"].rsplit("/", 1)[-1] for f in files] == [
        "defaults.yaml",
        "baseline.yaml",
        "parent.yaml",
        "mine.yaml",
    ]
    assert files[-1]["text"] == CHILD and files[-2]["text"] == PARENT
    assert "coefficients" in files[0]["text"] or len(files[0]["text"]) > 1000  # defaults.yaml in full


def test_unchanged_library_resumes_without_notice(tmp_path):
    played(tmp_path)
    again = GameSession.load(tmp_path / "game.json", autosave=False)
    assert again.turn == 2 and again.notices == []


@pytest.mark.parametrize("change", ["comment", "move"])
def test_resume_report_and_replay_survive_a_library_change(tmp_path, change, capsys):
    session, library = played(tmp_path)
    if change == "comment":
        (library / "mine.yaml").write_text("# edited after class\n" + CHILD, encoding="utf-8")
    else:
        (library / "mine.yaml").rename(tmp_path / "elsewhere.yaml")
        (library / "parent.yaml").unlink()
    again = GameSession.load(tmp_path / "game.json", autosave=False)
    assert again.scenario.embedded and again.notices
    assert "using the copy saved with the game" in again.notices[0]
    assert all(np.array_equal(a.x, b.x) for a, b in zip(again.models, session.models, strict=True))
    again.submit("ROK", [])  # resume: play on
    again.resolve()
    assert again.turn == 3
    assert main(["report", str(tmp_path / "game.json"), "--out", str(tmp_path / "rep")]) == 0
    err = capsys.readouterr().err
    assert "using the copy saved with the game" in err
    assert (tmp_path / "rep" / "report.md").is_file()


def test_replay_window_opens_a_save_whose_scenario_moved(tmp_path, monkeypatch):
    pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    import pygame

    from ui import app as app_module

    played(tmp_path)
    (tmp_path / "lib" / "mine.yaml").unlink()

    def frame(self, dt, original=app_module.App.frame, count=[0]):  # noqa: B006
        count[0] += 1
        if count[0] == 3:
            pygame.event.post(pygame.event.Event(pygame.QUIT))
        original(self, dt)

    monkeypatch.setattr(app_module.App, "frame", frame)
    assert app_module.run_replay(tmp_path / "game.json") == 0


def test_an_embedded_scenario_that_does_not_match_its_fingerprint_is_refused(tmp_path):
    played(tmp_path)
    save = tmp_path / "game.json"
    data = json.loads(save.read_text(encoding="utf-8"))
    data["scenario"]["files"][-1]["text"] = CHILD.replace("turns: 6", "turns: 7")
    save.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SaveError, match="fingerprint"):
        GameSession.load(save)
    data["scenario"]["files"] = "nonsense"
    save.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SaveError, match=r"scenario\.files: must be a valid list"):
        GameSession.load(save)
