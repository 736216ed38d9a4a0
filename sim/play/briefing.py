"""``trilat show``: a scenario's public overview (safe for a projector), or its whole briefing for the teacher."""

from __future__ import annotations

import textwrap

from sim.engine.layout import GOVERNMENTS, THREAT_ACTORS
from sim.lang.scenario import Scenario
from sim.lang.schema import GovernmentSpec
from sim.play.plain_names import reference_line, short_source

WIDTH = 92


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def briefing(scenario: Scenario) -> str:
    """The facilitator's briefing as text: summary, sources, parameters, teams and cards, claims, debrief."""
    sections = (_introduction, _teacher_notes, _parameters, _teams, _threats_and_events, _claims_and_debrief)
    return "\n".join(line for section in sections for line in section(scenario))


def overview(scenario: Scenario) -> str:
    """The public overview: what every student may see (no objectives, cards, claims, debrief or notes)."""
    ident = scenario.spec.id
    hints = [
        "\nMore",
        f"  trilat show {ident} --team GOV      one team's briefing (its objectives and cards)",
        f"  trilat show {ident} --facilitator   everything, for the teacher only (not for the projector)",
        f"  trilat handouts {ident} --out DIR   printable team packs and the facilitator's pack",
    ]
    return "\n".join([*_introduction(scenario), *_public_teams(scenario), *_threat_names(scenario), *hints])


def _introduction(scenario: Scenario) -> list[str]:
    """Title, format, summary and sources."""
    spec = scenario.spec
    title = f"{spec.title} ({spec.id})"
    out = [
        title,
        "=" * len(title),
        f"{spec.turns} quarterly turns from {spec.start} to {scenario.quarter_label(spec.turns)}; "
        f"about {spec.minutes} minutes.",
    ]
    if spec.summary:
        out += ["", _wrap(spec.summary, "")]
    if spec.sources:
        out.append("\nSources")
        for source in spec.sources:
            out.append(f"  - {reference_line(source.author, source.title, source.note)}")
    return out


def _teacher_notes(scenario: Scenario) -> list[str]:
    notes = scenario.spec.teacher_notes
    return ["\nFor the teacher", _wrap(notes)] if notes else []


def _in_power(g: GovernmentSpec) -> str:
    camp = g.starting_camp
    who = g.camps[camp].label or camp
    if g.leader in g.leaders:
        who += f" ({g.leaders[g.leader].label or g.leader})"
    return who


def _public_teams(scenario: Scenario) -> list[str]:
    """Each government and who governs at the start; the election calendar."""
    spec = scenario.spec
    out = ["\nThe teams"]
    for gov in sorted(spec.governments, key=GOVERNMENTS.index):
        g = spec.governments[gov]
        out.append(f"  {gov} - {g.name or gov}: {_in_power(g)} in power")
        if g.elections:
            out.append(f"      elections: {', '.join(g.elections)}")
    return out


def _threat_names(scenario: Scenario) -> list[str]:
    threats = [f"{a} - {scenario.spec.threats[a].name or a}" for a in THREAT_ACTORS if a in scenario.spec.threats]
    return ["\nThreat actors", *(f"  {t}" for t in threats)] if threats else []


def _parameters(scenario: Scenario) -> list[str]:
    """The scenario's own parameters, with their ranges and docs."""
    spec = scenario.spec
    own = [name for name in spec.parameters if name in _own_parameters(scenario)]
    if not own:
        return []
    out = ["\nParameters (sliders in the game, axes for sweeps)"]
    for name in own:
        parameter = spec.parameters[name]
        span = f" in [{parameter.range[0]:g}, {parameter.range[1]:g}]" if parameter.range else ""
        out.append(f"  {name} = {parameter.default:g}{span}")
        if parameter.doc:
            out.append(_wrap(parameter.doc, "      "))
    return out


def _teams(scenario: Scenario) -> list[str]:
    """Each government: who is in power, elections, objectives and cards."""
    spec = scenario.spec
    out = ["\nThe teams"]
    for gov in sorted(spec.governments, key=GOVERNMENTS.index):
        g = spec.governments[gov]
        out.append(f"  {gov} - {g.name or gov}: {_in_power(g)} in power; computer strategy '{g.strategy}'")
        if g.elections:
            out.append(f"      elections: {', '.join(g.elections)}")
        if g.leader_changes:
            changes = ", ".join(f"{q} {g.leaders[n].label or n}" for q, n in g.leader_changes.items())
            out.append(f"      leader changes: {changes}")
        objectives = spec.objectives.get(gov, [])
        if objectives:
            terms = ", ".join(f"{t.indicator} {t.weight:+g}" for t in objectives)
            out.append(f"      objectives (score = 100 x weighted change): {terms}")
        cards = [c for c in spec.actions.get(gov, []) if not c.disabled]
        if cards:
            out.append(f"      cards ({len(cards)}):")
            for card in cards:
                out.append(f"        - {card.title or card.id} [{card.id}, cost {card.cost:g}, {card.stance}]")
                text = card.doc or card.say
                if text:
                    out.append(_wrap(text, "            "))
    return out


def _threats_and_events(scenario: Scenario) -> list[str]:
    """The threat actors' acts and the scheduled events."""
    spec = scenario.spec
    out: list[str] = []
    threats = [a for a in THREAT_ACTORS if a in spec.threats]
    if threats:
        out.append("\nThreat actors")
        for actor in threats:
            t = spec.threats[actor]
            acts = ", ".join(act.title or act.id for act in t.acts if not act.disabled)
            out.append(f"  {actor} - {t.name or actor}: {acts}")
    scheduled = [(e.at, e) for e in spec.events if e.at and not e.disabled]
    if scheduled:
        out.append("\nScheduled events")
        for at, event in sorted(scheduled, key=lambda item: scenario.turn_of(item[0])):
            out.append(
                f"  {at}  {event.title or event.id}" + (f"  [{short_source(event.source)}]" if event.source else "")
            )
    return out


def _claims_and_debrief(scenario: Scenario) -> list[str]:
    """What the scenario claims, and the debrief questions."""
    spec = scenario.spec
    out: list[str] = []
    if spec.signature:
        out.append("\nWhat this scenario claims (checked against an ensemble in the tests)")
        for claim in spec.signature:
            out.append(_wrap(f"- {claim.claim} ({claim.indicator} {claim.compare} than {claim.than})", "  "))
    if spec.debrief:
        out.append("\nDebrief questions")
        for i, question in enumerate(spec.debrief, 1):
            out.append(_wrap(f"{i}. {question}", "  "))
    return out


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
