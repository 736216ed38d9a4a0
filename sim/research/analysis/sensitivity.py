"""Sensitivity indices of a sweep's output: Sobol (first order and total) or Morris, with SALib.

The indices are computed on the per-design-point mean of one output, per scenario, in the
sampler's sample order; a scenario with design points missing is skipped with a note.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.research.experiment import DEFAULT_MORRIS_LEVELS, ExperimentSpec, sample_units

SAMPLERS = ("sobol", "morris")
"""The samplers whose designs support sensitivity indices."""


def scenario_indices(
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
            from SALib.analyze import sobol  # heavy: only for Sobol designs

            result = sobol.analyze(problem, y, calc_second_order=spec.second_order, seed=spec.seed)
            method, keys = "sobol", ("S1", "S1_conf", "ST", "ST_conf")
        else:
            from SALib.analyze import morris  # heavy: only for Morris designs

            x = sample_units(spec, names)
            result = morris.analyze(problem, x, y, num_levels=spec.levels or DEFAULT_MORRIS_LEVELS, seed=spec.seed)
            method, keys = "morris", ("mu", "mu_star", "sigma", "mu_star_conf")
    for j, name in enumerate(names):
        row = {"scenario": scenario, "method": method, "parameter": name}
        rows.append(row | {key: float(result[key][j]) for key in keys})
    return rows, None


@dataclass
class Sensitivity:
    """Sensitivity indices over every scenario (None when none could be computed), and notes."""

    table: pd.DataFrame | None
    notes: list[str]


def sensitivity(
    spec: ExperimentSpec, names: list[str], points: pd.DataFrame, output: str, scenario_ids: list[str], samples: int
) -> Sensitivity:
    """Indices of the mean of ``output`` per scenario (``points``: one row per design point)."""
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for scenario in scenario_ids:
        y = np.full(samples, np.nan)
        mine = points[points["scenario"] == scenario]
        y[mine["sample"].to_numpy()] = mine[f"{output}:mean"].to_numpy()
        found_rows, note = scenario_indices(spec, names, scenario, y)
        rows += found_rows
        if note:
            notes.append(note)
    return Sensitivity(pd.DataFrame(rows) if rows else None, notes)
