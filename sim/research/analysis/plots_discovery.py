"""PNG plots of scenario discovery: the PRIM coverage/density trade-off and the chosen box's limits."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.research.analysis.plots import figure, save_figure
from sim.research.analysis.prim import PrimBox, PrimResult, format_p
from sim.research.experiment import Outcome

MAX_PAIRS = 4
"""Most restricted parameters drawn pairwise in the box plot."""


def plot_tradeoff(result: PrimResult, outcome: Outcome, scenario: str, path: Path) -> Path:
    """Coverage against density along the peeling trajectory, coloured by the number of restricted limits."""
    fig = figure(7, 5.2)
    ax = fig.subplots()
    coverage = np.array([b.coverage for b in result.trajectory])
    density = np.array([b.density for b in result.trajectory])
    count = np.array([len(b.restricted) for b in result.trajectory])
    ax.plot(coverage, density, color="0.75", linewidth=1, zorder=1)
    dots = ax.scatter(coverage, density, c=count, cmap="viridis", s=26, zorder=2)
    fig.colorbar(dots, ax=ax, label="restricted parameters", ticks=range(int(count.max()) + 1))
    step = max(1, len(coverage) // 12)
    for k in range(0, len(coverage), step):
        ax.annotate(str(k), (coverage[k], density[k]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    peeled = result.trajectory[result.chosen]
    ax.scatter([peeled.coverage], [peeled.density], s=160, facecolors="none", edgecolors="red", linewidths=1.5)
    ax.annotate(
        f"box {result.chosen}",
        (peeled.coverage, peeled.density),
        color="red",
        xytext=(8, -12),
        textcoords="offset points",
    )
    final = result.box
    if final.limits != peeled.limits:
        ax.scatter([final.coverage], [final.density], s=70, marker="x", color="red", label="pasted, limits tested")
        ax.legend(loc="lower left", fontsize=8)
    ax.set_xlabel("coverage (share of outcome runs inside the box)")
    ax.set_ylabel("density (share of runs inside with the outcome)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(f"{scenario}: PRIM trade-off for {outcome} (numbers: box index for --box)", fontsize=10)
    save_figure(fig, path)
    return path


def _limit_text(box: PrimBox, name: str, stability: pd.DataFrame | None) -> str:
    low, high = box.limits[name]
    text = f"[{low:.3g}, {high:.3g}]"
    if name in box.quasi_p:
        text += f"\nquasi-p {format_p(box.quasi_p[name])}"
    if stability is not None and name in set(stability["parameter"]):
        row = stability[stability["parameter"] == name].iloc[0]
        text += f"\nin {row['restricted']:.0%} of resamples"
    return text


def plot_box(
    result: PrimResult,
    points: pd.DataFrame,
    names: list[str],
    outcome: Outcome,
    scenario: str,
    path: Path,
    stability: pd.DataFrame | None = None,
) -> Path:
    """The chosen box: normalized limits per parameter, and design points pairwise with the box drawn."""
    box = result.box if result.box.restricted else result.trajectory[result.chosen]
    shown = (box.restricted or names)[:MAX_PAIRS]
    pairs = list(itertools.combinations(shown, 2)) or [(shown[0], shown[0])]
    cols = min(3, len(pairs) + 1)
    rows = math.ceil((len(pairs) + 1) / cols)
    fig = figure(4.4 * cols, 3.9 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    ax = axes[0]
    lo = points[names].min()
    span = (points[names].max() - lo).replace(0, 1)
    for k, name in enumerate(names):
        low, high = box.limits[name]
        color = "tab:red" if name in box.restricted else "0.7"
        left, width = (low - lo[name]) / span[name], (high - low) / span[name]
        ax.barh(k, max(width, 0.02), left=min(left, 0.98), color=color, height=0.5)
        ax.text(1.05, k, _limit_text(box, name, stability), va="center", fontsize=7)
    ax.axvline(1.0, color="0.3", linewidth=0.8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlim(0, 2.0)
    ax.set_xticks([0, 0.5, 1])
    ax.set_xlabel("limits, share of each range")
    share = points["outcome_share"].to_numpy()
    for ax, (a, b) in zip(axes[1:], pairs, strict=False):
        xa = points[a].to_numpy()
        xb = points[b].to_numpy() if a != b else share
        dots = ax.scatter(
            xa, xb, c=share, cmap="magma_r", vmin=0, vmax=max(share.max(), 1e-9), s=22, edgecolors="0.5", linewidths=0.3
        )
        low_a, high_a = box.limits[a]
        low_b, high_b = box.limits[b] if a != b else (0.0, 1.0)
        pad_a = 0.02 * span[a]
        pad_b = 0.02 * (span[b] if a != b else 1.0)
        ax.add_patch(_rectangle(low_a - pad_a, low_b - pad_b, high_a - low_a + 2 * pad_a, high_b - low_b + 2 * pad_b))
        ax.set_xlabel(a)
        ax.set_ylabel(b if a != b else "outcome share")
        fig.colorbar(dots, ax=ax, label="outcome share")
    for ax in axes[len(pairs) + 1 :]:
        ax.set_visible(False)
    fig.suptitle(f"{scenario}: PRIM box for {outcome} ({box.describe()})", fontsize=10)
    save_figure(fig, path)
    return path


def _rectangle(x: float, y: float, width: float, height: float) -> object:
    from matplotlib.patches import Rectangle  # heavy: only when plotting

    return Rectangle((x, y), width, height, fill=False, edgecolor="tab:blue", linewidth=2)
