"""Worker processes that do not outlive the sweep process, even after ``kill -9``.

A pool worker is a child of the fork server, not of the sweep process, and blocks on a queue
whose pipe it partly holds itself: nothing would end it when the sweep process dies without
cleaning up. :func:`follow` makes it end: on Linux the kernel sends SIGKILL when its parent
dies (``prctl(PR_SET_PDEATHSIG)``, through ctypes), and everywhere a daemon thread checks every
:data:`CHECK_S` seconds that the sweep process is alive, and ends the worker at once when not.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from pathlib import Path

CHECK_S = 0.25
"""Seconds between two checks that the sweep process is alive."""
PR_SET_PDEATHSIG = 1
EXIT_ORPHANED = 75
"""Exit status of a worker whose sweep process died."""


def alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, dead but not yet reaped, counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    return True


def _die_with_parent() -> None:
    """Linux: ask the kernel for SIGKILL when this process's parent dies (a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch(pid: int, check_s: float) -> None:
    stop = threading.Event()
    while alive(pid):
        stop.wait(check_s)
    os._exit(EXIT_ORPHANED)  # no clean-up: the sweep that owned this worker is gone


def follow(pid: int, check_s: float = CHECK_S) -> None:
    """End this process soon after process ``pid`` (the sweep process) ends, however it ends."""
    _die_with_parent()
    threading.Thread(target=_watch, args=(pid, check_s), name="trilat-lifeline", daemon=True).start()
