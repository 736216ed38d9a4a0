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

NO_REF = -(1 << 40)
"""A reference to no number (the row is not in that weight set)."""

SETS = 7
"""Weight sets: objectives, own approval, the three pair ties (defection), the two history echoes."""

BLOCK = 256
"""Worlds per block: a block's sums stay in the L1 cache."""

HELPERS = ("_fill", "_entry", "_finite", "_number", "_clip01", "_least")
KERNELS = ("card_valuation", "bargaining_values")


def _fill(vectors: np.ndarray, scalars: np.ndarray, ref: int, first: int, n: int, out: np.ndarray) -> None:
    """``out[j]`` = the referenced number in world first + j (a row of ``vectors``, or a scalar for ``ref < 0``)."""
    if ref >= 0:
        for j in range(n):
            out[j] = vectors[ref, first + j]
    else:
        value = scalars[-ref - 1]
        for j in range(n):
            out[j] = value


def card_valuation(  # noqa: C901 - one fused pass; each branch is loop-invariant
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
    acc = np.empty((SETS, BLOCK))
    delta = np.empty(BLOCK)
    signal = np.empty(BLOCK)
    approval_weight = np.empty(BLOCK)
    history_coefficient = np.empty(BLOCK)
    defection = np.empty(BLOCK)
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
            for j in range(n):
                defection[j] = defection[j] * x[inst_row, first + j]
        for i in range(card_start.shape[0] - 1):
            for s in range(SETS):
                for j in range(n):
                    acc[s, j] = 0.0
            for j in range(n):
                signal[j] = 0.0
            for e in range(card_start[i], card_start[i + 1]):
                _entry(
                    x,
                    lo,
                    hi,
                    entry_row[e],
                    entry_value[e],
                    entry_set[e],
                    entry_sign[e],
                    vectors,
                    scalars,
                    first,
                    n,
                    delta,
                    signal,
                )
                for s in range(SETS):
                    wref = entry_weight[e, s]
                    if wref == NO_REF:
                        continue
                    if wref >= 0:
                        for j in range(n):
                            acc[s, j] += vectors[wref, first + j] * delta[j]
                    else:
                        weight = scalars[-wref - 1]
                        for j in range(n):
                            acc[s, j] += weight * delta[j]
            for j in range(n):
                w = first + j
                payoff = (history_coefficient[j] * signal[j]) * lean[w] if history else 0.0
                value = acc[0, j]
                value = value if value - value == 0.0 else 0.0
                if with_approval:
                    value = value + approval_weight[j] * payoff
                card_values[i, w] = value
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
                domestic[i, w] = own
                reaction = loop[i, w]
                if echo0:
                    echo = acc[5, j]
                    reaction = reaction + (echo if echo - echo == 0.0 else 0.0)
                if echo1:
                    echo = acc[6, j]
                    reaction = reaction + (echo if echo - echo == 0.0 else 0.0)
                reactions[i, w] = reaction


def _entry(
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    r: int,
    ref: int,
    is_set: bool,
    sign: float,
    vectors: np.ndarray,
    scalars: np.ndarray,
    first: int,
    n: int,
    delta: np.ndarray,
    signal: np.ndarray,
) -> None:
    """One entry on worlds first..first+n: its bounded change into ``delta``, its history signal added."""
    low = lo[r]
    high = hi[r]
    if ref >= 0:
        for j in range(n):
            v = vectors[ref, first + j]
            v = v if v - v == 0.0 else math.nan
            now = x[r, first + j]
            t = v if is_set else now + v
            t = low if t < low else t
            t = high if t > high else t
            delta[j] = t - now
    else:
        v = scalars[-ref - 1]
        v = v if v - v == 0.0 else math.nan
        for j in range(n):
            now = x[r, first + j]
            t = v if is_set else now + v
            t = low if t < low else t
            t = high if t > high else t
            delta[j] = t - now
    if sign != 0.0:
        for j in range(n):
            v = vectors[ref, first + j] if ref >= 0 else scalars[-ref - 1]
            raw = v - x[r, first + j] if is_set else v
            raw = raw if raw - raw == 0.0 else 0.0
            signal[j] = signal[j] + sign * raw


CONCESSION, HEDGE, DEMAND, NO_REACTION = 0, 1, 2, 3
"""Kinds of bargaining-row change (``bargaining._LoopValues.value``): a payment toward a demand on
the government itself, a hedge under such a demand, a U.S. demand, and anything else (worth 0)."""

_BIG = np.finfo(np.float64).max


def _finite(v: float) -> float:
    """``np.nan_to_num`` with its defaults on one float: NaN -> 0, +-inf -> the largest finite float."""
    if v != v:
        return 0.0
    if v > _BIG:
        return _BIG
    if v < -_BIG:
        return -_BIG
    return v


def _number(vectors: np.ndarray, scalars: np.ndarray, ref: int, w: int) -> float:
    """The referenced number in world ``w``."""
    return vectors[ref, w] if ref >= 0 else scalars[-ref - 1]


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
    ``out`` starts at 0; non-finite sums end as 0.
    """
    for i in range(out.shape[0]):
        for w in range(out.shape[1]):
            out[i, w] = 0.0
    for k in range(entries.shape[0]):
        card = entries[k, 0]
        kind = entries[k, 1]
        a = entries[k, 2]
        vref = entries[k, 3]
        demand_row = ally_rows[a, 0]
        for w in range(out.shape[1]):
            if kind == NO_REACTION:
                out[card, w] = out[card, w] + 0.0
                continue
            change = _finite(_number(vectors, scalars, vref, w))
            g = _number(vectors, scalars, coefficients[0], w)
            chance = _number(vectors, scalars, coefficients[1], w)
            shield_gain = _number(vectors, scalars, coefficients[2], w)
            tie = _number(vectors, scalars, ally_refs[a, 0], w)
            hedging_weight = _number(vectors, scalars, ally_refs[a, 1], w)
            t = x[transactionalism_row, w]
            demand = x[demand_row, w]
            escalation = g * (
                -_number(vectors, scalars, coefficients[6], w) * tie
                + _number(vectors, scalars, coefficients[7], w) * hedging_weight
            )
            if kind == HEDGE:
                shielded = ((g * chance) * shield_gain) * change
                shielded = ((shielded * t) * (1.0 if demand > 1e-9 else 0.0)) * 4.0
                out[card, w] = out[card, w] + (-shielded) * escalation
                continue
            relief = g * (
                (
                    _number(vectors, scalars, coefficients[3], w) * tie
                    - _number(vectors, scalars, coefficients[4], w) * hedging_weight
                )
                + (_number(vectors, scalars, coefficients[5], w) * t) * _number(vectors, scalars, coefficients[8], w)
            )
            shield = 1.0 - shield_gain * x[ally_rows[a, 2], w]
            risk = _clip01(((g * chance) * t) * shield) * 4.0
            if kind == CONCESSION:
                paid_now = x[ally_rows[a, 1], w]
                paid = _least(paid_now + change, demand) - _least(paid_now, demand)
                share = paid / demand if demand > 1e-9 else 0.0
                out[card, w] = out[card, w] + ((paid * relief) - ((share * risk) * escalation))
            else:
                capacity = _number(vectors, scalars, ally_refs[a, 2], w)
                concede = _clip01(x[ally_rows[a, 3], w])
                expected = _least(demand + change, capacity) - _least(demand, capacity)
                new = 1.0 if demand <= 1e-9 and change > 0 else 0.0
                out[card, w] = out[card, w] + (
                    ((concede * expected) * relief) + ((((1.0 - concede) * risk) * escalation) * new)
                )
    for i in range(out.shape[0]):
        for w in range(out.shape[1]):
            v = out[i, w]
            out[i, w] = v if v - v == 0.0 else 0.0


def _clip01(v: float) -> float:
    """``np.clip(v, 0, 1)`` on one float (NaN stays NaN)."""
    if v < 0.0:
        v = 0.0
    if v > 1.0:
        v = 1.0
    return v


def _least(a: float, b: float) -> float:
    """``np.minimum`` on two floats: NaN propagates."""
    if a <= b or a != a:
        return a
    return b
