"""Kernels of the model-level dynamics (:mod:`sim.engine.dynamics`): the cooperation and outcomes phases.

Plain Python loops that :mod:`sim.engine.kernels` compiles with numba; they also run uncompiled
(the tests do). Each does, world by world, the floating-point operations of the numpy code in
:mod:`sim.engine.dynamics` in the same order, with numpy's NaN and signed-zero choices
(``np.minimum``/``np.maximum`` return the second of two equal values, ``np.clip`` keeps a NaN),
so both paths give the same bits. Coefficients come as a matrix ``pm`` (coefficient, world or 1):
a column per world when one of them is given per world, else one column; loops over worlds
are branch-free so that LLVM vectorizes them.
"""

from __future__ import annotations

import numpy as np

from sim.engine.kernels.source import _bounded, np_clamp, np_maximum, np_minimum

HELPERS = (
    "_clip01",
    "_indices",
    "_cooperation_coefficients",
    "_history_term",
    "_tie",
    "_outcome_coefficients",
    "_outcome_stages",
)
"""Functions the kernels call (``sim.engine.kernels.load`` inlines them)."""
KERNELS = ("cooperation_step", "outcomes_step")
"""The kernels ``sim.engine.kernels.load`` compiles from this module."""

COOPERATION_SLOTS = (
    "tie_base",
    "shared_threat_gain",
    "willingness_gain",
    "hedging_penalty",
    "inst_anchor",
    "upkeep_anchor",
    "upkeep_weight",
    "us_transactional_penalty",
    "history_penalty",
    "quasi_alliance_gain",
    "polarization_penalty",
    "tie_adjust_rate",
    "two_track",
    "inst_damping",
    "tie_noise",
)
"""The rows of :func:`cooperation_step`'s coefficient matrix, in order."""

COOPERATION_SHARED = (
    "institutionalization",
    "upkeep",
    "USA.transactionalism",
    "ROK.history_salience",
    "JPN.history_salience",
    "ROK.history_stance",
    "JPN.history_stance",
    "ROK.abandonment",
    "JPN.abandonment",
    "ROK.polarization",
)
"""The state rows every pair's target reads (:func:`cooperation_step`'s ``shared``), in order."""

COOPERATION_MEMBER_VARIABLES = ("threat", "willingness", "hedging")
"""Each pair member's variables its target reads: ``members[p]`` is (i.threat, j.threat, i.willingness, ...)."""

OUTCOME_SLOTS = (
    "upkeep_per_inst",
    "upkeep_self",
    "upkeep_decay",
    "inst_build",
    "inst_threshold",
    "inst_erosion",
    "inst_lapse",
    "upkeep_weight",
    "deterrence_base",
    "deterrence_tie_gain",
    "deterrence_commitment_gain",
    "deterrence_threat_drag",
    "deterrence_rate",
)
"""The rows of :func:`outcomes_step`'s coefficient matrix, in order."""

OUTCOME_ROWS = (
    "institutionalization",
    "inst_settled",
    "upkeep",
    "trilateral",
    "deterrence",
    "USA.commitment",
    "DPRK.capability",
)
"""The state rows :func:`outcomes_step` reads or writes, in order (its ``rows`` add the three tie rows)."""


def _clip01(value: float) -> float:
    """``np.clip(value, 0.0, 1.0)`` on one float: a NaN stays NaN, -0.0 stays -0.0."""
    if value < 0.0:
        value = 0.0
    if value > 1.0:
        value = 1.0
    return value


def _cooperation_coefficients(pm: np.ndarray, k: int) -> tuple[float, ...]:
    """Column ``k`` of :func:`cooperation_step`'s coefficient matrix as a tuple (scalars a loop keeps in registers)."""
    return (
        pm[0, k], pm[1, k], pm[2, k], pm[3, k], pm[4, k], pm[5, k], pm[6, k], pm[7, k],
        pm[8, k], pm[9, k], pm[10, k], pm[11, k], pm[12, k], pm[13, k], pm[14, k],
    )  # fmt: skip


def _indices(rows: np.ndarray) -> tuple[int, ...]:
    """Ten row indices as a tuple (values, which a loop need not reload after each store; unused ones are 0)."""
    r = np.zeros(10, dtype=np.int64)
    r[: rows.shape[0]] = rows
    return (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])


def _history_term(x: np.ndarray, w: int, shared: tuple[int, ...], c: tuple[float, ...]) -> float:
    """The ROK-Japan history term -history_penalty * mean(history_salience) * mean(history_stance) in world ``w``."""
    salience = 0.5 * (x[shared[3], w] + x[shared[4], w])
    stance = 0.5 * (x[shared[5], w] + x[shared[6], w])
    return (-c[8] * salience) * stance


def _tie(
    tie: float, base: float, history: float, damp: float, noise: float, rate: float, spill: float, kind: int
) -> float:
    """One domain tie after its move (see :func:`cooperation_step`)."""
    plain = rate * (base - tie)
    undamped = plain + (rate * spill) * history if kind == 2 else plain
    damping = damp * undamped if undamped < 0 else 0.0
    return _clip01(tie + ((undamped + damping) + noise))


def cooperation_step(
    x: np.ndarray,
    shared: np.ndarray,
    members: np.ndarray,
    kinds: np.ndarray,
    tie_starts: np.ndarray,
    pm: np.ndarray,
    responsiveness: np.ndarray,
    spillover: np.ndarray,
    weight: np.ndarray,
    noise: np.ndarray,
) -> None:
    """``dynamics.cooperation`` with the record off: every pair's domain ties move toward their targets.

    ``shared`` holds the rows of :data:`COOPERATION_SHARED`; ``members[p]`` the rows of pair
    ``p``'s members' threat, willingness and hedging (i then j for each); ``kinds[p]`` is 1 for a
    pair with the USA (the transactionalism term), 2 for ROK-Japan (history, quasi-alliance and
    polarization terms), 0 otherwise; ``tie_starts[p]`` is its first domain row (one per entry of
    ``responsiveness``). ``pm`` holds :data:`COOPERATION_SLOTS`; ``weight`` is
    ``politics.polarization_weight`` and ``noise`` the pairs' standard normal draws (pairs, worlds).
    Coefficients shared by all worlds are read once, so the loops over worlds vectorize.
    """
    n = x.shape[1]
    per_world = pm.shape[1] > 1
    rows = _indices(shared)
    base = np.empty(n)
    history = np.zeros(n)  # read (not used) for pairs without the history term
    damp = np.empty(n)
    c = _cooperation_coefficients(pm, 0)
    for w in range(n):
        damp[w] = -pm[13, w if per_world else 0] * x[rows[0], w]
    for p in range(members.shape[0]):
        m, kind = _indices(members[p]), kinds[p]
        if per_world:
            # One pair's target (tie_base + drivers), each coefficient read from its row of pm
            # (contiguous over the worlds) so that the loop vectorizes; the same operations in the
            # same order as the loop below, which reads them once for all worlds.
            tie_base, threat_gain, willing_gain, hedging_penalty = pm[0], pm[1], pm[2], pm[3]
            inst_anchor, upkeep_anchor, upkeep_weight, usa_penalty = pm[4], pm[5], pm[6], pm[7]
            history_penalty, quasi_gain, polarization_penalty = pm[8], pm[9], pm[10]
            for w in range(n):
                inst = x[rows[0], w]
                maintained = ((upkeep_anchor[w] * upkeep_weight[w]) * inst) * (x[rows[1], w] - 0.5)
                threat = threat_gain[w] * np_minimum(x[m[0], w], x[m[1], w])
                willing = willing_gain[w] * (np_minimum(x[m[2], w], x[m[3], w]) - 0.5)
                hedging = (-hedging_penalty[w] * 0.5) * (x[m[4], w] + x[m[5], w])
                drivers = ((((0.0 + threat) + willing) + hedging) + inst_anchor[w] * inst) + maintained
                with_usa = drivers + -usa_penalty[w] * x[rows[2], w]
                salience = 0.5 * (x[rows[3], w] + x[rows[4], w])
                fear = np_minimum(x[rows[7], w], x[rows[8], w])
                quasi = drivers + (quasi_gain[w] * fear) * (1.0 - salience)
                with_history = quasi + (-polarization_penalty[w] * weight[w]) * x[rows[9], w]
                chosen = with_usa if kind == 1 else drivers
                base[w] = tie_base[w] + (with_history if kind == 2 else chosen)
            if kind == 2:
                for w in range(n):
                    salience = 0.5 * (x[rows[3], w] + x[rows[4], w])
                    stance = 0.5 * (x[rows[5], w] + x[rows[6], w])
                    history[w] = (-history_penalty[w] * salience) * stance
        else:
            # Written out twice rather than as a helper: LLVM does not inline a helper this big, and a
            # call stops the loop vectorizing.
            for w in range(n):
                inst = x[rows[0], w]
                maintained = ((c[5] * c[6]) * inst) * (x[rows[1], w] - 0.5)
                threat = c[1] * np_minimum(x[m[0], w], x[m[1], w])
                willing = c[2] * (np_minimum(x[m[2], w], x[m[3], w]) - 0.5)
                hedging = (-c[3] * 0.5) * (x[m[4], w] + x[m[5], w])
                drivers = ((((0.0 + threat) + willing) + hedging) + c[4] * inst) + maintained
                with_usa = drivers + -c[7] * x[rows[2], w]
                salience = 0.5 * (x[rows[3], w] + x[rows[4], w])
                fear = np_minimum(x[rows[7], w], x[rows[8], w])
                quasi = drivers + (c[9] * fear) * (1.0 - salience)
                with_history = quasi + (-c[10] * weight[w]) * x[rows[9], w]
                chosen = with_usa if kind == 1 else drivers
                base[w] = c[0] + (with_history if kind == 2 else chosen)
            if kind == 2:
                for w in range(n):
                    history[w] = _history_term(x, w, rows, c)
        for d in range(responsiveness.shape[0]):
            r = tie_starts[p] + d
            if per_world:
                for w in range(n):
                    rate = pm[11, w] * responsiveness[d]
                    spill = 1.0 - pm[12, w] * (1.0 - spillover[d])
                    shock = pm[14, w] * noise[p, w]
                    x[r, w] = _tie(x[r, w], base[w], history[w], damp[w], shock, rate, spill, kind)
            else:
                rate = c[11] * responsiveness[d]
                spill = 1.0 - c[12] * (1.0 - spillover[d])
                for w in range(n):
                    x[r, w] = _tie(x[r, w], base[w], history[w], damp[w], c[14] * noise[p, w], rate, spill, kind)


def _outcome_coefficients(pm: np.ndarray, k: int) -> tuple[float, ...]:
    """Column ``k`` of :func:`outcomes_step`'s coefficient matrix as a tuple."""
    return (
        pm[0, k], pm[1, k], pm[2, k], pm[3, k], pm[4, k], pm[5, k], pm[6, k],
        pm[7, k], pm[8, k], pm[9, k], pm[10, k], pm[11, k], pm[12, k],
    )  # fmt: skip


def outcomes_step(x: np.ndarray, rows: np.ndarray, pm: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """``dynamics.outcomes`` with the record off: upkeep, institutionalization, deterrence credibility.

    ``rows`` holds the rows of :data:`OUTCOME_ROWS` then the three rows whose mean drives
    deterrence (the pairs' deterrence-domain ties, or the pair ties); ``pm`` holds
    :data:`OUTCOME_SLOTS`; ``lo``/``hi`` are every row's bounds (as ``WorldState.apply`` clips).
    """
    r = _indices(rows)
    bounds = (lo[r[2]], hi[r[2]], lo[r[0]], hi[r[0]], lo[r[4]], hi[r[4]])
    per_world = pm.shape[1] > 1
    c = _outcome_coefficients(pm, 0)
    worlds = x.shape[1]
    for first in range(0, worlds, _OUTCOME_BLOCK):  # stage by stage over a block of worlds (vectorized)
        n = min(_OUTCOME_BLOCK, worlds - first)
        if per_world:  # each world with its own coefficients: a block of one world at a time
            for w in range(first, first + n):
                _outcome_stages(x, w, 1, r, _outcome_coefficients(pm, w), bounds)
        else:
            _outcome_stages(x, first, n, r, c, bounds)


_OUTCOME_BLOCK = 512
"""Worlds per block of :func:`outcomes_step`: a block's rows stay in the L1 cache from one stage to the next."""


def _outcome_stages(
    x: np.ndarray, first: int, n: int, rows: tuple[int, ...], c: tuple[float, ...], bounds: tuple[float, ...]
) -> None:
    """:func:`outcomes_step` for worlds ``first`` to ``first + n`` with coefficients ``c``, one stage at a time.

    Each world goes through the numpy code's operations in its order (upkeep, then
    institutionalization, then deterrence credibility); a stage reads only what the stages before
    it wrote, so running each over the block before the next changes no bit.
    """
    inst_row, settled_row, upkeep_row, det_row = rows[0], rows[1], rows[2], rows[4]
    inst = x[inst_row, first : first + n]
    settled = x[settled_row, first : first + n]
    upkeep = x[upkeep_row, first : first + n]
    for j in range(n):
        invest = np_maximum(inst[j] - settled[j], 0.0)
        signal = _clip01(c[0] * invest + c[1] * inst[j])
        kept = (0.0 + signal * (1.0 - upkeep[j])) + -c[2] * upkeep[j]
        upkeep[j] = _bounded(upkeep[j] + kept, bounds[0], bounds[1])
    weight = c[7]
    index = x[rows[3], first : first + n]
    for j in range(n):
        now = inst[j]
        kept_up = upkeep[j]
        building = ((c[3] * np_maximum(index[j] - c[4], 0.0)) * (1.0 - now)) * ((1.0 - weight) + weight * kept_up)
        erosion = (-c[5] * np_maximum(c[4] - index[j], 0.0)) * now
        lapse = ((-c[6] * weight) * (1.0 - kept_up)) * now
        new = _bounded(now + (((0.0 + building) + erosion) + lapse), bounds[2], bounds[3])
        inst[j] = new
        settled[j] = new
    tie_a = x[rows[7], first : first + n]
    tie_b = x[rows[8], first : first + n]
    tie_c = x[rows[9], first : first + n]
    commitment = x[rows[5], first : first + n]
    capability = x[rows[6], first : first + n]
    det = x[det_row, first : first + n]
    for j in range(n):
        ties = ((tie_a[j] + tie_b[j]) + tie_c[j]) / 3.0
        target = _clip01(((c[8] + c[9] * ties) + c[10] * (commitment[j] - 0.5)) - c[11] * capability[j])
        old = det[j]
        det[j] = np_clamp(old + c[12] * (target - old), bounds[4], bounds[5])  # WorldState.apply's bounds
