"""Loading scenarios: library lookup, ``extends:`` merging, validation and compilation.

``load_scenario("baseline")`` (or a path) returns a :class:`Scenario`: the validated
specification plus everything the engine needs at run time (state layout, symbol table,
compiled rules, events, threat acts and action cards, the initial state vector). Every problem
is reported as ``path:line:col: message`` through :class:`~sim.errors.ScenarioError`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from sim.engine.layout import GOVERNMENTS, PAIRS, PHASES, PROFILE_TRAITS, THREAT_ACTORS, THREAT_VARIABLES, Layout
from sim.engine.rng import stream_id
from sim.errors import Problem, ScenarioError, UsageError, did_you_mean
from sim.lang import schema
from sim.lang.expr import FUNCTIONS, ExprError, Expression, Symbols, compile_expression
from sim.lang.validation import locate, readable_path, sort_problems, validation_problems
from sim.lang.yamlio import LocDict, LocList, Mark, problem_at, read_yaml_file, value_mark

ROOT_SCENARIO = "defaults"
CONTEXT_NAMES = ("turn", "year", "quarter")


def library_dir() -> Path:
    """The folder of bundled scenarios."""
    import scenarios

    return Path(scenarios.__file__).resolve().parent


def library_ids() -> list[str]:
    """Ids (file stems) of the bundled scenarios, the abstract root excluded."""
    return sorted(p.stem for p in library_dir().glob("*.yaml") if p.stem != ROOT_SCENARIO)


def resolve_scenario_path(name: str | Path, relative_to: Path | None = None) -> Path:
    """Turn a library name (``baseline``) or a path into a file path.

    Raises:
        ScenarioError: when the name is neither an existing file nor a library scenario.
    """
    text = str(name)
    looks_like_path = isinstance(name, Path) or text.endswith((".yaml", ".yml")) or "/" in text
    if looks_like_path:
        path = Path(text)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        return path
    candidate = library_dir() / f"{text}.yaml"
    if candidate.is_file():
        return candidate
    if relative_to is not None and (relative_to / f"{text}.yaml").is_file():
        return relative_to / f"{text}.yaml"
    hint = did_you_mean(text, library_ids())
    raise ScenarioError.single(
        text, 1, 1, f"no such file, and no scenario named '{text}' in the library{hint}", "missing-file"
    )


# ---------------------------------------------------------------------------------------------
# extends: merging with positions kept


def _copy_located(value: Any) -> Any:
    if isinstance(value, LocDict):
        out = LocDict((k, _copy_located(v)) for k, v in value.items())
        out.mark, out.key_marks = value.mark, dict(value.key_marks)
        out.value_marks, out.quoted = dict(value.value_marks), dict(value.quoted)
        return out
    if isinstance(value, LocList):
        out = LocList(_copy_located(v) for v in value)
        out.mark, out.item_marks = value.mark, list(value.item_marks)
        return out
    return value


_ID_LISTS = {"rules", "events", "acts"}


def _merge(parent: Any, child: Any, key: str = "") -> Any:
    """Deep-merge ``child`` over ``parent``: mappings by key, id-lists by id, the rest replaced."""
    if key in PAIRS and isinstance(child, dict) and not isinstance(parent, dict | list) and "all" not in child:
        # A child listing some domains of a tie the parent gave as one number keeps that number
        # for the other domains.
        out = _copy_located(child)
        out["all"] = parent
        return out
    if isinstance(parent, dict) and isinstance(child, dict) and _is_effect_op(parent) and _is_effect_op(child):
        return _copy_located(child)  # {add: ...} over {set: ...} replaces it
    if isinstance(parent, dict) and isinstance(child, dict):
        out = _copy_located(parent) if isinstance(parent, LocDict) else LocDict(parent)
        if isinstance(child, LocDict):
            out.mark = child.mark
        for k, v in child.items():
            out[k] = _merge(parent[k], v, str(k)) if k in parent else _copy_located(v)
            if isinstance(child, LocDict):
                out.key_marks[k] = child.key_marks.get(k, out.key_marks.get(k))
                out.value_marks[k] = child.value_marks.get(k, out.value_marks.get(k))
                out.quoted[k] = child.quoted.get(k, False)
        return out
    if (
        isinstance(parent, list)
        and isinstance(child, list)
        and (key in _ID_LISTS or key in GOVERNMENTS)
        and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in [*parent, *child])
    ):
        out = LocList()
        out.mark = getattr(child, "mark", None)
        index: dict[Any, int] = {}
        for item, mark in _items_with_marks(parent):
            index[item["id"]] = len(out)
            out.append(_copy_located(item))
            out.item_marks.append(mark)
        for item, mark in _items_with_marks(child):
            if item["id"] in index:
                pos = index[item["id"]]
                out[pos] = _merge(out[pos], item)
                out.item_marks[pos] = mark
            else:
                index[item["id"]] = len(out)
                out.append(_copy_located(item))
                out.item_marks.append(mark)
        return out
    return _copy_located(child)


def _is_effect_op(value: dict) -> bool:
    return bool(value) and set(value) <= {"add", "set"}


def _items_with_marks(items: list) -> Iterable[tuple[Any, Mark]]:
    marks = getattr(items, "item_marks", [])
    for i, item in enumerate(items):
        yield item, marks[i] if i < len(marks) else ("?", 1, 1)


def _duplicate_ids(raw: Any, path: str) -> list[Problem]:
    """Duplicate ids inside one file's id-lists."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        return problems
    lists: list[tuple[str, Any]] = [(k, raw.get(k)) for k in ("rules", "events")]
    if isinstance(raw.get("actions"), dict):
        lists += [(f"actions.{g}", v) for g, v in raw["actions"].items()]
    if isinstance(raw.get("threats"), dict):
        lists += [(f"threats.{a}.acts", v.get("acts")) for a, v in raw["threats"].items() if isinstance(v, dict)]
    seen_rule_event: dict[str, int] = {}
    for where, items in lists:
        if not isinstance(items, list):
            continue
        seen: dict[Any, int] = {}
        shared = seen_rule_event if where in ("rules", "events") else seen
        for item, _mark in _items_with_marks(items):
            if not isinstance(item, dict) or "id" not in item:
                continue
            ident = item["id"]
            if not isinstance(ident, str):
                continue  # reported by validation
            if ident in shared:
                mark = value_mark(item, "id", (path, 1, 1))
                problems.append(
                    problem_at(
                        mark, f"duplicate id '{ident}' in {where} (also used at line {shared[ident]})", "duplicate-id"
                    )
                )
            else:
                shared[ident] = value_mark(item, "id", (path, 1, 1))[1]
    return problems


def _load_chain(path: Path, seen: list[Path]) -> tuple[Any, list[Path]]:
    """Read a file and everything it extends; return the merged raw tree and the files read."""
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(p.name for p in [*seen, resolved])
        raise ScenarioError.single(str(path), 1, 1, f"extends: cycle: {chain}", "extends-cycle")
    raw = read_yaml_file(path)
    shown = str(path)
    if not isinstance(raw, dict):
        raise ScenarioError.single(shown, 1, 1, "a scenario file must be a YAML mapping", "type")
    problems = sort_problems(_duplicate_ids(raw, shown))
    for required in ("id", "title"):
        if required not in raw:
            problems.append(problem_at((shown, 1, 1), f"missing required key '{required}'", "missing"))
    if problems:
        raise ScenarioError(problems)
    is_root = resolved == (library_dir() / f"{ROOT_SCENARIO}.yaml").resolve()
    if is_root:
        return raw, [resolved]
    parent_name = raw.get("extends") or ROOT_SCENARIO
    if not isinstance(parent_name, str):
        mark = value_mark(raw, "extends", (shown, 1, 1))
        raise ScenarioError([problem_at(mark, "extends: must be a scenario name or path", "type")])
    try:
        parent_path = resolve_scenario_path(parent_name, relative_to=path.parent)
        if not parent_path.is_file():
            raise ScenarioError.single(parent_name, 1, 1, "no such file", "missing-file")
    except ScenarioError:
        mark = value_mark(raw, "extends", (shown, 1, 1))
        hint = did_you_mean(parent_name, library_ids())
        raise ScenarioError(
            [problem_at(mark, f"extends: scenario '{parent_name}' does not exist{hint}", "extends-missing")]
        ) from None
    chain = [*seen, resolved]
    if parent_path.resolve() in chain:
        names = " -> ".join(p.name for p in [*chain, parent_path.resolve()])
        mark = value_mark(raw, "extends", (shown, 1, 1))
        raise ScenarioError([problem_at(mark, f"extends: cycle: {names}", "extends-cycle")])
    parent_raw, files = _load_chain(parent_path, chain)
    parent_raw = _copy_located(parent_raw)
    parent_raw.pop("abstract", None)
    return _merge(parent_raw, raw), [*files, resolved]


# ---------------------------------------------------------------------------------------------
# validation (the mapping from pydantic errors to located problems is in sim.lang.validation)


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for model in (
        schema.ScenarioSpec,
        schema.GovernmentSpec,
        schema.RuleSpec,
        schema.EventSpec,
        schema.ActionSpec,
        schema.ThreatSpec,
        schema.ThreatAct,
        schema.ParameterSpec,
        schema.DomainSpec,
        schema.Profile,
        schema.SourceRef,
    ):
        keys.update(model.model_fields)
    return keys


# ---------------------------------------------------------------------------------------------
# compiled form


@dataclass(frozen=True)
class Effect:
    """One compiled effect: add to (or set) the rows of ``target``."""

    target: str
    rows: slice
    op: str
    value: Expression


@dataclass(frozen=True)
class Trigger:
    """A compiled rule, event, threat act or action card."""

    kind: str
    id: str
    title: str
    phase: str
    when: Expression | None
    chance: Expression | None
    effects: tuple[Effect, ...]
    say: str
    source: str
    stream: int
    owner: str = ""
    counter_row: int | None = None
    at_turn: int | None = None
    once: bool = False
    severity: float = 0.0
    flag_row: int | None = None
    cost: float = 0.0
    stance: str = "neutral"
    doc: str = ""

    @property
    def label(self) -> str:
        """The cause-and-effect label: ``rule:id``, ``event:id``, ``act:DPRK.id``, ``action:USA.id``."""
        return f"{self.kind}:{self.owner + '.' if self.owner else ''}{self.id}"


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
    rules: dict[str, list[Trigger]]
    events: list[Trigger]
    acts: dict[str, list[Trigger]]
    actions: dict[str, list[Trigger]]
    scripts: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=dict)
    objectives: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)

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
    def start(self) -> tuple[int, int]:
        """(year, quarter) of turn 1."""
        return schema.parse_quarter(self.spec.start)

    def quarter_of(self, turn: int) -> tuple[int, int]:
        """(year, quarter) of a 1-based turn."""
        year, quarter = self.start
        index = year * 4 + (quarter - 1) + (turn - 1)
        return index // 4, index % 4 + 1

    def quarter_label(self, turn: int) -> str:
        """``2025Q3``-style label of a 1-based turn."""
        year, quarter = self.quarter_of(turn)
        return f"{year}Q{quarter}"

    def turn_of(self, quarter: str) -> int:
        """1-based turn of a quarter label (may be <= 0 or beyond the last turn)."""
        year, q = schema.parse_quarter(quarter)
        start_year, start_q = self.start
        return (year * 4 + q - 1) - (start_year * 4 + start_q - 1) + 1

    def initial_state(self, params: list[Any], replications: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The initial state matrix and each government's profile table (camps, traits, R).

        Initial values and profile traits may be expressions of parameters, and parameters may
        differ between replications, so both are evaluated per ensemble.
        """
        layout = self.layout
        x = np.zeros((layout.size, replications))
        empty = np.zeros((0, replications))
        for rows, value in self.initializers:
            x[rows] = np.broadcast_to(np.asarray(value(empty, params, [], None), dtype=np.float64), (replications,))
        profiles = {}
        for gov in GOVERNMENTS:
            table = np.array(
                [
                    [
                        np.broadcast_to(np.asarray(e(empty, params, [], None), dtype=np.float64), (replications,))
                        for e in camp
                    ]
                    for camp in self.profiles[gov]
                ]
            )
            profiles[gov] = np.clip(table, 0.0, 1.0)
            camp = self.camp_start[gov]
            x[layout.rows[f"{gov}.camp"]] = camp
            for t, trait in enumerate(PROFILE_TRAITS):
                x[layout.rows[f"{gov}.{trait}"]] = profiles[gov][camp, t]
        x = np.clip(x, layout.lo[:, None], layout.hi[:, None])
        return x, profiles

    def event(self, ident: str) -> Trigger:
        """The compiled scenario event ``ident`` (for a facilitator to inject)."""
        for event in self.events:
            if event.id == ident:
                return event
        known = [e.id for e in self.events]
        raise UsageError(f"no event '{ident}' in scenario '{self.id}'{did_you_mean(ident, known)}")

    def compile_injection(
        self, ident: str, title: str, say: str, effects: dict[str, Any], source: str = "facilitator"
    ) -> Trigger:
        """A custom event with the given effects (``{target: expression}``), checked like a scenario's."""
        compiler = _Compiler(self.spec, LocDict(), ("<facilitator>", 1, 1))
        compiler.layout, compiler.symbols = self.layout, self.symbols
        compiled = compiler.effects(dict(effects), (), f"inject:{ident}")
        if compiler.problems:
            raise UsageError("; ".join(problem.message for problem in compiler.problems))
        return Trigger(
            kind="inject",
            id=ident,
            title=title or ident,
            phase="events",
            when=None,
            chance=None,
            effects=compiled,
            say=say,
            source=source,
            stream=stream_id(f"inject:{ident}"),
        )

    def parameter(self, name: str) -> schema.ParameterSpec:
        """The declared parameter ``name``."""
        return self.spec.parameters[name]


class _Compiler:
    """Compiles a validated spec against its raw tree (for error positions)."""

    def __init__(self, spec: schema.ScenarioSpec, raw: Any, fallback: Mark) -> None:
        self.spec = spec
        self.raw = raw
        self.fallback = fallback
        self.problems: list[Problem] = []

    def mark(self, *loc: Any) -> Mark:
        return locate(self.raw, loc, self.fallback)

    def expr(self, source: Any, loc: tuple[Any, ...], site: str) -> Expression | None:
        try:
            return compile_expression(source, self.symbols, site)
        except ExprError as exc:
            path, line, col = self.mark(*loc)
            self.problems.append(
                Problem(path, line, col + exc.offset + self._quote_shift(loc), exc.message, "expression")
            )
            return None

    def param_expr(self, source: Any, loc: tuple[Any, ...], site: str) -> Expression | None:
        """An expression evaluated once at the start: it may use parameters only."""
        compiled = self.expr(source, loc, site)
        if compiled is None:
            return None
        other = sorted(compiled.names - set(self.symbols.params))
        if other or compiled.random:
            what = ", ".join(other) if other else "random functions"
            path, line, col = self.mark(*loc)
            text = compiled.source
            offset = max(text.find(other[0]) if other else text.find("uniform" if "uniform" in text else "normal"), 0)
            self.problems.append(
                Problem(
                    path,
                    line,
                    col + offset + self._quote_shift(loc),
                    f"starting values may use parameters only, not {what}",
                    "expression",
                )
            )
            return None
        return compiled

    def unit_expr(self, source: Any, loc: tuple[Any, ...], site: str) -> Expression | None:
        """A starting value in [0, 1] (a leadership trait)."""
        compiled = self.param_expr(source, loc, site)
        if compiled is not None and compiled.constant is not None and not 0 <= compiled.constant <= 1:
            name = ".".join(str(p) for p in loc)
            self.problems.append(
                problem_at(self.mark(*loc), f"{name} must be in [0, 1], got {compiled.constant:g}", "range")
            )
        return compiled

    def _quote_shift(self, loc: tuple[Any, ...]) -> int:
        # Marks of quoted scalars point at the quote; expressions start one column later.
        node: Any = self.raw
        for part in loc[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return 0
        return int(bool(getattr(node, "quoted", {}).get(loc[-1], False))) if isinstance(node, dict) else 0

    def effects(self, effects: dict[str, Any], loc: tuple[Any, ...], site: str) -> tuple[Effect, ...]:
        out = []
        layout = self.layout
        targets = layout.targets()
        for target, value in effects.items():
            if target not in layout.writable:
                mark = locate(self.raw, (*loc, target), self.fallback, want_key=True)
                why = (
                    "is computed by the model and cannot be changed"
                    if target in layout.rows
                    else "is not a state variable"
                )
                self.problems.append(
                    problem_at(mark, f"effect target '{target}' {why}{did_you_mean(target, targets)}", "target")
                )
                continue
            op, source, vloc = "add", value, (*loc, target)
            if isinstance(value, dict):
                if len(value) != 1:
                    self.problems.append(
                        problem_at(
                            self.mark(*loc, target),
                            f"effect on '{target}' must be a value, {{add: value}} or {{set: value}}",
                            "effect",
                        )
                    )
                    continue
                op, source = next(iter(value.items()))
                vloc = (*loc, target, op)
            compiled = self.expr(source, vloc, f"{site}/{target}")
            if compiled is not None:
                out.append(Effect(target, layout.target_rows(target), op, compiled))
        return tuple(out)

    def check_ids(self) -> None:
        """Ids that would collide once merged: rule vs event (shared fired.ID), act vs variable."""
        spec = self.spec
        rule_ids = {r.id: i for i, r in enumerate(spec.rules) if not r.disabled}
        for i, e in enumerate(spec.events):
            if not e.disabled and e.id in rule_ids:
                event_mark = self.mark("events", i, "id")
                rule_mark = self.mark("rules", rule_ids[e.id], "id")
                for here, other, kind in ((rule_mark, event_mark, "an event"), (event_mark, rule_mark, "a rule")):
                    where = f"{other[0]}:{other[1]}"
                    self.problems.append(
                        problem_at(here, f"id '{e.id}' is also the id of {kind} ({where})", "duplicate-id")
                    )
        for actor, threat in spec.threats.items():
            for i, act in enumerate(threat.acts):
                if act.id in THREAT_VARIABLES:
                    self.problems.append(
                        problem_at(
                            self.mark("threats", actor, "acts", i, "id"),
                            f"act id '{act.id}' is the name of a {actor} variable; choose another",
                            "name",
                        )
                    )

    def build(self, path: Path, files: list[Path], content_hash: str) -> Scenario:
        spec = self.spec
        self.check_ids()
        if self.problems:
            raise ScenarioError(sort_problems(self.problems))
        acts = {a: tuple(x.id for x in t.acts if not x.disabled) for a, t in spec.threats.items()}
        counters = tuple(x.id for x in [*spec.rules, *spec.events] if not x.disabled)
        domains = {name: d.weight for name, d in spec.domains.items()}
        cards = tuple(f"{gov}.{card.id}" for gov, items in spec.actions.items() for card in items if not card.disabled)
        self.layout = layout = Layout.build(domains, acts, counters, cards)
        params = list(spec.parameters)
        for name in params:
            if name in layout.rows or name in CONTEXT_NAMES or name in FUNCTIONS:
                mark = locate(self.raw, ("parameters", name), self.fallback, want_key=True)
                self.problems.append(problem_at(mark, f"parameter name '{name}' clashes with a built-in name", "name"))
        self.symbols = Symbols(
            state=dict(layout.rows),
            params={name: i for i, name in enumerate(params)},
            context={name: i for i, name in enumerate(CONTEXT_NAMES)},
        )
        from sim.engine.dynamics import required_parameters

        for name, needed_by in required_parameters().items():
            if name not in spec.parameters:
                self.problems.append(
                    problem_at(
                        self.mark("parameters"), f"parameter '{name}' (used by {needed_by}) is not defined", "missing"
                    )
                )

        for name, parameter in spec.parameters.items():
            if parameter.range is None:
                continue
            lo, hi = parameter.range
            if lo > hi:
                self.problems.append(
                    problem_at(self.mark("parameters", name, "range"), f"range [{lo:g}, {hi:g}] is empty", "range")
                )
            elif not lo <= parameter.default <= hi:
                self.problems.append(
                    problem_at(
                        self.mark("parameters", name, "default"),
                        f"default {parameter.default:g} is outside the range [{lo:g}, {hi:g}]",
                        "range",
                    )
                )
        initializers: list[tuple[slice, Expression]] = []

        def init(rows: slice, value: Any, loc: tuple[Any, ...]) -> None:
            compiled = self.param_expr(value, loc, "initial")
            if compiled is None:
                return
            lo, hi = layout.lo[rows.start], layout.hi[rows.start]
            if compiled.constant is not None and not lo <= compiled.constant <= hi:
                name = ".".join(str(p) for p in loc)
                self.problems.append(
                    problem_at(
                        self.mark(*loc), f"{name} must be in [{lo:g}, {hi:g}], got {compiled.constant:g}", "range"
                    )
                )
            initializers.append((rows, compiled))

        for pair in PAIRS:
            value = spec.ties[pair]
            rows = layout.tie_rows(pair)
            if isinstance(value, dict):
                for d in value:
                    if d not in spec.domains and d != "all":
                        mark = locate(self.raw, ("ties", pair, d), self.fallback, want_key=True)
                        self.problems.append(
                            problem_at(mark, f"unknown domain '{d}'{did_you_mean(d, spec.domains)}", "name")
                        )
                if "all" in value:
                    init(rows, value["all"], ("ties", pair, "all"))
                elif missing := [d for d in spec.domains if d not in value]:
                    self.problems.append(
                        problem_at(
                            self.mark("ties", pair),
                            f"ties.{pair} lists some domains but not {', '.join(missing)}: add them or 'all:'",
                            "missing",
                        )
                    )
                for d, v in value.items():
                    if d in spec.domains:
                        row = layout.rows[f"tie.{pair}.{d}"]
                        init(slice(row, row + 1), v, ("ties", pair, d))
            else:
                init(rows, value, ("ties", pair))
        for name, value in spec.initial.items():
            init(layout.target_rows(name), value, ("initial", name))
        defaults_gov = {"approval": 0.5, "polarization": 0.5, "support": 0.6, "history_salience": 0.3, "capital": 3.0}
        profiles: dict[str, list[list[Expression | None]]] = {}
        camp_names: dict[str, tuple[str, ...]] = {}
        exposure: dict[str, np.ndarray] = {}
        election_turns: dict[str, frozenset[int]] = {}
        scripts: dict[str, dict[int, tuple[str, ...]]] = {}
        camp_start: dict[str, int] = {}
        for gov in GOVERNMENTS:
            g = spec.governments[gov]
            camps = list(g.camps)
            camp_names[gov] = tuple(camps)
            profiles[gov] = [
                [
                    self.unit_expr(getattr(g.camps[c], t), ("governments", gov, "camps", c, t), "profile")
                    for t in PROFILE_TRAITS
                ]
                for c in camps
            ]
            if len(camps) == 1:
                profiles[gov].append(profiles[gov][0])
            if g.in_power in camps:
                camp_start[gov] = camps.index(g.in_power)
            else:
                camp_start[gov] = 0
                self.problems.append(
                    problem_at(
                        self.mark("governments", gov, "in_power"),
                        f"in_power '{g.in_power}' is not one of the camps: {', '.join(camps)}"
                        f"{did_you_mean(g.in_power, camps)}",
                        "name",
                    )
                )
            for name in g.initial:
                if name not in schema.GOVERNMENT_INITIAL:
                    self.problems.append(
                        problem_at(
                            locate(self.raw, ("governments", gov, "initial", name), self.fallback, want_key=True),
                            f"unknown initial variable '{name}'{did_you_mean(name, schema.GOVERNMENT_INITIAL)}; "
                            f"allowed: {', '.join(schema.GOVERNMENT_INITIAL)}",
                            "name",
                        )
                    )
            for name, value in {**defaults_gov, **g.initial}.items():
                if name not in schema.GOVERNMENT_INITIAL:
                    continue
                init(layout.target_rows(f"{gov}.{name}"), value, ("governments", gov, "initial", name))
            exposure[gov] = np.array([g.exposure.get(a, 0.0) for a in THREAT_ACTORS])
            turns = (self._turn_of(q, ("governments", gov, "elections", k)) for k, q in enumerate(g.elections))
            election_turns[gov] = frozenset(t for t in turns if t is not None)
            if g.strategy not in _strategy_names():
                mark = self.mark("governments", gov, "strategy")
                self.problems.append(
                    problem_at(
                        mark,
                        f"unknown strategy '{g.strategy}'{did_you_mean(g.strategy, _strategy_names())}; "
                        f"available: {', '.join(_strategy_names())}",
                        "name",
                    )
                )
        for actor in THREAT_ACTORS:
            t = spec.threats.get(actor)
            allowed = [k for k, var in THREAT_VARIABLES.items() if var.writable]
            for name, value in (t.initial if t else {}).items():
                if name not in allowed:
                    self.problems.append(
                        problem_at(
                            locate(self.raw, ("threats", actor, "initial", name), self.fallback, want_key=True),
                            f"unknown initial variable '{name}'{did_you_mean(name, allowed)}; "
                            f"allowed: {', '.join(allowed)}",
                            "name",
                        )
                    )
                    continue
                init(layout.target_rows(f"{actor}.{name}"), value, ("threats", actor, "initial", name))

        rules: dict[str, list[Trigger]] = {phase: [] for phase in PHASES}
        for i, r in enumerate(spec.rules):
            if r.disabled:
                continue
            rules[r.phase].append(self._trigger("rule", r, ("rules", i), phase=r.phase))
        events = []
        for i, e in enumerate(spec.events):
            if e.disabled:
                continue
            at_turn = self._turn_of(e.at, ("events", i, "at")) if e.at else None
            if at_turn is not None and at_turn < 1:
                self.problems.append(
                    problem_at(
                        self.mark("events", i, "at"),
                        f"{readable_path(self.raw, ('events', i, 'at'))}: {e.at} is before the start ({spec.start})",
                        "range",
                    )
                )
            if e.at is None and e.chance is None and e.when is None:
                self.problems.append(
                    problem_at(self.mark("events", i), f"event '{e.id}' needs at:, chance: or when:", "missing")
                )
            events.append(self._trigger("event", e, ("events", i), phase="events", at_turn=at_turn, once=e.once))
        acts: dict[str, list[Trigger]] = {a: [] for a in THREAT_ACTORS}
        for actor, t in spec.threats.items():
            for i, act in enumerate(t.acts):
                if act.disabled:
                    continue
                acts[actor].append(
                    self._trigger(
                        "act",
                        act,
                        ("threats", actor, "acts", i),
                        phase="threats",
                        owner=actor,
                        severity=act.severity,
                        flag_row=layout.rows[f"{actor}.{act.id}"],
                    )
                )
        actions: dict[str, list[Trigger]] = {g: [] for g in GOVERNMENTS}
        for gov, cards in spec.actions.items():
            for i, card in enumerate(cards):
                if card.disabled:
                    continue
                actions[gov].append(
                    self._trigger(
                        "action",
                        card,
                        ("actions", gov, i),
                        phase="decisions",
                        owner=gov,
                        cost=card.cost,
                        stance=card.stance,
                        doc=card.doc,
                    )
                )
        for gov in GOVERNMENTS:
            g = spec.governments[gov]
            ids = {a.id for a in actions[gov]}
            script: dict[int, tuple[str, ...]] = {}
            for quarter, chosen in g.script.items():
                for k, card in enumerate(chosen):
                    if card not in ids:
                        mark = self.mark("governments", gov, "script", quarter, k)
                        self.problems.append(
                            problem_at(mark, f"unknown action '{card}' for {gov}{did_you_mean(card, ids)}", "name")
                        )
                turn = self._turn_of(quarter, ("governments", gov, "script", quarter), want_key=True)
                if turn is not None:
                    script[turn] = tuple(chosen)
            scripts[gov] = script
        objectives = self._objectives()
        self._signature(path)
        if self.problems:
            raise ScenarioError(sort_problems(self.problems))
        return Scenario(
            spec=spec,
            path=path,
            files=files,
            content_hash=content_hash,
            layout=layout,
            symbols=self.symbols,
            parameter_names=params,
            parameter_defaults={name: spec.parameters[name].default for name in params},
            initializers=initializers,
            profiles=profiles,
            camp_start=camp_start,
            camp_names=camp_names,
            exposure=exposure,
            election_turns=election_turns,
            rules=rules,
            events=events,
            acts=acts,
            actions=actions,
            scripts=scripts,
            objectives=objectives,
        )

    def _objectives(self) -> dict[str, tuple[tuple[str, float], ...]]:
        out = {}
        rows = self.layout.rows
        for gov in GOVERNMENTS:
            terms = []
            for i, term in enumerate(self.spec.objectives.get(gov, [])):
                if term.indicator not in rows:
                    self.problems.append(
                        problem_at(
                            self.mark("objectives", gov, i, "indicator"),
                            f"unknown indicator '{term.indicator}'{did_you_mean(term.indicator, rows)}",
                            "name",
                        )
                    )
                    continue
                terms.append((term.indicator, term.weight))
            out[gov] = tuple(terms)
        return out

    def _signature(self, path: Path) -> None:
        for i, claim in enumerate(self.spec.signature):
            if claim.indicator not in self.layout.rows:
                self.problems.append(
                    problem_at(
                        self.mark("signature", i, "indicator"),
                        f"unknown indicator '{claim.indicator}'{did_you_mean(claim.indicator, self.layout.rows)}",
                        "name",
                    )
                )
            if claim.than == self.spec.id:
                self.problems.append(
                    problem_at(self.mark("signature", i, "than"), "a scenario cannot be compared with itself", "name")
                )
                continue
            try:
                target = resolve_scenario_path(claim.than, relative_to=path.parent)
                if not target.is_file():
                    raise ScenarioError.single(claim.than, 1, 1, "no such file")
            except ScenarioError:
                self.problems.append(
                    problem_at(
                        self.mark("signature", i, "than"),
                        f"signature compares with '{claim.than}', which does not exist"
                        f"{did_you_mean(claim.than, library_ids())}",
                        "name",
                    )
                )

    def _turn_of(self, quarter: str, loc: tuple[Any, ...] | None = None, want_key: bool = False) -> int | None:
        """1-based turn of a quarter label, or None (with a problem recorded) if it is malformed."""
        try:
            year, q = schema.parse_quarter(quarter)
        except ValueError as exc:
            mark = locate(self.raw, loc or (), self.fallback, want_key=want_key)
            where = readable_path(self.raw, loc or ())
            self.problems.append(problem_at(mark, f"{where}: {exc}", "quarter"))
            return None
        start_year, start_q = schema.parse_quarter(self.spec.start)
        return (year * 4 + q - 1) - (start_year * 4 + start_q - 1) + 1

    def _trigger(self, kind: str, item: BaseModel, loc: tuple[Any, ...], **extra: Any) -> Trigger:
        owner = extra.get("owner", "")
        site = f"{kind}:{owner}.{item.id}" if owner else f"{kind}:{item.id}"
        when = getattr(item, "when", None)
        chance = getattr(item, "chance", None)
        compiled_chance = None if chance is None else self.expr(chance, (*loc, "chance"), f"{site}/chance")
        if compiled_chance is not None and compiled_chance.constant is not None:
            if not 0.0 <= compiled_chance.constant <= 1.0:
                self.problems.append(
                    problem_at(
                        self.mark(*loc, "chance"),
                        f"chance must be a probability in [0, 1], got {compiled_chance.constant:g}",
                        "range",
                    )
                )
        if kind in ("rule", "event"):
            counter = self.layout.rows.get(f"fired.{item.id}")
        elif kind == "action":
            counter = self.layout.rows.get(f"played.{owner}.{item.id}")
        else:
            counter = None
        return Trigger(
            kind=kind,
            id=item.id,
            title=item.title or item.id.replace("_", " "),
            when=None if when is None else self.expr(when, (*loc, "when"), f"{site}/when"),
            chance=compiled_chance,
            effects=self.effects(item.effects, (*loc, "effects"), site),
            say=item.say,
            source=item.source,
            stream=stream_id(site),
            counter_row=counter,
            **extra,
        )


def _identifiers(items: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


def _scan_raw_expressions(raw: Any, fallback: Mark) -> list[Problem]:
    """Check the expressions of a scenario whose structure did not validate (best effort)."""
    compiler = _Compiler(None, raw, fallback)  # type: ignore[arg-type]
    domains = raw.get("domains") if isinstance(raw.get("domains"), dict) else {}
    domain_weights = {d: 1.0 for d in domains if isinstance(d, str)} or {"all": 1.0}
    threats = raw.get("threats") if isinstance(raw.get("threats"), dict) else {}
    acts = {
        actor: tuple(_identifiers(t.get("acts")))
        for actor, t in threats.items()
        if actor in THREAT_ACTORS and isinstance(t, dict)
    }
    counters = tuple(dict.fromkeys(_identifiers(raw.get("rules")) + _identifiers(raw.get("events"))))
    try:
        compiler.layout = layout = Layout.build(domain_weights, acts, counters)
    except (ValueError, TypeError, KeyError):
        return []
    params = raw.get("parameters") if isinstance(raw.get("parameters"), dict) else {}
    compiler.symbols = Symbols(
        state=dict(layout.rows),
        params={name: i for i, name in enumerate(p for p in params if isinstance(p, str))},
        context={name: i for i, name in enumerate(CONTEXT_NAMES)},
    )
    groups: list[tuple[tuple[Any, ...], Any]] = [(("rules",), raw.get("rules")), (("events",), raw.get("events"))]
    actions = raw.get("actions") if isinstance(raw.get("actions"), dict) else {}
    groups += [(("actions", gov), cards) for gov, cards in actions.items()]
    groups += [(("threats", actor, "acts"), t.get("acts")) for actor, t in threats.items() if isinstance(t, dict)]
    for loc, items in groups:
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            site = f"scan:{'.'.join(map(str, loc))}.{i}"
            for key in ("when", "chance"):
                value = item.get(key)
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    compiler.expr(value, (*loc, i, key), site)
            effects = item.get("effects")
            if isinstance(effects, dict):
                compiler.effects(effects, (*loc, i, "effects"), site)
    return compiler.problems


def _strategy_names() -> list[str]:
    from agents.strategies import STRATEGIES

    return sorted(STRATEGIES)


def validate_paths(paths: Iterable[str | Path]) -> list[tuple[Path | str, list[Problem]]]:
    """Load every given file (every ``*.yaml`` of a folder; the library if none) and collect problems."""
    targets: list[Path | str] = []
    for item in list(paths) or [library_dir()]:
        path = Path(item)
        if path.is_dir():
            targets.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        else:
            targets.append(item if path.suffix in (".yaml", ".yml") or path.exists() else str(item))
    results: list[tuple[Path | str, list[Problem]]] = []
    for target in targets:
        try:
            load_scenario(target)
        except ScenarioError as exc:
            results.append((target, exc.problems))
        else:
            results.append((target, []))
    return results


def load_scenario(name: str | Path) -> Scenario:
    """Load, merge (``extends:``), validate and compile a scenario.

    Args:
        name: a library id such as ``"baseline"`` or a path to a YAML file.

    Raises:
        ScenarioError: listing every problem found as ``path:line:col: message``.
    """
    path = resolve_scenario_path(name)
    raw, files = _load_chain(path, [])
    fallback: Mark = (str(path), 1, 1)
    try:
        spec = schema.ScenarioSpec.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, raw, fallback, _known_keys())
        # Report expression problems in the same pass, as far as the broken structure allows.
        taken = {(p.path, p.line, p.col) for p in problems}
        problems += [p for p in _scan_raw_expressions(raw, fallback) if (p.path, p.line, p.col) not in taken]
        raise ScenarioError(sort_problems(problems)) from None
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    digest.update(json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode())
    return _Compiler(spec, raw, fallback).build(path, files, digest.hexdigest())
