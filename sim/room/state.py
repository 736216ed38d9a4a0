"""The room: one hosted game, its join code, team and facilitator tokens, countdown and the one lock.

Every change to the hosted game, from the web or from the window, happens while holding
:attr:`Room.lock` (the window's main loop holds it for each frame; the web handlers for each
request), so the two never race. Submitted moves are ``choose`` commands in the session's
log, and :meth:`sim.play.match.Match.submit` autosaves, so a restarted host that resumes the
autosave gets every team's pending choice back; the tokens and join code live in a small file
beside the autosave (``<save>.room.json``, readable only by its owner) so devices rejoin with
the tokens they hold.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.atomic import atomic_write
from sim.engine.layout import GOVERNMENTS
from sim.errors import UsageError
from sim.play.match import Match

JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Join-code letters: no 0/O, 1/I/L, so a code read off a projector is typed right."""
JOIN_CODE_LENGTH = 6
DEFAULT_PHASE_SECONDS = 8 * 60
DEVICE_SEEN_SECONDS = 20.0
"""A device counts as connected if it asked for its view within this many seconds."""
MAX_DEVICES = 256
"""Devices remembered per team at most (older ones are forgotten first)."""
ROOM_FORMAT = "trilat-room"

Clock = Callable[[], float]


def new_join_code() -> str:
    """A short random join code (about 30 bits), e.g. ``K7QM2P``."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_token() -> str:
    """A secret token (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of a presented secret with the expected one (``None`` never matches)."""
    if not given or not expected:
        return False
    return secrets.compare_digest(given.encode(), expected.encode())


def room_file(save: Path) -> Path:
    """The room file beside an autosave: ``<save>.room.json``."""
    return save.with_name(save.name + ".room.json")


@dataclass
class Countdown:
    """The phase timer: ``length`` seconds from ``started`` (a clock reading); ``paused_left`` when paused."""

    length: float = DEFAULT_PHASE_SECONDS
    started: float = 0.0
    paused_left: float | None = None

    def left(self, now: float) -> float:
        """Seconds left (never below 0)."""
        if self.paused_left is not None:
            return self.paused_left
        return max(0.0, self.length - (now - self.started))


class RoomMatch(Match):
    """A :class:`Match` that tells its room when a new phase begins (after a resolution, an undo, a branch)."""

    on_phase: Callable[[], None] | None = None

    def resolve(self) -> Any:
        firings = super().resolve()
        self._phase()
        return firings

    def undo(self) -> int:
        turn = super().undo()
        self._phase()
        return turn

    def branch(self, turn: int) -> None:
        super().branch(turn)
        self._phase()

    def end(self) -> None:
        super().end()
        self._phase()

    def _phase(self) -> None:
        if self.on_phase is not None:
            self.on_phase()


@dataclass
class Room:
    """One hosted game and who may see and change what.

    Args:
        match: the game (its session autosaves; the room file sits beside the autosave).
        join_code: the code students type (``None``: a new random one).
        facilitator_token: the facilitator's secret (``None``: a new one).
        phase_seconds: the countdown's length for each move phase.
        clock: a monotonic clock (tests pass a fake one).
        web_resolve: whether the facilitator may resolve turns from the web (headless hosts).
    """

    match: Match
    join_code: str = field(default_factory=new_join_code)
    facilitator_token: str = field(default_factory=new_token)
    phase_seconds: float = DEFAULT_PHASE_SECONDS
    clock: Clock = time.monotonic
    web_resolve: bool = False
    tokens: dict[str, str] = field(default_factory=dict)
    """Team tokens by government: a team is joined once it has one."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    countdown: Countdown = field(default_factory=Countdown)
    revision: int = 0
    """Bumped by every change that is not in the match (joins, releases, the timer)."""
    _seen: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.countdown = Countdown(self.phase_seconds, self.clock())
        if isinstance(self.match, RoomMatch):
            self.match.on_phase = self.new_phase

    # ------------------------------------------------------------------ who is who

    @property
    def teams(self) -> list[str]:
        """The governments played by human teams (the ones that can join)."""
        return self.match.settings.humans()

    def team_for(self, token: str | None) -> str | None:
        """The government a team token belongs to (``None`` for a wrong or missing token)."""
        found = None
        for gov, expected in tuple(self.tokens.items()):  # a snapshot: a join may add a token meanwhile
            if same_secret(token, expected):
                found = gov
        return found

    def is_facilitator(self, token: str | None) -> bool:
        """Whether ``token`` is the facilitator's."""
        return same_secret(token, self.facilitator_token)

    def code_matches(self, code: str | None) -> bool:
        """Whether ``code`` is this room's join code (any letter case, spaces ignored)."""
        return same_secret("".join((code or "").split()).upper(), self.join_code)

    def join(self, team: str) -> str:
        """Give ``team`` its token (the first device of a team); later devices use the team's link.

        Raises:
            UsageError: the government is not a human team, or it has already joined.
        """
        with self.lock:
            if team not in self.teams:
                raise UsageError(f"{team} is not played by a team in this game")
            if team in self.tokens:
                raise UsageError(
                    f"{self.match.team_name(team)} has already joined: a teammate can add this device "
                    "(Add a device on their screen), or the facilitator can sign the team out"
                )
            self.tokens[team] = new_token()
            self._changed()
            return self.tokens[team]

    def release(self, team: str) -> None:
        """Facilitator: forget a team's token (its devices are signed out; it can join again)."""
        with self.lock:
            if team not in self.teams:
                raise UsageError(f"{team} is not played by a team in this game")
            self.tokens.pop(team, None)
            self._seen.pop(team, None)
            self._changed()

    def seen(self, team: str, device: str) -> None:
        """Note that one of a team's devices asked for its view (for the 'connected' count)."""
        seen = self._seen.setdefault(team, {})
        seen[device[:64]] = self.clock()
        if len(seen) > MAX_DEVICES:
            for old in sorted(seen, key=seen.__getitem__)[: len(seen) - MAX_DEVICES]:
                del seen[old]

    def devices(self, team: str) -> int:
        """How many of a team's devices asked for their view recently."""
        now = self.clock()
        return sum(1 for at in self._seen.get(team, {}).values() if now - at <= DEVICE_SEEN_SECONDS)

    # ------------------------------------------------------------------ the game

    def submit(self, team: str, cards: Iterable[str]) -> list[str]:
        """A team's move (replacing an earlier one until the turn resolves); returns the cards kept."""
        with self.lock:
            if self.match.paused:
                raise UsageError("the facilitator has paused the game")
            chosen = list(dict.fromkeys(cards))
            self.match.submit(team, chosen)
            return chosen

    def resolve(self) -> None:
        """Facilitator (headless host): resolve the coming turn with the moves submitted."""
        with self.lock:
            if not self.web_resolve:
                raise UsageError("resolve the turn in the game window")
            if self.match.finished:
                raise UsageError("the game is over")
            self.match.resolve()
            if not isinstance(self.match, RoomMatch):
                self.new_phase()

    def end(self) -> None:
        """Facilitator (headless host): end the game now."""
        with self.lock:
            if not self.web_resolve:
                raise UsageError("end the game in the game window")
            self.match.end()
            if not isinstance(self.match, RoomMatch):
                self.new_phase()

    def new_phase(self) -> None:
        """A new move phase begins: the countdown starts again."""
        with self.lock:
            self.countdown = Countdown(self.phase_seconds, self.clock())
            self._changed()

    def set_timer(self, seconds: float | None = None, pause: bool | None = None) -> None:
        """Facilitator: restart the countdown at ``seconds`` and/or pause or resume it."""
        with self.lock:
            now = self.clock()
            if seconds is not None:
                self.phase_seconds = float(seconds)
                self.countdown = Countdown(float(seconds), now)
            if pause is True and self.countdown.paused_left is None:
                self.countdown.paused_left = self.countdown.left(now)
            elif pause is False and self.countdown.paused_left is not None:
                left = self.countdown.paused_left
                self.countdown = Countdown(left, now)
            self._changed()

    def timer(self) -> dict[str, Any]:
        """The countdown as the pages show it: seconds left, the phase's length, whether it runs."""
        countdown = self.countdown
        return {
            "left": round(countdown.left(self.clock()), 1),
            "length": countdown.length,
            "running": countdown.paused_left is None and not self.match.finished,
        }

    def status(self) -> list[dict[str, Any]]:
        """Per team: name, joined, devices connected, submitted (never what)."""
        done = self.match.submitted()
        return [
            {
                "team": gov,
                "name": self.match.team_name(gov),
                "joined": gov in self.tokens,
                "devices": self.devices(gov),
                "submitted": gov in done,
            }
            for gov in self.teams
        ]

    def _changed(self) -> None:
        self.revision += 1
        self.save()

    # ------------------------------------------------------------------ the room file

    @property
    def path(self) -> Path | None:
        """The room file (``None`` when the game is not autosaved)."""
        save = self.match.session.autosave_path
        return room_file(save) if save is not None else None

    def save(self) -> None:
        """Write the join code and tokens beside the autosave (owner-only permissions)."""
        path = self.path
        if path is None:
            return
        data = {
            "format": ROOM_FORMAT,
            "join_code": self.join_code,
            "facilitator_token": self.facilitator_token,
            "tokens": dict(self.tokens),
            "phase_seconds": self.phase_seconds,
        }
        atomic_write(path, lambda handle: json.dump(data, handle, indent=1))
        os.chmod(path, 0o600)

    @classmethod
    def restore(cls, match: Match, **kwargs: Any) -> Room:
        """The room of a resumed game: its join code and tokens from the room file, if there is one."""
        asked = kwargs.pop("phase_seconds", None)
        path = room_file(match.session.autosave_path) if match.session.autosave_path is not None else None
        data: dict[str, Any] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
        if not isinstance(data, dict) or data.get("format") != ROOM_FORMAT:
            return cls(match, phase_seconds=asked or DEFAULT_PHASE_SECONDS, **kwargs)
        tokens = data.get("tokens", {})
        humans = set(match.settings.humans())
        kept = (
            {g: t for g, t in tokens.items() if g in humans and isinstance(t, str)} if isinstance(tokens, dict) else {}
        )
        phase = asked or float(data.get("phase_seconds", DEFAULT_PHASE_SECONDS))
        return cls(
            match,
            join_code=str(data.get("join_code") or new_join_code()),
            facilitator_token=str(data.get("facilitator_token") or new_token()),
            tokens=kept,
            phase_seconds=phase,
            **kwargs,
        )


def human_teams(spec: str | None) -> list[str]:
    """``--teams USA,ROK`` as governments in turn order (default: all three).

    Raises:
        UsageError: an unknown government code.
    """
    if not spec:
        return list(GOVERNMENTS)
    wanted = [part.strip().upper() for part in spec.split(",") if part.strip()]
    for gov in wanted:
        if gov not in GOVERNMENTS:
            raise UsageError(f"--teams: unknown government '{gov}' (expected some of {', '.join(GOVERNMENTS)})")
    return [g for g in GOVERNMENTS if g in wanted]
