"""Keep freed memory in the process for reuse, so big ensembles do not pay a page fault per page per turn.

A 10,000-world model allocates its (rows x worlds) state and many (cards x worlds) temporaries
every turn, each a few hundred kilobytes to a few megabytes. glibc's allocator serves such
blocks with ``mmap`` and hands them back to the kernel when numpy frees them, so the next one
faults its pages in again: measured on the 2-core virtual machine of docs/performance.md,
5,000-9,000 page faults per 10,000-world baseline run, 40-90 ms of system CPU time against
about 250 ms of user time. :func:`retain_freed_memory` raises glibc's ``mmap`` and trim
thresholds (``mallopt``) so that freed blocks stay in the heap and are reused; the system time
fell to 5-25 ms. It changes no result, only where memory comes from.

It acts on the whole process, so Trilat calls it only where it owns the process: ``trilat run``
(ensembles), ``trilat bench`` and sweep workers. A program using the Python API can call it
once. Elsewhere than glibc (macOS, musl, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

MMAP_THRESHOLD = 128 * 1024 * 1024
"""Blocks below this size come from the heap (glibc's default starts at 128 KiB)."""

TRIM_THRESHOLD = 512 * 1024 * 1024
"""Free memory at the top of the heap kept for reuse before any is given back to the kernel."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


@functools.cache
def retain_freed_memory() -> bool:
    """Ask glibc to keep freed blocks up to the thresholds above; return whether it took both settings.

    Called once per process (later calls return the first answer). False where the C library is not glibc.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - glibc only: musl has mallopt as a no-op stub
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    mmap = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    trim = mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    return mmap and trim
