"""The compiled :class:`Scenario` the model runs, importable without the scenario front end.

:mod:`sim.lang.scenario` builds a Scenario from YAML (PyYAML, the pydantic schema, the checks);
the engine only runs one. This module holds the Scenario itself and what it needs at run time
(numpy, the layout, the compiled triggers), so that a kept scenario (:mod:`sim.lang.kept`)
loads and runs without importing pydantic or PyYAML. The validated spec is kept beside the
compiled parts: the engine reads only :class:`ScenarioFacts`, and :attr:`Scenario.spec` is
unpickled on first use (which imports the schema) for the tools that read the rest of it.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.layout import GOVERNMENTS, PROFILE_TRAITS, Layout
from sim.errors import UsageError, did_you_mean
from sim.lang import calendar
from sim.lang.build_leaders import LeaderTable, place_starting_leaders
from sim.lang.build_series import SeriesInputs
from sim.lang.compiled import Act, Card, Event, Injection, Rule
from sim.lang.expr import Expression, Symbols

if TYPE_CHECKING:
    from sim.lang import schema


@dataclass(frozen=True)
class ScenarioFacts:
    """What the engine reads of the validated spec, copied out of it at compile time.

    Attributes:
        id: the scenario id.
        title: its title.
        turns: its default number of turns.
        warmup: turns run before turn 1, unrecorded.
        start: the quarter of turn 1 (``2025Q1``).
        abstract: whether it holds shared defaults only (it cannot run).
        responsiveness: each cooperation domain's responsiveness, in layout order.
        history_spillover: each domain's history spillover, in layout order.
        strategies: each government's computer strategy.
        camp_labels: per government, each camp's label (its name where none is given).
        initial: per government and threat actor, the variables its ``initial:`` sets.
        parameter_ranges: each parameter's declared range (None: any value).
    """

    id: str
    title: str
    turns: int
    warmup: int
    start: str
    abstract: bool
    responsiveness: tuple[float, ...]
    history_spillover: tuple[float, ...]
    strategies: Mapping[str, str]
    camp_labels: Mapping[str, Mapping[str, str]]
    initial: Mapping[str, tuple[str, ...]]
    parameter_ranges: Mapping[str, tuple[float, float] | None]

    @classmethod
    def of(cls, spec: schema.ScenarioSpec, domains: tuple[str, ...]) -> ScenarioFacts:
        """The facts of a validated spec (``domains``: the layout's domain order)."""
        initial: dict[str, tuple[str, ...]] = {gov: tuple(g.initial) for gov, g in spec.governments.items()}
        initial.update({code: tuple(threat.initial) for code, threat in spec.threats.items()})
        return cls(
            id=spec.id,
            title=spec.title,
            turns=spec.turns,
            warmup=spec.warmup,
            start=spec.start,
            abstract=spec.abstract,
            responsiveness=tuple(spec.domains[d].responsiveness for d in domains),
            history_spillover=tuple(spec.domains[d].history_spillover for d in domains),
            strategies={gov: government.strategy for gov, government in spec.governments.items()},
            camp_labels={
                gov: {name: camp.label or name for name, camp in government.camps.items()}
                for gov, government in spec.governments.items()
            },
            initial=initial,
            parameter_ranges={
                name: None if p.range is None else (float(p.range[0]), float(p.range[1]))
                for name, p in spec.parameters.items()
            },
        )


class SpecHolder:
    """A scenario's validated spec, or its pickled bytes until it is first read.

    A Scenario pickles its spec as bytes made once, and unpickles them only when asked: a kept
    scenario or a sweep worker that never reads the spec never imports pydantic.
    """

    __slots__ = ("_pickled", "_spec")

    def __init__(self, spec: schema.ScenarioSpec | None = None, pickled: bytes | None = None) -> None:
        if (spec is None) == (pickled is None):
            raise ValueError("give the spec or its pickled bytes")
        self._spec = spec
        self._pickled = pickled

    def get(self) -> schema.ScenarioSpec:
        """The spec (unpickled on the first call)."""
        if self._spec is None:
            assert self._pickled is not None
            self._spec = pickle.loads(self._pickled)  # noqa: S301 - made by this process or a kept scenario (sim.lang.kept)
        return self._spec

    def loaded(self) -> bool:
        """Whether the spec has been unpickled (or was never pickled)."""
        return self._spec is not None

    def pickled(self) -> bytes:
        """The spec's pickled bytes (made on the first call)."""
        if self._pickled is None:
            self._pickled = pickle.dumps(self._spec, protocol=pickle.HIGHEST_PROTOCOL)
        return self._pickled

    def __getstate__(self) -> bytes:
        return self.pickled()

    def __setstate__(self, state: bytes) -> None:
        self._spec = None
        self._pickled = state


@dataclass(eq=False)
class Scenario:
    """A validated, compiled scenario: what :class:`sim.TrilateralModel` runs."""

    spec_holder: SpecHolder
    facts: ScenarioFacts
    path: Path
    files: list[Path]
    content_hash: str
    layout: Layout
    symbols: Symbols
    parameter_names: list[str]
    parameter_defaults: dict[str, float]
    initializers: list[tuple[slice, Expression]]
    profiles: dict[str, list[list[Expression]]]
    camp_start: dict[str, int]
    camp_names: dict[str, tuple[str, ...]]
    exposure: dict[str, np.ndarray]
    election_turns: dict[str, frozenset[int]]
    rules: dict[str, list[Rule]]
    events: list[Event]
    acts: dict[str, list[Act]]
    actions: dict[str, list[Card]]
    series: SeriesInputs
    scripts: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=dict)
    objectives: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    leaders: dict[str, LeaderTable] = field(default_factory=dict)
    texts: tuple[str, ...] = ()
    """The text of each file in ``files``, as loaded (a save embeds them)."""
    embedded: bool = False
    """Whether it was loaded from texts embedded in a save rather than from the files."""

    def __repr__(self) -> str:
        return f"Scenario(id={self.id!r}, path={str(self.path)!r})"

    @property
    def spec(self) -> schema.ScenarioSpec:
        """The validated spec (the first read of a kept scenario's imports the schema)."""
        return self.spec_holder.get()

    @property
    def id(self) -> str:
        """The scenario id."""
        return self.facts.id

    @property
    def title(self) -> str:
        """The scenario title."""
        return self.facts.title

    @property
    def turns(self) -> int:
        """Default number of turns."""
        return self.facts.turns

    @property
    def warmup(self) -> int:
        """Turns run before turn 1, unrecorded (``warmup:``; 0 if none)."""
        return self.facts.warmup

    @property
    def start(self) -> tuple[int, int]:
        """(year, quarter) of turn 1."""
        return calendar.parse_quarter(self.facts.start)

    def quarter_of(self, turn: int) -> tuple[int, int]:
        """(year, quarter) of a 1-based turn."""
        return calendar.quarter_of(turn, self.start)

    def quarter_label(self, turn: int) -> str:
        """``2025Q3``-style label of a 1-based turn."""
        return calendar.quarter_label(turn, self.start)

    def turn_of(self, quarter: str) -> int:
        """1-based turn of a quarter label (may be <= 0 or beyond the last turn)."""
        return calendar.turn_of(quarter, self.start)

    def initial_state(self, params: list[Any], replications: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The initial state matrix and each government's profile table (camps, traits, R).

        Initial values and profile traits may be expressions of parameters, and parameters may
        differ between replications, so both are evaluated per ensemble.
        """
        layout = self.layout
        x = np.zeros((layout.size, replications))
        empty = np.zeros((0, replications))

        def evaluate(value: Expression) -> np.ndarray:
            return np.broadcast_to(np.asarray(value(empty, params, [], None), dtype=np.float64), (replications,))

        for rows, value in self.initializers:
            x[rows] = evaluate(value)
        profiles = {}
        for gov in GOVERNMENTS:
            table = np.array([[evaluate(e) for e in camp] for camp in self.profiles[gov]])
            profiles[gov] = np.clip(table, 0.0, 1.0)
            camp = self.camp_start[gov]
            x[layout.rows[f"{gov}.camp"]] = camp
            for t, trait in enumerate(PROFILE_TRAITS):
                x[layout.rows[f"{gov}.{trait}"]] = profiles[gov][camp, t]
        place_starting_leaders(self.leaders, x, layout, params)
        np.clip(x, layout.lo[:, None], layout.hi[:, None], out=x)  # in place: no second (rows, R) matrix
        return x, profiles

    def event(self, ident: str) -> Event:
        """The compiled scenario event ``ident`` (for a facilitator to inject)."""
        for event in self.events:
            if event.id == ident:
                return event
        known = [e.id for e in self.events]
        raise UsageError(f"no event '{ident}' in scenario '{self.id}'{did_you_mean(ident, known)}")

    def compile_injection(
        self, ident: str, title: str, say: str, effects: Mapping[str, Any], source: str = "facilitator"
    ) -> Injection:
        """A custom event with the given effects (``{target: expression}``), checked like a scenario's.

        Raises:
            UsageError: naming every problem of the effects.
        """
        from sim.lang.build_triggers import build_injection
        from sim.lang.compiler import Compiler
        from sim.lang.diagnostics import Diagnostics
        from sim.lang.yamlio import LocDict

        diagnostics = Diagnostics(LocDict(), ("<facilitator>", 1, 1))
        compiler = Compiler(diagnostics, self.layout, self.symbols)
        injection = build_injection(compiler, ident, title, say, dict(effects), source)
        if diagnostics:
            raise UsageError("; ".join(problem.message for problem in diagnostics.problems))
        return injection

    def parameter(self, name: str) -> schema.ParameterSpec:
        """The declared parameter ``name``."""
        return self.spec.parameters[name]
