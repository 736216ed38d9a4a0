"""One line per facilitator log entry, for the console's log (newest first)."""

from __future__ import annotations

from typing import Any

from ui.match import label
from ui.widgets import format_signed


def describe(entry: dict[str, Any]) -> str:
    """One line for a facilitator log entry."""
    kind = entry.get("kind")
    turn = entry.get("turn", "?")
    if kind == "inject":
        text = f"inject event {entry['event']}"
    elif kind == "custom":
        effects = ", ".join(
            f"{label(k)} {format_signed(float(v)) if isinstance(v, int | float) else v}"
            for k, v in entry.get("effects", {}).items()
        )
        text = f"custom event '{entry.get('title')}' ({effects})"
    elif kind == "set_parameter":
        text = f"parameter {entry['name']} = {entry['value']:g}"
    elif kind == "set_state":
        text = f"set {entry['name']} = {entry['value']:g}"
    elif kind == "note":
        text = f"note: {entry.get('text', '')}"
    elif kind == "end":
        text = "ended the game"
    elif kind == "undo":
        return f"undid turn {turn} (its moves and injections dropped)"
    elif kind == "branch":
        return f"branched from the end of turn {turn}"
    else:
        text = str(kind)
    return f"t{turn}: {text}"
