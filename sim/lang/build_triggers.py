"""Building a scenario's triggers and plans: rules, events, threat acts, action cards, scripts, objectives.

Each builder reads one section of the validated spec and returns its compiled form; disabled
items are left out. Expressions are compiled by the :class:`~sim.lang.compiler.Compiler`, which
records their problems. Unknown names are skipped here; :mod:`sim.lang.checks` reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.engine.layout import GOVERNMENTS, PHASES, THREAT_ACTORS
from sim.engine.rng import stream_id
from sim.engine.sources import SourceKind
from sim.lang import calendar, schema
from sim.lang.build_state import by_name
from sim.lang.compiled import Act, Card, Event, Injection, Rule
from sim.lang.compiler import Compiler, trigger_site


def build_rules(compiler: Compiler, spec: schema.ScenarioSpec) -> dict[str, list[Rule]]:
    """The enabled rules, by phase (every phase present)."""
    rows = compiler.layout.rows
    rules: dict[str, list[Rule]] = {phase: [] for phase in PHASES}
    for i, r in enumerate(spec.rules):
        if not r.disabled:
            fields = compiler.trigger_fields(SourceKind.RULE, r, ("rules", i))
            rules[r.phase].append(Rule(phase=r.phase, counter_row=rows.get(f"fired.{r.id}"), **fields))
    return rules


def _turn(quarter: str, start: tuple[int, int]) -> int | None:
    """The turn of a quarter label; None if malformed (:mod:`sim.lang.checks` reports it)."""
    try:
        return calendar.turn_of(quarter, start)
    except ValueError:
        return None


def build_events(compiler: Compiler, spec: schema.ScenarioSpec) -> list[Event]:
    """The enabled events, in file order."""
    rows = compiler.layout.rows
    start = calendar.parse_quarter(spec.start)
    events = []
    for i, e in enumerate(spec.events):
        if e.disabled:
            continue
        fields = compiler.trigger_fields(SourceKind.EVENT, e, ("events", i))
        at_turn = _turn(e.at, start) if e.at else None
        counter = rows.get(f"fired.{e.id}")
        events.append(Event(phase="events", counter_row=counter, at_turn=at_turn, once=e.once, **fields))
    return events


def build_acts(compiler: Compiler, spec: schema.ScenarioSpec) -> dict[str, list[Act]]:
    """The enabled threat acts, by actor (every actor present)."""
    rows = compiler.layout.rows
    acts: dict[str, list[Act]] = {actor: [] for actor in THREAT_ACTORS}
    for actor, threat in by_name(spec.threats).items():
        for i, act in enumerate(threat.acts):
            if act.disabled:
                continue
            loc = ("threats", actor, "acts", i)
            fields = compiler.trigger_fields(SourceKind.ACT, act, loc, owner=actor)
            site = trigger_site(SourceKind.ACT, act.id, actor)
            severity = compiler.severity(act.severity, (*loc, "severity"), f"{site}/severity")
            if severity is None:
                continue  # its problem is recorded
            flag_row = rows[f"{actor}.{act.id}"]
            acts[actor].append(Act(phase="threats", owner=actor, severity=severity, flag_row=flag_row, **fields))
    return acts


def build_cards(compiler: Compiler, spec: schema.ScenarioSpec) -> dict[str, list[Card]]:
    """The enabled action cards, by government (every government present)."""
    rows = compiler.layout.rows
    cards: dict[str, list[Card]] = {gov: [] for gov in GOVERNMENTS}
    for gov, items in by_name(spec.actions).items():
        for i, card in enumerate(items):
            if card.disabled:
                continue
            fields = compiler.trigger_fields(SourceKind.ACTION, card, ("actions", gov, i), owner=gov)
            cards[gov].append(
                Card(
                    phase="decisions",
                    counter_row=rows.get(f"played.{gov}.{card.id}"),
                    owner=gov,
                    cost=card.cost,
                    stance=card.stance,
                    doc=card.doc,
                    **fields,
                )
            )
    return cards


def build_scripts(spec: schema.ScenarioSpec) -> dict[str, dict[int, tuple[str, ...]]]:
    """Per government, the cards its script plays at each turn (whatever its computer strategy)."""
    start = calendar.parse_quarter(spec.start)
    scripts: dict[str, dict[int, tuple[str, ...]]] = {}
    governments = by_name(spec.governments)
    for gov in GOVERNMENTS:
        script: dict[int, tuple[str, ...]] = {}
        for quarter, chosen in governments[gov].script.items():
            turn = _turn(quarter, start)
            if turn is not None:
                script[turn] = tuple(chosen)
        scripts[gov] = script
    return scripts


def build_objectives(rows: Mapping[str, int], spec: schema.ScenarioSpec) -> dict[str, tuple[tuple[str, float], ...]]:
    """Per government, its weighted objective indicators that exist (every government present)."""
    objectives = by_name(spec.objectives)
    return {
        gov: tuple((term.indicator, term.weight) for term in objectives.get(gov, []) if term.indicator in rows)
        for gov in GOVERNMENTS
    }


def build_injection(
    compiler: Compiler, ident: str, title: str, say: str, effects: Mapping[str, Any], source: str
) -> Injection:
    """A facilitator's custom event with the given effects (``{target: expression}``)."""
    site = trigger_site(SourceKind.INJECT, ident)
    return Injection(
        id=ident,
        title=title or ident,
        phase="events",
        when=None,
        chance=None,
        effects=compiler.effects(effects, (), site),
        say=say,
        source=source,
        stream=stream_id(site),
    )
