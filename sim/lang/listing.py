"""The library listing of ``trilat list``, kept on disk so that a listing of unchanged files reads no YAML.

Listing the library means reading, merging and validating every bundled scenario: importing the
schema (pydantic), parsing the YAML of each ``extends:`` chain and validating it took about
0.35 s of the command's 0.5-0.6 s (docs/performance.md). The rows depend only on those files
and on the code that reads them, so :func:`library_listing` keeps them in ``listing.json`` with
the SHA-256 of every file each row was read from and of the reading code (``sim/lang``, the
layout and limits it imports, Trilat's and Python's versions). A later listing hashes the
files again (a few milliseconds) and, when nothing changed, prints the kept rows without
importing the schema or reading any YAML. Any change, a file added or removed, an unreadable or
foreign cache file: the library is read again and the file rewritten. A file the schema refuses
raises the usual located error and nothing is kept.

The file lives in ``$TRILAT_LISTING_CACHE`` if that is set (``off`` turns the cache off), else in
``$XDG_CACHE_HOME/trilat`` or ``~/.cache/trilat``, beside the kernel cache.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sim import __version__
from sim.cache_folders import cache_folder, file_digest, source_digest
from sim.lang.library import library_dir, library_ids

CACHE_ENV = "TRILAT_LISTING_CACHE"
"""Environment variable naming the folder of the listing cache (``off`` to turn it off)."""

CACHE_NAME = "listing.json"
FORMAT = 1
"""The cache file's layout; a file of another format is ignored (and replaced)."""


def cache_path() -> Path | None:
    """The cache file (its folder not created here), or None when the cache is turned off."""
    folder = cache_folder(CACHE_ENV)
    return None if folder is None else folder / CACHE_NAME


def library_listing() -> list[dict[str, Any]]:
    """One row per library scenario: ``id``, ``title``, ``turns``, ``start`` and ``source`` (first author and title).

    Raises:
        ScenarioError: for a library file that cannot be read or that the schema refuses.
    """
    ids = library_ids()
    code = _code_digest()
    path = cache_path()
    kept = _kept_rows(path, ids, code) if path is not None else None
    if kept is not None:
        return kept
    rows, files = _read_library(ids)
    if path is not None:
        _keep(path, {"format": FORMAT, "code": code, "ids": ids, "files": files, "rows": rows})
    return rows


def _read_library(ids: list[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The rows, read from the files (validated, not compiled: a listing needs no rules), and each file's digest."""
    from sim.lang.specs import load_spec_and_files

    # Digests taken before the files are read: a file edited meanwhile is kept with its old
    # digest, so the next listing reads it again (never new digests beside old rows).
    before = {str(file.resolve()): file_digest(file) for file in library_dir().glob("*.yaml")}
    rows: list[dict[str, Any]] = []
    files: dict[str, str] = {}
    for ident in ids:
        spec, chain = load_spec_and_files(ident)
        for file in chain:
            files.setdefault(str(file), before.get(str(file)) or file_digest(file))
        first = spec.sources[0] if spec.sources else None
        rows.append(
            {
                "id": spec.id,
                "title": spec.title,
                "turns": spec.turns,
                "start": spec.start,
                "source": f'{first.author}, "{first.title}"' if first else "",
            }
        )
    return rows, files


def _kept_rows(path: Path, ids: list[str], code: str) -> list[dict[str, Any]] | None:
    """The kept rows if the cache file holds this library read by this code, else None."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["format"] != FORMAT or kept["code"] != code or kept["ids"] != ids:
            return None
        for file, digest in kept["files"].items():
            if file_digest(Path(file)) != digest:
                return None
        rows = kept["rows"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing, unreadable or not ours: read the library
    if not isinstance(rows, list) or [row.get("id") if isinstance(row, dict) else None for row in rows] != ids:
        return None
    return rows


def _keep(path: Path, content: dict[str, Any]) -> None:
    """Write the cache file atomically (best effort: a listing never fails for its cache)."""
    from sim.atomic import atomic_write_text
    from sim.errors import UsageError

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_text(path, json.dumps(content))
    except (OSError, UsageError):
        return  # an unwritable or odd cache folder: list without keeping


def _code_digest() -> str:
    """SHA-256 of the code a listing is read with: ``sim/lang``, the engine modules it imports, the versions."""
    package = Path(__file__).resolve().parent.parent
    files = [
        *sorted((package / "lang").glob("*.py")),
        package / "engine" / "layout.py",
        package / "engine" / "limits.py",
    ]
    return source_digest((__version__, sys.version, str(library_dir())), files)
