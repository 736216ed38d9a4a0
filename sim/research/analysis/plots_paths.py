"""PNG plots of trajectories (fan charts, time to event, typical paths) and of exploratory analytics."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.research.analysis.plots import figure, save_figure
from sim.research.analysis.trajectories import Clusters, Trajectories

MAX_PAIRS = 5
"""Most parameters in a pairs plot."""


def _colors(count: int) -> list[tuple[float, ...]]:
    from matplotlib import colormaps  # heavy: only when plotting

    cmap = colormaps["tab10"]
    return [cmap(k % 10) for k in range(count)]


def plot_fan(table: pd.DataFrame, variable: str, by: str, path: Path) -> Path:
    """Fan chart: median, 25-75% and 5-95% bands of ``variable`` over turns, one panel per group."""
    groups = list(dict.fromkeys(table["group"]))
    cols = min(3, len(groups))
    rows = math.ceil(len(groups) / cols)
    fig = figure(4.6 * cols, 3.4 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False, sharey=True)).ravel()
    for ax, group, color in zip(axes, groups, _colors(len(groups)), strict=False):
        mine = table[table["group"] == group]
        turn = mine["turn"].to_numpy()
        ax.fill_between(turn, mine["p5"], mine["p95"], color=color, alpha=0.18, label="5-95%")
        ax.fill_between(turn, mine["p25"], mine["p75"], color=color, alpha=0.38, label="25-75%")
        ax.plot(turn, mine["p50"], color=color, linewidth=2, label="median")
        ax.set_title(f"{group} ({int(mine['runs'].max()):,} runs)", fontsize=9)
        ax.set_xlabel("turn (quarter)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(variable)
    axes[0].legend(fontsize=7, loc="best")
    for ax in axes[len(groups) :]:
        ax.set_visible(False)
    fig.suptitle(f"{variable} over turns by {by}: median and percentile bands")
    save_figure(fig, path)
    return path


def plot_time_to_event(table: pd.DataFrame, summary: pd.DataFrame, condition: str, by: str, path: Path) -> Path:
    """Cumulative share of runs in which the condition has held, per group (Kaplan-Meier)."""
    fig = figure(7, 4.6)
    ax = fig.subplots()
    groups = list(dict.fromkeys(table["group"]))
    for group, color in zip(groups, _colors(len(groups)), strict=True):
        mine = table[table["group"] == group]
        row = summary[summary["group"] == group].iloc[0]
        label = f"{group}: {row['events']:,} of {row['runs']:,} runs ({row['censored']:,} censored)"
        ax.step(mine["turn"], mine["cumulative"], where="post", color=color, linewidth=2, label=label)
    ax.set_xlabel("turn (quarter)")
    ax.set_ylabel("share of runs in which it has happened")
    top = float(table["cumulative"].max())
    ax.set_ylim(0, min(1.02, max(0.05, 1.2 * top)))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"time to '{condition}' by {by}", fontsize=10)
    save_figure(fig, path)
    return path


def plot_clusters(trajectories: Trajectories, clusters: Clusters, variable: str, path: Path) -> Path:
    """Typical paths: each cluster's 10-90% band and mean of ``variable``, and its representative run."""
    table = clusters.table
    k = len(table)
    cols = min(3, k)
    rows = math.ceil(k / cols)
    fig = figure(4.6 * cols, 3.4 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False, sharey=True)).ravel()
    series = trajectories.series(variable)
    turns = trajectories.turns
    for c, (ax, color) in enumerate(zip(axes, _colors(k), strict=False)):
        members = series[clusters.labels == c]
        low, high = np.nanpercentile(members, [10, 90], axis=0)
        ax.fill_between(turns, low, high, color=color, alpha=0.25, label="10-90%")
        ax.plot(turns, np.nanmean(members, axis=0), color=color, linewidth=2, label="mean")
        rep = int(table["representative_run"].iloc[c])
        ax.plot(
            turns, series[clusters.representatives[c]], color="black", linewidth=1, linestyle="--", label=f"run {rep}"
        )
        ax.set_title(f"path {c + 1}: {table['share'].iloc[c]:.0%} of runs", fontsize=9)
        ax.set_xlabel("turn (quarter)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel(variable)
    for ax in axes[k:]:
        ax.set_visible(False)
    fig.suptitle(f"typical paths of {variable} (k-means on standardized trajectories)")
    save_figure(fig, path)
    return path


def plot_stack(stack: pd.DataFrame, value: str, scenario: str, path: Path) -> Path:
    """Dimensional stacking heat map: binned parameter combinations on the two axes."""
    fig = figure(max(6.0, 0.55 * stack.shape[1] + 3), max(4.0, 0.4 * stack.shape[0] + 2))
    ax = fig.subplots()
    image = ax.imshow(stack.to_numpy(dtype=np.float64), origin="lower", aspect="auto", cmap="magma_r")
    fig.colorbar(image, ax=ax, label=value)

    def labels(index: pd.Index) -> list[str]:
        return [" | ".join(map(str, v)) if isinstance(v, tuple) else str(v) for v in index]

    ax.set_yticks(range(stack.shape[0]), labels(stack.index), fontsize=7)
    ax.set_xticks(range(stack.shape[1]), labels(stack.columns), fontsize=7, rotation=60, ha="right")
    ax.set_ylabel(" | ".join(str(n) for n in stack.index.names))
    ax.set_xlabel(" | ".join(str(n) for n in stack.columns.names) if stack.shape[1] > 1 else "")
    ax.set_title(f"{scenario}: dimensional stacking of {value}", fontsize=10)
    save_figure(fig, path)
    return path


def plot_pairs(points: pd.DataFrame, order: list[str], value: str, scenario: str, path: Path) -> Path:
    """Pairs plot of the design: every pair of (the most important) parameters, coloured by ``value``."""
    shown = order[:MAX_PAIRS]
    n = len(shown)
    fig = figure(2.6 * n + 1, 2.4 * n)
    axes = fig.subplots(n, n, squeeze=False)
    colour = points[value].to_numpy(dtype=np.float64)
    vmax = max(float(np.nanmax(colour)), 1e-9)
    dots = None
    for i, a in enumerate(shown):
        for j, b in enumerate(shown):
            ax = axes[i][j]
            if i == j:
                x = points[a].to_numpy(dtype=np.float64)
                levels = np.unique(x)
                if len(levels) > 12:
                    edges = np.quantile(x, np.linspace(0, 1, 11))
                    centers = (edges[1:] + edges[:-1]) / 2
                    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 9)
                    means = [colour[index == k].mean() if (index == k).any() else np.nan for k in range(10)]
                else:
                    centers, means = levels, [colour[x == v].mean() for v in levels]
                ax.plot(centers, means, marker="o", markersize=3, color="tab:red")
                ax.set_ylabel(f"mean {value}" if j == 0 else "", fontsize=7)
            else:
                dots = ax.scatter(points[b], points[a], c=colour, cmap="magma_r", vmin=0, vmax=vmax, s=8)
                if j == 0:
                    ax.set_ylabel(a, fontsize=8)
            if i == n - 1:
                ax.set_xlabel(b, fontsize=8)
            ax.tick_params(labelsize=6)
    if dots is not None:
        fig.colorbar(dots, ax=axes, label=value, shrink=0.6)
    fig.suptitle(f"{scenario}: design pairs coloured by {value} (diagonal: mean per value)", fontsize=10)
    save_figure(fig, path)
    return path
