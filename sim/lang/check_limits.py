"""Declared limits on the size of a scenario: events, rules, threat acts and cards, checked before compiling.

A scenario is untrusted text, and an ``extends:`` chain can add items file after file, so the
merged scenario's lists are counted against the limits in :mod:`sim.engine.limits` before any
expression is compiled. Each problem is located at the first item past the limit and names the
limit (``scenario has 5,001 events; at most 2,000 are allowed``). The limit on the expression
graph is kept by :class:`~sim.lang.compiler.Compiler` while it compiles.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.engine.limits import (
    MAX_CARDS,
    MAX_CARDS_PER_GOVERNMENT,
    MAX_EVENTS,
    MAX_RULES,
    MAX_RULES_PER_PHASE,
    MAX_THREAT_ACTS,
)
from sim.lang import schema
from sim.lang.diagnostics import Diagnostics

Located = tuple[tuple[object, ...], ...]
"""The places of a list's items in the merged tree, in order."""


def _limit(diagnostics: Diagnostics, places: Located, limit: int, what: str, owner: str = "scenario") -> None:
    """Record one problem at the first of ``places`` past ``limit``."""
    if len(places) > limit:
        message = f"{owner} has {len(places):,} {what}; at most {limit:,} are allowed"
        diagnostics.at(places[limit], message, "limit")


def _places(*groups: Iterable[tuple[object, ...]]) -> Located:
    return tuple(place for group in groups for place in group)


def scenario_sizes(spec: schema.ScenarioSpec, diagnostics: Diagnostics) -> None:
    """Events, rules (in all and per phase), threat acts and cards (in all and per government) within their limits."""
    _limit(diagnostics, _places(("events", i) for i in range(len(spec.events))), MAX_EVENTS, "events")
    _limit(diagnostics, _places(("rules", i) for i in range(len(spec.rules))), MAX_RULES, "rules")
    phases: dict[str, list[tuple[object, ...]]] = {}
    for i, rule in enumerate(spec.rules):
        phases.setdefault(str(rule.phase), []).append(("rules", i))
    if len(spec.rules) <= MAX_RULES:
        for phase, in_phase in phases.items():
            _limit(diagnostics, tuple(in_phase), MAX_RULES_PER_PHASE, f"rules in phase '{phase}'")
    acts = _places(
        *((("threats", actor, "acts", i) for i in range(len(threat.acts))) for actor, threat in spec.threats.items())
    )
    _limit(diagnostics, acts, MAX_THREAT_ACTS, "threat acts (all actors together)")
    cards = _places(*((("actions", gov, i) for i in range(len(hand))) for gov, hand in spec.actions.items()))
    _limit(diagnostics, cards, MAX_CARDS, "cards (all governments together)")
    if len(cards) <= MAX_CARDS:
        for gov, hand in spec.actions.items():
            held = _places(("actions", gov, i) for i in range(len(hand)))
            _limit(diagnostics, held, MAX_CARDS_PER_GOVERNMENT, "cards", owner=f"government {gov}")
