"""The experiment file format: pydantic models, limits, and the outcome of interest.

See ``docs/experiments.md`` for the format; :mod:`sim.research.experiment` loads and checks files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from sim.errors import ScenarioError

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
