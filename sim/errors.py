"""Located errors for scenario files and other user input: ``path:line:col: message``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a user-supplied file, with a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class TrilatError(Exception):
    """Base class of every error the CLI reports without a traceback."""


class ScenarioError(TrilatError):
    """One or more problems found while loading a scenario; ``str()`` gives one line per problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, path: str, line: int, col: int, message: str, code: str = "invalid") -> ScenarioError:
        """An error with just one problem."""
        return cls([Problem(str(path), line, col, message, code)])


class UsageError(TrilatError):
    """A bad command-line argument or API argument, reported in one line."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix for a near miss, or an empty string."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
