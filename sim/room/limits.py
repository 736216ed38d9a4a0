"""Bounds on what a client may send: request sizes and request rates (token buckets)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_BODY_BYTES = 4096
"""The largest request body the server reads (a move is a few hundred bytes)."""
MAX_KEYS = 4096
"""Buckets kept at most (the fullest are forgotten first), so a flood of keys cannot grow memory."""


@dataclass(frozen=True)
class Limits:
    """Request rates (per second) and bursts.

    Attributes:
        team_rate: requests per second per valid token (all of a team's devices together).
        team_burst: the burst a valid token may use at once.
        fail_rate: wrong tokens or join codes per second per client address.
        fail_burst: the burst of wrong tokens or codes per address before 429.
        page_rate: page and static-file requests per second per address.
        page_burst: their burst.
        max_body: the largest request body in bytes.
    """

    team_rate: float = 50.0
    team_burst: float = 120.0
    fail_rate: float = 0.5
    fail_burst: float = 20.0
    page_rate: float = 20.0
    page_burst: float = 100.0
    max_body: int = MAX_BODY_BYTES


@dataclass
class Buckets:
    """Token buckets by key: :meth:`take` spends one request, False when the key is over its rate."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str) -> bool:
        now = self.clock()
        level, at = self._state.get(key, (self.burst, now))
        level = min(self.burst, level + (now - at) * self.rate)
        allowed = level >= 1.0
        self._state[key] = (level - 1.0 if allowed else level, now)
        if len(self._state) > MAX_KEYS:
            self._forget(now)
        return allowed

    def _forget(self, now: float) -> None:
        fullest = sorted(self._state, key=lambda k: -(self._state[k][0] + (now - self._state[k][1]) * self.rate))
        for key in fullest[: len(self._state) - MAX_KEYS // 2]:
            del self._state[key]


class BodyLimit:
    """ASGI middleware: refuse bodies over ``max_body`` bytes (413), declared or streamed."""

    def __init__(self, app: Any, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _too_large(send)
            return
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLargeError:
            await _too_large(send)


class _TooLargeError(Exception):
    pass


async def _too_large(send: Callable[..., Any]) -> None:
    body = b'{"error": "request too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
