"""The facilitator's pack: lesson plan, teams at a glance, debrief questions, claims, teacher notes, how to run."""

from __future__ import annotations

from sim.lang.scenario import Scenario
from sim.play.handouts import (
    Block,
    Bullets,
    Document,
    Group,
    Heading,
    PageBreak,
    Para,
    Table,
    cost_text,
    glossary_blocks,
    objective_terms,
    objective_text,
    reading,
    rules_page,
    teams,
)
from sim.play.lesson import LESSON_MINUTES, LessonPlan, lesson_plan
from sim.play.match import GOV_CITIES, Match
from sim.play.plain_names import reference_line


def facilitator_pack(scenario: Scenario, minutes: int = 60, match: Match | None = None) -> Document:
    """Everything the teacher needs; never hand it to a team."""
    match = match or reading(scenario)
    spec = scenario.spec
    doc = Document(
        f"{spec.title}: facilitator's pack",
        "For the teacher or facilitator only: it holds every secret.",
        "facilitator",
    )
    doc.add(Heading("The scenario"), Para(" ".join(spec.summary.split()), "lead"))
    doc.add(
        Para(
            f"{spec.turns} quarterly turns from {spec.start} to {scenario.quarter_label(spec.turns)}; "
            f"the scenario suggests about {spec.minutes} minutes."
        )
    )
    if spec.sources:
        doc.add(
            Heading("Sources", 2),
            Bullets(tuple(reference_line(s.author, s.title, s.note) for s in spec.sources)),
        )
    plans = [lesson_plan(scenario, minutes)] + [lesson_plan(scenario, m) for m in LESSON_MINUTES if m != minutes]
    for plan in plans:
        doc.add(*_plan_blocks(plan))
    doc.add(PageBreak(), *_teams(match), *_secrets(scenario), PageBreak(), *_running(scenario.id))
    doc.add(PageBreak(), *rules_page(match, plans[0]), PageBreak(), *glossary_blocks())
    return doc


def _plan_blocks(plan: LessonPlan) -> list[Block]:
    rows = tuple((p.name, f"{p.minutes}", p.what) for p in plan.phases)
    return [
        Group(
            (
                Heading(f"Lesson plan: {plan.minutes} minutes, three teams of 4-5 students"),
                Table(("Phase", "Minutes", "What happens"), (*rows, ("Total", f"{plan.minutes}", "")), (2, 1, 5)),
                Para(
                    f"Play about {plan.quarters} quarter{'s' if plan.quarters != 1 else ''} in the {plan.play_minutes} "
                    "minutes of play (about three minutes a quarter): set Turns on the game's setup screen, or end the "
                    "game from the console when time is up.",
                    "note",
                ),
            )
        )
    ]


def _teams(match: Match) -> list[Block]:
    out: list[Block] = [Heading("The teams at a glance (secret)")]
    for gov in teams(match.scenario):
        out.append(Heading(f"{match.gov_title(gov)} ({GOV_CITIES.get(gov, gov)}): {match.camp(gov)} in power", 2))
        objectives = [objective_text(t.indicator, t.weight, gov) for t in objective_terms(match.scenario, gov)]
        if objectives:
            out.append(Para("Objectives: " + "; ".join(objectives) + "."))
        cards = tuple((c.title or c.id, cost_text(c.cost)) for c in match.cards(gov))
        if cards:
            out.append(Table(("Card", "Cost"), cards, (4, 2)))
    return out


def _secrets(scenario: Scenario) -> list[Block]:
    spec = scenario.spec
    out: list[Block] = []
    if spec.debrief:
        out += [Heading("Debrief questions"), Bullets(tuple(spec.debrief), numbered=True)]
    if spec.signature:
        out += [
            Heading("What the scenario claims"),
            Para("Checked against 2,000 simulated worlds in the tests; a single class game may differ.", "note"),
            Bullets(tuple(claim.claim for claim in spec.signature)),
        ]
    if spec.teacher_notes:
        out += [Heading("Teacher notes"), Para(" ".join(spec.teacher_notes.split()))]
    return out


def _running(ident: str) -> list[Block]:
    return [
        Heading("How to run the game"),
        Heading("Before class", 2),
        Bullets(
            (
                f"Print the packs: `trilat handouts {ident} --out handouts` (one PDF per team and this pack).",
                "Give each team only its own pack; keep this one.",
                f"Check the scenario: `trilat show {ident}` prints the public overview (safe for the projector); "
                f"`trilat show {ident} --facilitator` prints everything.",
            )
        ),
        Heading("One laptop and a projector (hot-seat)", 2),
        Bullets(
            (
                f"Start the game: `trilat play {ident}` (add `--fullscreen` for the projector).",
                "On the setup screen choose a human team for each government and the number of turns.",
                "Each turn, the teams come to the laptop one at a time while the others look away (turn the "
                "projector off or freeze it during secret moves), choose their cards and submit.",
                "Resolve the turn, read the news aloud, and let the teams react before the next quarter.",
            )
        ),
        Heading("Every team on its own device", 2),
        Para(
            f"Where the room has a network and the trilat host command is installed, run `trilat host {ident}` and "
            "let each team join from a phone, tablet or laptop with the join code shown on the projector: the "
            "secret moves then never appear on the projector."
        ),
        Heading("After class", 2),
        Bullets(
            (
                "The game autosaves after every turn (in `~/.trilat/saves`).",
                "Write the after-action report: `trilat report SAVE` (Markdown and HTML, with charts).",
                "Replay the game for the debrief: `trilat replay SAVE`.",
            )
        ),
    ]
