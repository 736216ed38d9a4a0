"""The card-valuation kernel: a government's card values, domestic payoffs and reactions in one pass.

One call per government and turn replaces the numpy path's per-card, per-row loops of
``scoring.card_values``, ``scoring.domestic_payoffs`` (with ``defection_costs`` and
``politics.history_payoffs``) and the history echo of ``scoring.partner_reactions``, with the
same floating-point operations in the same order per world (the plan is built by
:mod:`sim.engine.valuation`). Loops run over worlds innermost, without calls, so they vectorize.
Plain Python that :mod:`sim.engine.kernels` compiles with numba (and tests run uncompiled).
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.kernels.source import np_clamp, np_minimum

NO_REF = -(1 << 40)
"""A reference to no number (the row is not in that weight set)."""

SETS = 7
"""Weight sets: objectives, own approval, the three pair ties (defection), the two history echoes."""

BLOCK = 256
"""Worlds per block: a block's sums stay in the L1 cache."""

HELPERS = ("_fill", "_tie_falls")
KERNELS = ("card_valuation", "bargaining_values", "pay", "tie_falls", "sensitivity_terms", "defection_cost")

CONSTANT_TERM, UPKEEP_TERM, INSTITUTION_TERM, SALIENCE_TERM, STANCE_TERM = 0, 1, 2, 3, 4
"""What a sensitivity term is: a number, or a number times one of the four per-world driver coefficients."""


def _fill(vectors: np.ndarray, scalars: np.ndarray, ref: int, first: int, n: int, out: np.ndarray) -> None:
    """``out[j]`` = the referenced number in world first + j (a row of ``vectors``, or a scalar for ``ref < 0``)."""
    if ref >= 0:
        row = vectors[ref, first : first + n]
        for j in range(n):
            out[j] = row[j]
    else:
        value = scalars[-ref - 1]
        for j in range(n):
            out[j] = value


def card_valuation(  # noqa: C901 - one fused pass: helper calls with array arguments in its loops cost a reference count each
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    card_start: np.ndarray,
    entry_row: np.ndarray,
    entry_value: np.ndarray,
    entry_set: np.ndarray,
    entry_sign: np.ndarray,
    entry_weight: np.ndarray,
    vectors: np.ndarray,
    scalars: np.ndarray,
    config: np.ndarray,
    lean: np.ndarray,
    loop: np.ndarray,
    card_values: np.ndarray,
    domestic: np.ndarray,
    reactions: np.ndarray,
) -> None:
    """Card values, domestic payoffs and reactions (cards x worlds) of one government.

    Numbers (effect values, weights, coefficients) are references: ``k >= 0`` is row k of
    ``vectors`` (one value per world), ``k < 0`` is ``scalars[-k - 1]``. Entry e is one row of
    one card effect (cards' entries are ``card_start[i]:card_start[i + 1]``, in effect then row
    order): its row, value, whether the effect sets, its history sign (+1 salience, -1 the
    ROK-Japan history domain, 0 none) and its weight in each of the :data:`SETS` weight sets
    (:data:`NO_REF` when the row is not in the set). ``config`` holds the references of the
    approval objective weight, ``history_politics`` and ``defection_cost``, then flags (history
    government, defection on, each echo on) and the institutionalization row. ``loop`` is the
    bargaining loop's part of the reactions (already without non-finite values).

    Per entry: delta = clip(target, lo, hi) - x (a non-finite value gives NaN), added times its
    weight to each set's sum; the history signal adds sign * (value, or value - x for a set,
    with non-finite as 0). Per card: each sum's non-finite values become 0, then
    card_value = objectives [+ approval weight * payoff], payoff = history_politics * signal *
    lean (0 outside Seoul and Tokyo), domestic = approval + payoff - defection_cost *
    institutionalization * sum of the pair ties' falls, reactions = loop + echoes.
    """
    worlds = x.shape[1]
    acc = np.zeros((SETS, BLOCK))
    delta = np.empty(BLOCK)
    signal = np.empty(BLOCK)
    approval_weight = np.empty(BLOCK)
    history_coefficient = np.empty(BLOCK)
    defection = np.empty(BLOCK)
    raw = np.empty(BLOCK)
    used = np.zeros(SETS, dtype=np.bool_)  # a set no entry weights stays 0: not cleared per card
    for e in range(entry_weight.shape[0]):
        for s in range(SETS):
            if entry_weight[e, s] != NO_REF:
                used[s] = True
    with_approval = config[0] != NO_REF
    history = config[3] != 0
    defect = config[4] != 0
    echo0 = config[5] != 0
    echo1 = config[6] != 0
    inst_row = config[7]
    for first in range(0, worlds, BLOCK):
        n = min(BLOCK, worlds - first)
        if with_approval:
            _fill(vectors, scalars, config[0], first, n, approval_weight)
        if history:
            _fill(vectors, scalars, config[1], first, n, history_coefficient)
        if defect:
            _fill(vectors, scalars, config[2], first, n, defection)
            inst = x[inst_row, first : first + n]
            for j in range(n):
                defection[j] = defection[j] * inst[j]
        for i in range(card_start.shape[0] - 1):
            for s in range(SETS):
                if used[s]:
                    acc_s = acc[s]
                    for j in range(n):
                        acc_s[j] = 0.0
            for j in range(n):
                signal[j] = 0.0
            for e in range(card_start[i], card_start[i + 1]):
                r = entry_row[e]
                low = lo[r]
                high = hi[r]
                is_set = entry_set[e]
                ref = entry_value[e]
                now = x[r, first : first + n]
                if ref >= 0:
                    given = vectors[ref, first : first + n]
                    for j in range(n):
                        v = given[j]
                        v = v if v - v == 0.0 else math.nan
                        t = v if is_set else now[j] + v
                        t = low if t < low else t
                        t = high if t > high else t
                        delta[j] = t - now[j]
                else:
                    v = scalars[-ref - 1]
                    v = v if v - v == 0.0 else math.nan
                    for j in range(n):
                        t = v if is_set else now[j] + v
                        t = low if t < low else t
                        t = high if t > high else t
                        delta[j] = t - now[j]
                sign = entry_sign[e]
                if sign != 0.0:  # the history signal: sign * (value, or value - x for a set), non-finite as 0
                    _fill(vectors, scalars, ref, first, n, raw)
                    for j in range(n):
                        v = raw[j] - now[j] if is_set else raw[j]
                        v = v if v - v == 0.0 else 0.0
                        signal[j] = signal[j] + sign * v
                for s in range(SETS):
                    wref = entry_weight[e, s]
                    if wref == NO_REF:
                        continue
                    acc_s = acc[s]
                    if wref >= 0:
                        weights = vectors[wref, first : first + n]
                        for j in range(n):
                            acc_s[j] += weights[j] * delta[j]
                    else:
                        weight = scalars[-wref - 1]
                        for j in range(n):
                            acc_s[j] += weight * delta[j]
            values = card_values[i, first : first + n]
            own_values = domestic[i, first : first + n]
            loop_values = loop[i, first : first + n]
            reaction_values = reactions[i, first : first + n]
            leans = lean[first : first + n] if history else lean
            for j in range(n):
                payoff = (history_coefficient[j] * signal[j]) * leans[j] if history else 0.0
                value = acc[0, j]
                value = value if value - value == 0.0 else 0.0
                if with_approval:
                    value = value + approval_weight[j] * payoff
                values[j] = value
                own = acc[1, j]
                own = own if own - own == 0.0 else 0.0
                own = own + payoff
                if defect:
                    costs = 0.0
                    for s in range(2, 5):
                        fall = acc[s, j]
                        fall = -fall if fall - fall == 0.0 else 0.0
                        costs = costs + (fall if fall > 0.0 else 0.0)
                    own = own - defection[j] * costs
                else:
                    own = own - 0.0
                own_values[j] = own
                reaction = loop_values[j]
                if echo0:
                    echo = acc[5, j]
                    reaction = reaction + (echo if echo - echo == 0.0 else 0.0)
                if echo1:
                    echo = acc[6, j]
                    reaction = reaction + (echo if echo - echo == 0.0 else 0.0)
                reaction_values[j] = reaction


CONCESSION, HEDGE, DEMAND, NO_REACTION = 0, 1, 2, 3
"""Kinds of bargaining-row change (``bargaining._LoopValues.value``): a payment toward a demand on
the government itself, a hedge under such a demand, a U.S. demand, and anything else (worth 0)."""

_BIG = np.finfo(np.float64).max


def bargaining_values(
    x: np.ndarray,
    entries: np.ndarray,
    ally_rows: np.ndarray,
    ally_refs: np.ndarray,
    coefficients: np.ndarray,
    transactionalism_row: int,
    vectors: np.ndarray,
    scalars: np.ndarray,
    out: np.ndarray,
) -> None:
    """``bargaining.reaction_values``: what the bargaining loop adds to each card's value (cards x worlds).

    ``entries`` rows are (card, kind, ally, value reference) in card and effect order, kinds as
    :data:`CONCESSION` ...; ``ally_rows`` holds each ally's demand, concession, hedging and
    willingness rows; ``ally_refs`` the references of its tie weight (summed over domains), its
    hedging weight and its capacity (the most its cards pay); ``coefficients`` the references of
    bargaining_gain, escalation_chance, hedge_shield, concession_relief, relief_hedging,
    concession_win, escalation_tie_cost, escalation_hedging and the U.S. approval weight.
    ``out`` starts at 0; non-finite sums end as 0. The change is ``np.nan_to_num``-ed (NaN -> 0,
    +-inf -> the largest finite float), as the numpy code does; ``np.minimum`` and ``np.clip``
    are spelled out (NaN propagates).
    """
    worlds = out.shape[1]
    for i in range(out.shape[0]):
        for w in range(worlds):
            out[i, w] = 0.0
    coef = np.empty((coefficients.shape[0], worlds))
    for c in range(coefficients.shape[0]):
        _fill(vectors, scalars, coefficients[c], 0, worlds, coef[c])
    tie = np.empty(worlds)
    hedging_weight = np.empty(worlds)
    capacity = np.empty(worlds)
    change = np.empty(worlds)
    big = _BIG
    for k in range(entries.shape[0]):
        card = entries[k, 0]
        kind = entries[k, 1]
        a = entries[k, 2]
        if kind == NO_REACTION:
            for w in range(worlds):
                out[card, w] = out[card, w] + 0.0
            continue
        _fill(vectors, scalars, entries[k, 3], 0, worlds, change)
        _fill(vectors, scalars, ally_refs[a, 0], 0, worlds, tie)
        _fill(vectors, scalars, ally_refs[a, 1], 0, worlds, hedging_weight)
        if kind == DEMAND:
            _fill(vectors, scalars, ally_refs[a, 2], 0, worlds, capacity)
        demand_row = ally_rows[a, 0]
        paid_row = ally_rows[a, 1]
        hedging_row = ally_rows[a, 2]
        willingness_row = ally_rows[a, 3]
        for w in range(worlds):
            v = change[w]
            v = 0.0 if v != v else v
            v = big if v > big else v
            v = -big if v < -big else v
            g = coef[0, w]
            t = x[transactionalism_row, w]
            demand = x[demand_row, w]
            escalation = g * (-coef[6, w] * tie[w] + coef[7, w] * hedging_weight[w])
            if kind == HEDGE:
                shielded = ((g * coef[1, w]) * coef[2, w]) * v
                shielded = ((shielded * t) * (1.0 if demand > 1e-9 else 0.0)) * 4.0
                out[card, w] = out[card, w] + (-shielded) * escalation
                continue
            relief = g * ((coef[3, w] * tie[w] - coef[4, w] * hedging_weight[w]) + (coef[5, w] * t) * coef[8, w])
            risk = ((g * coef[1, w]) * t) * (1.0 - coef[2, w] * x[hedging_row, w])
            risk = 0.0 if risk < 0.0 else risk
            risk = (1.0 if risk > 1.0 else risk) * 4.0
            if kind == CONCESSION:
                now = x[paid_row, w]
                after = now + v
                paid = after if after <= demand or after != after else demand
                paid = paid - (now if now <= demand or now != now else demand)
                share = paid / demand if demand > 1e-9 else 0.0
                out[card, w] = out[card, w] + ((paid * relief) - ((share * risk) * escalation))
            else:
                most = capacity[w]
                concede = x[willingness_row, w]
                concede = 0.0 if concede < 0.0 else concede
                concede = 1.0 if concede > 1.0 else concede
                after = demand + v
                expected = after if after <= most or after != after else most
                expected = expected - (demand if demand <= most or demand != demand else most)
                new = 1.0 if demand <= 1e-9 and v > 0 else 0.0
                out[card, w] = out[card, w] + (
                    ((concede * expected) * relief) + ((((1.0 - concede) * risk) * escalation) * new)
                )
    for i in range(out.shape[0]):
        for w in range(worlds):
            v = out[i, w]
            out[i, w] = v if v - v == 0.0 else 0.0


def pay(chosen: np.ndarray, available: np.ndarray, costs: np.ndarray, capital: np.ndarray, spent: np.ndarray) -> None:
    """``Government.play``'s payment: cards in order while capital lasts, their costs summed into ``spent``.

    chosen &= available; then per card: affordable = chosen and capital >= cost - 1e-9, capital
    -= cost * affordable; spent = cost_0 * chosen_0 + cost_1 * chosen_1 + ... (in card order).
    """
    worlds = chosen.shape[1]
    left = capital.copy()
    for i in range(chosen.shape[0]):
        cost = costs[i]
        floor = cost - 1e-9
        for w in range(worlds):
            take = chosen[i, w] & available[i, w] & (left[w] >= floor)  # no short-circuit: the loop vectorizes
            chosen[i, w] = take
            paid = cost * (1.0 if take else 0.0)
            left[w] = left[w] - paid
            spent[w] = paid if i == 0 else spent[w] + paid


def tie_falls(x: np.ndarray, pair_rows: np.ndarray, before: np.ndarray, fall: np.ndarray) -> bool:
    """``Government._defection_cost``'s sum over the pair ties of max(before - now, 0); whether any is non-zero."""
    return _tie_falls(x, pair_rows, before, fall)


def defection_cost(
    x: np.ndarray,
    pair_rows: np.ndarray,
    before: np.ndarray,
    inst_row: int,
    coefficient: np.ndarray,
    approval_row: int,
    lo: np.ndarray,
    hi: np.ndarray,
    fall: np.ndarray,
) -> bool:
    """``Government._defection_cost`` with the record off: the ties' falls, then (if any) the approval cost.

    approval += -((defection_cost * institutionalization) * fall), within the row's bounds, where
    ``coefficient`` holds one number or one per world; nothing changes when no tie fell in any world.
    """
    if not _tie_falls(x, pair_rows, before, fall):
        return False
    per_world = coefficient.shape[0] > 1
    low = lo[approval_row]
    high = hi[approval_row]
    for w in range(x.shape[1]):
        c = coefficient[w] if per_world else coefficient[0]
        cost = c * x[inst_row, w] * fall[w]
        x[approval_row, w] = np_clamp(x[approval_row, w] + -cost, low, high)  # as WorldState.apply
    return True


def _tie_falls(x: np.ndarray, pair_rows: np.ndarray, before: np.ndarray, fall: np.ndarray) -> bool:
    worlds = x.shape[1]
    for p in range(pair_rows.shape[0]):
        row = pair_rows[p]
        for w in range(worlds):
            drop = before[p, w] - x[row, w]
            drop = drop if drop >= 0.0 or drop != drop else 0.0
            fall[w] = drop if p == 0 else fall[w] + drop
    nonzero = False
    for w in range(worlds):
        if fall[w] != 0.0:
            nonzero = True
    return nonzero


def sensitivity_terms(
    x: np.ndarray,
    rows: np.ndarray,
    constants: np.ndarray,
    history: bool,
    op_slot: np.ndarray,
    op_first: np.ndarray,
    op_kind: np.ndarray,
    op_scale: np.ndarray,
    base: np.ndarray,
    out: np.ndarray,
) -> None:
    """The sensitivities ``scoring.sensitivity`` sums from per-world terms, one row of ``out`` per slot.

    First the driver coefficients per world into ``base`` (rows: the kind's number, 1 to 4), as
    ``scoring._institution_coefficients`` and ``scoring._history_terms`` compute them; ``rows``
    are institutionalization, upkeep, then (with ``history``) the two history stances, the two
    saliences and the two abandonment fears; ``constants`` are upkeep_anchor * upkeep_weight,
    upkeep_per_inst, inst_anchor, the upkeep persistence, spill * history_penalty,
    quasi_alliance_gain and -0.5 * spill * history_penalty. Then each operation in order: the
    term is its scale (a constant) or scale * base[kind]; the slot takes it (first) or adds it,
    as ``_Sensitivity.add`` does.
    """
    held = constants[0]
    per_inst = constants[1]
    anchor = constants[2]
    persistence = constants[3]
    spill_penalty = constants[4]
    quasi = constants[5]
    stance_factor = constants[6]
    inst = x[rows[0]]
    upkeep = x[rows[1]]
    for w in range(x.shape[1]):
        base[UPKEEP_TERM, w] = held * inst[w]
        raised = per_inst * (1.0 - upkeep[w]) * persistence
        base[INSTITUTION_TERM, w] = anchor + held * (upkeep[w] - 0.5) + held * inst[w] * raised
    if history:
        stance_a = x[rows[2]]
        stance_b = x[rows[3]]
        salience_a = x[rows[4]]
        salience_b = x[rows[5]]
        fear_a = x[rows[6]]
        fear_b = x[rows[7]]
        for w in range(x.shape[1]):
            stance = 0.5 * (stance_a[w] + stance_b[w])
            fear = np_minimum(fear_a[w], fear_b[w])
            base[SALIENCE_TERM, w] = -0.5 * (spill_penalty * stance + quasi * fear)
            base[STANCE_TERM, w] = stance_factor * (0.5 * (salience_a[w] + salience_b[w]))
    for k in range(op_slot.shape[0]):
        target = out[op_slot[k]]
        scale = op_scale[k]
        kind = op_kind[k]
        first = op_first[k]
        if kind == CONSTANT_TERM:
            for w in range(out.shape[1]):
                target[w] = scale if first else target[w] + scale
        else:
            terms = base[kind]
            for w in range(out.shape[1]):
                term = scale * terms[w]
                target[w] = term if first else target[w] + term
