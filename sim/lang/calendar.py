"""Turns and quarters: the one place where a 1-based turn and a ``2025Q3`` label are converted.

Turn 1 is the scenario's ``start`` quarter; every later turn is one quarter on. Turns before the
start (0, -1, ...) and after the last turn are valid numbers, so callers can report them.
"""

from __future__ import annotations

import re

QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(text: str) -> tuple[int, int]:
    """Parse ``2025Q1`` into (2025, 1).

    Raises:
        ValueError: when the text is not a quarter label.
    """
    match = QUARTER_PATTERN.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a quarter like 2025Q1")
    return int(match.group(1)), int(match.group(2))


def _index(year: int, quarter: int) -> int:
    """Quarters since year 0 (a running count, so that quarters can be subtracted)."""
    return year * 4 + quarter - 1


def quarter_of(turn: int, start: tuple[int, int]) -> tuple[int, int]:
    """(year, quarter) of a 1-based ``turn`` when turn 1 is the quarter ``start``."""
    index = _index(*start) + turn - 1
    return index // 4, index % 4 + 1


def quarter_label(turn: int, start: tuple[int, int]) -> str:
    """``2025Q3``-style label of a 1-based ``turn`` when turn 1 is the quarter ``start``."""
    year, quarter = quarter_of(turn, start)
    return f"{year}Q{quarter}"


def turn_of(quarter: str, start: tuple[int, int]) -> int:
    """1-based turn of a quarter label (may be <= 0 or beyond the last turn).

    Raises:
        ValueError: when ``quarter`` is not a quarter label.
    """
    return _index(*parse_quarter(quarter)) - _index(*start) + 1
