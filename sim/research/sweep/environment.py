"""What a sweep's results depend on besides its experiment: the model code, the libraries, the scenario texts.

:func:`code_fingerprint` hashes the source of everything that determines a run's numbers (the
files :data:`MODEL_SOURCES` names); a sweep records it and refuses to resume under another.
:func:`library_versions` lists the versions of Python and of the numeric and analysis libraries.
:func:`scenario_files` keeps the text of a scenario file and of every file of its ``extends:``
chain, so that a run can be rebuilt after the scenario folder moved (:func:`materialize`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sim.atomic import atomic_write_text
from sim.lang.loading import library_dir

ROOT = Path(__file__).resolve().parents[3]
"""The project folder (the one holding ``sim``, ``agents`` and ``scenarios``)."""

MODEL_SOURCES: tuple[str, ...] = (
    "sim/engine",
    "sim/lang",
    "agents",
    "sim/research/sweep/simulate.py",
    "sim/research/sweep/worker.py",
    "sim/research/levers.py",
    "sim/research/outcomes.py",
    "scenarios/defaults.yaml",
)
"""The code that determines a run's results, relative to :data:`ROOT` (folders: every ``.py`` in them).

The engine (state, dynamics, triggers, random streams), the scenario language (how a file
becomes a compiled model), the agents (strategies and decisions), the two sweep modules that
derive each run's random numbers and record its values, the levers and per-run outcomes of an
experiment (where present), and the coefficient defaults. A name that does not exist is skipped.
"""

LIBRARIES: tuple[str, ...] = ("numpy", "mesa", "pyarrow", "pandas", "SALib", "scipy")
"""The libraries whose versions a sweep records (besides Python's)."""


def _source_files() -> Iterator[Path]:
    for name in MODEL_SOURCES:
        path = ROOT / name
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        elif path.is_file():
            yield path


def code_fingerprint() -> str:
    """A SHA-256 over the path and bytes of every file :data:`MODEL_SOURCES` names (hex)."""
    digest = hashlib.sha256()
    for path in _source_files():
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """The versions of Python and of :data:`LIBRARIES` (``"missing"`` for one not installed)."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def scenario_files(files: Sequence[Path]) -> list[dict[str, Any]]:
    """A scenario's ``extends:`` chain (root first) as ``{path, library, sha256, text}`` records.

    ``library`` is True for a file of the bundled library (found again by name wherever the
    package is installed), ``path`` the absolute path the file had.
    """
    library = library_dir()
    records = []
    for file in files:
        data = file.read_bytes()
        records.append(
            {
                "path": str(file.resolve()),
                "library": file.resolve().parent == library,
                "sha256": hashlib.sha256(data).hexdigest(),
                "text": data.decode("utf-8"),
            }
        )
    return records


def materialize(records: Sequence[dict[str, Any]], folder: Path) -> Path:
    """Write a scenario's stored chain (user files only) under ``folder``; return the scenario file's path.

    User files keep their layout relative to each other (an ``extends:`` by relative path still
    resolves); library files are found in the installed library, where loading checks them
    against the recorded content hash.
    """
    if records[-1]["library"]:
        return library_dir() / Path(records[-1]["path"]).name
    users = [r for r in records if not r["library"]]
    paths = [Path(r["path"]) for r in users]
    base = Path(*_common_parts(paths))
    for record, path in zip(users, paths, strict=True):
        target = folder / path.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, record["text"])
    return folder / Path(records[-1]["path"]).relative_to(base)


def _common_parts(paths: Sequence[Path]) -> tuple[str, ...]:
    """The folders every path's parent shares (the root at least)."""
    parts = paths[0].parent.parts
    for path in paths[1:]:
        other = path.parent.parts
        n = 0
        while n < min(len(parts), len(other)) and parts[n] == other[n]:
            n += 1
        parts = parts[:n]
    return parts
