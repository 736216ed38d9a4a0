"""Where the bundled scenario library lives and which scenarios it holds (no YAML read, nothing heavy imported)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import scenarios

ROOT_SCENARIO = "defaults"
"""The abstract scenario every other one extends, directly or not."""


@lru_cache(maxsize=1)
def library_dir() -> Path:
    """The folder of bundled scenarios (resolved once per process: it is part of the installed package)."""
    return Path(scenarios.__file__).resolve().parent


def library_ids() -> list[str]:
    """Ids (file stems) of the bundled scenarios, the abstract root excluded."""
    return sorted(p.stem for p in library_dir().glob("*.yaml") if p.stem != ROOT_SCENARIO)
