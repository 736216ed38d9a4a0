"""The checks run on each scenario file as read, before ``extends:`` merging (no numpy: ``trilat list``).

They look at one file's located tree only; any problem stops loading. :mod:`sim.lang.checks`
lists them with the later stages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.errors import Problem
from sim.lang.yamlio import items_with_marks, problem_at, value_mark

FileCheck = Callable[[Any, str], list[Problem]]


def duplicate_ids(raw: Any, path: str) -> list[Problem]:
    """Duplicate ids inside one file's id-lists (rules and events share one id space)."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        return problems
    lists: list[tuple[str, Any]] = [(k, raw.get(k)) for k in ("rules", "events")]
    if isinstance(raw.get("actions"), dict):
        lists += [(f"actions.{g}", v) for g, v in raw["actions"].items()]
    if isinstance(raw.get("threats"), dict):
        lists += [(f"threats.{a}.acts", v.get("acts")) for a, v in raw["threats"].items() if isinstance(v, dict)]
    seen_rule_event: dict[str, int] = {}
    for where, items in lists:
        if not isinstance(items, list):
            continue
        seen: dict[str, int] = {}
        shared = seen_rule_event if where in ("rules", "events") else seen
        for item, _mark in items_with_marks(items):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str):
                continue  # reported by validation
            mark = value_mark(item, "id", (path, 1, 1))
            if ident in shared:
                message = f"duplicate id '{ident}' in {where} (also used at line {shared[ident]})"
                problems.append(problem_at(mark, message, "duplicate-id"))
            else:
                shared[ident] = mark[1]
    return problems


FILE_CHECKS: tuple[FileCheck, ...] = (duplicate_ids,)
"""Run on each file as read, before ``extends:`` merging; any problem stops loading."""


def file_problems(raw: Any, path: str) -> list[Problem]:
    """Run :data:`FILE_CHECKS` on one file."""
    return [problem for check in FILE_CHECKS for problem in check(raw, path)]
