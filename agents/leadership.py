"""Scheduled changes of leader: a named leader takes office with its own traits and a honeymoon.

A scenario may name leaders under a government (``leaders:``) and schedule who takes office
when (``leader_changes:``). At the start of that quarter, in the domestic phase (where
elections happen), the new leader's traits replace the profile, the camp in power becomes the
leader's camp, and, as after an election the camp in power lost, approval is set to
``honeymoon_approval``, a domestic crisis is cleared and ``GOV.turnover`` is 1 for the turn, in
every world. A change of camp by an election or an event applies the new camp's profile
(:meth:`agents.domestic.DomesticPolitics.apply_camp_change`) and leaves no named leader in power
(``GOV.leader`` -1). The honeymoon is the one an election turnover brings. Grounding: the topic
of Choi's essay (its title, "How to Consolidate U.S.-ROK-Japan Cooperation under the New
Leadership Changes"; the text was not available) and her related Asan briefs as summarised in
``essay-briefs.md``; the honeymoon's form and size are modelling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine import sources
from sim.engine.layout import PROFILE_TRAITS
from sim.engine.triggers import Firing
from sim.lang.build_leaders import leader_traits

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel


def scheduled_change(model: TrilateralModel, code: str) -> None:
    """If a leader of ``code`` is scheduled to take office this turn, bring them in, in every world."""
    table = model.scenario.leaders.get(code)
    if table is None or model.turn not in table.changes:
        return
    take_office(model, code, table.changes[model.turn])


def take_office(model: TrilateralModel, code: str, leader: int) -> None:
    """Bring the leader with index ``leader`` into office in ``code``, in every world.

    Sets the profile to the leader's traits and the camp to the leader's camp, gives the
    honeymoon of a turnover (approval to ``honeymoon_approval``, crisis cleared, turnover 1),
    and logs the change as a story entry ``leader:GOV.id``.
    """
    table = model.scenario.leaders[code]
    rows = model.scenario.layout.rows
    x, P, state = model.x, model.params, model.state
    source = sources.leader(code, table.names[leader])

    def apply(var: str, target: np.ndarray | float) -> None:
        row = rows[f"{code}.{var}"]
        state.apply(slice(row, row + 1), target - x[row], source)

    traits = leader_traits(table, model.p, model.replications)[leader]
    for t, trait in enumerate(PROFILE_TRAITS):
        apply(trait, traits[t])
    camp = table.camps[leader]
    apply("camp", float(camp))
    apply("approval", P["honeymoon_approval"])
    apply("crisis", 0.0)
    x[rows[f"{code}.turnover"]] = 1.0
    x[rows[f"{code}.leader"]] = leader
    model.applied_camp[code] = np.full(model.replications, camp)
    label = table.labels[leader]
    camp_name = model.scenario.camp_names[code][camp]
    camp_label = model.scenario.facts.camp_labels[code][camp_name]
    model.log.append(
        Firing(
            turn=model.turn,
            quarter=model.scenario.quarter_label(model.turn),
            phase="domestic",
            source=source,
            title=f"{code}: {label} takes office",
            say=f"{code}: {label} takes office ({camp_label}).",
            citation="",
            worlds=model.replications,
            in_story=True,
        )
    )


def camp_changed(model: TrilateralModel, code: str, changed: np.ndarray) -> None:
    """Where the camp in power changed by an election or an event, no named leader is in power."""
    row = model.scenario.layout.rows.get(f"{code}.leader")
    if row is not None:
        model.x[row] = np.where(changed, -1.0, model.x[row])
