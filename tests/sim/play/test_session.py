"""Game sessions: moves, facilitator commands, undo, branch, autosave and exact resume."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.errors import UsageError
from sim.play.commands import Inject, Undo
from sim.play.session import GameSession, GameSettings, SaveError

SETTINGS = dict(scenario="baseline", seed=7, shadows=40, controllers={"USA": "human", "ROK": "human"})


def new_session(tmp_path=None, **overrides):
    settings = GameSettings(**{**SETTINGS, **overrides})
    return GameSession(settings, autosave=None if tmp_path is None else tmp_path / "game.json")


def affordable(session, gov, wanted):
    capital = float(session.story.governments[gov].value("capital")[0])
    costs = {card.id: card.cost for card in session.scenario.actions[gov]}
    hand = []
    for card in wanted:
        if costs[card] <= capital:
            hand.append(card)
            capital -= costs[card]
    return hand


def play(session, turns, cards=None):
    cards = cards or {"USA": ["rally_the_base"], "ROK": ["missile_warning_sharing"]}
    for _ in range(turns):
        for gov in session.waiting_for():
            session.submit(gov, affordable(session, gov, cards.get(gov, [])))
        session.resolve()


def same_state(a: GameSession, b: GameSession) -> bool:
    return all(np.array_equal(x.x, y.x) for x, y in zip(a.models, b.models, strict=True))


def test_human_moves_are_played_and_computers_choose(tmp_path):
    session = new_session()
    assert session.waiting_for() == ["USA", "ROK"]
    session.submit("USA", ["rally_the_base"])
    assert session.waiting_for() == ["ROK"]
    session.submit("ROK", [])
    firings = session.resolve()
    labels = [f.label for f in firings]
    assert "action:USA.rally_the_base" in labels
    assert not any(label.startswith("action:ROK.") for label in labels)
    assert session.turn == 1 and session.waiting_for() == ["USA", "ROK"]
    with pytest.raises(UsageError, match="played by the computer"):
        session.submit("JPN", ["shuttle_diplomacy"])
    with pytest.raises(UsageError, match="political capital"):
        session.submit("USA", ["trilateral_summit", "deterrence_reassurance", "tariff_threat", "bilateral_deal"])


def test_resume_from_a_save_is_bit_identical(tmp_path):
    uninterrupted = new_session()
    play(uninterrupted, 6)
    interrupted = new_session(tmp_path)
    play(interrupted, 3)
    interrupted.inject_event("history_flareup")
    interrupted.set_parameter("us_transactionalism", 0.8)
    uninterrupted_log_check = None
    resumed = GameSession.load(tmp_path / "game.json")
    assert resumed.turn == 3
    # the facilitator commands after the last autosave are not in it: redo them, as a facilitator would
    resumed.inject_event("history_flareup")
    resumed.set_parameter("us_transactionalism", 0.8)
    play(resumed, 3)
    play(interrupted, 3)
    assert same_state(resumed, interrupted)
    assert uninterrupted_log_check is None
    assert not same_state(resumed, uninterrupted)  # the injection and the parameter mattered


def test_autosave_after_every_turn_and_save_round_trip(tmp_path):
    session = new_session(tmp_path)
    play(session, 2)
    data = json.loads((tmp_path / "game.json").read_text(encoding="utf-8"))
    assert data["format"] == "trilat-save" and data["version"] == 1 and data["turn"] == 2
    assert [e["kind"] for e in data["log"]].count("resolve") == 2
    again = GameSession.load(tmp_path / "game.json")
    assert same_state(again, session)


def test_undo_returns_to_the_previous_decision(tmp_path):
    session = new_session()
    play(session, 2)
    before = [m.x.copy() for m in session.models]
    session.inject_event("freedom_edge")
    play(session, 1, {"USA": ["trilateral_summit"], "ROK": []})
    assert session.turn == 3
    assert session.undo() == 3
    assert session.turn == 2
    assert all(np.array_equal(m.x, b) for m, b in zip(session.models, before, strict=True))
    assert session.waiting_for() == ["USA", "ROK"]
    undone = [a for a in session.facilitator_actions() if isinstance(a, Undo)]
    assert undone and any(isinstance(e, Inject) for e in undone[0].dropped)
    with pytest.raises(UsageError):
        new_session().undo()


def test_branch_replays_up_to_a_turn(tmp_path):
    session = new_session()
    play(session, 4)
    branch = session.branch(2)
    reference = new_session()
    play(reference, 2)
    assert branch.turn == 2 and same_state(branch, reference)
    play(branch, 1, {"USA": ["burden_sharing_ultimatum"], "ROK": []})
    assert branch.turn == 3 and session.turn == 4


def test_custom_injection_state_and_end(tmp_path):
    session = new_session()
    session.inject_custom("Crisis", "A collision at sea.", {"tie.ROK_JPN": -0.1})
    session.set_state("ROK.approval", 0.2)
    with pytest.raises(UsageError):
        session.inject_custom("Bad", "x", {"tie.ROK_JPX": -0.1})
    play(session, 1)
    assert any(f.label == "inject:custom_1" for f in session.story.log)
    session.end()
    assert session.finished
    with pytest.raises(UsageError, match="over"):
        session.resolve()
    kinds = [a.kind for a in session.facilitator_actions()]
    assert kinds == ["custom", "set_state", "end"]


def test_fan_of_futures(tmp_path):
    session = new_session()
    play(session, 3)
    fan = session.fan("trilateral")
    assert len(fan["story"]) == 4 and len(fan["p50"]) == 4
    assert all(lo <= mid <= hi for lo, mid, hi in zip(fan["p5"], fan["p50"], fan["p95"], strict=True))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"hello": 1}', "not a Trilat save"),
        ('{"format": "trilat-save", "version": 99}', "newer than"),
        (
            '{"format": "trilat-save", "version": 1, "settings": {"scenario": "baseline"}, "turn": 0, '
            f'"scenario": {{"id": "baseline", "path": "x", "content_hash": "{"0" * 64}"}}, '
            '"log": [{"kind": "explode", "turn": 0}]}',
            "command 1: unknown command kind 'explode'",
        ),
        (
            '{"format": "trilat-save", "version": 1, "settings": {"scenario": "nosuch"}, "turn": 0, '
            f'"scenario": {{"id": "nosuch", "path": "x", "content_hash": "{"0" * 64}"}}, "log": []}}',
            "cannot be loaded",
        ),
        (
            '{"format": "trilat-save", "version": 1, "settings": {"scenario": "baseline", "bogus": 1}, "scenario": {"id": "baseline", "path": "x"}, "log": []}',
            "damaged save",
        ),
    ],
)
def test_damaged_or_foreign_saves_are_clear_errors(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SaveError, match=fragment):
        GameSession.load(path)


def test_an_old_save_without_embedded_scenario_refuses_a_changed_scenario(tmp_path):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("id: mine\ntitle: Mine\nextends: baseline\n", encoding="utf-8")
    session = new_session(tmp_path, scenario=str(scenario))
    play(session, 1)
    save = tmp_path / "game.json"
    data = json.loads(save.read_text(encoding="utf-8"))
    del data["scenario"]["files"]  # as saves were before they embedded the scenario
    save.write_text(json.dumps(data), encoding="utf-8")
    assert GameSession.load(save, autosave=False).turn == 1  # unchanged library: works as before
    scenario.write_text("id: mine\ntitle: Mine changed\nextends: baseline\n", encoding="utf-8")
    with pytest.raises(SaveError, match="has changed"):
        GameSession.load(save)


def test_a_save_interrupted_mid_write_keeps_the_previous_one(tmp_path, monkeypatch):
    session = new_session(tmp_path)
    play(session, 1)
    good = (tmp_path / "game.json").read_text(encoding="utf-8")

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("sim.atomic.os.replace", explode)
    with pytest.raises(OSError):
        play(session, 1)
    assert (tmp_path / "game.json").read_text(encoding="utf-8") == good
    assert [p.name for p in tmp_path.iterdir()] == ["game.json"]


def test_facilitator_state_changes_appear_in_the_next_turns_explanation():
    session = new_session()
    play(session, 1)
    session.set_state("ROK.approval", 0.9)
    play(session, 1)
    info = session.story.explain(2)["ROK.approval"]
    assert any(source.label == "facilitator: set ROK.approval" for source, _ in info["parts"])
    assert sum(v for _, v in info["parts"]) == pytest.approx(info["total"], abs=1e-9)


def test_the_story_can_be_any_replication():
    from sim import TrilateralModel, load_scenario

    session = GameSession(GameSettings(scenario="baseline", seed=11, shadows=5, story_replication=42))
    while not session.finished:
        session.resolve()
    alone = TrilateralModel(load_scenario("baseline"), seed=11, replication_ids=[42]).run()
    assert np.array_equal(session.story.x, alone.x)


def test_an_ended_game_can_be_reopened_and_replays_exactly(tmp_path):
    session = new_session(tmp_path, turns=4)
    play(session, 2)
    session.end()
    assert session.finished and session.ended_early
    with pytest.raises(UsageError, match="game is over"):
        session.resolve()
    session.reopen()
    assert not session.finished and not session.ended_early and session.turns == 4
    play(session, 2)
    assert session.turn == 4 and session.finished and not session.ended_early
    with pytest.raises(UsageError, match="nothing to reopen"):
        session.reopen()
    again = GameSession.load(tmp_path / "game.json", autosave=False)
    assert same_state(again, session)
    kinds = [a.kind.value for a in again.facilitator_actions()]
    assert kinds == ["end", "reopen"]


def test_a_preset_is_one_logged_action_and_survives_a_save(tmp_path):
    settings = dict(SETTINGS, scenario="trump2-transactional")
    session = GameSession(GameSettings(**settings), autosave=tmp_path / "game.json")
    before = len(session.log)
    session.apply_preset("maximal_trump")
    assert len(session.log) == before + 1
    assert all(float(np.mean(m.params["tariff_pressure"])) == 1.0 for m in session.models)
    with pytest.raises(UsageError, match="no preset 'maximal_trumpp'.*did you mean"):
        session.apply_preset("maximal_trumpp")
    play(session, 1)
    again = GameSession.load(tmp_path / "game.json", autosave=False)
    assert same_state(again, session) and float(np.mean(again.story.params["drawdown_risk"])) == 1.0
