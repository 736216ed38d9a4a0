"""Per-quarter schedules: in a quarter the scenario's ``script:`` lists, the script decides the moves.

A government's ``script:`` maps quarters to cards. In a listed quarter the government plays
exactly those cards (an empty list: none), whatever its computer strategy; in other quarters
its strategy decides (``scripted`` plays nothing then). A human team is never overridden: its
submitted cards are its moves in every quarter.
"""

from __future__ import annotations

from collections.abc import Mapping

from agents.strategies import Human, Scripted, Strategy


def strategy_for_turn(strategy: Strategy, turn: int, script: Mapping[int, tuple[str, ...]]) -> Strategy:
    """The strategy that chooses this turn: the script in a scripted quarter (unless human), else ``strategy``."""
    if turn in script and not isinstance(strategy, Human):
        return Scripted()
    return strategy
