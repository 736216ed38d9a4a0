"""The semantic checks of scenario files, each an independent pass, all listed at the end.

Like a linter's rules, each check looks at one thing and records located problems in the
file's :class:`~sim.lang.diagnostics.Diagnostics`; none of them builds anything. They run in
four stages (see :data:`FILE_CHECKS` (in :mod:`sim.lang.check_files`), :data:`ID_CHECKS`, :data:`SCENARIO_CHECKS` and
:data:`BROKEN_STRUCTURE_CHECKS`): on each file as read, on the merged and validated spec before
its state layout exists, on the spec with its layout, and (best effort) on a merged tree whose
structure did not validate. Checks of constant values against their bounds (a chance in
[0, 1], a starting value within its variable's range) run where the expression is compiled
(:class:`~sim.lang.compiler.Compiler`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.engine.layout import THREAT_ACTORS, THREAT_VARIABLES, Layout
from sim.engine.required_parameters import REQUIRED_PARAMETERS
from sim.errors import Problem, ScenarioError, did_you_mean
from sim.lang import calendar, schema
from sim.lang.check_files import FILE_CHECKS as FILE_CHECKS
from sim.lang.check_files import duplicate_ids as duplicate_ids
from sim.lang.check_files import file_problems as file_problems
from sim.lang.check_leaders import government_leaders, schedule_quarters
from sim.lang.check_limits import scenario_sizes
from sim.lang.compiler import CONTEXT_NAMES, Compiler, make_symbols
from sim.lang.diagnostics import Diagnostics
from sim.lang.expr import FUNCTIONS
from sim.lang.loading import library_ids, resolve_scenario_path
from sim.lang.yamlio import Mark


@dataclass(frozen=True)
class ScenarioContext:
    """What a check of a validated scenario reads: the spec, its layout, its file and its problems.

    ``files`` is its ``extends:`` chain, the root first and ``path`` last (empty if not known).
    """

    spec: schema.ScenarioSpec
    layout: Layout
    diagnostics: Diagnostics
    path: Path
    files: tuple[Path, ...] = ()
    embedded: bool = False
    """Loaded from a save's embedded texts: other library scenarios are not looked up."""

    def file_order(self, path: str) -> int:
        """The position of a file in the ``extends:`` chain (-1 if not in it)."""
        names = [str(file) for file in self.files]
        return names.index(path) if path in names else -1

    @property
    def start(self) -> tuple[int, int]:
        """(year, quarter) of turn 1."""
        return calendar.parse_quarter(self.spec.start)


# --------------------------------------------------------------------------------- ids (no layout yet)


def ids_shared_by_rules_and_events(spec: schema.ScenarioSpec, diagnostics: Diagnostics) -> None:
    """A rule and an event with one id would share their ``fired.ID`` counter once merged."""
    rule_ids = {r.id: i for i, r in enumerate(spec.rules) if not r.disabled}
    for i, e in enumerate(spec.events):
        if not e.disabled and e.id in rule_ids:
            event_mark = diagnostics.mark("events", i, "id")
            rule_mark = diagnostics.mark("rules", rule_ids[e.id], "id")
            for here, other, kind in ((rule_mark, event_mark, "an event"), (event_mark, rule_mark, "a rule")):
                where = f"{other[0]}:{other[1]}"
                diagnostics.add(here, f"id '{e.id}' is also the id of {kind} ({where})", "duplicate-id")


def act_ids_naming_variables(spec: schema.ScenarioSpec, diagnostics: Diagnostics) -> None:
    """An act's flag row is ``ACTOR.ID``, so an act may not take the name of an actor variable."""
    for actor, threat in spec.threats.items():
        for i, act in enumerate(threat.acts):
            if act.id in THREAT_VARIABLES:
                diagnostics.at(
                    ("threats", actor, "acts", i, "id"),
                    f"act id '{act.id}' is the name of a {actor} variable; choose another",
                    "name",
                )


# --------------------------------------------------------------------------------- parameters


def parameter_names(context: ScenarioContext) -> None:
    """A parameter may not shadow a state variable, the turn context, a function or a model option."""
    for name in context.spec.parameters:
        if name in context.layout.rows or name in CONTEXT_NAMES or name in FUNCTIONS:
            message = f"parameter name '{name}' clashes with a built-in name"
        elif name in schema.MODEL_OPTIONS:
            message = (
                f"parameter name '{name}' clashes with the model option '{name}' of TrilateralModel; "
                "choose another name"
            )
        else:
            continue
        context.diagnostics.at(("parameters", name), message, "name", key=True)


def series_names(context: ScenarioContext) -> None:
    """A series may not take the name of a parameter, a state variable, the turn context, a function or an option."""
    spec = context.spec
    for name in spec.series:
        if name in spec.parameters:
            what = f"the parameter '{name}'"
        elif name in context.layout.rows:
            what = f"the state variable '{name}'"
        elif name in CONTEXT_NAMES or name in FUNCTIONS:
            what = f"the built-in name '{name}'"
        elif name in schema.MODEL_OPTIONS:
            what = f"the model option '{name}' of TrilateralModel"
        else:
            continue
        context.diagnostics.at(
            ("series", name), f"series name '{name}' clashes with {what}; choose another", "name", key=True
        )


def required_parameters_defined(context: ScenarioContext) -> None:
    """Every parameter the built-in behaviour reads is declared (``defaults`` declares them all)."""
    for name, needed_by in REQUIRED_PARAMETERS.items():
        if name not in context.spec.parameters:
            context.diagnostics.at(
                ("parameters",), f"parameter '{name}' (used by {needed_by}) is not defined", "missing"
            )


def parameter_ranges(context: ScenarioContext) -> None:
    """A declared range is not empty and holds the default."""
    for name, parameter in context.spec.parameters.items():
        if parameter.range is None:
            continue
        lo, hi = parameter.range
        if lo > hi:
            context.diagnostics.at(("parameters", name, "range"), f"range [{lo:g}, {hi:g}] is empty", "range")
        elif not lo <= parameter.default <= hi:
            context.diagnostics.at(
                ("parameters", name, "default"),
                f"default {parameter.default:g} is outside the range [{lo:g}, {hi:g}]",
                "range",
            )


def preset_values(context: ScenarioContext) -> None:
    """A preset sets known parameters, each within its declared range."""
    parameters = context.spec.parameters
    for ident, preset in context.spec.presets.items():
        for name, value in preset.values.items():
            loc = ("presets", ident, "values", name)
            if name not in parameters:
                context.diagnostics.at(
                    loc, f"preset '{ident}': unknown parameter '{name}'{did_you_mean(name, parameters)}", "name"
                )
                continue
            declared = parameters[name].range
            if declared is not None and not declared[0] <= value <= declared[1]:
                message = f"preset '{ident}': {name}={value:g} is outside its range [{declared[0]:g}, {declared[1]:g}]"
                context.diagnostics.at(loc, message, "range")


# --------------------------------------------------------------------------------- unknown names


def tie_domains(context: ScenarioContext) -> None:
    """A tie given per domain names known domains, and all of them unless it gives ``all:``."""
    spec, diagnostics = context.spec, context.diagnostics
    for pair, value in spec.ties.items():
        if not isinstance(value, dict):
            continue
        for d in value:
            if d not in spec.domains and d != "all":
                diagnostics.at(
                    ("ties", pair, d), f"unknown domain '{d}'{did_you_mean(d, spec.domains)}", "name", key=True
                )
        if "all" not in value and (missing := [d for d in spec.domains if d not in value]):
            diagnostics.at(
                ("ties", pair),
                f"ties.{pair} lists some domains but not {', '.join(missing)}: add them or 'all:'",
                "missing",
            )


def government_names(context: ScenarioContext) -> None:
    """The camp in power is one of the camps; starting variables and strategies exist."""
    strategies = schema.STRATEGY_NAMES
    for gov, g in context.spec.governments.items():
        camps = list(g.camps)
        if g.in_power is None:
            if g.leader is None:
                message = f"{gov} needs in_power: (the camp in power at the start) or leader:"
                context.diagnostics.at(("governments", gov), message, "missing")
        elif g.in_power not in camps:
            context.diagnostics.at(
                ("governments", gov, "in_power"),
                f"in_power '{g.in_power}' is not one of the camps: {', '.join(camps)}{did_you_mean(g.in_power, camps)}",
                "name",
            )
        allowed = schema.government_initial(gov)
        for name in g.initial:
            if name not in allowed:
                context.diagnostics.at(
                    ("governments", gov, "initial", name),
                    f"unknown initial variable '{name}'{did_you_mean(name, allowed)}; allowed: {', '.join(allowed)}",
                    "name",
                    key=True,
                )
        if g.strategy not in strategies:
            context.diagnostics.at(
                ("governments", gov, "strategy"),
                f"unknown strategy '{g.strategy}'{did_you_mean(g.strategy, strategies)}; "
                f"available: {', '.join(strategies)}",
                "name",
            )


def threat_initial_names(context: ScenarioContext) -> None:
    """A threat actor's starting variables are writable actor variables."""
    allowed = [k for k, var in THREAT_VARIABLES.items() if var.writable]
    for actor, threat in context.spec.threats.items():
        for name in threat.initial:
            if name not in allowed:
                context.diagnostics.at(
                    ("threats", actor, "initial", name),
                    f"unknown initial variable '{name}'{did_you_mean(name, allowed)}; allowed: {', '.join(allowed)}",
                    "name",
                    key=True,
                )


def script_cards(context: ScenarioContext) -> None:
    """A government's script plays only its own (enabled) cards."""
    spec = context.spec
    for gov, government in spec.governments.items():
        cards = [card.id for card in spec.actions.get(gov, []) if not card.disabled]
        for quarter, chosen in government.script.items():
            for k, card in enumerate(chosen):
                if card not in cards:
                    context.diagnostics.at(
                        ("governments", gov, "script", quarter, k),
                        f"unknown action '{card}' for {gov}{did_you_mean(card, cards)}",
                        "name",
                    )


def objective_indicators(context: ScenarioContext) -> None:
    """Objectives weigh state variables."""
    rows = context.layout.rows
    for gov, terms in context.spec.objectives.items():
        for i, term in enumerate(terms):
            if term.indicator not in rows:
                context.diagnostics.at(
                    ("objectives", gov, i, "indicator"),
                    f"unknown indicator '{term.indicator}'{did_you_mean(term.indicator, rows)}",
                    "name",
                )


def signature_claims(context: ScenarioContext) -> None:
    """A signature claim names a state variable, another scenario that exists, and parameters it may ablate."""
    spec, diagnostics = context.spec, context.diagnostics
    for i, claim in enumerate(spec.signature):
        for name, value in claim.ablate.items():
            loc = ("signature", i, "ablate", name)
            if name not in spec.parameters:
                diagnostics.at(loc, f"ablate: unknown parameter '{name}'{did_you_mean(name, spec.parameters)}", "name")
                continue
            declared = spec.parameters[name].range
            if declared is not None and not declared[0] <= value <= declared[1]:
                message = f"ablate: {name}={value:g} is outside its range [{declared[0]:g}, {declared[1]:g}]"
                diagnostics.at(loc, message, "range")
        if claim.indicator not in context.layout.rows:
            diagnostics.at(
                ("signature", i, "indicator"),
                f"unknown indicator '{claim.indicator}'{did_you_mean(claim.indicator, context.layout.rows)}",
                "name",
            )
        if claim.than == spec.id:
            diagnostics.at(("signature", i, "than"), "a scenario cannot be compared with itself", "name")
            continue
        if context.embedded:
            continue
        try:
            exists = resolve_scenario_path(claim.than, relative_to=context.path.parent).is_file()
        except ScenarioError:
            exists = False
        if not exists:
            hint = did_you_mean(claim.than, library_ids())
            message = f"signature compares with '{claim.than}', which does not exist{hint}"
            diagnostics.at(("signature", i, "than"), message, "name")


# --------------------------------------------------------------------------------- the calendar


def _quarter(context: ScenarioContext, quarter: str, loc: tuple[Any, ...], *, key: bool = False) -> int | None:
    """The turn of a quarter label; None (with a problem recorded) if it is malformed."""
    try:
        return calendar.turn_of(quarter, context.start)
    except ValueError as exc:
        context.diagnostics.at(loc, f"{context.diagnostics.where(loc)}: {exc}", "quarter", key=key)
        return None


def government_quarters(context: ScenarioContext) -> None:
    """Election dates are quarter labels (script and leader-change keys: :mod:`sim.lang.check_leaders`)."""
    for gov, g in context.spec.governments.items():
        for k, quarter in enumerate(g.elections):
            _quarter(context, quarter, ("governments", gov, "elections", k))


def event_schedules(context: ScenarioContext) -> None:
    """An event's ``at:`` is a quarter from the start on; an event has ``at:``, ``chance:`` or ``when:``."""
    for i, e in enumerate(context.spec.events):
        if e.disabled:
            continue
        at_turn = _quarter(context, e.at, ("events", i, "at")) if e.at else None
        if at_turn is not None and at_turn < 1:
            loc = ("events", i, "at")
            where = context.diagnostics.where(loc)
            context.diagnostics.at(loc, f"{where}: {e.at} is before the start ({context.spec.start})", "range")
        if e.at is None and e.chance is None and e.when is None:
            context.diagnostics.at(("events", i), f"event '{e.id}' needs at:, chance: or when:", "missing")


# --------------------------------------------------------------------------------- broken structure


def _identifiers(items: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


def _mapping(raw: Any, key: str) -> dict[Any, Any]:
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _raw_layout(raw: Any) -> Layout | None:
    """The state layout a merged tree would have, as far as its structure allows (None: no guess)."""
    domain_weights = {d: 1.0 for d in _mapping(raw, "domains") if isinstance(d, str)} or {"all": 1.0}
    act_ids = {
        actor: tuple(_identifiers(t.get("acts")))
        for actor, t in _mapping(raw, "threats").items()
        if actor in THREAT_ACTORS and isinstance(t, dict)
    }
    counters = tuple(dict.fromkeys(_identifiers(raw.get("rules")) + _identifiers(raw.get("events"))))
    try:
        return Layout.build(domain_weights, act_ids, counters)
    except (ValueError, TypeError, KeyError):
        return None


def scan_raw_expressions(raw: Any, diagnostics: Diagnostics) -> None:
    """Check the expressions of a scenario whose structure did not validate (best effort)."""
    layout = _raw_layout(raw)
    if layout is None:
        return
    params = [p for p in _mapping(raw, "parameters") if isinstance(p, str)]
    series = [s for s in _mapping(raw, "series") if isinstance(s, str)]
    compiler = Compiler(diagnostics, layout, make_symbols(layout, params, series))
    groups: list[tuple[tuple[Any, ...], Any]] = [(("rules",), raw.get("rules")), (("events",), raw.get("events"))]
    groups += [(("actions", gov), cards) for gov, cards in _mapping(raw, "actions").items()]
    threats = _mapping(raw, "threats")
    groups += [(("threats", actor, "acts"), t.get("acts")) for actor, t in threats.items() if isinstance(t, dict)]
    for loc, items in groups:
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict):
                _scan_item(compiler, item, (*loc, i), f"scan:{'.'.join(map(str, loc))}.{i}")


def _scan_item(compiler: Compiler, item: dict[Any, Any], loc: tuple[Any, ...], site: str) -> None:
    for key in ("when", "chance", "severity"):
        value = item.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            compile_at = compiler.severity if key == "severity" else compiler.expr
            compile_at(value, (*loc, key), site)
    effects = item.get("effects")
    if isinstance(effects, dict):
        compiler.effects(effects, (*loc, "effects"), site)


# --------------------------------------------------------------------------------- the list

IdCheck = Callable[[schema.ScenarioSpec, Diagnostics], None]
ScenarioCheck = Callable[[ScenarioContext], None]
BrokenCheck = Callable[[Any, Diagnostics], None]

ID_CHECKS: tuple[IdCheck, ...] = (scenario_sizes, ids_shared_by_rules_and_events, act_ids_naming_variables)
"""Run on the merged, validated spec before its state layout is built; any problem stops loading."""

SCENARIO_CHECKS: tuple[ScenarioCheck, ...] = (
    parameter_names,
    series_names,
    required_parameters_defined,
    parameter_ranges,
    preset_values,
    tie_domains,
    government_names,
    government_leaders,
    government_quarters,
    schedule_quarters,
    threat_initial_names,
    event_schedules,
    script_cards,
    objective_indicators,
    signature_claims,
)
"""Run on the merged, validated spec with its layout, beside the section builders."""

BROKEN_STRUCTURE_CHECKS: tuple[BrokenCheck, ...] = (scan_raw_expressions,)
"""Run on a merged tree that did not validate, to report its other problems in the same pass."""


def run_id_checks(spec: schema.ScenarioSpec, diagnostics: Diagnostics) -> None:
    """Run :data:`ID_CHECKS`."""
    for check in ID_CHECKS:
        check(spec, diagnostics)


def run_scenario_checks(context: ScenarioContext) -> None:
    """Run :data:`SCENARIO_CHECKS`."""
    for check in SCENARIO_CHECKS:
        check(context)


def broken_structure_problems(raw: Any, fallback: Mark) -> list[Problem]:
    """Run :data:`BROKEN_STRUCTURE_CHECKS`; return what they found."""
    diagnostics = Diagnostics(raw, fallback)
    for check in BROKEN_STRUCTURE_CHECKS:
        check(raw, diagnostics)
    return diagnostics.problems
