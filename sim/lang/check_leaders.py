"""The checks of a government's schedules and leaders (``script``, ``leaders``, ``leader``, ``leader_changes``).

Part of the scenario checks (:data:`sim.lang.checks.SCENARIO_CHECKS` lists them); like the
others, each records located problems and builds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import did_you_mean
from sim.lang import calendar

if TYPE_CHECKING:
    from sim.lang.checks import ScenarioContext


def _unknown_leader(gov: str, name: str, leaders: list[str]) -> str:
    known = f"leaders: {', '.join(leaders)}" if leaders else "it names no leaders: (add them under leaders:)"
    return f"unknown leader '{name}' for {gov}{did_you_mean(name, leaders)}; {known}"


def _starting_leader_and_in_power(context: ScenarioContext, gov: str, leader: str, camp: str, in_power: str) -> None:
    """A starting leader of another camp than ``in_power``: an error unless ``in_power`` is inherited.

    ``in_power`` inherited from a file that the file giving ``leader`` extends is overridden by
    the leader; written in the same file, or in a file extending the leader's, it must agree.
    """
    diagnostics = context.diagnostics
    leader_mark = diagnostics.mark("governments", gov, "leader")
    power_mark = diagnostics.mark("governments", gov, "in_power")
    if context.file_order(power_mark[0]) < context.file_order(leader_mark[0]):
        return
    if leader_mark[0] == power_mark[0]:
        message = (
            f"leader '{leader}' is of camp '{camp}' but in_power is '{in_power}': they must agree "
            "(or leave out in_power)"
        )
        diagnostics.add(leader_mark, message, "name")
    else:
        message = (
            f"in_power '{in_power}' is not the camp of the leader '{leader}' ({camp}) "
            f"given in {Path(leader_mark[0]).name}: set leader: too"
        )
        diagnostics.add(power_mark, message, "name")


def government_leaders(context: ScenarioContext) -> None:
    """Leaders belong to known camps; ``leader`` and ``leader_changes`` name known leaders."""
    diagnostics = context.diagnostics
    for gov, g in context.spec.governments.items():
        camps, leaders = list(g.camps), list(g.leaders)
        for name, leader in g.leaders.items():
            if leader.camp not in camps:
                diagnostics.at(
                    ("governments", gov, "leaders", name, "camp"),
                    f"leader '{name}': unknown camp '{leader.camp}'{did_you_mean(leader.camp, camps)}; "
                    f"camps: {', '.join(camps)}",
                    "name",
                )
        for quarter, name in g.leader_changes.items():
            if name not in leaders:
                loc = ("governments", gov, "leader_changes", quarter)
                diagnostics.at(loc, _unknown_leader(gov, name, leaders), "name")
        if g.leader is None:
            continue
        if g.leader not in leaders:
            diagnostics.at(("governments", gov, "leader"), _unknown_leader(gov, g.leader, leaders), "name")
            continue
        camp = g.leaders[g.leader].camp
        if g.in_power is not None and g.in_power != camp and camp in camps:
            _starting_leader_and_in_power(context, gov, g.leader, camp, g.in_power)


def _quarter_in_run(context: ScenarioContext, quarter: str, loc: tuple[Any, ...]) -> None:
    """A quarter label (a key at ``loc``) within the scenario's turns."""
    diagnostics = context.diagnostics
    where = diagnostics.where(loc)
    try:
        turn = calendar.turn_of(quarter, context.start)
    except ValueError as exc:
        diagnostics.at(loc, f"{where}: {exc}", "quarter", key=True)
        return
    if turn < 1:
        diagnostics.at(loc, f"{where}: {quarter} is before the start ({context.spec.start})", "range", key=True)
    elif turn > context.spec.turns:
        last = calendar.quarter_label(context.spec.turns, context.start)
        message = f"{where}: {quarter} is after the last quarter ({last}, turn {context.spec.turns})"
        diagnostics.at(loc, message, "range", key=True)


def schedule_quarters(context: ScenarioContext) -> None:
    """Script and leader-change keys are quarters of the run (from the start to the last turn)."""
    for gov, g in context.spec.governments.items():
        for quarter in g.script:
            _quarter_in_run(context, quarter, ("governments", gov, "script", quarter))
        for quarter in g.leader_changes:
            _quarter_in_run(context, quarter, ("governments", gov, "leader_changes", quarter))
