"""Warmup: what is reset at turn 0 after the turns a scenario runs before its start (``warmup:``).

During warmup the model's own behaviour moves the ties, institutionalization, deterrence, threat
perceptions, willingness and hedging; at the start the scenario's dated facts take over again.
:func:`restart_rows` lists the rows put back to their scenario starting value and
:func:`restart` puts them back and resets the bookkeeping (docs/model.md, "Warmup").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.layout import GOVERNMENTS, PROFILE_TRAITS, THREAT_ACTORS

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.lang.scenario import Scenario

COUNTERS = ("provocations", "events_fired")
"""Shared counters, restarted at 0 (so are ``fired.ID`` and ``played.GOV.CARD``)."""


def restart_rows(scenario: Scenario) -> np.ndarray:
    """The state rows put back to their starting value after warmup (sorted row indices).

    They are: each government's camp in power, leadership traits, political capital, turnover
    and every variable its ``initial:`` sets; each threat actor's variables its ``initial:``
    sets, its act flags and activity; the counters (acts, events, ``fired.*``, ``played.*``).
    """
    layout = scenario.layout
    names: list[str] = list(COUNTERS)
    names += [name for name in layout.rows if name.startswith(("fired.", "played."))]
    for gov in scenario.facts.strategies:  # the governments the file declares
        names += [f"{gov}.{var}" for var in ("camp", "capital", "turnover", *PROFILE_TRAITS)]
    for code, initial in scenario.facts.initial.items():
        names += [f"{code}.{var}" for var in initial]
    for actor in THREAT_ACTORS:
        names += [f"{actor}.{var}" for var in ("activity", *layout.acts[actor])]
    return np.array(sorted({layout.rows[name] for name in names if name in layout.rows}), dtype=np.int64)


def restart(model: TrilateralModel, start: np.ndarray) -> None:
    """Turn 0 after warmup: put back :func:`restart_rows` from ``start`` and reset the bookkeeping.

    Args:
        model: the model that has just run its warmup turns.
        start: the state before warmup (the scenario's starting state).
    """
    rows = restart_rows(model.scenario)
    model.x[rows] = start[rows]
    model.state.refresh_ties(force=True)
    model.turn = 0
    model.context[:] = [0, *model.scenario.start, *model.scenario.series.row(1)]
    model.applied_camp = {g: np.full(model.replications, model.scenario.camp_start[g]) for g in GOVERNMENTS}
    for government in model.governments.values():
        government.last_choice = np.zeros((0, model.replications), dtype=bool)
    model.log.clear()
    model.elections.clear()
    model.start_state = model.x.copy()
