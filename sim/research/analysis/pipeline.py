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

from sim.errors import did_you_mean
from sim.research.analysis.discovery import Discovery, PrimResult, discover, print_discovery_details
from sim.research.analysis.plots import write_plots
from sim.research.analysis.sensitivity import SAMPLERS, sensitivity
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
    return [*indicators, *(f"{i}:{s}" for i in indicators for s in manifest.statistics)]


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
    frame.to_csv(folder / f"{stem}.csv", index=False)
    if not parquet:
        return [folder / f"{stem}.csv"]
    frame.to_parquet(folder / f"{stem}.parquet", index=False)
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
    spec = ExperimentSpec.model_validate(manifest.experiment.spec)
    names: list[str] = list(manifest.parameters)
    output, chosen = _chosen(out, manifest, spec, output, outcome)
    columns = list(dict.fromkeys([*manifest.indicators, output]))
    point = read_point_stats(out, manifest, columns, chosen)
    notes = point.notes

    design = design_frame(manifest).set_index("point_id")
    found = design.loc[point.point_ids].reset_index()
    summary = summary_table(found, names, columns, point)
    points = points_table(found, names, columns, output, point)

    folder = out / ANALYSIS
    folder.mkdir(exist_ok=True)
    files = _write_table(summary, folder, "summary") + _write_table(points, folder, "points")

    indices = None
    scenario_ids = [s.id for s in manifest.scenarios]
    if spec.sampler in SAMPLERS:
        computed = sensitivity(spec, names, points, output, scenario_ids, len(design) // len(scenario_ids))
        notes += computed.notes
        indices = computed.table
        if indices is not None:
            files += _write_table(indices, folder, "sensitivity", parquet=False)

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
        files += write_plots(
            folder, points, names, output, chosen, spec.sampler, indices, discovered.results, discovered.stability
        )

    def write(frame: pd.DataFrame, stem: str) -> list[Path]:
        return _write_table(frame, folder, stem)

    plot_folder = folder if plots else None
    paths = None
    if trajectories is not None:
        paths = trajectory_stage(out, manifest, design, trajectories, discovered.results, write, plot_folder)
        files += paths.files
    explored = None
    if explore and spec.sampler in EXPLORED and len(names) > 1:
        explored = explore_stage(points, names, output, write, plot_folder)
        files += explored.files

    _remove_stale(folder, files)
    result = AnalysisResult(out, output, chosen, summary, points, indices, discovered.results, files, notes)
    result.found, result.paths, result.explored = discovered, paths, explored
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


def print_analysis(result: AnalysisResult, manifest: Manifest) -> None:
    """Print the per-point table (first rows), sensitivity indices and discovered boxes."""
    runs = int(result.points["runs"].sum())
    print(
        f"Sweep '{manifest.experiment.id}' ({manifest.sampler}): {len(result.points):,} design points, "
        f"{runs:,} runs, {manifest.replications:,} replications per point"
    )
    print(f"\n{result.output} at the end, per design point; share = runs with {result.outcome}")
    shown = result.points.drop(columns=["sample"]).rename(columns=lambda c: c.replace(f"{result.output}:", ""))
    shown = shown.rename(columns={"outcome_share": "share"})
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.precision", 3):
        print(shown.head(PRINTED_ROWS).to_string(index=False))
    if len(shown) > PRINTED_ROWS:
        print(f"... {len(shown) - PRINTED_ROWS:,} more rows in {result.out_dir / ANALYSIS / 'points.csv'}")
    if result.sensitivity is not None:
        print(f"\nSensitivity of mean {result.output} ({manifest.sampler}, 95% confidence intervals)")
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
    if result.found is not None:
        print_discovery_details(result.found)
    for note in result.notes:
        print(f"note: {note}")
