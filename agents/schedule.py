"""Per-quarter schedules and card bans: who decides a quarter's moves, and which cards are off the table.

A government's ``script:`` maps quarters to cards. In a listed quarter the government plays
exactly those cards (an empty list: none), whatever its computer strategy; in other quarters
its strategy decides (``scripted`` plays nothing then). A human team is never overridden: its
submitted cards are its moves in every quarter.

The model options ``script=`` and ``bans=`` (see :func:`merge_scripts` and :func:`resolve_bans`)
change both per run: ``script=`` adds scripted quarters to the scenario's own (a quarter it
lists replaces the scenario's moves for that quarter); ``bans=`` names cards a government never
plays, in any world and any turn, whoever would choose them (its computer strategy, the
scenario's script; a human team's banned card is refused when submitted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from agents.strategies import Human, Scripted, Strategy
from sim.engine.layout import GOVERNMENTS
from sim.errors import UsageError, did_you_mean
from sim.lang import calendar

if TYPE_CHECKING:
    from sim.lang.scenario import Scenario


def strategy_for_turn(strategy: Strategy, turn: int, script: Mapping[int, tuple[str, ...]]) -> Strategy:
    """The strategy that chooses this turn: the script in a scripted quarter (unless human), else ``strategy``."""
    if turn in script and not isinstance(strategy, Human):
        return Scripted()
    return strategy


def _card_ids(scenario: Scenario, gov: str) -> tuple[str, ...]:
    return tuple(card.id for card in scenario.actions[gov])


def _government(gov: Any, option: str) -> str:
    if not isinstance(gov, str) or gov not in GOVERNMENTS:
        raise UsageError(f"{option}: unknown government '{gov}'{did_you_mean(str(gov), GOVERNMENTS)}")
    return gov


def _cards(scenario: Scenario, gov: str, cards: Any, where: str) -> tuple[str, ...]:
    """``cards`` (a list of card ids of ``gov``), checked; ``where`` names them in messages."""
    if isinstance(cards, str) or not isinstance(cards, list | tuple | frozenset | set):
        raise UsageError(f"{where} must be a list of card ids, got {cards!r}")
    known = _card_ids(scenario, gov)
    for card in cards:
        if not isinstance(card, str) or card not in known:
            hint = did_you_mean(str(card), known)
            raise UsageError(f"{where}: unknown card '{card}' for {gov} in scenario '{scenario.id}'{hint}")
    return tuple(cards)


def resolve_bans(scenario: Scenario, bans: Any) -> dict[str, frozenset[str]]:
    """The ``bans=`` option checked: government -> the card ids it never plays (only governments with bans).

    Raises:
        UsageError: ``bans`` is not a mapping, or names an unknown government or card.
    """
    if bans is None:
        return {}
    if not isinstance(bans, Mapping):
        raise UsageError(f"bans must map a government to a list of card ids, got {bans!r}")
    resolved: dict[str, frozenset[str]] = {}
    for gov, cards in bans.items():
        code = _government(gov, "bans")
        chosen = frozenset(_cards(scenario, code, cards, f"bans[{code}]"))
        if chosen:
            resolved[code] = chosen
    return resolved


def _turn(scenario: Scenario, key: Any, turns: int, gov: str) -> int:
    """A ``script=`` key as a turn: an integer turn or a quarter label such as ``2025Q3``."""
    start = scenario.start
    if isinstance(key, str):
        try:
            turn = calendar.turn_of(key, start)
        except ValueError:
            raise UsageError(f"script[{gov}]: '{key}' is neither a turn number nor a quarter like 2025Q1") from None
    elif isinstance(key, int) and not isinstance(key, bool):
        turn = key
    else:
        raise UsageError(f"script[{gov}]: {key!r} is neither a turn number nor a quarter like 2025Q1")
    if not 1 <= turn <= turns:
        first, last = calendar.quarter_label(1, start), calendar.quarter_label(turns, start)
        raise UsageError(f"script[{gov}]: {key!r} is not a turn this run plays (1..{turns}, {first}..{last})")
    return turn


def merge_scripts(
    scenario: Scenario, script: Any, turns: int, bans: Mapping[str, frozenset[str]] | None = None
) -> dict[str, dict[int, tuple[str, ...]]]:
    """The scenario's scripts with the ``script=`` option's quarters added (a quarter it lists replaces the scenario's).

    Args:
        scenario: the compiled scenario (its ``scripts`` are not changed).
        script: government -> {turn number or quarter label: [card ids]}; None for none.
        turns: the turns the run plays (a scripted turn must be one of them).
        bans: the resolved bans; a card both banned and scripted here is refused.

    Raises:
        UsageError: a bad shape, an unknown government, card or turn, or a scripted card that is banned.
    """
    merged = {gov: dict(scenario.scripts.get(gov, {})) for gov in GOVERNMENTS}
    if script is None:
        return merged
    if not isinstance(script, Mapping):
        raise UsageError(f"script must map a government to {{turn: [card ids]}}, got {script!r}")
    for gov, moves in script.items():
        code = _government(gov, "script")
        if not isinstance(moves, Mapping):
            raise UsageError(f"script[{code}] must map turns (or quarters) to lists of card ids, got {moves!r}")
        for key, cards in moves.items():
            turn = _turn(scenario, key, turns, code)
            chosen = _cards(scenario, code, cards, f"script[{code}][{key}]")
            banned = sorted(set(chosen) & (bans or {}).get(code, frozenset()))
            if banned:
                raise UsageError(f"script[{code}][{key}] plays '{banned[0]}', which bans= forbids {code} to play")
            merged[code][turn] = chosen
    return merged
