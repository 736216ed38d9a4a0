"""The host's web app (Starlette): the team and facilitator pages and their small JSON API.

Pages poll ``/api/team`` (or ``/api/facilitator``) every two seconds rather than holding a
websocket: a classroom's Wi-Fi drops and re-associates phones often, a poll simply succeeds
on the next try, 40 devices polling every two seconds is about 20 small requests a second,
and plain HTTP passes school proxies. Every ``/api`` route needs a secret: the join code
(``join:`` routes), a team token or the facilitator's token, sent as ``Authorization: Bearer``.
Each route's name starts with who may call it (``page:``, ``join:``, ``team:``,
``facilitator:``, ``any:``); the security tests walk the routes by these names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import segno
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sim.errors import TrilatError
from sim.room import views
from sim.room.limits import BodyLimit, Buckets, Limits
from sim.room.models import JoinRequest, LobbyRequest, MoveRequest, ReleaseRequest, TimerRequest
from sim.room.state import Room

STATIC = {"app.js": "text/javascript", "style.css": "text/css"}
"""The page's files, served from the package (no CDN, no build step)."""
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]

Handler = Callable[[Request], Awaitable[Response]]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


def _ok(data: Any) -> JSONResponse:
    return JSONResponse(data, headers=HEADERS)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "?"


async def _parse[M: BaseModel](request: Request, model: type[M]) -> M | JSONResponse:
    body = await request.body()
    try:
        return model.model_validate_json(body or b"{}")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        return _error(422, f"{where}: {first.get('msg', 'invalid')}")


class RoomApp:
    """The routes of one room, with their rate limits.

    Args:
        room: the hosted game.
        public_url: the address devices use (``http://192.168.1.20:8000``), for the team's add-a-device link.
        limits: request rates and sizes.
    """

    def __init__(self, room: Room, public_url: str, limits: Limits | None = None) -> None:
        self.room = room
        self.public_url = public_url.rstrip("/")
        self.limits = limits or Limits()
        clock = room.clock
        self.team_buckets = Buckets(self.limits.team_rate, self.limits.team_burst, clock)
        self.fail_buckets = Buckets(self.limits.fail_rate, self.limits.fail_burst, clock)
        self.page_buckets = Buckets(self.limits.page_rate, self.limits.page_burst, clock)

    # ------------------------------------------------------------------ access

    def _refuse(self, request: Request, status: int, message: str) -> JSONResponse:
        """A refused secret: 401/403, or 429 once this address has tried too many."""
        if not self.fail_buckets.take(_client(request)):
            return _error(429, "too many attempts: wait a minute")
        return _error(status, message)

    def _team(self, request: Request) -> str | JSONResponse:
        token = _bearer(request)
        gov = self.room.team_for(token)
        if gov is None or token is None:
            return self._refuse(request, 401, "not signed in to a team (join again, or ask a teammate)")
        if not self.team_buckets.take(f"team:{gov}"):
            return _error(429, "too many requests: slow down")
        return gov

    def _facilitator(self, request: Request) -> JSONResponse | None:
        if not self.room.is_facilitator(_bearer(request)):
            return self._refuse(request, 403, "facilitator only")
        if not self.team_buckets.take("facilitator"):
            return _error(429, "too many requests: slow down")
        return None

    def _code(self, request: Request, code: str) -> JSONResponse | None:
        if not self.room.code_matches(code):
            return self._refuse(request, 403, "wrong join code")
        return None

    # ------------------------------------------------------------------ pages

    async def page(self, request: Request) -> Response:
        if not self.page_buckets.take(_client(request)):
            return _error(429, "too many requests: slow down")
        html = resources.files("sim.room").joinpath("static", "index.html").read_text(encoding="utf-8")
        return Response(html, media_type="text/html", headers=HEADERS)

    async def static(self, request: Request) -> Response:
        if not self.page_buckets.take(_client(request)):
            return _error(429, "too many requests: slow down")
        name = request.path_params["name"]
        if name not in STATIC:
            return _error(404, "no such file")
        text = resources.files("sim.room").joinpath("static", name).read_text(encoding="utf-8")
        return Response(text, media_type=STATIC[name], headers=HEADERS)

    # ------------------------------------------------------------------ joining

    async def lobby(self, request: Request) -> Response:
        parsed = await _parse(request, LobbyRequest)
        if isinstance(parsed, JSONResponse):
            return parsed
        refused = self._code(request, parsed.code)
        if refused is not None:
            return refused

        def read() -> dict[str, Any]:
            with self.room.lock:
                teams = [{k: s[k] for k in ("team", "name", "joined")} for s in self.room.status()]
                return {"title": self.room.match.scenario.spec.title, "teams": teams}

        return _ok(await run_in_threadpool(read))

    async def join(self, request: Request) -> Response:
        parsed = await _parse(request, JoinRequest)
        if isinstance(parsed, JSONResponse):
            return parsed
        refused = self._code(request, parsed.code)
        if refused is not None:
            return refused
        try:
            token = await run_in_threadpool(self.room.join, parsed.team)
        except TrilatError as exc:
            return _error(409, str(exc))
        return _ok({"token": token, "team": parsed.team})

    # ------------------------------------------------------------------ a team

    async def team(self, request: Request) -> Response:
        gov = self._team(request)
        if isinstance(gov, JSONResponse):
            return gov
        device = request.headers.get("x-device", "")

        def read() -> dict[str, Any]:
            with self.room.lock:
                if device:
                    self.room.seen(gov, device)
                return views.team_view(self.room, gov)

        return _ok(await run_in_threadpool(read))

    async def move(self, request: Request) -> Response:
        gov = self._team(request)
        if isinstance(gov, JSONResponse):
            return gov
        parsed = await _parse(request, MoveRequest)
        if isinstance(parsed, JSONResponse):
            return parsed
        try:
            cards = await run_in_threadpool(self.room.submit, gov, parsed.cards)
        except TrilatError as exc:
            return _error(409, str(exc))
        return _ok({"submitted": True, "cards": cards})

    async def team_link(self, request: Request) -> Response:
        gov = self._team(request)
        if isinstance(gov, JSONResponse):
            return gov
        link = f"{self.public_url}/#t={_bearer(request)}"
        svg = segno.make(link, error="m").svg_inline(scale=4, dark="#111", light="#fff")
        return _ok({"link": link, "qr_svg": svg, "team": gov})

    async def glossary(self, request: Request) -> Response:
        token = _bearer(request)
        if self.room.team_for(token) is None and not self.room.is_facilitator(token):
            return self._refuse(request, 401, "not signed in")
        return _ok({"terms": views.glossary()})

    # ------------------------------------------------------------------ the facilitator

    async def facilitator(self, request: Request) -> Response:
        refused = self._facilitator(request)
        if refused is not None:
            return refused

        def read() -> dict[str, Any]:
            with self.room.lock:
                return views.facilitator_view(self.room)

        return _ok(await run_in_threadpool(read))

    async def resolve(self, request: Request) -> Response:
        refused = self._facilitator(request)
        if refused is not None:
            return refused
        return await self._act(self.room.resolve)

    async def end(self, request: Request) -> Response:
        refused = self._facilitator(request)
        if refused is not None:
            return refused
        return await self._act(self.room.end)

    async def timer(self, request: Request) -> Response:
        refused = self._facilitator(request)
        if refused is not None:
            return refused
        parsed = await _parse(request, TimerRequest)
        if isinstance(parsed, JSONResponse):
            return parsed
        return await self._act(lambda: self.room.set_timer(parsed.seconds, parsed.pause))

    async def release(self, request: Request) -> Response:
        refused = self._facilitator(request)
        if refused is not None:
            return refused
        parsed = await _parse(request, ReleaseRequest)
        if isinstance(parsed, JSONResponse):
            return parsed
        return await self._act(lambda: self.room.release(parsed.team))

    async def _act(self, action: Callable[[], None]) -> Response:
        def run() -> dict[str, Any]:
            with self.room.lock:
                action()
                return views.facilitator_view(self.room)

        try:
            return _ok(await run_in_threadpool(run))
        except TrilatError as exc:
            return _error(409, str(exc))

    # ------------------------------------------------------------------ the app

    def routes(self) -> list[Route]:
        """Every route; the name's prefix says who may call it."""
        return [
            Route("/", self.page, methods=["GET"], name="page:index"),
            Route("/static/{name}", self.static, methods=["GET"], name="page:static"),
            Route("/api/lobby", self.lobby, methods=["POST"], name="join:lobby"),
            Route("/api/join", self.join, methods=["POST"], name="join:join"),
            Route("/api/team", self.team, methods=["GET"], name="team:view"),
            Route("/api/team/move", self.move, methods=["POST"], name="team:move"),
            Route("/api/team/link", self.team_link, methods=["GET"], name="team:link"),
            Route("/api/glossary", self.glossary, methods=["GET"], name="any:glossary"),
            Route("/api/facilitator", self.facilitator, methods=["GET"], name="facilitator:view"),
            Route("/api/facilitator/resolve", self.resolve, methods=["POST"], name="facilitator:resolve"),
            Route("/api/facilitator/end", self.end, methods=["POST"], name="facilitator:end"),
            Route("/api/facilitator/timer", self.timer, methods=["POST"], name="facilitator:timer"),
            Route("/api/facilitator/release", self.release, methods=["POST"], name="facilitator:release"),
        ]


def create_app(room: Room, public_url: str, *, lan: bool = False, limits: Limits | None = None) -> Starlette:
    """The ASGI app of a room.

    Args:
        room: the hosted game.
        public_url: the address devices use.
        lan: whether the host listens on the local network (else only localhost names are accepted).
        limits: request rates and sizes (defaults: :class:`Limits`).
    """
    routes = RoomApp(room, public_url, limits)
    middleware = [Middleware(BodyLimit, max_body=routes.limits.max_body)]
    if not lan:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=LOCAL_HOSTS))
    return Starlette(routes=routes.routes(), middleware=middleware)
