"""Building a government's named leaders: their camps, traits and scheduled changes of leader.

A leader's traits are its camp's profile with the leader's own overrides; each trait is an
expression of parameters, compiled here like a camp's profile and evaluated once per ensemble
(:func:`leader_traits`). Names, camps and quarters that do not exist are skipped here;
:mod:`sim.lang.checks` reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.layout import GOVERNMENTS, PROFILE_TRAITS, Layout
from sim.lang import calendar
from sim.lang.expr import Expression

if TYPE_CHECKING:  # annotations only: the engine runs leaders without the schema (sim.lang.compiled_scenario)
    from sim.lang import schema
    from sim.lang.compiler import Compiler


@dataclass(frozen=True)
class LeaderTable:
    """One government's named leaders, compiled.

    Attributes:
        names: the leaders' ids, in file order (a leader's index is its ``GOV.leader`` value).
        labels: the leaders' labels (their id where none is given).
        camps: each leader's camp, as the index of the camp in the government's ``camps``.
        traits: per leader, its compiled traits in ``PROFILE_TRAITS`` order.
        start: the index of the leader in power at the start (None: no named leader).
        changes: turn -> index of the leader who takes office at the start of that turn.
    """

    names: tuple[str, ...]
    labels: tuple[str, ...]
    camps: tuple[int, ...]
    traits: tuple[tuple[Expression, ...], ...]
    start: int | None
    changes: Mapping[int, int]


def _evaluate(value: Expression, params: list[Any], replications: int) -> np.ndarray:
    empty = np.zeros((0, replications))
    return np.broadcast_to(np.asarray(value(empty, params, [], None), dtype=np.float64), (replications,))


def leader_traits(table: LeaderTable, params: list[Any], replications: int) -> np.ndarray:
    """The leaders' traits per world, clipped to [0, 1]: an array (leaders, traits, worlds)."""
    values = np.array([[_evaluate(e, params, replications) for e in traits] for traits in table.traits])
    return np.clip(values.reshape(len(table.names), len(PROFILE_TRAITS), replications), 0.0, 1.0)


def place_starting_leaders(
    leaders: Mapping[str, LeaderTable], x: np.ndarray, layout: Layout, params: list[Any]
) -> None:
    """Write each starting leader's traits and every ``GOV.leader`` row into the initial state ``x``."""
    replications = x.shape[1]
    for gov, table in leaders.items():
        x[layout.rows[f"{gov}.leader"]] = -1 if table.start is None else table.start
        if table.start is None:
            continue
        traits = leader_traits(table, params, replications)[table.start]
        for t, trait in enumerate(PROFILE_TRAITS):
            x[layout.rows[f"{gov}.{trait}"]] = traits[t]


def _changes(government: schema.GovernmentSpec, start: tuple[int, int], names: tuple[str, ...]) -> dict[int, int]:
    changes: dict[int, int] = {}
    for quarter, name in government.leader_changes.items():
        try:
            turn = calendar.turn_of(quarter, start)
        except ValueError:
            continue
        if name in names:
            changes[turn] = names.index(name)
    return changes


def _one_government(
    compiler: Compiler,
    gov: str,
    government: schema.GovernmentSpec,
    camp_traits: list[list[Expression]],
    start: tuple[int, int],
) -> LeaderTable | None:
    camps = list(government.camps)
    names: list[str] = []
    labels: list[str] = []
    camp_index: list[int] = []
    traits: list[tuple[Expression, ...]] = []
    complete = True
    for name, leader in government.leaders.items():
        if leader.camp not in camps:
            complete = False
            continue
        camp = camps.index(leader.camp)
        row: list[Expression] = []
        for t, trait in enumerate(PROFILE_TRAITS):
            override = getattr(leader, trait)
            if override is None:
                row.append(camp_traits[camp][t])
                continue
            compiled = compiler.unit_expr(override, ("governments", gov, "leaders", name, trait), "profile")
            if compiled is None:
                complete = False
            else:
                row.append(compiled)
        names.append(name)
        labels.append(leader.label or name)
        camp_index.append(camp)
        traits.append(tuple(row))
    if not complete:
        return None
    names_t = tuple(names)
    return LeaderTable(
        names=names_t,
        labels=tuple(labels),
        camps=tuple(camp_index),
        traits=tuple(traits),
        start=names_t.index(government.leader) if government.leader in names_t else None,
        changes=_changes(government, start, names_t),
    )


def build_leaders(
    compiler: Compiler, spec: schema.ScenarioSpec, profiles: Mapping[str, list[list[Expression]]]
) -> dict[str, LeaderTable] | None:
    """Each government's named leaders (only governments that name some).

    Args:
        compiler: compiles leaders' trait overrides (recording problems).
        spec: the validated scenario.
        profiles: per government, per camp, the compiled profile traits (in ``PROFILE_TRAITS`` order).

    Returns:
        The tables, or None if a leader's trait or camp is wrong (its problem is recorded by
        the compiler or by :mod:`sim.lang.checks`).
    """
    start = calendar.parse_quarter(spec.start)
    governments = {str(gov): g for gov, g in spec.governments.items()}
    tables: dict[str, LeaderTable] = {}
    for gov in GOVERNMENTS:
        government = governments.get(gov)
        if government is None or not government.leaders:
            continue
        table = _one_government(compiler, gov, government, profiles[gov], start)
        if table is None:
            return None
        tables[gov] = table
    return tables
