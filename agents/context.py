"""DecisionContext: everything a strategy may look at when it chooses cards, and nothing more.

A :class:`Government` builds one context per turn (``Government.decision_context``); strategies
read only its fields and methods, never the model or the agent. Arrays it hands out are
read-only views, so a strategy cannot change the world by writing into them. The parts of a
context a strategy may declare it reads (its classifier, see ``agents.strategies``) are named in
:data:`CONTEXT_PARTS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from sim.engine.layout import PAIR_MEMBERS

CONTEXT_PARTS: frozenset[str] = frozenset(
    {
        "stances",  # each card's stance (cooperative, competitive, domestic, neutral)
        "costs",  # each card's political-capital cost
        "capital",  # the government's political capital per world
        "state",  # any other state variable (threat, approval, willingness, transactionalism ...)
        "tie_change",  # how the government's ties moved over the previous turn
        "objectives",  # the government's scenario objectives (weighted indicators)
        "card_values",  # each card's direct effect on those objectives, per world
        "domestic_payoff",  # each card's domestic payoff to the government (approval), per world
        "reactions",  # what the government expects the partners' reaction to add to each card's value
        "script",  # the cards the scenario's script lists for this quarter
        "submitted",  # the cards a human team submitted for this turn
    }
)
"""Parts of a :class:`DecisionContext` a strategy's classifier may declare it reads.

Card ids, the number of worlds and each card's availability are the question itself: every
strategy may use them without declaring it.
"""

DEFAULT_JITTER = 0.01


class StateView(Mapping[str, np.ndarray]):
    """Read-only access to state variables by name (``ROK.approval``, ``tie.USA_ROK`` ...).

    Args:
        rows: the layout's row of each variable.
        x: the state matrix (variables x worlds); values are returned as read-only views.
    """

    def __init__(self, rows: Mapping[str, int], x: np.ndarray) -> None:
        self._rows = rows
        self._x = x

    def __getitem__(self, name: str) -> np.ndarray:
        view = self._x[self._rows[name]]
        view.flags.writeable = False
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


@dataclass(frozen=True, eq=False)
class DecisionContext:
    """What a strategy may look at when choosing cards for one government in one turn.

    Attributes:
        code: the government (USA, ROK, JPN).
        turn: the current turn (1-based).
        card_ids: the government's cards, in the order of the rows a strategy returns.
        stances: each card's stance.
        available: which cards may be played (cards x worlds; their ``when:`` holds).
        costs: each card's political-capital cost.
        state: state variables by name, per world (read-only).
        tie_change: mean change of this government's two ties over the previous turn, per
            world (0 on turn 1).
        objectives: the government's scenario objectives, ``(indicator, weight)`` pairs.
        script: ids of the cards the scenario's script lists for this quarter.
        submitted: ids of the cards a human team submitted for this turn.
        draw: ``draw(slot)`` gives this turn's uniform draws per world from the government's
            strategy stream (one slot per card); the only source of randomness.
        valuer: computes each card's direct effect on the objectives (cards x worlds); called
            only when a strategy asks for :meth:`card_values`.
        domestic_valuer: computes each card's domestic payoff to the government (cards x
            worlds): today its effect on the government's approval; the hook where the history
            payoff joins is ``sim.engine.scoring.domestic_payoffs``.
        reactor: computes what the partners' expected reaction adds to each card's value
            (cards x worlds; ``sim.engine.bargaining.reaction_values``: relief for a payment
            toward a pending U.S. demand, escalation risk shielded by a hedge, the ally's
            concession or resistance to a U.S. demand).
        draw_block: ``draw_block(slots, scale)`` gives the first ``slots`` slots' draws at
            once, times ``scale`` (slots x worlds; the same numbers as ``draw``), or None.
        compiled: run :meth:`greedy` (and strategies' choice loops) as compiled kernels
            (``sim.engine.kernels``), with the same bits as the numpy code.
        jitter_keys: ``jitter_keys(slots)`` gives the counter RNG's replication ids and the keys
            of the first ``slots`` slots (uint64 arrays), for a kernel that makes the draws of
            :meth:`jitter` itself (the same numbers), or None.
    """

    code: str
    turn: int
    card_ids: tuple[str, ...]
    stances: tuple[str, ...]
    available: np.ndarray
    costs: np.ndarray
    state: Mapping[str, np.ndarray]
    tie_change: np.ndarray
    objectives: tuple[tuple[str, float], ...]
    script: frozenset[str]
    submitted: frozenset[str]
    draw: Callable[[int], np.ndarray]
    valuer: Callable[[], np.ndarray]
    domestic_valuer: Callable[[], np.ndarray]
    reactor: Callable[[], np.ndarray]
    draw_block: Callable[[int, float], np.ndarray] | None = None
    compiled: bool = False
    jitter_keys: Callable[[int], tuple[np.ndarray, np.ndarray]] | None = None

    @property
    def replications(self) -> int:
        """Number of worlds."""
        return int(self.available.shape[1])

    def value(self, name: str) -> np.ndarray:
        """Any state variable by name (``ROK.approval``, ``tie.USA_ROK`` ...), per world."""
        return self.state[name]

    def own(self, var: str) -> np.ndarray:
        """This government's variable ``var``, per world."""
        return self.state[f"{self.code}.{var}"]

    def own_ties(self) -> list[str]:
        """Names of the two pair ties this government belongs to."""
        return own_ties(self.code)

    def card_values(self) -> np.ndarray:
        """Direct effect of each card on this government's objectives, per world (cards x worlds)."""
        return self.valuer()

    def domestic_payoff(self) -> np.ndarray:
        """Each card's domestic payoff to this government, per world (cards x worlds)."""
        return self.domestic_valuer()

    def reactions(self) -> np.ndarray:
        """What the partners' expected reaction adds to each card's value, per world (cards x worlds)."""
        return self.reactor()

    def stance_mask(self, stance: str) -> np.ndarray:
        """Boolean vector over cards: which have this stance."""
        return np.array([card_stance == stance for card_stance in self.stances])

    def card_mask(self, ids: frozenset[str]) -> np.ndarray:
        """Boolean vector over cards: which are among ``ids``."""
        return np.array([card_id in ids for card_id in self.card_ids])

    def jitter(self, scale: float = DEFAULT_JITTER) -> np.ndarray:
        """Small per-card, per-world random tie-breakers (cards x worlds), uniform on [0, scale)."""
        if self.draw_block is not None:
            return self.draw_block(len(self.card_ids), scale)
        return np.array([self.draw(i) for i in range(len(self.card_ids))]) * scale

    def greedy(self, scores: np.ndarray, threshold: float) -> np.ndarray:
        """Pick cards in order of score (best first) while score > threshold and capital lasts."""
        if self.compiled:
            from sim.engine import kernels

            chosen = np.zeros(self.available.shape, dtype=bool)
            scores = np.ascontiguousarray(np.broadcast_to(np.asarray(scores, dtype=np.float64), chosen.shape))
            capital = np.ascontiguousarray(self.own("capital"), dtype=np.float64)
            costs = np.asarray(self.costs, dtype=np.float64)
            kernels.load().greedy(
                scores, np.ascontiguousarray(self.available), costs, capital, float(threshold), chosen
            )
            return chosen
        scores = np.where(self.available, scores, -np.inf)
        order = np.argsort(-scores, axis=0, kind="stable")
        ranked_scores = np.take_along_axis(scores, order, axis=0)
        ranked_costs = self.costs[order]
        capital = self.own("capital").copy()
        taken = np.zeros(order.shape, dtype=bool)
        for rank in range(len(self.card_ids)):
            take = (ranked_scores[rank] > threshold) & (capital >= ranked_costs[rank] - 1e-9)
            taken[rank] = take
            capital = capital - ranked_costs[rank] * take
        chosen = np.zeros(self.available.shape, dtype=bool)
        np.put_along_axis(chosen, order, taken, axis=0)
        return chosen


def own_ties(code: str) -> list[str]:
    """Names of the two pair ties a government belongs to (``tie.USA_ROK`` ...)."""
    return [f"tie.{pair}" for pair, members in PAIR_MEMBERS.items() if code in members]
