"""Kill a real headless host mid-turn with two teams' moves pending; restart it from the autosave: all comes back."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest

from sim.play.session import GameSession, GameSettings
from tests.sim.room.helpers import SCENARIO, TEAMS, auth

ROOT = Path(__file__).resolve().parents[3]


def _start(args: list[str]) -> tuple[subprocess.Popen, dict[str, str]]:
    """A headless host on a free port; what its banner says (url, code, facilitator token, autosave)."""
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "sim.cli", "host", *args, "--headless", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    banner = []
    assert process.stdout is not None
    for line in process.stdout:
        banner.append(line)
        if line.startswith("listening on"):
            break
    text = "".join(banner)
    found = {
        "url": re.search(r"listening on (http://\S+)", text),
        "code": re.search(r"join code (\w+)", text),
        "facilitator": re.search(r"#f=(\S+)", text),
        "save": re.search(r"Autosave: (\S+)", text),
    }
    if not all(found.values()):
        process.kill()
        pytest.fail(f"the host did not start:\n{text}")
    return process, {key: match.group(1) for key, match in found.items() if match}


def test_a_killed_host_resumes_with_the_pending_moves(tmp_path):
    process, first = _start([SCENARIO, "--turns", "4", "--shadows", "8", "--seed", "5", "--saves", str(tmp_path)])
    try:
        http = httpx.Client(base_url=first["url"], timeout=30)
        tokens = {}
        for team in TEAMS:
            tokens[team] = http.post("/api/join", json={"code": first["code"], "team": team}).json()["token"]
        moves = {"USA": ["engage_both_camps"], "ROK": ["pragmatic_tokyo_agenda"], "JPN": ["youth_exchanges"]}
        for team in TEAMS:
            assert http.post("/api/team/move", json={"cards": moves[team]}, headers=auth(tokens[team])).is_success
        assert http.post("/api/facilitator/resolve", json={}, headers=auth(first["facilitator"])).is_success
        # Mid-turn 2: two teams have chosen, one is still choosing.
        pending = {"USA": ["rally_the_base"], "ROK": ["civic_youth_outreach"]}
        for team, cards in pending.items():
            assert http.post("/api/team/move", json={"cards": cards}, headers=auth(tokens[team])).is_success
        before = {team: http.get("/api/team", headers=auth(tokens[team])).json() for team in TEAMS}
        http.close()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()

    process, second = _start(["--resume", first["save"]])
    try:
        assert second["code"] == first["code"] and second["facilitator"] == first["facilitator"]
        http = httpx.Client(base_url=second["url"], timeout=30)
        after = {team: http.get("/api/team", headers=auth(tokens[team])).json() for team in TEAMS}
        for team in TEAMS:
            assert after[team]["turn"] == before[team]["turn"]
            assert after[team]["turn"]["played"] == 1
            assert after[team]["world"] == before[team]["world"]
            assert after[team]["team"] == before[team]["team"]
            assert after[team]["news"] == before[team]["news"]
        assert after["USA"]["move"] == {"submitted": True, "cards": pending["USA"]}
        assert after["ROK"]["move"] == {"submitted": True, "cards": pending["ROK"]}
        assert after["JPN"]["move"] == {"submitted": False, "cards": []}
        status = http.get("/api/facilitator", headers=auth(first["facilitator"])).json()
        assert {t["team"]: t["submitted"] for t in status["teams"]} == {"USA": True, "ROK": True, "JPN": False}
        # The restarted host's game is exactly the game of these moves played straight through.
        direct = GameSession(
            GameSettings(SCENARIO, seed=5, turns=4, shadows=8, controllers=dict.fromkeys(TEAMS, "human"))
        )
        for team in TEAMS:
            direct.submit(team, moves[team])
        direct.resolve()
        for team, cards in pending.items():
            direct.submit(team, cards)
        saved = GameSession.load(first["save"], autosave=False)
        assert saved.submitted() == direct.submitted() == pending
        assert np.array_equal(saved.story.x, direct.story.x)
        assert np.array_equal(saved.shadows.x, direct.shadows.x)
        # The game goes on: Tokyo moves and the turn resolves.
        assert http.post("/api/team/move", json={"cards": []}, headers=auth(tokens["JPN"])).is_success
        assert (
            http.post("/api/facilitator/resolve", json={}, headers=auth(first["facilitator"])).json()["turn"]["played"]
            == 2
        )
        http.close()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
