"""Levers and policies: what governments choose, resolved and checked against the scenarios.

A lever sets a scenario parameter or a government's computer strategy; a policy is a named
setting of levers (a lever a policy leaves out keeps the scenario's own value). Without a
``policies:`` block, every combination of the levers' values is a policy. A sweep crosses the
policies with the uncertainty sample (see ``docs/experiments.md``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sim.errors import did_you_mean
from sim.lang.schema import STRATEGY_NAMES
from sim.research.experiment_checks import ExperimentContext
from sim.research.experiment_spec import RESERVED_COLUMNS, ExperimentSpec, Lever
from sim.research.outcomes import RunOutcome, run_outcomes

DEFAULT_STRATEGY = "default"
"""A strategy lever's value meaning the scenario's own strategy for that government."""
MAX_POLICIES = 10_000
POLICY_COLUMN = "policy"


@dataclass(frozen=True)
class Policy:
    """A named lever setting: scenario parameter values and governments' strategies."""

    name: str
    parameters: dict[str, float] = field(default_factory=dict)
    strategies: dict[str, str] = field(default_factory=dict)
    levers: dict[str, float | str] = field(default_factory=dict)
    """The lever values as written (lever name to value), for tables."""


NO_POLICY = Policy("")
"""The one implicit policy of an experiment without levers."""


def _lever_target(lever: Lever) -> str:
    return lever.parameter or lever.name


def _check_lever(context: ExperimentContext, index: int, lever: Lever, varied: set[str]) -> None:
    """A lever's target exists and is free, and its values fit it."""
    loc = ("levers", index)
    diagnostics = context.diagnostics
    if lever.strategy is not None:
        if lever.parameter is not None:
            diagnostics.at((*loc, "parameter"), "a lever sets a parameter or a strategy, not both", key=True)
        allowed = (DEFAULT_STRATEGY, *(n for n in STRATEGY_NAMES if n != "human"))
        for i, value in enumerate(lever.values):
            if not isinstance(value, str) or value not in allowed:
                hint = did_you_mean(str(value), allowed)
                diagnostics.at((*loc, "values", i), f"'{value}' is not a strategy{hint}", "name")
        return
    target = _lever_target(lever)
    where = (*loc, "parameter") if lever.parameter is not None else (*loc, "name")
    if target in RESERVED_COLUMNS or target == POLICY_COLUMN:
        diagnostics.at(where, f"lever '{lever.name}' has the name of a result column", "name")
        return
    for scenario in context.scenarios:
        if target not in scenario.parameter_defaults:
            hint = did_you_mean(target, scenario.parameter_defaults)
            diagnostics.at(where, f"unknown parameter '{target}' for scenario '{scenario.id}'{hint}", "name")
            return
    if target in varied:
        diagnostics.at(where, f"parameter '{target}' is both an uncertainty (or fixed) and a lever", "name")
    declared = context.declared(target)
    for i, value in enumerate(lever.values):
        if isinstance(value, str):
            diagnostics.at((*loc, "values", i), f"lever '{lever.name}' sets a parameter: '{value}' is not a number")
        elif declared and not declared[0] <= value <= declared[1]:
            shown = f"[{declared[0]:g}, {declared[1]:g}]"
            message = f"value {value:g} of lever '{lever.name}' is outside its declared range {shown}"
            diagnostics.at((*loc, "values", i), message, "range")


def _policy(name: str, setting: dict[str, Any], levers: dict[str, Lever]) -> Policy:
    parameters: dict[str, float] = {}
    strategies: dict[str, str] = {}
    for lever_name, value in setting.items():
        lever = levers[lever_name]
        if lever.strategy is not None:
            if value != DEFAULT_STRATEGY:
                strategies[lever.strategy] = str(value)
        else:
            parameters[_lever_target(lever)] = float(value)
    return Policy(name, parameters, strategies, dict(setting))


def _check_setting(context: ExperimentContext, name: str, setting: dict[str, Any], levers: dict[str, Lever]) -> bool:
    """Each lever a policy sets exists and gets a value it allows; False if not."""
    ok = True
    for lever_name, value in setting.items():
        loc = ("policies", name, lever_name)
        lever = levers.get(lever_name)
        if lever is None:
            context.diagnostics.at(
                loc, f"unknown lever '{lever_name}'{did_you_mean(lever_name, levers)}", "name", key=True
            )
            ok = False
        elif lever.strategy is not None and value not in lever.values:
            shown = ", ".join(str(v) for v in lever.values)
            context.diagnostics.at(loc, f"lever '{lever_name}' takes one of: {shown}; got '{value}'", "name")
            ok = False
        elif lever.strategy is None and isinstance(value, str):
            context.diagnostics.at(loc, f"lever '{lever_name}' sets a parameter: '{value}' is not a number")
            ok = False
        elif lever.strategy is None:
            declared = context.declared(_lever_target(lever))
            if declared and not declared[0] <= float(value) <= declared[1]:
                shown = f"[{declared[0]:g}, {declared[1]:g}]"
                context.diagnostics.at(
                    loc, f"value {value:g} of lever '{lever_name}' is outside its declared range {shown}", "range"
                )
                ok = False
    return ok


def policies(context: ExperimentContext, spec: ExperimentSpec) -> list[Policy]:
    """The experiment's policies, checked (problems recorded); ``[NO_POLICY]`` without levers."""
    varied = set(spec.parameters) | set(spec.fixed)
    levers: dict[str, Lever] = {}
    for index, lever in enumerate(spec.levers):
        if lever.name in levers:
            context.diagnostics.at(("levers", index, "name"), f"lever '{lever.name}' is listed twice")
            continue
        _check_lever(context, index, lever, varied)
        levers[lever.name] = lever
    if spec.policies is not None and not spec.levers:
        context.diagnostics.at(("policies",), "policies set levers: add a levers: block", key=True)
        return [NO_POLICY]
    if not levers:
        return [NO_POLICY]
    if spec.policies is not None:
        if not spec.policies:
            context.diagnostics.at(("policies",), "policies: needs at least one policy")
            return [NO_POLICY]
        valid = all([_check_setting(context, name, setting, levers) for name, setting in spec.policies.items()])
        return policy_list(spec) if valid else [NO_POLICY]
    count = 1
    for lever in levers.values():
        count *= len(lever.values)
    if count > MAX_POLICIES:
        context.diagnostics.at(
            ("levers",), f"the levers make {count:,} policies; at most {MAX_POLICIES:,} are allowed", key=True
        )
        return [NO_POLICY]
    return policy_list(spec)


def _value_text(value: float | str) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def policy_list(spec: ExperimentSpec) -> list[Policy]:
    """The policies of a valid spec, in order: its ``policies:``, else every combination of lever values."""
    levers = {lever.name: lever for lever in spec.levers}
    if not levers:
        return [NO_POLICY]
    if spec.policies is not None:
        return [_policy(name, setting, levers) for name, setting in spec.policies.items()]
    found = []
    for combination in itertools.product(*(lever.values for lever in levers.values())):
        setting = dict(zip(levers, combination, strict=True))
        found.append(_policy(",".join(f"{k}={_value_text(v)}" for k, v in setting.items()), setting, levers))
    return found


@dataclass(frozen=True)
class RunSettings:
    """How to rebuild one stored run: the RNG's replication index, the policy's levers, the outcomes."""

    replication_index: int
    parameters: dict[str, float]
    strategies: dict[str, str]
    outcomes: tuple[RunOutcome, ...] = ()


def run_settings(spec_json: dict[str, Any], row: dict[str, Any], run_id: int, replications: int) -> RunSettings:
    """The settings of run ``run_id`` (design row ``row``) of a sweep whose validated spec is ``spec_json``."""
    spec = ExperimentSpec.model_validate(spec_json)
    # A sweep from before common random numbers (no such key in its spec) used the run id.
    crn = bool(spec_json.get("common_random_numbers", False))
    index = run_id % replications if crn else run_id
    policy = NO_POLICY
    if spec.levers:
        policy = next(p for p in policy_list(spec) if p.name == row.get(POLICY_COLUMN))
    return RunSettings(index, dict(policy.parameters), dict(policy.strategies), run_outcomes(spec.outcomes))
