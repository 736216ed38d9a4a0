"""One line per facilitator log entry, for the console's log (newest first), worded as the report words it."""

from __future__ import annotations

from sim.lang.scenario import Scenario
from sim.play.commands import FacilitatorAction
from sim.play.wording import describe_action


def describe(scenario: Scenario, entry: FacilitatorAction) -> str:
    """One line for a facilitator log entry (``before turn 3, 2025Q3: injected the event '...'``)."""
    return describe_action(scenario, entry, docs=False)
