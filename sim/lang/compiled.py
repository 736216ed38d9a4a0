"""Compiled triggers: what the engine runs for a scenario's rules, events, threat acts and cards.

Every kind shares :class:`Trigger` (id, title, phase, condition, chance, effects, narrative,
essay citation, random stream, fired counter); each subclass carries only its own fields:
:class:`Rule` none, :class:`Event` its schedule, :class:`Act` its actor, severity and flag row,
:class:`Card` its government, cost, stance and doc; an :class:`Injection` is a facilitator's
custom :class:`Event`. :attr:`Trigger.cause` is the typed cause-and-effect key
(:class:`sim.engine.sources.Source`); :attr:`Trigger.label` its text form (``act:DPRK.id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from sim.engine.sources import Source, SourceKind
from sim.lang.expr import Expression


@dataclass(frozen=True)
class PlainWords:
    """An author's plain-language text for a trigger (``plain:``): its effects and its condition.

    Either may be empty; the generated sentence is shown for that part.
    """

    effects: str = ""
    when: str = ""


@dataclass(frozen=True)
class Effect:
    """One compiled effect: add to (or set) the rows of ``target``."""

    target: str
    rows: slice
    op: str
    value: Expression


@dataclass(frozen=True, kw_only=True)
class Trigger:
    """What every compiled rule, event, threat act, action card and injection has.

    Attributes:
        id: the id in the scenario file.
        title: the display title (the id with spaces if the file gives none).
        phase: the phase of the turn it runs in.
        when: the condition, or None (always).
        chance: the probability of firing where the condition holds, or None (certain).
        effects: the compiled effects, applied in file order.
        say: the narrative text.
        source: the essay (or record) it cites, as written in the file.
        stream: the random stream of its chance draw (derived from :attr:`label`).
        counter_row: the state row counting its firings (``fired.ID``, ``played.GOV.ID``), if any.
        plain: the author's plain-language text for its effects and condition, if given.
    """

    kind: ClassVar[SourceKind]

    id: str
    title: str
    phase: str
    when: Expression | None
    chance: Expression | None
    effects: tuple[Effect, ...]
    say: str
    source: str
    stream: int
    counter_row: int | None = None
    plain: PlainWords | None = None

    @property
    def owner(self) -> str:
        """The government or threat actor it belongs to (``""``: the scenario's own)."""
        return ""

    @property
    def once(self) -> bool:
        """Whether it fires at most once per world (only events may say so)."""
        return False

    @cached_property
    def cause(self) -> Source:
        """The typed cause-and-effect key: kind, owner and id (made once: every firing's record reads it)."""
        return Source(self.kind, self.id, self.owner)

    @property
    def label(self) -> str:
        """The cause-and-effect label: ``rule:id``, ``event:id``, ``act:DPRK.id``, ``action:USA.id``."""
        return self.cause.label


@dataclass(frozen=True, kw_only=True)
class Rule(Trigger):
    """A scenario rule: in its phase, where ``when`` holds, with probability ``chance``."""

    kind: ClassVar[SourceKind] = SourceKind.RULE


@dataclass(frozen=True, kw_only=True)
class Event(Trigger):
    """A scheduled (``at_turn``) or conditional/stochastic event of the events phase."""

    kind: ClassVar[SourceKind] = SourceKind.EVENT

    at_turn: int | None = None
    once: bool = True


@dataclass(frozen=True, kw_only=True)
class Act(Trigger):
    """Something a threat actor (``owner``) may do in the threats phase."""

    kind: ClassVar[SourceKind] = SourceKind.ACT

    owner: str = ""  # (a class-level value, so that it overrides the base's read-only property)
    severity: Expression
    flag_row: int

    def intensity(self, x: np.ndarray, p: list[Any], c: list[Any], r: Any) -> float | np.ndarray:
        """This turn's severity per world: the expression clipped to [0, 1] (NaN counts as 0).

        A constant severity is returned as that number, so it costs nothing per turn.
        """
        if self.severity.constant is not None:
            return min(max(self.severity.constant, 0.0), 1.0)
        value = np.asarray(self.severity(x, p, c, r), dtype=np.float64)
        return np.clip(np.nan_to_num(value, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)


@dataclass(frozen=True, kw_only=True)
class Card(Trigger):
    """An action card a government (``owner``) can play in the decisions phase."""

    kind: ClassVar[SourceKind] = SourceKind.ACTION

    owner: str = ""  # (a class-level value, so that it overrides the base's read-only property)
    cost: float
    stance: str = "neutral"
    doc: str = ""


@dataclass(frozen=True, kw_only=True)
class Injection(Event):
    """A custom event a facilitator injects during play (unscheduled, not limited to once)."""

    kind: ClassVar[SourceKind] = SourceKind.INJECT

    once: bool = False
