"""Hosting a game: the game and its room, the listening socket, and uvicorn in a thread or in the foreground.

The host listens on 127.0.0.1 unless asked for the local network (``--lan``: every interface,
and the join address shown is this machine's address on the network).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from sim.errors import UsageError
from sim.lang.scenario import load_scenario
from sim.play.match import DEFAULT_SAVES
from sim.play.session import DEFAULT_SHADOWS, GameSession, GameSettings
from sim.room.limits import Limits
from sim.room.server import create_app
from sim.room.state import Room, RoomMatch

DEFAULT_PORT = 8000
LOOPBACK = "127.0.0.1"
ANY_ADDRESS = "0.0.0.0"  # noqa: S104 - only with --lan, which asks for exactly this


def bind_address(lan: bool) -> str:
    """The address to listen on: every interface with ``--lan``, else loopback only."""
    return ANY_ADDRESS if lan else LOOPBACK


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent), else loopback."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address = probe.getsockname()[0]
    except OSError:
        address = LOOPBACK
    finally:
        probe.close()
    return address


def listen(lan: bool, port: int) -> socket.socket:
    """A bound TCP socket (port 0: any free port).

    Raises:
        UsageError: the port is taken or not allowed.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((bind_address(lan), port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"--port {port}: cannot listen there ({exc.strerror}); try another port") from None
    sock.listen(128)
    return sock


def open_match(
    scenario: str | None,
    *,
    resume: Path | None,
    teams: list[str],
    seed: int,
    turns: int | None,
    shadows: int | None,
    saves_dir: Path | None,
) -> RoomMatch:
    """The hosted game: a new one with human ``teams``, or a resumed save (autosaving to the same file).

    Raises:
        UsageError: no scenario, or a scenario that is not the save's.
    """
    if resume is not None:
        session = GameSession.load(resume)
        if scenario is not None and scenario not in (session.scenario.id, session.settings.scenario):
            raise UsageError(
                f"{resume} is a game of '{session.scenario.id}', not '{scenario}': leave out the scenario to resume it"
            )
        return RoomMatch(session)
    if scenario is None:
        raise UsageError("host needs a SCENARIO (see `trilat list`) or --resume SAVE")
    loaded = load_scenario(scenario)
    settings = GameSettings(
        scenario=scenario,
        seed=seed,
        turns=turns,
        shadows=DEFAULT_SHADOWS if shadows is None else shadows,
        controllers={gov: "human" for gov in teams},
    )
    match = RoomMatch.start(settings, loaded, saves_dir=saves_dir or DEFAULT_SAVES)
    match.autosave()
    assert isinstance(match, RoomMatch)
    return match


@dataclass
class Host:
    """A room being served: its socket, public address and uvicorn server.

    Args:
        room: the hosted game.
        lan: listen on the local network.
        port: the port (0: any free one).
        limits: request rates and sizes.
        bound: a socket already bound with :func:`listen` (else one is bound here).
    """

    room: Room
    lan: bool = False
    port: int = DEFAULT_PORT
    limits: Limits | None = None
    bound: socket.socket | None = None
    sock: socket.socket = field(init=False)
    url: str = field(init=False)
    server: uvicorn.Server = field(init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.sock = self.bound if self.bound is not None else listen(self.lan, self.port)
        port = self.sock.getsockname()[1]
        self.url = f"http://{lan_address() if self.lan else LOOPBACK}:{port}"
        app = create_app(self.room, self.url, lan=self.lan, limits=self.limits)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            lifespan="off",
            ws="none",
            http="h11",
            limit_concurrency=256,
            timeout_keep_alive=10,
        )
        self.server = uvicorn.Server(config)

    @property
    def join_url(self) -> str:
        """The address students open (the QR code's), with the join code filled in."""
        return f"{self.url}/?code={self.room.join_code}"

    @property
    def facilitator_url(self) -> str:
        """The facilitator's remote page (keep it off the projector: it holds the facilitator's token)."""
        return f"{self.url}/?facilitator#f={self.room.facilitator_token}"

    def banner(self) -> str:
        """What the terminal shows when hosting starts."""
        match = self.room.match
        where = "the local network" if self.lan else "this computer only (add --lan for phones)"
        lines = [
            f"Trilat host: {match.scenario.spec.title}, turn {match.turn + 1} of {match.turns}; listening on {where}",
            f"Teams join at {self.join_url}   (join code {self.room.join_code})",
            f"Facilitator page (keep private): {self.facilitator_url}",
            f"Autosave: {match.session.autosave_path}",
            f"listening on {self.url}",
        ]
        return "\n".join(lines)

    def serve(self) -> None:
        """Serve in the foreground until interrupted (headless hosts)."""
        self.server.run(sockets=[self.sock])

    def start(self) -> None:
        """Serve in a background thread beside the game window; returns once the server is up."""
        self._thread = threading.Thread(target=self.serve, name="trilat-room", daemon=True)
        self._thread.start()
        for _ in range(200):
            if self.server.started or not self._thread.is_alive():
                break
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop a background server."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sock.close()


def make_room(match: RoomMatch, *, headless: bool, minutes: float | None, **kwargs: Any) -> Room:
    """The room of ``match``: restored from its room file when resuming, else new."""
    phase = float(minutes) * 60 if minutes is not None else None
    return Room.restore(match, phase_seconds=phase, web_resolve=headless, **kwargs)
