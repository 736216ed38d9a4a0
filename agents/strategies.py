"""Decision policies for computer-controlled governments, and the human player as one more policy.

Each strategy is a small class with declarative metadata (``name``, ``description``,
``sources``, and an Axelrod-style :class:`Classifier`: whether it draws random numbers and which
parts of the context it reads) and one method, :meth:`Strategy.choose`, which returns a boolean
matrix (cards x worlds) of the action cards to play this turn. Strategies see the world only
through a :class:`DecisionContext`; the government pays for what they choose and can never
overspend. All randomness comes from the context's draws (the model's counter-based generator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from agents.context import CONTEXT_PARTS, DecisionContext
from sim.errors import UsageError, did_you_mean

STANCE_THRESHOLD = 0.7
"""Score a card needs to be played by the stance-based strategies."""


@dataclass(frozen=True)
class Classifier:
    """Machine-readable traits of a strategy, checked by the strategy contract tests.

    Attributes:
        stochastic: whether the strategy draws random numbers (``context.jitter``/``draw``).
        reads: the parts of the context (:data:`agents.context.CONTEXT_PARTS`) its choice
            depends on; a part not listed never changes what it plays.
    """

    stochastic: bool
    reads: frozenset[str]

    def __post_init__(self) -> None:
        unknown = self.reads - CONTEXT_PARTS
        if unknown:
            raise ValueError(f"unknown context parts {sorted(unknown)}; known: {sorted(CONTEXT_PARTS)}")


class Strategy:
    """Base class: a policy that chooses action cards for one government.

    A subclass that does not declare its classifier is taken to draw random numbers and to
    read every part of the context.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    sources: ClassVar[tuple[str, ...]] = ()
    classifier: ClassVar[Classifier] = Classifier(stochastic=True, reads=CONTEXT_PARTS)

    def choose(self, context: DecisionContext) -> np.ndarray:
        """Return a (cards x worlds) boolean matrix of cards to play."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Passive(Strategy):
    """Plays no cards: the model's behaviour alone drives the government."""

    name = "passive"
    description = "Plays no cards; useful as a control in sweeps."
    classifier = Classifier(stochastic=False, reads=frozenset())

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        return np.zeros_like(context.available)


class ThreatDriven(Strategy):
    """Cooperates in proportion to the threat it perceives; tends its home front when threat is low.

    Source: Chung, "U.S.-ROK-Japan Trilateral Cooperation: Past, Present, and Future": shared
    threat perception toward North Korea and China is the key factor sustaining cooperation.
    """

    name = "threat_driven"
    description = "Plays cooperative cards when perceived threat is high, domestic cards when approval is low."
    sources = ("Chung, U.S.-ROK-Japan Trilateral Cooperation: Past, Present, and Future",)
    classifier = Classifier(stochastic=True, reads=frozenset({"stances", "costs", "capital", "state"}))

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        threat = context.own("threat")
        approval = context.own("approval")
        scores = (
            context.stance_mask("cooperative")[:, None] * (0.3 + threat)
            + context.stance_mask("domestic")[:, None] * (1.1 - approval)
            + context.stance_mask("competitive")[:, None] * (0.9 - threat)
            + context.stance_mask("neutral")[:, None] * (0.5 + 0.5 * context.own("willingness"))
            + context.jitter()
        )
        return context.greedy(scores, threshold=STANCE_THRESHOLD)


class Reciprocal(Strategy):
    """Tit for tat: cooperates while its ties held or improved last turn, retaliates after a loss.

    Source: Chun, "Navigating Uncertainty: Risk Management in U.S.-ROK-Japan Trilateral
    Cooperation" (managing the risk of defection between partners).
    """

    name = "reciprocal"
    description = "Cooperates if its ties held last turn, plays competitive cards after they fell."
    sources = ("Chun, Navigating Uncertainty: Risk Management in U.S.-ROK-Japan Trilateral Cooperation",)
    classifier = Classifier(stochastic=True, reads=frozenset({"stances", "costs", "capital", "state", "tie_change"}))

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        held = context.tie_change >= -0.005
        scores = (
            context.stance_mask("cooperative")[:, None] * np.where(held, 1.0, 0.2)
            + context.stance_mask("competitive")[:, None] * np.where(held, 0.2, 1.0)
            + context.stance_mask("domestic")[:, None] * (1.1 - context.own("approval"))
            + context.stance_mask("neutral")[:, None] * 0.75
            + context.jitter()
        )
        return context.greedy(scores, threshold=STANCE_THRESHOLD)


class Transactional(Strategy):
    """Prefers deals and demands that pay at home; cooperates only when the payoff is visible.

    Sources: Chung (a transactional, bilateral approach to alliances under "America first");
    Taylor, "The Second Trump Administration and the U.S. Indo-Pacific Military Alliance System".
    """

    name = "transactional"
    description = "Plays competitive and domestic cards first, in proportion to its transactionalism."
    sources = (
        "Chung, U.S.-ROK-Japan Trilateral Cooperation: Past, Present, and Future",
        "Taylor, The Second Trump Administration and the U.S. Indo-Pacific Military Alliance System",
    )
    classifier = Classifier(stochastic=True, reads=frozenset({"stances", "costs", "capital", "state"}))

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        transactionalism = context.own("transactionalism")
        scores = (
            context.stance_mask("competitive")[:, None] * (0.4 + transactionalism)
            + context.stance_mask("domestic")[:, None] * (1.1 - context.own("approval"))
            + context.stance_mask("cooperative")[:, None] * (1.0 - transactionalism)
            + context.stance_mask("neutral")[:, None] * 0.75
            + context.jitter()
        )
        return context.greedy(scores, threshold=STANCE_THRESHOLD)


class ObjectiveSeeking(Strategy):
    """Plays the cards that serve the government's objectives, its standing at home and its bargaining position.

    Each card is valued, world by world, by (1) its effect on the government's weighted scenario
    objectives (``card_values``), (2) its domestic payoff, weighted by ``domestic_weight``
    (``domestic_payoff``: approval today; history moves' payoff to the base and the out-party
    join there), and (3) what the partners' expected reaction adds (``reactions``: a payment
    toward a pending U.S. demand buys relief and removes escalation risk; a hedge shields
    against escalation; a U.S. demand is met by a concession or by escalation). A per-world
    timing draw scales each card's value by a factor in [1 - timing_spread, 1 + timing_spread),
    so worlds do not all act in the same quarter. Cards are then taken one at a time, best net
    value first: the k-th card of a turn counts ``turn_decay ** k`` of its value (diminishing
    returns within a turn), and capital is priced higher the less would be left
    (``capital_price`` per point, up to twice that for the points below ``reserve``), so a
    government saves for the cards it values instead of spending all it has whenever it can.
    Without objectives it behaves like ``threat_driven``. Sources: each scenario's objectives;
    Chung's essay and Taylor's related work as summarised in essay-briefs.md (the bargaining
    loop); Draudt-Véjares's related work as summarised there (domestic payoffs of foreign moves).
    """

    name = "objectives"
    description = (
        "Plays the cards that raise its objectives, its approval at home and its bargaining position most "
        "per unit of political capital, saving capital for the cards it values."
    )
    sources = (
        "The scenario's objectives for this government",
        "Chung, U.S.-ROK-Japan Trilateral Cooperation: Past, Present, and Future",
        "Taylor, The Second Trump Administration and the U.S. Indo-Pacific Military Alliance System (related work)",
    )
    # Without objectives it plays like threat_driven, so it reads what that reads too.
    classifier = Classifier(
        stochastic=True,
        reads=frozenset(
            {"objectives", "card_values", "domestic_payoff", "reactions", "costs", "capital", "stances", "state"}
        ),
    )
    capital_price = 0.005
    """Objective value a point of political capital must buy for a card to be worth playing."""
    reserve = 1.5
    """Capital below which each point spent is priced higher (up to twice ``capital_price`` at 0)."""
    domestic_weight = 0.05
    """Weight of a card's domestic payoff beside the objectives, times (1 - approval): a government
    that is weak at home plays to its public more (office-seeking)."""
    turn_decay = 0.7
    """Share of its value the second card of a turn keeps (the third 0.49 ...)."""
    timing_spread = 0.5
    """Half-width of the per-world timing factor applied to each card's value."""

    def values(self, context: DecisionContext) -> np.ndarray:
        """Each card's value this turn before capital is priced (cards x worlds), timing draw included."""
        vulnerable = self.domestic_weight * (1.0 - context.own("approval"))
        value = context.card_values() + vulnerable * context.domestic_payoff() + context.reactions()
        timing = 1.0 + self.timing_spread * (2.0 * context.jitter(1.0) - 1.0)
        return value * timing

    def price(self, left: np.ndarray) -> np.ndarray:
        """Price per point of capital when ``left`` points would remain after paying."""
        shortfall = np.clip((self.reserve - left) / self.reserve, 0.0, 1.0)
        return self.capital_price * (1.0 + shortfall)

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        if not context.objectives:
            return ThreatDriven().choose(context)
        if context.compiled and type(self).price is ObjectiveSeeking.price:
            return self._choose_compiled(context)
        value = np.where(context.available, self.values(context), -np.inf)
        left = np.array(context.own("capital"), dtype=np.float64)
        chosen = np.zeros(context.available.shape, dtype=bool)
        costs = context.costs[:, None]
        keep = np.ones(context.replications)
        for _ in range(len(context.card_ids)):
            affordable = (~chosen) & (costs <= left + 1e-9)
            net = np.where(affordable, keep * value - self.price(left - costs) * costs, -np.inf)
            best = np.argmax(net, axis=0)
            take = np.take_along_axis(net, best[None, :], axis=0)[0] > 0.0
            if not take.any():
                break
            worlds = np.flatnonzero(take)
            chosen[best[worlds], worlds] = True
            left = left - np.where(take, context.costs[best], 0.0)
            keep = np.where(take, keep * self.turn_decay, keep)
        return chosen

    def _choose_compiled(self, context: DecisionContext) -> np.ndarray:
        """:meth:`choose` through the compiled kernels (``sim.engine.kernels``; the same bits)."""
        from sim.engine import kernels

        k = kernels.load()
        shape = context.available.shape
        available = np.ascontiguousarray(context.available)
        default_values = type(self).values is ObjectiveSeeking.values
        if default_values and context.jitter_keys is not None:
            return self._decide_compiled(context, available)
        if default_values:
            vulnerable = _contiguous(self.domestic_weight * (1.0 - context.own("approval")), (shape[1],))
            parts = [
                _contiguous(part, shape)
                for part in (context.card_values(), context.domestic_payoff(), context.reactions(), context.jitter(1.0))
            ]
            value = np.empty(shape)
            k.objective_values(*parts[:3], vulnerable, parts[3], float(self.timing_spread), available, value)
        else:
            value = np.ascontiguousarray(np.where(available, self.values(context), -np.inf), dtype=np.float64)
        chosen = np.zeros(shape, dtype=bool)
        left = np.array(context.own("capital"), dtype=np.float64)
        costs = np.asarray(context.costs, dtype=np.float64)
        k.objective_choice(
            value, costs, left, float(self.capital_price), float(self.reserve), float(self.turn_decay), chosen
        )
        return chosen

    def _decide_compiled(self, context: DecisionContext, available: np.ndarray) -> np.ndarray:
        """:meth:`choose` with the default :meth:`values` as one kernel call (``objective_decision``; the same bits)."""
        from sim.engine import kernels

        assert context.jitter_keys is not None
        shape = available.shape
        replications, keys = context.jitter_keys(shape[0])
        chosen = np.zeros(shape, dtype=bool)
        parts = (context.card_values(), context.domestic_payoff(), context.reactions())
        kernels.load().objective_decision(
            *(_contiguous(part, shape) for part in parts),
            _contiguous(context.own("approval"), (shape[1],)),
            float(self.domestic_weight),
            replications,
            keys,
            float(self.timing_spread),
            available,
            np.asarray(context.costs, dtype=np.float64),
            _contiguous(context.own("capital"), (shape[1],)),
            float(self.capital_price),
            float(self.reserve),
            float(self.turn_decay),
            chosen,
        )
        return chosen


def _contiguous(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` as a C-contiguous float64 array of ``shape`` for a kernel (itself when it is one already)."""
    if isinstance(values, np.ndarray) and values.shape == shape and values.dtype == np.float64:
        if values.flags.c_contiguous:
            return values
    return np.ascontiguousarray(np.broadcast_to(values, shape), dtype=np.float64)


class RandomPlay(Strategy):
    """Plays each affordable card with probability one half (a null model for sweeps)."""

    name = "random"
    description = "Each available card with probability 1/2, within capital."
    classifier = Classifier(stochastic=True, reads=frozenset({"costs", "capital"}))

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        return context.greedy(context.jitter(1.0), threshold=0.5)


class Scripted(Strategy):
    """Plays the cards the scenario's ``script:`` lists for each quarter, nothing otherwise."""

    name = "scripted"
    description = "Follows the scenario's script: quarter -> cards."
    classifier = Classifier(stochastic=False, reads=frozenset({"script"}))

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        mask = context.card_mask(context.script)
        return np.broadcast_to(mask[:, None], context.available.shape) & context.available


class Human(Strategy):
    """A human team: plays the cards submitted with ``model.choose(gov, [ids])`` for this turn."""

    name = "human"
    description = "A human team's choices, submitted before each turn; nothing if none were submitted."
    classifier = Classifier(stochastic=False, reads=frozenset({"submitted"}))

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        mask = context.card_mask(context.submitted)
        return np.broadcast_to(mask[:, None], context.available.shape) & context.available


STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (Passive, ThreatDriven, Reciprocal, Transactional, ObjectiveSeeking, RandomPlay, Scripted, Human)
}


def make_strategy(name: str | Strategy) -> Strategy:
    """A strategy instance from its name (or pass an instance through)."""
    if isinstance(name, Strategy):
        return name
    if name not in STRATEGIES:
        raise UsageError(
            f"unknown strategy '{name}'{did_you_mean(name, STRATEGIES)}; available: {', '.join(sorted(STRATEGIES))}"
        )
    return STRATEGIES[name]()
