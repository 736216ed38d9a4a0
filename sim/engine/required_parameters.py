"""The parameters the built-in behaviour reads, declared where importing them does not import Mesa.

The scenario checks need this list to say that a scenario (or a save's embedded copy of an older
``defaults.yaml``) lacks a coefficient; importing the agents to read their ``COEFFICIENTS`` would
import Mesa (pandas, scipy, networkx: about 0.7 s) into ``trilat list``, ``validate`` and ``show``.
So the agents' coefficient lists live here (each agent class's ``COEFFICIENTS`` is one of them),
and the engine modules' lists are read from those modules, which do not import Mesa either. A
test checks that the table equals :func:`sim.engine.dynamics.required_parameters`.
"""

from __future__ import annotations

from types import MappingProxyType

from sim.engine import bargaining, politics
from sim.engine.dynamics import COOPERATION_COEFFICIENTS, OUTCOME_COEFFICIENTS

THREAT_ACTOR_COEFFICIENTS: tuple[str, ...] = (
    "growth_DPRK",
    "growth_CHN",
    "growth_RUS",
    "aggression_reversion",
    "engagement_gain",
    "engagement_decay",
    "habituation_gain",
    "habituation_build",
    "habituation_decay",
    "habituation_start",
)
"""What :class:`agents.ThreatActor` reads."""

DOMESTIC_POLITICS_COEFFICIENTS: tuple[str, ...] = (
    "approval_anchor",
    "approval_reversion",
    "approval_noise",
    "crisis_approval_cost",
    "polarization_reversion",
    "crisis_polarization",
    "salience_reversion",
    "support_rate",
    "support_base",
    "support_threat_gain",
    "support_history_loss",
    "support_polarization_loss",
    "crisis_decay",
    "capital_regen",
    "capital_max",
    "turnover_base",
    "turnover_approval_gain",
    "honeymoon_approval",
    *politics.COEFFICIENTS,
)
"""What :class:`agents.DomesticPolitics` reads (with :mod:`sim.engine.politics`)."""

GOVERNMENT_COEFFICIENTS: tuple[str, ...] = (
    "perception_rate",
    "act_signal_gain",
    "alignment_gain",
    "willingness_base",
    "threat_gain",
    "commitment_gain",
    "transactional_drag",
    "support_gain",
    "hedging_drag",
    "hedging_rate",
    "hedging_gain",
    "camp_lens_gain",
    "entrapment_gain",
    "leverage_gain",
    "defection_cost",
)
"""What :class:`agents.Government` reads."""

_OWNERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ThreatActor", THREAT_ACTOR_COEFFICIENTS),
    ("DomesticPolitics", DOMESTIC_POLITICS_COEFFICIENTS),
    ("Government", GOVERNMENT_COEFFICIENTS),
    ("cooperation dynamics", COOPERATION_COEFFICIENTS),
    ("outcomes", OUTCOME_COEFFICIENTS),
    ("bargaining", bargaining.COEFFICIENTS),
)

REQUIRED_PARAMETERS = MappingProxyType({name: owner for owner, names in _OWNERS for name in names})
"""Every parameter the built-in behaviour reads, mapped to what reads it (read-only)."""
