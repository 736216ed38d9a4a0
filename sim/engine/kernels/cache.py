"""An on-disk cache of compiled kernels, keyed by everything the machine code was built from.

numba's own ``cache=True`` keys a kernel by its source file alone, so it would miss a change to
a helper it inlines from another module (``sim.engine.mathlib``, the kernel helpers). Here every
kernel is cached under a *fingerprint*: the SHA-256 of the source of every module the compiled
code is built from (the math library and all of ``sim/engine/kernels``), the versions of
Python, numpy and numba, and, for a generated trigger kernel, its generated source. A changed
byte anywhere gives a new fingerprint, so a stale kernel can never be loaded; numba adds the
function's signature and the CPU's name and features to each entry's key.

The cache lives in ``$TRILAT_KERNEL_CACHE`` if that is set (``off`` turns caching off), else in
``$XDG_CACHE_HOME/trilat/kernels`` or ``~/.cache/trilat/kernels``, created readable by its owner
only (numba stores pickles there: never point it at a folder others can write). When the folder
cannot be created or written, kernels compile as before, uncached. numba writes each entry to a
temporary file and renames it, so workers compiling at once cannot corrupt it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import sys
from pathlib import Path
from typing import Any

from sim.cache_folders import cache_folder

CACHE_ENV = "TRILAT_KERNEL_CACHE"
"""Environment variable naming the cache folder (``off`` to turn the cache off)."""


def cache_root() -> Path | None:
    """The cache folder (not created here), or None when the cache is turned off."""
    return cache_folder(CACHE_ENV, "kernels")


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 of the sources the kernels are compiled from, and of the tools that compile them."""
    import numba
    import numpy

    engine = Path(__file__).resolve().parent.parent
    files = [engine / "mathlib.py", *sorted((engine / "kernels").glob("*.py"))]
    digest = hashlib.sha256()
    for part in (sys.version, platform.machine(), numpy.__version__, numba.__version__):
        digest.update(part.encode() + b"\0")
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def folder() -> Path | None:
    """This code's cache folder (created, owner-only), or None when caching is off or impossible."""
    root = cache_root()
    if root is None:
        return None
    path = root / code_fingerprint()[:32]
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = path / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError:
        return None
    return path


def holds(names: list[str]) -> bool:
    """Whether this code's cache folder has entries for every kernel named (as given to :func:`enable`)."""
    root = cache_root()
    if root is None:
        return False
    path = root / code_fingerprint()[:32]
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}{getattr(sys, 'abiflags', '')}"
    return all((path / f"trilat-{name}.{tag}.nbi").is_file() for name in names)


def enable(dispatcher: Any, name: str, extra: str = "") -> bool:
    """Give a numba dispatcher (not compiled yet) the fingerprinted on-disk cache.

    Args:
        dispatcher: the ``numba.njit`` dispatcher, before its first compilation.
        name: a name unique among cached kernels (the kernel's, or a generated kernel's hash).
        extra: more text the compiled code depends on (a generated kernel's source).

    Returns:
        Whether the cache is on for it (False when turned off, impossible here, or numba's
        cache classes are not the ones this module knows).
    """
    path = folder()
    if path is None:
        return False
    stamp = code_fingerprint() + hashlib.sha256(extra.encode()).hexdigest()
    try:
        dispatcher._cache = _make_cache(dispatcher.py_func, path, stamp, name)
    except (AttributeError, TypeError, ImportError, OSError):
        return False
    return True


def _make_cache(py_func: Any, path: Path, stamp: str, name: str) -> Any:
    """A numba ``FunctionCache`` for ``py_func`` in ``path``, valid only for ``stamp``."""
    from numba.core import caching

    class Locator(caching._CacheLocator):
        def __init__(self) -> None:
            self._py_file = str(path / f"{name}.py")  # named in numba's warnings only

        def get_cache_path(self) -> str:
            return str(path)

        def get_source_stamp(self) -> str:
            return stamp

        def get_disambiguator(self) -> str:
            return name

    class Impl(caching.CompileResultCacheImpl):
        def __init__(self, function: Any) -> None:  # noqa: D107 - numba's CacheImpl, minus its locator search
            self._lineno = function.__code__.co_firstlineno
            self._locator = Locator()
            self._filename_base = self.get_filename_base("trilat", getattr(sys, "abiflags", ""))

    class Cache(caching.FunctionCache):
        _impl_class = Impl

    return Cache(py_func)
