"""Objectives: each government's weighted indicators, its team's score, and their sensitivities.

A scenario gives each government a list of weighted indicators (``objectives:``). A team's
score is 100 x the weighted change of those indicators from the start to the end of the game,
so a score of +5 means the indicators it cares about moved, on balance, by 0.05 in its favour.
Computer governments with the ``objectives`` strategy play the cards whose direct effects raise
this weighted sum the most for the political capital they cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine import kernels
from sim.engine.kernels.valuation import (
    CONSTANT_TERM,
    INSTITUTION_TERM,
    SALIENCE_TERM,
    STANCE_TERM,
    UPKEEP_TERM,
)
from sim.engine.layout import GOVERNMENTS, PAIR_MEMBERS, PAIRS
from sim.engine.politics import history_payoffs
from sim.engine.state import zero_nonfinite

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.lang.scenario import Trigger

SCORE_SCALE = 100.0

Weights = dict[int, float | np.ndarray]
"""Objective sensitivities: state row -> a float (the same in every world) or an array over worlds."""


def objective_scores(model: TrilateralModel) -> dict[str, np.ndarray]:
    """Each government's score per world: 100 x sum of weight x (now - start)."""
    rows = model.scenario.layout.rows
    scores = {}
    for gov in GOVERNMENTS:
        total = np.zeros(model.replications)
        for indicator, weight in model.scenario.objectives.get(gov, ()):
            row = rows[indicator]
            total = total + weight * (model.x[row] - model.start_state[row])
        scores[gov] = SCORE_SCALE * total
    return scores


def card_values(
    model: TrilateralModel, gov: str, cards: Sequence[Trigger], weights: Weights | None = None
) -> np.ndarray:
    """Direct effect of each card on a government's objectives, per world (cards x worlds).

    A card's effects are evaluated in the current state, each change limited to what the
    variable's bounds leave (a tie at 0.99 can rise by 0.01 only), and weighted with
    :func:`sensitivity` (or ``weights``, the same computed once); a card whose effects give NaN
    or infinity is worth 0. A history move's approval payoff (the base's reward or punishment,
    :func:`sim.engine.politics.history_payoff`) counts as the approval change it is.
    """
    weights = sensitivity(model, gov) if weights is None else weights
    values = _weighted_changes(model, cards, weights)
    approval_weight = weights.get(model.scenario.layout.rows[f"{gov}.approval"])
    if approval_weight is not None:
        for i, payoff in enumerate(history_payoffs(model, gov, cards)):
            values[i] += approval_weight * payoff
    return values


def domestic_payoffs(model: TrilateralModel, gov: str, cards: Sequence[Trigger]) -> np.ndarray:
    """Each card's domestic payoff to its government, per world (cards x worlds).

    It is the card's direct effect on the government's own approval (limited by the bounds)
    plus the approval the public gives or takes for a history move, given the base of the camp
    in power and the out-party's mobilization (:func:`sim.engine.politics.history_payoff`). It
    reaches every strategy through ``DecisionContext.domestic_payoff()``.
    """
    approval = model.scenario.layout.rows[f"{gov}.approval"]
    payoffs = _weighted_changes(model, cards, {approval: np.ones(model.replications)})
    for i, payoff in enumerate(history_payoffs(model, gov, cards)):
        payoffs[i] += payoff
    return payoffs - defection_costs(model, cards)


def defection_costs_on(model: TrilateralModel) -> bool:
    """Whether defection costs can be non-zero: ``defection_cost`` is not 0 (a swept one is on)."""
    coefficient = model.params["defection_cost"]
    return bool(np.ndim(coefficient) > 0 or coefficient)


def defection_costs(model: TrilateralModel, cards: Sequence[Trigger]) -> np.ndarray:
    """The approval each card would cost its government as a defection (cards x worlds).

    ``defection_cost * institutionalization * sum over pairs of the card's fall of the pair tie``
    (docs/model.md 3.4), with each pair tie's change the domain-weighted change of its domains.
    """
    layout = model.scenario.layout
    costs = np.zeros((len(cards), model.replications))
    coefficient = model.params["defection_cost"]
    if not defection_costs_on(model) or not cards:
        return costs
    ones = np.ones(model.replications)
    for pair in PAIRS:
        tie_rows = layout.tie_rows(pair)
        weights = {
            row: w * ones for row, w in zip(range(tie_rows.start, tie_rows.stop), layout.domain_weights, strict=True)
        }
        costs += np.maximum(-_weighted_changes(model, cards, weights), 0.0)
    return coefficient * model.x[layout.rows["institutionalization"]] * costs


HISTORY_ECHO = 0.5
"""Share of a change in one public's history salience a government expects the other public to echo."""

HISTORY_SIDES = (("ROK", "JPN"), ("JPN", "ROK"))


def partner_reactions(
    model: TrilateralModel, gov: str, cards: Sequence[Trigger], weights: Weights | None = None
) -> np.ndarray:
    """What a government expects its partners' reactions to add to each card's value (cards x worlds).

    Two reactions are anticipated: the bargaining loop's (``bargaining.reaction_values``: a
    U.S. demand met by a concession or by escalation; relief bought by paying; escalation risk
    shielded by a hedge), and the other public's answer to a history move: a card that raises
    (or lowers) one side's history salience is expected to move the other side's by
    ``HISTORY_ECHO`` times as much (a provocation is answered, a conciliatory gesture returned).
    """
    from sim.engine.bargaining import reaction_values

    weights = sensitivity(model, gov) if weights is None else weights
    values = reaction_values(model, gov, cards, weights)
    rows = model.scenario.layout.rows
    for side, other in HISTORY_SIDES:
        echo_weight = weights.get(rows[f"{other}.history_salience"])
        if echo_weight is None:
            continue
        moved = _weighted_changes(model, cards, {rows[f"{side}.history_salience"]: HISTORY_ECHO * echo_weight})
        values = values + moved
    return values


def _weighted_changes(model: TrilateralModel, cards: Sequence[Trigger], weights: Weights) -> np.ndarray:
    """Sum over each card's effects of weight x change (bounded), per world (cards x worlds)."""
    x, p, c, draws = model.x, model.p, model.context, model.draws
    lo, hi = model.scenario.layout.lo, model.scenario.layout.hi
    values = np.zeros((len(cards), model.replications))
    compiled = model.state.compiled
    for i, card in enumerate(cards):
        for effect in card.effects:
            span = range(effect.rows.start, effect.rows.stop)
            rows = [r for r in span if r in weights]
            if not rows:
                continue
            value = np.asarray(effect.value(x, p, c, draws), dtype=np.float64)
            if compiled:
                _weighted_change_kernel(model, values[i], rows, value.reshape(-1), effect.op == "set", weights)
                continue
            value = np.where(np.isfinite(value), value, np.nan)  # a non-finite effect makes the card worth 0
            # Every row's bounded change in one go (element by element, so the same numbers as row
            # by row), then added row by row, so each world's sum does not depend on how many
            # worlds there are.
            where = effect.rows if len(rows) == len(span) else rows
            current = x[where]
            target = np.broadcast_to(value, current.shape) if effect.op == "set" else current + value
            deltas = np.clip(target, lo[where, None], hi[where, None]) - current
            for k, row in enumerate(rows):
                values[i] += weights[row] * deltas[k]
    if compiled:
        kernels.load().zero_nonfinite(values)
        return values
    return zero_nonfinite(values)


def _weighted_change_kernel(
    model: TrilateralModel, out: np.ndarray, rows: list[int], value: np.ndarray, is_set: bool, weights: dict
) -> None:
    """The compiled row loop of :func:`_weighted_changes` (the same bits)."""
    kernel = kernels.load().weighted_change
    lo, hi = model.scenario.layout.lo, model.scenario.layout.hi
    for row in rows:
        weight = np.asarray(weights[row], dtype=np.float64)
        if weight.ndim == 0:  # a sensitivity kept scalar
            weight = np.full(model.replications, weight)
        kernel(model.x, row, value, is_set, float(lo[row]), float(hi[row]), weight, out)


def sensitivity(model: TrilateralModel, gov: str, programs: dict[Any, Any] | None = None) -> Weights:
    """d(objective)/d(state row) for one government: {row: value per world} for the rows that matter.

    A pair tie is the domain-weighted mean of its domains; the trilateral index is credited to
    the pair ties with their weights in the index in each world. Everything is computed world by
    world, so one world's choices never depend on the others (replications stay independent).

    On the compiled engine, ``programs`` (a dict the caller keeps for one model) holds each
    government's sensitivity program once it is made, with the parameter version it was made
    for: its operations depend only on the objectives and the model's parameters, so later calls
    run the kernel on the state of the moment without redoing the Python that builds them
    (:meth:`_SensitivityProgram.rerun`; the same bits). It is made again after ``set_parameter``.
    """
    objectives = model.scenario.objectives.get(gov, ())
    if objectives and getattr(model, "engine", "numpy") == "compiled":
        version = getattr(model, "parameter_version", 0)
        kept = None if programs is None else programs.get(gov)
        if kept is not None and kept[0] == version:
            program = kept[1]
            if program is not _NUMPY_PATH:
                return program.rerun()
        else:
            try:
                program = _SensitivityProgram(model).run(objectives)
            except _NotScalarError:
                program = _NUMPY_PATH  # a swept coefficient or an index weight: the numpy code below (the same bits)
            if programs is not None:
                programs[gov] = (version, program)
            if program is not _NUMPY_PATH:
                return program
    return _sensitivity(model, objectives, _Sensitivity(model.replications), _institution_coefficients, _history_terms)


def _sensitivity(
    model: TrilateralModel,
    objectives: Sequence[tuple[str, float]],
    out: _Sensitivity,
    institution_terms: Callable[[TrilateralModel], list[tuple[str, Any]]],
    history_terms: Callable[[TrilateralModel], tuple[Any, Any]],
) -> _Sensitivity:
    """:func:`sensitivity` into ``out``, with the vector-valued driver coefficients from the two callables."""
    layout = model.scenario.layout
    if not objectives:
        return out
    index_weights = model.state.index_weights() if any(name == "trilateral" for name, _ in objectives) else None
    pair_objective = any(
        name == "trilateral" or (name.startswith("tie.") and name.count(".") == 1) for name, _ in objectives
    )
    institution = institution_terms(model) if pair_objective else []  # the same for every pair: once
    for indicator, weight in objectives:
        if indicator == "trilateral" and index_weights is not None:
            for k, pair in enumerate(PAIRS):
                _add_pair(model, out, pair, weight * index_weights[k], institution, history_terms)
        elif indicator.startswith("tie.") and indicator.count(".") == 1:
            _add_pair(model, out, indicator[4:], weight, institution, history_terms)
        elif indicator == "deterrence":
            out.add(layout.rows["deterrence"], weight)
            _add_deterrence_drivers(model, out, weight)
        else:
            out.add(layout.rows[indicator], weight)
    return out


class _Sensitivity(dict):
    """Sparse sensitivities: row -> a float (the same in every world) or an array over worlds.

    A sensitivity stays a float while every term added to it is one (the same numbers as an
    array of equal values, without array copies).
    """

    def __init__(self, replications: int) -> None:
        super().__init__()
        self.replications = replications

    def add(self, row: int, value: float | np.ndarray) -> None:
        term: float | np.ndarray
        if isinstance(value, float):  # the common case (a Python or numpy float), kept cheap
            term = float(value)
        elif isinstance(value, np.ndarray) and value.shape == (self.replications,) and value.dtype == np.float64:
            term = value  # a vector of the worlds already (copied below if it is the row's first term)
        elif np.ndim(value) == 0:
            term = float(value)
        else:
            term = np.broadcast_to(np.asarray(value, dtype=np.float64), (self.replications,))
        held = self.get(row)
        if held is not None:
            self[row] = held + term
        else:
            self[row] = term.copy() if isinstance(term, np.ndarray) else term


_NUMPY_PATH = object()
"""A government whose sensitivities the compiled program cannot make (kept so as not to try again)."""


class _NotScalarError(Exception):
    """A sensitivity term the compiled program does not take (an array): the numpy code runs instead."""


def _as_scalar(value: Any) -> float:
    if isinstance(value, float):
        return value
    if np.ndim(value) == 0 and not isinstance(value, _Deferred):
        return float(value)
    raise _NotScalarError


class _Deferred:
    """A term ``scale x`` one of the four per-world driver coefficients, computed later by the kernel."""

    __array_ufunc__ = None  # numpy defers to __rmul__ (which refuses an array) instead of making an object array

    def __init__(self, kind: int, scale: float = 1.0) -> None:
        self.kind = kind
        self.scale = scale

    def __rmul__(self, factor: Any) -> _Deferred:
        return _Deferred(self.kind, _as_scalar(factor) * self.scale)


class _SensitivityProgram(_Sensitivity):
    """:func:`sensitivity` on the compiled engine: the Python code runs unchanged, but its array terms are deferred.

    Floats add up as in :class:`_Sensitivity`. A driver coefficient that varies per world (the
    institutional ones and the two history ones) is a :class:`_Deferred` term; a row that gets
    one becomes a slot, and every later term of that row an operation, in order. One
    ``sensitivity_terms`` call then computes the coefficients and runs the operations over the
    worlds (the same bits as the numpy code's array arithmetic). Any array term raises
    :class:`_NotScalarError`, and the caller runs the numpy code instead.
    """

    def __init__(self, model: TrilateralModel) -> None:
        super().__init__(model.replications)
        self.model = model
        self.slots: dict[int, int] = {}
        self.ops: list[tuple[int, bool, int, float]] = []
        self.history = False

    def add(self, row: int, value: float | np.ndarray | _Deferred) -> None:
        if isinstance(value, _Deferred):
            kind, scale = value.kind, value.scale
        else:
            kind, scale = CONSTANT_TERM, _as_scalar(value)
        slot = self.slots.get(row)
        if slot is None and kind == CONSTANT_TERM:
            held = self.get(row)
            self[row] = scale if held is None else held + scale
            return
        if slot is None:
            slot = self.slots[row] = len(self.slots)
            held = self.get(row)
            if held is None:
                self[row] = scale  # a placeholder: keeps the row's place in the dict's order
                self.ops.append((slot, True, kind, scale))
                return
            self.ops.append((slot, True, CONSTANT_TERM, held))
        self.ops.append((slot, False, kind, scale))

    def run(self, objectives: Sequence[tuple[str, float]]) -> _SensitivityProgram:
        """Build the operations (the Python of :func:`sensitivity`), then compute the sensitivities."""
        _sensitivity(self.model, objectives, self, self._institution_terms, self._history_terms)
        self._template = dict(self)  # the floats and the slots' placeholders, in the dict's order
        if not self.slots:
            return self
        model = self.model
        P, rows = model.params, model.scenario.layout.rows
        names = ["institutionalization", "upkeep"]
        constants = [
            _as_scalar(P["upkeep_anchor"] * P["upkeep_weight"]),
            _as_scalar(P["upkeep_per_inst"]),
            _as_scalar(P["inst_anchor"]),
            UPKEEP_PERSISTENCE,
        ]
        if self.history:
            names += [
                f"{gov}.{var}"
                for var in ("history_stance", "history_salience", "abandonment")
                for gov in ("ROK", "JPN")
            ]
            spill = _as_scalar(
                history_spill(model.scenario.layout.domain_weights, P["two_track"], model.history_spillover)
            )
            penalty = _as_scalar(P["history_penalty"])
            constants += [spill * penalty, _as_scalar(P["quasi_alliance_gain"]), -0.5 * spill * penalty]
        else:
            constants += [0.0, 0.0, 0.0]
        slot, first, kind, scale = zip(*self.ops, strict=True)
        self._arguments = (
            np.array([rows[name] for name in names], dtype=np.int64),
            np.array(constants, dtype=np.float64),
            self.history,
            np.array(slot, dtype=np.int64),
            np.array(first, dtype=np.bool_),
            np.array(kind, dtype=np.int64),
            np.array(scale, dtype=np.float64),
        )
        self._fill(self)
        return self

    def rerun(self) -> _Sensitivity:
        """The sensitivities in the model's state now, from the operations :meth:`run` built (a new dict)."""
        out = _SensitivityProgram(self.model)
        out.update(self._template)
        out.slots, out.ops, out.history = self.slots, self.ops, self.history
        out._template = self._template
        if self.slots:
            out._arguments = self._arguments
            out._fill(out)
        return out

    def _fill(self, out: _Sensitivity) -> None:
        """Run the kernel on the state now and put each slot's values in ``out``."""
        model = self.model
        R = model.replications
        values = np.empty((len(self.slots), R))
        names, constants, history, slot, first, kind, scale = self._arguments
        kernels.load().sensitivity_terms(
            model.x, names, constants, history, slot, first, kind, scale, np.empty((STANCE_TERM + 1, R)), values
        )
        for row, k in self.slots.items():
            out[row] = values[k]

    def _institution_terms(self, model: TrilateralModel) -> list[tuple[str, Any]]:
        return [("upkeep", _Deferred(UPKEEP_TERM)), ("institutionalization", _Deferred(INSTITUTION_TERM))]

    def _history_terms(self, model: TrilateralModel) -> tuple[Any, Any]:
        self.history = True
        return _Deferred(SALIENCE_TERM), _Deferred(STANCE_TERM)


INDIRECT_HORIZON = 4.0
"""Turns over which a change in a driver (history salience, hedging ...) is counted when valuing a card."""


def _add_deterrence_drivers(model: TrilateralModel, out: _Sensitivity, weight: float | np.ndarray) -> None:
    """Deterrence credibility follows the deterrence-domain ties and U.S. commitment (outcomes phase)."""
    layout, P = model.scenario.layout, model.params
    scale = weight * P["deterrence_rate"] * INDIRECT_HORIZON
    if "deterrence" in layout.domains:
        for pair in PAIRS:
            out.add(layout.rows[f"tie.{pair}.deterrence"], scale * P["deterrence_tie_gain"] / 3)
    out.add(layout.rows["USA.commitment"], scale * P["deterrence_commitment_gain"])


def _add_pair(
    model: TrilateralModel,
    out: _Sensitivity,
    pair: str,
    weight: float | np.ndarray,
    institution: list[tuple[str, Any]],
    history_terms: Callable[[TrilateralModel], tuple[Any, Any]],
) -> None:
    """Sensitivity of a pair tie: its domains directly, and its drivers through the tie target.

    The drivers' coefficients come from the cooperation equation (docs/model.md); a change in a
    driver moves the tie by about tie_adjust_rate x coefficient per turn, counted over a short
    horizon. Only the sign and rough size matter for choosing cards.
    """
    layout, P = model.scenario.layout, model.params
    rows = layout.rows
    tie_rows = layout.tie_rows(pair)
    for row, domain_weight in zip(range(tie_rows.start, tie_rows.stop), layout.domain_weights, strict=True):
        out.add(row, weight * domain_weight)
    i, j = PAIR_MEMBERS[pair]
    scale = weight * P["tie_adjust_rate"] * INDIRECT_HORIZON

    def driver(name: str, coefficient: Any) -> None:
        out.add(rows[name], scale * coefficient)

    for name, coefficient in institution:
        driver(name, coefficient)
    for gov in (i, j):
        driver(f"{gov}.hedging", -0.5 * P["hedging_penalty"])
    if "USA" in (i, j):
        driver("USA.transactionalism", -P["us_transactional_penalty"])
    if pair == "ROK_JPN":
        salience_coefficient, stance_coefficient = history_terms(model)
        for gov in ("ROK", "JPN"):
            driver(f"{gov}.history_salience", salience_coefficient)
            driver(f"{gov}.history_stance", stance_coefficient)
        driver("ROK.polarization", -P["polarization_penalty"])


def _history_terms(model: TrilateralModel) -> tuple[float | np.ndarray, float | np.ndarray]:
    """The ROK-Japan tie's driver coefficients of a history salience and of a history stance, per world."""
    layout, P, x = model.scenario.layout, model.params, model.x
    rows = layout.rows
    stance = 0.5 * (x[rows["ROK.history_stance"]] + x[rows["JPN.history_stance"]])
    salience = 0.5 * (x[rows["ROK.history_salience"]] + x[rows["JPN.history_salience"]])
    # The history term reaches the pair tie through each domain's spillover (two tracks).
    spill = history_spill(layout.domain_weights, P["two_track"], model.history_spillover)
    # The quasi-alliance pull fades as salience rises: salience costs more under shared fear. It rests on
    # Victor Cha's published quasi-alliance model (Alignment Despite Antagonism, 1999), literature and not
    # an essay of the roundtable (docs/model.md 3.5).
    fear = np.minimum(x[rows["ROK.abandonment"]], x[rows["JPN.abandonment"]])
    salience_coefficient = -0.5 * (spill * P["history_penalty"] * stance + P["quasi_alliance_gain"] * fear)
    return salience_coefficient, -0.5 * spill * P["history_penalty"] * salience


def history_spill(weights: np.ndarray, two_track: float | np.ndarray, spillover: np.ndarray) -> float | np.ndarray:
    """How much of the history term reaches a pair tie: sum over domains of weight x (1 - two_track x (1 - spillover)).

    One number, or one per world when ``two_track`` is swept; each world's value is computed
    exactly as the single value of a run with that ``two_track`` (a sweep's world matches its
    run alone, bit for bit).
    """
    if np.ndim(two_track) == 0:
        return _domain_sum(weights * (1.0 - two_track * (1.0 - spillover)))
    values, inverse = np.unique(np.asarray(two_track, dtype=np.float64), return_inverse=True)
    per_value = np.array([_domain_sum(weights * (1.0 - value * (1.0 - spillover))) for value in values])
    return per_value[inverse.reshape(-1)]


def _domain_sum(terms: np.ndarray) -> float:
    """The domains' terms added in domain order (not ``np.dot``: BLAS's order and fused multiply-add vary by CPU)."""
    first, *rest = terms.tolist()
    total = first
    for term in rest:
        total += term
    return total


UPKEEP_PERSISTENCE = 0.68
"""Mean share of a rise in upkeep still there over the valuation horizon (upkeep fades by 0.25 a quarter)."""


def _institution_coefficients(model: TrilateralModel) -> list[tuple[str, float | np.ndarray]]:
    """Institutionalization and upkeep as drivers of a pair tie (3.5-3.6): (row name, coefficient) pairs.

    Institutionalization anchors the tie (``inst_anchor``) and, kept up, holds it
    (``upkeep_anchor * upkeep_weight * (upkeep - 0.5)``); what a card adds to it also raises
    upkeep in the next outcomes phase (``upkeep_per_inst * (1 - upkeep)``), which holds the tie
    in proportion to institutionalization while it lasts (``UPKEEP_PERSISTENCE``).
    """
    P, x, rows = model.params, model.x, model.scenario.layout.rows
    inst, upkeep = x[rows["institutionalization"]], x[rows["upkeep"]]
    held = P["upkeep_anchor"] * P["upkeep_weight"]
    upkeep_coefficient = held * inst
    raised = P["upkeep_per_inst"] * (1.0 - upkeep) * UPKEEP_PERSISTENCE
    return [
        ("upkeep", upkeep_coefficient),
        ("institutionalization", P["inst_anchor"] + held * (upkeep - 0.5) + held * inst * raised),
    ]
