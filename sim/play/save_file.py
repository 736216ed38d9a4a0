"""Reading a save file safely: by type, size, encoding, JSON syntax, nesting, numbers, then its schema.

Every check happens before the next step can cost anything: a path that is not a regular file
(a folder, a named pipe, a device) is refused from ``os.stat`` without being opened; a file over
:data:`MAX_SAVE_BYTES` is refused before it is read; the file is opened non-blocking and read
at most one byte past the limit; JSON nesting deeper than :data:`MAX_DEPTH`, integers of more
than :data:`MAX_INT_DIGITS` digits and ``NaN``/``Infinity`` are refused; then the whole save is
validated against :class:`sim.play.save_schema.SaveModel`. Every message starts with the save's
path (``SAVE:line:col:`` where the JSON parser gives a position).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.play.commands import CommandKind
from sim.play.save_schema import SAVE_FORMAT, SAVE_VERSION, SaveModel
from sim.play.saved_scenario import SaveError

MAX_SAVE_BYTES = 20 * 2**20
"""Largest save file read (20 MiB; a real save is well under 1 MiB, mostly its scenario's texts)."""
MAX_DEPTH = 16
"""Deepest JSON nesting of a save (a real save nests 5 levels)."""
MAX_INT_DIGITS = 30
"""Most digits of an integer in a save (its largest, a seed, has at most 19)."""
MAX_LISTED_ERRORS = 3
KINDS = frozenset(kind.value for kind in CommandKind)


class _NumberError(ValueError):
    """A number the save may not hold (raised from inside the JSON parser's hooks)."""


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _NumberError(f"an integer of {digits:,} digits (a save's integers have at most {MAX_INT_DIGITS})")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NumberError(f"the number {text[:40]} is too large (numbers in a save must be finite)")
    return value


def _parse_constant(text: str) -> float:
    raise _NumberError(f"{text} is not a number a save may hold (numbers must be finite)")


def describe_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "is a folder, not a save file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe, not a save file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a save file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a save file"
    return "is not a regular file"


def _check_file(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise SaveError(f"{path}: {describe_kind(info.st_mode)}")
    if info.st_size > MAX_SAVE_BYTES:
        raise SaveError(
            f"{path}: {info.st_size:,} bytes is larger than a save can be ({MAX_SAVE_BYTES:,} bytes); "
            "not a Trilat save file"
        )


def read_save_bytes(path: Path) -> bytes:
    """The bytes of a save file, refused by type and size before they are read.

    Raises:
        SaveError: no such file, not a regular file, too large, or unreadable.
    """
    try:
        _check_file(path, os.stat(path))
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        kind = "is a broken symbolic link" if os.path.islink(path) else "no such save file"
        raise SaveError(f"{path}: {kind}") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise SaveError(f"{path}: cannot read the save ({_reason(exc)})") from None
    try:
        _check_file(path, os.fstat(fd))  # the file may have been swapped since the stat
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_SAVE_BYTES + 1)
    except OSError as exc:
        raise SaveError(f"{path}: cannot read the save ({_reason(exc)})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_SAVE_BYTES:
        raise SaveError(f"{path}: larger than a save can be ({MAX_SAVE_BYTES:,} bytes); not a Trilat save file")
    return data


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or exc.__class__.__name__


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SaveError(f"{path}:{line}:{col}: damaged save (not UTF-8 text)") from None


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests deeper than MAX_DEPTH (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_save_json(path: Path, text: str) -> Any:
    """The JSON value of a save's text, with its nesting and numbers bounded.

    Raises:
        SaveError: ``SAVE:line:col: ...`` for a syntax error, ``SAVE: ...`` otherwise.
    """
    try:
        data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except json.JSONDecodeError as exc:
        raise SaveError(f"{path}:{exc.lineno}:{exc.colno}: damaged save (not valid JSON: {exc.msg})") from None
    except _NumberError as exc:
        raise SaveError(f"{path}: damaged save ({exc})") from None
    except RecursionError:
        raise SaveError(f"{path}: damaged save (JSON nested deeper than {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # e.g. Python's own limit on the digits of an integer
        raise SaveError(f"{path}: damaged save ({exc})") from None
    if _too_deep(data):
        raise SaveError(f"{path}: damaged save (JSON nested deeper than {MAX_DEPTH} levels)")
    return data


def _where(loc: tuple[int | str, ...]) -> str:
    """``settings.turns``, ``command 3: cards``, ``undo or branch note 1: at``: where an error is."""
    parts: list[str] = []
    rest = list(loc)
    if len(rest) >= 2 and rest[0] in ("log", "history_notes") and isinstance(rest[1], int):
        parts.append(f"{'command' if rest[0] == 'log' else 'undo or branch note'} {rest[1] + 1}")
        rest = rest[2:]
    # Drop the union members' tags (a command's kind, implied by the command itself).
    kept = [p for i, p in enumerate(rest) if not (p in KINDS and (i == 0 or isinstance(rest[i - 1], int)))]
    text = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in kept).replace(".[", "[")
    return ": ".join([*parts, text] if text else parts)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def describe_errors(exc: ValidationError) -> str:
    """The first few problems of a failed validation, in one line."""
    problems = []
    for error in exc.errors(include_url=False)[:MAX_LISTED_ERRORS]:
        where = _where(tuple(error["loc"])) or "the save"
        kind = error["type"]
        if kind == "union_tag_invalid":
            problems.append(f"{where}: unknown command kind {_shown(error['input'].get('kind'))}")
        elif kind == "union_tag_not_found":
            problems.append(f"{where}: has no 'kind'")
        elif kind in ("missing", "extra_forbidden"):
            problems.append(f"{where} {'is missing' if kind == 'missing' else 'is not a field a save has'}")
        else:
            message = re.sub(r"^\w+ should", "must", error["msg"])
            shown = "" if kind in ("model_type", "dict_type", "list_type") else f", got {_shown(error['input'])}"
            problems.append(f"{where}: {message}{shown}")
    more = exc.error_count() - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


def validate_save(path: Path, data: Any) -> SaveModel:
    """A parsed save, checked to be a save of a version this Trilat reads, then validated in full.

    Raises:
        SaveError: naming the save and the problems.
    """
    if not isinstance(data, dict) or data.get("format") != SAVE_FORMAT:
        raise SaveError(f"{path}: not a Trilat save file")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SAVE_VERSION:
        raise SaveError(f"{path}: save format version {version} is newer than this Trilat understands ({SAVE_VERSION})")
    try:
        return SaveModel.model_validate(data)
    except ValidationError as exc:
        raise SaveError(f"{path}: damaged save ({describe_errors(exc)})") from None


def read_save(path: Path | str) -> SaveModel:
    """Read, parse and validate a save file (nothing of it is used before it is valid).

    Raises:
        SaveError: naming the save and what is wrong with it.
    """
    path = Path(path)
    return validate_save(path, parse_save_json(path, _decode(path, read_save_bytes(path))))
