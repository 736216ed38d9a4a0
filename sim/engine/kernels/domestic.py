"""The domestic phase and the camps' history stances as kernels (compiled engine, record off).

:func:`domestic_step` does :meth:`agents.domestic.DomesticPolitics.step` up to the elections for
one government: stage loops over the worlds that the compiler vectorizes, or world by world when
the coefficients differ per world. :func:`replenish` does the end-of-turn capital, the ``*_two``
kernels the :mod:`sim.engine.politics` functions of a government with two camps. Every world gets
the numpy code's operations in its order (the terms: :mod:`sim.engine.kernels.domestic_terms`).
Plain Python; ``sim.engine.kernels`` compiles it with numba.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels.domestic_terms import (
    approval_change,
    polarization_change,
    shared_threat_rise,
    support_change,
    view_change,
)
from sim.engine.kernels.source import np_clamp, np_maximum, np_minimum

HELPERS = (
    "_mobilization",
    "_stages",
    "_polarization_stage",
)
"""Functions the kernels call (``sim.engine.kernels.load`` inlines them)."""
KERNELS = (
    "domestic_step",
    "replenish",
    "camp_unchanged",
    "out_stance_two",
    "mobilization_two",
    "history_lean_two",
    "polarization_weight_two",
    "played_history_payoff",
)
"""The kernels ``sim.engine.kernels.load`` compiles from this module."""

ROWS: tuple[str, ...] = (
    "approval",
    "polarization",
    "history_salience",
    "support",
    "crisis",
    "threat",
    "willingness",
    "history_stance",
    "turnover",
)
"""The government's own rows :func:`domestic_step` reads, in its ``rows`` argument's order."""
PARTNER_ROWS: tuple[str, ...] = ("view", "tie", "threat")
"""Per partner (two, in ``GOVERNMENTS`` order), after :data:`ROWS`: the view of it, the pair tie, its threat."""

COEFFICIENTS: tuple[str, ...] = (
    "approval_noise",
    "approval_reversion",
    "approval_anchor",
    "crisis_approval_cost",
    "elite_gap_cost",
    "polarization_reversion",
    "crisis_polarization",
    "polarization_noise",
    "mobilization_polarization",
    "salience_polarization",
    "threat_convergence",
    "salience_reversion",
    "out_party_mobilization",
    "view_rate",
    "view_tie_gain",
    "view_threat_gain",
    "view_history_loss",
    "support_base",
    "support_threat_gain",
    "support_history_loss",
    "support_polarization_loss",
    "support_view_gain",
    "support_rate",
    "crisis_decay",
    "election_polarization",
)
"""The parameters :func:`domestic_step` reads, in its ``coef`` argument's row order."""
REPLENISH_COEFFICIENTS: tuple[str, ...] = ("capital_regen", "capital_max")
"""The parameters :func:`replenish` reads."""

# Row positions in ``rows`` and ``coef`` (module constants: numba folds them).
_APPROVAL, _POLARIZATION, _SALIENCE, _SUPPORT, _CRISIS, _THREAT, _WILLINGNESS, _STANCE, _TURNOVER = range(9)
_PARTNER0 = 9
(
    _NOISE,
    _APPROVAL_REVERSION,
    _ANCHOR,
    _CRISIS_COST,
    _GAP_COST,
    _POLARIZATION_REVERSION,
    _CRISIS_POLARIZATION,
    _SHOCK,
    _MOBILIZATION_POLARIZATION,
    _SALIENCE_POLARIZATION,
    _CONVERGENCE,
    _SALIENCE_REVERSION,
    _OUT_PARTY,
    _VIEW_RATE,
    _VIEW_TIE,
    _VIEW_THREAT,
    _VIEW_HISTORY,
    _SUPPORT_BASE,
    _SUPPORT_THREAT,
    _SUPPORT_HISTORY,
    _SUPPORT_POLARIZATION,
    _SUPPORT_VIEW,
    _SUPPORT_RATE,
    _CRISIS_DECAY,
    _CAMPAIGN,
) = range(25)

NO_MOBILIZATION, TWO_CAMPS, GIVEN = 0, 1, 2
"""``stance_mode`` of :func:`domestic_step`: no out-party mobilization (Washington), the stance of the
other of two camps read from the profile table, or the out-party's stance given per world."""


def domestic_step(
    x: np.ndarray,
    start: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    rows: np.ndarray,
    view_history: np.ndarray,
    coef: np.ndarray,
    noise: np.ndarray,
    shock: np.ndarray,
    payoff: np.ndarray,
    stance_mode: int,
    profiles: np.ndarray,
    stance_trait: int,
    camp: np.ndarray,
    out_stance: np.ndarray,
    campaign: bool,
    scratch: np.ndarray,
) -> None:
    """``DomesticPolitics.step`` for one government up to its elections, record off.

    Stage by stage over all worlds (short loops the compiler vectorizes), each stage reading
    only what the numpy code has computed by then; with one coefficient column per world, the
    same per-world arithmetic world by world.

    Args:
        x: the state (rows x worlds), changed in place.
        start: the state at the start of the run.
        lo: lower bound per row (float).
        hi: upper bound per row (float).
        rows: the rows of :data:`ROWS`, then view, tie and threat rows of each partner.
        view_history: per partner, 1 when its view has the history driver (the ROK-Japan pair).
        coef: the parameters of :data:`COEFFICIENTS` (one column, or one per world).
        noise: the approval noise's standard normal draws.
        shock: the polarization shocks' standard normal draws.
        payoff: the approval payoff of last quarter's history moves.
        stance_mode: :data:`NO_MOBILIZATION`, :data:`TWO_CAMPS` or :data:`GIVEN`.
        profiles: the government's profile table (camps x traits x worlds), for :data:`TWO_CAMPS`.
        stance_trait: the history stance's column in ``profiles``.
        camp: the camp whose profile is applied, per world (for :data:`TWO_CAMPS`).
        out_stance: the out-party's history stance per world (for :data:`GIVEN`).
        campaign: also apply the campaign polarization of a change of leadership (a quarter
            without elections, ``DomesticPolitics._election_polarization`` with nothing held).
        scratch: work space, (3, worlds).
    """
    mobilization = scratch[0]
    _mobilization(
        x, rows[_POLARIZATION], rows[_STANCE], stance_mode, profiles, stance_trait, camp, out_stance, mobilization
    )
    if coef.shape[1] > 1:
        # World by world with its own coefficients (column ``w``), written out here: a helper called
        # with array arguments in this loop would cost a reference count per array and world.
        for w in range(x.shape[1]):
            a, p, s, u, c, t = rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]
            crisis = x[c, w]
            change = approval_change(
                x[a, w],
                crisis,
                noise[w],
                payoff[w],
                x[rows[_WILLINGNESS], w],
                x[u, w],
                coef[_APPROVAL_REVERSION, w],
                coef[_ANCHOR, w],
                coef[_CRISIS_COST, w],
                coef[_NOISE, w],
                coef[_GAP_COST, w],
            )
            x[a, w] = np_clamp(x[a, w] + change, lo[a], hi[a])
            change = polarization_change(
                x[p, w],
                start[p, w],
                crisis,
                shock[w],
                mobilization[w],
                x[s, w] - start[s, w],
                x[t, w] - start[t, w],
                coef[_POLARIZATION_REVERSION, w],
                coef[_CRISIS_POLARIZATION, w],
                coef[_SHOCK, w],
                coef[_MOBILIZATION_POLARIZATION, w],
                coef[_SALIENCE_POLARIZATION, w],
                coef[_CONVERGENCE, w],
            )
            x[p, w] = np_clamp(x[p, w] + change, lo[p], hi[p])
            change = 0.0 + coef[_SALIENCE_REVERSION, w] * (start[s, w] - x[s, w])
            change = change + coef[_OUT_PARTY, w] * mobilization[w]
            x[s, w] = np_clamp(x[s, w] + change, lo[s], hi[s])
            rises = 0.0
            for j in range(2):
                v, tie, other = rows[_PARTNER0 + 3 * j], rows[_PARTNER0 + 3 * j + 1], rows[_PARTNER0 + 3 * j + 2]
                change = view_change(
                    x[v, w],
                    start[v, w],
                    x[tie, w] - start[tie, w],
                    shared_threat_rise(x[t, w], x[other, w], start[t, w], start[other, w]),
                    x[s, w] - start[s, w],
                    view_history[j] != 0,
                    coef[_VIEW_RATE, w],
                    coef[_VIEW_TIE, w],
                    coef[_VIEW_THREAT, w],
                    coef[_VIEW_HISTORY, w],
                )
                x[v, w] = np_clamp(x[v, w] + change, lo[v], hi[v])
            for j in range(2):
                v = rows[_PARTNER0 + 3 * j]
                rises = rises + (x[v, w] - start[v, w])
            change = support_change(
                x[u, w],
                x[t, w],
                x[s, w],
                x[p, w],
                rises,
                coef[_SUPPORT_BASE, w],
                coef[_SUPPORT_THREAT, w],
                coef[_SUPPORT_HISTORY, w],
                coef[_SUPPORT_POLARIZATION, w],
                coef[_SUPPORT_VIEW, w],
                coef[_SUPPORT_RATE, w],
            )
            x[u, w] = np_clamp(x[u, w] + change, lo[u], hi[u])
            x[c, w] = np_clamp(crisis + -coef[_CRISIS_DECAY, w] * crisis, lo[c], hi[c])
            if campaign:
                bump = coef[_CAMPAIGN, w] if x[rows[_TURNOVER], w] > 0 else 0.0
                x[p, w] = np_clamp(x[p, w] + bump, lo[p], hi[p])
        return
    _stages(x, start, lo, hi, rows, view_history, coef, noise, shock, payoff, campaign, scratch)


def _mobilization(
    x: np.ndarray,
    polarization_row: int,
    stance_row: int,
    stance_mode: int,
    profiles: np.ndarray,
    stance_trait: int,
    camp: np.ndarray,
    out_stance: np.ndarray,
    out: np.ndarray,
) -> None:
    """``politics.mobilization`` per world into ``out``: polarization * max(out-party stance - stance, 0)."""
    polarization = x[polarization_row]
    stance = x[stance_row]
    if stance_mode == TWO_CAMPS:
        first = profiles[0, stance_trait]
        second = profiles[1, stance_trait]
        for w in range(out.shape[0]):
            other = first[w] if camp[w] == 1 else second[w]
            out[w] = polarization[w] * np_maximum(other - stance[w], 0.0)
    elif stance_mode == GIVEN:
        for w in range(out.shape[0]):
            out[w] = polarization[w] * np_maximum(out_stance[w] - stance[w], 0.0)
    else:
        for w in range(out.shape[0]):
            out[w] = 0.0


def _stages(
    x: np.ndarray,
    start: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    rows: np.ndarray,
    view_history: np.ndarray,
    coef: np.ndarray,
    noise: np.ndarray,
    shock: np.ndarray,
    payoff: np.ndarray,
    campaign: bool,
    scratch: np.ndarray,
) -> None:
    """All worlds, one stage after another, with the coefficients of column 0 (loops the compiler vectorizes)."""
    n = x.shape[1]
    a, p, s, u, c, t = rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]
    approval, polarization, salience, support, crisis, threat = x[a], x[p], x[s], x[u], x[c], x[t]
    mobilization, work, rises = scratch[0], scratch[1], scratch[2]
    willingness = x[rows[_WILLINGNESS]]
    c_rev, c_anchor, c_cost = coef[_APPROVAL_REVERSION, 0], coef[_ANCHOR, 0], coef[_CRISIS_COST, 0]
    c_noise, c_gap = coef[_NOISE, 0], coef[_GAP_COST, 0]
    low, high = lo[a], hi[a]
    for w in range(n):
        change = approval_change(
            approval[w],
            crisis[w],
            noise[w],
            payoff[w],
            willingness[w],
            support[w],
            c_rev,
            c_anchor,
            c_cost,
            c_noise,
            c_gap,
        )
        approval[w] = np_clamp(approval[w] + change, low, high)
    _polarization_stage(x, start, lo, hi, rows, coef, shock, mobilization)
    start_s = start[s]
    c_rev, c_out = coef[_SALIENCE_REVERSION, 0], coef[_OUT_PARTY, 0]
    low, high = lo[s], hi[s]
    for w in range(n):
        change = 0.0 + c_rev * (start_s[w] - salience[w])
        change = change + c_out * mobilization[w]
        salience[w] = np_clamp(salience[w] + change, low, high)
    start_t = start[t]
    rate, c_tie, c_threat, c_history = (
        coef[_VIEW_RATE, 0],
        coef[_VIEW_TIE, 0],
        coef[_VIEW_THREAT, 0],
        coef[_VIEW_HISTORY, 0],
    )
    for j in range(2):
        v, tie_row, other = rows[_PARTNER0 + 3 * j], rows[_PARTNER0 + 3 * j + 1], rows[_PARTNER0 + 3 * j + 2]
        partner, partner0 = x[other], start[other]
        for w in range(n):
            work[w] = shared_threat_rise(threat[w], partner[w], start_t[w], partner0[w])
        view, view0, tie, tie0 = x[v], start[v], x[tie_row], start[tie_row]
        history = view_history[j] != 0
        low, high = lo[v], hi[v]
        for w in range(n):
            change = view_change(
                view[w],
                view0[w],
                tie[w] - tie0[w],
                work[w],
                salience[w] - start_s[w],
                history,
                rate,
                c_tie,
                c_threat,
                c_history,
            )
            view[w] = np_clamp(view[w] + change, low, high)
    first, first0 = x[rows[_PARTNER0]], start[rows[_PARTNER0]]
    second, second0 = x[rows[_PARTNER0 + 3]], start[rows[_PARTNER0 + 3]]
    for w in range(n):
        rises[w] = (0.0 + (first[w] - first0[w])) + (second[w] - second0[w])
    c_base, c_threat, c_history = coef[_SUPPORT_BASE, 0], coef[_SUPPORT_THREAT, 0], coef[_SUPPORT_HISTORY, 0]
    c_pol, c_view, c_rate = coef[_SUPPORT_POLARIZATION, 0], coef[_SUPPORT_VIEW, 0], coef[_SUPPORT_RATE, 0]
    low, high = lo[u], hi[u]
    for w in range(n):
        change = support_change(
            support[w],
            threat[w],
            salience[w],
            polarization[w],
            rises[w],
            c_base,
            c_threat,
            c_history,
            c_pol,
            c_view,
            c_rate,
        )
        support[w] = np_clamp(support[w] + change, low, high)
    c_decay = coef[_CRISIS_DECAY, 0]
    low, high = lo[c], hi[c]
    for w in range(n):
        crisis[w] = np_clamp(crisis[w] + -c_decay * crisis[w], low, high)
    if campaign:
        turnover = x[rows[_TURNOVER]]
        c_campaign = coef[_CAMPAIGN, 0]
        low, high = lo[p], hi[p]
        for w in range(n):
            bump = c_campaign if turnover[w] > 0 else 0.0
            polarization[w] = np_clamp(polarization[w] + bump, low, high)


def _polarization_stage(
    x: np.ndarray,
    start: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    rows: np.ndarray,
    coef: np.ndarray,
    shock: np.ndarray,
    mobilization: np.ndarray,
) -> None:
    """The polarization stage of :func:`_stages`."""
    p, s, t, c = rows[_POLARIZATION], rows[_SALIENCE], rows[_THREAT], rows[_CRISIS]
    polarization, start_p, crisis = x[p], start[p], x[c]
    salience, start_s, threat, start_t = x[s], start[s], x[t], start[t]
    c_rev, c_crisis, c_shock = coef[_POLARIZATION_REVERSION, 0], coef[_CRISIS_POLARIZATION, 0], coef[_SHOCK, 0]
    c_mob, c_sal, c_conv = coef[_MOBILIZATION_POLARIZATION, 0], coef[_SALIENCE_POLARIZATION, 0], coef[_CONVERGENCE, 0]
    low, high = lo[p], hi[p]
    for w in range(polarization.shape[0]):
        change = polarization_change(
            polarization[w],
            start_p[w],
            crisis[w],
            shock[w],
            mobilization[w],
            salience[w] - start_s[w],
            threat[w] - start_t[w],
            c_rev,
            c_crisis,
            c_shock,
            c_mob,
            c_sal,
            c_conv,
        )
        polarization[w] = np_clamp(polarization[w] + change, low, high)


def replenish(
    x: np.ndarray, capital_row: int, approval_row: int, coef: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> None:
    """``DomesticPolitics.replenish``: capital += min(regen * (0.5 + approval), max(capital_max - capital, 0))."""
    coef_step = 1 if coef.shape[1] > 1 else 0
    low = lo[capital_row]
    high = hi[capital_row]
    for w in range(x.shape[1]):
        k = w * coef_step
        capital = x[capital_row, w]
        regen = np_minimum(coef[0, k] * (0.5 + x[approval_row, w]), np_maximum(coef[1, k] - capital, 0.0))
        x[capital_row, w] = np_clamp(capital + regen, low, high)


def camp_unchanged(x: np.ndarray, camp_row: int, applied: np.ndarray) -> bool:
    """True when every world's camp row equals the camp whose profile is applied (then nothing to switch)."""
    for w in range(x.shape[1]):
        if x[camp_row, w] != applied[w]:
            return False
    return True


# ------------------------------------------------ the camps' history stances (sim.engine.politics, two camps)


def out_stance_two(profiles: np.ndarray, trait: int, camp: np.ndarray, out: np.ndarray) -> None:
    """``politics.out_stance`` with two camps: the other camp's history stance, per world."""
    first = profiles[0, trait]
    second = profiles[1, trait]
    for w in range(out.shape[0]):
        out[w] = first[w] if camp[w] == 1 else second[w]


def mobilization_two(
    x: np.ndarray,
    polarization_row: int,
    stance_row: int,
    profiles: np.ndarray,
    trait: int,
    camp: np.ndarray,
    out: np.ndarray,
) -> None:
    """``politics.mobilization`` with two camps."""
    _mobilization(x, polarization_row, stance_row, TWO_CAMPS, profiles, trait, camp, out, out)


def history_lean_two(
    x: np.ndarray,
    polarization_row: int,
    stance_row: int,
    profiles: np.ndarray,
    trait: int,
    camp: np.ndarray,
    pivot: float,
    outflank: float,
    out: np.ndarray,
) -> None:
    """``politics.history_lean`` with two camps and scalar coefficients: (stance - pivot) + outflank * mobilization."""
    _mobilization(x, polarization_row, stance_row, TWO_CAMPS, profiles, trait, camp, out, out)
    stance = x[stance_row]
    for w in range(out.shape[0]):
        out[w] = (stance[w] - pivot) + outflank * out[w]


def polarization_weight_two(
    x: np.ndarray, stance_row: int, profiles: np.ndarray, trait: int, camp: np.ndarray, gain: float, out: np.ndarray
) -> None:
    """``politics.polarization_weight`` with two camps and a scalar gain: max(1 + gain * (stance - out stance), 0)."""
    stance = x[stance_row]
    first = profiles[0, trait]
    second = profiles[1, trait]
    for w in range(out.shape[0]):
        other = first[w] if camp[w] == 1 else second[w]
        out[w] = np_maximum(1.0 + gain * (stance[w] - other), 0.0)


def played_history_payoff(
    x: np.ndarray,
    played: np.ndarray,
    cards: np.ndarray,
    card_start: np.ndarray,
    entry_row: np.ndarray,
    entry_sign: np.ndarray,
    entry_set: np.ndarray,
    entry_value: np.ndarray,
    vectors: np.ndarray,
    scalars: np.ndarray,
    coefficient: np.ndarray,
    lean: np.ndarray,
    out: np.ndarray,
) -> None:
    """``politics.played_payoff``: the summed history payoff of the cards a government played, per world.

    ``cards`` are the rows of ``played`` (times played, cards x worlds) played in some world, in
    card order; card k's history effects are entries ``card_start[k]:card_start[k + 1]``, each
    with its row, sign (+1 a salience, -1 the history domain), whether it sets, and its value
    (``k >= 0`` row k of ``vectors``, else ``scalars[-k - 1]``). Per card: signal = 0.0 +
    sign * (value, or value - x for a set; non-finite as 0) for each entry; payoff =
    (coefficient * signal) * lean; total = total + times * payoff, from 0.0. ``coefficient``
    holds one number, or one per world.
    """
    worlds = out.shape[0]
    signal = np.empty(worlds)
    for w in range(worlds):
        out[w] = 0.0
    for k in range(cards.shape[0]):
        for w in range(worlds):
            signal[w] = 0.0
        for e in range(card_start[k], card_start[k + 1]):
            now = x[entry_row[e]]
            sign = entry_sign[e]
            is_set = entry_set[e]
            ref = entry_value[e]
            scalar = scalars[-ref - 1] if ref < 0 else 0.0
            given = vectors[ref] if ref >= 0 else signal  # (signal: a placeholder, not read)
            for w in range(worlds):
                value = given[w] if ref >= 0 else scalar
                delta = value - now[w] if is_set else value
                delta = delta if delta - delta == 0.0 else 0.0  # np.nan_to_num: NaN and infinities to 0
                signal[w] = signal[w] + sign * delta
        times = played[cards[k]]
        if coefficient.shape[0] > 1:
            for w in range(worlds):
                out[w] = out[w] + times[w] * ((coefficient[w] * signal[w]) * lean[w])
        else:
            c = coefficient[0]
            for w in range(worlds):
                out[w] = out[w] + times[w] * ((c * signal[w]) * lean[w])
