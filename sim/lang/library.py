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


def looks_like_path(name: str | Path) -> bool:
    """Whether ``name`` names a file (a Path, ``*.yaml``, ``*.yml`` or a name with ``/``) rather than a library id."""
    text = str(name)
    return isinstance(name, Path) or text.endswith((".yaml", ".yml")) or "/" in text


def library_file(name: str) -> Path | None:
    """The library's file of scenario id ``name``, or None when there is none."""
    candidate = library_dir() / f"{name}.yaml"
    return candidate if candidate.is_file() else None


def library_ids() -> list[str]:
    """Ids (file stems) of the bundled scenarios, the abstract root excluded."""
    return sorted(p.stem for p in library_dir().glob("*.yaml") if p.stem != ROOT_SCENARIO)
