"""Scenario signatures: the claims a scenario makes about how it differs from another one.

Each claim compares the mean of one indicator at the final turn with the same indicator in the
comparison scenario (the baseline unless ``than:`` says otherwise) after the same number of
turns, both run as ensembles with the same seed and number of worlds: ``lower`` or ``higher``, by at least ``margin``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.model import TrilateralModel
from sim.lang.scenario import Scenario, load_scenario, resolve_scenario_path

SIGNATURE_RUNS = 2000
SIGNATURE_SEED = 20250120


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of checking one claim."""

    claim: str
    indicator: str
    compare: str
    than: str
    margin: float
    value: float
    reference: float
    holds: bool

    def __str__(self) -> str:
        verdict = "holds" if self.holds else "FAILS"
        sign = "<" if self.compare == "lower" else ">"
        return (
            f"{verdict}: {self.claim} [{self.indicator}: {self.value:.3f} {sign} {self.reference:.3f}"
            f" ({self.than}) by >= {self.margin:g}]"
        )


class EnsembleMeans:
    """Final-turn means of every state variable per (scenario content, runs, seed, turns), computed once.

    Checking a library's signatures compares many scenarios with the same baseline: share one
    instance across the checks so each ensemble runs only once.
    """

    def __init__(self) -> None:
        self._means: dict[tuple[str, int, int, int], dict[str, float]] = {}

    def __call__(self, scenario: Scenario, runs: int, seed: int, turns: int | None = None) -> dict[str, float]:
        """Mean of every state variable after ``turns`` (default: the scenario's) of an ensemble."""
        turns = turns or scenario.turns
        key = (scenario.content_hash, runs, seed, turns)
        if key not in self._means:
            model = TrilateralModel(scenario, seed=seed, replications=runs, turns=turns, record=False).run()
            self._means[key] = {name: float(np.mean(model.x[row])) for name, row in scenario.layout.rows.items()}
        return dict(self._means[key])


def final_means(scenario: Scenario, runs: int, seed: int, turns: int | None = None) -> dict[str, float]:
    """Mean of every state variable after ``turns`` (default: the scenario's) of an ensemble (not cached)."""
    return EnsembleMeans()(scenario, runs, seed, turns)


def check_signature(
    scenario: Scenario,
    runs: int = SIGNATURE_RUNS,
    seed: int = SIGNATURE_SEED,
    means: EnsembleMeans | None = None,
) -> list[ClaimResult]:
    """Check each claim of ``scenario``'s signature; return one result per claim.

    ``means`` shares computed ensembles between checks (e.g. the baseline of a whole library).
    """
    if not scenario.spec.signature:
        return []
    means = means or EnsembleMeans()
    own = means(scenario, runs, seed)
    references: dict[str, dict[str, float]] = {}
    results = []
    for claim in scenario.spec.signature:
        if claim.than not in references:
            other = load_scenario(resolve_scenario_path(claim.than, relative_to=scenario.path.parent))
            # The comparison runs for as many turns as this scenario (the same quarter when both start together).
            references[claim.than] = means(other, runs, seed, turns=scenario.turns)
        value = own[claim.indicator]
        reference = references[claim.than].get(claim.indicator, float("nan"))
        if reference != reference:  # the comparison scenario has no such variable: the claim cannot hold
            results.append(
                ClaimResult(
                    claim.claim, claim.indicator, claim.compare, claim.than, claim.margin, value, reference, False
                )
            )
            continue
        if claim.compare == "lower":
            holds = value <= reference - claim.margin
        else:
            holds = value >= reference + claim.margin
        results.append(
            ClaimResult(claim.claim, claim.indicator, claim.compare, claim.than, claim.margin, value, reference, holds)
        )
    return results
