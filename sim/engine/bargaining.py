"""The transactional bargaining loop: U.S. demands, allied concession, resistance or hedging, relief or escalation.

A demand on an ally (``USA.demand.ROK``, ``USA.demand.JPN``: the unpaid bill, 0-1) is issued by
scenario items (a burden-sharing ultimatum, a tariff threat, a demand event) and met by the
ally's concession cards, which add to ``USA.concession.<ally>`` (what it paid this turn). After
the three governments have decided, :func:`settle` resolves every pending demand: a payment buys
relief (the U.S.-ally tie recovers, the ally's hedging eases, the White House books a win at
home); an unpaid remainder may escalate (a follow-up demand or tariff threat: the tie suffers,
the ally hedges more), the more likely the more transactional the White House and the less the
ally has hedged; what is left lapses slowly. :func:`reaction_values` is what the governments
anticipate of the loop when they value their cards. Setting ``bargaining_gain`` to 0 switches
the loop off. Sources: Chung (a transactional, bilateral U.S. approach to alliances may push the
allies toward unilateral strategies); Taylor's related work as summarised in essay-briefs.md
(burden-sharing demands, China's economic leverage over Seoul); the loop's form is modelling.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.layout import ALLIES
from sim.engine.rng import stream_id
from sim.engine.sources import behaviour
from sim.engine.state import zero_nonfinite

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.engine.scoring import Weights
    from sim.lang.scenario import Trigger

COEFFICIENTS = (
    "bargaining_gain",
    "escalation_chance",
    "escalation_step",
    "escalation_tie_cost",
    "escalation_hedging",
    "hedge_shield",
    "concession_relief",
    "relief_hedging",
    "concession_win",
    "demand_lapse",
)

ESCALATION_HORIZON = 4.0
"""Turns of escalation risk a government counts when it values paying (or hedging against) a demand."""

_STREAMS = {ally: stream_id(f"bargaining:{ally}") for ally in ALLIES}


RELIEF = {ally: behaviour("bargaining: concession relief", ally) for ally in ALLIES}
ESCALATION = {ally: behaviour("bargaining: escalation", ally) for ally in ALLIES}
SETTLEMENT = {ally: behaviour("bargaining: demand settled", ally) for ally in ALLIES}


def escalation_probability(model: TrilateralModel, ally: str) -> np.ndarray:
    """Chance per world that an unpaid demand on ``ally`` escalates this turn.

    p = clip(bargaining_gain * escalation_chance * USA.transactionalism * (1 - hedge_shield * ally.hedging), 0, 1)
    """
    x, P, rows = model.x, model.params, model.scenario.layout.rows
    shield = 1.0 - P["hedge_shield"] * x[rows[f"{ally}.hedging"]]
    p = P["bargaining_gain"] * P["escalation_chance"] * x[rows["USA.transactionalism"]] * shield
    return np.asarray(np.clip(p, 0.0, 1.0))


def settle(model: TrilateralModel) -> None:
    """Resolve every pending U.S. demand after the decisions (phase ``decisions``, before its rules).

    For each ally, per world (d = pending demand, c = paid this turn, g = bargaining_gain,
    T = USA.transactionalism):

        demands     += 1 if d rose since the last settlement (a new demand was issued)
        paid         = min(c, d);  concessions += 1 if paid > 0
        relief:      tie.USA_<ally> (every domain) += g * concession_relief * paid
                     <ally>.hedging -= g * relief_hedging * paid
                     USA.approval   += g * concession_win * T * paid
        d           -= paid
        escalation:  if d > 0, with probability escalation_probability (stream ``bargaining:<ally>``):
                     tie.USA_<ally> (every domain) -= g * escalation_tie_cost
                     <ally>.hedging += g * escalation_hedging
                     d = min(d + escalation_step, 1);  escalations += 1
        d           *= 1 - demand_lapse   (and d = 0 where g = 0: no loop, no pending demands)
        concession   = 0;  settled = d
    """
    from sim.engine.triggers import compiled_engine  # here: sim.lang (which triggers imports) imports this module

    if compiled_engine(model):
        _settle_compiled(model)
        return
    x, P, state, layout = model.x, model.params, model.state, model.scenario.layout
    rows = layout.rows
    gain = np.broadcast_to(np.asarray(P["bargaining_gain"], dtype=np.float64), (model.replications,))
    transactionalism = x[rows["USA.transactionalism"]].copy()
    for ally in ALLIES:
        demand_row, paid_row = rows[f"USA.demand.{ally}"], rows[f"USA.concession.{ally}"]
        demand = x[demand_row].copy()
        x[rows[f"USA.demands.{ally}"]] += demand > x[rows[f"USA.settled.{ally}"]] + 1e-9
        paid = np.minimum(x[paid_row], demand)
        x[rows[f"USA.concessions.{ally}"]] += paid > 0
        tie_rows = layout.tie_rows(f"USA_{ally}")
        hedging = slice(rows[f"{ally}.hedging"], rows[f"{ally}.hedging"] + 1)
        approval = slice(rows["USA.approval"], rows["USA.approval"] + 1)
        if np.any(paid > 0):
            source = RELIEF[ally]
            state.apply(tie_rows, gain * P["concession_relief"] * paid, source)
            state.apply(hedging, -gain * P["relief_hedging"] * paid, source)
            state.apply(approval, gain * P["concession_win"] * transactionalism * paid, source)
        demand = demand - paid
        draw = model.streams.uniform(model.turn, _STREAMS[ally])
        escalate = (demand > 1e-9) & (draw < escalation_probability(model, ally))
        if np.any(escalate):
            source = ESCALATION[ally]
            state.apply(tie_rows, -np.where(escalate, gain * P["escalation_tie_cost"], 0.0), source)
            state.apply(hedging, np.where(escalate, gain * P["escalation_hedging"], 0.0), source)
            demand = np.where(escalate, np.minimum(demand + P["escalation_step"], 1.0), demand)
            x[rows[f"USA.escalations.{ally}"]] += escalate
        demand = np.where(gain > 0, demand * (1.0 - P["demand_lapse"]), 0.0)
        state.set(f"USA.demand.{ally}", demand, SETTLEMENT[ally])
        state.set(f"USA.concession.{ally}", 0.0, SETTLEMENT[ally])
        x[rows[f"USA.settled.{ally}"]] = x[demand_row]
    state.refresh_ties()


def _settle_compiled(model: TrilateralModel) -> None:
    """:func:`settle` through one kernel call per ally (``kernels.bargaining.settle_ally``; the same bits)."""
    from sim.engine import kernels
    from sim.engine.kernels.bargaining import SETTLE_COEFFICIENTS

    state, rows = model.state, model.scenario.layout.rows
    lo, hi = state.float_bounds
    coefficients = kernels.coefficients([model.params[name] for name in SETTLE_COEFFICIENTS], model.replications)
    transactionalism = model.x[rows["USA.transactionalism"]].copy()
    replications = model.streams.replications
    settle_ally = kernels.load().settle_ally
    for ally in ALLIES:
        key = np.uint64(model.streams.key(model.turn, _STREAMS[ally]))
        if settle_ally(model.x, lo, hi, _ally_rows(model, ally), coefficients, transactionalism, replications, key):
            state._touch(model.scenario.layout.tie_rows(f"USA_{ally}"))  # as state.apply on the pair's domains does
    state.refresh_ties()


def _ally_rows(model: TrilateralModel, ally: str) -> np.ndarray:
    """The rows ``kernels.bargaining.settle_ally`` reads for one ally (its ``SETTLE_ROWS``)."""
    rows = model.scenario.layout.rows
    ties = model.scenario.layout.tie_rows(f"USA_{ally}")
    names = [f"USA.demand.{ally}", f"USA.concession.{ally}", f"USA.demands.{ally}", f"USA.settled.{ally}"]
    names += [f"USA.concessions.{ally}", f"{ally}.hedging", "USA.approval", "USA.transactionalism"]
    return np.array([*(rows[name] for name in names), rows[f"USA.escalations.{ally}"], ties.start, ties.stop])


def reaction_values(model: TrilateralModel, gov: str, cards: Sequence[Trigger], weights: Weights) -> np.ndarray:
    """What a government expects the bargaining loop to add to each card's value (cards x worlds).

    ``weights`` are the government's objective sensitivities (``scoring.sensitivity``). A card
    that pays toward a pending demand on its own government is worth the relief the payment buys
    plus the share of the escalation risk it removes; a card that raises the government's hedging
    under a pending demand is worth the escalation risk the hedge shields; a U.S. card that
    raises a demand is worth the relief it expects if the ally pays (with probability the ally's
    willingness, up to the most the ally's cards can pay) and the escalations it expects if not.
    """
    x, p, c, draws = model.x, model.p, model.context, model.draws
    values = np.zeros((len(cards), model.replications))
    loop = LoopValues(model, weights)
    for i, card in enumerate(cards):
        for effect in card.effects:
            if effect.op == "set" or effect.rows.stop - effect.rows.start != 1:
                continue
            name = loop.row_names.get(effect.rows.start)
            if name is None:
                continue
            value = np.nan_to_num(np.asarray(effect.value(x, p, c, draws), dtype=np.float64))
            values[i] += loop.value(gov, name, value)
    return zero_nonfinite(values)


class LoopValues:
    """The loop's expected consequences of a change in a bargaining row, valued with one government's weights."""

    def __init__(self, model: TrilateralModel, weights: Weights) -> None:
        self.model = model
        self.weights = weights
        rows = model.scenario.layout.rows
        self.rows = rows
        self.row_names: dict[int, str] = {}
        for ally in ALLIES:
            for name in (f"USA.demand.{ally}", f"USA.concession.{ally}", f"{ally}.hedging"):
                self.row_names[rows[name]] = name

    def weight(self, name: str) -> np.ndarray | float:
        """The government's objective weight of state variable ``name`` (0 when it has none)."""
        return self.weights.get(self.rows[name], 0.0)

    def tie_weight(self, ally: str) -> np.ndarray | float:
        """The summed objective weights of the U.S.-``ally`` tie's domains."""
        tie_rows = self.model.scenario.layout.tie_rows(f"USA_{ally}")
        return sum(self.weights.get(r, 0.0) for r in range(tie_rows.start, tie_rows.stop))

    def relief(self, ally: str) -> np.ndarray:
        """Value of one unit paid toward a demand on ``ally`` (relief only)."""
        P, x = self.model.params, self.model.x
        t = x[self.rows["USA.transactionalism"]]
        return P["bargaining_gain"] * (
            P["concession_relief"] * self.tie_weight(ally)
            - P["relief_hedging"] * self.weight(f"{ally}.hedging")
            + P["concession_win"] * t * self.weight("USA.approval")
        )

    def escalation(self, ally: str) -> np.ndarray:
        """Value of one escalation against ``ally`` (usually negative)."""
        P = self.model.params
        return P["bargaining_gain"] * (
            -P["escalation_tie_cost"] * self.tie_weight(ally) + P["escalation_hedging"] * self.weight(f"{ally}.hedging")
        )

    def capacity(self, ally: str) -> np.ndarray | float:
        """The most the ally's cards can pay toward a demand this turn, per world.

        One number when every payment is a constant (then it is the same in every world, and
        the same numpy operations on one value give its bits).
        """
        model = self.model
        payments = self._payments(ally)
        constant = all(value.constant is not None for value in payments)
        x, p, c, draws = model.x, model.p, model.context, model.draws
        most = np.zeros(1 if constant else model.replications)
        for value in payments:
            paid = value.constant if constant else value(x, p, c, draws)
            most = np.maximum(most, np.nan_to_num(np.asarray(paid, dtype=np.float64)))
        return float(most[0]) if constant else most

    def constant_capacity(self, ally: str) -> float | None:
        """:meth:`capacity` when every payment is a constant (the same every turn), else None."""
        if all(value.constant is not None for value in self._payments(ally)):
            capacity = self.capacity(ally)
            assert isinstance(capacity, float)
            return capacity
        return None

    def _payments(self, ally: str) -> list[Any]:
        """The values of the ally's card effects that add to its concession row."""
        row = self.rows[f"USA.concession.{ally}"]
        return [
            effect.value
            for card in self.model.scenario.actions.get(ally, ())
            for effect in card.effects
            if effect.op == "add" and effect.rows.start == row and effect.rows.stop == row + 1
        ]

    def value(self, gov: str, name: str, change: np.ndarray) -> np.ndarray:
        """Expected value to ``gov`` of a card changing bargaining row ``name`` by ``change``."""
        x, rows = self.model.x, self.rows
        ally = name.rsplit(".", 1)[-1] if name.startswith("USA.") else name.split(".", 1)[0]
        demand = x[rows[f"USA.demand.{ally}"]]
        paid_now = x[rows[f"USA.concession.{ally}"]]
        risk = escalation_probability(self.model, ally) * ESCALATION_HORIZON
        if name.startswith("USA.concession.") and gov == ally:
            paid = np.minimum(paid_now + change, demand) - np.minimum(paid_now, demand)
            share = np.divide(paid, demand, out=np.zeros_like(paid), where=demand > 1e-9)
            return paid * self.relief(ally) - share * risk * self.escalation(ally)
        if name.endswith(".hedging") and gov == ally:
            P = self.model.params
            shielded = P["bargaining_gain"] * P["escalation_chance"] * P["hedge_shield"] * change
            shielded = shielded * x[rows["USA.transactionalism"]] * (demand > 1e-9) * ESCALATION_HORIZON
            return -shielded * self.escalation(ally)
        if name.startswith("USA.demand.") and gov == "USA":
            capacity = self.capacity(ally)
            concede = np.clip(x[rows[f"{ally}.willingness"]], 0.0, 1.0)
            expected_paid = np.minimum(demand + change, capacity) - np.minimum(demand, capacity)
            new = (demand <= 1e-9) & (change > 0)  # a demand already pending carries its risk already
            return concede * expected_paid * self.relief(ally) + (1.0 - concede) * risk * self.escalation(ally) * new
        return np.zeros(self.model.replications)
