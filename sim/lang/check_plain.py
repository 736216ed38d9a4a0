"""Warnings where the generated plain-language text of a card, rule, event or act would be unreadable.

Students read every effect and condition as a generated sentence (:mod:`sim.play.plain`); an
expression that reads many variables or is long and nested cannot be phrased well. Where a
trigger has such an expression and its author gave no ``plain:`` text for that part, this check
warns at the expression's place in the file (``path:line:col: warning: ...``). Warnings never
stop a scenario from loading; ``trilat validate`` prints them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sim.errors import Problem
from sim.lang import checks
from sim.lang.compiled import Trigger
from sim.lang.diagnostics import Diagnostics
from sim.lang.loading import load_chain
from sim.lang.scenario import Scenario
from sim.lang.yamlio import Mark

CODE = "plain"
"""The problem code of these warnings."""


def _located(scenario: Scenario) -> Iterator[tuple[tuple[Any, ...], Trigger]]:
    """Every enabled trigger with its place in the file (the loc its builder used)."""
    spec = scenario.spec
    by_id: dict[tuple[str, str], Trigger] = {}
    for rules in scenario.rules.values():
        by_id.update({("rules", rule.id): rule for rule in rules})
    by_id.update({("events", event.id): event for event in scenario.events})
    for actor, acts in scenario.acts.items():
        by_id.update({(actor, act.id): act for act in acts})
    for gov, cards in scenario.actions.items():
        by_id.update({(gov, card.id): card for card in cards})
    for i, rule in enumerate(spec.rules):
        if ("rules", rule.id) in by_id:
            yield ("rules", i), by_id["rules", rule.id]
    for i, event in enumerate(spec.events):
        if ("events", event.id) in by_id:
            yield ("events", i), by_id["events", event.id]
    for actor, threat in spec.threats.items():
        for i, act in enumerate(threat.acts):
            if (actor, act.id) in by_id:
                yield ("threats", actor, "acts", i), by_id[actor, act.id]
    for gov, items in spec.actions.items():
        for i, card in enumerate(items):
            if (gov, card.id) in by_id:
                yield ("actions", gov, i), by_id[gov, card.id]


def plain_warnings(scenario: Scenario) -> list[Problem]:
    """Warnings for each effect or condition whose generated text would be unreadable and has no ``plain:``."""
    from sim.play.plain import condition_text, plain_of, unreadable  # the phrasing lives with the game's text

    raw, _ = load_chain(scenario.path, checks.file_problems)
    fallback: Mark = (str(scenario.path), 1, 1)
    diagnostics = Diagnostics(raw, fallback)
    for loc, trigger in _located(scenario):
        name = diagnostics.where(loc)
        if trigger.when is not None and not plain_of(trigger, "when"):
            if not condition_text(trigger.when, scenario, trigger.owner or None).readable:
                message = (
                    f"warning: {name}: the condition is too complex to say in plain words; "
                    "add plain: {when: '...'} so students can read it"
                )
                diagnostics.at((*loc, "when"), message, CODE)
        if plain_of(trigger, "effects"):
            continue
        for effect in trigger.effects:
            if unreadable(effect.value):
                message = (
                    f"warning: {name}: the effect on {effect.target} is too complex to say in plain words; "
                    "add plain: '...' (or plain: {effects: '...'}) so students can read it"
                )
                diagnostics.at((*loc, "effects", effect.target), message, CODE)
    return diagnostics.problems


def warnings_for(target: Any) -> list[Problem]:
    """:func:`plain_warnings` of a scenario file or library id (none if it does not load: its errors say why)."""
    from sim.errors import ScenarioError
    from sim.lang.scenario import load_scenario

    try:
        scenario = load_scenario(target)
    except ScenarioError:
        return []
    return plain_warnings(scenario)
