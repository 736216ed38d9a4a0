"""One collector of located problems, shared by scenario and experiment files.

A :class:`Diagnostics` holds the located YAML tree of one file (after ``extends:`` merging, for a
scenario) and collects every problem found in it as ``path:line:col: message``: pydantic's
validation errors (worded by :mod:`sim.lang.validation`), expression errors (with the column
inside the expression) and the semantic checks of :mod:`sim.lang.checks` and the experiment
checks. Loading reports them all at once, sorted by position.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sim.errors import Problem, ScenarioError
from sim.lang.validation import locate, readable_path, sort_problems, validation_problems
from sim.lang.yamlio import Mark, problem_at

if TYPE_CHECKING:
    from sim.lang.expr import ExprError  # an annotation only: the expression compiler needs numpy


class Diagnostics:
    """Located problems of one file.

    Args:
        tree: the located YAML tree (:class:`~sim.lang.yamlio.LocDict`) positions are looked up in.
        fallback: the mark used where the tree has no position (usually ``(path, 1, 1)``).
        root: how messages name the whole file (``scenario`` or ``experiment``).
    """

    def __init__(self, tree: Any, fallback: Mark, root: str = "scenario") -> None:
        self.tree = tree
        self.fallback = fallback
        self.root = root
        self.problems: list[Problem] = []

    def __bool__(self) -> bool:
        return bool(self.problems)

    def mark(self, *loc: Any, key: bool = False) -> Mark:
        """The position of the element at ``loc`` (of its key with ``key=True``), or the nearest parent's."""
        return locate(self.tree, loc, self.fallback, want_key=key)

    def where(self, loc: tuple[Any, ...]) -> str:
        """A readable name of the place at ``loc``, e.g. ``events[summit].at``."""
        return readable_path(self.tree, loc, self.root)

    def add(self, mark: Mark, message: str, code: str = "invalid") -> None:
        """Record a problem at ``mark``."""
        self.problems.append(problem_at(mark, message, code))

    def at(self, loc: tuple[Any, ...], message: str, code: str = "invalid", *, key: bool = False) -> None:
        """Record a problem at the element at ``loc`` (at its key with ``key=True``)."""
        self.add(self.mark(*loc, key=key), message, code)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record problems found elsewhere (e.g. in a scenario an experiment names)."""
        self.problems.extend(problems)

    def validation(self, exc: ValidationError, known_keys: Iterable[str]) -> list[Problem]:
        """Record one problem per place pydantic complains about; return them."""
        found = validation_problems(exc, self.tree, self.fallback, known_keys, root=self.root)
        self.problems.extend(found)
        return found

    def expression(self, loc: tuple[Any, ...], message: str, offset: int) -> None:
        """Record a problem ``offset`` characters into the expression at ``loc``."""
        path, line, col = self.mark(*loc)
        self.problems.append(Problem(path, line, col + offset + self.quote_shift(loc), message, "expression"))

    def expression_error(self, loc: tuple[Any, ...], exc: ExprError) -> None:
        """Record an :class:`~sim.lang.expr.ExprError` of the expression at ``loc``."""
        self.expression(loc, exc.message, exc.offset)

    def quote_shift(self, loc: tuple[Any, ...]) -> int:
        """1 if the scalar at ``loc`` was quoted (its mark points at the quote), else 0."""
        node: Any = self.tree
        for part in loc[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return 0
        return int(bool(getattr(node, "quoted", {}).get(loc[-1], False))) if isinstance(node, dict) else 0

    def sorted(self) -> list[Problem]:
        """The problems in file, line, column order."""
        return sort_problems(self.problems)

    def deduplicated(self) -> list[Problem]:
        """The problems in position order, each (place, message) once."""
        seen: dict[tuple[str, int, int, str], Problem] = {}
        for p in self.problems:
            seen.setdefault((p.path, p.line, p.col, p.message), p)
        return sort_problems(seen.values())

    def raise_if_any(self, error: type[ScenarioError] = ScenarioError) -> None:
        """Raise ``error`` listing every problem (sorted), if there is any."""
        if self.problems:
            raise error(self.sorted())
