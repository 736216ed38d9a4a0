"""Sensitivity indices of any per-point statistic: Sobol (S1, ST, S2) or Morris, with SALib.

The indices are computed per block of the design (one scenario and one policy), on the
statistic's value at each design point in the sampler's sample order; a block with design
points missing is skipped with a note. Beside each total-order index (Morris: mu_star) stands
its replication-noise floor: the same estimator applied to split-half noise replicates of the
per-point statistic (see :mod:`sim.research.analysis.outcome_stats`), averaged over the splits
and divided by the variance of the statistic. A parameter whose index is below twice its
floor cannot be told apart from the noise of the replications (``within_noise``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.research.experiment import DEFAULT_MORRIS_LEVELS, ExperimentSpec, sample_units

SAMPLERS = ("sobol", "morris")
"""The samplers whose designs support sensitivity indices."""
NOISE_FACTOR = 2.0
"""An index below this multiple of its noise floor is reported as within the noise."""


def sobol_noise_floor(y: np.ndarray, noise: np.ndarray, d: int, second_order: bool) -> np.ndarray:
    """ST's replication-noise floor per parameter: the Saltelli/Jansen estimator on the noise replicates.

    Args:
        y: the statistic per sample (Saltelli order).
        noise: split-half noise replicates, shape (replicates, samples).
        d: the number of parameters.
        second_order: whether the design has the BA blocks.
    """
    step = 2 * d + 2 if second_order else d + 2
    a, b = y[0::step], y[step - 1 :: step]
    variance = float(np.var(np.r_[a, b]))
    if variance <= np.finfo(float).eps:
        return np.zeros(d)
    floors = np.zeros(d)
    for j in range(d):
        diffs = noise[:, 0::step] - noise[:, j + 1 :: step]
        floors[j] = float(np.mean(0.5 * np.mean(diffs**2, axis=1))) / variance
    return floors


def _problem(names: list[str]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


@dataclass
class BlockIndices:
    """The indices of one block: one row per parameter, and S2 rows (parameter pairs)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    second: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None


def _sobol(
    spec: ExperimentSpec, names: list[str], y: np.ndarray, noise: np.ndarray | None, label: dict[str, Any]
) -> BlockIndices:
    from SALib.analyze import sobol  # heavy: only for Sobol designs

    result = sobol.analyze(_problem(names), y, calc_second_order=spec.second_order, seed=spec.seed)
    floor = sobol_noise_floor(y, noise, len(names), spec.second_order) if noise is not None else None
    found = BlockIndices()
    for j, name in enumerate(names):
        row = label | {"method": "sobol", "parameter": name}
        row |= {key: float(result[key][j]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        if floor is not None:
            row["ST_noise"] = float(floor[j])
            row["within_noise"] = bool(row["ST"] <= NOISE_FACTOR * floor[j])
        found.rows.append(row)
    if spec.second_order:
        for j in range(len(names)):
            for k in range(j + 1, len(names)):
                found.second.append(
                    label
                    | {
                        "parameter_1": names[j],
                        "parameter_2": names[k],
                        "S2": float(result["S2"][j, k]),
                        "S2_conf": float(result["S2_conf"][j, k]),
                    }
                )
    return found


def _morris(
    spec: ExperimentSpec, names: list[str], y: np.ndarray, noise: np.ndarray | None, label: dict[str, Any]
) -> BlockIndices:
    from SALib.analyze import morris  # heavy: only for Morris designs

    x = sample_units(spec, names)
    levels = spec.levels or DEFAULT_MORRIS_LEVELS
    result = morris.analyze(_problem(names), x, y, num_levels=levels, seed=spec.seed)
    floor = None
    if noise is not None:
        floor = np.mean(
            [morris.analyze(_problem(names), x, e, num_levels=levels, seed=spec.seed)["mu_star"] for e in noise], axis=0
        )
    found = BlockIndices()
    for j, name in enumerate(names):
        row = label | {"method": "morris", "parameter": name}
        row |= {key: float(result[key][j]) for key in ("mu", "mu_star", "sigma", "mu_star_conf")}
        if floor is not None:
            row["mu_star_noise"] = float(floor[j])
            row["within_noise"] = bool(row["mu_star"] <= NOISE_FACTOR * floor[j])
        found.rows.append(row)
    return found


def block_indices(
    spec: ExperimentSpec, names: list[str], label: dict[str, Any], y: np.ndarray, noise: np.ndarray | None = None
) -> BlockIndices:
    """Sobol or Morris indices of ``y`` (one value per sample, in sample order) for one block."""
    if np.isnan(y).any():
        missing = int(np.isnan(y).sum())
        where = "/".join(str(v) for v in label.values())
        return BlockIndices(
            note=f"{spec.sampler} indices for '{where}' skipped: {missing} design point(s) have no results; "
            "re-run the sweep command to complete them"
        )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if spec.sampler == "sobol":
            return _sobol(spec, names, y, noise, label)
        return _morris(spec, names, y, noise, label)


@dataclass
class Sensitivity:
    """Sensitivity indices over every block (None when none could be computed), S2 rows, and notes."""

    table: pd.DataFrame | None
    notes: list[str]
    second_order: pd.DataFrame | None = None


def sensitivity(
    spec: ExperimentSpec,
    names: list[str],
    design: pd.DataFrame,
    values: np.ndarray,
    noise: np.ndarray | None = None,
) -> Sensitivity:
    """Indices of a per-point statistic per block of scenario (and policy).

    Args:
        spec: the experiment.
        names: the varied parameters.
        design: the design table (``point_id``, ``scenario``, optional ``policy``, ``sample``).
        values: the statistic per point id (NaN where a point has no results).
        noise: split-half noise replicates, shape (replicates, points), or None.
    """
    rows: list[dict[str, Any]] = []
    second: list[dict[str, Any]] = []
    notes: list[str] = []
    keys = ["scenario", "policy"] if "policy" in design.columns else ["scenario"]
    for key, block in design.groupby(keys, sort=False):
        label = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        order = block.sort_values("sample")["point_id"].to_numpy()
        found = block_indices(spec, names, label, values[order], noise[:, order] if noise is not None else None)
        rows += found.rows
        second += found.second
        if found.note:
            notes.append(found.note)
    table = pd.DataFrame(rows) if rows else None
    if table is not None and "within_noise" in table.columns and bool(table["within_noise"].any()):
        within = ", ".join(sorted(set(table.loc[table["within_noise"], "parameter"])))
        notes.append(
            f"warning: the index of {within} is within the replication-noise floor "
            f"(below {NOISE_FACTOR:g}x the floor): it cannot be told apart from the noise of the replications"
        )
    return Sensitivity(table, notes, pd.DataFrame(second) if second else None)
