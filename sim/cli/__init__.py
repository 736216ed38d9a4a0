"""The ``trilat`` CLI: playing (play, host, replay, report, handouts), scenario tools and research commands.

Every user error (bad scenario file, bad argument) is printed as one line per problem,
``path:line:col: message`` for files, with exit code 2 and no traceback. The command line is
the composition root: it sits beside the engine's sub-packages and is the only part of ``sim``
that may open the game window (``sim.cli.game``, ``sim.cli.host``). A command's module, and the
heavy modules it needs (numpy, Mesa, pandas, pygame), are imported only when that command runs
(imported lazily: start-up, docs/performance.md), so ``trilat list`` or ``trilat --help`` start quickly.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from sim import __version__
from sim.cli.parser import EXIT_USAGE, build_parser
from sim.cli.terminal import safe_output
from sim.errors import TrilatError

if TYPE_CHECKING:
    import argparse

__all__ = ["build_parser", "main"]

COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "command_run"),
    "list": ("library", "command_list"),
    "show": ("library", "command_show"),
    "handouts": ("library", "command_handouts"),
    "validate": ("library", "command_validate"),
    "new": ("library", "command_new"),
    "schema": ("library", "command_schema"),
    "play": ("game", "command_play"),
    "host": ("host", "command_host"),
    "replay": ("game", "command_replay"),
    "report": ("game", "command_report"),
    "sweep": ("research", "command_sweep"),
    "analyze": ("research", "command_analyze"),
    "optimize": ("research", "command_optimize"),
    "compare": ("research", "command_compare"),
    "bench": ("research", "command_bench"),
}
"""Each subcommand and the function that carries it out: (module of ``sim.cli``, function)."""


def command(name: str) -> Callable[[argparse.Namespace], int]:
    """The function that carries out subcommand ``name`` (its module is imported now)."""
    module, function = COMMANDS[name]
    found: Callable[[argparse.Namespace], int] = getattr(import_module(f"sim.cli.{module}"), function)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``trilat`` console script (output passes through :func:`safe_output`)."""
    with safe_output():
        try:
            return _main(argv)
        finally:
            # Free objects caught in reference cycles (an exception's frames holding an Arrow
            # reader, say) while their libraries are alive: a native thread pool torn down during
            # interpreter shutdown can abort the process after its work is done (apache/arrow#34314).
            # Without Arrow loaded (list, validate, show: no pandas) there is no such pool to wait for.
            if "pyarrow" in sys.modules:
                gc.collect()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"trilat {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return command(args.command)(args)
    except TrilatError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
