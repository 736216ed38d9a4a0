"""Reading an observed yearly series (a ``year,value`` CSV file) with located errors.

The file is UTF-8 text (a leading byte-order mark is allowed) of at most :data:`MAX_BYTES`.
Blank lines and lines whose first non-blank character is ``#`` are skipped. The first other line
is the header: it must name the columns ``year`` and ``value`` (in any order, any letter case);
other columns are ignored, but every row must have as many fields as the header. Fields are
separated by commas and may be quoted with ``"`` (a quoted field may not span lines). A year is
four digits; a value is a finite decimal number (``0.52``, ``-3``, ``4.1e-2``), never empty,
NaN or infinity. Each year appears once; rows may come in any order and are sorted by year.

Every problem is reported as ``path:line:col: message`` (or ``path: message`` for the file as a
whole), all row problems of a file at once, through :class:`ObservedError`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import TrilatError, did_you_mean

MAX_BYTES = 1_000_000
"""The largest observed-series file read (1 MB; a yearly series is a few hundred bytes)."""
MAX_PROBLEMS = 20
"""Row problems listed before the rest are summarised in one line."""
REQUIRED = ("year", "value")

_YEAR = re.compile(r"^\d{4}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NOT_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)


class ObservedError(TrilatError):
    """Problems in an observed-series file; ``str()`` gives one located line per problem."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


def located(path: str, message: str, line: int | None = None, col: int | None = None) -> str:
    """``path:line:col: message``, or ``path: message`` without a line."""
    if line is None:
        return f"{path}: {message}"
    return f"{path}:{line}:{col or 1}: {message}"


@dataclass(frozen=True)
class ObservedSeries:
    """An observed yearly series, sorted by year.

    Attributes:
        path: the file it was read from (as given).
        years: the years, increasing (int64).
        values: the observed value of each year (float64).
        lines: the 1-based line of each year's row.
        year_cols: the 1-based column of each row's year field.
    """

    path: str
    years: np.ndarray
    values: np.ndarray
    lines: tuple[int, ...]
    year_cols: tuple[int, ...]

    def problem(self, index: int, message: str) -> str:
        """A located message pointing at the year field of row ``index`` (in year order)."""
        return located(self.path, message, self.lines[index], self.year_cols[index])


def split_fields(text: str) -> list[tuple[str, int]]:
    """Fields of one CSV line, stripped, each with its 1-based column.

    Raises:
        ValueError: for an unterminated quote or text after a closing quote; ``args[1]`` is the column.
    """
    fields: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        start = i
        if i < n and text[i] == '"':
            i += 1
            parts: list[str] = []
            while True:
                if i >= n:
                    raise ValueError("unterminated quoted field", start + 1)
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        parts.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                parts.append(text[i])
                i += 1
            while i < n and text[i] in " \t":
                i += 1
            if i < n and text[i] != ",":
                raise ValueError("text after a closing quote", i + 1)
            fields.append(("".join(parts), start + 1))
        else:
            comma = text.find(",", i)
            end = n if comma == -1 else comma
            fields.append((text[i:end].strip(), start + 1))
            i = end
        if i >= n:
            return fields
        i += 1  # the comma


def _read_text(path: str) -> str:
    """The file's text, or an :class:`ObservedError` naming why it cannot be read."""
    file = Path(path)
    if not file.exists():
        raise ObservedError([located(path, "no such file")])
    if file.is_dir():
        raise ObservedError([located(path, "is a folder, expected a CSV file with columns year,value")])
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ObservedError([located(path, f"cannot read: {exc.strerror or exc}")]) from None
    if len(data) > MAX_BYTES:
        message = f"larger than {MAX_BYTES:,} bytes; an observed yearly series is far smaller"
        raise ObservedError([located(path, message)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{bad}); save the file as UTF-8"
        raise ObservedError([located(path, message, line, col)]) from None
    return text.removeprefix("\ufeff")


def _content_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of every line that is neither blank nor a comment."""
    out = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            out.append((number, line))
    return out


def _header(path: str, number: int, line: str) -> tuple[dict[str, int], int]:
    """The position of ``year`` and ``value`` among the header's fields, and the field count."""
    try:
        fields = split_fields(line)
    except ValueError as exc:
        raise ObservedError([located(path, f"header: {exc.args[0]}", number, exc.args[1])]) from None
    names = [name.lower() for name, _ in fields]
    positions: dict[str, int] = {}
    for index, ((_, col), name) in enumerate(zip(fields, names, strict=True)):
        if name in REQUIRED:
            if name in positions:
                raise ObservedError([located(path, f"column '{name}' appears twice in the header", number, col)])
            positions[name] = index
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        hints = "".join(did_you_mean(name, [n for n in names if n not in REQUIRED]) for name in missing)
        raise ObservedError(
            [
                located(
                    path,
                    f"the header must name the columns year and value; missing {', '.join(missing)}{hints}"
                    f" (header read: {line.strip()!r})",
                    number,
                    1,
                )
            ]
        )
    return positions, len(fields)


def _value(text: str) -> float | str:
    """The number in a value field, or the message saying why it is not one."""
    if not text:
        return "missing value (drop the row for a year without an observation)"
    if _NOT_FINITE.match(text):
        return f"value '{text}' is not a finite number (NaN and infinity are not allowed)"
    if not _NUMBER.match(text):
        return f"value '{text}' is not a number"
    number = float(text)
    if not math.isfinite(number):
        return f"value '{text}' is too large"
    return number


def read_observed(path: str | Path) -> ObservedSeries:
    """Read and check an observed yearly series (see the module docstring for the format).

    Raises:
        ObservedError: one located line per problem.
    """
    name = str(path)
    lines = _content_lines(_read_text(name))
    if not lines:
        raise ObservedError([located(name, "no header line: expected 'year,value' and one row per year")])
    header_line, header_text = lines[0]
    positions, width = _header(name, header_line, header_text)
    problems: list[str] = []
    rows: dict[int, tuple[float, int, int]] = {}
    for number, text in lines[1:]:
        try:
            fields = split_fields(text)
        except ValueError as exc:
            problems.append(located(name, exc.args[0], number, exc.args[1]))
            continue
        if len(fields) != width:
            message = f"expected {width} field(s) as in the header (line {header_line}), got {len(fields)}"
            problems.append(located(name, message, number, 1))
            continue
        year_text, year_col = fields[positions["year"]]
        value_text, value_col = fields[positions["value"]]
        if not _YEAR.match(year_text):
            problems.append(located(name, f"year '{year_text}' is not a four-digit year", number, year_col))
            continue
        year = int(year_text)
        value = _value(value_text)
        if isinstance(value, str):
            problems.append(located(name, value, number, value_col))
            continue
        if year in rows:
            message = f"year {year} appears twice (first on line {rows[year][1]})"
            problems.append(located(name, message, number, year_col))
            continue
        rows[year] = (value, number, year_col)
    if problems:
        extra = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS] + ([located(name, f"... and {extra} more problem(s)")] if extra > 0 else [])
        raise ObservedError(shown)
    if not rows:
        raise ObservedError([located(name, "no data rows after the header", header_line, 1)])
    years = sorted(rows)
    return ObservedSeries(
        path=name,
        years=np.array(years, dtype=np.int64),
        values=np.array([rows[y][0] for y in years], dtype=np.float64),
        lines=tuple(rows[y][1] for y in years),
        year_cols=tuple(rows[y][2] for y in years),
    )
