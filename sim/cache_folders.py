"""Where Trilat keeps what it reuses between runs: compiled kernels and the library listing."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

OFF = frozenset({"off", "0", "no", "false", "none"})
"""Values of a cache's environment variable that turn the cache off."""


def cache_folder(variable: str, name: str = "") -> Path | None:
    """The folder of one cache (not created here), or None when it is turned off.

    The environment variable ``variable`` names the folder (``off`` turns the cache off); else it
    is ``$XDG_CACHE_HOME/trilat/NAME``, or ``~/.cache/trilat/NAME``.
    """
    chosen = os.environ.get(variable, "").strip()
    if chosen and chosen.lower() in OFF:
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = (Path(base) if base else Path.home() / ".cache") / "trilat"
    return root / name if name else root


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, or ``""`` for a file gone or unreadable (which matches no kept digest)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def source_digest(parts: Iterable[str], files: Iterable[Path]) -> str:
    """SHA-256 of some version strings and of source files (each name and bytes): what a kept result was made by."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()
