"""Finding scenario files and reading an ``extends:`` chain into one merged, located tree.

A scenario names the scenario it extends (``defaults``, the abstract root, if it names none);
:func:`load_chain` reads the whole chain and deep-merges it, child over parent, keeping the
position of every key and value so that problems found later point at the file and line that
set the value.

Each file is parsed once per process: :func:`_parse_cached` keeps the located tree of the last
files read, keyed by their path and their exact bytes, so ``defaults.yaml`` is parsed once however
many scenarios extend it, and a file edited in a long process is parsed again. Cached trees are
shared, never mutated: merging copies them, and a tree handed to a caller is a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.engine.layout import GOVERNMENTS, PAIRS
from sim.engine.limits import MAX_EXTENDS_DEPTH
from sim.errors import Problem, ScenarioError, did_you_mean
from sim.lang.library import ROOT_SCENARIO, library_dir, library_file, library_ids, looks_like_path
from sim.lang.validation import sort_problems
from sim.lang.yamlio import (
    MAX_FILE_BYTES,
    LocDict,
    LocList,
    Mark,
    items_with_marks,
    parse_yaml,
    problem_at,
    read_yaml_file,
    value_mark,
)

ID_LISTS = frozenset({"rules", "events", "acts"})
"""Lists merged item by item (by ``id``) rather than replaced; so are the lists of cards."""

FileCheck = Callable[[Any, str], list[Problem]]


@lru_cache(maxsize=1)
def _root_file() -> Path:
    """The resolved path of the abstract root scenario, ``defaults.yaml``."""
    return (library_dir() / f"{ROOT_SCENARIO}.yaml").resolve()


def _library_hint(text: str, ids: list[str]) -> str:
    """A near miss (``baselin``), else the ids that start with or contain ``text`` (``trump2``)."""
    hint = did_you_mean(text, ids)
    if hint or len(text) < 3:
        return hint
    wanted = text.casefold()
    found = [i for i in ids if i.startswith(wanted)] or [i for i in ids if wanted in i]
    return f" (did you mean {' or '.join(repr(i) for i in found[:3])}?)" if found else ""


def resolve_scenario_path(name: str | Path, relative_to: Path | None = None) -> Path:
    """Turn a library name (``baseline``) or a path into a file path.

    Raises:
        ScenarioError: when the name is neither an existing file nor a library scenario.
    """
    text = str(name)
    if looks_like_path(name):
        path = Path(text)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        return path
    candidate = library_file(text)
    if candidate is not None:
        return candidate
    if relative_to is not None and (relative_to / f"{text}.yaml").is_file():
        return relative_to / f"{text}.yaml"
    hint = _library_hint(text, library_ids())
    raise ScenarioError.single(
        text, 1, 1, f"no such file, and no scenario named '{text}' in the library{hint}", "missing-file"
    )


def describe_non_file(path: Path) -> str:
    """What a path that is not a readable regular file is, in words (``is a directory``, ...)."""
    if path.is_symlink() and not path.exists():
        return "is a broken symbolic link"
    if not path.exists():
        return "does not exist"
    if path.is_dir():
        return "is a directory, not a scenario file"
    if path.is_char_device() or path.is_block_device():
        return "is a device, not a scenario file"
    if path.is_fifo():
        return "is a named pipe, not a scenario file"
    if path.is_socket():
        return "is a socket, not a scenario file"
    return "is not a regular file"


# ---------------------------------------------------------------------------------------------
# extends: merging with positions kept


def copy_located(value: Any) -> Any:
    """A deep copy of a located tree (marks included)."""
    # Scalars are not passed to a call of their own: copying the trees of an extends: chain is
    # most of `trilat list`'s loading time (docs/performance.md).
    if isinstance(value, LocDict):
        return LocDict.marked_like(
            {k: copy_located(v) if isinstance(v, _LOCATED) else v for k, v in value.items()}, value
        )
    if isinstance(value, LocList):
        return LocList.marked_like([copy_located(v) if isinstance(v, _LOCATED) else v for v in value], value)
    return value


_LOCATED = (LocDict, LocList)


def _is_effect_op(value: dict[Any, Any]) -> bool:
    return bool(value) and set(value) <= {"add", "set"}


def _merge_mappings(parent: dict[Any, Any], child: dict[Any, Any]) -> LocDict:
    # Each parent value is copied once: merged with the child's where the child has the key.
    if isinstance(parent, LocDict):
        out = LocDict.marked_like(
            {k: merge(v, child[k], str(k)) if k in child else copy_located(v) for k, v in parent.items()}, parent
        )
    else:
        out = LocDict((k, merge(v, child[k], str(k)) if k in child else v) for k, v in parent.items())
    for k, v in child.items():
        if k not in parent:
            out[k] = copy_located(v)
    if isinstance(child, LocDict):
        out.mark = child.mark
    for k in child:
        if isinstance(child, LocDict):
            out.key_marks[k] = child.key_marks.get(k) or out.key_marks.get(k) or out.mark or ("?", 1, 1)
            out.value_marks[k] = child.value_marks.get(k) or out.value_marks.get(k) or out.mark or ("?", 1, 1)
            out.quoted[k] = child.quoted.get(k, False)
    return out


def _merge_by_id(parent: list[Any], child: list[Any]) -> LocList:
    out = LocList()
    out.mark = getattr(child, "mark", None)
    index: dict[Any, int] = {}
    for item, mark in items_with_marks(parent):
        index[item["id"]] = len(out)
        out.append(copy_located(item))
        out.item_marks.append(mark)
    for item, mark in items_with_marks(child):
        if item["id"] in index:
            pos = index[item["id"]]
            out[pos] = merge(out[pos], item)
            out.item_marks[pos] = mark
        else:
            index[item["id"]] = len(out)
            out.append(copy_located(item))
            out.item_marks.append(mark)
    return out


def merge(parent: Any, child: Any, key: str = "") -> Any:
    """Deep-merge ``child`` over ``parent``: mappings by key, id-lists by id, the rest replaced."""
    if key in PAIRS and isinstance(child, dict) and not isinstance(parent, dict | list) and "all" not in child:
        # A child listing some domains of a tie the parent gave as one number keeps that number
        # for the other domains.
        out = copy_located(child)
        out["all"] = parent
        return out
    if isinstance(parent, dict) and isinstance(child, dict) and _is_effect_op(parent) and _is_effect_op(child):
        return copy_located(child)  # {add: ...} over {set: ...} replaces it
    if isinstance(parent, dict) and isinstance(child, dict):
        return _merge_mappings(parent, child)
    if (
        isinstance(parent, list)
        and isinstance(child, list)
        and (key in ID_LISTS or key in GOVERNMENTS)
        and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in [*parent, *child])
    ):
        return _merge_by_id(parent, child)
    return copy_located(child)


# ---------------------------------------------------------------------------------------------
# the chain


PARSE_CACHE_FILES = 64
"""How many parsed files :func:`_parse_cached` keeps (the library holds about 20)."""


@lru_cache(maxsize=PARSE_CACHE_FILES)
def _parse_cached(shown: str, data: bytes) -> Any:
    """The located tree of a file's bytes (UTF-8 text without NUL), parsed once per process.

    Keyed by the exact bytes, so an edited file is parsed again; a parse error is not cached.
    """
    return parse_yaml(data.decode("utf-8"), shown)


def clear_parse_cache() -> None:
    """Forget every parsed file (the next load parses again; for timing a cold load)."""
    _parse_cached.cache_clear()


def _read_parsed(path: Path) -> Any:
    """A scenario file's located tree (shared: copy it before changing it).

    Raises:
        ScenarioError: for a file that cannot be read or parsed (located).
    """
    try:
        data = path.read_bytes() if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES else None
    except OSError:
        data = None
    if data is None or b"\x00" in data or not _is_utf8(data):
        return read_yaml_file(path)  # it says what is wrong with the file, located
    return _parse_cached(str(path), data)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_one(path: Path, file_checks: FileCheck) -> LocDict:
    """One file of the chain: a mapping with an id and a title and no problem ``file_checks`` finds."""
    return _checked(_read_parsed(path), str(path), file_checks)


def _without_key(tree: LocDict, key: str) -> LocDict:
    """A shallow copy of a located mapping less the item ``key`` (the values are shared; marks kept as they were)."""
    out = LocDict((k, v) for k, v in tree.items() if k != key)
    out.mark, out.key_marks = tree.mark, dict(tree.key_marks)
    out.value_marks, out.quoted = dict(tree.value_marks), dict(tree.quoted)
    return out


def _checked(raw: Any, shown: str, file_checks: FileCheck) -> LocDict:
    """A parsed file of the chain, checked to be a mapping with an id, a title and no file problem."""
    if not isinstance(raw, dict):
        raise ScenarioError.single(shown, 1, 1, "a scenario file must be a YAML mapping", "type")
    problems = sort_problems(file_checks(raw, shown))
    for required in ("id", "title"):
        if required not in raw:
            problems.append(problem_at((shown, 1, 1), f"missing required key '{required}'", "missing"))
    if problems:
        raise ScenarioError(problems)
    return raw if isinstance(raw, LocDict) else LocDict(raw)


def _parent_path(raw: LocDict, path: Path, chain: list[Path]) -> Path:
    """The file ``raw`` extends (the root if it names none), checked to exist and not to close a cycle."""
    shown = str(path)
    mark: Mark = value_mark(raw, "extends", (shown, 1, 1))
    parent_name = raw.get("extends") or ROOT_SCENARIO
    if not isinstance(parent_name, str):
        raise ScenarioError([problem_at(mark, "extends: must be a scenario name or path", "type")])
    try:
        parent_path = resolve_scenario_path(parent_name, relative_to=path.parent)
    except ScenarioError:
        hint = did_you_mean(parent_name, library_ids())
        raise ScenarioError(
            [problem_at(mark, f"extends: scenario '{parent_name}' does not exist{hint}", "extends-missing")]
        ) from None
    if not parent_path.is_file():
        what = describe_non_file(parent_path)
        if what == "does not exist":
            hint = did_you_mean(parent_name, library_ids())
            message = f"extends: scenario '{parent_name}' does not exist{hint}"
        else:
            message = f"extends: '{parent_name}' {what}"
        raise ScenarioError([problem_at(mark, message, "extends-missing")])
    if parent_path.resolve() in chain:
        names = " -> ".join(p.name for p in [*chain, parent_path.resolve()])
        raise ScenarioError([problem_at(mark, f"extends: cycle: {names}", "extends-cycle")])
    return parent_path


def load_chain(
    path: Path, file_checks: FileCheck, seen: list[Path] | None = None, origin: Mark | None = None
) -> tuple[Any, list[Path]]:
    """Read a file and everything it extends; return the merged located tree and the files read.

    Args:
        path: the scenario file.
        file_checks: checks run on each file as read (e.g. duplicate ids); any problem stops loading.
        seen: the files of the chain read so far (to detect cycles).
        origin: the ``extends:`` of the chain's first file, where a chain too long is reported.

    Raises:
        ScenarioError: for a file that cannot be read, or an ``extends:`` that is missing or cyclic.
    """
    seen = seen or []
    resolved = path.resolve()
    if resolved in seen:
        names = " -> ".join(p.name for p in [*seen, resolved])
        raise ScenarioError.single(str(path), 1, 1, f"extends: cycle: {names}", "extends-cycle")
    raw = _read_one(path, file_checks)
    if resolved == _root_file():
        # The parsed tree is shared with later loads: a caller gets its own copy.
        return (raw if seen else copy_located(raw)), [resolved]
    chain = [*seen, resolved]
    origin = origin or value_mark(raw, "extends", (str(path), 1, 1))
    if len(chain) >= MAX_EXTENDS_DEPTH:
        message = f"extends: the chain is more than {MAX_EXTENDS_DEPTH} files long (reached {path.name})"
        raise ScenarioError([problem_at(origin, message, "extends-depth")])
    parent_raw, files = load_chain(_parent_path(raw, path, chain), file_checks, chain, origin)
    # merge() copies the parent and the child, so neither cached tree is changed.
    return merge(_without_key(parent_raw, "abstract"), raw), [*files, resolved]


def load_chain_texts(chain: list[tuple[str, str]], file_checks: FileCheck) -> Any:
    """Merge an ``extends:`` chain given as texts, root first (a save's embedded copy of the files).

    Each text is parsed and checked as if read from the file it names; the chain is taken as
    given (no ``extends:`` is looked up), so it loads whatever the library holds now.

    Raises:
        ScenarioError: for a text that is not a valid scenario file.
    """
    merged: Any = None
    for shown, text in chain:
        raw = _checked(parse_yaml(text, shown), shown, file_checks)
        if merged is None:
            merged = raw
            continue
        parent = copy_located(merged)
        parent.pop("abstract", None)
        merged = merge(parent, raw)
    if merged is None:
        raise ScenarioError.single("<save>", 1, 1, "the embedded scenario has no files", "missing-file")
    return merged
