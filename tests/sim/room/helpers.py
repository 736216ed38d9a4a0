"""Shared pieces of the room tests: a hosted game, clients, and a fake clock."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():  # Starlette 1.x suggests httpx2 for its test client; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from sim.play.session import GameSettings
from sim.room.limits import Limits
from sim.room.server import create_app
from sim.room.state import Room, RoomMatch

SCENARIO = "korean-polarization"
TEAMS = ("USA", "ROK", "JPN")
BASE = "http://127.0.0.1"


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def settings(shadows: int = 8, turns: int = 4, seed: int = 3) -> GameSettings:
    """A hosted game's settings: three human teams."""
    return GameSettings(
        scenario=SCENARIO, seed=seed, turns=turns, shadows=shadows, controllers={g: "human" for g in TEAMS}
    )


def make_room(saves: Path, *, clock=None, web_resolve: bool = True, shadows: int = 8, **kwargs) -> Room:
    """A room over a new autosaved game of the test scenario."""
    match = RoomMatch.start(settings(shadows), saves_dir=saves)
    match.autosave()
    extra = {"clock": clock} if clock is not None else {}
    return Room(match, web_resolve=web_resolve, **extra, **kwargs)


def client(room: Room, limits: Limits | None = None, lan: bool = False) -> TestClient:
    """A test client of the room's app, on a localhost address."""
    return TestClient(create_app(room, BASE, lan=lan, limits=limits), base_url=BASE)


def auth(token: str) -> dict[str, str]:
    """The header carrying a token."""
    return {"Authorization": f"Bearer {token}"}


def join_all(http: TestClient, room: Room) -> dict[str, str]:
    """Every team joins by the room's code; their tokens."""
    tokens = {}
    for team in TEAMS:
        response = http.post("/api/join", json={"code": room.join_code, "team": team})
        assert response.status_code == 200, response.text
        tokens[team] = response.json()["token"]
    return tokens
