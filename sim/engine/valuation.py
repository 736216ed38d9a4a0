"""The compiled engine's card valuation: card values, domestic payoffs and reactions in one kernel call.

:func:`value_cards` gives what ``scoring.card_values``, ``scoring.domestic_payoffs`` and
``scoring.partner_reactions`` give, bit for bit, with one call of the ``card_valuation`` kernel
(:mod:`sim.engine.kernels.valuation`) per government and turn instead of numpy operations per
card, effect and row. The :class:`ValuationPlan` (which rows of which card effects count in
which weight set) depends only on the scenario, the government, its objectives' rows and
whether defection costs are on, so a government builds it once and keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine import kernels
from sim.engine.bargaining import LoopValues
from sim.engine.kernels.valuation import CONCESSION, DEMAND, HEDGE, NO_REACTION, NO_REF, SETS
from sim.engine.layout import ALLIES, PAIRS
from sim.engine.politics import HISTORY_GOVERNMENTS, history_lean, history_sign
from sim.engine.scoring import HISTORY_ECHO, HISTORY_SIDES, Weights, defection_costs_on

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.lang.compiled import Effect
    from sim.lang.scenario import Trigger


@dataclass(frozen=True, eq=False)
class ValuationPlan:
    """Which rows of which card effects count in which weight set, for one government.

    Attributes:
        key: what the plan depends on besides the cards (the weight rows, defection on or off).
        card_start: each card's first entry (and the end), int64.
        entry_row: each entry's state row.
        entry_effect: each entry's effect (an index into :attr:`effects`).
        entry_set: whether each entry's effect sets its rows.
        entry_sign: each entry's history sign (+1, -1 or 0).
        entry_slot: each entry's slot (an index into :attr:`slots`) per weight set, -1 for none.
        effects: the effects whose values the entries read, in order.
        slots: the (set, row) pairs the entries weight.
        echo: for each of the two echo sets, the objective row its weight is read from (or None).
        loop: the bargaining-row changes (card, kind, ally, effect), as ``bargaining.reaction_values``
            reads them (kinds: ``kernels.valuation.CONCESSION`` ...).
        constants: the numbers that are the same every turn (constant effect values, the weights
            of the approval and defection sets), the first entries of each turn's number table.
        effect_refs: each effect's reference into that table, or None for an effect computed each turn.
        slot_refs: each slot's reference, or None for a slot weighted by the turn's sensitivities.
        ally_rows: each ally's demand, concession, hedging and willingness rows.
        capacities: each ally's capacity (``LoopValues.capacity``) when all its payments are
            constants, which makes it the same every turn; None for an ally whose is not.
        demanded: the allies (indices into ``ALLIES``) on which one of the cards raises a demand.
    """

    key: tuple[Any, ...]
    card_start: np.ndarray
    entry_row: np.ndarray
    entry_effect: np.ndarray
    entry_set: np.ndarray
    entry_sign: np.ndarray
    entry_slot: np.ndarray
    effects: tuple[Effect, ...]
    slots: tuple[tuple[int, int], ...]
    echo: tuple[int | None, int | None]
    loop: np.ndarray
    constants: tuple[float, ...]
    effect_refs: tuple[int | None, ...]
    slot_refs: tuple[int | None, ...]
    ally_rows: np.ndarray
    capacities: tuple[float | None, ...]
    demanded: frozenset[int]


def plan_key(model: TrilateralModel, weights: Weights) -> tuple[Any, ...]:
    """What a government's plan depends on this turn: its weight rows and whether defection costs are on."""
    return (tuple(sorted(weights)), defection_costs_on(model))


def build_plan(model: TrilateralModel, gov: str, cards: Sequence[Trigger], weights: Weights) -> ValuationPlan:
    """The plan of one government's cards for weights with these rows (see :class:`ValuationPlan`)."""
    layout = model.scenario.layout
    rows = layout.rows
    key = plan_key(model, weights)
    sets: list[dict[int, int]] = [{row: row for row in weights}, {rows[f"{gov}.approval"]: 0}]
    for pair in PAIRS:
        tie_rows = layout.tie_rows(pair)
        sets.append({row: row - tie_rows.start for row in range(tie_rows.start, tie_rows.stop)} if key[1] else {})
    echo: list[int | None] = []
    for side, other in HISTORY_SIDES:
        source = rows[f"{other}.history_salience"]
        echo.append(source if source in weights else None)
        sets.append({rows[f"{side}.history_salience"]: 0} if source in weights else {})
    slots: dict[tuple[int, int], int] = {}
    effects: dict[int, int] = {}
    effect_list: list[Effect] = []

    def effect_index(effect: Effect) -> int:
        index = effects.setdefault(id(effect), len(effect_list))
        if index == len(effect_list):
            effect_list.append(effect)
        return index

    loop_values = LoopValues(model, weights)
    row_names = loop_values.row_names
    card_start, entries, loop = [0], [], []
    for i, card in enumerate(cards):
        for effect in card.effects:
            name = row_names.get(effect.rows.start)
            if effect.op != "set" and effect.rows.stop - effect.rows.start == 1 and name is not None:
                kind, ally = _loop_kind(gov, name)
                loop.append((i, kind, ALLIES.index(ally), effect_index(effect)))
            sign = history_sign(effect.target) if gov in HISTORY_GOVERNMENTS else 0.0
            for row in range(effect.rows.start, effect.rows.stop):
                members = [s for s in range(SETS) if row in sets[s]]
                if not members and not sign:
                    continue
                index = effect_index(effect)
                slot_of = [slots.setdefault((s, row), len(slots)) if s in members else -1 for s in range(SETS)]
                entries.append((row, index, effect.op == "set", sign, slot_of))
        card_start.append(len(entries))
    constants: list[float] = []

    def constant_ref(value: float) -> int:
        constants.append(float(value))
        return -len(constants)

    effect_refs = [None if e.value.constant is None else constant_ref(e.value.constant) for e in effect_list]
    slot_refs: list[int | None] = []
    for s, row in slots:
        if s == 1:
            slot_refs.append(constant_ref(1.0))
        elif 1 < s < 5:
            slot_refs.append(constant_ref(layout.domain_weights[row - layout.tie_rows(PAIRS[s - 2]).start]))
        else:  # the objectives' and the echoes' weights: this turn's sensitivities
            slot_refs.append(None)
    ally_rows = [
        [rows[f"USA.demand.{a}"], rows[f"USA.concession.{a}"], rows[f"{a}.hedging"], rows[f"{a}.willingness"]]
        for a in ALLIES
    ]
    return ValuationPlan(
        key=key,
        card_start=np.array(card_start, dtype=np.int64),
        entry_row=np.array([e[0] for e in entries], dtype=np.int64),
        entry_effect=np.array([e[1] for e in entries], dtype=np.int64),
        entry_set=np.array([e[2] for e in entries], dtype=np.bool_),
        entry_sign=np.array([e[3] for e in entries], dtype=np.float64),
        entry_slot=np.array([e[4] for e in entries], dtype=np.int64).reshape(len(entries), SETS),
        effects=tuple(effect_list),
        slots=tuple(slots),
        echo=(echo[0], echo[1]),
        loop=np.array(loop, dtype=np.int64).reshape(len(loop), 4),
        constants=tuple(constants),
        effect_refs=tuple(effect_refs),
        slot_refs=tuple(slot_refs),
        ally_rows=np.array(ally_rows, dtype=np.int64),
        capacities=tuple(loop_values.constant_capacity(ally) for ally in ALLIES),
        demanded=frozenset(a for _, kind, a, _ in loop if kind == DEMAND),
    )


def _loop_kind(gov: str, name: str) -> tuple[int, str]:
    """The kind of a bargaining-row change for ``gov`` and the ally it concerns (``LoopValues.value``)."""
    ally = name.rsplit(".", 1)[-1] if name.startswith("USA.") else name.split(".", 1)[0]
    if name.startswith("USA.concession.") and gov == ally:
        return CONCESSION, ally
    if name.endswith(".hedging") and gov == ally:
        return HEDGE, ally
    if name.startswith("USA.demand.") and gov == "USA":
        return DEMAND, ally
    return NO_REACTION, ally


_LOOP_COEFFICIENTS = (
    "bargaining_gain",
    "escalation_chance",
    "hedge_shield",
    "concession_relief",
    "relief_hedging",
    "concession_win",
    "escalation_tie_cost",
    "escalation_hedging",
)
"""The bargaining loop's coefficients, in the order ``kernels.valuation.bargaining_values`` reads them."""


class _Numbers:
    """The kernel's number table: per-world vectors and scalars, referred to by one int each."""

    def __init__(self, replications: int, constants: tuple[float, ...]) -> None:
        self.shape = (replications,)
        self.vectors: list[np.ndarray] = []
        self.scalars: list[float] = list(constants)

    def ref(self, value: float | np.ndarray) -> int:
        """A reference to ``value`` (a vector of one value per world, or one number for all)."""
        if isinstance(value, float):  # a Python or numpy float: the common case, kept cheap
            self.scalars.append(value)
            return -len(self.scalars)
        if isinstance(value, np.ndarray) and value.shape == self.shape and value.dtype == np.float64:
            self.vectors.append(value)  # a vector of the worlds (copied once, in tables())
            return len(self.vectors) - 1
        array = np.asarray(value, dtype=np.float64)
        if array.size == 1:
            self.scalars.append(float(array.reshape(-1)[0]))
            return -len(self.scalars)
        self.vectors.append(np.broadcast_to(array.reshape(-1), self.shape))
        return len(self.vectors) - 1

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        vectors = np.empty((len(self.vectors), self.shape[0]))
        for k, vector in enumerate(self.vectors):
            vectors[k] = vector
        return vectors, np.array(self.scalars, dtype=np.float64)


def _capacity(loop: LoopValues, plan: ValuationPlan, a: int, ally: str) -> float | np.ndarray:
    """Ally ``a``'s capacity: the plan's when it is the same every turn, else this turn's."""
    kept = plan.capacities[a]
    return loop.capacity(ally) if kept is None else kept


def value_cards(
    model: TrilateralModel, gov: str, cards: Sequence[Trigger], weights: Weights, plan: ValuationPlan
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(card_values, domestic_payoffs, partner_reactions)`` of a government's cards (cards x worlds each).

    ``weights`` are the government's objective sensitivities (``scoring.sensitivity``) and
    ``plan`` the plan :func:`build_plan` made for them; the same bits as the numpy functions.
    """
    x, p, c, draws = model.x, model.p, model.context, model.draws
    layout, rows, P = model.scenario.layout, model.scenario.layout.rows, model.params
    numbers = _Numbers(model.replications, plan.constants)
    value_refs = [
        numbers.ref(effect.value(x, p, c, draws)) if ref is None else ref
        for effect, ref in zip(plan.effects, plan.effect_refs, strict=True)
    ]
    echo_weights = [0.0 if row is None else HISTORY_ECHO * weights[row] for row in plan.echo]
    slot_refs = [
        (numbers.ref(weights[row] if s == 0 else echo_weights[s - 5]) if ref is None else ref)
        for (s, row), ref in zip(plan.slots, plan.slot_refs, strict=True)
    ]
    slot_refs.append(NO_REF)  # entry_slot -1 reads this one
    approval = rows[f"{gov}.approval"]
    history = gov in HISTORY_GOVERNMENTS
    config = np.array(
        [
            numbers.ref(weights[approval]) if approval in weights else NO_REF,
            numbers.ref(P["history_politics"]) if history else NO_REF,
            numbers.ref(P["defection_cost"]) if plan.key[1] and cards else NO_REF,
            history,
            plan.key[1] and bool(cards),
            plan.echo[0] is not None,
            plan.echo[1] is not None,
            rows["institutionalization"],
        ],
        dtype=np.int64,
    )
    lean = np.ascontiguousarray(history_lean(model, gov), dtype=np.float64) if history else np.zeros(0)
    loop = LoopValues(model, weights)
    demanded = plan.demanded
    ally_refs = np.array(
        [
            [
                numbers.ref(loop.tie_weight(ally)),
                numbers.ref(loop.weight(f"{ally}.hedging")),
                numbers.ref(_capacity(loop, plan, a, ally)) if a in demanded else NO_REF,
            ]
            for a, ally in enumerate(ALLIES)
        ],
        dtype=np.int64,
    )
    coefficients = np.array(
        [numbers.ref(P[name]) for name in _LOOP_COEFFICIENTS] + [numbers.ref(loop.weight("USA.approval"))],
        dtype=np.int64,
    )
    vectors, scalars = numbers.tables()
    k = kernels.load()
    shape = (len(cards), model.replications)
    bargaining = np.empty(shape)
    value_refs_array = np.array(value_refs, dtype=np.int64)
    entries = plan.loop.copy()
    entries[:, 3] = value_refs_array[plan.loop[:, 3]]
    k.bargaining_values(
        x, entries, plan.ally_rows, ally_refs, coefficients, rows["USA.transactionalism"], vectors, scalars, bargaining
    )
    out = np.empty(shape), np.empty(shape), np.empty(shape)
    k.card_valuation(
        x,
        layout.lo,
        layout.hi,
        plan.card_start,
        plan.entry_row,
        value_refs_array[plan.entry_effect],
        plan.entry_set,
        plan.entry_sign,
        np.array(slot_refs, dtype=np.int64)[plan.entry_slot],
        vectors,
        scalars,
        config,
        lean,
        bargaining,
        *out,
    )
    return out
