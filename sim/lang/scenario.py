"""Loading scenarios: the compiled :class:`Scenario` and the pipeline that makes it.

``load_scenario("baseline")`` (or a path) runs the scenario front end, a small compiler:

1. :func:`sim.lang.loading.load_chain` reads the file and everything it ``extends:`` into one
   located tree (running :data:`sim.lang.checks.FILE_CHECKS` on each file);
2. pydantic validates the tree against :mod:`sim.lang.schema`;
3. the checks of :mod:`sim.lang.checks` run on the validated spec;
4. the section builders (:mod:`sim.lang.build_state`, :mod:`sim.lang.build_triggers`) compile it.

Every problem is collected in one :class:`~sim.lang.diagnostics.Diagnostics` and reported as
``path:line:col: message`` through :class:`~sim.errors.ScenarioError`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.engine.layout import GOVERNMENTS, PROFILE_TRAITS, Layout
from sim.errors import Problem, ScenarioError, UsageError, did_you_mean
from sim.lang import calendar, checks, schema
from sim.lang.build_leaders import LeaderTable, place_starting_leaders
from sim.lang.build_series import SeriesInputs, build_series
from sim.lang.build_state import build_starting_state
from sim.lang.build_triggers import (
    build_acts,
    build_cards,
    build_events,
    build_injection,
    build_objectives,
    build_rules,
    build_scripts,
)
from sim.lang.compiled import Act, Card, Effect, Event, Injection, Rule, Trigger
from sim.lang.compiler import CONTEXT_NAMES, Compiler, make_layout, make_symbols
from sim.lang.diagnostics import Diagnostics
from sim.lang.expr import Expression, Symbols
from sim.lang.loading import (
    ROOT_SCENARIO,
    library_dir,
    library_ids,
    load_chain,
    load_chain_texts,
    resolve_scenario_path,
)
from sim.lang.specs import load_spec, validate_tree
from sim.lang.yamlio import LocDict, Mark

__all__ = [
    "CONTEXT_NAMES",
    "ROOT_SCENARIO",
    "Act",
    "Card",
    "Effect",
    "Event",
    "Injection",
    "Rule",
    "Scenario",
    "SeriesInputs",
    "Trigger",
    "library_dir",
    "library_ids",
    "load_embedded_scenario",
    "load_scenario",
    "load_spec",
    "resolve_scenario_path",
    "load_paths",
    "validate_paths",
]


@dataclass
class Scenario:
    """A validated, compiled scenario: what :class:`sim.TrilateralModel` runs."""

    spec: schema.ScenarioSpec
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
        return f"Scenario(id={self.spec.id!r}, path={str(self.path)!r})"

    @property
    def id(self) -> str:
        """The scenario id."""
        return self.spec.id

    @property
    def title(self) -> str:
        """The scenario title."""
        return self.spec.title

    @property
    def turns(self) -> int:
        """Default number of turns."""
        return self.spec.turns

    @property
    def warmup(self) -> int:
        """Turns run before turn 1, unrecorded (``warmup:``; 0 if none)."""
        return self.spec.warmup

    @property
    def start(self) -> tuple[int, int]:
        """(year, quarter) of turn 1."""
        return calendar.parse_quarter(self.spec.start)

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
        diagnostics = Diagnostics(LocDict(), ("<facilitator>", 1, 1))
        compiler = Compiler(diagnostics, self.layout, self.symbols)
        injection = build_injection(compiler, ident, title, say, dict(effects), source)
        if diagnostics:
            raise UsageError("; ".join(problem.message for problem in diagnostics.problems))
        return injection

    def parameter(self, name: str) -> schema.ParameterSpec:
        """The declared parameter ``name``."""
        return self.spec.parameters[name]


def compile_scenario(
    spec: schema.ScenarioSpec,
    diagnostics: Diagnostics,
    path: Path,
    files: list[Path],
    content_hash: str,
    texts: tuple[str, ...] = (),
    embedded: bool = False,
) -> Scenario:
    """Check and compile a validated spec (``diagnostics`` holds its merged located tree).

    Raises:
        ScenarioError: listing every problem found.
    """
    checks.run_id_checks(spec, diagnostics)
    diagnostics.raise_if_any()
    layout = make_layout(spec)
    parameter_names = list(spec.parameters)
    symbols = make_symbols(layout, parameter_names, spec.series)
    compiler = Compiler(diagnostics, layout, symbols)
    checks.run_scenario_checks(checks.ScenarioContext(spec, layout, diagnostics, path, tuple(files), embedded))
    series = build_series(compiler, spec)
    state = build_starting_state(compiler, spec)
    rules = build_rules(compiler, spec)
    events = build_events(compiler, spec)
    acts = build_acts(compiler, spec)
    cards = build_cards(compiler, spec)
    diagnostics.raise_if_any()
    if state is None:  # a trait that did not compile has recorded its problem
        raise ScenarioError(diagnostics.sorted())
    return Scenario(
        spec=spec,
        path=path,
        files=files,
        content_hash=content_hash,
        layout=layout,
        symbols=symbols,
        parameter_names=parameter_names,
        parameter_defaults={name: spec.parameters[name].default for name in parameter_names},
        initializers=state.initializers,
        profiles=state.profiles,
        camp_start=state.camp_start,
        camp_names=state.camp_names,
        exposure=state.exposure,
        election_turns=state.election_turns,
        rules=rules,
        events=events,
        acts=acts,
        actions=cards,
        series=series,
        scripts=build_scripts(spec),
        objectives=build_objectives(layout.rows, spec),
        leaders=state.leaders,
        texts=texts,
        embedded=embedded,
    )


def load_scenario(name: str | Path) -> Scenario:
    """Load, merge (``extends:``), validate and compile a scenario.

    Args:
        name: a library id such as ``"baseline"`` or a path to a YAML file.

    Raises:
        ScenarioError: listing every problem found as ``path:line:col: message``.
    """
    path = resolve_scenario_path(name)
    raw, files = load_chain(path, checks.file_problems)
    fallback: Mark = (str(path), 1, 1)
    diagnostics = Diagnostics(raw, fallback)
    spec = validate_tree(raw, diagnostics)
    texts = tuple(file.read_bytes().decode("utf-8", errors="replace") for file in files)
    return compile_scenario(spec, diagnostics, path, files, _content_hash(texts, spec), texts)


def load_embedded_scenario(path: str | Path, chain: list[tuple[str, str]]) -> Scenario:
    """Load a scenario from its files' texts (root first), as a save embeds them.

    Args:
        path: where the scenario file was when the game was played (for messages).
        chain: ``(file path, text)`` for every file of its ``extends:`` chain, ``defaults`` first.

    Raises:
        ScenarioError: listing every problem found.
    """
    raw = load_chain_texts(chain, checks.file_problems)
    diagnostics = Diagnostics(raw, (str(path), 1, 1))
    spec = validate_tree(raw, diagnostics)
    texts = tuple(text for _, text in chain)
    files = [Path(name) for name, _ in chain]
    return compile_scenario(spec, diagnostics, Path(path), files, _content_hash(texts, spec), texts, embedded=True)


def _content_hash(texts: tuple[str, ...], spec: schema.ScenarioSpec) -> str:
    """The scenario's fingerprint: its files' bytes and its validated spec."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
    digest.update(json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode())
    return digest.hexdigest()


def validate_paths(paths: Iterable[str | Path]) -> list[tuple[Path | str, list[Problem]]]:
    """Load every given file (every ``*.yaml`` of a folder; the library if none) and collect problems."""
    return [(target, problems) for target, problems, _ in load_paths(paths)]


def load_paths(paths: Iterable[str | Path]) -> list[tuple[Path | str, list[Problem], Scenario | None]]:
    """Like :func:`validate_paths`, with each scenario that loaded (None for one with problems)."""
    targets: list[Path | str] = []
    for item in list(paths) or [library_dir()]:
        path = Path(item)
        if path.is_dir():
            targets.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        else:
            targets.append(item if path.suffix in (".yaml", ".yml") or path.exists() else str(item))
    results: list[tuple[Path | str, list[Problem], Scenario | None]] = []
    for target in targets:
        try:
            scenario = load_scenario(target)
        except ScenarioError as exc:
            results.append((target, exc.problems, None))
        else:
            results.append((target, [], scenario))
    return results
