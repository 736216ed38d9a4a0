"""Analysing a sweep folder: per-point summaries, sensitivity indices, scenario discovery and plots.

:func:`analyze` reads the Parquet parts chunk by chunk (memory stays bounded by a chunk or one
design point's replications) and writes to ``DIR/analysis/``: a summary per design point and
indicator (mean, p5, p50, p95), for ``sobol`` and ``morris`` designs the sensitivity indices of
the per-point mean of one output (SALib, with confidence intervals), scenario discovery with
PRIM (the parameter box in which an outcome of interest, such as ``trilateral < 0.4``, is
concentrated), and PNG plots. :func:`prim` is a small, self-contained PRIM peeling algorithm.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import did_you_mean
from sim.research.experiment import DEFAULT_MORRIS_LEVELS, ExperimentSpec, Outcome, parse_outcome, sample_units
from sim.research.sweep import PARTS, SweepError, design_frame, part_is_valid, part_path, read_manifest

ANALYSIS = "analysis"
STATISTICS = ("mean", "p5", "p50", "p95")
PERCENTILES = (5.0, 50.0, 95.0)
PRINTED_ROWS = 20


# ---------------------------------------------------------------------------------------------
# PRIM


@dataclass
class PrimBox:
    """One box of a PRIM peeling trajectory.

    Attributes:
        limits: ``{parameter: (low, high)}`` for every parameter.
        restricted: the parameters whose limits are narrower than the data's.
        coverage: share of all cases of interest that fall in the box.
        density: share of the cases in the box that are of interest.
        mass: share of all cases that fall in the box.
    """

    limits: dict[str, tuple[float, float]]
    restricted: list[str]
    coverage: float
    density: float
    mass: float

    def describe(self) -> str:
        """``name in [low, high]; ...`` for the restricted parameters."""
        if not self.restricted:
            return "no restriction (the outcome is spread over the whole space)"
        return "; ".join(
            f"{name} in [{self.limits[name][0]:.4g}, {self.limits[name][1]:.4g}]" for name in self.restricted
        )


@dataclass
class PrimResult:
    """A PRIM peeling trajectory, the box chosen on it, and that box with needless limits dropped.

    Attributes:
        names: the parameter names.
        trajectory: the boxes, from the whole space to the smallest.
        chosen: index of the box with the highest coverage x density.
        box: the chosen box after dropping the limits that are not significant (peeling also
            trims parameters that do not matter).
    """

    names: list[str]
    trajectory: list[PrimBox]
    chosen: int
    box: PrimBox


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, q * cumulative[-1], side="left"))
    return float(values[order][min(index, len(values) - 1)])


def prim(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str] | None = None,
    *,
    weights: np.ndarray | None = None,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    significance: float = 0.05,
) -> PrimResult:
    """Patient Rule Induction Method (Friedman and Fisher 1999): peel a box toward an outcome.

    Starting from the box that holds every case, each step removes the ``alpha`` share of the
    cases at the low or high end of one parameter, choosing the cut with the highest gain in
    density of cases of interest per case removed (the "lenient" objective, fair to grids),
    until less than ``min_mass`` of the cases would remain. (When the cut would remove nothing,
    as with repeated grid values, every case at the extreme value goes.) The chosen box
    maximizes coverage x density along the trajectory; limits that are not significant (Bryant
    and Lempert's quasi-p-value above ``significance``) are then dropped.

    Args:
        x: parameter values, shape (cases, parameters).
        y: outcome per case: 1/0, or the share of a case's runs in which the outcome occurs.
        names: parameter names (default ``x0``, ``x1`` ...).
        weights: weight per case (default 1).
        alpha: share of the box's cases peeled per step.
        min_mass: smallest share of all cases a box may keep.
        significance: a limit of the chosen box is dropped when its quasi-p-value (the chance
            of the box's density if the limit were dropped, binomial over cases) exceeds this.

    Returns:
        The peeling trajectory and the chosen box.

    Raises:
        ValueError: for mismatched shapes or an outcome that never occurs.
    """
    from scipy.stats import binom

    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    y = np.asarray(y, dtype=np.float64)
    n, d = x.shape
    if y.shape != (n,):
        raise ValueError(f"y must have one value per case ({n}), got shape {y.shape}")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    labels = list(names) if names is not None else [f"x{j}" for j in range(d)]
    total_w = float(w.sum())
    total_hits = float((w * y).sum())
    if total_hits <= 0:
        raise ValueError("the outcome never occurs: there is no box to find")
    data_lo, data_hi = x.min(axis=0), x.max(axis=0)

    def box(inside: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> PrimBox:
        wi = w[inside]
        hits = float((wi * y[inside]).sum())
        restricted = [labels[j] for j in range(d) if lo[j] > data_lo[j] or hi[j] < data_hi[j]]
        return PrimBox(
            limits={labels[j]: (float(lo[j]), float(hi[j])) for j in range(d)},
            restricted=restricted,
            coverage=hits / total_hits,
            density=hits / float(wi.sum()),
            mass=float(wi.sum()) / total_w,
        )

    inside = np.ones(n, dtype=bool)
    lo, hi = data_lo.copy(), data_hi.copy()
    trajectory = [box(inside, lo, hi)]
    while True:
        best: tuple[float, float, int, str, float] | None = None
        wi, yi = w[inside], y[inside]
        in_w = float(wi.sum())
        current = float((wi * yi).sum()) / in_w
        for j in range(d):
            xj = x[inside, j]
            for side in ("low", "high"):
                if side == "low":
                    cut = _weighted_quantile(xj, wi, alpha)
                    keep = xj > cut if cut <= xj.min() else xj >= cut
                else:
                    cut = _weighted_quantile(xj, wi, 1.0 - alpha)
                    keep = xj < cut if cut >= xj.max() else xj <= cut
                kept_w = float(wi[keep].sum())
                if not keep.any() or keep.all() or kept_w <= 0:
                    continue
                density = float((wi[keep] * yi[keep]).sum()) / kept_w
                # Gain in density per unit of weight peeled off, so a cut that removes a whole
                # grid level competes fairly with a thinner one.
                gain = (density - current) / (in_w - kept_w)
                bound = float(xj[keep].min()) if side == "low" else float(xj[keep].max())
                candidate = (gain, kept_w, j, side, bound)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        if best is None or best[1] / total_w < min_mass:
            break
        _, _, j, side, bound = best
        if side == "low":
            inside &= x[:, j] >= bound
            lo[j] = bound
        else:
            inside &= x[:, j] <= bound
            hi[j] = bound
        trajectory.append(box(inside, lo, hi))
    scores = [b.coverage * b.density for b in trajectory]
    chosen = int(np.argmax(scores))
    simple = trajectory[chosen]
    mean_w = total_w / n
    while simple.restricted:
        # Bryant and Lempert's quasi-p-value: how likely is the box's density if a limit were
        # dropped? Drop the least significant limit while that chance exceeds `significance`.
        inside = np.all(
            [
                (x[:, j] >= simple.limits[name][0]) & (x[:, j] <= simple.limits[name][1])
                for j, name in enumerate(labels)
            ],
            axis=0,
        )
        cases = float(w[inside].sum()) / mean_w
        hits = float((w[inside] * y[inside]).sum()) / mean_w
        worst, worst_p = None, significance
        for name in simple.restricted:
            j = labels.index(name)
            low = np.array([simple.limits[n_][0] for n_ in labels])
            high = np.array([simple.limits[n_][1] for n_ in labels])
            low[j], high[j] = data_lo[j], data_hi[j]
            freed = np.all((x >= low) & (x <= high), axis=1)
            base = float((w[freed] * y[freed]).sum() / w[freed].sum())
            p_value = float(binom.sf(math.ceil(hits) - 1, max(1, round(cases)), min(max(base, 0.0), 1.0)))
            if p_value > worst_p:
                worst, worst_p = (freed, low, high), p_value
        if worst is None:
            break
        simple = box(*worst)
    return PrimResult(names=labels, trajectory=trajectory, chosen=chosen, box=simple)


# ---------------------------------------------------------------------------------------------
# reading the results chunk by chunk


@dataclass
class _PointStats:
    point_ids: list[np.ndarray] = field(default_factory=list)
    runs: list[np.ndarray] = field(default_factory=list)
    stats: list[np.ndarray] = field(default_factory=list)  # (points, columns, 4)
    share: list[np.ndarray] = field(default_factory=list)

    def add(self, pids: np.ndarray, matrix: np.ndarray, hits: np.ndarray) -> None:
        unique, counts = np.unique(pids, return_counts=True)
        order = np.argsort(pids, kind="stable")
        matrix, hits = matrix[order], hits[order]
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        out = np.empty((len(unique), matrix.shape[1], len(STATISTICS)))
        share = np.empty(len(unique))
        if len(unique) and np.all(counts == counts[0]):
            cube = matrix.reshape(len(unique), counts[0], matrix.shape[1])
            out[:, :, 0] = cube.mean(axis=1)
            out[:, :, 1:] = np.moveaxis(np.percentile(cube, PERCENTILES, axis=1), 0, -1)
            share[:] = hits.reshape(len(unique), counts[0]).mean(axis=1)
        else:
            for i, (a, c) in enumerate(zip(starts, counts, strict=True)):
                block = matrix[a : a + c]
                out[i, :, 0] = block.mean(axis=0)
                out[i, :, 1:] = np.percentile(block, PERCENTILES, axis=0).T
                share[i] = hits[a : a + c].mean()
        self.point_ids.append(unique)
        self.runs.append(counts)
        self.stats.append(out)
        self.share.append(share)


def _read_point_stats(
    out_dir: Path, manifest: dict[str, Any], columns: list[str], outcome: Outcome
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per design point: ids, runs, (points, columns, statistics) array, outcome share; notes."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    reps = manifest["replications"]
    last_turn = {s["id"]: (max(s["recorded_turns"]) if s["recorded_turns"] else None) for s in manifest["scenarios"]}
    wanted = list(dict.fromkeys([*columns, outcome.indicator]))
    notes: list[str] = []
    acc = _PointStats()
    buffer: list[pa.Table] = []

    def flush() -> None:
        if not buffer:
            return
        table = pa.concat_tables(buffer)
        buffer.clear()
        matrix = np.column_stack([table[name].to_numpy() for name in columns])
        hits = outcome.test(table[outcome.indicator].to_numpy()).astype(np.float64)
        acc.add(table["point_id"].to_numpy(), matrix, hits)

    keep = bool(manifest.get("keep_trajectories"))
    missing = 0
    for chunk in sorted(manifest["chunks"], key=lambda c: c["first_run"]):
        if chunk["status"] != "done" and not part_is_valid(out_dir, chunk, keep):
            missing += chunk["runs"]
            flush()
            continue
        turn = last_turn[chunk["scenario"]]
        read = ["point_id", *wanted] + (["turn"] if turn is not None else [])
        table = pq.read_table(part_path(out_dir, PARTS, chunk["id"]), columns=read)
        if turn is not None:
            table = table.filter(pc.equal(table["turn"], turn))
        buffer.append(table)
        if chunk["stop_run"] % reps == 0:
            flush()
    flush()
    if missing:
        notes.append(
            f"{missing:,} of {manifest['runs']['total']:,} runs are missing (failed or unfinished chunks); "
            "re-run the sweep command to complete them"
        )
    if not acc.point_ids:
        raise SweepError(f"{out_dir}: no finished results to analyze yet")
    return (
        np.concatenate(acc.point_ids),
        np.concatenate(acc.runs),
        np.concatenate(acc.stats),
        np.concatenate(acc.share),
        notes,
    )


# ---------------------------------------------------------------------------------------------
# sensitivity


def _sensitivity(
    spec: ExperimentSpec, names: list[str], scenario: str, y: np.ndarray
) -> tuple[list[dict[str, Any]], str | None]:
    """Sobol or Morris indices of ``y`` (one value per sample, in sample order) for one scenario."""
    if np.isnan(y).any():
        missing = int(np.isnan(y).sum())
        return [], (
            f"{spec.sampler} indices for '{scenario}' skipped: {missing} design point(s) have no results; "
            "re-run the sweep command to complete them"
        )
    d = len(names)
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    rows: list[dict[str, Any]] = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if spec.sampler == "sobol":
            from SALib.analyze import sobol

            result = sobol.analyze(problem, y, calc_second_order=spec.second_order, seed=spec.seed)
            method, keys = "sobol", ("S1", "S1_conf", "ST", "ST_conf")
        else:
            from SALib.analyze import morris

            x = sample_units(spec, names)
            result = morris.analyze(problem, x, y, num_levels=spec.levels or DEFAULT_MORRIS_LEVELS, seed=spec.seed)
            method, keys = "morris", ("mu", "mu_star", "sigma", "mu_star_conf")
    for j, name in enumerate(names):
        row = {"scenario": scenario, "method": method, "parameter": name}
        rows.append(row | {key: float(result[key][j]) for key in keys})
    return rows, None


# ---------------------------------------------------------------------------------------------
# plots


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _plot_vs_parameters(points: Any, names: list[str], output: str, path: Path) -> Path:
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig = _figure(4.2 * cols, 3.4 * rows)
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
    fig.savefig(path, dpi=110)
    return path


def _plot_heatmap(group: Any, names: list[str], output: str, outcome: Outcome, scenario: str, path: Path) -> Path:
    fig = _figure(11, 4.6)
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
    fig.savefig(path, dpi=110)
    return path


def _plot_sensitivity(rows: list[dict[str, Any]], method: str, output: str, scenario: str, path: Path) -> Path:
    names = [r["parameter"] for r in rows]
    fig = _figure(max(6.0, 0.8 * len(names) + 2), 4.2)
    ax = fig.subplots()
    index = np.arange(len(names))
    if method == "sobol":
        width = 0.38
        for offset, key, label in ((-width / 2, "S1", "first order S1"), (width / 2, "ST", "total ST")):
            values = [r[key] for r in rows]
            errors = [r[f"{key}_conf"] for r in rows]
            ax.bar(index + offset, values, width, yerr=errors, capsize=3, label=label)
        ax.set_ylabel("Sobol index (95% CI)")
        ax.legend()
    else:
        ax.bar(index, [r["mu_star"] for r in rows], 0.6, yerr=[r["mu_star_conf"] for r in rows], capsize=3)
        ax.set_ylabel("Morris mu* (per unit of range, 95% CI)")
    ax.set_xticks(index, names, rotation=30, ha="right")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(f"{scenario}: sensitivity of mean {output} ({method})")
    fig.savefig(path, dpi=110)
    return path


def _plot_prim(result: PrimResult, outcome: Outcome, scenario: str, path: Path) -> Path:
    fig = _figure(6, 4.6)
    ax = fig.subplots()
    coverage = [b.coverage for b in result.trajectory]
    density = [b.density for b in result.trajectory]
    points = ax.scatter(coverage, density, c=[len(b.restricted) for b in result.trajectory], cmap="viridis", s=18)
    fig.colorbar(points, ax=ax, label="restricted parameters")
    peeled, chosen = result.trajectory[result.chosen], result.box
    ax.scatter([peeled.coverage], [peeled.density], s=120, facecolors="none", edgecolors="red", label="chosen box")
    if chosen is not peeled:
        ax.scatter([chosen.coverage], [chosen.density], s=60, marker="x", color="red", label="after dropping limits")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title(f"{scenario}: PRIM peeling for {outcome}")
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=110)
    return path


# ---------------------------------------------------------------------------------------------
# analyze


@dataclass
class AnalysisResult:
    """What :func:`analyze` computed and wrote."""

    out_dir: Path
    output: str
    outcome: Outcome
    summary: Any
    """Long table: one row per design point and indicator (mean, p5, p50, p95)."""
    points: Any
    """One row per design point: parameters, runs, the output's statistics, outcome share."""
    sensitivity: Any | None
    discovery: dict[str, PrimResult | None]
    files: list[Path]
    notes: list[str]


def _available_columns(manifest: dict[str, Any]) -> list[str]:
    indicators = manifest["indicators"]
    return [*indicators, *(f"{i}:{s}" for i in indicators for s in manifest["statistics"])]


def analyze(
    out_dir: str | Path,
    plots: bool = True,
    *,
    output: str | None = None,
    outcome: str | None = None,
    echo: bool = True,
) -> AnalysisResult:
    """Summarize a sweep folder, compute sensitivity indices and discover scenarios; write results.

    Args:
        out_dir: the sweep folder (``trilat sweep ... --out DIR``).
        plots: write PNG plots.
        output: the output for sensitivity, discovery and plots (default: the experiment's
            ``analysis.output``, ``trilateral`` at the final turn).
        outcome: the outcome of interest, e.g. ``"trilateral < 0.4"`` (default: the experiment's).
        echo: print the tables.

    Returns:
        The tables and the files written under ``DIR/analysis/``.

    Raises:
        SweepError: for a folder that is not a sweep, or an unknown output.
    """
    import pandas as pd

    out = Path(out_dir)
    manifest = read_manifest(out)
    spec = ExperimentSpec.model_validate(manifest["experiment"]["spec"])
    names: list[str] = list(manifest["parameters"])
    available = _available_columns(manifest)
    output = output or spec.analysis.output
    if output not in available:
        raise SweepError(f"output '{output}' was not recorded in {out}{did_you_mean(output, available)}")
    try:
        chosen = parse_outcome(outcome or spec.analysis.outcome)
    except ValueError as exc:
        raise SweepError(str(exc)) from None
    if chosen.indicator not in available:
        raise SweepError(
            f"outcome uses '{chosen.indicator}', which was not recorded in {out}"
            f"{did_you_mean(chosen.indicator, available)}"
        )
    columns = list(dict.fromkeys([*manifest["indicators"], output]))
    point_ids, runs, stats, share, notes = _read_point_stats(out, manifest, columns, chosen)

    design = design_frame(manifest).set_index("point_id")
    found = design.loc[point_ids].reset_index()
    # Long summary: one row per (point, indicator).
    n_points, n_cols = len(point_ids), len(columns)
    summary = pd.DataFrame(
        {
            "point_id": np.repeat(point_ids, n_cols),
            "scenario": np.repeat(found["scenario"].to_numpy(), n_cols),
            **{name: np.repeat(found[name].to_numpy(), n_cols) for name in names},
            "indicator": np.tile(np.asarray(columns, dtype=object), n_points),
            "runs": np.repeat(runs, n_cols),
            **{stat: stats[:, :, k].ravel() for k, stat in enumerate(STATISTICS)},
        }
    )
    j = columns.index(output)
    points = found[["point_id", "scenario", "sample", *names]].copy()
    points["runs"] = runs
    for k, stat in enumerate(STATISTICS):
        points[f"{output}:{stat}"] = stats[:, j, k]
    points["outcome_share"] = share

    folder = out / ANALYSIS
    folder.mkdir(exist_ok=True)
    files = []
    for frame, stem in ((summary, "summary"), (points, "points")):
        frame.to_csv(folder / f"{stem}.csv", index=False)
        frame.to_parquet(folder / f"{stem}.parquet", index=False)
        files += [folder / f"{stem}.csv", folder / f"{stem}.parquet"]

    sensitivity = None
    scenario_ids = [s["id"] for s in manifest["scenarios"]]
    if spec.sampler in ("sobol", "morris"):
        rows: list[dict[str, Any]] = []
        samples = len(design) // len(scenario_ids)
        for scenario in scenario_ids:
            y = np.full(samples, np.nan)
            mine = points[points["scenario"] == scenario]
            y[mine["sample"].to_numpy()] = mine[f"{output}:mean"].to_numpy()
            found_rows, note = _sensitivity(spec, names, scenario, y)
            rows += found_rows
            if note:
                notes.append(note)
        if rows:
            sensitivity = pd.DataFrame(rows)
            sensitivity.to_csv(folder / "sensitivity.csv", index=False)
            files.append(folder / "sensitivity.csv")

    discovery: dict[str, PrimResult | None] = {}
    boxes = []
    for scenario in scenario_ids:
        mine = points[points["scenario"] == scenario]
        if mine.empty or mine["outcome_share"].sum() == 0:
            discovery[scenario] = None
            continue
        result = prim(mine[names].to_numpy(), mine["outcome_share"].to_numpy(), names, weights=mine["runs"].to_numpy())
        discovery[scenario] = result
        box = result.box
        for name in names:
            low, high = box.limits[name]
            boxes.append(
                {
                    "scenario": scenario,
                    "outcome": str(chosen),
                    "parameter": name,
                    "low": low,
                    "high": high,
                    "restricted": name in box.restricted,
                    "coverage": box.coverage,
                    "density": box.density,
                    "mass": box.mass,
                }
            )
    if boxes:
        pd.DataFrame(boxes).to_csv(folder / "discovery.csv", index=False)
        files.append(folder / "discovery.csv")

    if plots:
        files.append(_plot_vs_parameters(points, names, output, folder / f"{_safe(output)}-vs-parameters.png"))
        for scenario in scenario_ids:
            mine = points[points["scenario"] == scenario]
            if spec.sampler == "grid" and len(names) == 2 and not mine.empty:
                path = folder / f"heatmap-{_safe(scenario)}.png"
                files.append(_plot_heatmap(mine, names, output, chosen, scenario, path))
            if sensitivity is not None and (sensitivity["scenario"] == scenario).any():
                rows_here = sensitivity[sensitivity["scenario"] == scenario].to_dict("records")
                path = folder / f"{spec.sampler}-{_safe(scenario)}.png"
                files.append(_plot_sensitivity(rows_here, spec.sampler, output, scenario, path))
            if discovery.get(scenario) is not None:
                path = folder / f"prim-{_safe(scenario)}.png"
                files.append(_plot_prim(discovery[scenario], chosen, scenario, path))  # type: ignore[arg-type]

    result = AnalysisResult(out, output, chosen, summary, points, sensitivity, discovery, files, notes)
    if echo:
        print_analysis(result, manifest)
    return result


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def print_analysis(result: AnalysisResult, manifest: dict[str, Any]) -> None:
    """Print the per-point table (first rows), sensitivity indices and discovered boxes."""
    import pandas as pd

    experiment = manifest["experiment"]
    runs = int(result.points["runs"].sum())
    print(
        f"Sweep '{experiment['id']}' ({manifest['sampler']}): {len(result.points):,} design points, "
        f"{runs:,} runs, {manifest['replications']:,} replications per point"
    )
    print(f"\n{result.output} at the end, per design point; share = runs with {result.outcome}")
    shown = result.points.drop(columns=["sample"]).rename(columns=lambda c: c.replace(f"{result.output}:", ""))
    shown = shown.rename(columns={"outcome_share": "share"})
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.precision", 3):
        print(shown.head(PRINTED_ROWS).to_string(index=False))
    if len(shown) > PRINTED_ROWS:
        print(f"... {len(shown) - PRINTED_ROWS:,} more rows in {result.out_dir / ANALYSIS / 'points.csv'}")
    if result.sensitivity is not None:
        print(f"\nSensitivity of mean {result.output} ({manifest['sampler']}, 95% confidence intervals)")
        table = result.sensitivity.drop(columns=["method"])
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nScenario discovery (PRIM): where {result.outcome}")
    for scenario, found in result.discovery.items():
        mine = result.points[result.points["scenario"] == scenario]
        overall = float((mine["outcome_share"] * mine["runs"]).sum() / max(1, mine["runs"].sum()))
        if found is None:
            print(f"  {scenario}: occurs in none of the runs")
            continue
        box = found.box
        print(
            f"  {scenario}: occurs in {overall:.1%} of runs; box {box.describe()}\n"
            f"    (coverage {box.coverage:.0%} of those runs, density {box.density:.0%} inside the box, "
            f"mass {box.mass:.0%} of the design)"
        )
    for note in result.notes:
        print(f"note: {note}")
    print(f"\nwrote {len(result.files)} files in {result.out_dir / ANALYSIS}")
