"""Atomic file writes: a reader (or a crash) never sees a half-written save, manifest or result part."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

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


def atomic_savefig(figure: Any, path: Path | str, **options: Any) -> Path:
    """Save a matplotlib ``figure`` to ``path`` atomically (its format from the suffix).

    Like :func:`atomic_write`, a symbolic link at ``path`` is replaced, never written through.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".") or "png"
    return atomic_write(path, lambda handle: figure.savefig(handle, format=fmt, **options), binary=True)


def output_folder(folder: Path | str, option: str = "--out") -> Path:
    """``folder`` ready to receive files: created if missing; a file, special file or link there is refused.

    Raises:
        UsageError: naming the folder and what is wrong with it, in one line.
    """
    folder = Path(folder)
    try:
        is_link, exists, is_dir, is_file = folder.is_symlink(), folder.exists(), folder.is_dir(), folder.is_file()
        if not (is_link or exists):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None
    if is_link:
        raise UsageError(f"{folder}: is a symbolic link; give a real folder for {option}")
    if exists and not is_dir:
        kind = "a file" if is_file else "a special file (device, pipe or socket)"
        raise UsageError(f"{folder}: is {kind}, not a folder; give a folder for {option}")
    return folder
