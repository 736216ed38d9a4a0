"""``trilat show``: the whole briefing of a scenario, for a teacher preparing a class."""

from __future__ import annotations

import textwrap

from sim.engine.layout import GOVERNMENTS, THREAT_ACTORS
from sim.lang.scenario import Scenario

WIDTH = 92


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def briefing(scenario: Scenario) -> str:
    """The briefing as text: summary, sources, format, parameters, teams and cards, debrief."""
    spec = scenario.spec
    out: list[str] = []
    add = out.append
    title = f"{spec.title} ({spec.id})"
    add(title)
    add("=" * len(title))
    add(
        f"{spec.turns} quarterly turns from {spec.start} to {scenario.quarter_label(spec.turns)}; "
        f"about {spec.minutes} minutes."
    )
    if spec.summary:
        add("")
        add(_wrap(spec.summary, ""))
    if spec.sources:
        add("\nSources")
        for source in spec.sources:
            add(f'  - {source.author}, "{source.title}"' + (f" ({source.note})" if source.note else ""))
    if spec.teacher_notes:
        add("\nFor the teacher")
        add(_wrap(spec.teacher_notes))
    own = [name for name in spec.parameters if name in _own_parameters(scenario)]
    if own:
        add("\nParameters (sliders in the game, axes for sweeps)")
        for name in own:
            parameter = spec.parameters[name]
            span = f" in [{parameter.range[0]:g}, {parameter.range[1]:g}]" if parameter.range else ""
            add(f"  {name} = {parameter.default:g}{span}")
            if parameter.doc:
                add(_wrap(parameter.doc, "      "))
    add("\nThe teams")
    for gov in GOVERNMENTS:
        g = spec.governments[gov]
        profile = g.camps[g.in_power]
        add(f"  {gov} - {g.name or gov}: {profile.label or g.in_power} in power; computer strategy '{g.strategy}'")
        if g.elections:
            add(f"      elections: {', '.join(g.elections)}")
        objectives = spec.objectives.get(gov, [])
        if objectives:
            terms = ", ".join(f"{t.indicator} {t.weight:+g}" for t in objectives)
            add(f"      objectives (score = 100 x weighted change): {terms}")
        cards = [c for c in spec.actions.get(gov, []) if not c.disabled]
        if cards:
            add(f"      cards ({len(cards)}):")
            for card in cards:
                add(f"        - {card.title or card.id} [{card.id}, cost {card.cost:g}, {card.stance}]")
                text = card.doc or card.say
                if text:
                    add(_wrap(text, "            "))
    threats = [a for a in THREAT_ACTORS if a in spec.threats]
    if threats:
        add("\nThreat actors")
        for actor in threats:
            t = spec.threats[actor]
            acts = ", ".join(act.title or act.id for act in t.acts if not act.disabled)
            add(f"  {actor} - {t.name or actor}: {acts}")
    scheduled = [e for e in spec.events if e.at and not e.disabled]
    if scheduled:
        add("\nScheduled events")
        for event in sorted(scheduled, key=lambda e: scenario.turn_of(e.at)):
            add(f"  {event.at}  {event.title or event.id}" + (f"  [{event.source}]" if event.source else ""))
    if spec.signature:
        add("\nWhat this scenario claims (checked against an ensemble in the tests)")
        for claim in spec.signature:
            add(_wrap(f"- {claim.claim} ({claim.indicator} {claim.compare} than {claim.than})", "  "))
    if spec.debrief:
        add("\nDebrief questions")
        for i, question in enumerate(spec.debrief, 1):
            add(_wrap(f"{i}. {question}", "  "))
    return "\n".join(out)


def _own_parameters(scenario: Scenario) -> set[str]:
    """Parameters declared by the scenario's own files, not by the model defaults."""
    from sim.lang.scenario import ROOT_SCENARIO
    from sim.lang.yamlio import read_yaml_file

    names: set[str] = set()
    for file in scenario.files:
        if file.stem == ROOT_SCENARIO:
            continue
        raw = read_yaml_file(file)
        if isinstance(raw, dict) and isinstance(raw.get("parameters"), dict):
            names.update(raw["parameters"])
    return names
