"""What each page may see: a team's private view, the facilitator's status, the glossary.

A team's view holds only its own briefing, objectives, cards and pending move, and what the
whole room may see anyway (the world's state, last turn's news, who has submitted, the
countdown). Card texts come from the game's reading layer (:class:`sim.play.match.Match`), so
the pages say exactly what the window says. Callers hold the room's lock.
"""

from __future__ import annotations

from typing import Any

from sim.engine.indicators import HEADLINE
from sim.play.glossary import GLOSSARY
from sim.play.match import GOV_CITIES, label
from sim.play.plain_names import band
from sim.room.state import Room


def _scaled(value: float) -> int:
    return round(max(0.0, min(1.0, value)) * 100)


def _world(room: Room, gov: str) -> list[dict[str, Any]]:
    match = room.match
    names = [*HEADLINE[:4], f"{gov}.approval"]
    out = []
    for name in names:
        try:
            value = match.value(name)
        except KeyError:
            continue
        scaled = _scaled(value)
        word = band(value, tie=not name.endswith(".approval"))  # the game's words (sim.play.plain_names)
        out.append({"name": name, "label": label(name), "value": scaled, "word": word})
    return out


def _cards(room: Room, gov: str) -> list[dict[str, Any]]:
    match = room.match
    capital = match.capital(gov)
    out = []
    for card in match.cards(gov):
        text, holds = match.condition(card)
        out.append(
            {
                "id": card.id,
                "title": card.title or card.id,
                "cost": card.cost,
                "stance": card.stance,
                "say": card.say,
                "doc": card.doc,
                "effects": match.card_effects(card),
                "condition": {"text": text, "holds": holds} if text else None,
                "source": match.essay(card.source) if card.source else "",
                "affordable": card.cost <= capital + 1e-9,
            }
        )
    return out


def _objectives(room: Room, gov: str) -> list[dict[str, Any]]:
    terms = next((t for code, t in room.match.scenario.spec.objectives.items() if code == gov), [])
    return [
        {
            "indicator": term.indicator,
            "label": label(term.indicator),
            "goal": "raise" if term.weight >= 0 else "lower",
            "weight": abs(term.weight),
            "doc": term.doc,
        }
        for term in terms
    ]


def _news(room: Room) -> list[dict[str, str]]:
    match = room.match
    if match.turn < 1:
        return []
    return [{"title": f.title or f.label, "say": f.say} for f in match.feed(match.turn)]


def turn_info(room: Room) -> dict[str, Any]:
    """The coming turn: its number, quarter, the game's length, whether the game is over."""
    match = room.match
    next_turn = min(match.turn + 1, match.turns)
    return {
        "played": match.turn,
        "next": match.turn + 1,
        "of": match.turns,
        "quarter": match.quarter(next_turn),
        "finished": match.finished,
        "paused": match.paused,
    }


def team_view(room: Room, gov: str) -> dict[str, Any]:
    """Everything team ``gov`` sees on its devices (and nothing of another team's)."""
    match = room.match
    spec = match.scenario.spec
    mine = match.submitted().get(gov)
    return {
        "revision": [match.revision, room.revision],
        "scenario": {"id": spec.id, "title": spec.title, "summary": spec.summary},
        "turn": turn_info(room),
        "team": {
            "gov": gov,
            "name": match.team_name(gov),
            "government": match.gov_title(gov),
            "city": GOV_CITIES.get(gov, gov),
            "in_power": match.camp(gov),
            "capital": round(match.capital(gov), 2),
            "capital_max": round(match.capital_max(), 2),
        },
        "objectives": _objectives(room, gov),
        "cards": _cards(room, gov),
        "move": {"submitted": mine is not None, "cards": list(mine or [])},
        "world": _world(room, gov),
        "news": _news(room),
        "news_quarter": match.quarter(match.turn),
        "teams": [{k: s[k] for k in ("team", "name", "joined", "submitted")} for s in room.status()],
        "timer": room.timer(),
    }


def facilitator_view(room: Room) -> dict[str, Any]:
    """The facilitator's remote: who has joined and submitted (never what), the timer, the turn."""
    return {
        "revision": [room.match.revision, room.revision],
        "scenario": {"id": room.match.scenario.id, "title": room.match.scenario.spec.title},
        "turn": turn_info(room),
        "teams": room.status(),
        "timer": room.timer(),
        "join_code": room.join_code,
        "can_resolve": room.web_resolve,
        "save": str(room.match.session.autosave_path or ""),
    }


def glossary() -> list[dict[str, str]]:
    """The glossary as the pages list it."""
    return [{"word": term.word, "meaning": term.meaning} for term in GLOSSARY]
