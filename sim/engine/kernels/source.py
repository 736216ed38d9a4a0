"""The compiled path's kernels as plain Python loops; :mod:`sim.engine.kernels` compiles them with numba.

Each kernel does, world by world, exactly the floating-point operations of the numpy code it
replaces, in the same order (no fast-math, no fused multiply-add), so both paths give the same
bits. The numpy code stays the reference; the comment on each kernel names it. This module does
not import numba: it runs (slowly) as plain Python too, which the tests use.
"""

from __future__ import annotations

import math

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / float(1 << 53)

HELPERS = ("mix", "unit", "np_maximum", "np_minimum", "np_clamp", "_before", "_bounded", "_choice_rounds")
"""Functions the kernels call (``sim.engine.kernels.load`` inlines them)."""
KERNELS = (
    "uniform_block",
    "apply_rows",
    "refresh_ties",
    "greedy",
    "objective_choice",
    "weighted_change",
    "zero_nonfinite",
    "objective_values",
    "objective_decision",
    "threat_acts",
    "threat_drift",
)
"""The kernels ``sim.engine.kernels.load`` compiles from this module."""


def mix(z: np.uint64) -> np.uint64:
    """SplitMix64 finalizer on one uint64 (``sim.engine.rng._mix_array``)."""
    z = z ^ (z >> _S30)
    z = z * _M1
    z = z ^ (z >> _S27)
    z = z * _M2
    return z ^ (z >> _S31)


def unit(replication: np.uint64, key: np.uint64) -> float:
    """One uniform draw in [0, 1) (``CounterRNG.uniform``)."""
    z = replication * _GOLDEN + key
    bits = mix(mix(z) ^ key)
    return float(bits >> _S11) * _TO_UNIT


def uniform_block(replications: np.ndarray, keys: np.ndarray, scale: float, out: np.ndarray) -> None:
    """``out[s] = uniform(slot s) * scale`` for each key (``DecisionContext.jitter``; scale 1 for plain draws)."""
    for s in range(keys.shape[0]):
        key = keys[s]
        for w in range(replications.shape[0]):
            out[s, w] = unit(replications[w], key) * scale


def apply_rows(
    x: np.ndarray, r0: int, delta: np.ndarray, lo: np.ndarray, hi: np.ndarray, change: np.ndarray, clip: bool
) -> None:
    """``WorldState.apply`` and ``apply_parts``: x += delta within [lo, hi] on rows r0.., the change into ``change``.

    ``delta`` is 2-D with each axis either full or of length 1 (broadcast, as numpy would). A NaN
    sum stays NaN. At a bound the two numpy forms differ on signed zeros: ``apply`` takes
    ``np.minimum(np.maximum(old + d, lo), hi)``, which gives the bound on a tie (-0.0 at a bound of
    0.0 becomes 0.0); ``apply_parts`` takes ``np.clip`` (``clip``), which keeps the sum.
    """
    row_step = 1 if delta.shape[0] > 1 else 0
    world_step = 1 if delta.shape[1] > 1 else 0
    for k in range(change.shape[0]):
        r = r0 + k
        low = lo[r]
        high = hi[r]
        dk = k * row_step
        for w in range(change.shape[1]):
            old = x[r, w]
            new = old + delta[dk, w * world_step]
            new = _bounded(new, low, high) if clip else np_clamp(new, low, high)
            x[r, w] = new
            change[k, w] = new - old


def refresh_ties(
    x: np.ndarray,
    pair_rows: np.ndarray,
    agg_rows: np.ndarray,
    weights: np.ndarray,
    index_row: int,
    weakest: np.ndarray,
    pairs: int,
) -> None:
    """``WorldState.refresh_ties``: each stale pair's tie as the weighted sum of its domains, then the index.

    ``pairs`` holds a bit per pair (bit p: pair p is recomputed). Block by block of worlds, each
    pair's sum kept in a small buffer (the state rows are read once).
    """
    n_domains = weights.shape[0]
    worlds = x.shape[1]
    total = np.empty(_TIE_BLOCK)
    for start in range(0, worlds, _TIE_BLOCK):
        n = min(_TIE_BLOCK, worlds - start)
        for p in range(agg_rows.shape[0]):
            if not (pairs >> p) & 1:
                continue
            first = pair_rows[p]
            domain = x[first, start : start + n]
            w0 = weights[0]
            for j in range(n):
                total[j] = w0 * domain[j]
            for d in range(1, n_domains):
                wd = weights[d]
                domain = x[first + d, start : start + n]
                for j in range(n):
                    total[j] += wd * domain[j]
            tie = x[agg_rows[p], start : start + n]
            for j in range(n):
                tie[j] = total[j]
        t0s = x[agg_rows[0], start : start + n]
        t1s = x[agg_rows[1], start : start + n]
        t2s = x[agg_rows[2], start : start + n]
        index = x[index_row, start : start + n]
        weakest_block = weakest[start : start + n]
        for j in range(n):
            t0 = t0s[j]
            t1 = t1s[j]
            t2 = t2s[j]
            low = np_minimum(np_minimum(t0, t1), t2)
            mean = ((t0 + t1) + t2) / 3.0
            a = weakest_block[j]
            index[j] = a * low + (1 - a) * mean


_TIE_BLOCK = 512
"""Worlds per block of :func:`refresh_ties` (its buffer stays in the L1 cache)."""


def np_maximum(a: float, b: float) -> float:
    """``np.maximum`` on two floats: NaN in either propagates, a tie (0.0 and -0.0) gives ``b``."""
    if a > b or a != a:
        return a
    return b


def np_minimum(a: float, b: float) -> float:
    """``np.minimum`` on two floats: NaN in either propagates, a tie (0.0 and -0.0) gives ``b``."""
    if a < b or a != a:
        return a
    return b


def np_clamp(value: float, low: float, high: float) -> float:
    """``np.minimum(np.maximum(value, low), high)``: the numpy path's bounds on a state update."""
    return np_minimum(np_maximum(value, low), high)


def greedy(
    scores: np.ndarray,
    available: np.ndarray,
    costs: np.ndarray,
    capital: np.ndarray,
    threshold: float,
    chosen: np.ndarray,
) -> None:
    """``DecisionContext.greedy``: best score first (stable, NaN last) while score > threshold and capital lasts."""
    n = scores.shape[0]
    order = np.empty(n, dtype=np.int64)
    ranked = np.empty(n)
    for w in range(scores.shape[1]):
        # Stable insertion sort of -score ascending, NaN last (np.argsort(kind="stable")).
        for c in range(n):
            key = -scores[c, w] if available[c, w] else math.inf
            pos = c
            while pos > 0 and _before(key, ranked[pos - 1]):
                ranked[pos] = ranked[pos - 1]
                order[pos] = order[pos - 1]
                pos -= 1
            ranked[pos] = key
            order[pos] = c
        left = capital[w]
        for rank in range(n):
            card = order[rank]
            score = -ranked[rank]
            if score > threshold and left >= costs[card] - 1e-9:
                chosen[card, w] = True
                left = left - costs[card]


def _before(a: float, b: float) -> bool:
    """Strict order of numpy's sort: a < b, and any number before NaN."""
    return a < b or (b != b and a == a)


def objective_choice(
    value: np.ndarray,
    costs: np.ndarray,
    capital: np.ndarray,
    capital_price: float,
    reserve: float,
    turn_decay: float,
    chosen: np.ndarray,
) -> None:
    """``ObjectiveSeeking.choose``: take the best net card, one at a time, while its net value is positive.

    ``value`` is already -inf where a card is unavailable. Round by round over all worlds, as the
    numpy loop (worlds innermost, so the rounds vectorize): a world that takes no card in a
    round changes nothing, so it takes none in later rounds either; the loop ends at the first
    round in which no world takes a card.
    """
    worlds = value.shape[1]
    _choice_rounds(
        value,
        chosen,
        worlds,
        costs,
        capital.copy(),
        np.ones(worlds),
        np.zeros(worlds, dtype=np.int64),
        np.empty(worlds),
        capital_price,
        reserve,
        turn_decay,
    )


def _choice_rounds(
    value: np.ndarray,
    chosen: np.ndarray,
    m: int,
    costs: np.ndarray,
    left: np.ndarray,
    keep: np.ndarray,
    best: np.ndarray,
    best_net: np.ndarray,
    capital_price: float,
    reserve: float,
    turn_decay: float,
) -> None:
    """The rounds of :func:`objective_choice` over the first ``m`` worlds (columns) of ``value`` and ``chosen``.

    ``left`` starts as each world's capital, ``keep`` as 1 and ``chosen`` all False; ``best`` and
    ``best_net`` are scratch. Worlds innermost, so the rounds vectorize; the rounds end at the
    first one in which no world takes a card.
    """
    n = value.shape[0]
    for _ in range(n):
        for c in range(n):
            cost = costs[c]
            row = value[c]
            done = chosen[c]
            first = c == 0
            for w in range(m):
                spare = left[w]
                shortfall = (reserve - (spare - cost)) / reserve
                shortfall = 0.0 if shortfall < 0.0 else shortfall
                shortfall = 1.0 if shortfall > 1.0 else shortfall
                net = keep[w] * row[w] - capital_price * (1.0 + shortfall) * cost
                net = net if (not done[w]) & (cost <= spare + 1e-9) else -math.inf
                old = best_net[w]
                # Selections, not branches (``&``/``|`` do not short-circuit), so the loop vectorizes.
                better = first | (net > old) | ((net != net) & (old == old))
                best[w] = c if better else best[w]
                best_net[w] = net if better else old
        taken = False
        for w in range(m):
            if best_net[w] > 0.0:
                card = best[w]
                chosen[card, w] = True
                left[w] = left[w] - costs[card]
                keep[w] = keep[w] * turn_decay
                taken = True
        if not taken:
            break


def weighted_change(
    x: np.ndarray,
    row: int,
    value: np.ndarray,
    is_set: bool,
    low: float,
    high: float,
    weight: np.ndarray,
    out: np.ndarray,
) -> None:
    """``scoring._weighted_changes`` for one row: out += weight * (clip(target, lo, hi) - x[row]).

    ``value`` has 1 or R entries; a non-finite value counts as NaN (the card is then worth 0).
    """
    step = 1 if value.shape[0] > 1 else 0
    for w in range(out.shape[0]):
        v = value[w * step]
        if not (v - v == 0.0):
            v = math.nan
        now = x[row, w]
        target = v if is_set else now + v
        if target < low:
            target = low
        if target > high:
            target = high
        out[w] += weight[w] * (target - now)


def zero_nonfinite(values: np.ndarray) -> None:
    """``np.nan_to_num(values, nan=0, posinf=0, neginf=0)`` in place (2-D)."""
    for i in range(values.shape[0]):
        for w in range(values.shape[1]):
            v = values[i, w]
            if not (v - v == 0.0):
                values[i, w] = 0.0


def objective_values(
    card_values: np.ndarray,
    domestic: np.ndarray,
    reactions: np.ndarray,
    vulnerable: np.ndarray,
    draws: np.ndarray,
    spread: float,
    available: np.ndarray,
    out: np.ndarray,
) -> None:
    """``ObjectiveSeeking.values`` and its availability mask: -inf where a card is unavailable.

    value = (card_values + vulnerable * domestic + reactions) * (1 + spread * (2 * draw - 1)).
    """
    for c in range(out.shape[0]):
        for w in range(out.shape[1]):
            if available[c, w]:
                value = card_values[c, w] + vulnerable[w] * domestic[c, w] + reactions[c, w]
                out[c, w] = value * (1.0 + spread * (2.0 * draws[c, w] - 1.0))
            else:
                out[c, w] = -math.inf


_DECISION_BLOCK = 256
"""Worlds per block of :func:`objective_decision` (its card values stay in the L1 cache)."""


def objective_decision(
    card_values: np.ndarray,
    domestic: np.ndarray,
    reactions: np.ndarray,
    approval: np.ndarray,
    domestic_weight: float,
    replications: np.ndarray,
    keys: np.ndarray,
    spread: float,
    available: np.ndarray,
    costs: np.ndarray,
    capital: np.ndarray,
    capital_price: float,
    reserve: float,
    turn_decay: float,
    chosen: np.ndarray,
) -> None:
    """``ObjectiveSeeking.choose`` in one pass: timing draws, values (:func:`objective_values`), choice.

    Block by block of worlds: each card's value, with its timing draw ``uniform(slot c) * 1.0``
    (``DecisionContext.jitter(1.0)``, :func:`uniform_block`) made here, and vulnerable =
    domestic_weight * (1 - approval); then the rounds of :func:`objective_choice`
    (:func:`_choice_rounds`) over the block's worlds, until a round in which no world of the
    block takes a card. A world that takes none in a round changes nothing, so it would take none
    later either: rounds per block give the cards that rounds over all worlds give. Every
    element of ``chosen`` is written.
    """
    n = card_values.shape[0]
    worlds = card_values.shape[1]
    value = np.empty((n, _DECISION_BLOCK))
    taken = np.zeros((n, _DECISION_BLOCK), dtype=np.bool_)
    vulnerable = np.empty(_DECISION_BLOCK)
    left = np.empty(_DECISION_BLOCK)
    keep = np.empty(_DECISION_BLOCK)
    best = np.zeros(_DECISION_BLOCK, dtype=np.int64)
    best_net = np.empty(_DECISION_BLOCK)
    for first in range(0, worlds, _DECISION_BLOCK):
        m = min(_DECISION_BLOCK, worlds - first)
        own_approval = approval[first : first + m]
        own_capital = capital[first : first + m]
        for j in range(m):
            vulnerable[j] = domestic_weight * (1.0 - own_approval[j])
            left[j] = own_capital[j]
            keep[j] = 1.0
        block = replications[first : first + m]
        for c in range(n):
            key = keys[c]
            direct = card_values[c, first : first + m]
            home = domestic[c, first : first + m]
            reaction = reactions[c, first : first + m]
            playable = available[c, first : first + m]
            row = value[c]
            done = taken[c]
            for j in range(m):
                draw = unit(block[j], key) * 1.0
                worth = (direct[j] + vulnerable[j] * home[j]) + reaction[j]
                worth = worth * (1.0 + spread * (2.0 * draw - 1.0))
                row[j] = worth if playable[j] else -math.inf
                done[j] = False
        _choice_rounds(value, taken, m, costs, left, keep, best, best_net, capital_price, reserve, turn_decay)
        for c in range(n):
            picked = taken[c]
            out = chosen[c, first : first + m]
            for j in range(m):
                out[j] = picked[j]


def threat_drift(
    x: np.ndarray,
    start: np.ndarray,
    capability_row: int,
    aggressiveness_row: int,
    engagement_row: int,
    coefficients: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> None:
    """``ThreatActor.act``'s capability growth, then ``_temper``, each change within the row's bounds.

    ``coefficients`` holds growth, aggression_reversion, engagement_gain and engagement_decay,
    one column (the same in every world) or one per world. As the numpy code: capability +=
    growth * (1 - capability); aggressiveness += (0 + reversion * (start - aggressiveness)) +
    -gain * engagement * aggressiveness (``apply_parts`` sums its parts with Python's ``sum``);
    engagement += -decay * engagement. The bounds as in :func:`apply_rows` (``np.clip`` for
    aggressiveness, which ``apply_parts`` sets; numpy's maximum and minimum for the other two).
    """
    per_world = coefficients.shape[1] > 1
    cap_low, cap_high = lo[capability_row], hi[capability_row]
    agg_low, agg_high = lo[aggressiveness_row], hi[aggressiveness_row]
    eng_low, eng_high = lo[engagement_row], hi[engagement_row]
    for w in range(x.shape[1]):
        c = w if per_world else 0
        growth = coefficients[0, c]
        reversion = coefficients[1, c]
        gain = coefficients[2, c]
        decay = coefficients[3, c]
        old = x[capability_row, w]
        x[capability_row, w] = np_clamp(old + growth * (1.0 - old), cap_low, cap_high)
        aggressiveness = x[aggressiveness_row, w]
        engagement = x[engagement_row, w]
        total = 0.0 + reversion * (start[aggressiveness_row, w] - aggressiveness)
        total = total + -gain * engagement * aggressiveness
        x[aggressiveness_row, w] = _bounded(aggressiveness + total, agg_low, agg_high)
        x[engagement_row, w] = np_clamp(engagement + -decay * engagement, eng_low, eng_high)


def threat_acts(
    x: np.ndarray,
    flag_rows: np.ndarray,
    habit_rows: np.ndarray,
    intensity: np.ndarray,
    fired: np.ndarray,
    coefficients: np.ndarray,
    activity_row: int,
    impact_row: int,
    provocations_row: int,
) -> None:
    """The act loop of ``ThreatActor.act``: flags, severities, habituation, activity, impact, provocations.

    ``intensity`` and ``fired`` are (acts, worlds); ``coefficients`` holds habituation_gain,
    habituation_build and habituation_decay per world. Each act is perceived with the habituation
    it found, then habituation builds (act fired) or decays; activity and impact are capped at 1.
    """
    worlds = x.shape[1]
    activity = np.empty(_ACT_BLOCK)
    impact = np.empty(_ACT_BLOCK)
    count = np.empty(_ACT_BLOCK)
    for first in range(0, worlds, _ACT_BLOCK):  # acts outer, worlds inner (vectorized), block by block of worlds
        n = min(_ACT_BLOCK, worlds - first)
        gain = coefficients[0, first : first + n]
        build = coefficients[1, first : first + n]
        decay = coefficients[2, first : first + n]
        for j in range(n):
            activity[j] = 0.0
            impact[j] = 0.0
            count[j] = 0.0
        for a in range(flag_rows.shape[0]):
            flags = x[flag_rows[a], first : first + n]
            habits = x[habit_rows[a], first : first + n]
            fired_block = fired[a, first : first + n]
            intensity_block = intensity[a, first : first + n]
            for j in range(n):
                act = fired_block[j]
                f = 1.0 if act else 0.0
                flags[j] = f
                severity = intensity_block[j] * f
                activity[j] = activity[j] + severity
                count[j] = count[j] + f
                habituation = habits[j]
                impact[j] = impact[j] + severity * (1.0 - gain[j] * habituation)
                built = habituation + build[j] * (1.0 - habituation)
                decayed = habituation * (1.0 - decay[j])
                habits[j] = built if act else decayed
        activity_block = x[activity_row, first : first + n]
        impact_block = x[impact_row, first : first + n]
        provocations = x[provocations_row, first : first + n]
        for j in range(n):
            activity_block[j] = np_minimum(activity[j], 1.0)
            impact_block[j] = np_minimum(impact[j], 1.0)
            provocations[j] = provocations[j] + count[j]


_ACT_BLOCK = 512
"""Worlds per block of :func:`threat_acts` (its sums stay in the L1 cache)."""


def _bounded(value: float, low: float, high: float) -> float:
    """``np.clip`` (and ``WorldState.apply``'s bounds) on one float: NaN stays NaN, a tie keeps the value."""
    if value < low:
        value = low
    if value > high:
        value = high
    return value
