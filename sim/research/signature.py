"""Scenario signatures: the claims a scenario makes about how it differs from another one.

Each claim compares the mean of one indicator at the final turn with the same indicator in the
comparison scenario (the baseline unless ``than:`` says otherwise) after the same number of
turns, both run as ensembles with the same seed and number of worlds: ``lower`` or ``higher``,
by at least ``margin`` and by at least ``margin_sd`` times the spread between worlds (the pooled
standard deviation of the indicator over the worlds of the two ensembles). A claim's ``ablate:``
switches off the mechanism it relies on: the same check with those parameter values (in each
of the two scenarios that has the parameter) is its ablation twin, which must fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.engine.model import TrilateralModel
from sim.lang.scenario import Scenario, load_scenario, resolve_scenario_path
from sim.lang.schema import SignatureClaim

SIGNATURE_RUNS = 2000
SIGNATURE_SEED = 20250120

Stats = dict[str, tuple[float, float]]
"""Final-turn mean and variance over worlds of every state variable."""


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of checking one claim (or, with ``ablated`` set, its ablation twin)."""

    claim: str
    indicator: str
    compare: str
    than: str
    margin: float
    value: float
    reference: float
    holds: bool
    margin_sd: float = 0.0
    spread: float = float("nan")
    ablated: tuple[tuple[str, float], ...] = ()
    twin: ClaimResult | None = None

    @property
    def effect_sd(self) -> float:
        """The difference in the claimed direction, in units of the spread between worlds."""
        sign = -1.0 if self.compare == "lower" else 1.0
        return sign * (self.value - self.reference) / self.spread if self.spread > 0 else float("nan")

    @property
    def ok(self) -> bool:
        """The claim holds and, if it names a mechanism, its ablation twin fails."""
        return self.holds and (self.twin is None or not self.twin.holds)

    def __str__(self) -> str:
        sign = "<" if self.compare == "lower" else ">"
        needed = f">= {self.margin:g}" + (f" and {self.margin_sd:g} sd" if self.margin_sd else "")
        figures = (
            f"[{self.indicator}: {self.value:.3f} {sign} {self.reference:.3f} ({self.than}) by {needed};"
            f" effect {self.effect_sd:+.2f} sd]"
        )
        if self.ablated:
            switched = ", ".join(f"{name}={value:g}" for name, value in self.ablated)
            verdict = "fails as it should" if not self.holds else "STILL HOLDS"
            return f"ablation twin ({switched}) {verdict}: {figures}"
        line = f"{'holds' if self.holds else 'FAILS'}: {self.claim} {figures}"
        if self.twin is not None:
            line += f"\n    {self.twin}"
        return line


class EnsembleMeans:
    """Final-turn means and variances per (scenario content, runs, seed, turns, parameters), computed once.

    Checking a library's signatures compares many scenarios with the same baseline: share one
    instance across the checks so each ensemble runs only once.
    """

    def __init__(self) -> None:
        self._stats: dict[tuple[str, int, int, int, tuple[tuple[str, float], ...]], Stats] = {}

    def stats(
        self,
        scenario: Scenario,
        runs: int,
        seed: int,
        turns: int | None = None,
        parameters: Mapping[str, float] | None = None,
    ) -> Stats:
        """Mean and variance over worlds of every state variable after ``turns`` (default: the scenario's)."""
        turns = turns or scenario.turns
        overrides = tuple(sorted((parameters or {}).items()))
        key = (scenario.content_hash, runs, seed, turns, overrides)
        if key not in self._stats:
            model = TrilateralModel(
                scenario,
                seed=seed,
                replications=runs,
                turns=turns,
                parameters=dict(overrides),
                record=False,
                keep="final",
            ).run()
            self._stats[key] = {
                name: (float(np.mean(model.x[row])), float(np.var(model.x[row])))
                for name, row in scenario.layout.rows.items()
            }
        return dict(self._stats[key])

    def __call__(
        self,
        scenario: Scenario,
        runs: int,
        seed: int,
        turns: int | None = None,
        parameters: Mapping[str, float] | None = None,
    ) -> dict[str, float]:
        """Mean of every state variable after ``turns`` (default: the scenario's) of an ensemble."""
        return {name: mean for name, (mean, _) in self.stats(scenario, runs, seed, turns, parameters).items()}


def final_means(scenario: Scenario, runs: int, seed: int, turns: int | None = None) -> dict[str, float]:
    """Mean of every state variable after ``turns`` (default: the scenario's) of an ensemble (not cached)."""
    return EnsembleMeans()(scenario, runs, seed, turns)


def _own(scenario: Scenario, ablate: Mapping[str, float]) -> dict[str, float]:
    """The ablation parameters a scenario has (a comparison scenario may lack a scenario's own)."""
    return {name: value for name, value in ablate.items() if name in scenario.parameter_defaults}


def check_signature(
    scenario: Scenario,
    runs: int = SIGNATURE_RUNS,
    seed: int = SIGNATURE_SEED,
    means: EnsembleMeans | None = None,
    ablations: bool = True,
) -> list[ClaimResult]:
    """Check each claim of ``scenario``'s signature; return one result per claim.

    ``means`` shares computed ensembles between checks (e.g. the baseline of a whole library).
    With ``ablations``, each claim that names an ``ablate:`` carries its twin's result (``twin``).
    """
    means = means or EnsembleMeans()
    results = []
    for claim in scenario.spec.signature:
        other = load_scenario(resolve_scenario_path(claim.than, relative_to=scenario.path.parent))
        result = _check(scenario, other, claim, runs, seed, means, {})
        if ablations and claim.ablate:
            twin = _check(scenario, other, claim, runs, seed, means, dict(claim.ablate))
            result = _with_twin(result, twin)
        results.append(result)
    return results


def _with_twin(result: ClaimResult, twin: ClaimResult) -> ClaimResult:
    fields = {name: getattr(result, name) for name in result.__dataclass_fields__}
    return ClaimResult(**{**fields, "twin": twin})


def _check(
    scenario: Scenario,
    other: Scenario,
    claim: SignatureClaim,
    runs: int,
    seed: int,
    means: EnsembleMeans,
    ablate: dict[str, float],
) -> ClaimResult:
    """One claim, in the model as it is (``ablate`` empty) or with the mechanism switched off."""
    own = means.stats(scenario, runs, seed, parameters=_own(scenario, ablate))
    # The comparison runs for as many turns as this scenario (the same quarter when both start together).
    reference_stats = means.stats(other, runs, seed, turns=scenario.turns, parameters=_own(other, ablate))
    value, variance = own[claim.indicator]
    reference, reference_variance = reference_stats.get(claim.indicator, (float("nan"), float("nan")))
    spread = float(np.sqrt((variance + reference_variance) / 2))
    needed = max(claim.margin, claim.margin_sd * spread)
    if reference != reference:  # the comparison scenario has no such variable: the claim cannot hold
        holds = False
    elif claim.compare == "lower":
        holds = value <= reference - needed
    else:
        holds = value >= reference + needed
    return ClaimResult(
        claim.claim,
        claim.indicator,
        claim.compare,
        claim.than,
        claim.margin,
        value,
        reference,
        bool(holds),
        claim.margin_sd,
        spread,
        tuple(sorted(ablate.items())),
    )
