"""Outcomes as statistics: a per-run value recorded by the sweep, and its statistic per design point.

Each outcome of an experiment's ``outcomes:`` block has a per-run value, computed in the worker
while the run plays (so ``any``/``all`` over turns, the change from the start and the first turn
a condition holds need no stored trajectory) and stored in the results as column
``outcome:NAME``; and a statistic over each design point's runs (mean, sd, median, min, max, a
quantile, or the probability of an event = the mean of its 0/1 run values), computed by
``trilat analyze``. Conditions and values are expressions of state variables compiled by the
scenario language's safe compiler (:mod:`sim.lang.expr`), never ``eval``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.lang.expr import ExprError, Expression, Symbols, compile_expression
from sim.research.experiment_spec import OutcomeSpec

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.research.experiment_checks import ExperimentContext

PREFIX = "outcome:"
"""Results column of an outcome's per-run value: ``outcome:NAME``."""
KINDS = ("of", "event", "first_turn", "score")


@dataclass(frozen=True)
class RunOutcome:
    """What a worker needs to compute one outcome's per-run value (small and picklable)."""

    name: str
    kind: str
    text: str
    over: str = "final"
    change: bool = False


def kind_of(spec: OutcomeSpec) -> str:
    """Which of ``of``, ``event``, ``first_turn``, ``score`` the outcome sets (the first one)."""
    return next((k for k in KINDS if getattr(spec, k) is not None), "of")


def statistic_of(spec: OutcomeSpec) -> str:
    """The outcome's statistic: as written, else ``probability`` for an event and ``mean`` otherwise."""
    if spec.statistic is not None:
        return spec.statistic
    return "probability" if kind_of(spec) == "event" else "mean"


def run_outcomes(outcomes: Mapping[str, OutcomeSpec]) -> tuple[RunOutcome, ...]:
    """The per-run parts of an experiment's outcomes, in file order."""
    found = []
    for name, spec in outcomes.items():
        kind = kind_of(spec)
        found.append(RunOutcome(name, kind, str(getattr(spec, kind)), spec.over, spec.change))
    return tuple(found)


def _symbols(rows: Mapping[str, int]) -> Symbols:
    return Symbols(state=rows, params={}, context={})


def compile_outcome(outcome: RunOutcome, rows: Mapping[str, int]) -> Expression | None:
    """The outcome's compiled expression (None for a score).

    Raises:
        ExprError: for a bad expression, or one that draws random numbers.
    """
    if outcome.kind == "score":
        return None
    expression = compile_expression(outcome.text, _symbols(rows), f"outcome:{outcome.name}")
    if expression.random:
        raise ExprError("an outcome may not draw random numbers (uniform, normal)")
    return expression


class OutcomeTracker:
    """Per-run values of a sweep's outcomes, updated turn by turn while a block of runs plays."""

    def __init__(self, outcomes: tuple[RunOutcome, ...], model: TrilateralModel) -> None:
        rows = model.scenario.layout.rows
        self.outcomes = outcomes
        self.compiled = [compile_outcome(o, rows) for o in outcomes]
        n = model.replications
        self.values: list[np.ndarray] = []
        self.start: list[np.ndarray | None] = []
        for outcome, expression in zip(outcomes, self.compiled, strict=True):
            if outcome.kind == "event" and outcome.over in ("any", "all"):
                self.values.append(np.full(n, 0.0 if outcome.over == "any" else 1.0))
            elif outcome.kind == "first_turn":
                self.values.append(np.full(n, float(model.turns + 1)))
            else:
                self.values.append(np.zeros(n))
            start = self._eval(expression, model) if outcome.change and expression is not None else None
            self.start.append(start)

    @staticmethod
    def _eval(expression: Expression | None, model: TrilateralModel) -> np.ndarray:
        assert expression is not None
        value = expression(model.x, [], [], None)
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (model.replications,)).copy()

    def step(self, model: TrilateralModel) -> None:
        """Update the values that look at every turn (``any``, ``all``, ``first_turn``) after a turn."""
        for i, (outcome, expression) in enumerate(zip(self.outcomes, self.compiled, strict=True)):
            if outcome.kind == "first_turn":
                holds = self._eval(expression, model) != 0
                never = self.values[i] > model.turns
                self.values[i][holds & never] = float(model.turn)
            elif outcome.kind == "event" and outcome.over == "any":
                np.maximum(self.values[i], self._eval(expression, model) != 0, out=self.values[i])
            elif outcome.kind == "event" and outcome.over == "all":
                np.minimum(self.values[i], self._eval(expression, model) != 0, out=self.values[i])

    def finish(self, model: TrilateralModel) -> np.ndarray:
        """Every outcome's per-run value at the end, shape (outcomes, runs)."""
        scores: dict[str, np.ndarray] | None = None
        for i, (outcome, expression) in enumerate(zip(self.outcomes, self.compiled, strict=True)):
            if outcome.kind == "score":
                if scores is None:
                    from sim.engine.scoring import objective_scores

                    scores = objective_scores(model)
                self.values[i] = np.asarray(scores[outcome.text], dtype=np.float64).copy()
            elif outcome.kind == "event" and outcome.over == "final":
                self.values[i] = (self._eval(expression, model) != 0).astype(np.float64)
            elif outcome.kind == "of":
                value = self._eval(expression, model)
                start = self.start[i]
                self.values[i] = value - start if start is not None else value
        if not self.values:
            return np.zeros((0, model.replications))
        return np.stack(self.values)


def point_statistic(values: np.ndarray, statistic: str, q: float | None = None, axis: int = -1) -> Any:
    """The statistic of per-run values along ``axis`` (``probability``: share of nonzero values)."""
    if statistic in ("mean", "probability"):
        return (values != 0).mean(axis=axis) if statistic == "probability" else values.mean(axis=axis)
    if statistic == "sd":
        return values.std(axis=axis)
    if statistic == "median":
        return np.median(values, axis=axis)
    if statistic == "min":
        return values.min(axis=axis)
    if statistic == "max":
        return values.max(axis=axis)
    return np.quantile(values, 0.5 if q is None else q, axis=axis)


# --------------------------------------------------------------------------------- checks


def check_outcomes(
    context: ExperimentContext, outcomes: Mapping[str, OutcomeSpec], indicators: tuple[str, ...]
) -> None:
    """Each outcome sets one kind, its options apply, and its expressions compile in every scenario."""
    diagnostics = context.diagnostics
    for name, spec in outcomes.items():
        loc = ("outcomes", name)
        given = [k for k in KINDS if getattr(spec, k) is not None]
        if len(given) != 1:
            message = f"outcome '{name}' needs exactly one of of:, event:, first_turn:, score:"
            diagnostics.at(loc, message + (f" (got {', '.join(given)})" if given else ""), "missing", key=True)
            continue
        kind = given[0]
        raw = context.block("outcomes").get(name)
        written = set(raw) if isinstance(raw, dict) else set()
        if "over" in written and kind != "event":
            diagnostics.at((*loc, "over"), "over applies to event: only", key=True)
        if "change" in written and kind != "of":
            diagnostics.at((*loc, "change"), "change applies to of: only", key=True)
        statistic = statistic_of(spec)
        if statistic == "quantile" and spec.q is None:
            diagnostics.at((*loc, "statistic"), "statistic: quantile needs q: (e.g. 0.1)", "missing")
        if spec.q is not None and statistic != "quantile":
            diagnostics.at((*loc, "q"), "q applies to statistic: quantile only", key=True)
        if name in indicators:
            diagnostics.at(loc, f"outcome '{name}' has the name of a recorded indicator", "name", key=True)
        if kind == "score":
            continue
        outcome = RunOutcome(name, kind, str(getattr(spec, kind)), spec.over, spec.change)
        for scenario in context.scenarios:
            try:
                compile_outcome(outcome, scenario.layout.rows)
            except ExprError as exc:
                diagnostics.expression_error((*loc, kind), exc)
                break
