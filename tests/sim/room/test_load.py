"""Load on localhost: 40 team devices join, submit, revise and refresh over four turns through a real server.

Nothing is lost (every device sees its team's last move; every request answered), and the game
ends exactly as the same moves made hot-seat, straight through a :class:`GameSession`.
"""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import numpy as np

from sim.play.session import GameSession
from sim.room.host import Host
from tests.sim.room.helpers import TEAMS, auth, make_room, settings

DEVICES = 40
SHADOWS = 20


def _plan(view: dict, turn: int) -> list[str]:
    """The team's final move for a turn: affordable cards, starting from a card that rotates with the turn."""
    cards = view["cards"]
    capital = view["team"]["capital"]
    chosen, spent = [], 0.0
    for i in range(len(cards)):
        card = cards[(i + turn) % len(cards)]
        if spent + card["cost"] <= capital + 1e-9 and len(chosen) < 2:
            chosen.append(card["id"])
            spent += card["cost"]
    return chosen


async def _play(url: str, join_code: str, facilitator: str, stats: dict) -> dict[str, list[list[str]]]:
    limits = httpx.Limits(max_connections=DEVICES + 4)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:

        async def call(method: str, path: str, token: str, device: int, body=None) -> dict:
            headers = {**auth(token), "X-Device": f"device-{device}"}
            started = time.perf_counter()
            response = await http.request(method, path, headers=headers, json=body)
            stats["latency"].append(time.perf_counter() - started)
            stats["requests"] += 1
            if response.status_code != 200:
                stats["failures"].append((path, response.status_code, response.text))
                return {}
            return response.json()

        tokens = {}
        for team in TEAMS:
            response = await http.post("/api/join", json={"code": join_code, "team": team})
            tokens[team] = response.json()["token"]
        devices = [(i, TEAMS[i % len(TEAMS)]) for i in range(DEVICES)]
        rng = random.Random(11)
        finals: dict[str, list[list[str]]] = {team: [] for team in TEAMS}
        while True:
            views = await asyncio.gather(*(call("GET", "/api/team", tokens[t], i) for i, t in devices))
            if views[0]["turn"]["finished"]:
                break
            turn = views[0]["turn"]["next"]
            # Every device drafts a move (one affordable card, or a pass), all at once.
            drafts = []
            for (i, team), view in zip(devices, views, strict=True):
                affordable = [c["id"] for c in view["cards"] if c["affordable"]]
                draft = [rng.choice(affordable)] if affordable and rng.random() < 0.8 else []
                drafts.append(call("POST", "/api/team/move", tokens[team], i, {"cards": draft}))
            await asyncio.gather(*drafts)
            # Then each team's first device revises to the team's final move.
            for team in TEAMS:
                view = next(v for (_, t), v in zip(devices, views, strict=True) if t == team)
                finals[team].append(_plan(view, turn))
                answer = await call(
                    "POST", "/api/team/move", tokens[team], TEAMS.index(team), {"cards": finals[team][-1]}
                )
                assert answer["cards"] == finals[team][-1]
            # Every device refreshes a few times and sees its team's final move.
            for _ in range(3):
                await asyncio.sleep(0.1)
                seen = await asyncio.gather(*(call("GET", "/api/team", tokens[t], i) for i, t in devices))
                for (_, team), view in zip(devices, seen, strict=True):
                    assert view["move"] == {"submitted": True, "cards": finals[team][-1]}, team
            facilitator_view = await call("GET", "/api/facilitator", facilitator, -1)
            assert all(t["submitted"] and t["devices"] >= DEVICES // 3 for t in facilitator_view["teams"])
            resolved = await call("POST", "/api/facilitator/resolve", facilitator, -1, {})
            assert resolved["turn"]["played"] == turn
        return finals


def test_forty_devices_play_four_turns_and_match_hot_seat(tmp_path):
    room = make_room(tmp_path, shadows=SHADOWS)
    host = Host(room, port=0)
    host.start()
    stats: dict = {"requests": 0, "failures": [], "latency": []}
    started = time.perf_counter()
    try:
        finals = asyncio.run(_play(host.url, room.join_code, room.facilitator_token, stats))
    finally:
        host.stop()
    elapsed = time.perf_counter() - started
    p50, p95 = np.percentile(stats["latency"], [50, 95]) * 1000
    print(
        f"load: {DEVICES} devices, 4 turns, {stats['requests']} requests in {elapsed:.1f} s; "
        f"latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(stats['latency']) * 1000:.0f} ms"
    )
    assert stats["failures"] == []
    assert room.match.finished and room.match.turn == 4
    assert all(len(moves) == 4 for moves in finals.values())

    # The same moves, hot-seat: straight through a session.
    direct = GameSession(settings(SHADOWS))
    for turn in range(4):
        for team in TEAMS:
            direct.submit(team, finals[team][turn])
        direct.resolve()
    hosted = room.match.session
    assert np.array_equal(direct.story.x, hosted.story.x)
    assert np.array_equal(direct.shadows.x, hosted.shadows.x)
    for mine, theirs in zip(direct.story.history, hosted.story.history, strict=True):
        assert all(np.array_equal(mine[name], theirs[name]) for name in mine)
    # ... and the autosave replays to the same game.
    saved = GameSession.load(hosted.autosave_path, autosave=False)
    assert np.array_equal(saved.story.x, hosted.story.x)
