"""The experiment file format: pydantic models, limits, and the outcome of interest.

See ``docs/experiments.md`` for the format; :mod:`sim.research.experiment` loads and checks files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    model_serializer,
    model_validator,
)

from sim.errors import ScenarioError

STATISTICS = ("mean", "min", "max", "sd")
DEFAULT_GRID_LEVELS = 5
DEFAULT_MORRIS_LEVELS = 4
MAX_POINTS = 10_000_000
"""The most design points an experiment may have (the design table is held in memory)."""
MAX_RUNS = 10_000_000_000
"""The most runs (design points x replications) a sweep may have: about a CPU-year at 300 runs/s."""
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


Statistic = Literal["mean", "min", "max", "sd"]


def _default_statistics() -> list[Statistic]:
    return ["mean", "min", "max"]


class Outputs(_Strict):
    """Which indicators to record, and at which turns."""

    indicators: list[str] | None = Field(default=None, min_length=1)
    at: Literal["final", "every", "summary"] | list[Annotated[int, Field(ge=0)]] = "final"
    statistics: list[Statistic] = Field(default_factory=_default_statistics, min_length=1)
    keep_trajectories: StrictBool = False


class Analysis(_Strict):
    """Defaults for ``trilat analyze``: the output to study and the outcome of interest."""

    output: str = "trilateral"
    outcome: str = "trilateral < 0.4"


CardId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]
LeverValue = (
    Annotated[float, Field(allow_inf_nan=False)]
    | Annotated[str, Field(max_length=64)]
    | Annotated[list[CardId], Field(max_length=200)]
)
Name = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]
Government = Literal["USA", "ROK", "JPN"]


class Lever(_Strict):
    """What a government chooses: a scenario parameter, its computer strategy, card bans or scripted moves.

    ``parameter:`` names the scenario parameter the lever sets (default: the lever's own name);
    ``strategy:`` names the government whose strategy it sets (a categorical lever whose values
    are strategy names, ``default`` meaning the scenario's own choice); ``ban:`` names the
    government whose cards it bans (each value a list of card ids, ``[]`` for none); ``script:``
    names the government whose moves it scripts, with ``moves:`` naming each set of scripted
    moves (quarter -> cards) and ``values:`` the sets the lever takes (default: all of them).
    """

    name: Name
    parameter: str | None = None
    strategy: Government | None = None
    ban: Government | None = None
    script: Government | None = None
    moves: dict[Name, dict[str, list[CardId]]] | None = Field(default=None, max_length=1000)
    values: list[LeverValue] = Field(min_length=1, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _moves_are_values(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("moves"), dict) and "values" not in data:
            data = {**data, "values": list(data["moves"])}
        return data

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A parameter or strategy lever dumps as before card levers existed (the experiment's
        # content hash, hence resume and extend of older sweeps, does not change).
        data = handler(self)
        return {k: v for k, v in data.items() if k not in ("ban", "script", "moves") or v is not None}

    @property
    def kind(self) -> str:
        """``parameter``, ``strategy``, ``ban`` or ``script``."""
        for kind in ("strategy", "ban", "script"):
            if getattr(self, kind) is not None:
                return kind
        return "parameter"


OutcomeStatistic = Literal["mean", "sd", "median", "min", "max", "quantile", "probability"]


class OutcomeSpec(_Strict):
    """A per-design-point statistic of a per-run value (see :mod:`sim.research.outcomes`).

    Exactly one of ``of`` (an expression of state variables, at the last turn, or its change
    from the start with ``change: true``), ``event`` (a condition, at the last turn or ``over``
    ``any``/``all`` turns), ``first_turn`` (a condition: the first turn it holds, turns + 1 if
    never) or ``score`` (a government's objective score at the end).
    """

    of: str | None = Field(default=None, max_length=2000)
    event: str | None = Field(default=None, max_length=2000)
    first_turn: str | None = Field(default=None, max_length=2000)
    score: Literal["USA", "ROK", "JPN"] | None = None
    over: Literal["final", "any", "all"] = "final"
    change: StrictBool = False
    statistic: OutcomeStatistic | None = None
    q: float | None = Field(default=None, ge=0.0, le=1.0)


class Robustness(_Strict):
    """Robustness of each policy over the uncertainty ensemble: which outcome, which way, what suffices."""

    outcome: str
    direction: Literal["maximize", "minimize"] = "maximize"
    threshold: FiniteFloat | None = None


class Objective(_Strict):
    """One objective of ``trilat optimize``: a robustness metric of an outcome over the uncertainty sample."""

    outcome: str
    metric: Literal["mean", "p5", "p50", "p95", "satisficing"] = "mean"
    direction: Literal["maximize", "minimize"] = "minimize"
    threshold: FiniteFloat | None = None


class Optimize(_Strict):
    """Many-objective search over the levers (``trilat optimize``, NSGA-II from pymoo)."""

    objectives: list[Objective] = Field(min_length=1, max_length=10)
    population: int = Field(default=12, ge=2, le=1000)
    generations: int = Field(default=5, ge=1, le=1000)


class ExperimentSpec(_Strict):
    """The experiment file format (see ``docs/experiments.md``).

    ``uncertainties:`` (what the world does) is accepted as a synonym of ``parameters:``.
    """

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
    levers: list[Lever] = Field(default_factory=list, max_length=50)
    policies: dict[Name, dict[str, LeverValue]] | None = Field(default=None, max_length=10_000)
    common_random_numbers: StrictBool = True
    outcomes: dict[Name, OutcomeSpec] = Field(default_factory=dict, max_length=100)
    robustness: Robustness | None = None
    optimize: Optimize | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_scenario(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("scenarios"), str):
            data = dict(data)
            data["scenarios"] = [data["scenarios"]]
        if isinstance(data, dict) and "uncertainties" in data and "parameters" not in data:
            data = dict(data)
            data["parameters"] = data.pop("uncertainties")
        return data


class ExperimentError(ScenarioError):
    """Problems in an experiment file; ``str()`` gives one ``path:line:col: message`` line each."""


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
