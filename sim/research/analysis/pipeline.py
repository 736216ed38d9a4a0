"""Analysing a sweep folder: per-point summaries, sensitivity indices, scenario discovery and plots.

:func:`analyze` reads the Parquet parts chunk by chunk (memory stays bounded by a chunk or one
design point's replications) and writes to ``DIR/analysis/``: a summary per design point and
indicator (mean, p5, p50, p95), for ``sobol`` and ``morris`` designs the sensitivity indices of
the per-point mean of one output (SALib, with confidence intervals), scenario discovery with
PRIM (the parameter box in which an outcome of interest, such as ``trilateral < 0.4``, is
concentrated), and PNG plots.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.atomic import atomic_write, atomic_write_text
from sim.errors import did_you_mean
from sim.research.analysis.discovery import Discovery, PrimResult, discover, print_discovery_details
from sim.research.analysis.outcome_stats import PointValues, column_of, point_statistic_table
from sim.research.analysis.parts import PartReader
from sim.research.analysis.plots import write_plots
from sim.research.analysis.robustness import plot_robustness, robustness_table
from sim.research.analysis.sensitivity import SAMPLERS, Sensitivity, sensitivity
from sim.research.analysis.stages import (
    EXPLORED,
    ExploreResult,
    PathOptions,
    PathResult,
    explore_stage,
    print_explore,
    print_paths,
    trajectory_stage,
)
from sim.research.analysis.summaries import points_table, read_point_stats, summary_table
from sim.research.experiment import ExperimentSpec, Outcome, parse_outcome
from sim.research.sweep import Manifest, SweepError, design_frame, load_manifest
from sim.research.sweep.damage import analysis_folder

ANALYSIS = "analysis"
PRINTED_ROWS = 20
STALE_SUFFIXES = (".csv", ".parquet", ".png")
"""Files in the analysis folder that each analysis rewrites or removes (so none is left stale)."""


@dataclass
class AnalysisResult:
    """What :func:`analyze` computed and wrote."""

    out_dir: Path
    output: str
    outcome: Outcome
    summary: pd.DataFrame
    """Long table: one row per design point and indicator (mean, p5, p50, p95)."""
    points: pd.DataFrame
    """One row per design point: parameters, runs, the output's statistics, outcome share."""
    sensitivity: pd.DataFrame | None
    discovery: dict[str, PrimResult | None]
    files: list[Path]
    notes: list[str]
    found: Discovery | None = None
    """Everything scenario discovery found: boxes in sequence, trajectory, stability, CART leaves."""
    paths: PathResult | None = None
    """Trajectory analytics (with ``trajectories=...``)."""
    explored: ExploreResult | None = None
    """Feature scores (grid, LHS and Monte Carlo designs)."""
    second_order: pd.DataFrame | None = None
    """Sobol second-order indices (S2, S2_conf) per parameter pair, when the design has them."""
    robustness: pd.DataFrame | None = None
    """Per policy: robustness metrics over the uncertainty samples (experiments with levers)."""
    statistic: str = "mean"
    """The per-point statistic of the output that the sensitivity indices use."""


@dataclass
class DiscoveryOptions:
    """Options of scenario discovery (``trilat analyze --box/--boxes/--resample/--cart``)."""

    box: int | None = None
    """Index of the box on the peeling trajectory (default: the highest coverage x density)."""
    boxes: int = 1
    """Boxes to find in sequence (covering)."""
    resamples: int = 0
    """Bootstrap samples of the runs for the stability table (0: none)."""
    cart: bool = False
    """Also grow a CART tree."""
    min_mass: float = 0.05
    """The smallest share of the runs a box (or CART leaf) may hold."""


def _available_columns(manifest: Manifest) -> list[str]:
    indicators = manifest.indicators
    outcomes = manifest.experiment.spec.get("outcomes") or {}
    return [*indicators, *(f"{i}:{s}" for i in indicators for s in manifest.statistics), *outcomes]


def _chosen(
    out: Path, manifest: Manifest, spec: ExperimentSpec, output: str | None, outcome: str | None
) -> tuple[str, Outcome]:
    """The output and outcome to study, checked against what the sweep recorded."""
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
    return output, chosen


def _write_table(frame: pd.DataFrame, folder: Path, stem: str, parquet: bool = True) -> list[Path]:
    """Write a table as CSV (and Parquet); return the files."""
    atomic_write_text(folder / f"{stem}.csv", frame.to_csv(index=False))
    if not parquet:
        return [folder / f"{stem}.csv"]
    atomic_write(folder / f"{stem}.parquet", lambda handle: frame.to_parquet(handle, index=False), binary=True)
    return [folder / f"{stem}.csv", folder / f"{stem}.parquet"]


def analyze(
    out_dir: str | Path,
    plots: bool = True,
    *,
    output: str | None = None,
    outcome: str | None = None,
    echo: bool = True,
    discovery: DiscoveryOptions | None = None,
    trajectories: PathOptions | None = None,
    explore: bool = False,
) -> AnalysisResult:
    """Summarize a sweep folder, compute sensitivity indices and discover scenarios; write results.

    Args:
        out_dir: the sweep folder (``trilat sweep ... --out DIR``).
        plots: write PNG plots.
        output: the output for sensitivity, discovery and plots (default: the experiment's
            ``analysis.output``, ``trilateral`` at the final turn).
        outcome: the outcome of interest, e.g. ``"trilateral < 0.4"`` (default: the experiment's).
        echo: print the tables.
        discovery: options of scenario discovery (box choice, covering, resampling, CART).
        trajectories: trajectory analytics to run (fan charts, time to event, typical paths).
        explore: feature scores, dimensional stacking and pairs plots (for grid, LHS and Monte
            Carlo designs with two or more parameters).

    Returns:
        The tables and the files written under ``DIR/analysis/``.

    Raises:
        SweepError: for a folder that is not a sweep, or an unknown output.
    """
    out = Path(out_dir)
    manifest = load_manifest(out)
    folder = analysis_folder(out)
    parts = PartReader.open(out, manifest)  # checks every part first: damaged ones are named and skipped
    spec = ExperimentSpec.model_validate(manifest.experiment.spec)
    names: list[str] = list(manifest.parameters)
    output, chosen = _chosen(out, manifest, spec, output, outcome)
    column = column_of(output, spec)
    columns = list(dict.fromkeys([*manifest.indicators, column]))
    point = read_point_stats(out, manifest, columns, chosen, parts)
    notes = point.notes

    design = design_frame(manifest).set_index("point_id")
    found = design.loc[point.point_ids].reset_index()
    summary = summary_table(found, names, columns, point)
    points = points_table(found, names, columns, column, point)
    if "policy" in found.columns:
        points.insert(2, "policy", found["policy"].to_numpy())
    statistics = {name: point_statistic_table(out, manifest, spec, name, parts=parts) for name in spec.outcomes}
    for name, stat in statistics.items():
        points[name] = stat.values[points["point_id"].to_numpy()]

    folder.mkdir(exist_ok=True)
    files = _write_table(summary, folder, "summary") + _write_table(points, folder, "points")

    indices = None
    scenario_ids = [s.id for s in manifest.scenarios]
    computed = Sensitivity(None, [])
    statistic = statistics[output].statistic if output in statistics else "mean"
    if spec.sampler in SAMPLERS:
        studied = statistics.get(output) or point_statistic_table(out, manifest, spec, output, parts=parts)
        if output not in statistics:  # an indicator: the same per-point means as the points table, bit for bit
            studied.values[points["point_id"].to_numpy()] = points[f"{column}:mean"].to_numpy()
        computed = sensitivity(spec, names, design.reset_index(), studied.values, studied.noise)
        notes += computed.notes
        indices = computed.table
        if indices is not None:
            files += _write_table(indices, folder, "sensitivity", parquet=False)
        if computed.second_order is not None:
            files += _write_table(computed.second_order, folder, "sensitivity-s2", parquet=False)
    robust = None
    if "policy" in design.columns:
        robust, robust_files = _robustness(parts, spec, design.reset_index(), statistics, folder, plots)
        files += robust_files

    options = discovery or DiscoveryOptions()
    try:
        discovered = discover(
            points,
            names,
            chosen,
            scenario_ids,
            box=options.box,
            boxes=options.boxes,
            resamples=options.resamples,
            with_cart=options.cart,
            min_mass=options.min_mass,
        )
    except ValueError as exc:
        raise SweepError(str(exc)) from None
    files += _write_discovery(discovered, folder)

    if plots:
        shown = indices
        if shown is not None and "policy" in shown.columns:  # one bar per parameter and policy
            shown = shown.assign(parameter=shown["parameter"] + " [" + shown["policy"] + "]")
        files += write_plots(
            folder, points, names, column, chosen, spec.sampler, shown, discovered.results, discovered.stability
        )

    def write(frame: pd.DataFrame, stem: str) -> list[Path]:
        return _write_table(frame, folder, stem)

    plot_folder = folder if plots else None
    paths = None
    if trajectories is not None:
        paths = trajectory_stage(out, manifest, design, trajectories, discovered.results, write, plot_folder, parts)
        files += paths.files
    explored = None
    if explore and spec.sampler in EXPLORED and len(names) > 1:
        explored = explore_stage(points, names, column, write, plot_folder)
        files += explored.files

    if parts.skipped:  # which parts were left out, and how many runs (the report's note says it too)
        files += _write_table(parts.skipped_table(), folder, "skipped", parquet=False)
        notes = parts.notes() + notes
    _remove_stale(folder, files)
    result = AnalysisResult(out, output, chosen, summary, points, indices, discovered.results, files, notes)
    result.found, result.paths, result.explored = discovered, paths, explored
    result.second_order, result.robustness, result.statistic = computed.second_order, robust, statistic
    if echo:
        print_analysis(result, manifest)
        if paths is not None:
            print_paths(paths, trajectories.event if trajectories else None)
        if explored is not None:
            print_explore(explored)
        print(f"\nwrote {len(result.files)} files in {result.out_dir / ANALYSIS}")
    return result


def _remove_stale(folder: Path, written: list[Path]) -> None:
    """Remove tables and plots an earlier analysis left in ``folder`` that this one did not write."""
    keep = {p.resolve() for p in written}
    for path in folder.iterdir():
        if path.suffix in STALE_SUFFIXES and path.is_file() and path.resolve() not in keep:
            path.unlink()


def _write_discovery(found: Discovery, folder: Path) -> list[Path]:
    files: list[Path] = []
    if found.rows:
        files += _write_table(pd.DataFrame(found.rows), folder, "discovery", parquet=False)
    if found.trajectory:
        files += _write_table(pd.DataFrame(found.trajectory), folder, "prim-trajectory")
    if found.stability is not None:
        files += _write_table(found.stability, folder, "prim-stability")
    if found.cart:
        files += _write_table(pd.DataFrame(found.cart), folder, "cart")
    return files


def _robustness(
    parts: PartReader,
    spec: ExperimentSpec,
    design: pd.DataFrame,
    statistics: dict[str, PointValues],
    folder: Path,
    plots: bool,
) -> tuple[pd.DataFrame, list[Path]]:
    """The robustness table of the experiment's policies (its ``robustness:`` block, else the analysis output)."""
    chosen = spec.robustness
    name = chosen.outcome if chosen is not None else spec.analysis.output
    direction = chosen.direction if chosen is not None else "maximize"
    threshold = chosen.threshold if chosen is not None else None
    if name in statistics:
        values = statistics[name]
    else:
        values = point_statistic_table(parts.out, parts.manifest, spec, name, parts=parts)
    table = robustness_table(design, values.values, direction, threshold)
    table.insert(2, "outcome", name)
    files = _write_table(table, folder, "robustness", parquet=False)
    if plots and len(table):
        files.append(plot_robustness(table, name, direction, folder / "robustness.png"))
    return table, files


def print_analysis(result: AnalysisResult, manifest: Manifest) -> None:
    """Print the per-point table (first rows), sensitivity indices and discovered boxes."""
    runs = int(result.points["runs"].sum())
    print(
        f"Sweep '{manifest.experiment.id}' ({manifest.sampler}): {len(result.points):,} design points, "
        f"{runs:,} runs, {manifest.replications:,} replications per point"
    )
    print(f"\n{result.output} at the end, per design point; share = runs with {result.outcome}")
    prefixes = (f"outcome:{result.output}:", f"{result.output}:")
    shown = result.points.drop(columns=["sample"]).rename(
        columns=lambda c: next((c[len(p) :] for p in prefixes if c.startswith(p)), c)
    )
    shown = shown.rename(columns={"outcome_share": "share"})
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.precision", 3):
        print(shown.head(PRINTED_ROWS).to_string(index=False))
    if len(shown) > PRINTED_ROWS:
        print(f"... {len(shown) - PRINTED_ROWS:,} more rows in {result.out_dir / ANALYSIS / 'points.csv'}")
    if result.sensitivity is not None:
        print(f"\nSensitivity of {result.statistic} {result.output} ({manifest.sampler}, 95% confidence intervals)")
        table = result.sensitivity.drop(columns=["method"])
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if "ST_noise" in table.columns or "mu_star_noise" in table.columns:
            print("(ST_noise / mu_star_noise: the replication-noise floor, from split halves of the replications)")
    if result.second_order is not None:
        print("\nSecond-order Sobol indices (S2)")
        print(result.second_order.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if result.robustness is not None and len(result.robustness):
        print(f"\nRobustness of the policies over the uncertainty samples: {result.robustness['outcome'].iloc[0]}")
        shown = result.robustness.drop(columns=["outcome"])
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
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
    if result.found is not None:
        print_discovery_details(result.found)
    for note in result.notes:
        print(f"note: {note}")
