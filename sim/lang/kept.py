"""Compiled scenarios kept on disk, so that running an unchanged scenario reads no YAML and imports no schema.

Loading a scenario means importing PyYAML and the pydantic schema, reading and merging its
``extends:`` chain, validating it and compiling it: about 0.3 s of a one-story ``trilat run``
that itself takes about 1 s (docs/performance.md). The compiled scenario depends only on those
files and on the code that reads them, so :func:`load` keeps it in the cache folder with the
SHA-256 of every file it was read from and of the reading code (``sim/lang``, ``sim/engine``,
the error module, Trilat's, Python's and numpy's versions). A later load hashes the files again
(a millisecond) and, when nothing changed, unpickles the kept scenario instead: the engine runs
it without importing the front end (:mod:`sim.lang.compiled_scenario`).

Any change, a file of the chain edited, added or removed, other code, an unreadable or foreign
cache file: the scenario is loaded and checked again and the kept copy replaced. A file the
checks refuse raises the usual located error and nothing is kept. Each kept file starts with a
line of JSON (its format, the code digest, the files and their digests), read before the
pickled scenario below it is touched; the pickle comes only from this folder, written by this
code, like the kernel cache beside it (numba's cache is pickled as well).

The folder is ``$TRILAT_SCENARIO_CACHE`` if that is set (``off`` turns the cache off), else
``$XDG_CACHE_HOME/trilat/scenarios`` or ``~/.cache/trilat/scenarios``. At most
:data:`MAX_KEPT` scenarios are kept; the least recently written go first.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import __version__
from sim.cache_folders import cache_folder, file_digest, source_digest
from sim.lang.library import library_dir, library_file, looks_like_path

if TYPE_CHECKING:
    from sim.lang.compiled_scenario import Scenario

CACHE_ENV = "TRILAT_SCENARIO_CACHE"
"""Environment variable naming the folder of kept scenarios (``off`` to turn it off)."""

FORMAT = 1
"""The kept file's layout; a file of another format is ignored (and replaced)."""

SUFFIX = ".kept"
MAX_KEPT = 64
"""Kept scenarios at most; writing one more removes the least recently written."""


def folder() -> Path | None:
    """The folder of kept scenarios (not created here), or None when the cache is turned off."""
    return cache_folder(CACHE_ENV, "scenarios")


def load(name: str | Path) -> Scenario:
    """The scenario ``name`` (a library id or a path), from its kept copy when its files and the code are unchanged.

    The same scenario :func:`sim.lang.scenario.load_scenario` returns; on a miss it is that
    function that loads it (and raises its located errors), and the result is kept.

    Raises:
        ScenarioError: listing every problem found as ``path:line:col: message``.
    """
    where = folder()
    if where is None:
        return _checked(name)
    code = code_digest()  # once: compared with a kept copy's and written with a new one
    path = _library_or_path(name)
    kept = _kept(where, path, code) if path is not None else None
    if kept is not None:
        return kept
    scenario = _checked(name)
    keep(where, scenario, code)
    return scenario


def _checked(name: str | Path) -> Scenario:
    """The scenario read from its files and checked (the front end is imported here, on a miss only)."""
    from sim.lang.scenario import load_scenario

    return load_scenario(name)


def keep(where: Path, scenario: Scenario, code: str | None = None) -> Path | None:
    """Write ``scenario``'s kept copy into ``where`` (best effort: a run never fails for its cache).

    Nothing is kept for a scenario embedded in a save, or whose files changed since they were
    read (their bytes are no longer the texts it was compiled from).

    Returns:
        The kept file, or None when nothing was written.
    """
    if scenario.embedded or len(scenario.texts) != len(scenario.files):
        return None
    files: list[tuple[str, str]] = []
    for file, text in zip(scenario.files, scenario.texts, strict=True):
        try:
            data = file.read_bytes()
        except OSError:
            return None
        if data != text.encode("utf-8"):
            return None  # edited meanwhile (or not UTF-8): the next load reads it again
        files.append((str(file.resolve()), hashlib.sha256(data).hexdigest()))
    header = {"format": FORMAT, "code": code or code_digest(), "path": str(scenario.path.resolve()), "files": files}
    content = json.dumps(header).encode("utf-8") + b"\n" + pickle.dumps(scenario, protocol=pickle.HIGHEST_PROTOCOL)
    target = where / (_key(scenario.path) + SUFFIX)
    from sim.atomic import atomic_write
    from sim.errors import UsageError

    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(target, lambda handle: handle.write(content), binary=True)
    except (OSError, UsageError):
        return None  # an unwritable or odd cache folder: run without keeping
    _prune(where)
    return target


def code_digest() -> str:
    """SHA-256 of the code a scenario is read and compiled with, and of the versions its pickle depends on."""
    import numpy as np

    package = Path(__file__).resolve().parent.parent
    files = [
        *sorted((package / "lang").glob("*.py")),
        *sorted((package / "engine").glob("*.py")),
        package / "errors.py",
    ]
    return source_digest((__version__, sys.version, np.__version__, str(library_dir())), files)


def _library_or_path(name: str | Path) -> Path | None:
    """The file ``name`` loads (as :func:`~sim.lang.loading.resolve_scenario_path` finds it), or None: let it decide."""
    return Path(str(name)) if looks_like_path(name) else library_file(str(name))


def _key(path: Path) -> str:
    return hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:32]


def _kept(where: Path, path: Path, code: str) -> Scenario | None:
    """The kept scenario of ``path`` if its files and the code are unchanged, else None."""
    from sim.lang.compiled_scenario import Scenario

    try:
        with open(where / (_key(path) + SUFFIX), "rb") as handle:
            header = json.loads(handle.readline())
            if (
                header["format"] != FORMAT
                or header["path"] != str(path.resolve())
                or header["code"] != code
                or not all(file_digest(Path(file)) == digest for file, digest in header["files"])
            ):
                return None
            scenario = pickle.load(handle)  # noqa: S301 - written by keep() into the user's own cache folder
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, ImportError, pickle.UnpicklingError):
        return None  # missing, unreadable, stale or not ours: load the files
    if not isinstance(scenario, Scenario):
        return None
    scenario.path = path  # as this load names it (a relative path stays relative, as load_scenario leaves it)
    return scenario


def _prune(where: Path) -> None:
    """Remove the least recently written kept files beyond :data:`MAX_KEPT`."""
    try:
        kept: list[tuple[float, Any]] = [(file.stat().st_mtime, file) for file in where.glob("*" + SUFFIX)]
        for _, file in sorted(kept, key=lambda item: item[0])[: max(0, len(kept) - MAX_KEPT)]:
            file.unlink(missing_ok=True)
    except OSError:
        return
