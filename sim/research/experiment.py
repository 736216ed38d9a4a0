"""Experiment files: what a research sweep varies, how it samples the space, and what it records.

An experiment file (YAML) names one or more scenarios, the parameters to vary (a list of values,
or a range with a distribution), a sampler (``grid``, ``lhs``, ``sobol``, ``morris``,
``montecarlo``), the number of samples, the replications per design point, a seed, and the
outputs to keep. :func:`load_experiment` validates it and reports every problem in one pass as
``path:line:col: message``, with a did-you-mean for misspelled keys, scenarios, parameters and
indicators. :func:`design_table` builds the design: one row per design point (point id, scenario,
parameter values), reproducible from the seed. The format is documented in ``docs/experiments.md``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from sim.errors import Problem, ScenarioError, did_you_mean
from sim.lang.diagnostics import Diagnostics
from sim.lang.scenario import Scenario
from sim.lang.validation import clean_loc
from sim.lang.yamlio import read_yaml_file
from sim.research import experiment_checks as checks
from sim.research.experiment_spec import (
    DEFAULT_GRID_LEVELS,
    DEFAULT_MORRIS_LEVELS,
    MAX_POINTS,
    RESERVED_COLUMNS,
    STATISTICS,
    Analysis,
    ExperimentError,
    ExperimentSpec,
    Lever,
    Objective,
    Optimize,
    Outcome,
    OutcomeSpec,
    Outputs,
    Robustness,
    VariedParameter,
    parse_outcome,
)
from sim.research.levers import NO_POLICY, POLICY_COLUMN, Policy
from sim.research.levers import policies as check_policies
from sim.research.outcomes import check_outcomes
from sim.research.samplers import Factor, design_size, sample_units

__all__ = [
    "DEFAULT_GRID_LEVELS",
    "DEFAULT_MORRIS_LEVELS",
    "MAX_POINTS",
    "RESERVED_COLUMNS",
    "STATISTICS",
    "Analysis",
    "Experiment",
    "ExperimentError",
    "ExperimentSpec",
    "Factor",
    "Outcome",
    "Outputs",
    "VariedParameter",
    "describe",
    "design_size",
    "design_table",
    "json_schema",
    "load_experiment",
    "parse_outcome",
    "sample_units",
    "unit_sample",
]


@dataclass
class Experiment:
    """A validated experiment: the spec plus its loaded scenarios and resolved factors."""

    spec: ExperimentSpec
    path: Path
    id: str
    scenarios: list[Scenario]
    factors: list[Factor]
    indicators: tuple[str, ...]
    outcome: Outcome
    file_sha256: str
    content_hash: str
    fixed: dict[str, float] = field(default_factory=dict)
    policies: list[Policy] = field(default_factory=lambda: [NO_POLICY])
    """The policies the sweep crosses with the uncertainty sample (one unnamed policy without levers)."""

    @property
    def has_policies(self) -> bool:
        """Whether the experiment has levers (then the design and results have a ``policy`` column)."""
        return bool(self.spec.levers)

    @property
    def parameter_names(self) -> list[str]:
        """Names of the varied parameters, in file order."""
        return [f.name for f in self.factors]

    @property
    def scenario_ids(self) -> list[str]:
        """Ids of the scenarios, in file order."""
        return [s.id for s in self.scenarios]

    @property
    def samples_per_scenario(self) -> int:
        """Design points per scenario (the size of the parameter sample)."""
        return design_size(self.spec, self.factors)

    @property
    def points(self) -> int:
        """Design points in all (scenarios x policies x samples)."""
        return self.samples_per_scenario * len(self.scenarios) * len(self.policies)

    @property
    def runs(self) -> int:
        """Runs in all (design points x replications)."""
        return self.points * self.spec.replications

    def turns_of(self, scenario: Scenario) -> int:
        """Turns each run of ``scenario`` plays (the experiment's ``turns`` or the scenario's)."""
        return self.spec.turns or scenario.turns

    def recorded_turns(self, scenario: Scenario) -> tuple[int, ...] | None:
        """The turns kept as rows for ``scenario`` (None: one row per run, the final turn)."""
        at = self.spec.outputs.at
        if at == "every":
            return tuple(range(self.turns_of(scenario) + 1))
        if isinstance(at, list):
            return tuple(sorted(set(at)))
        return None


def unit_sample(experiment: Experiment) -> np.ndarray:
    """The design in unit coordinates, shape (samples per scenario, varied parameters).

    Each sampler draws in the unit hypercube from the experiment seed; :meth:`Factor.from_unit`
    maps each column to parameter values. ``sobol`` is SALib's Saltelli design, ``morris``
    SALib's trajectories, ``lhs`` scipy's Latin hypercube, ``montecarlo`` independent uniforms.
    """
    return sample_units(experiment.spec, experiment.parameter_names, experiment.factors)


def design_table(experiment: Experiment) -> Any:
    """The design: one row per design point, reproducible from the seed.

    Columns: ``point_id`` (0-based, scenario-major, then policy-major), ``scenario`` (id),
    ``policy`` (name; only with levers), ``sample`` (row of the parameter sample, shared by every
    scenario and policy), then one column per varied parameter.

    Returns:
        A pandas DataFrame.
    """
    import pandas as pd  # heavy (about half a second): imported only when a design is built

    units = unit_sample(experiment)
    n = len(units)
    values = {f.name: f.from_unit(units[:, j]) for j, f in enumerate(experiment.factors)}
    if experiment.spec.sampler == "grid":
        # Grid levels read as written: 0.6, not 0.6000000000000001 (12 significant digits).
        for f in experiment.factors:
            levels, index = np.unique(values[f.name], return_inverse=True)
            tidy = np.clip([float(f"{v:.12g}") for v in levels], f.low, f.high)
            values[f.name] = np.asarray(tidy, dtype=np.float64)[index]
    frames = []
    block = 0
    for scenario in experiment.scenarios:
        for policy in experiment.policies:
            frame: dict[str, Any] = {
                "point_id": np.arange(block * n, (block + 1) * n, dtype=np.int64),
                "scenario": [scenario.id] * n,
            }
            if experiment.has_policies:
                frame[POLICY_COLUMN] = [policy.name] * n
            frame["sample"] = np.arange(n, dtype=np.int64)
            frame.update(values)
            frames.append(pd.DataFrame(frame))
            block += 1
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# loading and validation


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for model in (
        ExperimentSpec,
        VariedParameter,
        Outputs,
        Analysis,
        Lever,
        OutcomeSpec,
        Robustness,
        Optimize,
        Objective,
    ):
        keys.update(model.model_fields)
    return keys


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_PLACEHOLDERS: dict[str, Any] = {"scenarios": ["-"], "sampler": "grid", "replications": 1}
_BLOCKS = ("parameters", "fixed", "outputs", "analysis", "outcomes", "policies")


def _best_effort_spec(raw: dict[Any, Any], exc: ValidationError) -> tuple[ExperimentSpec | None, set[str]]:
    """A spec from the parts of a broken file that validated, and the names of the parts dropped.

    The places ``exc`` (the validation of the whole file) complains about are dropped or replaced
    by a placeholder (an entry of ``parameters``, ``fixed``, ``outputs`` or ``analysis``, a
    top-level key) in one pass; the remainder is validated once more, so that the value checks
    can still run on it. None if the file's root or its ``parameters`` as a whole are wrong, or
    the remainder does not validate either.
    """
    data = _plain(raw)
    locs = [clean_loc(data, tuple(error["loc"])) for error in exc.errors(include_url=False)]
    if any(not loc or (loc[0] == "parameters" and not _prunable(data, loc)) for loc in locs):
        return None, set()
    dropped: set[str] = set()
    for loc in locs:
        head = loc[0]
        if _prunable(data, loc):
            data[head].pop(loc[1], None)
            dropped.add(str(loc[1]) if head in ("parameters", "fixed", "outcomes", "policies") else str(head))
        elif head in _PLACEHOLDERS:
            data[head] = _PLACEHOLDERS[head]
            dropped.add(str(head))
        else:
            data.pop(head, None)
            dropped.add(str(head))
    try:
        return ExperimentSpec.model_validate(data), dropped
    except ValidationError:
        return None, dropped


def _prunable(data: dict[Any, Any], loc: tuple[Any, ...]) -> bool:
    """Whether the problem at ``loc`` is in one entry of a block that can go without it."""
    return len(loc) >= 2 and loc[0] in _BLOCKS and isinstance(data.get(loc[0]), dict)


def _read(path: Path) -> dict[Any, Any]:
    try:
        raw = read_yaml_file(path)
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from None
    if not isinstance(raw, dict):
        raise ExperimentError([Problem(str(path), 1, 1, "an experiment file must be a YAML mapping", "type")])
    return _alias_uncertainties(raw)


def _alias_uncertainties(raw: dict[Any, Any]) -> dict[Any, Any]:
    """``uncertainties:`` read as its synonym ``parameters:``, keeping every position for messages."""
    if "uncertainties" not in raw or "parameters" in raw:
        return raw
    renamed = type(raw)()
    for attribute in ("mark", "key_marks", "value_marks", "quoted"):
        if hasattr(raw, attribute):
            setattr(renamed, attribute, getattr(raw, attribute))
    for key, value in raw.items():
        renamed["parameters" if key == "uncertainties" else key] = value
    for attribute in ("key_marks", "value_marks", "quoted"):
        marks = getattr(renamed, attribute, None)
        if isinstance(marks, dict) and "uncertainties" in marks:
            marks = dict(marks)
            marks["parameters"] = marks.pop("uncertainties")
            setattr(renamed, attribute, marks)
    return renamed


def load_experiment(path: str | Path) -> Experiment:
    """Load and validate an experiment file.

    Args:
        path: the YAML file.

    Returns:
        The validated experiment, with its scenarios loaded.

    Raises:
        ExperimentError: listing every problem found, as ``path:line:col: message``.
    """
    path = Path(path)
    raw = _read(path)
    diagnostics = Diagnostics(raw, (str(path), 1, 1), root="experiment")
    context = checks.ExperimentContext(raw, path, diagnostics)
    spec: ExperimentSpec | None = None
    partial: ExperimentSpec | None = None
    pruned: set[str] = set()
    try:
        spec = partial = ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        diagnostics.validation(exc, _known_keys())
        partial, pruned = _best_effort_spec(raw, exc)
    checks.scenario_names(context)
    unknown = checks.parameter_names(context) | pruned
    indicators = checks.indicator_names(context)
    outcome = checks.analysis(context, indicators, tuple(str(k) for k in context.block("outcomes")))
    factors: list[Factor] = []
    fixed: dict[str, float] = {}
    found_policies = [NO_POLICY]
    if "uncertainties" in raw and "parameters" in raw:
        diagnostics.at(("uncertainties",), "uncertainties: is a synonym of parameters:; give one of them", key=True)
    if partial is not None and context.scenarios:
        found_policies = check_policies(context, partial)
        check_outcomes(context, partial.outcomes, indicators)
        _check_robustness(context, partial, indicators)
        _check_optimize(context, partial, indicators)
        # With a broken structure, the value checks still run on every part that did validate.
        factors = checks.factors(context, partial, unknown)
        fixed = checks.fixed(context, partial, unknown)
        if "sampler" not in pruned:
            checks.sampler(context, partial, factors if spec is not None else [], len(found_policies))
        if "outputs" not in pruned:
            checks.outputs(context, partial)
    problems = diagnostics.deduplicated()
    if problems or spec is None:
        raise ExperimentError(problems)
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    return Experiment(
        spec=spec,
        path=path,
        id=spec.id or path.stem,
        scenarios=context.scenarios,
        factors=factors,
        indicators=indicators,
        outcome=outcome,
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        fixed=fixed,
        policies=found_policies,
    )


def _check_robustness(context: checks.ExperimentContext, spec: ExperimentSpec, indicators: tuple[str, ...]) -> None:
    """The robustness outcome is an outcome or a recorded indicator, and there are policies to compare."""
    if spec.robustness is None:
        return
    name = spec.robustness.outcome
    known = [*spec.outcomes, *indicators]
    if name not in known:
        message = (
            f"robustness outcome '{name}' is neither an outcome nor a recorded indicator{did_you_mean(name, known)}"
        )
        context.diagnostics.at(("robustness", "outcome"), message, "name")
    if not spec.levers:
        context.diagnostics.at(("robustness",), "robustness compares policies: add levers: (and policies:)", key=True)


def _check_optimize(context: checks.ExperimentContext, spec: ExperimentSpec, indicators: tuple[str, ...]) -> None:
    """The objectives name outcomes or indicators, satisficing has a threshold, and there are levers."""
    if spec.optimize is None:
        return
    known = [*spec.outcomes, *indicators]
    for i, objective in enumerate(spec.optimize.objectives):
        loc = ("optimize", "objectives", i)
        if objective.outcome not in known:
            hint = did_you_mean(objective.outcome, known)
            message = f"objective '{objective.outcome}' is neither an outcome nor a recorded indicator{hint}"
            context.diagnostics.at((*loc, "outcome"), message, "name")
        if objective.metric == "satisficing" and objective.threshold is None:
            context.diagnostics.at((*loc, "metric"), "metric: satisficing needs threshold:", "missing")
    if not spec.levers:
        context.diagnostics.at(("optimize",), "optimize searches over levers: add levers:", key=True)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of experiment files (for editors' completion and checking)."""
    schema = ExperimentSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Trilat experiment"
    return schema


def describe(experiment: Experiment) -> str:
    """A one-paragraph description of the design (for the CLI before a sweep starts)."""
    spec = experiment.spec
    names = ", ".join(experiment.parameter_names)
    policies = f" x {len(experiment.policies)} policies" if experiment.has_policies else ""
    return (
        f"experiment '{experiment.id}': {spec.sampler} over {names}; "
        f"{experiment.samples_per_scenario:,} design point(s) x {len(experiment.scenarios)} scenario(s){policies} "
        f"x {spec.replications:,} replications = {experiment.runs:,} runs (seed {spec.seed})"
    )
