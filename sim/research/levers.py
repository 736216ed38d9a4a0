"""Levers and policies: what governments choose, resolved and checked against the scenarios.

A lever sets a scenario parameter, a government's computer strategy, cards it never plays
(``ban:``) or scripted moves (``script:``, see :mod:`sim.research.card_levers`); a policy is a named
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
from sim.research.card_levers import (
    apply_card_lever,
    check_card_lever,
    check_card_setting,
    conflicts,
    value_label,
)
from sim.research.experiment_checks import ExperimentContext
from sim.research.experiment_spec import RESERVED_COLUMNS, ExperimentSpec, Lever
from sim.research.outcomes import RunOutcome, run_outcomes

DEFAULT_STRATEGY = "default"
"""A strategy lever's value meaning the scenario's own strategy for that government."""
MAX_POLICIES = 10_000
POLICY_COLUMN = "policy"


@dataclass(frozen=True)
class Policy:
    """A named lever setting: parameter values, governments' strategies, card bans and scripted moves."""

    name: str
    parameters: dict[str, float] = field(default_factory=dict)
    strategies: dict[str, str] = field(default_factory=dict)
    levers: dict[str, float | str] = field(default_factory=dict)
    """The lever values as written (lever name to value; a ban as its label), for tables."""
    bans: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Government -> cards it never plays (the model's ``bans=``)."""
    script: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    """Government -> quarter label -> cards played that quarter (the model's ``script=``)."""


NO_POLICY = Policy("")
"""The one implicit policy of an experiment without levers."""


def _lever_target(lever: Lever) -> str:
    return lever.parameter or lever.name


def _check_lever(context: ExperimentContext, index: int, lever: Lever, varied: set[str], turns: int | None) -> None:
    """A lever's target exists and is free, and its values fit it."""
    loc = ("levers", index)
    diagnostics = context.diagnostics
    if lever.ban is not None or lever.script is not None or lever.moves is not None:
        check_card_lever(context, index, lever, turns)
        return
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
        if not isinstance(value, float):
            shown = value_label(value)
            diagnostics.at((*loc, "values", i), f"lever '{lever.name}' sets a parameter: '{shown}' is not a number")
        elif declared and not declared[0] <= value <= declared[1]:
            shown = f"[{declared[0]:g}, {declared[1]:g}]"
            message = f"value {value:g} of lever '{lever.name}' is outside its declared range {shown}"
            diagnostics.at((*loc, "values", i), message, "range")


def make_policy(name: str, setting: dict[str, Any], levers: dict[str, Lever]) -> Policy:
    """The policy ``name`` setting each lever of ``setting`` (lever name -> value) to its value."""
    parameters: dict[str, float] = {}
    strategies: dict[str, str] = {}
    bans: dict[str, tuple[str, ...]] = {}
    script: dict[str, dict[str, tuple[str, ...]]] = {}
    order = list(levers)
    for lever_name in sorted(setting, key=order.index):  # in the levers' order: a later script lever wins a quarter
        lever, value = levers[lever_name], setting[lever_name]
        if lever.kind in ("ban", "script"):
            apply_card_lever(lever, value, bans, script)
        elif lever.strategy is not None:
            if value != DEFAULT_STRATEGY:
                strategies[lever.strategy] = str(value)
        else:
            parameters[_lever_target(lever)] = float(value)
    shown = {k: value_label(v) if isinstance(v, list) else v for k, v in setting.items()}
    return Policy(name, parameters, strategies, shown, bans, script)


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
        elif lever.kind in ("ban", "script"):
            ok = check_card_setting(context, loc, lever, value) and ok
        elif isinstance(value, list):
            context.diagnostics.at(loc, f"lever '{lever_name}' takes one value, not a list")
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
    before = len(context.diagnostics.problems)
    levers: dict[str, Lever] = {}
    for index, lever in enumerate(spec.levers):
        if lever.name in levers:
            context.diagnostics.at(("levers", index, "name"), f"lever '{lever.name}' is listed twice")
            continue
        _check_lever(context, index, lever, varied, spec.turns)
        levers[lever.name] = lever
    if spec.policies is not None and not spec.levers:
        if not context.raw.get("levers"):  # (levers that did not validate are reported already)
            context.diagnostics.at(("policies",), "policies set levers: add a levers: block", key=True)
        return [NO_POLICY]
    if not levers:
        return [NO_POLICY]
    if spec.policies is not None:
        if not spec.policies:
            if not context.block("policies"):  # (policies that did not validate are reported already)
                context.diagnostics.at(("policies",), "policies: needs at least one policy")
            return [NO_POLICY]
        valid = all([_check_setting(context, name, setting, levers) for name, setting in spec.policies.items()])
        return _without_conflicts(context, policy_list(spec)) if valid else [NO_POLICY]
    count = 1
    for lever in levers.values():
        count *= len(lever.values)
    if count > MAX_POLICIES:
        context.diagnostics.at(
            ("levers",), f"the levers make {count:,} policies; at most {MAX_POLICIES:,} are allowed", key=True
        )
        return [NO_POLICY]
    if len(context.diagnostics.problems) > before:  # a bad card lever's values make no policy
        return [NO_POLICY]
    return _without_conflicts(context, policy_list(spec))


def _without_conflicts(context: ExperimentContext, found: list[Policy]) -> list[Policy]:
    """``found``, or ``[NO_POLICY]`` with a problem if a policy both bans and scripts a card."""
    for policy in found:
        clashes = conflicts(policy.bans, policy.script)
        if clashes:
            where = ("policies", policy.name) if context.block("policies") else ("levers",)
            context.diagnostics.at(where, f"policy '{policy.name}' bans and scripts a card: {clashes[0]}", key=True)
            return [NO_POLICY]
    return found


def policy_list(spec: ExperimentSpec) -> list[Policy]:
    """The policies of a valid spec, in order: its ``policies:``, else every combination of lever values."""
    levers = {lever.name: lever for lever in spec.levers}
    if not levers:
        return [NO_POLICY]
    if spec.policies is not None:
        return [make_policy(name, setting, levers) for name, setting in spec.policies.items()]
    found = []
    for combination in itertools.product(*(lever.values for lever in levers.values())):
        setting = dict(zip(levers, combination, strict=True))
        found.append(make_policy(",".join(f"{k}={value_label(v)}" for k, v in setting.items()), setting, levers))
    return found


@dataclass(frozen=True)
class RunSettings:
    """How to rebuild one stored run: the RNG's replication index, the policy's levers, the outcomes."""

    replication_index: int
    parameters: dict[str, float]
    strategies: dict[str, str]
    outcomes: tuple[RunOutcome, ...] = ()
    bans: dict[str, tuple[str, ...]] = field(default_factory=dict)
    script: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


def run_settings(spec_json: dict[str, Any], row: dict[str, Any], run_id: int, replications: int) -> RunSettings:
    """The settings of run ``run_id`` (design row ``row``) of a sweep whose validated spec is ``spec_json``."""
    spec = ExperimentSpec.model_validate(spec_json)
    # A sweep from before common random numbers (no such key in its spec) used the run id.
    crn = bool(spec_json.get("common_random_numbers", False))
    index = run_id % replications if crn else run_id
    policy = NO_POLICY
    if spec.levers:
        policy = next(p for p in policy_list(spec) if p.name == row.get(POLICY_COLUMN))
    return RunSettings(
        index,
        dict(policy.parameters),
        dict(policy.strategies),
        run_outcomes(spec.outcomes),
        dict(policy.bans),
        dict(policy.script),
    )
