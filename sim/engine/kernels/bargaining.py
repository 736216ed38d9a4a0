"""The bargaining loop's settlement (:func:`sim.engine.bargaining.settle`) as one kernel call per ally.

Plain Python that :mod:`sim.engine.kernels` compiles with numba (the tests also run it
uncompiled). World by world it does the numpy code's floating-point operations in the same
order, with its NaN and signed-zero choices (``np.minimum`` keeps the second of two equal
values; a bounded update is ``WorldState.apply``'s), so both paths give the same bits. As on
the numpy path, an update that no world needs (no payment, no escalation) is not made at all.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels.source import _bounded, np_clamp, np_minimum, unit

HELPERS = ()
KERNELS = ("settle_ally",)

SETTLE_ROWS = (
    "demand",
    "paid",
    "demands",
    "settled",
    "concessions",
    "hedging",
    "approval",
    "transactionalism",
    "escalations",
    "tie_start",
    "tie_stop",
)
"""The rows :func:`settle_ally` reads, in the order of its ``rows`` argument (see ``bargaining._ally_rows``)."""

SETTLE_COEFFICIENTS = (
    "bargaining_gain",
    "concession_relief",
    "relief_hedging",
    "concession_win",
    "escalation_tie_cost",
    "escalation_hedging",
    "escalation_step",
    "demand_lapse",
    "escalation_chance",
    "hedge_shield",
)
"""The coefficients of :func:`settle_ally`, in the order of the rows of its ``coef`` matrix."""


def settle_ally(  # noqa: C901 - the numpy code's steps, in order, in one call
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    rows: np.ndarray,
    coef: np.ndarray,
    transactionalism: np.ndarray,
    replications: np.ndarray,
    key: np.uint64,
) -> bool:
    """Settle the pending demand on one ally in every world; return whether the tie rows changed.

    ``rows`` as :data:`SETTLE_ROWS`; ``coef`` (coefficient, world or 1) as
    :data:`SETTLE_COEFFICIENTS`; ``transactionalism`` is ``USA.transactionalism`` as it was
    before the first ally was settled; ``key`` the escalation draw's key (stream ``bargaining:<ally>``).
    """
    worlds = x.shape[1]
    step = 1 if coef.shape[1] > 1 else 0
    demand_row, paid_row, demands_row, settled_row = rows[0], rows[1], rows[2], rows[3]
    concessions_row, hedging_row, approval_row, t_row = rows[4], rows[5], rows[6], rows[7]
    escalations_row, tie_start, tie_stop = rows[8], rows[9], rows[10]
    demand = np.empty(worlds)
    paid = np.empty(worlds)
    escalate = np.empty(worlds, dtype=np.bool_)
    any_paid = False
    for w in range(worlds):
        d = x[demand_row, w]
        demand[w] = d
        x[demands_row, w] += 1.0 if d > x[settled_row, w] + 1e-9 else 0.0
        p = np_minimum(x[paid_row, w], d)
        paid[w] = p
        x[concessions_row, w] += 1.0 if p > 0 else 0.0
        any_paid = any_paid | (p > 0)
    if any_paid:  # relief: the tie (every domain), the ally's hedging, the White House's approval
        for r in range(tie_start, tie_stop):
            low, high = lo[r], hi[r]
            for w in range(worlds):
                c = w * step
                x[r, w] = np_clamp(x[r, w] + (coef[0, c] * coef[1, c]) * paid[w], low, high)
        low, high = lo[hedging_row], hi[hedging_row]
        for w in range(worlds):
            c = w * step
            x[hedging_row, w] = np_clamp(x[hedging_row, w] + ((-coef[0, c]) * coef[2, c]) * paid[w], low, high)
        low, high = lo[approval_row], hi[approval_row]
        for w in range(worlds):
            c = w * step
            change = ((coef[0, c] * coef[3, c]) * transactionalism[w]) * paid[w]
            x[approval_row, w] = np_clamp(x[approval_row, w] + change, low, high)
    any_escalation = False
    for w in range(worlds):
        c = w * step
        demand[w] = demand[w] - paid[w]
        shield = 1.0 - coef[9, c] * x[hedging_row, w]
        chance = _bounded(((coef[0, c] * coef[8, c]) * x[t_row, w]) * shield, 0.0, 1.0)
        escalates = (demand[w] > 1e-9) & (unit(replications[w], key) < chance)
        escalate[w] = escalates
        any_escalation = any_escalation | escalates
    if any_escalation:  # the tie suffers, the ally hedges, the demand steps up
        for r in range(tie_start, tie_stop):
            low, high = lo[r], hi[r]
            for w in range(worlds):
                c = w * step
                change = -(coef[0, c] * coef[4, c]) if escalate[w] else -0.0
                x[r, w] = np_clamp(x[r, w] + change, low, high)
        low, high = lo[hedging_row], hi[hedging_row]
        for w in range(worlds):
            c = w * step
            change = coef[0, c] * coef[5, c] if escalate[w] else 0.0
            x[hedging_row, w] = np_clamp(x[hedging_row, w] + change, low, high)
        for w in range(worlds):
            stepped = np_minimum(demand[w] + coef[6, w * step], 1.0)
            demand[w] = stepped if escalate[w] else demand[w]
            x[escalations_row, w] += 1.0 if escalate[w] else 0.0
    for w in range(worlds):  # what is left lapses; this turn's concession is spent
        c = w * step
        d = demand[w] * (1.0 - coef[7, c]) if coef[0, c] > 0 else 0.0
        old = x[demand_row, w]
        x[demand_row, w] = np_clamp(old + (d - old), lo[demand_row], hi[demand_row])
        old = x[paid_row, w]
        x[paid_row, w] = np_clamp(old + (0.0 - old), lo[paid_row], hi[paid_row])
        x[settled_row, w] = x[demand_row, w]
    return any_paid or any_escalation
