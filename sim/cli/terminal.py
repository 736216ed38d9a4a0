r"""Keep control characters from files off the terminal: escape them on the way to stdout and stderr.

Scenario titles, team names, file names and error messages can carry ESC, BEL or other control
characters (terminal escape injection: colours, a changed window title, a cleared screen). The
CLI writes through :class:`SafeStream`, which shows each such character as a visible escape
(``\x1b``) and lets through only newline, carriage return (progress bars) and tab.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (less tab, newline and carriage return), DEL, and the Unicode line separators
and bidirectional overrides that can make a line read differently from what it is."""


def escape_controls(text: str) -> str:
    """``text`` with every control character shown as a visible escape."""
    return CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class SafeStream:
    """A text stream wrapper whose ``write`` escapes control characters."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape_controls(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def safe_output() -> Iterator[None]:
    """Route ``sys.stdout`` and ``sys.stderr`` through :class:`SafeStream` for the duration."""
    import sys

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(saved[0]), SafeStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
