"""Running ensembles in memory-bounded chunks and summarizing them.

A chunk is a contiguous block of replication indices run as one :class:`TrilateralModel`.
Because randomness is counter-based, the chunk size never changes any replication's result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine.layout import GOVERNMENTS
from sim.engine.limits import check_ensemble_fits
from sim.engine.model import INDICATORS, TrilateralModel
from sim.engine.scoring import objective_scores
from sim.lang.compiled_scenario import Scenario

DEFAULT_CHUNK = 20_000
PERCENTILES = (5, 50, 95)


@dataclass
class EnsembleResult:
    """Final indicators of an ensemble, in replication order."""

    scenario: Scenario
    seed: int
    replication_ids: np.ndarray
    turns: int
    final: dict[str, np.ndarray]
    scores: dict[str, np.ndarray]

    @property
    def runs(self) -> int:
        """Number of replications."""
        return len(self.replication_ids)

    def summary(self) -> dict[str, dict[str, float]]:
        """Per indicator: mean, p5, p50, p95 over the replications."""
        return {name: summarize(values) for name, values in self.final.items()}


def summarize(values: np.ndarray) -> dict[str, float]:
    """Mean, p5, p50 and p95 of values over replications."""
    p5, p50, p95 = np.percentile(values, PERCENTILES)
    return {"mean": float(np.mean(values)), "p5": float(p5), "p50": float(p50), "p95": float(p95)}


def run_ensemble(
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    turns: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    strategies: Mapping[str, str] | None = None,
    chunk: int = DEFAULT_CHUNK,
    first_replication: int = 0,
    progress: Callable[[int], None] | None = None,
) -> EnsembleResult:
    """Run ``runs`` replications in chunks and collect their final indicators.

    Args:
        scenario: the compiled scenario.
        runs: number of replications.
        seed: the ensemble seed.
        turns: turns to run (default: the scenario's).
        parameters: scalar parameter overrides.
        strategies: per-government strategy overrides.
        chunk: replications per model; does not affect results.
        first_replication: index of the first replication.
        progress: called with the number of runs finished after each chunk's turn.
    """
    check_ensemble_fits(runs, len(INDICATORS) + len(GOVERNMENTS))
    ids = np.arange(first_replication, first_replication + runs, dtype=np.int64)
    finals: dict[str, list[np.ndarray]] = {name: [] for name in INDICATORS}
    scores: dict[str, list[np.ndarray]] = {}
    played_turns = turns or scenario.turns
    for start in range(0, runs, chunk):
        block = ids[start : start + chunk]
        model = TrilateralModel(
            scenario,
            seed=seed,
            replication_ids=block,
            turns=turns,
            strategies=strategies,
            record=False,
            parameters=parameters,
            keep="final",  # only the final state is read: no per-turn snapshots
        )
        while model.running and model.turn < model.turns:
            model.step()
            if progress is not None:
                progress(len(block))
        played_turns = model.turns
        for name, values in model.final().items():
            finals[name].append(values)
        for gov, values in objective_scores(model).items():
            scores.setdefault(gov, []).append(values)
    return EnsembleResult(
        scenario=scenario,
        seed=seed,
        replication_ids=ids,
        turns=played_turns,
        final={name: np.concatenate(parts) for name, parts in finals.items()},
        scores={gov: np.concatenate(parts) for gov, parts in scores.items()},
    )
