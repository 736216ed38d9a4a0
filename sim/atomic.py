"""Atomic file writes: a reader (or a crash) never sees a half-written save, manifest or result part."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO


def atomic_write(path: Path | str, write: Callable[[IO], None], binary: bool = False) -> Path:
    """Write ``path`` through ``write(handle)`` into a temporary file beside it, then rename.

    The data is flushed to disk before the rename; if anything fails, the previous file (if
    any) is left untouched and the temporary file is removed.
    """
    path = Path(path)
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
