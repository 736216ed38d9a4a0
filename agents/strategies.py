"""Decision policies for computer-controlled governments, and the human player as one more policy.

Each strategy is a small class with declarative metadata (``name``, ``description``,
``sources``) and one method, :meth:`Strategy.choose`, which returns a boolean matrix
(cards x worlds) of the action cards to play this turn. Strategies see the world only through
a :class:`DecisionContext`; the government pays for what they choose and can never overspend.
All randomness comes from the model's counter-based generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.engine.layout import PAIR_MEMBERS
from sim.engine.rng import stream_id

if TYPE_CHECKING:
    from agents.government import Government
    from sim.lang.scenario import Trigger


@dataclass
class DecisionContext:
    """What a strategy may look at when choosing cards for one government."""

    government: Government
    cards: list[Trigger]
    available: np.ndarray
    costs: np.ndarray

    @property
    def code(self) -> str:
        """The government's code (USA, ROK, JPN)."""
        return self.government.code

    @property
    def turn(self) -> int:
        """The current turn (1-based)."""
        return self.government.model.turn

    @property
    def replications(self) -> int:
        """Number of worlds."""
        return self.government.model.replications

    def value(self, name: str) -> np.ndarray:
        """Any state variable by name (``ROK.approval``, ``tie.USA_ROK`` ...), per world."""
        return self.government.model.state.row(name)

    def own(self, var: str) -> np.ndarray:
        """This government's variable ``var``, per world."""
        return self.government.value(var)

    def own_ties(self) -> list[str]:
        """Names of the two pair ties this government belongs to."""
        return [f"tie.{pair}" for pair, members in PAIR_MEMBERS.items() if self.code in members]

    def tie_change_last_turn(self) -> np.ndarray:
        """Mean change of this government's ties over the previous turn (0 on turn 1)."""
        model = self.government.model
        if len(model.history) < 2:
            return np.zeros(self.replications)
        now, before = model.history[-1], model.history[-2]
        first, second = (now[t] - before[t] for t in self.own_ties())
        return (first + second) / 2.0

    def card_values(self) -> np.ndarray:
        """Direct effect of each card on this government's objectives, per world (cards x worlds)."""
        from sim.engine.scoring import sensitivity

        model = self.government.model
        weights = sensitivity(model, self.code)
        x, p, c, draws = model.x, model.p, model.context, model.draws
        values = np.zeros((len(self.cards), self.replications))
        for i, card in enumerate(self.cards):
            for effect in card.effects:
                rows = [r for r in range(effect.rows.start, effect.rows.stop) if r in weights]
                if not rows:
                    continue
                value = np.asarray(effect.value(x, p, c, draws), dtype=np.float64)
                # Row by row, so each world's sum does not depend on how many worlds there are.
                for row in rows:
                    delta = value - x[row] if effect.op == "set" else value
                    values[i] += weights[row] * delta
        values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)  # a card with broken effects is worth 0
        return values

    def stance_mask(self, stance: str) -> np.ndarray:
        """Boolean vector over cards: which have this stance."""
        return np.array([card.stance == stance for card in self.cards])

    def jitter(self, scale: float = 0.01) -> np.ndarray:
        """Small per-card, per-world random tie-breakers (cards x worlds)."""
        model = self.government.model
        stream = stream_id(f"strategy:{self.code}")
        return np.array([model.streams.uniform(model.turn, stream, i) for i in range(len(self.cards))]) * scale

    def greedy(self, scores: np.ndarray, threshold: float) -> np.ndarray:
        """Pick cards in order of score (best first) while score > threshold and capital lasts."""
        scores = np.where(self.available, scores, -np.inf)
        order = np.argsort(-scores, axis=0, kind="stable")
        ranked_scores = np.take_along_axis(scores, order, axis=0)
        ranked_costs = self.costs[order]
        capital = self.own("capital").copy()
        taken = np.zeros(order.shape, dtype=bool)
        for rank in range(len(self.cards)):
            take = (ranked_scores[rank] > threshold) & (capital >= ranked_costs[rank] - 1e-9)
            taken[rank] = take
            capital = capital - ranked_costs[rank] * take
        chosen = np.zeros_like(self.available)
        np.put_along_axis(chosen, order, taken, axis=0)
        return chosen


class Strategy:
    """Base class: a policy that chooses action cards for one government."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    sources: ClassVar[tuple[str, ...]] = ()

    def choose(self, context: DecisionContext) -> np.ndarray:
        """Return a (cards x worlds) boolean matrix of cards to play."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Passive(Strategy):
    """Plays no cards: the model's behaviour alone drives the government."""

    name = "passive"
    description = "Plays no cards; useful as a control in sweeps."

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
        return context.greedy(scores, threshold=0.7)


class Reciprocal(Strategy):
    """Tit for tat: cooperates while its ties held or improved last turn, retaliates after a loss.

    Source: Chun, "Navigating Uncertainty: Risk Management in U.S.-ROK-Japan Trilateral
    Cooperation" (managing the risk of defection between partners).
    """

    name = "reciprocal"
    description = "Cooperates if its ties held last turn, plays competitive cards after they fell."
    sources = ("Chun, Navigating Uncertainty: Risk Management in U.S.-ROK-Japan Trilateral Cooperation",)

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        held = context.tie_change_last_turn() >= -0.005
        scores = (
            context.stance_mask("cooperative")[:, None] * np.where(held, 1.0, 0.2)
            + context.stance_mask("competitive")[:, None] * np.where(held, 0.2, 1.0)
            + context.stance_mask("domestic")[:, None] * (1.1 - context.own("approval"))
            + context.stance_mask("neutral")[:, None] * 0.75
            + context.jitter()
        )
        return context.greedy(scores, threshold=0.7)


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

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        transactionalism = context.own("transactionalism")
        scores = (
            context.stance_mask("competitive")[:, None] * (0.4 + transactionalism)
            + context.stance_mask("domestic")[:, None] * (1.1 - context.own("approval"))
            + context.stance_mask("cooperative")[:, None] * (1.0 - transactionalism)
            + context.stance_mask("neutral")[:, None] * 0.75
            + context.jitter()
        )
        return context.greedy(scores, threshold=0.7)


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
    capital_price = 0.005
    """Objective value a point of political capital must buy for a card to be worth playing."""

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        model = context.government.model
        if not model.scenario.objectives.get(context.code):
            return ThreatDriven().choose(context)
        net = context.card_values() - self.capital_price * context.costs[:, None]
        # A tie-breaker centred on zero, so a card worth nothing is not played by chance.
        tie_break = 0.1 * (context.jitter(self.capital_price) - 0.5 * self.capital_price)
        return context.greedy(net + tie_break, threshold=0.0)


class RandomPlay(Strategy):
    """Plays each affordable card with probability one half (a null model for sweeps)."""

    name = "random"
    description = "Each available card with probability 1/2, within capital."

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        return context.greedy(context.jitter(1.0), threshold=0.5)


class Scripted(Strategy):
    """Plays the cards the scenario's ``script:`` lists for each quarter, nothing otherwise."""

    name = "scripted"
    description = "Follows the scenario's script: quarter -> cards."

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        model = context.government.model
        wanted = set(model.scenario.scripts[context.code].get(context.turn, ()))
        mask = np.array([card.id in wanted for card in context.cards])
        return np.broadcast_to(mask[:, None], context.available.shape) & context.available


class Human(Strategy):
    """A human team: plays the cards submitted with ``model.choose(gov, [ids])`` for this turn."""

    name = "human"
    description = "A human team's choices, submitted before each turn; nothing if none were submitted."

    def choose(self, context: DecisionContext) -> np.ndarray:  # noqa: D102
        model = context.government.model
        wanted = set(model.pending_choices.get(context.code, ()))
        mask = np.array([card.id in wanted for card in context.cards])
        return np.broadcast_to(mask[:, None], context.available.shape) & context.available


STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (Passive, ThreatDriven, Reciprocal, Transactional, ObjectiveSeeking, RandomPlay, Scripted, Human)
}


def make_strategy(name: str | Strategy) -> Strategy:
    """A strategy instance from its name (or pass an instance through)."""
    if isinstance(name, Strategy):
        return name
    from sim.errors import UsageError, did_you_mean

    if name not in STRATEGIES:
        raise UsageError(
            f"unknown strategy '{name}'{did_you_mean(name, STRATEGIES)}; available: {', '.join(sorted(STRATEGIES))}"
        )
    return STRATEGIES[name]()
