"""``trilat play``, ``replay`` and ``report``: the game window and after-action reports.

This is the only place outside ``ui/`` that opens the game window: the engine never imports it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.parser import DEFAULT_SEED
from sim.errors import UsageError

if TYPE_CHECKING:
    from sim.play.session import GameSession


def _loaded(save: str, command: str) -> GameSession:
    """A save, loaded now for a clear error; its notices (a changed library scenario) go to stderr."""
    from sim.play.session import GameSession

    session = GameSession.load(save, autosave=False)
    for notice in session.notices:
        print(f"trilat {command}: note: {notice}", file=sys.stderr)
    return session


def command_play(args: argparse.Namespace) -> int:

    from ui import app

    headless_only = [f"--{n}" for n in ("turns", "screenshots", "seed", "shadows") if getattr(args, n) is not None]
    saved = _loaded(args.resume, "play") if args.resume else None  # a bad save is named before anything else
    if saved is not None and args.headless:
        raise UsageError(
            f"--headless plays a new game; to continue {args.resume}, open it in the window "
            f"(trilat play --resume {args.resume}) or host it (trilat host --resume {args.resume} --headless)"
        )
    if args.headless:
        if not args.scenario:
            raise UsageError("--headless needs a SCENARIO")
        if not args.auto:
            raise UsageError("--headless needs --auto: without a window, nobody can choose the moves")
        from sim.lang.scenario import load_scenario

        load_scenario(args.scenario)  # located errors before any window work
        turns = args.turns or 4
        folder = Path(args.screenshots or "screenshots")
        shots = app.run_headless(
            args.scenario,
            turns=turns,
            screenshots=folder,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            shadows=300 if args.shadows is None else args.shadows,
        )
        print(f"played {turns} turn{'s' if turns > 1 else ''} of {args.scenario}; {len(shots)} screenshots in {folder}")
        return 0
    if headless_only:
        raise UsageError(
            f"{', '.join(headless_only)} only apply with --headless; in the window, the setup screen sets them"
        )
    if saved is not None and args.scenario:
        _check_same_scenario(args.scenario, saved)
    return app.run_game(
        args.scenario,
        resume=Path(args.resume) if args.resume else None,
        saves_dir=Path(args.saves) if args.saves else None,
        fullscreen=args.fullscreen,
    )


def _check_same_scenario(name: str, saved: GameSession) -> None:
    """Refuse ``trilat play SCENARIO --resume SAVE`` when the save is a game of another scenario."""
    from sim.lang.scenario import load_scenario

    asked = load_scenario(name)
    if asked.id != saved.scenario.id and asked.path.resolve() != Path(saved.scenario.path).resolve():
        raise UsageError(
            f"the save is a game of '{saved.scenario.id}', not '{asked.id}'; "
            "to continue it, give only --resume SAVE (the save knows its scenario)"
        )


def command_replay(args: argparse.Namespace) -> int:

    from sim.play.session import session_for_sweep_run

    if (args.from_sweep is None) != (args.run_id is None):
        raise UsageError("--from-sweep DIR and --run ID go together")
    if args.from_sweep is not None:
        if args.save:
            raise UsageError("give either SAVE or --from-sweep DIR --run ID")
        session = session_for_sweep_run(args.from_sweep, args.run_id)
        save = session.save(Path(args.from_sweep) / "replays" / f"run-{args.run_id}.json")
        print(f"run {args.run_id} of {args.from_sweep} saved as {save}")
        return 0 if args.headless else _window_replay(save)
    if not args.save:
        raise UsageError("replay needs a SAVE (or --from-sweep DIR --run ID)")
    session = _loaded(args.save, "replay")
    if args.headless:
        print(
            f"{args.save}: {session.scenario.id}, {session.turn} of {session.turns} turns replayed "
            f"(seed {session.settings.seed}, {session.settings.shadows} shadow worlds)"
        )
        return 0
    return _window_replay(Path(args.save))


def _window_replay(save: Path) -> int:
    from ui import app

    return app.run_replay(save)


def command_report(args: argparse.Namespace) -> int:

    from sim.play.aar import write_report

    save = Path(args.save)
    session = _loaded(args.save, "report")
    folder = Path(args.out) if args.out else save.with_suffix("").with_name(save.stem + "-report")
    paths = write_report(session, folder)
    print(f"wrote {paths['markdown']}, {paths['html']} and {len(paths['charts'])} charts")
    return 0
