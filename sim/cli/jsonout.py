"""Strict JSON for ``--json`` output: non-finite numbers become ``null`` with a note on stderr."""

from __future__ import annotations

import json
import math
import sys
from typing import Any


def _finite(value: Any, replaced: list[int]) -> Any:
    """``value`` with every NaN or infinity (Python or numpy float) replaced by None."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        replaced.append(1)
        return None
    if isinstance(value, dict):
        return {key: _finite(item, replaced) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item, replaced) for item in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps`` that never writes ``NaN`` or ``Infinity`` (not JSON): they become ``null``.

    When any number was replaced, one line on stderr says how many, so a reader of the JSON
    knows that a ``null`` stands for an undefined value.
    """
    replaced: list[int] = []
    text = json.dumps(_finite(value, replaced), allow_nan=False, **options)
    if replaced:
        print(f"note: {len(replaced)} undefined numbers (NaN or infinite) are written as null", file=sys.stderr)
    return text
