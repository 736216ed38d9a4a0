"""One line per facilitator log entry, for the console's log (newest first)."""

from __future__ import annotations

from sim.play.commands import Branch, Custom, End, FacilitatorAction, Inject, Note, SetParameter, SetState, Undo
from sim.play.match import label
from ui.widgets import format_signed


def describe(entry: FacilitatorAction) -> str:
    """One line for a facilitator log entry."""
    turn = entry.turn
    if isinstance(entry, Inject):
        text = f"inject event {entry.event}"
    elif isinstance(entry, Custom):
        effects = ", ".join(
            f"{label(k)} {format_signed(float(v)) if isinstance(v, int | float) else v}"
            for k, v in entry.effects.items()
        )
        text = f"custom event '{entry.title}' ({effects})"
    elif isinstance(entry, SetParameter):
        text = f"parameter {entry.name} = {entry.value:g}"
    elif isinstance(entry, SetState):
        text = f"set {entry.name} = {entry.value:g}"
    elif isinstance(entry, Note):
        text = f"note: {entry.text}"
    elif isinstance(entry, End):
        text = "ended the game"
    elif isinstance(entry, Undo):
        return f"undid turn {turn} (its moves and injections dropped)"
    elif isinstance(entry, Branch):
        return f"branched from the end of turn {turn}"
    else:
        text = str(entry.kind)
    return f"t{turn}: {text}"
