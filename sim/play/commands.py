"""Game-session commands as typed records, and their one mapping to and from a save's JSON.

Everything that changes a game is a :class:`Command` in the session's log (a team's cards, an
injection, a parameter or state adjustment, the resolution of a turn, a note, the end). Undone
turns and branches are :class:`HistoryNote` records kept beside the log. Code reads their typed
fields; only :func:`command_to_json`/:func:`command_from_json` (and the note equivalents) know
the JSON shape, which is exactly the save format's: ``{"kind": ..., "turn": ..., <fields>}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar


class CommandKind(StrEnum):
    """What a log entry does (its ``"kind"`` in a save)."""

    CHOOSE = "choose"
    INJECT = "inject"
    CUSTOM = "custom"
    SET_PARAMETER = "set_parameter"
    SET_STATE = "set_state"
    RESOLVE = "resolve"
    NOTE = "note"
    END = "end"
    REOPEN = "reopen"
    PRESET = "preset"
    UNDO = "undo"
    BRANCH = "branch"


@dataclass(frozen=True)
class Command:
    """A command in a session's log, given before turn ``turn + 1`` is played."""

    KIND: ClassVar[CommandKind]
    FACILITATOR: ClassVar[bool] = False
    """Whether the report's facilitator log lists it."""

    turn: int

    @property
    def kind(self) -> CommandKind:
        """What the command does."""
        return self.KIND


@dataclass(frozen=True)
class Choose(Command):
    """A team's cards for the coming turn."""

    KIND = CommandKind.CHOOSE
    government: str
    cards: list[str]


@dataclass(frozen=True)
class Inject(Command):
    """The facilitator makes a scenario event happen in the coming turn."""

    KIND = CommandKind.INJECT
    FACILITATOR = True
    event: str


@dataclass(frozen=True)
class Custom(Command):
    """The facilitator's own event, with its effects and narrative, in the coming turn."""

    KIND = CommandKind.CUSTOM
    FACILITATOR = True
    id: str
    title: str
    say: str
    effects: dict[str, Any]


@dataclass(frozen=True)
class SetParameter(Command):
    """The facilitator changes a scenario parameter from now on."""

    KIND = CommandKind.SET_PARAMETER
    FACILITATOR = True
    name: str
    value: float


@dataclass(frozen=True)
class SetState(Command):
    """The facilitator sets a state variable in every world."""

    KIND = CommandKind.SET_STATE
    FACILITATOR = True
    name: str
    value: float


@dataclass(frozen=True)
class Resolve(Command):
    """Play the coming turn."""

    KIND = CommandKind.RESOLVE


@dataclass(frozen=True)
class Note(Command):
    """A facilitator's note for the report."""

    KIND = CommandKind.NOTE
    FACILITATOR = True
    text: str


@dataclass(frozen=True)
class End(Command):
    """The facilitator ends the game after turn ``turn``."""

    KIND = CommandKind.END
    FACILITATOR = True


@dataclass(frozen=True)
class Reopen(Command):
    """The facilitator reopens a game ended early after turn ``turn``: play continues."""

    KIND = CommandKind.REOPEN
    FACILITATOR = True


@dataclass(frozen=True)
class ApplyPreset(Command):
    """The facilitator applies one of the scenario's named presets (its parameter values, all at once)."""

    KIND = CommandKind.PRESET
    FACILITATOR = True
    name: str
    values: dict[str, float]


@dataclass(frozen=True)
class HistoryNote:
    """An undo or a branch: kept beside the log (never replayed) for the report."""

    KIND: ClassVar[CommandKind]
    turn: int
    at: str

    @property
    def kind(self) -> CommandKind:
        """``undo`` or ``branch``."""
        return self.KIND


@dataclass(frozen=True)
class Undo(HistoryNote):
    """Turn ``turn - 1`` was undone; ``dropped`` are the commands it discarded."""

    KIND = CommandKind.UNDO
    dropped: list[Command] = field(default_factory=list)


@dataclass(frozen=True)
class Branch(HistoryNote):
    """This game branched from the end of turn ``turn``."""

    KIND = CommandKind.BRANCH


COMMANDS: Mapping[CommandKind, type[Command]] = {
    cls.KIND: cls for cls in (Choose, Inject, Custom, SetParameter, SetState, Resolve, Note, End, Reopen, ApplyPreset)
}
"""Every kind of log command and its record type."""

COMMAND_KINDS: tuple[str, ...] = tuple(kind.value for kind in COMMANDS)
"""The ``"kind"`` values a save's log may hold."""

FacilitatorAction = Command | HistoryNote
"""An entry of the report's facilitator log."""


def _fields(record: Command | HistoryNote) -> dict[str, Any]:
    # Field order is the save's key order: turn first, then the kind's own fields.
    return {f.name: getattr(record, f.name) for f in fields(record)}


def command_to_json(command: Command) -> dict[str, Any]:
    """The save's JSON form of a command: ``{"kind": ..., "turn": ..., <fields>}``."""
    out: dict[str, Any] = {"kind": command.kind.value, **_fields(command)}
    if isinstance(command, Choose):
        out["cards"] = list(command.cards)
    elif isinstance(command, Custom):
        out["effects"] = dict(command.effects)
    elif isinstance(command, ApplyPreset):
        out["values"] = dict(command.values)
    return out


def command_from_json(data: Mapping[str, Any]) -> Command:
    """A command from its JSON form.

    Raises:
        ValueError: an unknown kind.
        KeyError: a field is missing.
        TypeError: ``data`` is not a mapping.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"a command must be an object, not {type(data).__name__}")
    kind = CommandKind(data["kind"])
    cls = COMMANDS.get(kind)
    if cls is None:
        raise ValueError(f"'{kind}' is not a log command")
    values = {f.name: data[f.name] for f in fields(cls)}
    if cls is Choose:
        values["cards"] = list(values["cards"])
    elif cls is Custom:
        values["effects"] = dict(values["effects"])
    elif cls is ApplyPreset:
        values["values"] = {str(k): float(v) for k, v in dict(values["values"]).items()}
    return cls(**values)


def note_to_json(note: HistoryNote) -> dict[str, Any]:
    """The save's JSON form of an undo or branch note."""
    if isinstance(note, Undo):
        return {
            "kind": note.kind.value,
            "turn": note.turn,
            "dropped": [command_to_json(c) for c in note.dropped],
            "at": note.at,
        }
    return {"kind": note.kind.value, "turn": note.turn, "at": note.at}


def note_from_json(data: Mapping[str, Any]) -> HistoryNote:
    """An undo or branch note from its JSON form (``KeyError``/``ValueError``/``TypeError`` if malformed)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"a history note must be an object, not {type(data).__name__}")
    kind = CommandKind(data["kind"])
    if kind is CommandKind.UNDO:
        return Undo(data["turn"], data["at"], [command_from_json(c) for c in data.get("dropped", [])])
    if kind is CommandKind.BRANCH:
        return Branch(data["turn"], data["at"])
    raise ValueError(f"'{kind}' is not an undo or branch note")
