"""Per-world terms of the domestic kernels (:mod:`sim.engine.kernels.domestic`), each a scalar function.

Each does, for one world, the floating-point operations of the numpy code it names, in the same
order: sums start from 0.0 as Python's ``sum`` does, ``np.maximum``/``np.minimum`` keep their NaN
and signed-zero rules, state updates clip as the numpy path does. Plain Python; numba inlines them.
"""

from __future__ import annotations

from sim.engine.kernels.source import _bounded, np_minimum

HELPERS = (
    "approval_change",
    "polarization_change",
    "view_change",
    "support_change",
    "shared_threat_rise",
)
"""Functions the domestic kernels call (``sim.engine.kernels.load`` inlines them)."""
KERNELS: tuple[str, ...] = ()


def approval_change(
    approval: float,
    crisis: float,
    noise: float,
    payoff: float,
    willingness: float,
    support: float,
    c_reversion: float,
    c_anchor: float,
    c_crisis: float,
    c_noise: float,
    c_gap: float,
) -> float:
    """The sum of the approval parts of ``DomesticPolitics.step`` (drift, crisis, noise, history moves, gap)."""
    total = 0.0 + c_reversion * (c_anchor - approval)
    total = total + -c_crisis * crisis
    total = total + noise * c_noise
    total = total + payoff
    return total + -c_gap * abs(willingness - support)


def polarization_change(
    polarization: float,
    start: float,
    crisis: float,
    shock: float,
    mobilization: float,
    salience_rise: float,
    threat_rise: float,
    c_reversion: float,
    c_crisis: float,
    c_shock: float,
    c_mobilization: float,
    c_salience: float,
    c_convergence: float,
) -> float:
    """The sum of the polarization parts (drift, crisis, shocks, mobilization, history, threat)."""
    total = 0.0 + c_reversion * (start - polarization)
    total = total + c_crisis * crisis
    total = total + shock * c_shock
    total = total + c_mobilization * mobilization
    total = total + c_salience * salience_rise
    return total + -c_convergence * threat_rise


def view_change(
    view: float,
    start: float,
    tie_rise: float,
    shared_threat_rise: float,
    salience_rise: float,
    history: bool,
    rate: float,
    c_tie: float,
    c_threat: float,
    c_history: float,
) -> float:
    """The sum of a view's parts: drift and the drivers of ``politics.view_drivers``, each times the rate."""
    total = 0.0 + rate * (start - view)
    total = total + rate * (c_tie * tie_rise)
    total = total + rate * (c_threat * shared_threat_rise)
    if history:
        total = total + rate * (-c_history * salience_rise)
    return total


def support_change(
    support: float,
    threat: float,
    salience: float,
    polarization: float,
    view_rises: float,
    c_base: float,
    c_threat: float,
    c_history: float,
    c_polarization: float,
    c_view: float,
    c_rate: float,
) -> float:
    """The change of public support, rate * (clip(target, 0, 1) - support); ``view_rises`` is the views' summed rise."""
    target = (
        c_base + c_threat * threat - c_history * salience - c_polarization * polarization + c_view * (view_rises / 2.0)
    )
    return c_rate * (_bounded(target, 0.0, 1.0) - support)


def shared_threat_rise(threat: float, partner: float, threat0: float, partner0: float) -> float:
    """The rise of the lower of two threat perceptions since the start (``np.minimum`` each time)."""
    return np_minimum(threat, partner) - np_minimum(threat0, partner0)
