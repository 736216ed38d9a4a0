"""Scenario discovery on a sweep: PRIM boxes in sequence (covering), their stability, and CART.

:func:`prim` (module ``prim``) finds one box; :func:`cover` finds several in sequence (the runs in
each box are set aside before looking for the next); :func:`resample` bootstraps the runs and
counts how often each limit reappears; :func:`cart` grows a classification tree (scikit-learn)
as an alternative. :func:`discover` runs them per scenario on a sweep's design points, where
each point counts with its runs and its share of runs with the outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.research.analysis.prim import PrimBox, PrimResult, box_stats, format_p, prim
from sim.research.experiment import Outcome

__all__ = [
    "Discovery",
    "PrimBox",
    "PrimResult",
    "cart",
    "cover",
    "discover",
    "prim",
    "print_discovery_details",
    "resample",
]


def cover(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    *,
    weights: np.ndarray | None = None,
    boxes: int = 3,
    **options: Any,
) -> list[PrimResult]:
    """Several PRIM boxes in sequence (covering): find a box, set its cases aside, repeat.

    Stops after ``boxes`` boxes, when no case of interest remains, or when a box restricts
    nothing. Each box's coverage, density and mass are those on the cases left when it was
    found (the usual convention); see :func:`total_coverage` for shares of the whole data.

    Args:
        x: parameter values, shape (cases, parameters).
        y: outcome share per case.
        names: parameter names.
        weights: runs per case (default 1).
        boxes: most boxes to find.
        **options: passed to :func:`prim` (``alpha``, ``min_mass``, ``significance``, ...); ``box``
            applies to the first box only.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    left = np.ones(len(y), dtype=bool)
    found: list[PrimResult] = []
    while len(found) < boxes and (w[left] * y[left]).sum() > 0:
        result = prim(x[left], y[left], names, weights=w[left], **options)
        options.pop("box", None)
        if not result.box.restricted:
            break
        found.append(result)
        lo = np.array([result.box.limits[n][0] for n in names])
        hi = np.array([result.box.limits[n][1] for n in names])
        left &= ~np.all((x >= lo) & (x <= hi), axis=1)
    return found


def resample(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    *,
    weights: np.ndarray | None = None,
    samples: int = 100,
    seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """Resampling stability: rerun PRIM on bootstrap samples of the runs; how often each limit reappears.

    Each bootstrap draws as many runs as there are, with replacement, from all runs: a design
    point gets a multinomial number of its runs, and each drawn run is of interest with the
    point's share (exactly what resampling its stored runs would give).

    Returns:
        One row per parameter: ``restricted`` (share of samples whose box restricts it), ``low``
        and ``high`` (share restricting that side), and the median and 5-95% range of each limit.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    rng = np.random.default_rng(seed)
    total = int(round(w.sum()))
    lows, highs, restricted_low, restricted_high = [], [], [], []
    data_lo, data_hi = x.min(axis=0), x.max(axis=0)
    for _ in range(samples):
        counts = rng.multinomial(total, w / w.sum()).astype(np.float64)
        hits = rng.binomial(counts.astype(np.int64), np.clip(y, 0.0, 1.0)).astype(np.float64)
        keep = counts > 0
        if hits.sum() == 0:
            continue
        box = prim(x[keep], hits[keep] / counts[keep], names, weights=counts[keep], **options).box
        lo = np.array([box.limits[n][0] for n in names])
        hi = np.array([box.limits[n][1] for n in names])
        lows.append(lo)
        highs.append(hi)
        restricted_low.append(lo > data_lo)
        restricted_high.append(hi < data_hi)
    if not lows:
        return pd.DataFrame(columns=["parameter", "samples", "restricted", "low", "high"])
    lo_m, hi_m = np.array(lows), np.array(highs)
    r_lo, r_hi = np.array(restricted_low), np.array(restricted_high)
    return pd.DataFrame(
        {
            "parameter": list(names),
            "samples": len(lows),
            "restricted": (r_lo | r_hi).mean(axis=0),
            "low": r_lo.mean(axis=0),
            "high": r_hi.mean(axis=0),
            "low_p50": np.median(lo_m, axis=0),
            "low_p5": np.percentile(lo_m, 5, axis=0),
            "low_p95": np.percentile(lo_m, 95, axis=0),
            "high_p50": np.median(hi_m, axis=0),
            "high_p5": np.percentile(hi_m, 5, axis=0),
            "high_p95": np.percentile(hi_m, 95, axis=0),
        }
    )


def cart(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    *,
    weights: np.ndarray | None = None,
    max_depth: int = 4,
    min_mass: float = 0.05,
    seed: int = 0,
) -> list[PrimBox]:
    """CART (scikit-learn's decision tree) as an alternative to PRIM: each leaf is a box.

    The tree is grown on the runs (each design point enters twice, as its runs of interest and
    its other runs, weighted by their counts), with leaves of at least ``min_mass`` of the runs.

    Returns:
        The leaves as boxes (limits are the design values inside each leaf's thresholds), the
        densest first.
    """
    from sklearn.tree import DecisionTreeClassifier  # heavy: only when CART runs

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    hits = w * y
    features = np.vstack([x, x])
    labels = np.concatenate([np.ones(len(y)), np.zeros(len(y))])
    sample_weight = np.concatenate([hits, w - hits])
    keep = sample_weight > 0
    tree = DecisionTreeClassifier(max_depth=max_depth, min_weight_fraction_leaf=min_mass, random_state=seed)
    tree.fit(features[keep], labels[keep], sample_weight=sample_weight[keep])
    structure = tree.tree_
    bounds: dict[int, tuple[np.ndarray, np.ndarray]] = {0: (np.full(x.shape[1], -np.inf), np.full(x.shape[1], np.inf))}
    leaves: list[PrimBox] = []
    for node in range(structure.node_count):
        lo_t, hi_t = bounds[node]
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            limits = {}
            for j, name in enumerate(names):
                column = x[:, j]
                within = column[(column > lo_t[j]) & (column <= hi_t[j])]
                limits[name] = (float(within.min()), float(within.max()))
            leaves.append(box_stats(x, y, names, w, limits))
            continue
        j, threshold = structure.feature[node], structure.threshold[node]
        left_hi, right_lo = hi_t.copy(), lo_t.copy()
        left_hi[j] = min(hi_t[j], threshold)
        right_lo[j] = max(lo_t[j], threshold)
        bounds[left] = (lo_t, left_hi)
        bounds[right] = (right_lo, hi_t)
    return sorted(leaves, key=lambda b: -b.density)


@dataclass
class Discovery:
    """Scenario discovery over a sweep: per scenario, the PRIM result(s), stability and CART leaves."""

    results: dict[str, PrimResult | None]
    """The first PRIM result per scenario (None when the outcome never occurs in it)."""
    rows: list[dict[str, Any]]
    """One row per scenario, box and parameter: limits, quasi-p-value and the box's quality."""
    covering: dict[str, list[PrimResult]] = field(default_factory=dict)
    """Every box found in sequence per scenario (the first is ``results[scenario]``)."""
    trajectory: list[dict[str, Any]] = field(default_factory=list)
    """One row per scenario and peeled box: index, coverage, density, mass, restricted limits."""
    stability: pd.DataFrame | None = None
    """Per scenario and parameter: how often the limit reappears in bootstrap samples."""
    cart: list[dict[str, Any]] = field(default_factory=list)
    """One row per scenario, CART leaf and parameter."""


def _box_rows(scenario: str, outcome: Outcome, number: int, box: PrimBox, total_hits: float) -> list[dict[str, Any]]:
    return [
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
            "box": number,
            "quasi_p": box.quasi_p.get(name, float("nan")),
            "runs": box.runs,
            "hits": box.hits,
            "share_of_all_hits": box.hits / total_hits if total_hits else 0.0,
        }
        for name, (low, high) in box.limits.items()
    ]


def _trajectory_rows(scenario: str, result: PrimResult) -> list[dict[str, Any]]:
    return [
        {
            "scenario": scenario,
            "index": k,
            "coverage": b.coverage,
            "density": b.density,
            "mass": b.mass,
            "restricted": len(b.restricted),
            "chosen": k == result.chosen,
            "box": b.describe(),
        }
        for k, b in enumerate(result.trajectory)
    ]


def discover(
    points: pd.DataFrame,
    names: list[str],
    outcome: Outcome,
    scenario_ids: list[str],
    *,
    box: int | None = None,
    boxes: int = 1,
    resamples: int = 0,
    with_cart: bool = False,
    seed: int = 0,
    min_mass: float = 0.05,
) -> Discovery:
    """Run PRIM (and optionally covering, resampling, CART) per scenario on the design points.

    Args:
        points: one row per design point with the parameters, ``runs`` and ``outcome_share``.
        names: the parameters.
        outcome: the outcome of interest (for the table).
        scenario_ids: the scenarios, each analysed on its own.
        box: the index of the box to choose on the peeling trajectory (default: the highest
            coverage x density).
        boxes: most boxes to find in sequence (covering).
        resamples: bootstrap samples of the runs for the stability table (0: none).
        with_cart: also grow a CART tree.
        seed: seed of the bootstrap and of the tree.
        min_mass: the smallest share of the runs a PRIM box (or CART leaf) may hold.

    Raises:
        ValueError: for a box index off a trajectory.
    """
    found = Discovery({}, [])
    stability: list[pd.DataFrame] = []
    for scenario in scenario_ids:
        mine = points[points["scenario"] == scenario]
        if mine.empty or mine["outcome_share"].sum() == 0:
            found.results[scenario] = None
            continue
        x, y, w = mine[names].to_numpy(), mine["outcome_share"].to_numpy(), mine["runs"].to_numpy()
        total_hits = float((w * y).sum())
        first = prim(x, y, names, weights=w, box=box, min_mass=min_mass)
        found.results[scenario] = first
        found.trajectory += _trajectory_rows(scenario, first)
        sequence = [first]
        if boxes > 1 and first.box.restricted:
            sequence += cover(x, y, names, weights=w, boxes=boxes, box=box, min_mass=min_mass)[1:]
        found.covering[scenario] = sequence
        for number, result in enumerate(sequence, start=1):
            found.rows += _box_rows(scenario, outcome, number, result.box, total_hits)
        if resamples > 0:
            table = resample(x, y, names, weights=w, samples=resamples, seed=seed, min_mass=min_mass)
            table.insert(0, "scenario", scenario)
            stability.append(table)
        if with_cart:
            for number, leaf in enumerate(cart(x, y, names, weights=w, seed=seed, min_mass=min_mass), start=1):
                rows = _box_rows(scenario, outcome, number, leaf, total_hits)
                for row in rows:
                    row["leaf"] = row.pop("box")
                found.cart += rows
    if stability:
        found.stability = pd.concat(stability, ignore_index=True)
    return found


def _limits_text(box: PrimBox) -> str:
    return ", ".join(f"{name} {format_p(box.quasi_p[name])}" for name in box.restricted)


def print_discovery_details(found: Discovery) -> None:
    """Print what follows the first box: its quasi-p-values, later boxes, stability and CART leaves."""
    for scenario, sequence in found.covering.items():
        first = sequence[0]
        print(
            f"  {scenario}: box {first.chosen} of 0-{len(first.trajectory) - 1} on the peeling trajectory "
            "(prim-trajectory.csv; pick another with --box N)"
        )
        if first.box.restricted:
            print(f"    quasi-p-values (binomial, counted in runs): {_limits_text(first.box)}")
        if first.dropped:
            print(f"    limits dropped as not significant: {', '.join(first.dropped)}")
        for number, result in enumerate(sequence[1:], start=2):
            box = result.box
            print(
                f"    box {number} (on the runs left): {box.describe()} (coverage {box.coverage:.0%}, "
                f"density {box.density:.0%}, mass {box.mass:.0%}; quasi-p {_limits_text(box)})"
            )
    if found.stability is not None:
        print("\nPRIM stability (bootstrap of runs): share of samples whose box restricts each parameter")
        columns = ["scenario", "parameter", "samples", "restricted", "low", "high", "low_p50", "high_p50"]
        shown = found.stability[columns]
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    if found.cart:
        print("\nCART leaves (densest first)")
        leaves = pd.DataFrame(found.cart)
        for key, rows in leaves.groupby(["scenario", "leaf"], sort=False):
            restricted = rows[rows["restricted"]]
            limits = "; ".join(f"{r.parameter} in [{r.low:.4g}, {r.high:.4g}]" for r in restricted.itertuples())
            top = rows.iloc[0]
            print(
                f"  {key[0]} leaf {key[1]}: {limits or 'whole space'} (coverage {top['coverage']:.0%}, "
                f"density {top['density']:.0%}, mass {top['mass']:.0%})"
            )
