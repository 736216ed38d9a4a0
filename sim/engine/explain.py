"""Cause and effect: which rules, events, actions and behaviours moved each indicator in a turn."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

import numpy as np

from sim.engine import sources
from sim.engine.indicators import EXPLAINED
from sim.engine.layout import PAIRS
from sim.engine.sources import Source, SourceKind
from sim.engine.state import elementwise_sum
from sim.errors import UsageError

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.lang.scenario import Scenario

__all__ = ["EXPLAINED", "NEGLIGIBLE", "WEAKEST_LINK_SOURCE", "Contribution", "contributions", "readable_source"]

NEGLIGIBLE = 1e-9
WEAKEST_LINK_SOURCE = sources.WEAKEST_LINK
"""The part of the index's change due to a different pair becoming the weakest link."""


class Contribution(TypedDict):
    """What moved one indicator in one turn: its total change and each source's part, largest first."""

    total: float
    parts: list[tuple[Source, float]]


def readable_source(scenario: Scenario, source: Source) -> str:
    """A cause as a reader names it: ``JPN move: Shuttle diplomacy``, not ``action:JPN.shuttle_diplomacy``."""
    kind, owner, ident = source.kind, source.owner, source.id
    if kind is SourceKind.BEHAVIOUR:
        return source.bare_label
    if kind is SourceKind.ACTION and owner:
        card = next((c for c in scenario.actions.get(owner, []) if c.id == ident), None)
        return f"{owner} move: {card.title if card else ident}"
    if kind is SourceKind.ACT and owner:
        act = next((a for a in scenario.acts.get(owner, []) if a.id == ident), None)
        return f"{owner}: {act.title if act else ident}"
    if kind is SourceKind.EVENT:
        event = next((e for e in scenario.events if e.id == ident), None)
        return f"event: {event.title if event else ident}"
    if kind is SourceKind.RULE:
        rule = next((r for rules in scenario.rules.values() for r in rules if r.id == ident), None)
        return f"rule: {rule.title if rule else ident}"
    if kind is SourceKind.INJECT:
        return f"white cell: {ident}"
    if kind is SourceKind.LEADER and owner in scenario.leaders:
        return f"{owner} leader: {leader_label(scenario, owner, ident)}"
    return source.label


def leader_label(scenario: Scenario, government: str, ident: str) -> str:
    """A named leader's label (``Yoshihide Suga``), or the id when the scenario gives none."""
    table = scenario.leaders.get(government)
    if table is None or ident not in table.names:
        return ident
    return table.labels[table.names.index(ident)]


def contributions(model: TrilateralModel, turn: int, top: int | None = None) -> dict[str, Contribution]:
    """``{indicator: {"total": change, "parts": [(source, change), ...]}}`` for one turn.

    Parts are sorted by size; they sum to the total up to floating-point rounding. Pair ties
    are the domain-weighted sum of their domain rows, exactly as the tie itself is.
    """
    recorder = model.state.recorder
    if not recorder.enabled:
        raise UsageError("this model was created with record=False: there is no cause-and-effect record")
    records = [r for r in recorder.turns if r.turn == turn]
    if not records:
        raise UsageError(f"no record for turn {turn} (turns played: {model.turn})")
    changes = records[0].changes
    layout = model.scenario.layout
    weights = layout.domain_weights
    out: dict[str, Contribution] = {}
    # Each domain's share added in domain order, as the tie itself is summed (WorldState.refresh_ties):
    # not ``weights @ ...``, whose BLAS summation order (and use of fused multiply-add) differs
    # between CPUs, so the explanation's last digits would too.
    pair_parts = {
        pair: {
            source: float(
                elementwise_sum(w * part for w, part in zip(weights, vec[layout.tie_rows(pair)], strict=True))
            )
            for source, vec in changes.items()
        }
        for pair in PAIRS
    }
    for name in EXPLAINED:
        if name.startswith("tie."):
            per_source = pair_parts[name[4:]]
        elif name == "trilateral":
            # The index is a function of the pair ties: credit each source through the pairs'
            # weights in the index at the end of the turn (mean over worlds for an ensemble).
            index_weights = records[0].index_weights
            if index_weights is None:
                raise UsageError(f"turn {turn} is still being played: its record is not complete")
            per_source = {
                source: float(sum(w * pair_parts[p][source] for w, p in zip(index_weights, PAIRS, strict=True)))
                for source in changes
            }
        else:
            row = layout.rows[name]
            per_source = {source: float(vec[row]) for source, vec in changes.items()}
        parts = sorted(
            ((source, value) for source, value in per_source.items() if abs(value) > NEGLIGIBLE),
            key=lambda item: -abs(item[1]),
        )
        before = model.history[turn - 1][name] if turn - 1 < len(model.history) else None
        after = model.history[turn][name] if turn < len(model.history) else None
        total = float(np.mean(after - before)) if before is not None and after is not None else sum(v for _, v in parts)
        if name == "trilateral":
            rest = total - sum(v for _, v in parts)
            if abs(rest) > NEGLIGIBLE:
                parts.append((WEAKEST_LINK_SOURCE, rest))
                parts.sort(key=lambda item: -abs(item[1]))
        out[name] = {"total": total, "parts": parts[:top] if top else parts}
    return out
