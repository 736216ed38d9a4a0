"""Printed briefings for a class: one spoiler-free pack per team and a facilitator's pack.

A pack is a :class:`Document`, a list of simple blocks (headings, paragraphs, lists, tables,
cards, page breaks) that :mod:`sim.play.handout_render` turns into HTML or text and
:mod:`sim.play.handout_pdf` into PDF. A team's pack holds only what that team may know: its role,
the public situation, its own objectives and cards in plain words (through the game's reading
layer :class:`sim.play.match.Match`), the rules on one page and the glossary. The other teams'
objectives and cards, the scenario's claims, the debrief questions and the teacher's notes are
only in the facilitator's pack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.engine.layout import GOVERNMENTS
from sim.lang.scenario import Scenario
from sim.lang.schema import ObjectiveTerm
from sim.play.glossary import GLOSSARY, lookup
from sim.play.lesson import LessonPlan, lesson_plan
from sim.play.match import GOV_CITIES, THREAT_NAMES, Match, label
from sim.play.plain_names import band
from sim.play.session import GameSession, GameSettings

DOMAIN_WORDS = {
    "deterrence": "security",
    "exercises": "military-exercise",
    "economic": "economic",
    "energy": "energy",
    "cyber": "cyber",
    "maritime": "maritime",
    "evacuation": "evacuation-planning",
    "history": "history",
}
"""How a tie's area reads in a sentence (``the Seoul–Tokyo security tie``)."""

STANCE_WORDS = {
    "cooperative": "builds cooperation",
    "competitive": "puts on pressure",
    "domestic": "for the audience at home",
    "neutral": "other",
}
"""What a card's stance means, in plain words."""

HEADLINE_TIES = ("tie.USA_ROK", "tie.USA_JPN", "tie.ROK_JPN")


@dataclass(frozen=True)
class Heading:
    """A section title (level 1 or 2)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """A paragraph; ``style`` is ``body``, ``lead`` (larger) or ``note`` (small, grey)."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Bullets:
    """A bulleted (or, with ``numbered``, numbered) list."""

    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``widths`` are relative column widths."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class CardBox:
    """One action card in plain language."""

    title: str
    cost: str
    kind: str
    effects: tuple[str, ...]
    condition: str
    story: str
    source: str


@dataclass(frozen=True)
class PageBreak:
    """Start a new printed page."""


@dataclass(frozen=True)
class Group:
    """Blocks printed together on one page where they fit (a heading, its table and its note)."""

    blocks: tuple[Heading | Para | Bullets | Table, ...]


Block = Heading | Para | Bullets | Table | CardBox | PageBreak | Group


@dataclass
class Document:
    """A printable pack: a title, a subtitle, the file stem (``usa``, ``facilitator``) and blocks."""

    title: str
    subtitle: str
    stem: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        """Append blocks in order."""
        self.blocks.extend(blocks)


def reading(scenario: Scenario) -> Match:
    """The game's reading layer over a fresh game of ``scenario`` (no shadow worlds, no autosave)."""
    return Match(GameSession(GameSettings(scenario=scenario.id, shadows=0), scenario))


def teams(scenario: Scenario) -> list[str]:
    """The governments of the scenario, in turn order."""
    return [gov for gov in GOVERNMENTS if gov in scenario.spec.governments]


# ---------------------------------------------------------------------- plain words


def plain_indicator(name: str, gov: str = "") -> str:
    """An indicator in plain words (``tie.ROK_JPN`` -> ``the Seoul–Tokyo tie``), from ``gov``'s side."""
    if name.startswith("tie."):
        parts = name.split(".")
        pair = parts[1].split("_")
        cities = "–".join(GOV_CITIES.get(code, code) for code in pair)
        area = f" {DOMAIN_WORDS.get(parts[2], parts[2].replace('_', ' '))}" if len(parts) > 2 else ""
        return f"the {cities}{area} tie"
    fixed = {
        "trilateral": "three-way cooperation (the trilateral index)",
        "deterrence": "the allies' combined deterrence",
        "institutionalization": "the three-way institutions (regular meetings, hotlines, agreements)",
    }
    if name in fixed:
        return fixed[name]
    who, _, var = name.partition(".")
    if who in THREAT_NAMES:
        thing = {"capability": "weapons capability"}.get(var, var.replace("_", " "))
        return f"{THREAT_NAMES[who]}'s {thing}"
    if who in GOV_CITIES:
        place = GOV_CITIES[who]
        if var == "approval":
            return "your approval at home" if who == gov else f"approval of the government in {place}"
        if var == "hedging":
            return f"{place}'s hedging toward China"
        if var == "history_salience":
            return f"the history dispute as felt in {place}"
        if var == "crisis":
            return f"political crisis in {place}"
        return f"{var.replace('_', ' ')} in {place}"
    return label(name)


def objective_text(name: str, weight: float, gov: str) -> str:
    """One objective as an instruction (``Keep the Seoul–Tokyo tie strong``)."""
    thing = plain_indicator(name, gov)
    if weight < 0:
        return f"Keep {thing} low"
    if name.startswith("tie.") or name in ("trilateral", "deterrence", "institutionalization"):
        return f"Keep {thing} strong"
    return f"Raise {thing}"


def level_word(value: float) -> str:
    """The game's word for a tie's 0-1 level (strained, fragile, working, strong)."""
    return band(value, tie=True)


def points(value: float) -> str:
    """A 0-1 value on the 0-100 scale students see."""
    return f"{round(100 * value)}"


def cost_text(cost: float) -> str:
    """``costs 1.5 political capital`` (``free`` for 0)."""
    return "free" if cost == 0 else f"costs {cost:g} political capital"


# ---------------------------------------------------------------------- a team's pack


def team_pack(
    scenario: Scenario, gov: str, minutes: int = 60, match: Match | None = None, extras: bool = True
) -> Document:
    """The briefing of the team playing ``gov``: nothing another team's pack or the teacher's holds.

    Args:
        scenario: the scenario.
        gov: the team's government code.
        minutes: the class length its timeline shows (60 or 90).
        match: a reading layer over the scenario (built if not given).
        extras: add the one-page rules and the glossary (the printed pack has them; the terminal view not).
    """
    match = match or reading(scenario)
    spec = scenario.spec
    name = match.gov_title(gov)
    doc = Document(
        f"{name}: team briefing",
        f"{spec.title}. For the {GOV_CITIES.get(gov, gov)} team only: keep it to your team.",
        gov.lower(),
    )
    doc.add(*_role(match, gov), *_situation(match, gov), *_objectives(match, gov), *_cards(match, gov))
    doc.add(*_knowledge(match, gov))
    if extras:
        doc.add(PageBreak(), *rules_page(match, lesson_plan(scenario, minutes)), PageBreak(), *glossary_blocks())
    return doc


def _role(match: Match, gov: str) -> list[Block]:
    spec = match.scenario.spec
    city = GOV_CITIES.get(gov, gov)
    end = match.scenario.quarter_label(spec.turns)
    return [
        Heading("Your role"),
        Para(
            f"You are the government of {_the(match.gov_title(gov))}, working from {city}. "
            f"In power at the start: {match.camp(gov)}.",
            "lead",
        ),
        Para(
            f"Each turn is one quarter (three months). The scenario runs from {spec.start} to {end} "
            f"({spec.turns} quarters); your teacher may stop earlier. Each turn your team secretly chooses moves "
            "from your cards, paying for them with political capital."
        ),
    ]


def _the(name: str) -> str:
    """``the United States``, ``the Republic of Korea``, but ``Japan``."""
    return f"the {name}" if name.split(" ")[0] in ("United", "Republic", "People's", "Democratic") else name


def _situation(match: Match, gov: str) -> list[Block]:
    spec = match.scenario.spec
    out: list[Block] = [Heading("The situation")]
    if spec.summary:
        out.append(Para(" ".join(spec.summary.split())))
    rows = [
        (f"The {'–'.join(GOV_CITIES[c] for c in tie[4:].split('_'))} tie", points(v), level_word(v))
        for tie in HEADLINE_TIES
        for v in [match.value(tie)]
    ]
    trilateral = match.value("trilateral")
    rows.append(("Three-way cooperation (trilateral index)", points(trilateral), level_word(trilateral)))
    approval = match.value(f"{gov}.approval")
    rows.append(
        (
            "Your approval at home",
            points(approval),
            "low" if approval < 0.4 else "middling" if approval < 0.6 else "high",
        )
    )
    rows.append(("Your political capital", f"{match.capital(gov):g}", f"up to {match.capital_max():g} can be saved"))
    out += [
        Heading("Where things stand at the start (0 to 100)", 2),
        Table(("", "Now", "In words"), tuple(rows), (3, 1, 2)),
    ]
    calendar = [
        f"{GOV_CITIES.get(g, g)}: election{'s' if len(g_spec.elections) > 1 else ''} in " + ", ".join(g_spec.elections)
        for g, g_spec in sorted(spec.governments.items(), key=lambda item: GOVERNMENTS.index(item[0]))
        if g_spec.elections
    ]
    if calendar:
        out += [Heading("Election calendar", 2), Bullets(tuple(calendar))]
    return out


def objective_terms(scenario: Scenario, gov: str) -> list[ObjectiveTerm]:
    """The government's objectives as the scenario file states them (none for an unknown code)."""
    return next((terms for code, terms in scenario.spec.objectives.items() if code == gov), [])


def _objectives(match: Match, gov: str) -> list[Block]:
    terms = objective_terms(match.scenario, gov)
    out: list[Block] = [Heading("Your objectives")]
    if not terms:
        return [*out, Para("Your team has no scored objectives in this scenario: play for the region as you see it.")]
    total = sum(abs(t.weight) for t in terms) or 1.0
    items = []
    for term in sorted(terms, key=lambda t: -abs(t.weight)):
        share = round(100 * abs(term.weight) / total)
        line = f"{objective_text(term.indicator, term.weight, gov)} (about {share}% of your score)."
        items.append(line + (f" {term.doc}" if term.doc else ""))
    score = lookup("Score")
    out.append(Bullets(tuple(items)))
    if score is not None:
        out.append(Para(f"Your score: {score.meaning}", "note"))
    return out


def card_box(match: Match, card_gov: str, ident: str) -> CardBox:
    """One card of ``card_gov`` in plain language, from the reading layer."""
    card = match.card(card_gov, ident)
    condition, holds = match.condition(card)
    if condition and holds is False:
        condition += " (not possible at the start of the game)"
    return CardBox(
        title=card.title or card.id.replace("_", " "),
        cost=cost_text(card.cost),
        kind=STANCE_WORDS.get(card.stance, card.stance),
        effects=tuple(match.card_effects(card)),
        condition=condition,
        story=" ".join(card.say.split()),
        source=match.essay(card.source),
    )


def _cards(match: Match, gov: str) -> list[Block]:
    cards = match.cards(gov)
    out: list[Block] = [PageBreak(), Heading("Your cards")]
    if not cards:
        return [*out, Para("Your team has no cards in this scenario.")]
    out.append(
        Para(
            f"You have {len(cards)} cards. Each turn you may play any cards you can pay for; a card you cannot "
            "afford or whose condition does not hold is greyed out on screen.",
            "note",
        )
    )
    return out + [card_box(match, gov, card.id) for card in cards]


def _knowledge(match: Match, gov: str) -> list[Block]:
    others = [GOV_CITIES.get(g, g) for g in teams(match.scenario) if g != gov]
    threats = [THREAT_NAMES.get(a, a) for a in match.scenario.spec.threats]
    elections = any(spec.elections for spec in match.scenario.spec.governments.values())
    knows = (
        "Your own objectives and cards (this briefing).",
        "The state of the world on the projector: the ties, the trilateral index, each government's approval and "
        "who governs where.",
        "The news after each turn: which moves, events and incidents happened, and what they changed.",
        *(("The election calendar above.",) if elections else ()),
    )
    unknown = [
        f"What {' and '.join(others)} want: their objectives and their cards are secret." if others else "",
        "Which moves the other teams choose each turn, until they are revealed.",
        "Chance events: " + (f"what {', '.join(threats)} will do, " if threats else "") + "and who wins elections.",
        "Surprises your teacher may add during the game.",
    ]
    return [
        Heading("What your team knows"),
        Bullets(knows),
        Heading("What your team does not know"),
        Bullets(tuple(u for u in unknown if u)),
    ]


def rules_page(match: Match, plan: LessonPlan) -> list[Block]:
    """The rules on one page (shared by every pack)."""
    timeline = ", ".join(f"{p.name.lower()} {p.minutes} min" for p in plan.phases)
    return [
        Heading("The rules on one page"),
        Bullets(
            (
                "One turn is one quarter (three months). Every team moves at the same time, in secret.",
                "Choose your moves: pick any of your cards you can pay for with political capital, or pass. "
                "Political capital comes back a little every turn; what you do not spend is saved, up to a limit.",
                "Submit: on your own device, or on the shared laptop while the other teams look away. "
                "Until the facilitator resolves the turn your move stays secret.",
                "Resolve: the game plays out the quarter: your moves, the other teams' moves, the threats' acts, "
                "scheduled events and chance. The news says what happened and why.",
                "Ties and indices run from 0 to 100. Without new moves they slowly pull back to their usual level, "
                "so cooperation needs tending.",
                "Elections and chance can change who governs. A new government may see things differently.",
                "Your score is how far your objectives moved because of your play. Your teacher says whether "
                "teams may talk to each other between turns; promises made there do not bind anyone.",
            ),
            numbered=True,
        ),
        Heading("How today's class runs", 2),
        Para(f"{plan.minutes} minutes: {timeline}."),
    ]


def glossary_blocks() -> list[Block]:
    """The glossary as a two-column table."""
    return [Heading("Glossary"), Table(("Word", "Meaning"), tuple((t.word, t.meaning) for t in GLOSSARY), (1, 4))]
