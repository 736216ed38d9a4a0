"""From pydantic's validation errors to located, readable problems (scenario and experiment files).

Pydantic reports where a problem is as a path through the parsed tree (``('rules', 3, 'phase')``);
these helpers walk the same path through the located YAML tree (:mod:`sim.lang.yamlio`) to find the
line and column, name the place readably (``rules[annual_summit].phase``) and word the message
for a scenario author rather than a Python programmer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sim.errors import Problem, did_you_mean
from sim.lang.yamlio import Mark, key_mark, problem_at, value_mark

UNION_TAGS = ("dict[", "list[", "tuple[", "literal[", "function-")


def locate(tree: Any, loc: tuple[Any, ...], fallback: Mark, *, want_key: bool = False) -> Mark:
    """The mark of the deepest element of ``loc`` that exists in the raw tree."""
    node, mark = tree, (getattr(tree, "mark", None) or fallback)
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and part in node:
            mark = key_mark(node, part, mark) if (last and want_key) else value_mark(node, part, mark)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            mark = value_mark(node, part, mark)
            node = node[part]
        elif part == "[key]":
            break
        else:
            break
    return mark


def clean_loc(tree: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union-member tags (``str``, ``dict[...]`` ...) from an error path.

    A text key into a list is dropped too: it comes from a shorthand the file used (an
    experiment's ``name: [0, 1]`` standing for ``name: {values: [0, 1]}``).
    """
    out: list[Any] = []
    node = tree
    for part in loc:
        if isinstance(part, str) and (part in {"str", "float", "int", "bool"} or part.startswith(UNION_TAGS)):
            continue
        if isinstance(part, str) and part != "[key]" and isinstance(node, list):
            continue
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


FRIENDLY: dict[str, str] = {
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "dict_type": "expected a mapping (key: value lines)",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "model_type": "expected a mapping (key: value lines)",
    "string_pattern_mismatch": "expected an identifier: letters, digits and _, starting with a letter",
}


def readable_path(tree: Any, loc: tuple[Any, ...], root: str = "scenario") -> str:
    """``rules[annual_summit].phase`` rather than ``rules.3.phase`` (indices of the merged list)."""
    parts: list[str] = []
    node = tree
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{ident if isinstance(ident, str) else part}]"]
            node = item
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) or root


def friendly_message(error: ErrorDetails) -> str:
    """Pydantic's message for ``error``, worded for a scenario author (``expected a number, got 'x'``)."""
    kind = error["type"]
    value = error.get("input")
    if isinstance(value, dict):
        shown = "a mapping"
    elif isinstance(value, list):
        shown = "a list"
    elif isinstance(value, str | int | float | bool) or value is None:
        shown = repr(value)
    else:
        shown = type(value).__name__
    if kind in FRIENDLY:
        return f"{FRIENDLY[kind]}, got {shown}"
    context = error.get("ctx", {})
    count = len(value) if isinstance(value, dict | list) else context.get("actual_length")
    if kind == "too_long":
        return f"has {count if count is not None else 'too many'} items; at most {context.get('max_length')} allowed"
    if kind == "too_short":
        return f"has {count if count is not None else 'too few'} items; at least {context.get('min_length')} needed"
    if kind == "finite_number":
        return f"expected a finite number, got {shown}"
    if kind == "literal_error" and isinstance(value, str):
        options = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        return f"{shown} is not one of: {', '.join(options)}{did_you_mean(value, options)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message.replace("Input should be", "should be").replace("Input should have", "should have")
    return message


def validation_problems(
    exc: ValidationError, tree: Any, fallback: Mark, known_keys: Iterable[str], root: str = "scenario"
) -> list[Problem]:
    """One located problem per place pydantic complains about (``root`` names the whole file)."""
    problems: dict[tuple[Mark, str], Problem] = {}
    known = list(known_keys)

    def _readable_path(tree: Any, loc: tuple[Any, ...]) -> str:
        return readable_path(tree, loc, root)

    for error in exc.errors(include_url=False):
        kind = error["type"]
        clean = clean_loc(tree, tuple(error["loc"]))
        where = _readable_path(tree, clean)
        if kind == "extra_forbidden":
            mark = locate(tree, clean, fallback, want_key=True)
            message = f"unknown key '{clean[-1]}'{did_you_mean(str(clean[-1]), known)}"
            parent = _readable_path(tree, clean[:-1])
            message += f" in {parent}" if parent != root else ""
        elif kind == "missing" and clean and isinstance(clean[-1], int):
            mark = locate(tree, clean[:-1], fallback)
            message = f"{_readable_path(tree, clean[:-1])}: needs {clean[-1] + 1} items"
        elif kind == "missing":
            mark = locate(tree, clean[:-1], fallback)
            message = f"missing required key '{clean[-1]}' in {_readable_path(tree, clean[:-1])}"
        elif clean and clean[-1] == "[key]":
            mark = locate(tree, clean[:-1], fallback, want_key=True)
            message = f"{where}: key {friendly_message(error)}"
        else:
            mark = locate(tree, clean, fallback)
            message = f"{where}: {friendly_message(error)}"
        # Union types report once per member; keep the first message for each place.
        problems.setdefault((mark, where), problem_at(mark, message, kind))
    return list(problems.values())


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file, line, column order."""
    return sorted(problems, key=lambda p: (p.path, p.line, p.col))
