"""Lesson plans: minutes per phase for a 60- or 90-minute class of three teams of 4-5 students."""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import UsageError
from sim.lang.scenario import Scenario

MINUTES_PER_QUARTER = 3
"""About how long three teams take for one quarter: choose, submit, resolve, read the news."""

LESSON_MINUTES = (60, 90)


@dataclass(frozen=True)
class Phase:
    """One phase of the class: its name, its minutes, what happens (``play`` marks playing time)."""

    name: str
    minutes: int
    what: str
    play: bool = False


@dataclass(frozen=True)
class LessonPlan:
    """A class of ``minutes`` minutes: its phases and the quarters to play in it."""

    minutes: int
    phases: tuple[Phase, ...]
    quarters: int

    @property
    def play_minutes(self) -> int:
        """Minutes of actual play."""
        return sum(p.minutes for p in self.phases if p.play)


def _phases(minutes: int) -> tuple[Phase, ...]:
    if minutes == 60:
        return (
            Phase("Welcome and scenario", 5, "Show the scenario's title screen; read the situation aloud."),
            Phase("Teams read their briefings", 8, "Hand out the team packs; each team agrees on two priorities."),
            Phase("How a turn works", 5, "Walk through one turn on the projector: choose, submit, resolve, news."),
            Phase("Play", 30, "Play the quarters; keep each to about three minutes.", play=True),
            Phase("Debrief", 12, "Scores, turning points, then two or three debrief questions."),
        )
    if minutes == 90:
        return (
            Phase("Welcome and scenario", 5, "Show the scenario's title screen; read the situation aloud."),
            Phase("Teams read their briefings", 12, "Hand out the team packs; each team agrees on a plan."),
            Phase(
                "A practice turn",
                8,
                "Play the first quarter slowly together; answer questions on the rules.",
                play=True,
            ),
            Phase("Play, first half", 25, "Play quarters at about three minutes each.", play=True),
            Phase("Half-time check", 5, "Show the turning points; each team says in one sentence how it is doing."),
            Phase("Play, second half", 15, "Finish the quarters.", play=True),
            Phase("Debrief", 20, "Scores and turning points, then the debrief questions, team by team."),
        )
    raise UsageError(f"lesson plans are for 60 or 90 minutes, not {minutes}")


def lesson_plan(scenario: Scenario, minutes: int = 60) -> LessonPlan:
    """The plan for a class of ``minutes`` (60 or 90) playing ``scenario``."""
    phases = _phases(minutes)
    play = sum(p.minutes for p in phases if p.play)
    quarters = max(1, min(scenario.spec.turns, play // MINUTES_PER_QUARTER))
    return LessonPlan(minutes, phases, quarters)
