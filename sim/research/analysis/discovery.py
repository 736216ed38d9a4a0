"""PRIM (Patient Rule Induction Method): the parameter box in which an outcome of interest concentrates.

:func:`prim` is a small, self-contained peeling algorithm (Friedman and Fisher 1999) with Bryant
and Lempert's quasi-p-value test to drop limits that are not significant; :func:`discover` runs
it per scenario on a sweep's design points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.research.experiment import Outcome


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
    from scipy.stats import binom  # heavy: loads all of scipy.stats, only when PRIM runs

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


@dataclass
class Discovery:
    """Scenario discovery over a sweep: the PRIM result per scenario and the boxes as table rows."""

    results: dict[str, PrimResult | None]
    """The PRIM result per scenario (None when the outcome never occurs in it)."""
    rows: list[dict[str, Any]]
    """One row per scenario and parameter: the chosen box's limits and its quality."""


def discover(points: pd.DataFrame, names: list[str], outcome: Outcome, scenario_ids: list[str]) -> Discovery:
    """Run PRIM per scenario on the design points' outcome shares, weighted by their runs."""
    results: dict[str, PrimResult | None] = {}
    rows: list[dict[str, Any]] = []
    for scenario in scenario_ids:
        mine = points[points["scenario"] == scenario]
        if mine.empty or mine["outcome_share"].sum() == 0:
            results[scenario] = None
            continue
        result = prim(mine[names].to_numpy(), mine["outcome_share"].to_numpy(), names, weights=mine["runs"].to_numpy())
        results[scenario] = result
        box = result.box
        for name in names:
            low, high = box.limits[name]
            rows.append(
                {
                    "scenario": scenario,
                    "outcome": str(outcome),
                    "parameter": name,
                    "low": low,
                    "high": high,
                    "restricted": name in box.restricted,
                    "coverage": box.coverage,
                    "density": box.density,
                    "mass": box.mass,
                }
            )
    return Discovery(results, rows)
