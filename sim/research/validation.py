"""``trilat compare``: a scenario's ensemble against an observed yearly series, run, scored and reported.

The model's value of a variable in a calendar year is the mean of its quarterly values in the
quarters the scenario plays in that year (turns 1 to the last; the start state, turn 0, is not
a played quarter), computed in every world. The scores are those of :mod:`sim.research.compare`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine.indicators import label
from sim.errors import UsageError, did_you_mean
from sim.lang.scenario import Scenario
from sim.research.compare import BASELINE_LABELS, MIN_YEARS, SCORES, Comparison, compare, yearly_means
from sim.research.observed import ObservedError, ObservedSeries, located, read_observed

DEFAULT_CHUNK = 20_000
AGGREGATION = "mean of the quarters the scenario plays in each calendar year"
BEATING = {"persistence": "persistence", "trend": "the in-sample trend", "trend_loo": "the leave-one-out trend"}
SCORE_LABELS = {"sign_agreement": "sign agr", "spearman": "Spearman", "nrmse": "NRMSE", "nrmse_z": "NRMSE(z)"}


def check_variable(scenario: Scenario, variable: str) -> int:
    """The state row of a variable name (any state variable or indicator).

    Raises:
        UsageError: for a name the scenario does not have, with the nearest one.
    """
    rows = scenario.layout.rows
    if variable not in rows:
        raise UsageError(
            f"--variable {variable}: no state variable or indicator of that name in '{scenario.id}'"
            f"{did_you_mean(variable, rows)}"
        )
    return rows[variable]


def scenario_years(scenario: Scenario, turns: int | None = None) -> list[int]:
    """The calendar years the scenario's turns 1 to the last fall in."""
    return sorted({scenario.quarter_of(turn)[0] for turn in range(1, (turns or scenario.turns) + 1)})


def check_span(series: ObservedSeries, scenario: Scenario) -> None:
    """Refuse observed years the scenario does not play, and series with too few years.

    Raises:
        ObservedError: one located line per year outside the span, or one for too few years.
    """
    played = scenario_years(scenario)
    span = f"{played[0]}-{played[-1]}"
    outside = [
        series.problem(i, f"year {int(year)} is outside the years scenario '{scenario.id}' plays ({span})")
        for i, year in enumerate(series.years)
        if int(year) not in played
    ]
    if outside:
        raise ObservedError(outside)
    if len(series.years) < MIN_YEARS:
        raise ObservedError(
            [
                located(
                    series.path,
                    f"{len(series.years)} observed year(s); at least {MIN_YEARS} years shared with"
                    f" '{scenario.id}' ({span}) are needed",
                )
            ]
        )


def model_yearly(
    scenario: Scenario,
    variable: str,
    *,
    runs: int,
    seed: int,
    parameters: Mapping[str, Any] | None = None,
    strategies: Mapping[str, str] | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run an ensemble and aggregate one variable per calendar year in every world.

    Args:
        scenario: the compiled scenario.
        variable: any state variable or indicator name.
        runs: number of worlds (replications 0 to runs - 1).
        seed: the ensemble seed.
        parameters: scalar parameter overrides.
        strategies: per-government strategy overrides.
        chunk: worlds per model; does not affect results.
        progress: called with the number of worlds in a chunk after each of its turns.

    Returns:
        The years, the quarters played in each, and the yearly values, shape (runs, years).
    """
    from sim.engine.model import TrilateralModel

    row = check_variable(scenario, variable)
    blocks = []
    years = quarters = np.zeros(0, dtype=np.int64)
    for start in range(0, runs, chunk):
        ids = np.arange(start, min(start + chunk, runs), dtype=np.int64)
        model = TrilateralModel(
            scenario,
            seed=seed,
            replication_ids=ids,
            strategies=strategies,
            record=False,
            parameters=parameters,
            keep="final",
        )
        quarterly, labels = [], []
        while model.running and model.turn < model.turns:
            model.step()
            if model.turn < 1:  # a turn before the start (a warm-up) is not a played quarter
                continue
            quarterly.append(model.x[row].copy())
            labels.append(scenario.quarter_of(model.turn)[0])
            if progress is not None:
                progress(len(ids))
        years, quarters, yearly = yearly_means(np.array(labels), np.array(quarterly))
        blocks.append(yearly)
    return years, quarters, np.concatenate(blocks)


@dataclass(frozen=True)
class ValidationRun:
    """One ``trilat compare`` result: what was compared and the :class:`Comparison`."""

    scenario: str
    title: str
    variable: str
    observed_path: str
    runs: int
    seed: int
    comparison: Comparison

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready."""
        return {
            "scenario": self.scenario,
            "title": self.title,
            "variable": self.variable,
            "observed_file": self.observed_path,
            "runs": self.runs,
            "seed": self.seed,
            "aggregation": AGGREGATION,
            "nrmse_denominator": "observed standard deviation over the shared years (ddof 0)",
            **self.comparison.to_dict(),
        }


def run_validation(
    scenario: Scenario,
    observed_path: str,
    variable: str,
    *,
    runs: int,
    seed: int,
    parameters: Mapping[str, Any] | None = None,
    strategies: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ValidationRun:
    """Read and check the observed series, run the ensemble and score it.

    Raises:
        UsageError: for an unknown variable.
        ObservedError: for a bad observed-series file or one that does not fit the scenario.
    """
    check_variable(scenario, variable)
    series = read_observed(observed_path)
    check_span(series, scenario)
    years, quarters, yearly = model_yearly(
        scenario, variable, runs=runs, seed=seed, parameters=parameters, strategies=strategies, progress=progress
    )
    columns = np.searchsorted(years, series.years)
    comparison = compare(series.years, series.values, yearly[:, columns], quarters[columns])
    return ValidationRun(
        scenario=scenario.id,
        title=scenario.title,
        variable=variable,
        observed_path=series.path,
        runs=runs,
        seed=seed,
        comparison=comparison,
    )


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or np.isnan(value) else f"{value:.{digits}f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _span(years: np.ndarray) -> str:
    return f"{int(years[0])}-{int(years[-1])}"


def _score_row(name: str, values: list[float | None], peak: Any, trough: Any, years: str) -> str:
    cells = "".join(f"{_fmt(v):>10}" for v in values)
    return f"{name:<38}{cells}{peak!s:>7}{trough!s:>8}  {years}"


def format_report(run: ValidationRun) -> str:
    """The text report: the score table (model against the baselines), world shares and the year table."""
    c = run.comparison
    data = c.to_dict()
    worlds = data["worlds"]
    lines = [
        f"{label(run.variable)} ({run.variable}) in '{run.scenario}' against {run.observed_path}",
        f"{run.runs:,} worlds, seed {run.seed}; {len(c.years)} years {_span(c.years)};"
        " a model year = the mean of its played quarters",
        "",
        f"{'':<38}{''.join(f'{SCORE_LABELS[s]:>10}' for s in SCORES)}{'peak':>7}{'trough':>8}  years",
    ]

    def row(name: str, scores: Any) -> str:
        values = [getattr(scores, s) for s in SCORES]
        return _score_row(name, values, scores.peak_year or "-", scores.trough_year or "-", _span(scores.years))

    lines.append(row("model: ensemble mean", c.model))
    lines.append(_score_row("model: each world, median", [worlds[s]["p50"] for s in SCORES], "-", "-", _span(c.years)))
    for name, scores in c.baselines.items():
        lines.append(row(BASELINE_LABELS[name], scores))
    lines.append(
        f"{'observed':<38}{'':>40}{c.observed_peak or '-'!s:>7}{c.observed_trough or '-'!s:>8}  {_span(c.years)}"
    )
    undefined = [f"{SCORE_LABELS[s]} in {_share(1 - worlds[s]['defined'])}" for s in SCORES if worlds[s]["defined"] < 1]
    if undefined:
        lines.append(f"(world medians leave out undefined scores, from constant trajectories: {', '.join(undefined)})")
    lines.append("")
    lines.append(
        f"worlds placing their own peak in the observed peak year: {_share(worlds['peak_year_share'])};"
        f" trough: {_share(worlds['trough_year_share'])}"
    )
    for name, shares in worlds["beats"].items():
        text = ", ".join(f"{SCORE_LABELS[s]} {_share(shares[s])}" for s in SCORES)
        lines.append(f"worlds beating {BEATING[name]}: {text}")
    lines += ["", f"{'year':<6}{'quarters':>9}{'observed':>12}{'model mean':>12}{'p5':>10}{'p95':>10}"]
    for i, year in enumerate(c.years):
        lines.append(
            f"{int(year):<6}{int(c.quarters[i]):>9}{c.observed[i]:>12.4g}{c.band['mean'][i]:>12.4g}"
            f"{c.band['p5'][i]:>10.4g}{c.band['p95'][i]:>10.4g}"
        )
    lines += [
        "",
        f"NRMSE = RMSE / observed SD ({c.scale:.4g}), raw levels: 1 = no better than the observed mean;",
        "NRMSE(z) = the same on the standardised series (shape only, free of scale and offset).",
        f"Persistence scores {_span(c.baselines['persistence'].years)} (it needs the year before);"
        " the in-sample trend has seen every year it predicts.",
    ]
    warning = c.scale_warning()
    if warning:
        lines += textwrap.wrap(f"warning: {warning}", width=100, subsequent_indent="  ")
    return "\n".join(lines)
