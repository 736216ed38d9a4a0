"""Plain names for the model's variables, the 0-100 levels students read, and honest source lines.

:func:`noun` names a state variable as a 16-year-old would (``tie.ROK_JPN.security`` -> ``the
Seoul-Tokyo security tie``), :func:`verbs` gives the words for it going up or down, :func:`level`
puts a 0-1 value on the 0-100 scale with one of the :data:`BANDS` words, and :func:`source_line`
says what a card's or event's source rests on: only Chung's essay text is in the repository.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.engine import indicators

CITIES = {"USA": "Washington", "ROK": "Seoul", "JPN": "Tokyo"}
COUNTRIES = {"USA": "the United States", "ROK": "South Korea", "JPN": "Japan"}
PEOPLES = {"USA": "Americans", "ROK": "South Koreans", "JPN": "Japanese people"}
ACTORS = {"DPRK": "North Korea", "CHN": "China", "RUS": "Russia"}
DASH = "\u2013"

TIE_BANDS: tuple[tuple[float, str], ...] = (
    (40.0, "strained"),
    (55.0, "fragile"),
    (70.0, "working"),
    (math.inf, "strong"),
)
"""The words for how strong a tie (or cooperation, deterrence, institutions) is on the 0-100 scale:
below 40 strained, 40-54 fragile, 55-69 working, 70 and above strong. The game's colours follow them."""

LEVEL_BANDS: tuple[tuple[float, str], ...] = ((35.0, "low"), (65.0, "medium"), (math.inf, "high"))
"""The words for any other 0-100 level (approval, division at home, threat): below 35 low, 35-64 medium, else high."""

SIZES: tuple[tuple[float, str], ...] = ((1.5, "slightly"), (5.0, "a little"), (10.0, "clearly"), (math.inf, "a lot"))
"""The words for the size of a change in points on the 0-100 scale (below 1.5: slightly, ...)."""

ESSAY_IN_REPOSITORY = ("chung",)
"""Authors whose essay text is in the repository (/work/shared/reference: Chung's essay in full)."""

PUBLIC_RECORD = ("public record", "record", "news", "official")
"""How a source that is the public record (not an essay) begins."""


@dataclass(frozen=True)
class Verbs:
    """Words for a variable going up or down, and its name (``strengthens`` / ``weakens`` ``the tie``)."""

    up: str
    down: str
    name: str


def points(value: float) -> int:
    """A 0-1 value on the 0-100 scale students see (rounded half up)."""
    return math.floor(value * 100.0 + 0.5)


def band(value: float, tie: bool = True) -> str:
    """The word for a 0-1 level on the 0-100 scale: :data:`TIE_BANDS` for ties, else :data:`LEVEL_BANDS`."""
    score = points(value)
    return next(word for limit, word in (TIE_BANDS if tie else LEVEL_BANDS) if score < limit)


def level(value: float, tie: bool = True) -> str:
    """A 0-1 level as students read it: ``62 (working)`` for a tie, ``62 (medium)`` otherwise."""
    return f"{points(value)} ({band(value, tie)})"


def size_word(change: float) -> str:
    """The size of a change of a 0-1 variable in words (``a little`` for 0.04; see :data:`SIZES`)."""
    amount = abs(change) * 100.0
    return next(word for limit, word in SIZES if amount < limit)


def spendable(capital: float) -> float:
    """Political capital as a team can spend it: rounded down to one decimal (0.955 shows as 0.9)."""
    return math.floor(capital * 10.0 + 1e-6) / 10.0


def pair_name(pair: str) -> str:
    """``Seoul-Tokyo`` for ``ROK_JPN`` (an en dash)."""
    a, b = pair.split("_")
    return f"{CITIES.get(a, a)}{DASH}{CITIES.get(b, b)}"


def _whose(gov: str, viewer: str | None) -> str:
    return "your" if gov == viewer else f"{CITIES.get(gov, gov)}'s"


def _government_words(gov: str, var: str, viewer: str | None) -> Verbs | None:  # noqa: C901 - one table
    city, country, whose = CITIES.get(gov, gov), COUNTRIES.get(gov, gov), _whose(gov, viewer)
    own = gov == viewer
    if var == "approval":
        if own:
            return Verbs("wins you approval at home", "costs you approval at home", "your approval at home")
        return Verbs("raises", "lowers", f"the government's approval in {country}")
    if var == "polarization":
        return Verbs("deepens", "eases", f"the divide between the political camps in {country}")
    if var == "history_salience":
        return Verbs("stirs up", "calms", f"the history dispute as felt in {country}")
    if var == "support":
        return Verbs("raises", "lowers", f"public support in {country} for working with the partners")
    if var == "hedging":
        return Verbs("raises", "lowers", f"{whose} hedging (keeping other options open)")
    if var == "crisis":
        return Verbs("deepens", "eases", f"the political crisis in {country}")
    if var == "capital":
        return Verbs("adds to", "uses up", f"{whose} political capital")
    if var == "china_leverage":
        return Verbs("raises", "lowers", f"China's economic hold over {city}")
    if var.startswith("threat"):
        actor = var.partition("_")[2]
        what = f"the threat {city} feels from {ACTORS[actor]}" if actor in ACTORS else f"the threat {city} feels"
        return Verbs("raises", "lowers", what)
    traits = {
        "transactionalism": f"how much {city}'s leaders treat alliances as deals",
        "commitment": f"{whose} commitment to its allies",
        "multilateralism": f"{whose} taste for meeting as a group",
        "history_stance": f"the weight {city}'s leaders put on history",
        "dovishness": f"{whose} leaning toward talks with North Korea",
        "willingness": f"how ready {city} is to work with its partners",
        "camp": f"which side governs in {city}",
        "turnover": f"whether {city}'s leadership just changed",
    }
    if var in traits:
        return Verbs("raises", "lowers", traits[var])
    return None


def verbs(name: str, viewer: str | None = None) -> Verbs:
    """The words for a state variable going up or down, from the point of view of ``viewer``'s team.

    Args:
        name: the variable (``tie.ROK_JPN.security``, ``ROK.approval``, ``USA.demand.ROK``).
        viewer: the government whose team reads it (``your approval``), or None.
    """
    parts = name.split(".")
    if parts[0] == "tie" and len(parts) >= 2:
        pair = pair_name(parts[1])
        if len(parts) == 2:
            return Verbs("strengthens", "weakens", f"all {pair} ties")
        return Verbs("strengthens", "weakens", f"the {pair} {parts[2].replace('_', ' ')} tie")
    globals_ = {
        "institutionalization": Verbs(
            "builds up", "wears down", "the strength of the three's regular meetings and agreements"
        ),
        "deterrence": Verbs("strengthens", "weakens", "deterrence"),
        "trilateral": Verbs("strengthens", "weakens", "three-way cooperation"),
        "upkeep": Verbs("keeps up", "lets slip", "the three's regular meetings"),
    }
    if name in globals_:
        return globals_[name]
    if len(parts) == 3 and parts[1] == "view":
        return Verbs("warms", "cools", f"how {PEOPLES.get(parts[0], parts[0])} see {COUNTRIES.get(parts[2], parts[2])}")
    if len(parts) == 3 and parts[1] in ("demand", "concession"):
        ally = CITIES.get(parts[2], parts[2])
        if parts[1] == "demand":
            return Verbs("raises", "lowers", f"what Washington demands of {ally}")
        return Verbs("adds to", "takes from", f"what {ally} pays toward Washington's demands")
    if len(parts) == 2 and parts[0] in ACTORS:
        what = parts[1].replace("_", " ")
        return Verbs("raises", "lowers", f"{ACTORS[parts[0]]}'s {what}")
    if len(parts) == 2:
        words = _government_words(parts[0], parts[1], viewer)
        if words is not None:
            return words
    return Verbs("raises", "lowers", indicators.label(name) if name in indicators.NAMES else name.replace("_", " "))


TRAIT_CONDITIONS: dict[str, tuple[str, str]] = {
    "transactionalism": ("{c}'s leaders treat alliances as deals", "{c}'s leaders do not treat alliances as deals"),
    "commitment": ("{c} is committed to its allies", "{c} is less committed to its allies"),
    "multilateralism": ("{c} likes to meet as a group", "{c} prefers one-to-one talks"),
    "history_stance": ("{c}'s leaders stress history", "{c}'s leaders play history down"),
    "dovishness": ("{c} leans toward talks with North Korea", "{c} is tough on North Korea"),
    "willingness": ("{c} is ready to cooperate", "{c} is reluctant to cooperate"),
    "turnover": ("{c}'s leadership has just changed", "{c}'s leadership stays"),
}
"""For a leadership trait, the clause after ``more when``, for the trait high and low (``{c}``: the city)."""


def when_high(name: str, high: bool, viewer: str | None = None) -> str:
    """The clause after ``more when``: ``your approval is low``, ``Washington's leaders treat alliances as deals``."""
    gov, _, var = name.partition(".")
    if var in TRAIT_CONDITIONS:
        return TRAIT_CONDITIONS[var][0 if high else 1].format(c=CITIES.get(gov, gov))
    what = noun(name, viewer).removesuffix(" at home")
    return f"{what} is {'high' if high else 'low'}"


def noun(name: str, viewer: str | None = None) -> str:
    """A state variable's plain name (``the Seoul-Tokyo security tie``)."""
    return verbs(name, viewer).name


PLAIN_CAUSES: dict[str, str] = {
    "drift toward base level": "pull back to normal",
    "institutional anchor": "held steady by regular meetings",
    "institutional damping": "regular meetings soften the blow",
    "willingness": "readiness to work together",
    "noise": "chance",
    "U.S. transactionalism": "America First deal-making",
    "history salience": "the history dispute",
    "Korean polarization": "divided South Korean politics",
    "hedging": "hedging (keeping other options open)",
    "quasi-alliance pull": "shared worry about U.S. support",
    "deterrence credibility": "believable deterrence",
    "institutional lapse": "skipped meetings",
    "upkeep fades": "meetings not kept up",
    "institutional upkeep": "meetings kept up",
}
"""Plain words for the model's built-in causes (``drift toward base level`` -> ``pull back to normal``)."""


def plain_cause(description: str, owner: str = "") -> str:
    """A built-in cause in plain words, with its government's city (``Seoul: approval pulls back to normal``)."""
    text = description.removeprefix("domestic: ")
    text = PLAIN_CAUSES.get(text, text)
    text = text.replace("approval drift", "approval pulls back to normal")
    text = text.replace("polarization drift", "division pulls back to normal").replace(": drift", ": pulls back")
    text = text.replace("polarization", "division at home").replace("noise", "chance")
    return f"{CITIES.get(owner, ACTORS.get(owner, owner))}: {text}" if owner else text


VARIABLE_TERMS = {
    "approval": "Approval",
    "polarization": "Polarization",
    "threat": "Threat",
    "capital": "Political capital",
    "hedging": "Hedging",
    "history_salience": "History dispute",
    "trilateral": "Trilateral index",
    "institutionalization": "Institutions",
    "deterrence": "Deterrence",
    "tie": "Tie",
}
"""The glossary entry that explains each kind of state variable (by its last part, or ``tie``)."""


PLAIN_LABELS = {
    "polarization": "division at home",
    "threat": "threat felt",
    "institutionalization": "institutions",
    "history_salience": "history dispute",
    "hedging": "hedging",
}
"""Student-facing names of indicators whose model names are jargon (see :func:`plain_label`)."""


def plain_label(name: str) -> str:
    """An indicator's label for students: ``ROK division at home`` for ``ROK.polarization``."""
    head, _, var = name.partition(".")
    if name in PLAIN_LABELS:
        return PLAIN_LABELS[name]
    if var in PLAIN_LABELS and head in CITIES:
        return f"{head} {PLAIN_LABELS[var]}"
    return indicators.label(name) if name in indicators.NAMES else name


def meaning(name: str) -> str:
    """The glossary's plain meaning of a state variable (``""`` if the glossary has none)."""
    from sim.play.glossary import lookup

    key = "tie" if name.startswith("tie.") else name.split(".")[-1] if name.count(".") < 2 else name.split(".")[1]
    term = lookup(VARIABLE_TERMS.get(key, key.replace("_", " ")))
    return term.meaning if term is not None else ""


def glossary_notes(text: str, limit: int = 3) -> list[str]:
    """``Word: meaning`` for the glossary words that ``text`` uses (at most ``limit``), for tooltips."""
    import re

    from sim.play.glossary import GLOSSARY

    out = []
    for term in GLOSSARY:
        words = (term.word, *term.aliases)
        if any(re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE) for w in words):
            out.append(f"{term.word}: {term.meaning}")
        if len(out) >= limit:
            break
    return out


def short_source(source: str) -> str:
    """The short form of :func:`source_line` for one-line lists: ``Chung's essay``, ``after Sato's related work``."""
    text = source.strip()
    if not text or text.lower().startswith(PUBLIC_RECORD):
        return text
    record = _record_part(text)
    author, _, qualifier = text.partition(" (")
    if any(name in author.lower() for name in ESSAY_IN_REPOSITORY):
        return f"{author}'s essay{record}"
    line = f"Trilat's reading of {author}'s topic" if "title" in qualifier else f"after {author}'s related work"
    return line + record


NOT_AVAILABLE = "essay text not available: the scenario follows the author's related work"
"""What a non-Chung source rests on, when the scenario's ``sources:`` entry gives no note."""


def reference_line(author: str, title: str, note: str = "") -> str:
    """One entry of a scenario's ``sources:`` as students and readers see it.

    Chung's essay is in the repository and is named as it is. For every other author only the
    essay's title was available, so the line says what the scenario rests on instead (the
    scenario's own ``note:`` when it gives one).
    """
    line = f'{author}, "{title}"'
    if any(name in author.lower() for name in ESSAY_IN_REPOSITORY):
        return line + (f" ({note})" if note else "")
    return line + f" ({note or NOT_AVAILABLE})"


def _record_part(text: str) -> str:
    """``; public record (June 30, 2019)`` when a source also cites the public record, else ``""``."""
    at = text.lower().find("public record")
    return f"; {text[at:]}" if at > 0 else ""


def source_line(source: str, references: Sequence[tuple[str, str]] = ()) -> str:
    """What a source rests on, in words that never pass a paraphrase off as an author's text.

    Only Chung's essay is in the repository; for it the line names the essay (``Chung, <title>``).
    For any other author it says the text follows that author's related public work as Trilat
    reads it (``after Sato's related work, as Trilat reads it (not a quotation)``). A public-record
    source (``public record (2023-08-18)``) is shown as written.

    Args:
        source: the source as the scenario file writes it (``Chung``, ``Sato``, ``public record ...``).
        references: the scenario's ``sources:`` as ``(author, title)`` pairs.

    Returns:
        The line, without a ``Source:`` prefix; ``""`` for no source.
    """
    text = source.strip()
    if not text:
        return ""
    if text.lower().startswith(PUBLIC_RECORD):
        return text
    author, _, qualifier = text.partition(" (")
    title = next((t for name, t in references if author.lower() in name.lower()), "")
    record = _record_part(text)
    if any(name in author.lower() for name in ESSAY_IN_REPOSITORY):
        return (f"{author}, {title}" if title else f"{author}'s essay") + record
    if "title" in qualifier:
        return f"Trilat's reading of the topic of {author}'s essay (its text was not available){record}"
    return f"after {author}'s related work, as Trilat reads it (not a quotation){record}"
