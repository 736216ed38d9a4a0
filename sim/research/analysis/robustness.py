"""Robustness of policies over the uncertainty ensemble: mean, percentiles, satisficing, regret.

For one per-point statistic (an outcome or an indicator's mean) and each scenario, the values
of every policy at every uncertainty sample form a (policies, samples) matrix. Per policy:
the mean and the 5th, 50th and 95th percentiles over the samples; the satisficing share (the
share of samples where the value meets the experiment's threshold: at least it when
maximizing, at most it when minimizing); and the regret at each sample, how far the policy
falls short of the best policy at that same sample, with its maximum (minimax regret: the
policy with the smallest maximum regret is marked) and mean.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.research.analysis.plots import save_figure

PERCENTILES = (5.0, 50.0, 95.0)


def regret(matrix: np.ndarray, direction: str) -> np.ndarray:
    """Regret of each policy (row) at each sample (column) against the best policy at that sample."""
    if direction == "maximize":
        return matrix.max(axis=0, keepdims=True) - matrix
    return matrix - matrix.min(axis=0, keepdims=True)


def robustness_table(
    design: pd.DataFrame, values: np.ndarray, direction: str = "maximize", threshold: float | None = None
) -> pd.DataFrame:
    """One row per scenario and policy: mean, p5, p50, p95, satisficing share, max and mean regret.

    Args:
        design: the design table (``point_id``, ``scenario``, ``policy``, ``sample``).
        values: the statistic per point id.
        direction: ``maximize`` or ``minimize``.
        threshold: the satisficing threshold (None: no satisficing share).
    """
    rows = []
    for scenario, block in design.groupby("scenario", sort=False):
        policies = list(dict.fromkeys(block["policy"]))
        samples = np.sort(block["sample"].unique())
        matrix = np.full((len(policies), len(samples)), np.nan)
        index = {p: i for i, p in enumerate(policies)}
        for policy, sample, point in block[["policy", "sample", "point_id"]].itertuples(index=False):
            matrix[index[policy], np.searchsorted(samples, sample)] = values[point]
        complete = ~np.isnan(matrix).any(axis=0)
        matrix = matrix[:, complete]
        regrets = regret(matrix, direction)
        for i, policy in enumerate(policies):
            row: dict[str, object] = {"scenario": scenario, "policy": policy, "samples": int(matrix.shape[1])}
            row["mean"] = float(matrix[i].mean())
            for q, v in zip(PERCENTILES, np.percentile(matrix[i], PERCENTILES), strict=True):
                row[f"p{q:g}"] = float(v)
            if threshold is not None:
                meets = matrix[i] >= threshold if direction == "maximize" else matrix[i] <= threshold
                row["satisficing"] = float(meets.mean())
            row["max_regret"] = float(regrets[i].max())
            row["mean_regret"] = float(regrets[i].mean())
            rows.append(row)
    table = pd.DataFrame(rows)
    if len(table):
        best = table.groupby("scenario")["max_regret"].transform("min")
        table["minimax_regret"] = table["max_regret"] == best
    return table


def plot_robustness(table: pd.DataFrame, name: str, direction: str, path: Path) -> Path:
    """Per policy: the value's p5-p95 band, median and mean, and its maximum regret (a PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [
        f"{s}: {p}" if table["scenario"].nunique() > 1 else str(p)
        for s, p in zip(table["scenario"], table["policy"], strict=True)
    ]
    y = np.arange(len(table))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 1.2 + 0.45 * len(table)), sharey=True)
    left.hlines(y, table["p5"], table["p95"], color="tab:blue", linewidth=4, alpha=0.4, label="p5-p95")
    left.plot(table["p50"], y, "|", color="tab:blue", markersize=14, label="median")
    left.plot(table["mean"], y, "o", color="black", label="mean")
    left.set_yticks(y, labels)
    left.set_xlabel(f"{name} over the uncertainty samples ({direction})")
    left.legend(loc="best", fontsize=8)
    colors = ["tab:green" if best else "tab:gray" for best in table["minimax_regret"]]
    right.barh(y, table["max_regret"], color=colors)
    for position, value in zip(y, table["max_regret"], strict=True):
        right.text(value, position, f" {value:.3g}", va="center", fontsize=8)
    right.set_xlabel("maximum regret (green: minimax regret)")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return path
