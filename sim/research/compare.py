"""Scoring a model variable's yearly trajectories against an observed yearly series.

Pure functions over numpy arrays: the model side is an ensemble of yearly values, one row per
world (``worlds``, shape (R, n)), for the ``n`` years the observed series and the scenario share.
Scores (each for the ensemble mean trajectory, each baseline, and every world):

- sign agreement: the share of year-on-year changes (between consecutive scored years) whose
  sign (up, down, none) matches the observed change; a change smaller than ``SIGN_TOLERANCE``
  times the series' largest magnitude counts as none;
- Spearman: the rank correlation of the levels (scipy's ``spearmanr``; NaN if either is constant);
- NRMSE: the root mean squared error divided by the observed series' standard deviation over all
  shared years (population SD, ddof 0), so predicting the observed mean every year scores 1;
  it assumes both series are on the same scale;
- NRMSE(z): the same after standardising each series by its own mean and SD: shape only, free
  of the scale and offset (equal to sqrt(2 (1 - Pearson r)));
- peak and trough years: the year of the highest and lowest value (the first such year on ties;
  none for a constant series), and the share of worlds placing theirs in the observed one.

Baselines predict the observed series from itself: ``persistence`` (each year is the previous
observed year, so it scores every year but the first), ``trend`` (the least-squares line through
all observed years: in-sample, it has seen every year it predicts) and ``trend_loo`` (each year
from the line through the other years: leave-one-out).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

MIN_YEARS = 3
"""Fewest shared years a comparison accepts."""
SIGN_TOLERANCE = 1e-9
"""Relative size under which a year-on-year change counts as no change."""
BASELINES = ("persistence", "trend", "trend_loo")
BASELINE_LABELS = {
    "persistence": "persistence (previous observed year)",
    "trend": "linear trend (in-sample fit)",
    "trend_loo": "linear trend (leave-one-out)",
}
SCORES = ("sign_agreement", "spearman", "nrmse", "nrmse_z")
HIGHER_IS_BETTER = {"sign_agreement": True, "spearman": True, "nrmse": False, "nrmse_z": False}


def yearly_means(quarter_years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aggregate quarterly values per calendar year: the mean of the quarters played in each year.

    Args:
        quarter_years: the calendar year of each quarter, shape (T,).
        values: quarterly values, shape (T, R): one column per world.

    Returns:
        The years (increasing), the number of quarters in each, and the yearly means, shape (R, Y).
    """
    quarter_years = np.asarray(quarter_years)
    years, index, counts = np.unique(quarter_years, return_inverse=True, return_counts=True)
    sums = np.zeros((len(years), values.shape[1]))
    np.add.at(sums, index, values)
    return years.astype(np.int64), counts.astype(np.int64), (sums / counts[:, None]).T


def change_signs(series: np.ndarray) -> np.ndarray:
    """Signs (-1, 0, 1) of the changes along the last axis (length n - 1)."""
    series = np.asarray(series, dtype=np.float64)
    changes = np.diff(series, axis=-1)
    scale = np.max(np.abs(series), axis=-1, keepdims=True)
    return np.sign(np.where(np.abs(changes) <= SIGN_TOLERANCE * scale, 0.0, changes))


def sign_agreement(predicted: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Share of year-on-year changes with the observed sign; one per row of ``predicted``."""
    return np.mean(change_signs(predicted) == change_signs(observed), axis=-1)


def _constant(series: np.ndarray) -> np.ndarray:
    return np.ptp(np.asarray(series, dtype=np.float64), axis=-1) == 0


def spearman(predicted: np.ndarray, observed: np.ndarray) -> float:
    """Spearman rank correlation of two series (``scipy.stats.spearmanr``); NaN if either is constant."""
    if _constant(predicted) or _constant(observed):
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(stats.spearmanr(predicted, observed).statistic)


def rank_correlations(predicted: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Spearman correlation of each row of ``predicted`` (R, n) with ``observed`` (n,); NaN for constant rows."""
    ranks = stats.rankdata(np.atleast_2d(predicted), axis=-1)
    return _pearson(ranks, stats.rankdata(observed))


def _pearson(rows: np.ndarray, target: np.ndarray) -> np.ndarray:
    a = rows - rows.mean(axis=-1, keepdims=True)
    b = target - target.mean()
    denominator = np.sqrt(np.sum(a * a, axis=-1) * np.sum(b * b))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sum(a * b, axis=-1) / denominator
    return np.where(denominator > 0, np.clip(out, -1.0, 1.0), np.nan)


def standardise(series: np.ndarray) -> np.ndarray:
    """Each row minus its mean, over its SD (ddof 0); NaN rows where constant."""
    series = np.asarray(series, dtype=np.float64)
    sd = series.std(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sd > 0, (series - series.mean(axis=-1, keepdims=True)) / sd, np.nan)


def nrmse(predicted: np.ndarray, observed: np.ndarray, scale: float) -> np.ndarray:
    """RMSE of ``predicted`` (..., n) against ``observed`` (n,), divided by ``scale``; NaN if scale is 0."""
    rmse = np.sqrt(np.mean((np.asarray(predicted) - observed) ** 2, axis=-1))
    return rmse / scale if scale > 0 else np.full_like(rmse, np.nan)


def nrmse_z(predicted: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """RMSE between the standardised series (shape only); NaN if either is constant."""
    return np.sqrt(np.mean((standardise(predicted) - standardise(observed)) ** 2, axis=-1))


def extreme_years(series: np.ndarray, years: np.ndarray, kind: str) -> np.ndarray:
    """Year of each row's maximum (``kind="peak"``) or minimum (``"trough"``); NaN for a constant row."""
    series = np.atleast_2d(np.asarray(series, dtype=np.float64))
    index = np.argmax(series, axis=-1) if kind == "peak" else np.argmin(series, axis=-1)
    return np.where(_constant(series), np.nan, np.asarray(years, dtype=np.float64)[index])


def persistence(years: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each year predicted by the previous observed year: (years from the second, predictions)."""
    return np.asarray(years)[1:], np.asarray(observed, dtype=np.float64)[:-1]


def linear_trend(years: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """The least-squares line through every observed year, evaluated at each (in-sample)."""
    x = np.asarray(years, dtype=np.float64)
    slope, intercept = np.polyfit(x - x.mean(), observed, 1)
    return np.asarray(intercept + slope * (x - x.mean()))


def linear_trend_loo(years: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Each year predicted by the least-squares line through all the other years (leave-one-out)."""
    x = np.asarray(years, dtype=np.float64)
    y = np.asarray(observed, dtype=np.float64)
    out = np.empty_like(y)
    for i in range(len(x)):
        keep = np.arange(len(x)) != i
        centre = x[keep].mean()
        slope, intercept = np.polyfit(x[keep] - centre, y[keep], 1)
        out[i] = intercept + slope * (x[i] - centre)
    return out


def _number(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _year(value: Any) -> int | None:
    value = float(value)
    return None if math.isnan(value) else int(value)


@dataclass(frozen=True)
class Scores:
    """The scores of one predicted yearly series against the observed series (NaN: undefined)."""

    years: np.ndarray
    predicted: np.ndarray
    sign_agreement: float
    spearman: float
    nrmse: float
    nrmse_z: float
    peak_year: int | None
    trough_year: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN becomes None."""
        return {
            "years": [int(y) for y in self.years],
            "predicted": [float(v) for v in self.predicted],
            "changes": len(self.years) - 1,
            **{name: _number(getattr(self, name)) for name in SCORES},
            "peak_year": self.peak_year,
            "trough_year": self.trough_year,
        }


def score_series(years: np.ndarray, predicted: np.ndarray, observed: np.ndarray, scale: float) -> Scores:
    """Score one predicted series against the observed values of the same years.

    Args:
        years: the years scored, increasing.
        predicted: the predicted value of each year.
        observed: the observed value of each year.
        scale: the NRMSE denominator (the observed SD over all shared years).
    """
    predicted = np.asarray(predicted, dtype=np.float64)
    observed = np.asarray(observed, dtype=np.float64)
    return Scores(
        years=np.asarray(years),
        predicted=predicted,
        sign_agreement=float(sign_agreement(predicted, observed)),
        spearman=spearman(predicted, observed),
        nrmse=float(nrmse(predicted, observed, scale)),
        nrmse_z=float(nrmse_z(predicted, observed)),
        peak_year=_year(extreme_years(predicted, years, "peak")[0]),
        trough_year=_year(extreme_years(predicted, years, "trough")[0]),
    )


@dataclass(frozen=True)
class WorldScores:
    """Every score of every world's own trajectory (NaN where undefined), shape (R,) each."""

    sign_agreement: np.ndarray
    spearman: np.ndarray
    nrmse: np.ndarray
    nrmse_z: np.ndarray
    peak_year: np.ndarray
    trough_year: np.ndarray


def score_worlds(years: np.ndarray, worlds: np.ndarray, observed: np.ndarray, scale: float) -> WorldScores:
    """Score each world's yearly trajectory (a row of ``worlds``) against the observed series."""
    worlds = np.atleast_2d(np.asarray(worlds, dtype=np.float64))
    return WorldScores(
        sign_agreement=sign_agreement(worlds, observed),
        spearman=rank_correlations(worlds, observed),
        nrmse=nrmse(worlds, observed, scale),
        nrmse_z=nrmse_z(worlds, observed),
        peak_year=extreme_years(worlds, years, "peak"),
        trough_year=extreme_years(worlds, years, "trough"),
    )


def distribution(values: np.ndarray) -> dict[str, float | None]:
    """Mean, p5, p50, p95 over the worlds where a score is defined, and the share where it is."""
    defined = values[~np.isnan(values)]
    if defined.size == 0:
        return {"mean": None, "p5": None, "p50": None, "p95": None, "defined": 0.0}
    p5, p50, p95 = np.percentile(defined, (5, 50, 95))
    return {
        "mean": float(defined.mean()),
        "p5": float(p5),
        "p50": float(p50),
        "p95": float(p95),
        "defined": defined.size / values.size,
    }


def year_shares(values: np.ndarray) -> dict[str, float]:
    """Share of worlds per year (``"none"`` for worlds with a constant trajectory)."""
    out: dict[str, float] = {}
    for year in np.unique(values[~np.isnan(values)]):
        out[str(int(year))] = float(np.mean(values == year))
    if np.isnan(values).any():
        out["none"] = float(np.mean(np.isnan(values)))
    return out


def beats(worlds: WorldScores, baseline: Scores) -> dict[str, float | None]:
    """Share of worlds scoring strictly better than a baseline on each score (None if it is undefined)."""
    out: dict[str, float | None] = {}
    for name in SCORES:
        reference = getattr(baseline, name)
        if math.isnan(reference):
            out[name] = None
            continue
        mine = getattr(worlds, name)
        better = mine > reference if HIGHER_IS_BETTER[name] else mine < reference
        out[name] = float(np.mean(better & ~np.isnan(mine)))
    return out


@dataclass(frozen=True)
class Comparison:
    """A model variable's ensemble against an observed yearly series, with the naive baselines.

    Attributes:
        years: the shared years, increasing.
        observed: the observed value of each year.
        worlds: each world's yearly value, shape (R, n).
        quarters: the number of quarters averaged into each year's model value.
        scale: the NRMSE denominator: the observed SD (ddof 0) over the shared years.
        model: scores of the ensemble mean trajectory.
        baselines: scores of each baseline (see :data:`BASELINES`).
        per_world: scores of each world's own trajectory.
        band: the model's mean, p5, p50 and p95 over worlds, per year.
    """

    years: np.ndarray
    observed: np.ndarray
    worlds: np.ndarray
    quarters: np.ndarray
    scale: float
    model: Scores
    baselines: dict[str, Scores]
    per_world: WorldScores
    band: dict[str, np.ndarray]

    @property
    def observed_peak(self) -> int | None:
        """The observed series' peak year (None if it is constant)."""
        return _year(extreme_years(self.observed, self.years, "peak")[0])

    @property
    def observed_trough(self) -> int | None:
        """The observed series' trough year (None if it is constant)."""
        return _year(extreme_years(self.observed, self.years, "trough")[0])

    def world_share(self, kind: str) -> float | None:
        """Share of worlds whose own peak (or trough) year is the observed one (None: no observed one)."""
        target = self.observed_peak if kind == "peak" else self.observed_trough
        if target is None:
            return None
        mine = self.per_world.peak_year if kind == "peak" else self.per_world.trough_year
        return float(np.mean(mine == target))

    def scale_warning(self) -> str | None:
        """A warning when the observed values and the model's 5-95% band plainly differ in scale."""
        low, high = float(self.band["p5"].min()), float(self.band["p95"].max())
        seen_low, seen_high = float(self.observed.min()), float(self.observed.max())
        # The model's scale: the spread between worlds (the 5-95% band is about 3.29 standard
        # deviations of a normal), not the year-to-year movement of the ensemble mean, which
        # may be nearly flat on the same scale as the observations.
        model_sd = float(np.mean(self.band["p95"] - self.band["p5"])) / 3.29
        ratio = self.scale / model_sd if model_sd > 0 and self.scale > 0 else 1.0
        # Observations much steadier than the worlds are still on the model's scale (an ensemble
        # mean is steadier than any world); observations outside the band, or far more variable
        # than the worlds, are not.
        if seen_high < low or seen_low > high or ratio > 10:
            return (
                f"the observed values ({seen_low:.3g} to {seen_high:.3g}) and the model's 5-95% band"
                f" ({low:.3g} to {high:.3g}) are on different scales: NRMSE compares raw levels and is"
                " not meaningful here; read NRMSE(z), sign agreement and Spearman"
            )
        return None

    def to_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (NaN becomes None)."""
        return {
            "years": [int(y) for y in self.years],
            "quarters": [int(q) for q in self.quarters],
            "observed": [float(v) for v in self.observed],
            "model": {name: [float(v) for v in values] for name, values in self.band.items()},
            "observed_summary": {
                "mean": float(self.observed.mean()),
                "sd": float(self.scale),
                "min": float(self.observed.min()),
                "max": float(self.observed.max()),
                "peak_year": self.observed_peak,
                "trough_year": self.observed_trough,
            },
            "scores": {
                "model": self.model.to_dict(),
                **{name: scores.to_dict() for name, scores in self.baselines.items()},
            },
            "worlds": {
                "runs": int(self.worlds.shape[0]),
                **{name: distribution(getattr(self.per_world, name)) for name in SCORES},
                "peak_year_share": self.world_share("peak"),
                "trough_year_share": self.world_share("trough"),
                "peak_years": year_shares(self.per_world.peak_year),
                "trough_years": year_shares(self.per_world.trough_year),
                "beats": {name: beats(self.per_world, scores) for name, scores in self.baselines.items()},
            },
            "scale_warning": self.scale_warning(),
        }


def compare(
    years: np.ndarray, observed: np.ndarray, worlds: np.ndarray, quarters: np.ndarray | None = None
) -> Comparison:
    """Score an ensemble's yearly values against an observed series over the same years.

    Args:
        years: the shared years, increasing (at least :data:`MIN_YEARS`).
        observed: the observed value of each year, shape (n,).
        worlds: each world's yearly value, shape (R, n).
        quarters: quarters averaged into each year (default: 4 each), reported only.

    Raises:
        ValueError: for fewer than :data:`MIN_YEARS` years, unsorted years or mismatched shapes.
    """
    years = np.asarray(years, dtype=np.int64)
    observed = np.asarray(observed, dtype=np.float64)
    worlds = np.atleast_2d(np.asarray(worlds, dtype=np.float64))
    if len(years) < MIN_YEARS:
        raise ValueError(f"at least {MIN_YEARS} shared years are needed, got {len(years)}")
    if np.any(np.diff(years) <= 0):
        raise ValueError("years must be increasing")
    if observed.shape != years.shape or worlds.shape[1] != len(years):
        raise ValueError(f"shapes differ: years {years.shape}, observed {observed.shape}, worlds {worlds.shape}")
    scale = float(observed.std())
    mean = worlds.mean(axis=0)
    p5, p50, p95 = np.percentile(worlds, (5, 50, 95), axis=0)
    p_years, p_values = persistence(years, observed)
    return Comparison(
        years=years,
        observed=observed,
        worlds=worlds,
        quarters=np.full(len(years), 4) if quarters is None else np.asarray(quarters),
        scale=scale,
        model=score_series(years, mean, observed, scale),
        baselines={
            "persistence": score_series(p_years, p_values, observed[1:], scale),
            "trend": score_series(years, linear_trend(years, observed), observed, scale),
            "trend_loo": score_series(years, linear_trend_loo(years, observed), observed, scale),
        },
        per_world=score_worlds(years, worlds, observed, scale),
        band={"mean": mean, "p5": p5, "p50": p50, "p95": p95},
    )
