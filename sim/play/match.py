"""The game as the screens see it: a thin layer over :class:`sim.play.session.GameSession`.

Every change to a game goes through the session (``submit``, ``resolve``, ``inject_event``,
``inject_custom``, ``set_parameter``, ``set_state``, ``note``, ``undo``, ``branch``, ``end``), so
it is logged, autosaved and shown in the report. This module adds only what screens need to
read: names, values at any turn, the story's feed, readable causes from the model's
cause-and-effect record, turning points and scores. It never writes to the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim.engine import indicators, sources
from sim.engine.explain import leader_label
from sim.engine.indicators import EXPLAINED, HEADLINE
from sim.engine.layout import GOVERNMENTS, PAIRS, THREAT_ACTORS
from sim.engine.scoring import objective_scores
from sim.engine.sources import Source, SourceKind
from sim.engine.triggers import Firing
from sim.lang.scenario import Card, Scenario, Trigger, load_scenario
from sim.lang.schema import GovernmentSpec
from sim.play import plain
from sim.play.commands import Custom, FacilitatorAction, Inject
from sim.play.fairscore import FairScore, fair_scores
from sim.play.plain_names import plain_cause, source_line
from sim.play.session import GameSession, GameSettings

DEFAULT_SAVES = Path.home() / ".trilat" / "saves"
THREAT_NAMES = {"DPRK": "North Korea", "CHN": "China", "RUS": "Russia"}
GOV_CITIES = {"USA": "Washington", "ROK": "Seoul", "JPN": "Tokyo"}


def label(name: str) -> str:
    """A readable label for an indicator (``tie.ROK_JPN`` -> ``ROK-JPN tie``)."""
    if name.startswith("tie.") and name.count(".") == 2:
        _, pair, domain = name.split(".")
        return f"{pair.replace('_', '-')} {domain}"
    out = indicators.label(name)
    if out == name and "." in name:
        who, var = name.split(".", 1)
        return f"{who} {var.replace('_', ' ')}"
    return out


def autosave_path(saves_dir: Path, scenario_id: str, when: datetime | None = None) -> Path:
    """``<saves>/<scenario>-<YYYYmmdd-HHMMSS>.json``."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path(saves_dir) / f"{scenario_id}-{stamp}.json"


@dataclass(frozen=True)
class TurningPoint:
    """A large change of the trilateral index or a tie, with its top causes."""

    turn: int
    quarter: str
    indicator: str
    change: float
    causes: list[tuple[str, float]]


class Match:
    """One game in the window: the session, the facilitator's pause, and read helpers.

    Args:
        session: the game session (its autosave path, if any, is kept up to date).
    """

    def __init__(self, session: GameSession) -> None:
        self.session = session
        self.paused = False
        self.revision = 0
        self._fair: tuple[tuple[int, int, int], dict[str, FairScore]] | None = None
        self._explain: dict[tuple[int, int], dict[str, Any]] = {}
        self._labels: dict[Source, str] = _trigger_labels(session.scenario)

    @classmethod
    def start(cls, settings: GameSettings, scenario: Scenario | None = None, saves_dir: Path | None = None) -> Match:
        """A new game; with ``saves_dir`` it autosaves to ``<saves>/<scenario>-<timestamp>.json``."""
        scenario = scenario or load_scenario(settings.scenario)
        autosave = autosave_path(saves_dir, scenario.id) if saves_dir is not None else None
        return cls(GameSession(settings, scenario, autosave=autosave))

    # ------------------------------------------------------------------ basics

    @property
    def scenario(self) -> Scenario:
        """The scenario being played."""
        return self.session.scenario

    @property
    def settings(self) -> GameSettings:
        """How the game was set up."""
        return self.session.settings

    @property
    def story(self) -> Any:
        """The story model (replication 0): read only."""
        return self.session.story

    @property
    def turn(self) -> int:
        """Turns resolved so far."""
        return self.session.turn

    @property
    def turns(self) -> int:
        """Turns in the game."""
        return self.session.turns

    @property
    def finished(self) -> bool:
        """Whether the game is over."""
        return self.session.finished

    def quarter(self, turn: int) -> str:
        """``2025Q3`` for a 1-based turn; ``start`` for turn 0."""
        return self.scenario.quarter_label(turn) if turn >= 1 else "start"

    def changed(self) -> None:
        """Forget cached explanations after anything changed the game."""
        self.revision += 1
        self._explain.clear()

    def autosave(self) -> None:
        """Write the autosave now (between turns: submitted moves and facilitator commands)."""
        if self.session.autosave_path is not None:
            self.session.save(self.session.autosave_path)

    # ------------------------------------------------------------------ names

    def gov_title(self, gov: str) -> str:
        """The government's name in the scenario (``Republic of Korea``)."""
        spec = self._government(gov)
        return (spec.name if spec is not None else "") or gov

    def _government(self, gov: str) -> GovernmentSpec | None:
        """The scenario's specification of a government (``None`` for an unknown code)."""
        return next((spec for code, spec in self.scenario.spec.governments.items() if code == gov), None)

    def team_name(self, gov: str) -> str:
        """The team's chosen name, else the government's."""
        return self.settings.team_names.get(gov) or self.gov_title(gov)

    def is_human(self, gov: str) -> bool:
        """Whether a human team plays ``gov``."""
        return self.settings.controller(gov) == "human"

    def controller_label(self, gov: str) -> str:
        """``human team`` or ``computer: <strategy>``."""
        if self.is_human(gov):
            return "human team"
        spec = self._government(gov)
        strategy = self.settings.controller(gov) or (spec.strategy if spec is not None else "")
        return f"computer: {strategy}"

    def camp(self, gov: str, turn: int | None = None) -> str:
        """Who is in power: the camp's label (``America First``), led by the named leader if any.

        A scenario with named leaders (``history-2013``) shows ``Shinzo Abe (LDP conservatives)``
        for the current turn; past turns keep only the camp (the leader row is not recorded).
        """
        value = self.value(f"{gov}.camp", turn)
        names = self.scenario.camp_names[gov]
        name = names[min(len(names) - 1, max(0, round(value)))]
        spec = self._government(gov)
        profile = spec.camps.get(name) if spec is not None else None
        camp = (profile.label if profile is not None else "") or name.replace("_", " ")
        table = self.scenario.leaders.get(gov)
        if table is None or (turn is not None and turn != self.story.turn):
            return camp
        index = round(self.value(f"{gov}.leader"))
        return f"{table.labels[index]} ({camp})" if 0 <= index < len(table.labels) else camp

    def doc(self, name: str) -> str:
        """What an indicator means (from the model's variable documentation)."""
        layout = self.scenario.layout
        return layout.docs.get(name, "")

    def source_label(self, source: Source) -> str:
        """A readable name for a cause in the cause-and-effect record."""
        if source.kind is SourceKind.BEHAVIOUR:
            return plain_cause(source.id, source.owner)
        if source in self._labels:
            return self._labels[source]
        if source.kind is SourceKind.INJECT:
            for entry in self.session.log:
                if isinstance(entry, Custom) and entry.id == source.id:
                    return f"white cell: {entry.title}"
            titles = {event.id: event.title for event in self.scenario.events if event.title}
            return f"white cell: {titles.get(source.id, source.id)}"
        return source.label

    def essay(self, author: str) -> str:
        """What a source rests on, honestly (see :func:`sim.play.plain_names.source_line`).

        ``Chung, <title>`` for Chung's essay (the one essay whose text is in the repository);
        ``after Sato's related work, as Trilat reads it (not a quotation)`` for any other author;
        a public-record source as written.
        """
        return source_line(author, [(ref.author, ref.title) for ref in self.scenario.spec.sources])

    # ------------------------------------------------------------------ values

    def value(self, name: str, turn: int | None = None) -> float:
        """An indicator (or, for the current turn, any state variable) in the story."""
        story = self.story
        if turn is None or turn == story.turn:
            return float(story.x[self.scenario.layout.rows[name]][0])
        return float(story.history[turn][name][0])

    def capital(self, gov: str) -> float:
        """Political capital the government has to spend now."""
        return self.value(f"{gov}.capital")

    def capital_max(self) -> float:
        """The most political capital a government can bank."""
        return float(np.mean(self.story.params.get("capital_max", 5.0)))

    def fan(self, name: str) -> dict[str, list[float]]:
        """The story and the shadow worlds' percentiles per turn (see :meth:`GameSession.fan`)."""
        return self.session.fan(name)

    def parameter(self, name: str) -> float:
        """A parameter's current value in the story."""
        return float(np.mean(self.story.params[name]))

    # ------------------------------------------------------------------ cards and moves

    def cards(self, gov: str) -> list[Card]:
        """The government's action cards."""
        return list(self.scenario.actions.get(gov, ()))

    def card(self, gov: str, ident: str) -> Card:
        """One card by id."""
        return next(card for card in self.cards(gov) if card.id == ident)

    def hand_cost(self, gov: str, ids: Iterable[str]) -> float:
        """Political capital a hand of cards costs."""
        costs = {card.id: card.cost for card in self.cards(gov)}
        return float(sum(costs[i] for i in ids))

    def card_effects(self, card: Trigger) -> list[str]:
        """The card's effects as plain sentences (``Strengthens the Seoul-Tokyo security tie a little (+4)``).

        Expression-valued effects are evaluated on the story's current state; the author's
        ``plain:`` text replaces the generated sentences when the scenario gives one.
        """
        return plain.effects_text(card, self.scenario, card.owner or None, self.story)

    def card_effects_brief(self, card: Trigger) -> list[str]:
        """The card's effects in a few words each (``+4 Seoul-Tokyo deterrence tie``), for crowded cards."""
        return plain.briefs_text(card, self.scenario, card.owner or None, self.story)

    def condition(self, card: Trigger) -> tuple[str, bool | None]:
        """The card's condition as a sentence and whether it holds now (None: cannot tell before the turn)."""
        if card.when is None:
            return "", None
        text = plain.when_text(card, self.scenario, card.owner or None)
        if card.when.random:
            return text, None
        story = self.story
        try:
            holds = bool(np.asarray(card.when(story.x, story.p, story.context, story.draws)).reshape(-1)[0])
        except Exception:  # noqa: BLE001 - a hint only; the engine decides at resolution
            return text, None
        return text, holds

    def waiting(self) -> list[str]:
        """Human teams still to move this turn."""
        return self.session.waiting_for()

    def submitted(self) -> dict[str, list[str]]:
        """Moves submitted for the coming turn."""
        return self.session.submitted()

    def submit(self, gov: str, cards: Iterable[str]) -> None:
        """A team's secret move (checked against its political capital), then autosave."""
        self.session.submit(gov, list(cards))
        self.changed()
        self.autosave()

    def resolve(self) -> list[Firing]:
        """Resolve the coming turn (computers choose by strategy); the story's entries, in order."""
        firings = self.session.resolve()
        self.changed()
        return [f for f in firings if f.in_story]

    # ------------------------------------------------------------------ the story

    def feed(self, turn: int) -> list[Firing]:
        """What happened in the story in ``turn``, in the order it happened."""
        return [f for f in self.story.log if f.turn == turn and f.in_story]

    def explain(self, turn: int) -> dict[str, Any]:
        """``story.explain(turn)``, cached until the game changes."""
        key = (id(self.story), turn)
        if key not in self._explain:
            self._explain[key] = self.story.explain(turn)
        return self._explain[key]

    def why(self, name: str, turn: int) -> tuple[float, list[tuple[str, float]]]:
        """The change of ``name`` in ``turn`` and its causes (readable labels), largest first."""
        if turn < 1 or turn > self.turn or name not in EXPLAINED:
            return 0.0, []
        info = self.explain(turn)[name]
        return float(info["total"]), [(self.source_label(s), float(v)) for s, v in info["parts"]]

    def turning_points(self, count: int = 5, causes: int = 3) -> list[TurningPoint]:
        """The largest one-turn changes of the trilateral index and the three ties, with top causes."""
        points = []
        history = self.story.history
        for turn in range(1, self.turn + 1):
            for name in ("trilateral", *(f"tie.{p}" for p in PAIRS)):
                change = float(history[turn][name][0] - history[turn - 1][name][0])
                points.append((abs(change), turn, name, change))
        points.sort(key=lambda p: (-p[0], p[1]))
        out = []
        for _, turn, name, change in points[:count]:
            _, parts = self.why(name, turn)
            out.append(TurningPoint(turn, self.quarter(turn), name, change, parts[:causes]))
        return out

    def scores(self) -> dict[str, float]:
        """Each team's objective score in the story (100 x weighted change of its objectives)."""
        return {gov: float(values[0]) for gov, values in objective_scores(self.story).items()}

    def fair_scores(self) -> dict[str, FairScore]:
        """Each team's raw change and contribution (see :mod:`sim.play.fairscore`), cached until the game changes."""
        key = (id(self.session), self.revision, len(self.session.log))
        if self._fair is None or self._fair[0] != key:
            self._fair = (key, fair_scores(self.session))
        return self._fair[1]

    def shadow_scores(self) -> dict[str, tuple[float, float]]:
        """Each team's score range (25th-75th percentile) over the shadow worlds, if any."""
        shadows = self.session.shadows
        if shadows is None:
            return {}
        return {
            gov: (float(np.percentile(values, 25)), float(np.percentile(values, 75)))
            for gov, values in objective_scores(shadows).items()
        }

    # ------------------------------------------------------------------ the facilitator

    def pending(self) -> list[Inject | Custom]:
        """Facilitator commands queued for the coming turn (injections and custom events)."""
        return [e for e in self.session.log if e.turn == self.turn and isinstance(e, Inject | Custom)]

    def pending_titles(self) -> list[str]:
        """What is queued for the coming turn: injected events' ids and custom events' titles."""
        return [e.title if isinstance(e, Custom) else e.event for e in self.pending()]

    def inject_event(self, event_id: str) -> None:
        """Make a scenario event happen in the coming turn."""
        self.session.inject_event(event_id)
        self._after_command()

    def inject_custom(self, title: str, say: str, effects: Mapping[str, float]) -> None:
        """A custom event in the coming turn."""
        self.session.inject_custom(title, say, effects)
        self._after_command()

    def set_parameter(self, name: str, value: float) -> None:
        """Change a scenario parameter from now on."""
        self.session.set_parameter(name, value)
        self._after_command()

    def set_state(self, name: str, value: float) -> None:
        """Set a state variable in every world."""
        self.session.set_state(name, value)
        self._after_command()

    def note(self, text: str) -> None:
        """A note for the report."""
        self.session.note(text)
        self._after_command()

    def set_paused(self, paused: bool) -> None:
        """Pause or resume the game (logged as a facilitator note)."""
        if paused == self.paused:
            return
        self.paused = paused
        self.session.note("facilitator paused the game" if paused else "facilitator resumed the game")
        self._after_command()

    def undo(self) -> int:
        """Undo the last resolved turn; returns the turn to be played next."""
        next_turn = self.session.undo()
        self.changed()
        return next_turn

    def branch(self, turn: int) -> None:
        """Continue from the end of ``turn`` in a new game ("what if"), autosaved beside the old one."""
        old = self.session.autosave_path
        path = None
        if old is not None:
            path = old.with_name(f"{old.stem.split('-branch')[0]}-branch-t{turn}-{datetime.now():%H%M%S}.json")
        self.session = self.session.branch(turn, autosave=path)
        self.changed()
        self.autosave()

    def end(self) -> None:
        """End the game now."""
        self.session.end()
        self.changed()

    def reopen(self) -> None:
        """Take back an early end: play continues from the next turn."""
        self.session.reopen()
        self.changed()

    def apply_preset(self, ident: str) -> None:
        """Apply one of the scenario's named presets (one logged action)."""
        self.session.apply_preset(ident)
        self._after_command()

    def facilitator_actions(self) -> list[FacilitatorAction]:
        """Every facilitator action so far (for the console's log)."""
        return self.session.facilitator_actions()

    def _after_command(self) -> None:
        self.changed()
        self.autosave()


def _trigger_labels(scenario: Scenario) -> dict[Source, str]:
    labels: dict[Source, str] = {}
    for rules in scenario.rules.values():
        for rule in rules:
            labels[rule.cause] = f"rule: {rule.title or rule.id}"
    for event in scenario.events:
        labels[event.cause] = f"event: {event.title or event.id}"
    for actor, acts in scenario.acts.items():
        for act in acts:
            labels[act.cause] = f"{THREAT_NAMES.get(actor, actor)}: {act.title or act.id}"
    for gov, cards in scenario.actions.items():
        for card in cards:
            labels[card.cause] = f"{gov} move: {card.title or card.id}"
    for gov in GOVERNMENTS:
        labels[sources.election(gov)] = f"{gov} election"
    for gov, table in scenario.leaders.items():
        for ident in table.names:
            labels[sources.leader(gov, ident)] = f"{gov} leader: {leader_label(scenario, gov, ident)}"
    return labels


def firing_kind(firing: Firing) -> SourceKind:
    """``event``, ``act``, ``action``, ``rule``, ``election`` or ``inject``."""
    return firing.source.kind


__all__ = [
    "DEFAULT_SAVES",
    "GOVERNMENTS",
    "HEADLINE",
    "Match",
    "PAIRS",
    "THREAT_ACTORS",
    "TurningPoint",
    "autosave_path",
    "firing_kind",
    "label",
]
