"""The optional stages of ``trilat analyze``: trajectory analytics and exploratory analytics.

Each stage computes its tables (written as CSV and Parquet), its plots (PNG) and the lines it
prints, so :mod:`pipeline` only wires them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.research.analysis.parts import PartReader
from sim.research.analysis.plots import safe_name
from sim.research.analysis.prim import PrimResult
from sim.research.analysis.trajectories import (
    DEFAULT_MAX_RUNS,
    Trajectories,
    cluster_paths,
    compile_condition,
    event_summary,
    fan_table,
    first_turn,
    read_trajectories,
    time_to_event,
)
from sim.research.sweep import Manifest, SweepError

EXPLORED = ("grid", "lhs", "montecarlo")
"""Designs that get exploratory analytics (``--explore``)."""
LEVELS = 5
"""A parameter with at most this many values groups runs by value; otherwise by thirds."""

WriteTable = Callable[[pd.DataFrame, str], list[Path]]


@dataclass
class PathOptions:
    """What to do with the per-turn records (``trilat analyze --trajectories ...``)."""

    variables: list[str]
    by: str | None = None
    """Group runs by ``scenario``, ``policy``, ``box`` (inside the PRIM box or not), a parameter, or ``all``."""
    event: str | None = None
    """A condition; its first turn per run gives the time-to-event table."""
    clusters: int = 4
    """Typical paths to find (0: none)."""
    max_runs: int = DEFAULT_MAX_RUNS


@dataclass
class PathResult:
    """What the trajectory stage computed."""

    by: str
    runs: int
    stride: int
    fans: pd.DataFrame
    events: pd.DataFrame | None = None
    event_summary: pd.DataFrame | None = None
    clusters: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)


def _default_by(design: pd.DataFrame, discovery: dict[str, PrimResult | None]) -> str:
    if "policy" in design.columns:
        return "policy"
    if any(r is not None and r.box.restricted for r in discovery.values()):
        return "box"
    return "scenario" if design["scenario"].nunique() > 1 else "all"


def group_labels(
    trajectories: Trajectories, design: pd.DataFrame, by: str, names: list[str], discovery: dict[str, PrimResult | None]
) -> np.ndarray:
    """A group label per run: its scenario, policy, PRIM box membership, or parameter bin.

    Raises:
        SweepError: for an unknown grouping.
    """
    rows = design.loc[trajectories.point_ids]
    if by == "all":
        return np.full(len(rows), "all runs", dtype=object)
    if by in ("scenario", "policy") and by in rows.columns:
        return rows[by].astype(str).to_numpy(dtype=object)
    if by == "box":
        inside = np.zeros(len(rows), dtype=bool)
        for scenario, result in discovery.items():
            if result is None or not result.box.restricted:
                continue
            mine = (rows["scenario"] == scenario).to_numpy().copy()
            for name, (low, high) in result.box.limits.items():
                mine &= ((rows[name] >= low) & (rows[name] <= high)).to_numpy()
            inside |= mine
        return np.where(inside, "in PRIM box", "outside the box").astype(object)
    if by in names:
        values = rows[by].to_numpy(dtype=np.float64)
        levels = np.unique(design[by].to_numpy(dtype=np.float64))
        if len(levels) <= LEVELS:
            return np.array([f"{by}={v:.3g}" for v in values], dtype=object)
        edges = np.quantile(design[by].to_numpy(dtype=np.float64), [0, 1 / 3, 2 / 3, 1])
        index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, 2)
        return np.array([f"{by} {edges[i]:.3g}-{edges[i + 1]:.3g}" for i in index], dtype=object)
    choices = ["all", "box", "scenario", *(["policy"] if "policy" in design.columns else []), *names]
    raise SweepError(f"cannot group runs by '{by}': use one of {', '.join(choices)}")


def trajectory_stage(
    out: Path,
    manifest: Manifest,
    design: pd.DataFrame,
    options: PathOptions,
    discovery: dict[str, PrimResult | None],
    write: WriteTable,
    folder: Path | None,
    parts: PartReader | None = None,
) -> PathResult:
    """Fan charts, time to event and typical paths from the per-turn records; plots when ``folder``."""
    from sim.research.analysis import plots_paths

    names = list(manifest.parameters)
    reads: list[str] = []
    if options.event is not None:
        reads = compile_condition(options.event, manifest.indicators)[1]
    variables = list(dict.fromkeys([*options.variables, *reads]))
    paths = read_trajectories(out, manifest, variables, options.max_runs, parts)
    by = options.by or _default_by(design, discovery)
    groups = group_labels(paths, design, by, names, discovery)
    fans = pd.concat([fan_table(paths, groups, v) for v in options.variables], ignore_index=True)
    result = PathResult(by, len(paths.run_ids), paths.stride, fans)
    result.files += write(fans, "trajectory-fans")
    if folder is not None:
        for v in options.variables:
            path = folder / f"fan-{safe_name(v)}.png"
            result.files.append(plots_paths.plot_fan(fans[fans["variable"] == v], v, by, path))
    if options.event is not None:
        first = first_turn(paths, options.event)
        result.events = time_to_event(paths, first, groups)
        result.event_summary = event_summary(first, groups, result.events)
        result.files += write(result.events, "time-to-event") + write(result.event_summary, "time-to-event-summary")
        if folder is not None:
            path = folder / "time-to-event.png"
            result.files.append(
                plots_paths.plot_time_to_event(result.events, result.event_summary, options.event, by, path)
            )
    if options.clusters > 0:
        clusters = cluster_paths(paths, options.variables, options.clusters, out_dir=out)
        table = clusters.table
        rows = design.loc[table["point_id"].to_numpy()]
        for column in reversed(["scenario", *(["policy"] if "policy" in design.columns else []), *names]):
            table.insert(list(table.columns).index("point_id") + 1, column, rows[column].to_numpy())
        result.clusters = table
        result.files += write(table, "trajectory-clusters")
        if folder is not None:
            path = folder / f"clusters-{safe_name(options.variables[0])}.png"
            result.files.append(plots_paths.plot_clusters(paths, clusters, options.variables[0], path))
    return result


def print_paths(result: PathResult, event: str | None) -> None:
    """Print the trajectory stage's tables."""
    sampled = f", 1 run in {result.stride}" if result.stride > 1 else ""
    print(f"\nTrajectories ({result.runs:,} runs{sampled}), grouped by {result.by}")
    last = result.fans[result.fans["turn"] == result.fans["turn"].max()]
    print(last.drop(columns=["turn"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if result.event_summary is not None:
        print(f"\nTime to '{event}' (censored: runs in which it never happens)")
        print(result.event_summary.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    if result.clusters is not None:
        print("\nTypical paths (k-means); replay a representative run with the command shown")
        shown = result.clusters.drop(columns=["replay"])
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        for _, row in result.clusters.iterrows():
            print(f"  path {row['cluster']}: {row['replay']}")


@dataclass
class ExploreResult:
    """Feature scores per scenario and target, and the files written."""

    scores: pd.DataFrame
    files: list[Path] = field(default_factory=list)


def explore_stage(
    points: pd.DataFrame, names: list[str], output: str, write: WriteTable, folder: Path | None
) -> ExploreResult:
    """Feature scores, dimensional stacking and a pairs plot per scenario (plots when ``folder``)."""
    from sim.research.analysis import plots_paths
    from sim.research.analysis.exploratory import dimensional_stack, feature_scores

    targets = [f"{output}:mean", "outcome_share"]
    scores = feature_scores(points, names, targets)
    result = ExploreResult(scores, write(scores, "feature-scores"))
    for scenario, group in points.groupby("scenario", sort=False):
        mine = scores[(scores["scenario"] == scenario) & (scores["target"] == "outcome_share")]
        if mine["importance"].sum() == 0:
            mine = scores[(scores["scenario"] == scenario) & (scores["target"] == targets[0])]
        order = mine.sort_values("rank")["parameter"].tolist()
        value = "outcome_share" if group["outcome_share"].sum() > 0 else targets[0]
        stack = dimensional_stack(group, order, value)
        stem = f"stack-{safe_name(str(scenario))}"
        flat = stack.copy()
        flat.columns = [" | ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in flat.columns]
        result.files += write(flat.reset_index(), stem)
        if folder is not None:
            result.files.append(plots_paths.plot_stack(stack, value, str(scenario), folder / f"{stem}.png"))
            path = folder / f"pairs-{safe_name(str(scenario))}.png"
            result.files.append(plots_paths.plot_pairs(group, order, value, str(scenario), path))
    return result


def print_explore(result: ExploreResult) -> None:
    """Print the feature scores, one column per target."""
    print("\nFeature scores (extra-trees importance; sums to 1 per target)")
    table = result.scores.pivot_table(index=["scenario", "parameter"], columns="target", values="importance")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
