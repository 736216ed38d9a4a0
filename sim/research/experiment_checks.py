"""The semantic checks of experiment files, each an independent pass recording located problems.

The checks share the scenario front end's :class:`~sim.lang.diagnostics.Diagnostics`. Those on
the raw tree (:data:`RAW_CHECKS`' order: scenarios, parameter names, indicators, analysis) run
even when the structure did not validate; those on the spec run on every part that validated
(see :func:`sim.research.experiment.load_experiment`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.engine.model import INDICATORS
from sim.errors import ScenarioError, did_you_mean
from sim.lang.diagnostics import Diagnostics
from sim.lang.scenario import Scenario, library_ids, load_scenario, resolve_scenario_path
from sim.research.experiment_spec import (
    DEFAULT_GRID_LEVELS,
    MAX_POINTS,
    MAX_RUNS,
    RESERVED_COLUMNS,
    ExperimentSpec,
    Outcome,
    VariedParameter,
    parse_outcome,
)
from sim.research.samplers import Factor, design_size


@dataclass
class ExperimentContext:
    """An experiment file being checked: its raw tree, its problems and the scenarios it names."""

    raw: dict[Any, Any]
    path: Path
    diagnostics: Diagnostics
    scenarios: list[Scenario] = field(default_factory=list)

    def block(self, key: str) -> dict[Any, Any]:
        """The mapping at top-level ``key`` ({} if it is missing or not a mapping)."""
        value = self.raw.get(key)
        return value if isinstance(value, dict) else {}

    def declared(self, name: str) -> tuple[float, float] | None:
        """The intersection of the ranges the scenarios declare for ``name`` (None: unbounded)."""
        low, high, bounded = -math.inf, math.inf, False
        for scenario in self.scenarios:
            declared = scenario.parameter(name).range
            if declared is not None:
                bounded = True
                low, high = max(low, declared[0]), min(high, declared[1])
        return (low, high) if bounded else None


# --------------------------------------------------------------------------------- the raw tree


def _load(context: ExperimentContext, name: str, loc: tuple[Any, ...]) -> Scenario | None:
    """The scenario ``name`` at ``loc``, or None (with its problems recorded)."""
    diagnostics = context.diagnostics
    try:
        target = resolve_scenario_path(name, relative_to=context.path.parent)
        found = target.is_file()
    except ScenarioError:
        found = False
    if not found:
        hint = did_you_mean(name, library_ids())
        diagnostics.at(loc, f"scenario '{name}' is neither a library scenario nor a file{hint}", "name")
        return None
    try:
        scenario = load_scenario(target)
    except ScenarioError as exc:
        diagnostics.at(loc, f"scenario '{name}' has {len(exc.problems)} problem(s), listed below", "scenario")
        diagnostics.extend(exc.problems)
        return None
    if scenario.spec.abstract:
        diagnostics.at(loc, f"scenario '{name}' is abstract (shared defaults); sweep a scenario that extends it")
        return None
    return scenario


def scenario_names(context: ExperimentContext) -> None:
    """Each named scenario exists, loads, is not abstract and is named once; keep them."""
    raw = context.raw.get("scenarios")
    items: list[tuple[str, tuple[Any, ...]]] = [(raw, ("scenarios",))] if isinstance(raw, str) else []
    if isinstance(raw, list):
        items = [(name, ("scenarios", i)) for i, name in enumerate(raw) if isinstance(name, str)]
    seen: dict[str, int] = {}
    for name, loc in items:
        scenario = _load(context, name, loc)
        if scenario is None:
            continue
        line = context.diagnostics.mark(*loc)[1]
        if scenario.id in seen:
            context.diagnostics.at(loc, f"scenario '{scenario.id}' is listed twice (first at line {seen[scenario.id]})")
            continue
        seen[scenario.id] = line
        context.scenarios.append(scenario)


def _unknown_parameter(context: ExperimentContext, name: str, loc: tuple[Any, ...]) -> bool:
    """Report a name unknown to some scenario (at the key); True if it was unknown."""
    if name in RESERVED_COLUMNS:
        context.diagnostics.at(loc, f"parameter '{name}' has the name of a result column", "name", key=True)
        return True
    for scenario in context.scenarios:
        if name not in scenario.parameter_defaults:
            hint = did_you_mean(name, scenario.parameter_defaults)
            message = f"unknown parameter '{name}' for scenario '{scenario.id}'{hint}"
            context.diagnostics.at(loc, message, "name", key=True)
            return True
    return False


def parameter_names(context: ExperimentContext) -> set[str]:
    """Varied and fixed parameters exist in every scenario, and none is both; return the unknown ones."""
    unknown: set[str] = set()
    for section in ("parameters", "fixed"):
        for name in context.block(section):
            if isinstance(name, str) and _unknown_parameter(context, name, (section, name)):
                unknown.add(name)
    varied = context.block("parameters")
    if isinstance(context.raw.get("parameters"), dict) and isinstance(context.raw.get("fixed"), dict):
        for name in context.block("fixed"):
            if name in varied:
                context.diagnostics.at(("fixed", name), f"parameter '{name}' is both varied and fixed", key=True)
    return unknown


def indicator_names(context: ExperimentContext) -> tuple[str, ...]:
    """Check the recorded indicators; return them (the model's INDICATORS by default)."""
    outputs = context.raw.get("outputs")
    chosen = outputs.get("indicators") if isinstance(outputs, dict) else None
    if not isinstance(chosen, list):
        return INDICATORS
    names: list[str] = []
    for i, name in enumerate(chosen):
        if not isinstance(name, str):
            continue
        loc = ("outputs", "indicators", i)
        if name in names:
            context.diagnostics.at(loc, f"indicator '{name}' is listed twice")
            continue
        for scenario in context.scenarios:
            rows = scenario.layout.rows
            if name not in rows:
                context.diagnostics.at(
                    loc, f"unknown indicator '{name}'{did_you_mean(name, [*INDICATORS, *rows])}", "name"
                )
                break
        else:
            names.append(name)
    return tuple(names)


def analysis(context: ExperimentContext, indicators: tuple[str, ...], outcomes: tuple[str, ...] = ()) -> Outcome:
    """The analysis output names a recorded indicator or an outcome, the outcome an indicator; return it."""
    block, outputs = context.block("analysis"), context.block("outputs")
    diagnostics = context.diagnostics
    if outputs.get("at") == "summary":
        statistics = outputs.get("statistics", ["mean", "min", "max"])
        if isinstance(statistics, list):
            indicators = (*indicators, *(f"{i}:{s}" for i in indicators for s in statistics if isinstance(s, str)))
    output = block.get("output", "trilateral")
    if isinstance(output, str) and output not in indicators and output not in outcomes:
        hint = did_you_mean(output, [*indicators, *outcomes])
        message = f"analysis.output '{output}' is neither a recorded indicator nor an outcome{hint}"
        diagnostics.at(("analysis", "output"), message, "name")
    text = block.get("outcome", "trilateral < 0.4")
    try:
        outcome = parse_outcome(text)
    except ValueError as exc:
        diagnostics.at(("analysis", "outcome"), str(exc), "outcome")
        return Outcome("trilateral", "<", 0.4)
    if outcome.indicator not in indicators:
        diagnostics.at(
            ("analysis", "outcome"),
            f"outcome uses '{outcome.indicator}', which is not a recorded indicator"
            f"{did_you_mean(outcome.indicator, indicators)}",
            "name",
        )
    return outcome


# --------------------------------------------------------------------------------- factors


def _listed_values(context: ExperimentContext, name: str, p: VariedParameter, given: set[str]) -> Factor:
    """A factor over listed values; the range-only options do not apply, the values are in range."""
    loc = ("parameters", name)
    for extra in ("range", "distribution", "mean", "sd", "levels"):
        if extra in given:
            context.diagnostics.at((*loc, extra), f"parameter '{name}' lists values: {extra} does not apply", key=True)
    declared = context.declared(name)
    values = tuple(float(v) for v in p.values or ())
    if declared:
        shown = f"[{declared[0]:g}, {declared[1]:g}]"
        shorthand = not isinstance(context.block("parameters").get(name), dict)
        for i, value in enumerate(values):
            if not declared[0] <= value <= declared[1]:
                where = (*loc, i) if shorthand else (*loc, "values", i)
                message = f"value {value:g} of '{name}' is outside its declared range {shown}"
                context.diagnostics.at(where, message, "range")
    return Factor(name, "values", min(values), max(values), values=values)


def _range(context: ExperimentContext, name: str, p: VariedParameter) -> tuple[float, float] | None:
    """The range of a factor (its own, else its scenarios'); None if missing or invalid (reported)."""
    loc = ("parameters", name)
    declared = context.declared(name)
    given = p.range if p.range is not None else declared
    if given is None:
        message = f"parameter '{name}' needs values: or range: (its scenario declares no range)"
        context.diagnostics.at(loc, message, "missing", key=True)
        return None
    low, high = given
    range_mark = (
        context.diagnostics.mark(*loc, "range") if p.range is not None else context.diagnostics.mark(*loc, key=True)
    )
    if not low < high:
        context.diagnostics.add(range_mark, f"range of '{name}' must have low < high, got [{low:g}, {high:g}]", "range")
        return None
    if declared and (low < declared[0] or high > declared[1]):
        shown = f"[{declared[0]:g}, {declared[1]:g}]"
        context.diagnostics.add(
            range_mark, f"range [{low:g}, {high:g}] of '{name}' is outside its declared range {shown}", "range"
        )
    if p.distribution == "loguniform" and low <= 0:
        context.diagnostics.add(range_mark, f"a loguniform range must be positive, got [{low:g}, {high:g}]", "range")
        return None
    return low, high


def _distribution_complete(context: ExperimentContext, name: str, p: VariedParameter, given: set[str]) -> bool:
    """A normal distribution has its mean and sd; the others have neither. False if incomplete."""
    loc = ("parameters", name)
    if p.distribution != "normal":
        for extra in ("mean", "sd"):
            if extra in given:
                context.diagnostics.at((*loc, extra), f"{extra} applies to distribution: normal only", key=True)
        return True
    missing = [needed for needed in ("mean", "sd") if getattr(p, needed) is None]
    if missing:
        wanted = " and ".join(f"{m}:" for m in missing)
        context.diagnostics.at(loc, f"normal distribution of '{name}' needs {wanted}", "missing", key=True)
    return not missing


def _factor(context: ExperimentContext, spec: ExperimentSpec, name: str, p: VariedParameter) -> Factor | None:
    """One varied parameter resolved against its scenarios (None, with problems, if it cannot be)."""
    raw_entry = context.block("parameters")[name]
    given = {"values"} if isinstance(raw_entry, list) else set(raw_entry) if isinstance(raw_entry, dict) else set()
    if p.levels is not None and spec.sampler != "grid":
        context.diagnostics.at(("parameters", name, "levels"), "levels applies to the grid sampler only", key=True)
    if p.values is not None:
        return _listed_values(context, name, p, given)
    bounds = _range(context, name, p)
    if bounds is None or not _distribution_complete(context, name, p, given):
        return None
    return Factor(
        name,
        p.distribution,
        float(bounds[0]),
        float(bounds[1]),
        mean=float(p.mean or 0.0),
        sd=float(p.sd or 1.0),
        levels=p.levels or spec.levels or DEFAULT_GRID_LEVELS,
    )


def factors(context: ExperimentContext, spec: ExperimentSpec, unknown: set[str]) -> list[Factor]:
    """The varied parameters known to every scenario, resolved; problems recorded for the rest."""
    out = []
    for name, p in spec.parameters.items():
        if name in unknown or name not in context.block("parameters"):
            continue
        factor = _factor(context, spec, name, p)
        if factor is not None:
            out.append(factor)
    return out


# --------------------------------------------------------------------------------- the rest of the spec


def fixed(context: ExperimentContext, spec: ExperimentSpec, unknown: set[str]) -> dict[str, float]:
    """The fixed parameters known to every scenario, checked against their declared ranges."""
    out = {}
    for name, value in spec.fixed.items():
        if name in unknown:
            continue
        declared = context.declared(name)
        if declared and not declared[0] <= value <= declared[1]:
            context.diagnostics.at(
                ("fixed", name),
                f"fixed value {value:g} of '{name}' is outside its declared range [{declared[0]:g}, {declared[1]:g}]",
                "range",
            )
        out[name] = float(value)
    return out


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def sampler(context: ExperimentContext, spec: ExperimentSpec, resolved: list[Factor], policies: int = 1) -> None:
    """The sampler's options apply to it, and the design (x scenarios x policies) is not too large."""
    given, diagnostics = set(context.raw), context.diagnostics
    if spec.sampler == "grid":
        if "samples" in given:
            message = "the grid sampler takes no samples: its size is the product of the levels"
            diagnostics.at(("samples",), message, key=True)
    elif spec.samples is None:
        diagnostics.at(("sampler",), f"the {spec.sampler} sampler needs samples: (a number of points)", "missing")
    if spec.sampler == "sobol" and spec.samples is not None and not _is_power_of_two(spec.samples):
        lower = 1 << (spec.samples.bit_length() - 1)
        diagnostics.at(
            ("samples",),
            f"sobol samples must be a power of 2 (Saltelli design), got {spec.samples}; try {lower} or {lower * 2}",
        )
    if "second_order" in given and spec.sampler != "sobol":
        diagnostics.at(("second_order",), "second_order applies to the sobol sampler only", key=True)
    if "levels" in given and spec.sampler not in ("grid", "morris"):
        diagnostics.at(("levels",), "levels applies to the grid and morris samplers only", key=True)
    if spec.sampler == "morris" and spec.levels is not None and spec.levels % 2:
        diagnostics.at(("levels",), f"morris levels should be even (e.g. 4 or 6), got {spec.levels}")
    if len(resolved) == len(spec.parameters) and resolved:
        size = design_size(spec, resolved) * max(1, len(context.scenarios)) * policies
        if size > MAX_POINTS:
            diagnostics.at(("sampler",), f"the design has {size:,} points; at most {MAX_POINTS:,} are allowed")
        elif size * spec.replications > MAX_RUNS:
            runs = size * spec.replications
            message = f"the sweep has {runs:,} runs ({size:,} points x {spec.replications:,} replications)"
            diagnostics.at(("replications",), f"{message}; at most {MAX_RUNS:,} are allowed")


def outputs(context: ExperimentContext, spec: ExperimentSpec) -> None:
    """The output options apply to each other, and recorded turns exist in every scenario."""
    chosen, diagnostics = spec.outputs, context.diagnostics
    if "statistics" in context.block("outputs") and chosen.at != "summary":
        diagnostics.at(("outputs", "statistics"), "statistics applies to at: summary only", key=True)
    if len(set(chosen.statistics)) != len(chosen.statistics):
        diagnostics.at(("outputs", "statistics"), "a statistic is listed twice")
    if chosen.keep_trajectories and chosen.at == "every":
        message = "at: every already keeps every turn; drop keep_trajectories"
        diagnostics.at(("outputs", "keep_trajectories"), message, key=True)
    if not isinstance(chosen.at, list):
        return
    if not chosen.at:
        diagnostics.at(("outputs", "at"), "at: needs at least one turn")
    for i, turn in enumerate(chosen.at):
        for scenario in context.scenarios:
            last = spec.turns or scenario.turns
            if turn > last:
                message = f"turn {turn} is after the last turn ({last}) of scenario '{scenario.id}'"
                diagnostics.at(("outputs", "at", i), message, "range")
                break
