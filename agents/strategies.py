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
    """Plays the cards whose direct effects serve the government's scenario objectives best.

    Each card is valued by the change its effects make to the government's weighted objective
    indicators, minus a price for the political capital it costs; positive-value cards are
    played best first while capital lasts. Without objectives it behaves like ``threat_driven``.
    Source: each scenario's objectives, drawn from its essay's view of that capital's interests.
    """

    name = "objectives"
    description = "Plays the cards that raise its scenario objectives most per unit of political capital."
    sources = ("The scenario's objectives for this government",)
    # Without objectives it plays like threat_driven, so it reads what that reads too.
    classifier = Classifier(
        stochastic=True,
        reads=frozenset({"objectives", "card_values", "costs", "capital", "stances", "state"}),
    )
    capital_price = 0.005
    """Objective value a point of political capital must buy for a card to be worth playing."""

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        if not context.objectives:
            return ThreatDriven().choose(context)
        net = context.card_values() - self.capital_price * context.costs[:, None]
        # A tie-breaker centred on zero, so a card worth nothing is not played by chance.
        tie_break = 0.1 * (context.jitter(self.capital_price) - 0.5 * self.capital_price)
        return context.greedy(net + tie_break, threshold=0.0)


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
