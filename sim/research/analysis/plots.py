"""PNG plots of a sweep's analysis: output vs each parameter, grid heat maps, sensitivity bars, PRIM peeling."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.atomic import atomic_write
from sim.research.analysis.prim import PrimResult
from sim.research.experiment import Outcome


def figure(width: float, height: float) -> Any:
    """A matplotlib figure with a constrained layout (no pyplot state)."""
    from matplotlib.figure import Figure  # heavy: only when plotting

    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig: Any, path: Path) -> Path:
    """Write ``fig`` as a PNG to ``path`` atomically (never through a link planted at ``path``)."""
    atomic_write(path, lambda handle: fig.savefig(handle, dpi=110, format="png"), binary=True)
    return path


def _plot_vs_parameters(points: Any, names: list[str], output: str, path: Path) -> Path:
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig = figure(4.2 * cols, 3.4 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    column = f"{output}:mean"
    for ax, name in zip(axes, names, strict=False):
        for scenario, group in points.groupby("scenario", sort=False):
            x, y = group[name].to_numpy(), group[column].to_numpy()
            dots = ax.scatter(x, y, s=8, alpha=0.35, label=scenario)
            levels = np.unique(x)
            if len(levels) <= 25:
                centers = levels
                means = np.array([y[x == v].mean() for v in levels])
            else:
                edges = np.quantile(x, np.linspace(0, 1, 11))
                index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 9)
                centers = np.array([x[index == b].mean() for b in range(10) if (index == b).any()])
                means = np.array([y[index == b].mean() for b in range(10) if (index == b).any()])
            ax.plot(centers, means, color=dots.get_facecolor()[0][:3], linewidth=2)
        ax.set_xlabel(name)
        ax.set_ylabel(f"{output} (mean per point)")
        ax.grid(alpha=0.3)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    if points["scenario"].nunique() > 1:
        axes[0].legend(fontsize=8)
    fig.suptitle(f"{output} at the end vs each parameter (dots: design points; line: mean)")
    save_figure(fig, path)
    return path


def _plot_heatmap(group: Any, names: list[str], output: str, outcome: Outcome, scenario: str, path: Path) -> Path:
    fig = figure(11, 4.6)
    axes = fig.subplots(1, 2)
    a, b = names
    xs, ys = np.unique(group[a].to_numpy()), np.unique(group[b].to_numpy())
    for ax, column, title, cmap in (
        (axes[0], f"{output}:mean", f"mean {output}", "viridis"),
        (axes[1], "outcome_share", f"share of runs with {outcome}", "magma"),
    ):
        grid = np.full((len(ys), len(xs)), np.nan)
        for _, row in group.iterrows():
            grid[np.searchsorted(ys, row[b]), np.searchsorted(xs, row[a])] = row[column]
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap=cmap)
        ax.set_xticks(range(len(xs)), [f"{v:.3g}" for v in xs], rotation=45, fontsize=8)
        ax.set_yticks(range(len(ys)), [f"{v:.3g}" for v in ys], fontsize=8)
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        ax.set_title(title)
        fig.colorbar(image, ax=ax)
    fig.suptitle(f"{scenario}: {a} x {b}")
    save_figure(fig, path)
    return path


def _plot_sensitivity(rows: Sequence[Mapping[Any, Any]], method: str, output: str, scenario: str, path: Path) -> Path:
    names = [r["parameter"] for r in rows]
    fig = figure(max(6.0, 0.8 * len(names) + 2), 4.2)
    ax = fig.subplots()
    index = np.arange(len(names))
    width = 0.38
    if method == "sobol":
        for offset, key, label in ((-width / 2, "S1", "first order S1"), (width / 2, "ST", "total ST")):
            values = [r[key] for r in rows]
            errors = [r[f"{key}_conf"] for r in rows]
            ax.bar(index + offset, values, width, yerr=errors, capsize=3, label=label)
        ax.set_ylabel("Sobol index (95% CI)")
        ax.legend()
    else:
        ax.bar(index, [r["mu_star"] for r in rows], 0.6, yerr=[r["mu_star_conf"] for r in rows], capsize=3)
        ax.set_ylabel("Morris mu* (per unit of range, 95% CI)")
    floor_key, floor_at = ("ST_noise", width / 2) if method == "sobol" else ("mu_star_noise", 0.0)
    if rows and floor_key in rows[0]:  # the replication-noise floor of ST (mu_star) as a short black line
        floors = [r[floor_key] for r in rows]
        ax.plot(index + floor_at, floors, "_", color="black", markersize=18, mew=2, label="noise floor")
        ax.legend()
    ax.set_xticks(index, names, rotation=30, ha="right")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(f"{scenario}: sensitivity of mean {output} ({method})")
    save_figure(fig, path)
    return path


def safe_name(text: str) -> str:
    """``text`` with every character that is not safe in a file name replaced by ``_``."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def write_plots(
    folder: Path,
    points: pd.DataFrame,
    names: list[str],
    output: str,
    outcome: Outcome,
    sampler: str,
    sensitivity: pd.DataFrame | None,
    discovery: dict[str, PrimResult | None],
    stability: pd.DataFrame | None = None,
) -> list[Path]:
    """Write every plot that applies to this sweep into ``folder``; return the files."""
    files = [_plot_vs_parameters(points, names, output, folder / f"{safe_name(output)}-vs-parameters.png")]
    for scenario in discovery:
        mine = points[points["scenario"] == scenario]
        if sampler == "grid" and len(names) == 2 and not mine.empty:
            path = folder / f"heatmap-{safe_name(scenario)}.png"
            files.append(_plot_heatmap(mine, names, output, outcome, scenario, path))
        if sensitivity is not None and (sensitivity["scenario"] == scenario).any():
            rows_here = sensitivity[sensitivity["scenario"] == scenario].to_dict("records")
            path = folder / f"{sampler}-{safe_name(scenario)}.png"
            files.append(_plot_sensitivity(rows_here, sampler, output, scenario, path))
        found = discovery[scenario]
        if found is not None:
            from sim.research.analysis.plots_discovery import plot_box, plot_tradeoff

            files.append(plot_tradeoff(found, outcome, scenario, folder / f"prim-{safe_name(scenario)}.png"))
            mine_stability = None if stability is None else stability[stability["scenario"] == scenario]
            path = folder / f"prim-box-{safe_name(scenario)}.png"
            files.append(plot_box(found, mine, names, outcome, scenario, path, mine_stability))
    return files
