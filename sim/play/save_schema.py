"""The shape of a save file, as pydantic models: strict types, bounds on every number, string and list.

A save is untrusted input (it can be edited, cut short or handed over by someone else), so it is
validated in full before anything of it is used: the settings, the scenario record (with the
embedded texts of its ``extends:`` chain), the command log (a union of the command kinds of
:mod:`sim.play.commands`, told apart by ``kind``) and the undo and branch notes. Saves written
before the scenario texts were embedded (no ``files``) still validate.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.engine.limits import MAX_REPLICATION_ID, MAX_SHADOWS, MAX_TURNS
from sim.lang.yamlio import MAX_FILE_BYTES

SAVE_FORMAT = "trilat-save"
SAVE_VERSION = 1
MAX_SEED = 2**63 - 1
"""Largest seed (an experiment's seeds go this high, and a sweep's run can be replayed as a game)."""
MAX_LOG = 100_000
"""Most commands in a save's log (a long game with many facilitator actions has a few hundred)."""
MAX_CHAIN = 32
"""Most files in a saved scenario's ``extends:`` chain."""
MAX_TEAM_NAME = 100
MAX_NOTE = 20_000
MAX_TEXT = 5_000
MAX_PATH = 4_096
MAX_ENTRIES = 512
"""Most entries of a mapping in a save (parameters, a preset's values, a custom event's effects)."""

Government = Literal["USA", "ROK", "JPN"]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]
"""A card, event, parameter or preset name (as the scenario language spells them)."""
StateName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]*$", max_length=128)]
"""A state variable such as ``ROK.approval``."""
Controller = Annotated[str, Field(pattern=r"^([a-z][a-z0-9_]*)?$", max_length=64)]
"""``human``, a computer strategy's name, or '' for the scenario's own."""
Turn = Annotated[int, Field(ge=0, le=MAX_TURNS)]
Number = Annotated[float, Field(allow_inf_nan=False)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
PathText = Annotated[str, Field(min_length=1, max_length=MAX_PATH, pattern=r"^[^\x00]*$")]
Stamp = Annotated[str, Field(max_length=64, pattern=r"^[\x20-\x7e]*$")]
"""A version or a time stamp: printable ASCII."""
Name = Annotated[str, Field(max_length=MAX_TEAM_NAME, pattern=r"^[^\x00-\x1f\x7f]*$")]
"""A team's name: no control characters (no line breaks, no terminal escapes)."""
EffectValue = Number | Text
Effect = EffectValue | Annotated[dict[Literal["add", "set"], EffectValue], Field(min_length=1, max_length=1)]


class Strict(BaseModel):
    """Strict types (no ``"1"`` for 1, no ``true`` for 1), no unknown keys, read-only."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class SavedSettings(Strict):
    """How the game was set up (:class:`sim.play.session.GameSettings`)."""

    scenario: Annotated[str, Field(min_length=1, max_length=MAX_PATH, pattern=r"^[^\x00]*$")]
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 1
    turns: Annotated[int, Field(ge=1, le=MAX_TURNS)] | None = None
    shadows: Annotated[int, Field(ge=0, le=MAX_SHADOWS)] = 300
    controllers: dict[Government, Controller] = {}
    team_names: dict[Government, Name] = {}
    parameters: Annotated[dict[Identifier, Number], Field(max_length=MAX_ENTRIES)] = {}
    story_replication: Annotated[int, Field(ge=0, le=MAX_REPLICATION_ID)] = 0


class SavedFile(Strict):
    """One file of the scenario's ``extends:`` chain: where it was, and its text."""

    path: PathText
    text: Annotated[str, Field(max_length=MAX_FILE_BYTES)]


class SavedScenario(Strict):
    """The scenario the game was played with: its id, path, fingerprint and (since they are embedded) texts."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=64)]
    path: PathText
    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    files: Annotated[list[SavedFile], Field(min_length=1, max_length=MAX_CHAIN)] | None = None


class SavedCommand(Strict):
    """Every log command has a turn: it was given before turn ``turn + 1`` was played."""

    turn: Turn


class ChooseEntry(SavedCommand):
    kind: Literal["choose"]
    government: Government
    cards: Annotated[list[Identifier], Field(max_length=64)]


class InjectEntry(SavedCommand):
    kind: Literal["inject"]
    event: Identifier


class CustomEntry(SavedCommand):
    kind: Literal["custom"]
    id: Identifier
    title: Annotated[str, Field(max_length=200)]
    say: Text
    effects: Annotated[dict[StateName, Effect], Field(max_length=MAX_ENTRIES)]


class SetParameterEntry(SavedCommand):
    kind: Literal["set_parameter"]
    name: Identifier
    value: Number


class SetStateEntry(SavedCommand):
    kind: Literal["set_state"]
    name: StateName
    value: Number


class ResolveEntry(SavedCommand):
    kind: Literal["resolve"]


class NoteEntry(SavedCommand):
    kind: Literal["note"]
    text: Annotated[str, Field(max_length=MAX_NOTE)]


class EndEntry(SavedCommand):
    kind: Literal["end"]


class ReopenEntry(SavedCommand):
    kind: Literal["reopen"]


class PresetEntry(SavedCommand):
    kind: Literal["preset"]
    name: Identifier
    values: Annotated[dict[Identifier, Number], Field(max_length=MAX_ENTRIES)]


LogEntry = Annotated[
    ChooseEntry
    | InjectEntry
    | CustomEntry
    | SetParameterEntry
    | SetStateEntry
    | ResolveEntry
    | NoteEntry
    | EndEntry
    | ReopenEntry
    | PresetEntry,
    Field(discriminator="kind"),
]
"""One command of the log, told apart by its ``kind``."""


class UndoEntry(Strict):
    kind: Literal["undo"]
    turn: Turn
    at: Stamp
    dropped: Annotated[list[LogEntry], Field(max_length=MAX_LOG)] = []


class BranchEntry(Strict):
    kind: Literal["branch"]
    turn: Turn
    at: Stamp


HistoryEntry = Annotated[UndoEntry | BranchEntry, Field(discriminator="kind")]


class SaveModel(Strict):
    """A whole save file."""

    format: Literal["trilat-save"]
    version: Annotated[int, Field(ge=1, le=SAVE_VERSION)]
    trilat: Stamp = ""
    saved: Stamp = ""
    settings: SavedSettings
    scenario: SavedScenario
    turn: Turn
    log: Annotated[list[LogEntry], Field(max_length=MAX_LOG)]
    history_notes: Annotated[list[HistoryEntry], Field(max_length=MAX_LOG)] = []
