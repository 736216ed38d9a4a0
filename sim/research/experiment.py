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
import itertools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator

from sim.errors import Problem, ScenarioError, did_you_mean
from sim.lang.scenario import Scenario, library_ids, load_scenario, resolve_scenario_path
from sim.lang.validation import clean_loc, locate, sort_problems, validation_problems
from sim.lang.yamlio import Mark, problem_at, read_yaml_file

STATISTICS = ("mean", "min", "max", "sd")
DEFAULT_GRID_LEVELS = 5
DEFAULT_MORRIS_LEVELS = 4
MAX_POINTS = 10_000_000
"""The most design points an experiment may have (the design table is held in memory)."""
RESERVED_COLUMNS = ("point_id", "scenario", "replication", "seed", "turn")
"""Result columns that a parameter may not shadow."""

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariedParameter(_Strict):
    """A parameter to vary: a list of ``values``, or a ``range`` with a ``distribution``.

    A bare list (``us_transactionalism: [0, 0.5, 1]``) is shorthand for ``{values: [...]}``; an
    empty mapping varies the parameter uniformly over the range its scenario declares.
    """

    values: list[FiniteFloat] | None = Field(default=None, min_length=1)
    range: tuple[FiniteFloat, FiniteFloat] | None = None
    distribution: Literal["uniform", "normal", "loguniform"] = "uniform"
    mean: FiniteFloat | None = None
    sd: FiniteFloat | None = Field(default=None, gt=0)
    levels: int | None = Field(default=None, ge=2, le=100_000)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, list):
            return {"values": data}
        if data is None:
            return {}
        return data


class Outputs(_Strict):
    """Which indicators to record, and at which turns."""

    indicators: list[str] | None = Field(default=None, min_length=1)
    at: Literal["final", "every", "summary"] | list[Annotated[int, Field(ge=0)]] = "final"
    statistics: list[Literal["mean", "min", "max", "sd"]] = Field(
        default_factory=lambda: ["mean", "min", "max"], min_length=1
    )
    keep_trajectories: StrictBool = False


class Analysis(_Strict):
    """Defaults for ``trilat analyze``: the output to study and the outcome of interest."""

    output: str = "trilateral"
    outcome: str = "trilateral < 0.4"


class ExperimentSpec(_Strict):
    """The experiment file format (see ``docs/experiments.md``)."""

    id: str | None = Field(default=None, max_length=100)
    title: str = ""
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    parameters: dict[str, VariedParameter] = Field(min_length=1)
    fixed: dict[str, FiniteFloat] = Field(default_factory=dict)
    sampler: Literal["grid", "lhs", "sobol", "morris", "montecarlo"]
    samples: int | None = Field(default=None, ge=1, le=MAX_POINTS)
    levels: int | None = Field(default=None, ge=2, le=100_000)
    second_order: StrictBool = False
    replications: int = Field(ge=1, le=10_000_000)
    seed: int = Field(default=1, ge=0, lt=2**63)
    turns: int | None = Field(default=None, ge=1, le=1000)
    outputs: Outputs = Field(default_factory=Outputs)
    analysis: Analysis = Field(default_factory=Analysis)

    @model_validator(mode="before")
    @classmethod
    def _one_scenario(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("scenarios"), str):
            data = dict(data)
            data["scenarios"] = [data["scenarios"]]
        return data


class ExperimentError(ScenarioError):
    """Problems in an experiment file; ``str()`` gives one ``path:line:col: message`` line each."""


# ---------------------------------------------------------------------------------------------
# compiled form


@dataclass(frozen=True)
class Factor:
    """A varied parameter, resolved against its scenarios: how unit coordinates map to values.

    Attributes:
        name: the parameter name.
        distribution: ``values`` (a discrete list), ``uniform``, ``normal`` (truncated to the
            range) or ``loguniform``.
        low: lower end of the range (or the smallest value).
        high: upper end of the range (or the largest value).
        values: the listed values, for ``values``.
        mean: mean of a normal distribution.
        sd: standard deviation of a normal distribution.
        levels: number of grid levels (``grid`` sampler).
    """

    name: str
    distribution: str
    low: float
    high: float
    values: tuple[float, ...] = ()
    mean: float = 0.0
    sd: float = 1.0
    levels: int = DEFAULT_GRID_LEVELS

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map unit coordinates in [0, 1] to parameter values (the inverse CDF).

        Args:
            u: unit coordinates.

        Returns:
            The parameter values, always inside ``[low, high]``.
        """
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        if self.distribution == "values":
            index = np.minimum((u * len(self.values)).astype(np.int64), len(self.values) - 1)
            return np.asarray(self.values, dtype=np.float64)[index]
        if self.distribution == "uniform":
            out = self.low + u * (self.high - self.low)
        elif self.distribution == "loguniform":
            out = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            from scipy.stats import truncnorm

            a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
            out = truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)
        out = np.where(u <= 0.0, self.low, np.where(u >= 1.0, self.high, out))
        return np.clip(out, self.low, self.high)

    def grid_units(self) -> np.ndarray:
        """Unit coordinates of this factor's grid levels (the listed values, or ``levels`` quantiles)."""
        if self.distribution == "values":
            k = len(self.values)
            return (np.arange(k) + 0.5) / k
        return np.linspace(0.0, 1.0, self.levels)


@dataclass(frozen=True)
class Outcome:
    """An outcome of interest for scenario discovery, such as ``trilateral < 0.4``."""

    indicator: str
    op: str
    threshold: float

    def test(self, values: np.ndarray) -> np.ndarray:
        """Where the outcome occurs (a boolean array)."""
        ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
        return ops[self.op](values, self.threshold)

    def __str__(self) -> str:
        return f"{self.indicator} {self.op} {self.threshold:g}"


_OUTCOME = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.:]*)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def parse_outcome(text: str) -> Outcome:
    """Parse ``"trilateral < 0.4"`` (an indicator, ``<``, ``<=``, ``>`` or ``>=``, a number).

    Raises:
        ValueError: when the text does not have that form.
    """
    match = _OUTCOME.match(str(text))
    if not match:
        raise ValueError(f"outcome '{text}' should look like 'trilateral < 0.4' (indicator, <, <=, > or >=, number)")
    return Outcome(match.group(1), match.group(2), float(match.group(3)))


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
        """Design points in all (scenarios x samples)."""
        return self.samples_per_scenario * len(self.scenarios)

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


def design_size(spec: ExperimentSpec, factors: list[Factor]) -> int:
    """Design points per scenario for a spec and its factors."""
    d = len(factors)
    if spec.sampler == "grid":
        return math.prod(len(f.values) if f.distribution == "values" else f.levels for f in factors)
    n = spec.samples or 0
    if spec.sampler == "sobol":
        return n * (2 * d + 2 if spec.second_order else d + 2)
    if spec.sampler == "morris":
        return n * (d + 1)
    return n


def unit_sample(experiment: Experiment) -> np.ndarray:
    """The design in unit coordinates, shape (samples per scenario, varied parameters).

    Each sampler draws in the unit hypercube from the experiment seed; :meth:`Factor.from_unit`
    maps each column to parameter values. ``sobol`` is SALib's Saltelli design, ``morris``
    SALib's trajectories, ``lhs`` scipy's Latin hypercube, ``montecarlo`` independent uniforms.
    """
    return sample_units(experiment.spec, experiment.parameter_names, experiment.factors)


def sample_units(spec: ExperimentSpec, names: list[str], factors: list[Factor] | None = None) -> np.ndarray:
    """The unit-hypercube sample of a spec (``factors`` is needed for ``grid`` only).

    Args:
        spec: the validated experiment spec (sampler, samples, levels, seed).
        names: the varied parameters, in file order.
        factors: the resolved factors (their levels make the grid).

    Returns:
        An array of shape (points per scenario, len(names)) in [0, 1].
    """
    d = len(names)
    n = spec.samples or 0
    seed = spec.seed
    if spec.sampler == "grid":
        if factors is None:
            raise ValueError("a grid needs its factors")
        axes = [f.grid_units() for f in factors]
        return np.array(list(itertools.product(*axes)), dtype=np.float64).reshape(-1, d)
    if spec.sampler == "montecarlo":
        return np.random.default_rng(seed).random((n, d))
    if spec.sampler == "lhs":
        from scipy.stats import qmc

        try:
            engine = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed))
        except TypeError:  # scipy < 1.15 names it seed
            engine = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed))
        return engine.random(n)
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    if spec.sampler == "sobol":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(problem, n, calc_second_order=spec.second_order, seed=seed), dtype=np.float64)
    from SALib.sample import morris

    levels = spec.levels or DEFAULT_MORRIS_LEVELS
    return np.asarray(morris.sample(problem, n, num_levels=levels, seed=seed), dtype=np.float64)


def design_table(experiment: Experiment) -> Any:
    """The design: one row per design point, reproducible from the seed.

    Columns: ``point_id`` (0-based, scenario-major), ``scenario`` (id), ``sample`` (row of the
    parameter sample, shared by every scenario), then one column per varied parameter.

    Returns:
        A pandas DataFrame.
    """
    import pandas as pd

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
    for s_index, scenario in enumerate(experiment.scenarios):
        frame = {
            "point_id": np.arange(s_index * n, (s_index + 1) * n, dtype=np.int64),
            "scenario": [scenario.id] * n,
            "sample": np.arange(n, dtype=np.int64),
        }
        frame.update(values)
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# loading and validation


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for model in (ExperimentSpec, VariedParameter, Outputs, Analysis):
        keys.update(model.model_fields)
    return keys


def _validation_problems(exc: ValidationError, tree: Any, fallback: Mark) -> list[Problem]:
    return validation_problems(exc, tree, fallback, _known_keys(), root="experiment")


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


class _Checker:
    """The semantic checks of an experiment file, collecting located problems."""

    def __init__(self, raw: Any, path: Path) -> None:
        self.raw = raw
        self.path = path
        self.fallback: Mark = (str(path), 1, 1)
        self.problems: list[Problem] = []
        self.scenarios: list[Scenario] = []

    def mark(self, *loc: Any, key: bool = False) -> Mark:
        return locate(self.raw, loc, self.fallback, want_key=key)

    def add(self, mark: Mark, message: str, code: str = "invalid") -> None:
        self.problems.append(problem_at(mark, message, code))

    # --- checks on the raw tree: they run even when the structure did not validate

    def scenario_names(self) -> None:
        raw = self.raw.get("scenarios")
        items = [(raw, ("scenarios",))] if isinstance(raw, str) else []
        if isinstance(raw, list):
            items = [(name, ("scenarios", i)) for i, name in enumerate(raw) if isinstance(name, str)]
        seen: dict[str, int] = {}
        for name, loc in items:
            mark = self.mark(*loc)
            try:
                target = resolve_scenario_path(name, relative_to=self.path.parent)
                if not target.is_file():
                    raise ScenarioError.single(name, 1, 1, "no such file", "missing-file")
            except ScenarioError:
                hint = did_you_mean(name, library_ids())
                self.add(mark, f"scenario '{name}' is neither a library scenario nor a file{hint}", "name")
                continue
            try:
                scenario = load_scenario(target)
            except ScenarioError as exc:
                self.add(mark, f"scenario '{name}' has {len(exc.problems)} problem(s), listed below", "scenario")
                self.problems.extend(exc.problems)
                continue
            if scenario.spec.abstract:
                self.add(mark, f"scenario '{name}' is abstract (shared defaults); sweep a scenario that extends it")
                continue
            if scenario.id in seen:
                self.add(mark, f"scenario '{scenario.id}' is listed twice (first at line {seen[scenario.id]})")
                continue
            seen[scenario.id] = mark[1]
            self.scenarios.append(scenario)

    def _parameter_problem(self, name: str, loc: tuple[Any, ...]) -> bool:
        """Report a name unknown to some scenario (at the key); True if it was unknown."""
        if name in RESERVED_COLUMNS:
            self.add(self.mark(*loc, key=True), f"parameter '{name}' has the name of a result column", "name")
            return True
        for scenario in self.scenarios:
            if name not in scenario.parameter_defaults:
                hint = did_you_mean(name, scenario.parameter_defaults)
                self.add(
                    self.mark(*loc, key=True), f"unknown parameter '{name}' for scenario '{scenario.id}'{hint}", "name"
                )
                return True
        return False

    def parameter_names(self) -> set[str]:
        unknown: set[str] = set()
        for section in ("parameters", "fixed"):
            block = self.raw.get(section)
            if not isinstance(block, dict):
                continue
            for name in block:
                if isinstance(name, str) and self._parameter_problem(name, (section, name)):
                    unknown.add(name)
        varied, fixed = self.raw.get("parameters"), self.raw.get("fixed")
        if isinstance(varied, dict) and isinstance(fixed, dict):
            for name in fixed:
                if name in varied:
                    self.add(self.mark("fixed", name, key=True), f"parameter '{name}' is both varied and fixed")
        return unknown

    def indicator_names(self) -> tuple[str, ...]:
        """Check the recorded indicators; return them (the model's INDICATORS by default)."""
        from sim.engine.model import INDICATORS

        outputs = self.raw.get("outputs")
        chosen = outputs.get("indicators") if isinstance(outputs, dict) else None
        if not isinstance(chosen, list):
            return INDICATORS
        names: list[str] = []
        for i, name in enumerate(chosen):
            if not isinstance(name, str):
                continue
            mark = self.mark("outputs", "indicators", i)
            if name in names:
                self.add(mark, f"indicator '{name}' is listed twice")
                continue
            for scenario in self.scenarios:
                rows = scenario.layout.rows
                if name not in rows:
                    self.add(mark, f"unknown indicator '{name}'{did_you_mean(name, [*INDICATORS, *rows])}", "name")
                    break
            else:
                names.append(name)
        return tuple(names)

    def analysis(self, indicators: tuple[str, ...]) -> Outcome:
        analysis = self.raw.get("analysis") if isinstance(self.raw.get("analysis"), dict) else {}
        outputs = self.raw.get("outputs") if isinstance(self.raw.get("outputs"), dict) else {}
        if outputs.get("at") == "summary":
            statistics = outputs.get("statistics", ["mean", "min", "max"])
            if isinstance(statistics, list):
                indicators = (*indicators, *(f"{i}:{s}" for i in indicators for s in statistics if isinstance(s, str)))
        output = analysis.get("output", "trilateral")
        if isinstance(output, str) and output not in indicators:
            self.add(
                self.mark("analysis", "output"),
                f"analysis.output '{output}' is not a recorded indicator{did_you_mean(output, indicators)}",
                "name",
            )
        text = analysis.get("outcome", "trilateral < 0.4")
        try:
            outcome = parse_outcome(text)
        except ValueError as exc:
            self.add(self.mark("analysis", "outcome"), str(exc), "outcome")
            return Outcome("trilateral", "<", 0.4)
        if outcome.indicator not in indicators:
            self.add(
                self.mark("analysis", "outcome"),
                f"outcome uses '{outcome.indicator}', which is not a recorded indicator"
                f"{did_you_mean(outcome.indicator, indicators)}",
                "name",
            )
        return outcome

    # --- checks on the validated spec

    def _declared(self, name: str) -> tuple[float, float] | None:
        """The intersection of the ranges the scenarios declare for ``name`` (None: unbounded)."""
        low, high, bounded = -math.inf, math.inf, False
        for scenario in self.scenarios:
            declared = scenario.parameter(name).range
            if declared is not None:
                bounded = True
                low, high = max(low, declared[0]), min(high, declared[1])
        return (low, high) if bounded else None

    def factors(self, spec: ExperimentSpec, unknown: set[str]) -> list[Factor]:
        factors = []
        grid = spec.sampler == "grid"
        for name, p in spec.parameters.items():
            if name in unknown:
                continue
            loc = ("parameters", name)
            if name not in self.raw.get("parameters", {}):
                continue
            raw_entry = self.raw["parameters"][name]
            given = set(raw_entry) if isinstance(raw_entry, dict) else set()
            if isinstance(raw_entry, list):
                given = {"values"}
            declared = self._declared(name)
            shown = f"[{declared[0]:g}, {declared[1]:g}]" if declared else ""
            if p.levels is not None and not grid:
                self.add(self.mark(*loc, "levels", key=True), "levels applies to the grid sampler only")
            if p.values is not None:
                for extra in ("range", "distribution", "mean", "sd", "levels"):
                    if extra in given:
                        self.add(
                            self.mark(*loc, extra, key=True), f"parameter '{name}' lists values: {extra} does not apply"
                        )
                for i, value in enumerate(p.values):
                    if declared and not declared[0] <= value <= declared[1]:
                        self.add(
                            self.mark(*loc, "values", i) if isinstance(raw_entry, dict) else self.mark(*loc, i),
                            f"value {value:g} of '{name}' is outside its declared range {shown}",
                            "range",
                        )
                values = tuple(float(v) for v in p.values)
                factors.append(Factor(name, "values", min(values), max(values), values=values))
                continue
            if p.range is None and declared is None:
                self.add(
                    self.mark(*loc, key=True),
                    f"parameter '{name}' needs values: or range: (its scenario declares no range)",
                    "missing",
                )
                continue
            low, high = p.range if p.range is not None else declared  # type: ignore[misc]
            range_mark = self.mark(*loc, "range") if p.range is not None else self.mark(*loc, key=True)
            if not low < high:
                self.add(range_mark, f"range of '{name}' must have low < high, got [{low:g}, {high:g}]", "range")
                continue
            if declared and (low < declared[0] or high > declared[1]):
                self.add(
                    range_mark,
                    f"range [{low:g}, {high:g}] of '{name}' is outside its declared range {shown}",
                    "range",
                )
            if p.distribution == "loguniform" and low <= 0:
                self.add(range_mark, f"a loguniform range must be positive, got [{low:g}, {high:g}]", "range")
                continue
            if p.distribution == "normal":
                missing = [needed for needed in ("mean", "sd") if getattr(p, needed) is None]
                if missing:
                    wanted = " and ".join(f"{m}:" for m in missing)
                    self.add(self.mark(*loc, key=True), f"normal distribution of '{name}' needs {wanted}", "missing")
                if p.mean is None or p.sd is None:
                    continue
            else:
                for extra in ("mean", "sd"):
                    if extra in given:
                        self.add(self.mark(*loc, extra, key=True), f"{extra} applies to distribution: normal only")
            factors.append(
                Factor(
                    name,
                    p.distribution,
                    float(low),
                    float(high),
                    mean=float(p.mean or 0.0),
                    sd=float(p.sd or 1.0),
                    levels=p.levels or spec.levels or DEFAULT_GRID_LEVELS,
                )
            )
        return factors

    def fixed(self, spec: ExperimentSpec, unknown: set[str]) -> dict[str, float]:
        out = {}
        for name, value in spec.fixed.items():
            if name in unknown:
                continue
            declared = self._declared(name)
            if declared and not declared[0] <= value <= declared[1]:
                self.add(
                    self.mark("fixed", name),
                    f"fixed value {value:g} of '{name}' is outside its declared range "
                    f"[{declared[0]:g}, {declared[1]:g}]",
                    "range",
                )
            out[name] = float(value)
        return out

    def sampler(self, spec: ExperimentSpec, factors: list[Factor]) -> None:
        given = set(self.raw)
        if spec.sampler == "grid":
            if "samples" in given:
                self.add(
                    self.mark("samples", key=True),
                    "the grid sampler takes no samples: its size is the product of the levels",
                )
        elif spec.samples is None:
            self.add(self.mark("sampler"), f"the {spec.sampler} sampler needs samples: (a number of points)", "missing")
        if spec.sampler == "sobol" and spec.samples is not None and not _is_power_of_two(spec.samples):
            lower = 1 << (spec.samples.bit_length() - 1)
            self.add(
                self.mark("samples"),
                f"sobol samples must be a power of 2 (Saltelli design), got {spec.samples}; try {lower} or {lower * 2}",
            )
        if "second_order" in given and spec.sampler != "sobol":
            self.add(self.mark("second_order", key=True), "second_order applies to the sobol sampler only")
        if "levels" in given and spec.sampler not in ("grid", "morris"):
            self.add(self.mark("levels", key=True), "levels applies to the grid and morris samplers only")
        if spec.sampler == "morris" and spec.levels is not None and spec.levels % 2:
            self.add(self.mark("levels"), f"morris levels should be even (e.g. 4 or 6), got {spec.levels}")
        if len(factors) == len(spec.parameters) and factors:
            size = design_size(spec, factors) * max(1, len(self.scenarios))
            if size > MAX_POINTS:
                self.add(self.mark("sampler"), f"the design has {size:,} points; at most {MAX_POINTS:,} are allowed")

    def outputs(self, spec: ExperimentSpec) -> None:
        outputs = spec.outputs
        raw = self.raw.get("outputs") if isinstance(self.raw.get("outputs"), dict) else {}
        if "statistics" in raw and outputs.at != "summary":
            self.add(self.mark("outputs", "statistics", key=True), "statistics applies to at: summary only")
        if len(set(outputs.statistics)) != len(outputs.statistics):
            self.add(self.mark("outputs", "statistics"), "a statistic is listed twice")
        if outputs.keep_trajectories and outputs.at == "every":
            self.add(
                self.mark("outputs", "keep_trajectories", key=True),
                "at: every already keeps every turn; drop keep_trajectories",
            )
        if isinstance(outputs.at, list):
            if not outputs.at:
                self.add(self.mark("outputs", "at"), "at: needs at least one turn")
            for i, turn in enumerate(outputs.at):
                for scenario in self.scenarios:
                    last = spec.turns or scenario.turns
                    if turn > last:
                        self.add(
                            self.mark("outputs", "at", i),
                            f"turn {turn} is after the last turn ({last}) of scenario '{scenario.id}'",
                            "range",
                        )
                        break


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_PLACEHOLDERS: dict[str, Any] = {"scenarios": ["-"], "sampler": "grid", "replications": 1}


def _best_effort_spec(raw: dict) -> tuple[ExperimentSpec | None, set[str]]:
    """A spec from the parts of a broken file that validate, and the names of the parts dropped.

    Entries that fail (a parameter, a fixed value, an output option, a top-level key) are
    dropped or replaced by a placeholder, so the value checks can still run on the rest.
    """
    data = _plain(raw)
    dropped: set[str] = set()
    for _ in range(8):
        try:
            return ExperimentSpec.model_validate(data), dropped
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = clean_loc(data, tuple(error["loc"]))
                if not loc:
                    return None, dropped
                head = loc[0]
                block = data.get(head)
                if len(loc) >= 2 and head in ("parameters", "fixed", "outputs", "analysis") and isinstance(block, dict):
                    block.pop(loc[1], None)
                    dropped.add(str(loc[1]) if head in ("parameters", "fixed") else head)
                elif head == "parameters":
                    return None, dropped
                elif head in _PLACEHOLDERS:
                    data[head] = _PLACEHOLDERS[head]
                    dropped.add(str(head))
                else:
                    data.pop(head, None)
                    dropped.add(str(head))
    return None, dropped


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    seen: dict[tuple[str, int, int, str], Problem] = {}
    for p in problems:
        seen.setdefault((p.path, p.line, p.col, p.message), p)
    return list(seen.values())


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
    try:
        raw = read_yaml_file(path)
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from None
    shown = str(path)
    if not isinstance(raw, dict):
        raise ExperimentError([Problem(shown, 1, 1, "an experiment file must be a YAML mapping", "type")])
    checker = _Checker(raw, path)
    problems: list[Problem] = []
    spec: ExperimentSpec | None = None
    partial: ExperimentSpec | None = None
    pruned: set[str] = set()
    try:
        spec = partial = ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        problems += _validation_problems(exc, raw, checker.fallback)
        partial, pruned = _best_effort_spec(raw)
    checker.scenario_names()
    unknown = checker.parameter_names() | pruned
    indicators = checker.indicator_names()
    outcome = checker.analysis(indicators)
    factors: list[Factor] = []
    fixed: dict[str, float] = {}
    if partial is not None and checker.scenarios:
        # With a broken structure, the value checks still run on every part that did validate.
        factors = checker.factors(partial, unknown)
        fixed = checker.fixed(partial, unknown)
        if "sampler" not in pruned:
            checker.sampler(partial, factors if spec is not None else [])
        if "outputs" not in pruned:
            checker.outputs(partial)
    problems = _dedupe([*problems, *checker.problems])
    if problems or spec is None:
        raise ExperimentError(sort_problems(problems))
    file_bytes = path.read_bytes()
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    return Experiment(
        spec=spec,
        path=path,
        id=spec.id or path.stem,
        scenarios=checker.scenarios,
        factors=factors,
        indicators=indicators,
        outcome=outcome,
        file_sha256=hashlib.sha256(file_bytes).hexdigest(),
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        fixed=fixed,
    )


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
    return (
        f"experiment '{experiment.id}': {spec.sampler} over {names}; "
        f"{experiment.samples_per_scenario:,} design point(s) x {len(experiment.scenarios)} scenario(s) "
        f"x {spec.replications:,} replications = {experiment.runs:,} runs (seed {spec.seed})"
    )
