"""Exploratory analytics for grid, LHS and Monte Carlo designs: feature scores and dimensional stacking.

:func:`feature_scores` ranks the parameters by extra-trees importance (scikit-learn) for the
per-point mean of the output and for the share of runs with the outcome; :func:`dimensional_stack`
bins the most important parameters and lays their combinations out as one pivot table (rows:
the first two, columns: the next two), the classic dimensional-stacking view of a design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_POINTS = 50_000
"""Feature scoring fits on at most this many design points (an even subsample beyond)."""
STACKED = 4
"""Parameters in a dimensional stack (two on each axis)."""
GRID_LEVELS = 5
"""A parameter with at most this many values keeps them as its bins."""


def feature_scores(
    points: pd.DataFrame, names: list[str], targets: list[str], seed: int = 0, trees: int = 200
) -> pd.DataFrame:
    """Extra-trees feature importance of each parameter for each target, per scenario.

    Args:
        points: one row per design point: ``scenario``, the parameters, ``runs`` and the targets.
        names: the parameters.
        targets: the columns to explain (e.g. ``trilateral:mean``, ``outcome_share``).
        seed: the forest's seed.
        trees: number of trees.

    Returns:
        One row per scenario, target and parameter: ``importance`` (impurity decrease, summing to
        1 over the parameters), ``rank`` (1 = most important), and ``r2`` of the forest in sample.
    """
    from sklearn.ensemble import ExtraTreesRegressor  # heavy: only when scoring

    rows = []
    for scenario, group in points.groupby("scenario", sort=False):
        if len(group) > MAX_POINTS:
            group = group.iloc[np.linspace(0, len(group) - 1, MAX_POINTS).astype(np.int64)]
        x = group[names].to_numpy(dtype=np.float64)
        weight = group["runs"].to_numpy(dtype=np.float64)
        for target in targets:
            y = group[target].to_numpy(dtype=np.float64)
            forest = ExtraTreesRegressor(n_estimators=trees, min_samples_leaf=2, random_state=seed, n_jobs=1)
            forest.fit(x, y, sample_weight=weight)
            importance = forest.feature_importances_ if np.ptp(y) > 0 else np.zeros(len(names))
            r2 = float(forest.score(x, y, sample_weight=weight)) if np.ptp(y) > 0 else float("nan")
            ranks = np.argsort(np.argsort(-importance, kind="stable"), kind="stable") + 1
            rows += [
                {
                    "scenario": scenario,
                    "target": target,
                    "parameter": name,
                    "importance": float(importance[j]),
                    "rank": int(ranks[j]),
                    "r2": r2,
                }
                for j, name in enumerate(names)
            ]
    return pd.DataFrame(rows)


def _bins(values: np.ndarray, bins: int) -> tuple[np.ndarray, list[str]]:
    """Bin index per value and labels: the levels themselves when few, else quantile bins (member ranges)."""
    levels = np.unique(values)
    if len(levels) <= max(bins, GRID_LEVELS):
        return np.searchsorted(levels, values), [f"{v:.3g}" for v in levels]
    edges = np.quantile(values, np.linspace(0, 1, bins + 1))
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, bins - 1)
    used = np.unique(index)
    index = np.searchsorted(used, index)
    labels = [f"{values[index == b].min():.3g}-{values[index == b].max():.3g}" for b in range(len(used))]
    return index, labels


def dimensional_stack(
    points: pd.DataFrame, order: list[str], value: str = "outcome_share", bins: int = 3
) -> pd.DataFrame:
    """Dimensional stacking: the runs-weighted mean of ``value`` over binned parameter combinations.

    Args:
        points: one row per design point (one scenario) with the parameters, ``runs`` and ``value``.
        order: the parameters, most important first; the first four are stacked (two per axis).
        value: the column to average.
        bins: bins per parameter (grid levels are kept when there are at most ``GRID_LEVELS``).

    Returns:
        A pivot table: rows indexed by the bins of the first (and second) parameter, columns by
        the bins of the third (and fourth); cells are runs-weighted means (NaN: no design point).
    """
    stacked = order[:STACKED]
    frame = pd.DataFrame({"weight": points["runs"].to_numpy(dtype=np.float64)})
    frame["weighted"] = points[value].to_numpy(dtype=np.float64) * frame["weight"]
    for name in stacked:
        index, labels = _bins(points[name].to_numpy(dtype=np.float64), bins)
        frame[name] = pd.Categorical([labels[i] for i in index], categories=labels, ordered=True)
    rows = stacked[: (len(stacked) + 1) // 2]
    cols = stacked[len(rows) :]
    sums = frame.groupby([*rows, *cols], observed=False)[["weighted", "weight"]].sum()
    mean = (sums["weighted"] / sums["weight"].replace(0, np.nan)).rename(value)
    if not cols:
        return mean.to_frame()
    return mean.unstack(cols)
