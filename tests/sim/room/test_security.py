"""Every route refuses a wrong or missing secret, and no route shows one team another team's moves or objectives.

The routes are read from the app itself, so a new route is covered (and must say who may call it).
"""

from __future__ import annotations

import pytest

from sim.room.server import RoomApp
from tests.sim.room.helpers import BASE, auth, client, join_all, make_room

ROLES = ("page", "join", "team", "any", "facilitator")
PUBLIC = {"/", "/static/{name}"}
BODIES = {
    "/api/lobby": {"code": "ABCDEF"},
    "/api/join": {"code": "ABCDEF", "team": "USA"},
    "/api/team/move": {"cards": []},
    "/api/facilitator/timer": {"seconds": 60},
    "/api/facilitator/release": {"team": "ROK"},
}


def _routes():
    return [(r.name, r.path, sorted(r.methods - {"HEAD"})[0]) for r in RoomApp.routes(RoomApp.__new__(RoomApp))]


ROUTES = _routes()
SECRET_ROUTES = [r for r in ROUTES if not r[0].startswith("page:")]


def _call(http, method, path, headers=None, body=None):
    if method == "GET":
        return http.get(path, headers=headers or {})
    return http.post(path, json=BODIES.get(path, {}) if body is None else body, headers=headers or {})


@pytest.fixture
def hosted(tmp_path):
    room = make_room(tmp_path, shadows=0)
    http = client(room)
    tokens = join_all(http, room)
    # Seoul's secret: a pending move and its objectives.
    assert http.post(
        "/api/team/move", json={"cards": ["pragmatic_tokyo_agenda"]}, headers=auth(tokens["ROK"])
    ).is_success
    return room, http, tokens


def test_every_route_says_who_may_call_it():
    assert ROUTES, "no routes found"
    for name, path, _ in ROUTES:
        assert name.split(":")[0] in ROLES, f"{path}: route name {name!r} must start with one of {ROLES}"
    assert {path for name, path, _ in ROUTES if name.startswith("page:")} == PUBLIC


@pytest.mark.parametrize(("name", "path", "method"), SECRET_ROUTES, ids=[r[0] for r in SECRET_ROUTES])
@pytest.mark.parametrize("secret", ["missing", "wrong", "empty bearer", "another scheme"])
def test_a_wrong_or_missing_secret_is_refused(hosted, name, path, method, secret):
    room, http, tokens = hosted
    headers = {
        "missing": {},
        "wrong": auth("x" * 22),
        "empty bearer": {"Authorization": "Bearer "},
        "another scheme": {"Authorization": f"Basic {tokens['USA']}"},
    }[secret]
    before = (len(room.match.session.log), room.match.turn, dict(room.tokens), room.revision)
    body = None
    if name.startswith("join:"):
        body = {**BODIES[path], "code": "WRONG9"} if secret != "missing" else {"team": "USA"}
    response = _call(http, method, path, headers, body)
    assert response.status_code in (401, 403, 422), (path, response.status_code, response.text)
    assert (len(room.match.session.log), room.match.turn, dict(room.tokens), room.revision) == before
    for token in (*tokens.values(), room.facilitator_token):
        assert token not in response.text


@pytest.mark.parametrize(("name", "path", "method"), SECRET_ROUTES, ids=[r[0] for r in SECRET_ROUTES])
def test_a_team_never_sees_another_teams_move_or_objectives(hosted, name, path, method):
    room, http, tokens = hosted
    rok_objectives = [t.doc for t in room.match.scenario.spec.objectives["ROK"] if t.doc]
    rok_cards = {c.id for c in room.match.cards("ROK")}
    assert rok_objectives and "pragmatic_tokyo_agenda" in rok_cards
    body = None
    if name.startswith("join:"):
        body = {**BODIES[path], "code": room.join_code}
    response = _call(http, method, path, auth(tokens["USA"]), body)
    if name.startswith("facilitator:"):
        assert response.status_code == 403
    text = response.text
    assert "pragmatic_tokyo_agenda" not in text
    for card in rok_cards:
        assert card not in text
    for doc in rok_objectives:
        assert doc not in text
    assert tokens["ROK"] not in text and room.facilitator_token not in text


@pytest.mark.parametrize(("name", "path", "method"), [r for r in SECRET_ROUTES if r[0].startswith("team:")])
def test_the_facilitator_token_is_not_a_team_token(hosted, name, path, method):
    room, http, _ = hosted
    response = _call(http, method, path, auth(room.facilitator_token))
    assert response.status_code == 401


def test_the_facilitator_sees_who_submitted_but_never_what(hosted):
    room, http, _ = hosted
    response = http.get("/api/facilitator", headers=auth(room.facilitator_token))
    assert response.status_code == 200
    status = {t["team"]: t["submitted"] for t in response.json()["teams"]}
    assert status == {"USA": False, "ROK": True, "JPN": False}
    assert "pragmatic_tokyo_agenda" not in response.text


def test_a_team_sees_its_own_move_and_objectives(hosted):
    room, http, tokens = hosted
    view = http.get("/api/team", headers=auth(tokens["ROK"])).json()
    assert view["move"] == {"submitted": True, "cards": ["pragmatic_tokyo_agenda"]}
    assert {c["id"] for c in view["cards"]} == {c.id for c in room.match.cards("ROK")}
    assert [o["indicator"] for o in view["objectives"]] == [
        t.indicator for t in room.match.scenario.spec.objectives["ROK"]
    ]


def test_a_released_teams_old_token_stops_working(hosted):
    room, http, tokens = hosted
    response = http.post("/api/facilitator/release", json={"team": "JPN"}, headers=auth(room.facilitator_token))
    assert response.status_code == 200
    assert http.get("/api/team", headers=auth(tokens["JPN"])).status_code == 401
    assert http.post("/api/join", json={"code": room.join_code, "team": "JPN"}).status_code == 200


def test_a_joined_team_cannot_be_joined_again(hosted):
    room, http, _ = hosted
    response = http.post("/api/join", json={"code": room.join_code, "team": "ROK"})
    assert response.status_code == 409
    assert "token" not in response.json()


def test_static_files_are_only_the_pages_own(hosted):
    _, http, _ = hosted
    assert http.get("/static/app.js").status_code == 200
    for name in ("..%2Fstate.py", "index.html", "state.py", "%2Fetc%2Fpasswd"):
        assert http.get(f"/static/{name}").status_code == 404, name
    assert BASE.startswith("http://127.0.0.1")
