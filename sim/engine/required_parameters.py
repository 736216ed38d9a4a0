"""The parameters the built-in behaviour reads, listed without importing the agents (nor Mesa).

The scenario checks need this list to say that a scenario (or a save's embedded copy of an older
``defaults.yaml``) lacks a coefficient; importing the agents to read their ``COEFFICIENTS`` would
import Mesa (pandas, scipy, networkx: about 0.7 s) into ``trilat list``, ``validate`` and ``show``.
:func:`sim.engine.dynamics.required_parameters` stays the source of truth: a test checks that this
table equals it, owner by owner and in order.
"""

from __future__ import annotations

from types import MappingProxyType

_OWNERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ThreatActor",
        (
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
        ),
    ),
    (
        "DomesticPolitics",
        (
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
            "history_politics",
            "history_pivot",
            "history_outflank",
            "out_party_mobilization",
            "mobilization_polarization",
            "salience_polarization",
            "threat_convergence",
            "polarization_noise",
            "election_polarization",
            "polarization_camp_gain",
            "elite_gap_cost",
            "view_rate",
            "view_history_loss",
            "view_threat_gain",
            "view_tie_gain",
            "support_view_gain",
        ),
    ),
    (
        "Government",
        (
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
        ),
    ),
    (
        "cooperation dynamics",
        (
            "tie_base",
            "shared_threat_gain",
            "willingness_gain",
            "us_transactional_penalty",
            "hedging_penalty",
            "history_penalty",
            "polarization_penalty",
            "inst_anchor",
            "tie_adjust_rate",
            "inst_damping",
            "tie_noise",
            "quasi_alliance_gain",
            "two_track",
            "upkeep_anchor",
        ),
    ),
    (
        "outcomes",
        (
            "weakest_weight",
            "inst_build",
            "inst_threshold",
            "inst_erosion",
            "deterrence_base",
            "deterrence_tie_gain",
            "deterrence_commitment_gain",
            "deterrence_threat_drag",
            "deterrence_rate",
            "upkeep_weight",
            "upkeep_per_inst",
            "upkeep_self",
            "upkeep_decay",
            "inst_lapse",
        ),
    ),
    (
        "bargaining",
        (
            "bargaining_gain",
            "escalation_chance",
            "escalation_step",
            "escalation_tie_cost",
            "escalation_hedging",
            "hedge_shield",
            "concession_relief",
            "relief_hedging",
            "concession_win",
            "demand_lapse",
        ),
    ),
)

REQUIRED_PARAMETERS = MappingProxyType({name: owner for owner, names in _OWNERS for name in names})
"""Every parameter the built-in behaviour reads, mapped to what reads it (read-only)."""
