"""Guards around a sweep folder: bounded reads of regular files only, safe creation, one writer at a time.

A sweep folder is user data that may be damaged or hostile: :func:`read_regular` refuses a
missing file, a directory, a device, a pipe or an oversized file by its type and size before
reading it (a pipe is opened non-blocking, so it never hangs); :func:`make_folder` turns the
operating system's refusals into one-line errors; :func:`folder_lock` holds an exclusive
``flock`` on ``DIR/.trilat-sweep.lock`` for as long as a sweep writes the folder (the kernel
releases it when the process ends, also after a crash or ``kill -9``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from sim.research.sweep.layout import SweepError

LOCK = ".trilat-sweep.lock"
"""The lock file of a sweep folder (its content: the pid of the sweep that holds it)."""
RECOVER = "restore it from a backup or start a new sweep with another --out folder"
"""How to recover from a damaged sweep folder (the end of every such message)."""


def describe_mode(mode: int) -> str:
    """What a file of ``mode`` is, in words (for a refusal)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_regular(path: Path, limit: int, what: str) -> int:
    """Refuse ``path`` unless it is a regular file of at most ``limit`` bytes; return its size.

    Raises:
        SweepError: naming the file, what is wrong, and how to recover.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        kind = "a broken symbolic link" if path.is_symlink() else "missing"
        raise SweepError(f"{path}: the sweep's {what} is {kind}; {RECOVER}") from None
    except OSError as exc:
        raise SweepError(f"{path}: cannot read the sweep's {what} ({exc.strerror}); {RECOVER}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SweepError(f"{path}: the sweep's {what} is {describe_mode(info.st_mode)}; {RECOVER}")
    if info.st_size > limit:
        raise SweepError(f"{path}: the sweep's {what} is {info.st_size:,} bytes; the limit is {limit:,}; {RECOVER}")
    return info.st_size


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes (checked again on the open file).

    Raises:
        SweepError: naming the file, what is wrong, and how to recover.
    """
    check_regular(path, limit, what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise SweepError(f"{path}: cannot open the sweep's {what} ({exc.strerror}); {RECOVER}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise SweepError(f"{path}: the sweep's {what} changed into {describe_mode(info.st_mode)}; {RECOVER}")
        data = handle.read(info.st_size + 1)  # a file that grew meanwhile is refused below
    if len(data) > info.st_size:
        raise SweepError(f"{path}: the sweep's {what} changed while it was read; {RECOVER}")
    return data


def make_folder(out: Path) -> None:
    """Create the sweep folder ``out`` (and its parents), or refuse in one line saying why.

    Raises:
        SweepError: for a path that is a file, a device, too long, on a read-only or virtual
            file system, or otherwise impossible to create.
    """
    try:
        if out.exists() and not out.is_dir():
            raise SweepError(f"{out}: --out is {_kind(out)}, not a folder; give a new or empty folder")
        out.mkdir(parents=True, exist_ok=True)
    except SweepError:
        raise
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if exc.errno == errno.ENAMETOOLONG:
            reason += " (a path component is limited to 255 bytes)"
        raise SweepError(f"{out}: cannot create the sweep folder: {reason}") from None


def _kind(path: Path) -> str:
    with contextlib.suppress(OSError):
        return "a file" if path.is_file() else describe_mode(path.stat().st_mode)
    return "not a folder"


@contextlib.contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold the exclusive writer's lock of sweep folder ``out`` (which must exist).

    The lock is an ``flock`` on ``out/.trilat-sweep.lock``, opened without following a link;
    the file holds the holder's pid, shown to a second sweep, which is refused.

    Raises:
        SweepError: when another process holds the lock, or the lock file cannot be opened.
    """
    path = out / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise SweepError(f"{path}: cannot open the sweep folder's lock file ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SweepError(f"{path}: the sweep folder's lock file is not a regular file; remove it")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise SweepError(
                f"{out}: another sweep is writing this folder (pid {holder}); wait for it to finish, "
                "or use another --out folder"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the flock
