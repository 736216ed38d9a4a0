"""Typed cause-and-effect sources: what credited a change (a rule, event, act, move, behaviour ...).

A :class:`Source` is the structured key of the cause-and-effect record and of a firing: code
reads its ``kind``, ``owner`` and ``id`` instead of parsing a label string. ``label`` is the
canonical text form (``rule:id``, ``event:id``, ``act:DPRK.id``, ``action:USA.id``,
``inject:id``, ``behaviour: USA hedging``, ``bounds`` ...) used in JSON output and stream names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SourceKind(StrEnum):
    """What kind of thing credited a change."""

    RULE = "rule"
    EVENT = "event"
    ACT = "act"
    ACTION = "action"
    INJECT = "inject"
    BEHAVIOUR = "behaviour"
    BOUNDS = "bounds"
    FACILITATOR = "facilitator"
    """A facilitator's direct adjustment of the state (``facilitator: set ROK.approval``)."""
    WEAKEST_LINK = "weakest link"
    """The part of the trilateral index's change due to a different pair becoming the weakest link."""
    ELECTION = "election"
    """An election in a government's domestic politics (a narrative entry, ``election:USA``)."""
    LEADER = "leader"
    """A scheduled change of leader (``leader:JPN.suga``): new traits, turnover and a honeymoon."""


TRIGGER_KINDS = frozenset({SourceKind.RULE, SourceKind.EVENT, SourceKind.ACT, SourceKind.ACTION, SourceKind.INJECT})
"""Kinds whose sources are compiled triggers (the rest are model behaviours and clipping)."""


@dataclass(frozen=True, slots=True)
class Source:
    """One cause: its kind, its owner (a government or threat actor code, or ``""``) and its id.

    For a behaviour, ``id`` is the behaviour's description (``hedging``, ``domestic: noise``)
    and ``owner`` the government or actor it belongs to, if any.
    """

    kind: SourceKind
    id: str = ""
    owner: str = ""

    @property
    def label(self) -> str:
        """The canonical text form, e.g. ``act:DPRK.missile_test`` or ``behaviour: USA hedging``."""
        kind = self.kind
        if kind is SourceKind.BOUNDS:
            return "bounds"
        if kind is SourceKind.WEAKEST_LINK:
            return "weakest link changed"
        if kind is SourceKind.BEHAVIOUR:
            return f"behaviour: {self.bare_label}"
        if kind is SourceKind.FACILITATOR:
            return f"facilitator: {self.id}"
        if kind is SourceKind.ELECTION:
            return f"election:{self.owner}"
        return f"{kind.value}:{self.owner + '.' if self.owner else ''}{self.id}"

    @property
    def bare_label(self) -> str:
        """The label as the text reports print it: a behaviour without its prefix (``USA hedging``)."""
        if self.kind is SourceKind.BEHAVIOUR:
            return f"{self.owner} {self.id}" if self.owner else self.id
        return self.label

    def __str__(self) -> str:
        return self.label


BOUNDS = Source(SourceKind.BOUNDS)
"""Changes lost (or gained) to clipping at a variable's bounds."""


WEAKEST_LINK = Source(SourceKind.WEAKEST_LINK)
"""The part of the index's change due to a different pair becoming the weakest link."""


def behaviour(description: str, owner: str = "") -> Source:
    """The source of a built-in behaviour term, e.g. ``behaviour("hedging", "USA")``."""
    return Source(SourceKind.BEHAVIOUR, description, owner)


def facilitator(description: str) -> Source:
    """A facilitator's direct adjustment, e.g. ``facilitator("set ROK.approval")``."""
    return Source(SourceKind.FACILITATOR, description)


def election(government: str) -> Source:
    """The narrative entry of an election in ``government``."""
    return Source(SourceKind.ELECTION, owner=government)


def leader(government: str, ident: str) -> Source:
    """A scheduled change of leader in ``government`` to the leader ``ident`` (``leader:JPN.suga``)."""
    return Source(SourceKind.LEADER, ident, government)
