"""Running a block of replications to the end and keeping the values a sweep records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.engine.model import TrilateralModel
from sim.lang.scenario import Scenario
from sim.research.outcomes import OutcomeTracker, RunOutcome


@dataclass
class Recorded:
    """The values a sweep keeps for a block of runs (``simulate``'s result)."""

    model: TrilateralModel
    final: np.ndarray
    """Indicators at the last turn, shape (indicators, runs)."""
    turns: dict[int, np.ndarray] = field(default_factory=dict)
    """Indicators at each recorded turn, shape (indicators, runs)."""
    statistics: dict[str, np.ndarray] = field(default_factory=dict)
    """Statistic over turns 1..T (``mean``, ``min``, ``max``, ``sd``), shape (indicators, runs)."""
    outcomes: np.ndarray | None = None
    """Each outcome's per-run value (:mod:`sim.research.outcomes`), shape (outcomes, runs)."""


class _RunningStatistics:
    """Mean, standard deviation (Welford's update), minimum and maximum over turns, per value."""

    def __init__(self, first: np.ndarray) -> None:
        self.count = 1
        self.mean = first.copy()
        self.m2 = np.zeros_like(first)
        self.low = first.copy()
        self.high = first.copy()

    def add(self, values: np.ndarray) -> None:
        self.count += 1
        delta = values - self.mean
        self.mean += delta / self.count
        self.m2 += delta * (values - self.mean)
        np.minimum(self.low, values, out=self.low)
        np.maximum(self.high, values, out=self.high)

    def computed(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean, "min": self.low, "max": self.high, "sd": np.sqrt(self.m2 / self.count)}


def simulate(
    scenario: Scenario,
    *,
    seed: int,
    replication_ids: np.ndarray,
    turns: int,
    parameters: Mapping[str, Any],
    indicators: Iterable[str],
    record_turns: Iterable[int] = (),
    statistics: Iterable[str] = (),
    record: bool = False,
    strategies: Mapping[str, str] | None = None,
    outcomes: tuple[RunOutcome, ...] = (),
    bans: Mapping[str, Sequence[str]] | None = None,
    script: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    engine: str = "auto",
) -> Recorded:
    """Run a block of replications to the end and keep the indicators a sweep records.

    Args:
        scenario: the compiled scenario.
        seed: the experiment seed.
        replication_ids: the global run ids (the counter-based RNG's replication indices).
        turns: turns to play.
        parameters: parameter values, scalars or arrays with one value per run.
        indicators: state variables to keep.
        record_turns: turns (0 = the start) whose values to keep.
        statistics: statistics over turns 1..T to compute (``mean``, ``min``, ``max``, ``sd``).
        record: keep the model's cause-and-effect record and every turn's indicators in
            ``model.history`` (for the narrative; no effect on values). Without it the model keeps
            no per-turn snapshots (``keep="final"``): the turns a sweep records are kept here.
        strategies: governments' strategies that replace the scenario's (a policy's levers).
        outcomes: the experiment's per-run outcome values to compute.
        bans: cards each government never plays (a policy's ban levers; the model's ``bans=``).
        script: scripted moves, government -> quarter -> cards (a policy's script levers).
        engine: the model's engine (``auto``, ``numpy`` or ``compiled``: the same results).

    Returns:
        The model run to the end and the recorded values.
    """
    model = TrilateralModel(
        scenario,
        seed=seed,
        keep="all" if record else "final",  # a narrative reads every turn; a sweep records its own
        replication_ids=replication_ids,
        turns=turns,
        record=record,
        parameters=dict(parameters),
        strategies=dict(strategies) if strategies else None,
        bans={gov: list(cards) for gov, cards in bans.items()} if bans else None,
        script={gov: {q: list(c) for q, c in moves.items()} for gov, moves in script.items()} if script else None,
        engine=engine,
    )
    tracker = OutcomeTracker(outcomes, model) if outcomes else None
    rows = [scenario.layout.rows[name] for name in indicators]
    wanted = set(record_turns)
    stats = tuple(statistics)
    kept: dict[int, np.ndarray] = {}
    if 0 in wanted:
        kept[0] = model.x[rows]
    running: _RunningStatistics | None = None
    while model.turn < model.turns:
        model.step()
        if tracker is not None:
            tracker.step(model)
        if not stats and model.turn not in wanted:
            continue  # nothing kept this turn: no copy of the indicator rows
        values = model.x[rows]
        if model.turn in wanted:
            kept[model.turn] = values
        if stats:
            if running is None:
                running = _RunningStatistics(values)
            else:
                running.add(values)
    out = Recorded(model=model, final=model.x[rows], turns=kept)
    if tracker is not None:
        out.outcomes = tracker.finish(model)
    if running is not None:
        computed = running.computed()
        out.statistics = {name: computed[name] for name in stats}
    return out
