"""Input validation, request sizes and request rates."""

from __future__ import annotations

import pytest

from sim.room.limits import MAX_KEYS, Buckets, Limits
from tests.sim.room.helpers import FakeClock, auth, client, join_all, make_room


def test_a_bucket_allows_its_burst_then_its_rate():
    clock = FakeClock()
    buckets = Buckets(rate=2.0, burst=3.0, clock=clock)
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]
    assert buckets.take("b")  # another key has its own bucket
    clock.now += 0.5  # one more request per half second at 2/s
    assert buckets.take("a")
    assert not buckets.take("a")


def test_buckets_forget_keys_rather_than_grow():
    buckets = Buckets(rate=1.0, burst=1.0, clock=FakeClock())
    for i in range(MAX_KEYS + 10):
        buckets.take(f"k{i}")
    assert len(buckets._state) <= MAX_KEYS


@pytest.fixture
def hosted(tmp_path):
    room = make_room(tmp_path)
    http = client(room)
    return room, http, join_all(http, room)


@pytest.mark.parametrize(
    "body",
    [
        {"cards": ["x"] * 13},  # too many cards
        {"cards": ["bad id!"]},  # not an identifier
        {"cards": ["a" * 65]},  # too long
        {"cards": "trilateral_summit"},  # not a list
        {"cards": [], "team": "ROK"},  # unknown field: a team cannot name another team
    ],
)
def test_moves_are_validated(hosted, body):
    room, http, tokens = hosted
    response = http.post("/api/team/move", json=body, headers=auth(tokens["USA"]))
    assert response.status_code == 422
    assert "error" in response.json()
    assert room.match.submitted() == {}


def test_a_card_of_another_team_is_refused(hosted):
    room, http, tokens = hosted
    response = http.post("/api/team/move", json={"cards": ["shuttle_diplomacy"]}, headers=auth(tokens["USA"]))
    assert response.status_code == 409
    assert "unknown card" in response.json()["error"]
    assert room.match.submitted() == {}


def test_a_hand_beyond_the_capital_is_refused(hosted):
    room, http, tokens = hosted
    cards = ["trilateral_summit", "deterrence_reassurance", "burden_sharing_ultimatum"]
    response = http.post("/api/team/move", json={"cards": cards}, headers=auth(tokens["USA"]))
    assert response.status_code == 409
    assert "political capital" in response.json()["error"]


@pytest.mark.parametrize("body", [{"code": "AB"}, {"code": "ABCDEF", "team": "CHN"}, {"code": "<script>"}, "[]"])
def test_join_requests_are_validated(hosted, body):
    _, http, _ = hosted
    if isinstance(body, str):
        response = http.post("/api/join", content=body, headers={"content-type": "application/json"})
    else:
        response = http.post("/api/join", json=body)
    assert response.status_code == 422


def test_large_bodies_are_refused_declared_or_streamed(hosted):
    _, http, tokens = hosted
    big = b'{"cards": [' + b'"a",' * 3000 + b'"a"]}'
    response = http.post("/api/team/move", content=big, headers=auth(tokens["USA"]))
    assert response.status_code == 413

    def chunks():
        for _ in range(10):
            yield b" " * 1000

    response = http.post("/api/team/move", content=chunks(), headers=auth(tokens["USA"]))
    assert response.status_code == 413


def test_wrong_secrets_are_rate_limited_per_address(tmp_path):
    clock = FakeClock()
    room = make_room(tmp_path, clock=clock)
    http = client(room, Limits(fail_rate=0.1, fail_burst=3))
    statuses = [http.get("/api/team", headers=auth("guess")).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert http.post("/api/join", json={"code": "WRONG1", "team": "USA"}).status_code == 429
    clock.now += 10  # one more attempt after 10 s at 0.1/s
    assert http.get("/api/team", headers=auth("guess")).status_code == 401


def test_a_team_token_is_rate_limited(tmp_path):
    room = make_room(tmp_path, clock=FakeClock())
    http = client(room, Limits(team_rate=1, team_burst=5))
    tokens = join_all(http, room)
    statuses = [http.get("/api/team", headers=auth(tokens["USA"])).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert http.get("/api/team", headers=auth(tokens["ROK"])).status_code == 200  # other teams are unaffected


def test_pages_send_protective_headers(hosted):
    _, http, tokens = hosted
    for response in (http.get("/"), http.get("/api/team", headers=auth(tokens["USA"]))):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
