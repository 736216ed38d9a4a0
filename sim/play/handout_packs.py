"""The handout packs of a scenario as documents (no PDF library: ``trilat show --team`` prints one as text)."""

from __future__ import annotations

from collections.abc import Sequence

from sim.errors import UsageError, did_you_mean
from sim.lang.scenario import Scenario
from sim.play.facilitator_pack import facilitator_pack
from sim.play.handouts import Document, reading, team_pack, teams
from sim.play.lesson import LESSON_MINUTES


def packs(scenario: Scenario, govs: Sequence[str] = (), minutes: int = 60, handout: bool = True) -> list[Document]:
    """The packs of ``govs`` (default: every team), then (for a ``handout``) the facilitator's.

    Without ``handout`` (the terminal's ``trilat show --team``) the team packs leave out the rules
    page and the glossary, and there is no facilitator's pack.
    """
    if minutes not in LESSON_MINUTES:
        raise UsageError(f"--minutes must be 60 or 90, not {minutes}")
    known = teams(scenario)
    wanted = [g.upper() for g in govs] or known
    for gov in wanted:
        if gov not in known:
            raise UsageError(
                f"no team '{gov}' in {scenario.id}; its teams are {', '.join(known)}{did_you_mean(gov, known)}"
            )
    match = reading(scenario)
    out = [team_pack(scenario, gov, minutes, match, extras=handout) for gov in dict.fromkeys(wanted)]
    return [*out, facilitator_pack(scenario, minutes, match)] if handout else out
