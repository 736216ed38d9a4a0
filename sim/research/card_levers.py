"""Card levers: bans (cards a government never plays) and scripted moves (named sets of quarter -> cards).

A ``ban:`` lever's values are lists of the government's card ids (``[]``: no ban; a bare id is a
list of one); a ``script:`` lever's values name sets of scripted moves given under ``moves:``,
each mapping quarter labels (``2026Q1``) to the cards played that quarter (``[]``: none). The
checks here record located problems: unknown cards (with a did-you-mean), quarters outside
every run, a value that is not a move set, and a policy that both bans and scripts a card.
"""

from __future__ import annotations

from typing import Any

from sim.errors import did_you_mean
from sim.lang import calendar
from sim.research.experiment_checks import ExperimentContext
from sim.research.experiment_spec import Lever

NO_BAN = "none"
"""The value label of a ban lever's empty list (no card banned)."""


def ban_cards(value: Any) -> tuple[str, ...]:
    """A ban lever's value as card ids: a list as is, a bare id as a list of one."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(card) for card in value)
    return ()


def value_label(value: Any) -> str:
    """A lever value as text for tables and policy names (a ban's cards joined by ``+``, ``none`` if empty)."""
    if isinstance(value, list | tuple):
        return "+".join(str(card) for card in value) or NO_BAN
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def label_value(lever: Lever, label: Any) -> Any:
    """The lever value whose label is ``label`` (the inverse of :func:`value_label` on ``lever.values``)."""
    if lever.kind != "ban" or not isinstance(label, str):
        return label
    for value in lever.values:
        if value_label(value) == label:
            return list(ban_cards(value))  # a new list: no YAML anchors where a file repeats it
    return [] if label == NO_BAN else label.split("+")


def _card_ids(context: ExperimentContext, gov: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.id, tuple(card.id for card in s.actions[gov])) for s in context.scenarios]


def _check_cards(context: ExperimentContext, loc: tuple[Any, ...], gov: str, value: Any) -> bool:
    """Every card in ``value`` (a list, or one id) is one of ``gov``'s cards in every scenario."""
    if not isinstance(value, list | str):
        context.diagnostics.at(loc, f"a ban is a list of {gov}'s card ids, not {value!r}")
        return False
    ok = True
    for j, card in enumerate(ban_cards(value)):
        where = (*loc, j) if isinstance(value, list) else loc
        for scenario, known in _card_ids(context, gov):
            if card not in known:
                hint = did_you_mean(card, known)
                context.diagnostics.at(where, f"unknown card '{card}' for {gov} in scenario '{scenario}'{hint}", "name")
                ok = False
                break
    return ok


def _check_quarter(context: ExperimentContext, loc: tuple[Any, ...], quarter: str, turns: int | None) -> None:
    for scenario in context.scenarios:
        start = calendar.parse_quarter(scenario.spec.start)
        try:
            turn = calendar.turn_of(quarter, start)
        except ValueError:
            context.diagnostics.at(loc, f"'{quarter}' is not a quarter like 2026Q1", key=True)
            return
        last = turns or scenario.turns
        if not 1 <= turn <= last:
            first, end = calendar.quarter_label(1, start), calendar.quarter_label(last, start)
            message = f"quarter {quarter} is outside the runs of scenario '{scenario.id}' ({first}..{end})"
            context.diagnostics.at(loc, message, "range", key=True)
            return


def _check_script_lever(context: ExperimentContext, loc: tuple[Any, ...], lever: Lever, turns: int | None) -> None:
    gov = lever.script
    assert gov is not None
    if lever.moves is None:
        context.diagnostics.at(loc, f"script lever '{lever.name}' needs moves: (named sets of quarter -> cards)")
        return
    for set_name, moves in lever.moves.items():
        for quarter, cards in moves.items():
            where = (*loc, "moves", set_name, quarter)
            _check_quarter(context, where, quarter, turns)
            if cards:
                _check_cards(context, where, gov, cards)
    for i, value in enumerate(lever.values):
        if not isinstance(value, str) or value not in lever.moves:
            hint = did_you_mean(str(value), lever.moves)
            message = f"'{value_label(value)}' is not a move set of script lever '{lever.name}'{hint}"
            context.diagnostics.at((*loc, "values", i), message, "name")


def check_card_lever(context: ExperimentContext, index: int, lever: Lever, turns: int | None) -> None:
    """A ban or script lever's cards, quarters and values fit every scenario (problems recorded)."""
    loc = ("levers", index)
    targets = [k for k in ("parameter", "strategy", "ban", "script") if getattr(lever, k) is not None]
    if len(targets) > 1:
        message = f"a lever sets one thing (a parameter, a strategy, a ban or a script), not {' and '.join(targets)}"
        context.diagnostics.at((*loc, targets[1]), message, key=True)
        return
    if lever.moves is not None and lever.kind != "script":
        context.diagnostics.at((*loc, "moves"), "moves: belongs to a script lever (script: GOV)", key=True)
    if lever.kind == "ban":
        assert lever.ban is not None
        for i, value in enumerate(lever.values):
            _check_cards(context, (*loc, "values", i), lever.ban, value)
    elif lever.kind == "script":
        _check_script_lever(context, loc, lever, turns)


def check_card_setting(context: ExperimentContext, loc: tuple[Any, ...], lever: Lever, value: Any) -> bool:
    """A policy's value for a ban or script lever is valid (a list of cards; a move set's name)."""
    if lever.kind == "ban":
        assert lever.ban is not None
        return _check_cards(context, loc, lever.ban, value)
    moves = lever.moves or {}
    if not isinstance(value, str) or value not in moves:
        hint = did_you_mean(str(value), moves)
        context.diagnostics.at(loc, f"'{value_label(value)}' is not a move set of lever '{lever.name}'{hint}", "name")
        return False
    return True


def apply_card_lever(lever: Lever, value: Any, bans: dict[str, tuple[str, ...]], script: dict[str, Any]) -> None:
    """Add a ban or script lever's value to a policy's ``bans`` and ``script`` (government -> ...)."""
    if lever.kind == "ban":
        assert lever.ban is not None
        cards = ban_cards(value)
        if cards:
            bans[lever.ban] = tuple(sorted({*bans.get(lever.ban, ()), *cards}))
    elif lever.kind == "script":
        assert lever.script is not None and lever.moves is not None
        moves = lever.moves[str(value)]
        if moves:
            merged = script.setdefault(lever.script, {})
            merged.update({quarter: tuple(cards) for quarter, cards in moves.items()})


def conflicts(bans: dict[str, tuple[str, ...]], script: dict[str, dict[str, tuple[str, ...]]]) -> list[str]:
    """Descriptions of cards a setting both bans and scripts (``USA plays tariff_threat in 2026Q1``)."""
    found = []
    for gov, moves in script.items():
        for quarter, cards in moves.items():
            found += [f"{gov} plays banned card '{card}' in {quarter}" for card in cards if card in bans.get(gov, ())]
    return found
