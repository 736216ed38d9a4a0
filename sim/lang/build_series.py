"""Time-series inputs (``series:``): each named series as one number per turn, computed once.

A series is an exogenous input, the same in every world: its value in a turn is the value the
file gives for that turn's year (``by: year``) or quarter (``by: quarter``), else its
``default``. :func:`build_series` checks the keys and the coverage and tabulates every turn from
the first warmup turn to the scenario's last; the model hands a turn's row to expressions as
part of the turn context (after ``turn``, ``year`` and ``quarter``), so reading a series costs
what reading ``year`` costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.lang import calendar

if TYPE_CHECKING:  # annotations only: the engine reads series without the schema (sim.lang.compiled_scenario)
    from sim.lang import schema
    from sim.lang.compiler import Compiler

SeriesKey = int | tuple[int, int]
"""A year (``by: year``) or a (year, quarter) pair (``by: quarter``)."""

MAX_LISTED = 4


@dataclass(frozen=True)
class Series:
    """One compiled series: its values by year or (year, quarter), and its default (None: none)."""

    name: str
    by: str
    values: Mapping[SeriesKey, float]
    default: float | None

    def value(self, year: int, quarter: int) -> float | None:
        """The value in a quarter (None: not listed and no default)."""
        key: SeriesKey = year if self.by == "year" else (year, quarter)
        found = self.values.get(key)
        return self.default if found is None else found


@dataclass(frozen=True)
class SeriesInputs:
    """Every series of a scenario, tabulated per turn.

    Attributes:
        series: the series, in file order (the order of their slots in the turn context).
        start: (year, quarter) of turn 1.
        first_turn: the turn of ``table[0]`` (``1 - warmup``).
        table: per turn from ``first_turn`` to the scenario's last turn, each series' value.
    """

    series: tuple[Series, ...]
    start: tuple[int, int]
    first_turn: int
    table: tuple[tuple[float, ...], ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The series names, in context-slot order."""
        return tuple(s.name for s in self.series)

    def row(self, turn: int) -> tuple[float, ...]:
        """Each series' value in ``turn`` (a value without default that is missing counts as 0).

        Turns outside the tabulated span (a model run longer than the scenario) are computed on
        the spot; :meth:`gaps` tells the model beforehand whether any value would be missing.
        """
        index = turn - self.first_turn
        if 0 <= index < len(self.table):
            return self.table[index]
        year, quarter = calendar.quarter_of(turn, self.start)
        return tuple(_or_zero(s.value(year, quarter)) for s in self.series)

    def gaps(self, first: int, last: int) -> list[str]:
        """``name (2029Q1)`` for each series without default that misses a turn in ``first..last``."""
        found = []
        for s in self.series:
            missing = _missing_labels(s, first, last, self.start)
            if missing:
                found.append(f"{s.name} ({missing[0]})")
        return found


def _or_zero(value: float | None) -> float:
    return 0.0 if value is None else value


def _missing_labels(series: Series, first: int, last: int, start: tuple[int, int]) -> list[str]:
    """The years or quarters of turns ``first..last`` without a value (in order, each once)."""
    if series.default is not None:
        return []
    labels: dict[str, None] = {}
    for turn in range(first, last + 1):
        year, quarter = calendar.quarter_of(turn, start)
        if series.value(year, quarter) is None:
            labels[str(year) if series.by == "year" else f"{year}Q{quarter}"] = None
    return list(labels)


def _year_key(key: Any) -> int | None:
    if isinstance(key, int) and not isinstance(key, bool) and 1 <= key <= 9999:
        return key
    if isinstance(key, str) and len(key) == 4 and key.isdigit():
        return int(key)
    return None


def _quarter_key(key: Any) -> tuple[int, int] | None:
    try:
        return calendar.parse_quarter(key) if isinstance(key, str) else None
    except ValueError:
        return None


def _parse_values(compiler: Compiler, name: str, spec: schema.SeriesSpec) -> dict[SeriesKey, float]:
    """The values by year or quarter; a malformed or repeated key is a located problem."""
    diagnostics = compiler.diagnostics
    values: dict[SeriesKey, float] = {}
    for key, value in spec.values.items():
        loc = ("series", name, "values", key)
        parsed: SeriesKey | None = _year_key(key) if spec.by == "year" else _quarter_key(key)
        if parsed is None:
            like = "a year like 2013" if spec.by == "year" else "a quarter like 2019Q3"
            message = f"series.{name}.values: key {key!r} is not {like} (the series is by: {spec.by})"
            diagnostics.at(loc, message, "key", key=True)
        elif parsed in values:
            diagnostics.at(loc, f"series.{name}.values: key {key!r} is given twice", "duplicate-key", key=True)
        else:
            values[parsed] = float(value)
    return values


def _gap_message(name: str, missing: list[str], first: int, last: int, start: tuple[int, int]) -> str:
    shown = ", ".join(missing[:MAX_LISTED])
    if len(missing) > MAX_LISTED:
        shown += f" and {len(missing) - MAX_LISTED} more"
    span = f"{calendar.quarter_label(first, start)} to {calendar.quarter_label(last, start)}, warmup included"
    return f"series '{name}' has no value for {shown} (the run covers {span}) and no default: add them or a default"


def build_series(compiler: Compiler, spec: schema.ScenarioSpec) -> SeriesInputs:
    """The scenario's series, checked and tabulated for turns ``1 - warmup`` to ``turns``.

    A series without ``default`` must give a value for every one of those turns' years (or
    quarters); each one that does not is a located problem naming what is missing.
    """
    start = calendar.parse_quarter(spec.start)
    first, last = 1 - spec.warmup, spec.turns
    compiled = []
    for name, item in spec.series.items():
        series = Series(name, item.by, _parse_values(compiler, name, item), item.default)
        missing = _missing_labels(series, first, last, start)
        if missing:
            compiler.diagnostics.at(
                ("series", name), _gap_message(name, missing, first, last, start), "missing", key=True
            )
        compiled.append(series)
    series_tuple = tuple(compiled)
    table = tuple(
        tuple(_or_zero(s.value(*calendar.quarter_of(turn, start))) for s in series_tuple)
        for turn in range(first, last + 1)
    )
    return SeriesInputs(series_tuple, start, first, table)
