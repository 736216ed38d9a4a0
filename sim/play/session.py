"""A game session: the story, its shadow worlds, the teams' moves, the facilitator's log and saves.

The session is what the pygame game (and ``trilat report``/``replay``) drives. Everything that
changes a game (a team's cards, a facilitator's injection, a parameter or state adjustment, the
resolution of a turn) is a typed command (:mod:`sim.play.commands`) appended to ``log``. Because
the model is deterministic for a seed, replaying the log rebuilds the game bit for bit: that is
how autosaves resume, how undo works (replay without the last turn) and how a facilitator
branches from an earlier turn.

The story is replication 0, run on its own so its cause-and-effect record is exact; the shadow
worlds are replications 1..N under the same moves, drawn as a fan of possible futures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from sim.atomic import atomic_write
from sim.engine.layout import GOVERNMENTS
from sim.engine.model import INDICATORS, TrilateralModel
from sim.engine.triggers import Firing
from sim.errors import TrilatError, UsageError, did_you_mean
from sim.lang.scenario import Scenario, load_scenario
from sim.play.commands import (
    ApplyPreset,
    Branch,
    Choose,
    Command,
    Custom,
    End,
    FacilitatorAction,
    HistoryNote,
    Inject,
    Note,
    Reopen,
    Resolve,
    SetParameter,
    SetState,
    Undo,
    command_from_json,
    command_to_json,
    note_from_json,
    note_to_json,
)
from sim.play.save_file import describe_errors, read_save
from sim.play.save_schema import SAVE_FORMAT, SAVE_VERSION, LogEntry, SavedSettings
from sim.play.saved_scenario import SaveError, saved_scenario

DEFAULT_SHADOWS = 300
FAN_PERCENTILES = (5, 25, 50, 75, 95)


@dataclass
class GameSettings:
    """How a game was set up (saved with it)."""

    scenario: str
    seed: int = 1
    turns: int | None = None
    shadows: int = DEFAULT_SHADOWS
    controllers: dict[str, str] = field(default_factory=dict)
    team_names: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, float] = field(default_factory=dict)
    story_replication: int = 0
    """Which replication is the story (0 for a game; run K of a sweep when replaying it)."""

    def controller(self, gov: str) -> str:
        """``human`` or the name of the computer strategy playing ``gov`` ('' = the scenario's)."""
        return self.controllers.get(gov, "")

    def humans(self) -> list[str]:
        """Governments played by human teams, in turn order."""
        return [g for g in GOVERNMENTS if self.controllers.get(g) == "human"]


def apply_command(model: TrilateralModel, command: Command, planned_turns: int) -> None:
    """Carry out one logged command on one model (the story, the shadow worlds or a counterfactual).

    Raises:
        SaveError: for a command kind this version does not know.
    """
    if isinstance(command, Choose):
        model.choose(command.government, command.cards)
    elif isinstance(command, Inject):
        model.inject(command.event)
    elif isinstance(command, Custom):
        model.inject(model.scenario.compile_injection(command.id, command.title, command.say, command.effects))
    elif isinstance(command, SetParameter):
        model.set_parameter(command.name, command.value)
    elif isinstance(command, ApplyPreset):
        for name, value in command.values.items():
            model.set_parameter(name, value)
    elif isinstance(command, SetState):
        model.set_state(command.name, command.value)
    elif isinstance(command, Resolve):
        model.step()
    elif isinstance(command, End):
        model.turns = model.turn
        model.running = False
    elif isinstance(command, Reopen):
        model.turns = planned_turns
        model.running = model.turn < model.turns
    elif not isinstance(command, Note):
        raise SaveError(f"unknown command '{command.kind}'")


class GameSession:
    """One game: settings, the story model, the shadow ensemble and the command log.

    Args:
        settings: scenario, seed, turns, number of shadow worlds, who plays each government.
        scenario: an already loaded scenario (else loaded from ``settings.scenario``).
        autosave: a path to write the save to after every resolved turn (atomically).
    """

    def __init__(self, settings: GameSettings, scenario: Scenario | None = None, autosave: Path | None = None):
        _check_settings(settings)
        self.settings = settings
        self.scenario = scenario or load_scenario(settings.scenario)
        self.autosave_path = Path(autosave) if autosave else None
        self.log: list[Command] = []
        self.history_notes: list[HistoryNote] = []  # undo/branch notes, kept out of the replay log
        self.notices: list[str] = []
        """Things the facilitator should know about this game (e.g. a changed library scenario)."""
        self._build()

    # ------------------------------------------------------------------ models

    def _build(self) -> None:
        settings = self.settings
        strategies = {g: c for g, c in settings.controllers.items() if c}
        story = settings.story_replication
        common = partial(
            TrilateralModel,
            self.scenario,
            seed=settings.seed,
            turns=settings.turns,
            strategies=strategies,
            parameters=settings.parameters,
        )
        self.story = common(replication_ids=[story])
        # Shadow worlds: the next replications after the story's.
        shadow_ids = np.arange(story + 1, story + 1 + settings.shadows)
        self.shadows = common(replication_ids=shadow_ids, record=False) if settings.shadows > 0 else None

    @property
    def models(self) -> list[TrilateralModel]:
        """The story, then the shadow ensemble (if any)."""
        return [m for m in (self.story, self.shadows) if m is not None]

    @property
    def turn(self) -> int:
        """Turns resolved so far."""
        return self.story.turn

    @property
    def turns(self) -> int:
        """Turns in this game."""
        return self.story.turns

    @property
    def finished(self) -> bool:
        """Whether every turn has been played (or the facilitator ended the game)."""
        return self.story.turn >= self.story.turns

    # ------------------------------------------------------------------ commands

    def _apply(self, command: Command) -> list[Firing]:
        firings: list[Firing] = []
        for model in self.models:
            before = len(model.log)
            apply_command(model, command, self.planned_turns)
            if isinstance(command, Resolve) and model is self.story:
                firings = model.log[before:]
        return firings

    def _do(self, command: Command) -> list[Firing]:
        _check_command(command)  # what a session accepts, its save can hold
        firings = self._apply(command)  # raises before anything is logged if the command is bad
        self.log.append(command)
        return firings

    def _require_open(self) -> None:
        if self.finished:
            raise UsageError("the game is over")

    def submit(self, government: str, cards: Iterable[str]) -> None:
        """A human team's secret move for the coming turn (replaces an earlier submission)."""
        self._require_open()
        if self.settings.controller(government) != "human":
            raise UsageError(f"{government} is played by the computer")
        cards = list(cards)
        self.affordable_check(government, cards)
        self.log = [
            e for e in self.log if not (isinstance(e, Choose) and e.turn == self.turn and e.government == government)
        ]
        self._do(Choose(self.turn, government, cards))

    def affordable_check(self, government: str, cards: list[str]) -> None:
        """Refuse a hand that costs more political capital than the story's government has."""
        known = {card.id: card for card in self.scenario.actions[government]}
        for ident in cards:
            if ident not in known:
                raise UsageError(f"unknown card '{ident}' for {government}{did_you_mean(ident, known)}")
        cost = sum(known[i].cost for i in cards)
        capital = float(self.story.governments[government].value("capital")[0])
        if cost > capital + 1e-9:
            raise UsageError(f"{government} has {capital:.1f} political capital; these cards cost {cost:g}")

    def submitted(self) -> dict[str, list[str]]:
        """Cards submitted for the coming turn, per human government."""
        return {e.government: e.cards for e in self.log if isinstance(e, Choose) and e.turn == self.turn}

    def waiting_for(self) -> list[str]:
        """Human governments that have not submitted their move for the coming turn."""
        done = self.submitted()
        return [g for g in self.settings.humans() if g not in done]

    def inject_event(self, event_id: str) -> None:
        """Facilitator: make a scenario event happen in the coming turn."""
        self._require_open()
        self._do(Inject(self.turn, event_id))

    def inject_custom(self, title: str, say: str, effects: Mapping[str, Any]) -> None:
        """Facilitator: a custom event with chosen effects and narrative, in the coming turn."""
        self._require_open()
        ident = f"custom_{sum(1 for e in self.log if isinstance(e, Custom)) + 1}"
        self._do(Custom(self.turn, ident, title, say, dict(effects)))

    def set_parameter(self, name: str, value: float) -> None:
        """Facilitator: change a scenario parameter from now on."""
        self._require_open()
        self._do(SetParameter(self.turn, name, _finite(f"parameter '{name}'", value)))

    def set_state(self, name: str, value: float) -> None:
        """Facilitator: set a state variable (e.g. ``ROK.approval``) in every world."""
        self._require_open()
        self._do(SetState(self.turn, name, _finite(f"'{name}'", value)))

    def note(self, text: str) -> None:
        """Facilitator: a note for the report."""
        self._do(Note(self.turn, text))

    def resolve(self) -> list[Firing]:
        """Play the coming turn with every submitted move; return what happened in the story."""
        self._require_open()
        firings = self._do(Resolve(self.turn))
        if self.autosave_path is not None:
            self.save(self.autosave_path)
        return firings

    def end(self) -> None:
        """Facilitator: end the game now (the debrief uses the turns played)."""
        self._do(End(self.turn))
        if self.autosave_path is not None:
            self.save(self.autosave_path)

    @property
    def planned_turns(self) -> int:
        """The turns the game was set up to last (whatever an early end did)."""
        return self.settings.turns or self.scenario.turns

    @property
    def ended_early(self) -> bool:
        """Whether the facilitator ended the game before its last turn (and has not reopened it)."""
        last = next((e for e in reversed(self.log) if isinstance(e, End | Reopen)), None)
        return isinstance(last, End) and self.turn < self.planned_turns

    def reopen(self) -> None:
        """Facilitator: take back "End the game now"; play continues from the next turn."""
        if not self.ended_early:
            raise UsageError("the game was not ended early, so there is nothing to reopen")
        self._do(Reopen(self.turn))
        if self.autosave_path is not None:
            self.save(self.autosave_path)

    def apply_preset(self, ident: str) -> None:
        """Facilitator: apply one of the scenario's named presets (one logged action)."""
        self._require_open()
        presets = self.scenario.spec.presets
        if ident not in presets:
            raise UsageError(f"no preset '{ident}' in this scenario{did_you_mean(ident, presets)}")
        self._do(ApplyPreset(self.turn, ident, dict(presets[ident].values)))

    # ------------------------------------------------------------------ undo, branch, replay

    def _replay(self, log: list[Command]) -> None:
        self._build()
        self.log = []
        for entry in log:
            self._apply(entry)
            self.log.append(entry)

    def undo(self) -> int:
        """Go back to just before the last resolved turn; its moves and injections are dropped.

        Returns the turn number that will be played next.
        """
        resolves = [e for e in self.log if isinstance(e, Resolve)]
        if not resolves:
            raise UsageError("no turn to undo")
        undone_turn = resolves[-1].turn
        keep = [e for e in self.log if e.turn < undone_turn]
        dropped = [e for e in self.log if e.turn >= undone_turn]
        self._replay(keep)
        self.history_notes.append(Undo(undone_turn + 1, _now(), dropped))
        if self.autosave_path is not None:
            self.save(self.autosave_path)
        return self.turn + 1

    def branch(self, turn: int, autosave: Path | None = None) -> GameSession:
        """A new session that replays this one up to the end of ``turn`` ("what if" from there)."""
        if not 0 <= turn <= self.turn:
            raise UsageError(f"can branch from turns 0 to {self.turn}, not {turn}")
        branch = GameSession(_copy_settings(self.settings), self.scenario, autosave=autosave)
        branch._replay([e for e in self.log if e.turn < turn])
        branch.history_notes = [*self.history_notes, Branch(turn, _now())]
        return branch

    def facilitator_actions(self) -> list[FacilitatorAction]:
        """Every facilitator action, in order, including undone ones and branches (for the report)."""
        actions: list[FacilitatorAction] = [e for e in self.log if e.FACILITATOR]
        placed = 0
        for note in self.history_notes:
            # An undo of turn t came after the commands kept (given before turn t) and before those
            # given since; a branch from the end of turn t likewise. Notes keep their own order.
            cut = note.turn - 1 if isinstance(note, Undo) else note.turn
            first_later = next(
                (i for i, a in enumerate(actions) if isinstance(a, Command) and a.turn >= cut), len(actions)
            )
            at = max(placed, first_later)
            actions.insert(at, note)
            placed = at + 1
        return actions

    # ------------------------------------------------------------------ fan of futures

    def fan(self, indicator: str) -> dict[str, list[float]]:
        """The story's values per turn, and percentiles over the shadow worlds (5, 25, 50, 75, 95)."""
        if indicator not in INDICATORS:
            raise UsageError(f"no history for '{indicator}'{did_you_mean(indicator, INDICATORS)}")
        out: dict[str, list[float]] = {"story": [float(h[indicator][0]) for h in self.story.history]}
        if self.shadows is not None:
            stacked = np.array([h[indicator] for h in self.shadows.history])
            for q, values in zip(FAN_PERCENTILES, np.percentile(stacked, FAN_PERCENTILES, axis=1), strict=True):
                out[f"p{q}"] = values.tolist()
        return out

    # ------------------------------------------------------------------ saving

    def to_json(self) -> dict[str, Any]:
        """The save: versioned, with the settings, the scenario's fingerprint and every command."""
        from sim import __version__

        return {
            "format": SAVE_FORMAT,
            "version": SAVE_VERSION,
            "trilat": __version__,
            "saved": _now(),
            "settings": asdict(self.settings),
            "scenario": {
                "id": self.scenario.id,
                "path": str(self.scenario.path),
                "content_hash": self.scenario.content_hash,
                "files": [
                    {"path": str(file), "text": text}
                    for file, text in zip(self.scenario.files, self.scenario.texts, strict=True)
                ],
            },
            "turn": self.turn,
            "log": [command_to_json(e) for e in self.log],
            "history_notes": [note_to_json(n) for n in self.history_notes],
        }

    def save(self, path: Path | str) -> Path:
        """Write the save atomically (a crash mid-write leaves the previous save intact)."""
        data = self.to_json()
        return atomic_write(path, lambda handle: json.dump(data, handle, indent=1))

    @classmethod
    def load(cls, path: Path | str, autosave: bool = True) -> GameSession:
        """Rebuild a game from its save by replaying its log; a bad save raises SaveError naming the file."""
        path = Path(path)
        save = read_save(path)  # validated in full (sim.play.save_schema) before any of it is used
        settings = GameSettings(**save.settings.model_dump())
        scenario, notices = saved_scenario(path, save.scenario)
        try:
            session = cls(settings, scenario, autosave=path if autosave else None)
        except TrilatError as exc:
            raise SaveError(f"{path}: the saved game cannot be set up: {exc}") from None
        except MemoryError:
            raise SaveError(f"{path}: not enough memory for {settings.shadows:,} shadow worlds") from None
        session.notices = notices
        try:
            session._replay([command_from_json(e.model_dump()) for e in save.log])
            session.history_notes = [note_from_json(n.model_dump()) for n in save.history_notes]
        except (TrilatError, KeyError, TypeError, ValueError) as exc:
            raise SaveError(f"{path}: damaged save (command log: {exc})") from None
        if session.turn != save.turn:
            raise SaveError(f"{path}: damaged save (replayed to turn {session.turn}, saved at {save.turn})")
        return session


def session_for_sweep_run(out_dir: Path | str, run_id: int, shadows: int = 100) -> GameSession:
    """A finished game whose story is run ``run_id`` of a sweep (same scenario, parameters, seed).

    The story is bit-identical to the sweep's stored run; the shadow worlds are the runs after
    it under the same parameters. Save it and open it with ``trilat replay``.
    """
    from sim.research.levers import run_settings
    from sim.research.sweep import locate_run, read_manifest
    from sim.research.sweep.manifest import ScenarioRecord
    from sim.research.sweep.provenance import recorded_scenario

    manifest = read_manifest(out_dir)
    row, entry, _ = locate_run(manifest, run_id)
    lever = run_settings(manifest["experiment"]["spec"], row, int(run_id), int(manifest["replications"]))
    if lever.bans or lever.script:  # a game's settings and saves hold no card bans or scripted moves yet
        raise UsageError(
            f"run {run_id}'s policy bans or scripts cards, which a replayed game cannot hold yet; "
            f"read its story with: trilat run --from-sweep {out_dir} --run {run_id}"
        )
    parameters = {
        **manifest["fixed"],
        **lever.parameters,
        **{name: float(row[name]) for name in manifest["parameters"]},
    }
    settings = GameSettings(
        scenario=str(recorded_scenario(out_dir, ScenarioRecord.from_json(entry)).path),  # stored texts if moved
        seed=manifest["seed"],
        turns=entry["turns"],
        shadows=shadows,
        parameters=parameters,
        story_replication=lever.replication_index,
        controllers=dict(lever.strategies),
    )
    session = GameSession(settings)
    if session.scenario.content_hash != entry["content_hash"]:
        raise SaveError(f"scenario '{entry['id']}' changed since the sweep; run {run_id} cannot be replayed exactly")
    while not session.finished:
        session.resolve()
    return session


_LOG_ENTRY: TypeAdapter[Any] = TypeAdapter(LogEntry)


def _check_settings(settings: GameSettings) -> None:
    """Refuse settings a save could not hold (the same bounds a save is read with)."""
    try:
        SavedSettings.model_validate(asdict(settings))
    except ValidationError as exc:
        raise UsageError(f"game settings: {describe_errors(exc)}") from None


def _check_command(command: Command) -> None:
    """Refuse a command a save could not hold (a note too long, a name not a name, a NaN)."""
    try:
        _LOG_ENTRY.validate_python(command_to_json(command))
    except ValidationError as exc:
        raise UsageError(describe_errors(exc)) from None


def _finite(what: str, value: Any) -> float:
    """``value`` as a finite float, else a UsageError naming ``what``."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise UsageError(f"{what} must be a finite number, got {number}")
    return number


def _copy_settings(settings: GameSettings) -> GameSettings:
    return GameSettings(**json.loads(json.dumps(asdict(settings))))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
