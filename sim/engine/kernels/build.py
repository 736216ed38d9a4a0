"""Kernels of a government's perception and assessment (``Government.perceive`` and ``assess``).

Plain Python loops that :mod:`sim.engine.kernels` compiles with numba (they also run uncompiled,
which the tests use). Each does, world by world, the floating-point operations of the numpy
code it replaces in the same order, so both paths give the same bits. Loops run over the worlds
innermost, one straight-line body per world, so the compiler vectorizes them.

Two ways of bounding a value appear in the numpy code and are kept apart here: ``np.clip`` with
scalar bounds keeps a value equal to a bound (``source._bounded``), while ``WorldState.apply`` takes
``np.minimum(np.maximum(value, lo), hi)``, which returns the bound on a tie (:func:`_bound`); the
two differ only in the sign of a zero at a bound of zero. Both keep NaN.

Coefficients come as a (k, n) array: n = 1 when every coefficient is one number for all worlds
(then it is read once), n = R when some differ by world (a swept parameter).
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels.source import _bounded

HELPERS = ("_bound", "_hedged", "_willing")
"""Functions the kernels call (``sim.engine.kernels.load`` inlines them)."""
KERNELS = ("perceive_threats", "assess_hedging", "index_weights")
"""The kernels ``sim.engine.kernels.load`` compiles from this module."""


def _bound(value: float, low: float, high: float) -> float:
    """``np.minimum(np.maximum(value, low), high)`` on one float (``WorldState.apply``): NaN stays NaN."""
    if value <= low:
        value = low
    if value >= high:
        value = high
    return value


def perceive_threats(
    x: np.ndarray,
    actor_rows: np.ndarray,
    threat_rows: np.ndarray,
    exposure: np.ndarray,
    lens_actor: int,
    dovishness_row: int,
    threat_row: int,
    coefficients: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    combined: np.ndarray,
) -> None:
    """``Government.perceive`` (record off): each actor's perceived threat, then the overall threat.

    signal = exposure * clip(capability * aggressiveness + act_signal_gain * impact + alignment_gain
    * alignment, 0, 1), times (1 - camp_lens_gain * dovishness) for the lens actor; the perception
    moves by rate * (signal - perception) within bounds; threat = 1 - prod(1 - perception).
    ``actor_rows`` is (actors, 4): capability, aggressiveness, impact, alignment; ``coefficients``
    holds act_signal_gain, alignment_gain, camp_lens_gain and the rate (module docstring);
    ``combined`` is scratch of one value per world.
    """
    worlds = x.shape[1]
    per_world = coefficients.shape[1] > 1
    for w in range(worlds):
        combined[w] = 1.0
    dovishness = x[dovishness_row]
    for a in range(actor_rows.shape[0]):
        capability = x[actor_rows[a, 0]]
        aggressiveness = x[actor_rows[a, 1]]
        impact = x[actor_rows[a, 2]]
        alignment = x[actor_rows[a, 3]]
        r = threat_rows[a]
        perception = x[r]
        low = lo[r]
        high = hi[r]
        weight = exposure[a]
        lens = a == lens_actor
        signal_gain = coefficients[0, 0]
        alignment_gain = coefficients[1, 0]
        lens_gain = coefficients[2, 0]
        rate = coefficients[3, 0]
        for w in range(worlds):
            if per_world:
                signal_gain = coefficients[0, w]
                alignment_gain = coefficients[1, w]
                lens_gain = coefficients[2, w]
                rate = coefficients[3, w]
            raw = capability[w] * aggressiveness[w] + signal_gain * impact[w] + alignment_gain * alignment[w]
            signal = weight * _bounded(raw, 0.0, 1.0)
            if lens:
                signal = signal * (1.0 - lens_gain * dovishness[w])
            old = perception[w]
            new = _bound(old + rate * (signal - old), low, high)
            perception[w] = new
            combined[w] = combined[w] * (1.0 - new)
    threat = x[threat_row]
    low = lo[threat_row]
    high = hi[threat_row]
    for w in range(worlds):
        old = threat[w]
        threat[w] = _bound(old + ((1.0 - combined[w]) - old), low, high)


def assess_hedging(
    x: np.ndarray,
    rows: np.ndarray,
    usa: bool,
    china_exposure: float,
    coefficients: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> None:
    """``Government.assess`` (record off): fears, hedging, then willingness to cooperate.

    ``rows`` holds the rows of abandonment, entrapment, hedging, willingness, china_leverage,
    threat, commitment, transactionalism and support (this government's), then the two rows
    abandonment multiplies (USA.transactionalism and, for the USA, its multilateralism, else
    USA.commitment) and China's aggressiveness. ``coefficients`` holds hedging_gain,
    entrapment_gain, leverage_gain, the hedging rate, willingness_base, threat_gain,
    commitment_gain, transactional_drag, support_gain and hedging_drag (module docstring).
    """
    abandonment_row, entrapment_row, hedging_row, willingness_row = rows[0], rows[1], rows[2], rows[3]
    abandonment_out = x[abandonment_row]
    entrapment_out = x[entrapment_row]
    hedging = x[hedging_row]
    willingness = x[willingness_row]
    leverage = x[rows[4]]
    threat = x[rows[5]]
    commitment = x[rows[6]]
    transactionalism = x[rows[7]]
    support = x[rows[8]]
    patron = x[rows[9]]
    restraint = x[rows[10]]
    china = x[rows[11]]
    bounds = (lo[abandonment_row], hi[abandonment_row], lo[entrapment_row], hi[entrapment_row])
    hedging_low, hedging_high = lo[hedging_row], hi[hedging_row]
    willingness_low, willingness_high = lo[willingness_row], hi[willingness_row]
    worlds = x.shape[1]
    per_world = coefficients.shape[1] > 1
    # Short loops (few arrays each) so that the compiler vectorizes every one of them.
    fears = np.empty((2, worlds))
    abandonment = fears[0]
    entrapment = fears[1]
    for w in range(worlds):
        abandonment[w] = patron[w] * (1.0 - restraint[w])
        entrapment[w] = 0.0 if usa else china_exposure * china[w] * restraint[w]
    low_a, high_a, low_e, high_e = bounds
    if per_world:
        for w in range(worlds):
            old_a, old_e, old_h = abandonment_out[w], entrapment_out[w], hedging[w]
            abandonment_out[w] = _bound(old_a + (_bounded(abandonment[w], 0.0, 1.0) - old_a), low_a, high_a)
            entrapment_out[w] = _bound(old_e + (_bounded(entrapment[w], 0.0, 1.0) - old_e), low_e, high_e)
            hedging[w] = _hedged(
                coefficients[:, w], abandonment[w], entrapment[w], leverage[w], old_h, hedging_low, hedging_high
            )
        for w in range(worlds):
            willingness[w] = _willing(
                coefficients[:, w],
                threat[w],
                commitment[w],
                transactionalism[w],
                support[w],
                hedging[w],
                willingness[w],
                willingness_low,
                willingness_high,
            )
        return
    c = coefficients[:, 0].copy()
    for w in range(worlds):
        old_a, old_e, old_h = abandonment_out[w], entrapment_out[w], hedging[w]
        abandonment_out[w] = _bound(old_a + (_bounded(abandonment[w], 0.0, 1.0) - old_a), low_a, high_a)
        entrapment_out[w] = _bound(old_e + (_bounded(entrapment[w], 0.0, 1.0) - old_e), low_e, high_e)
        hedging[w] = _hedged(c, abandonment[w], entrapment[w], leverage[w], old_h, hedging_low, hedging_high)
    for w in range(worlds):
        willingness[w] = _willing(
            c,
            threat[w],
            commitment[w],
            transactionalism[w],
            support[w],
            hedging[w],
            willingness[w],
            willingness_low,
            willingness_high,
        )


def _hedged(
    c: np.ndarray, abandonment: float, entrapment: float, leverage: float, old: float, low: float, high: float
) -> float:
    """Hedging after one move toward its target (``c``: hedging_gain, entrapment_gain, leverage_gain, rate)."""
    target = _bounded(c[0] * abandonment + c[1] * entrapment + c[2] * leverage, 0.0, 1.0)
    return _bound(old + c[3] * (target - old), low, high)


def _willing(
    c: np.ndarray,
    threat: float,
    commitment: float,
    transactionalism: float,
    support: float,
    hedging: float,
    old: float,
    low: float,
    high: float,
) -> float:
    """Willingness set from its drivers (``c[4:10]``: base, threat_gain ... hedging_drag)."""
    value = (
        c[4]
        + c[5] * threat
        + c[6] * (commitment - 0.5)
        - c[7] * transactionalism
        + c[8] * (support - 0.5)
        - c[9] * hedging
    )
    return _bound(old + (_bounded(value, 0.0, 1.0) - old), low, high)


def index_weights(x: np.ndarray, tie_rows: np.ndarray, weakest: np.ndarray, out: np.ndarray) -> None:
    """``WorldState.index_weights``: each pair tie's weight in the trilateral index, into ``out`` (3, R).

    weight_k = (1 - a) / 3 + a * (k is the weakest tie), where the weakest is numpy's ``argmin``
    (the first minimum; the first NaN if a tie is NaN) and ``a`` the weakest-link weight (one
    value, or one per world).
    """
    per_world = weakest.shape[0] > 1
    first = x[tie_rows[0]]
    second = x[tie_rows[1]]
    third = x[tie_rows[2]]
    a = weakest[0]
    for w in range(x.shape[1]):
        if per_world:
            a = weakest[w]
        t0 = first[w]
        t1 = second[w]
        t2 = third[w]
        k = 0
        low = t0
        if low == low:  # argmin: a NaN is the minimum and the first one wins
            if t1 < low or t1 != t1:
                k = 1
                low = t1
            if low == low and (t2 < low or t2 != t2):
                k = 2
        share = (1 - a) / 3
        out[0, w] = share + a * (1.0 if k == 0 else 0.0)
        out[1, w] = share + a * (1.0 if k == 1 else 0.0)
        out[2, w] = share + a * (1.0 if k == 2 else 0.0)
