"""``trilat host``: serve a game to the teams' own devices, with the game window as the projector view."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.parser import DEFAULT_SEED


def command_host(args: argparse.Namespace) -> int:
    """Host a game: teams join from their browsers; the window (unless ``--headless``) is the projector."""
    from sim.room.host import Host, listen, make_room, open_match
    from sim.room.state import human_teams

    teams = human_teams(args.teams)
    sock = listen(args.lan, args.port)  # a taken port fails before a game is created
    try:
        match = open_match(
            args.scenario,
            resume=Path(args.resume) if args.resume else None,
            teams=teams,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            turns=args.turns,
            shadows=args.shadows,
            saves_dir=Path(args.saves) if args.saves else None,
        )
    except BaseException:
        sock.close()
        raise
    room = make_room(match, headless=args.headless, minutes=args.minutes)
    room.save()
    host = Host(room, lan=args.lan, bound=sock)
    print(host.banner(), flush=True)
    if args.headless:
        try:
            host.serve()
        except KeyboardInterrupt:
            return 130
        return 0
    from ui.hosted import run_hosted

    host.start()
    try:
        return run_hosted(room, host.join_url, fullscreen=args.fullscreen)
    finally:
        host.stop()
        print("host stopped; the game is autosaved", file=sys.stderr)
