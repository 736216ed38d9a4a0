"""Building a scenario's starting state: ties, shared indicators, governments and threat actors.

Starting values are expressions of parameters only (a sweep may vary them per replication), so
they are compiled here and evaluated by :meth:`sim.lang.scenario.Scenario.initial_state`. Names
that do not exist are skipped here; :mod:`sim.lang.checks` reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine.layout import GOVERNMENTS, PAIRS, PROFILE_TRAITS, THREAT_ACTORS, THREAT_VARIABLES
from sim.lang import calendar, schema
from sim.lang.build_leaders import LeaderTable, build_leaders
from sim.lang.compiler import Compiler
from sim.lang.expr import Expression


@dataclass(frozen=True)
class StartingState:
    """What the model needs to set up turn 0.

    Attributes:
        initializers: (state rows, starting value) in file order.
        profiles: per government, per camp, the compiled leadership traits (in ``PROFILE_TRAITS``
            order); a government with one camp lists it twice.
        camp_start: per government, the index of the camp in power.
        camp_names: per government, its camps in file order.
        exposure: per government, its exposure to each threat actor (``THREAT_ACTORS`` order).
        election_turns: per government, the turns with an election.
        leaders: per government that names leaders, its compiled leaders
            (:mod:`sim.lang.build_leaders`).
    """

    initializers: list[tuple[slice, Expression]]
    profiles: dict[str, list[list[Expression]]]
    camp_start: dict[str, int]
    camp_names: dict[str, tuple[str, ...]]
    exposure: dict[str, np.ndarray]
    election_turns: dict[str, frozenset[int]]
    leaders: dict[str, LeaderTable]


class _Initializers:
    """Collects (rows, compiled starting value), skipping values that did not compile."""

    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler
        self.items: list[tuple[slice, Expression]] = []

    def add(self, rows: slice, value: Any, loc: tuple[Any, ...]) -> None:
        compiled = self.compiler.bounded_expr(value, rows, loc)
        if compiled is not None:
            self.items.append((rows, compiled))

    def add_target(self, target: str, value: Any, loc: tuple[Any, ...]) -> None:
        self.add(self.compiler.layout.target_rows(target), value, loc)


def by_name[K, V](mapping: Mapping[K, V]) -> dict[str, V]:
    """A mapping keyed by literal codes (``USA``, ``DPRK``, ``USA_ROK``) as a plain ``str`` mapping."""
    return {str(k): v for k, v in mapping.items()}


def _ties(init: _Initializers, spec: schema.ScenarioSpec) -> None:
    layout = init.compiler.layout
    ties = by_name(spec.ties)
    for pair in PAIRS:
        value = ties[pair]
        if not isinstance(value, dict):
            init.add(layout.tie_rows(pair), value, ("ties", pair))
            continue
        if "all" in value:
            init.add(layout.tie_rows(pair), value["all"], ("ties", pair, "all"))
        for domain, v in value.items():
            if domain in spec.domains:
                row = layout.rows[f"tie.{pair}.{domain}"]
                init.add(slice(row, row + 1), v, ("ties", pair, domain))


def _profiles(compiler: Compiler, gov: str, government: schema.GovernmentSpec) -> list[list[Expression | None]]:
    table = [
        [
            compiler.unit_expr(getattr(profile, trait), ("governments", gov, "camps", camp, trait), "profile")
            for trait in PROFILE_TRAITS
        ]
        for camp, profile in government.camps.items()
    ]
    if len(table) == 1:
        table.append(table[0])
    return table


def _turns(quarters: list[str], start: tuple[int, int]) -> frozenset[int]:
    """The turns of the well-formed quarter labels (:mod:`sim.lang.checks` reports the others)."""
    turns = set()
    for quarter in quarters:
        try:
            turns.add(calendar.turn_of(quarter, start))
        except ValueError:
            continue
    return frozenset(turns)


def build_starting_state(compiler: Compiler, spec: schema.ScenarioSpec) -> StartingState | None:
    """The starting state of a validated scenario.

    Returns:
        The starting state, or None if a leadership trait (of a camp or a leader) did not compile (its problem is then
        recorded in the compiler's diagnostics).
    """
    init = _Initializers(compiler)
    _ties(init, spec)
    for name, value in spec.initial.items():
        init.add_target(name, value, ("initial", name))
    start = calendar.parse_quarter(spec.start)
    governments = by_name(spec.governments)
    tables: dict[str, list[list[Expression | None]]] = {}
    camp_start: dict[str, int] = {}
    camp_names: dict[str, tuple[str, ...]] = {}
    exposure: dict[str, np.ndarray] = {}
    election_turns: dict[str, frozenset[int]] = {}
    for gov in GOVERNMENTS:
        g = governments[gov]
        camp_names[gov] = tuple(g.camps)
        tables[gov] = _profiles(compiler, gov, g)
        camp_start[gov] = camp_names[gov].index(g.starting_camp) if g.starting_camp in g.camps else 0
        for variable, value in g.initial.items():
            if variable in schema.government_initial(gov):
                init.add_target(f"{gov}.{variable}", value, ("governments", gov, "initial", variable))
        actor_exposure = by_name(g.exposure)
        exposure[gov] = np.array([actor_exposure.get(a, 0.0) for a in THREAT_ACTORS])
        election_turns[gov] = _turns(g.elections, start)
    threats = by_name(spec.threats)
    for actor in THREAT_ACTORS:
        for variable, value in (threats[actor].initial if actor in threats else {}).items():
            if variable in THREAT_VARIABLES and THREAT_VARIABLES[variable].writable:
                init.add_target(f"{actor}.{variable}", value, ("threats", actor, "initial", variable))
    profiles = {gov: [[e for e in camp if e is not None] for camp in table] for gov, table in tables.items()}
    if any(len(camp) != len(PROFILE_TRAITS) for table in profiles.values() for camp in table):
        return None
    leaders = build_leaders(compiler, spec, profiles)
    if leaders is None:
        return None
    return StartingState(
        initializers=init.items,
        profiles=profiles,
        camp_start=camp_start,
        camp_names=camp_names,
        exposure=exposure,
        election_turns=election_turns,
        leaders=leaders,
    )
