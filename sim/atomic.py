"""Atomic file writes: a reader (or a crash) never sees a half-written save, manifest or result part."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sim.errors import UsageError


def check_destination(path: Path) -> None:
    """Refuse a destination that is a directory or a special file (a symbolic link is replaced, never followed).

    Raises:
        UsageError: naming the path and what it is.
    """
    if path.is_symlink():
        return  # os.replace swaps the link itself for the new file; its target is never written
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; cannot write a file there")
    if path.exists() and not path.is_file():
        raise UsageError(f"{path}: is a special file (device, pipe or socket); cannot write there")


def atomic_write_text(path: Path | str, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda handle: handle.write(text))


def atomic_write(path: Path | str, write: Callable[[IO], object], binary: bool = False) -> Path:
    """Write ``path`` through ``write(handle)`` into a temporary file beside it, then rename.

    The data is flushed to disk before the rename; if anything fails, the previous file (if
    any) is left untouched and the temporary file is removed.
    """
    path = Path(path)
    check_destination(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        handle: IO
        with temp.open("wb") if binary else temp.open("w", encoding="utf-8") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return path
