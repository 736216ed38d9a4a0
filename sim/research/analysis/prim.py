"""PRIM (Patient Rule Induction Method) with pasting and significance tests that count runs.

:func:`prim` peels a box toward the cases of interest (Friedman and Fisher 1999), lets the user
pick a box on the peeling trajectory, pastes it back out where that keeps the density, and drops
the limits that are not significant by Bryant and Lempert's quasi-p-value. A case may be a
design point standing for many runs (``weights`` = its runs, ``y`` = the share of them with the
outcome): every count in the tests is a count of runs, so a design point with 1,000 runs weighs
as 1,000 trials, not one. :func:`box_stats` measures any box on the same data (CART leaves use it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class PrimBox:
    """One box: its limits and quality, counted in runs.

    Attributes:
        limits: ``{parameter: (low, high)}`` for every parameter (inclusive).
        restricted: the parameters whose limits are narrower than the data's.
        coverage: share of all runs of interest that fall in the box.
        density: share of the runs in the box that are of interest.
        mass: share of all runs that fall in the box.
        runs: runs in the box.
        hits: runs of interest in the box.
        quasi_p: per restricted parameter, Bryant and Lempert's quasi-p-value: the one-sided
            binomial chance of at least ``hits`` of ``runs`` if that limit were dropped.
    """

    limits: dict[str, tuple[float, float]]
    restricted: list[str]
    coverage: float
    density: float
    mass: float
    runs: float = 0.0
    hits: float = 0.0
    quasi_p: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        """``name in [low, high]; ...`` for the restricted parameters."""
        if not self.restricted:
            return "no restriction (the outcome is spread over the whole space)"
        return "; ".join(
            f"{name} in [{self.limits[name][0]:.4g}, {self.limits[name][1]:.4g}]" for name in self.restricted
        )


@dataclass
class PrimResult:
    """A PRIM peeling trajectory, the box chosen on it, and that box pasted and simplified.

    Attributes:
        names: the parameter names.
        trajectory: the peeled boxes, from the whole space to the smallest (without quasi-p-values,
            which are computed for the chosen box).
        chosen: index of the chosen box on the trajectory (by default the highest coverage x
            density).
        box: the chosen box after pasting and after dropping the limits that are not significant.
        pasted: the chosen box after pasting, before dropping limits.
        dropped: the parameters whose limits were dropped as not significant.
    """

    names: list[str]
    trajectory: list[PrimBox]
    chosen: int
    box: PrimBox
    pasted: PrimBox | None = None
    dropped: list[str] = field(default_factory=list)


class PrimData:
    """Cases (design points or runs) with their runs and outcome shares, and box measurements."""

    def __init__(self, x: np.ndarray, y: np.ndarray, names: Sequence[str] | None, weights: np.ndarray | None) -> None:
        x = np.asarray(x, dtype=np.float64)
        self.x = x[:, None] if x.ndim == 1 else x
        n, d = self.x.shape
        self.y = np.asarray(y, dtype=np.float64)
        if self.y.shape != (n,):
            raise ValueError(f"y must have one value per case ({n}), got shape {self.y.shape}")
        self.w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        if self.w.shape != (n,) or (self.w < 0).any():
            raise ValueError(f"weights must be {n} run counts (not negative)")
        self.hits = self.w * self.y
        self.names = list(names) if names is not None else [f"x{j}" for j in range(d)]
        self.total_w = float(self.w.sum())
        self.total_hits = float(self.hits.sum())
        self.data_lo, self.data_hi = self.x.min(axis=0), self.x.max(axis=0)

    def inside(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Which cases lie in the box ``[lo, hi]``."""
        return np.all((self.x >= lo) & (self.x <= hi), axis=1)

    def quasi_p(self, lo: np.ndarray, hi: np.ndarray, j: int) -> float:
        """Quasi-p-value of limit ``j``: P(at least the box's hits | the density without limit ``j``).

        Counts runs: the box's runs are the binomial trials, and the success probability is the
        share of runs of interest in the box with limit ``j`` widened to the data's range.
        """
        from scipy.stats import binom  # heavy: loads all of scipy.stats, only when PRIM runs

        inside = self.inside(lo, hi)
        trials = round(float(self.w[inside].sum()))
        successes = round(float(self.hits[inside].sum()))
        wide_lo, wide_hi = lo.copy(), hi.copy()
        wide_lo[j], wide_hi[j] = self.data_lo[j], self.data_hi[j]
        freed = self.inside(wide_lo, wide_hi)
        base = float(self.hits[freed].sum()) / max(float(self.w[freed].sum()), 1e-300)
        return float(binom.sf(successes - 1, max(trials, 1), min(max(base, 0.0), 1.0)))

    def box(self, lo: np.ndarray, hi: np.ndarray, tests: bool = True) -> PrimBox:
        """Measure the box ``[lo, hi]`` (with the quasi-p-value of each restricted limit when ``tests``)."""
        inside = self.inside(lo, hi)
        runs, hits = float(self.w[inside].sum()), float(self.hits[inside].sum())
        restricted = [j for j in range(len(self.names)) if lo[j] > self.data_lo[j] or hi[j] < self.data_hi[j]]
        return PrimBox(
            limits={name: (float(lo[j]), float(hi[j])) for j, name in enumerate(self.names)},
            restricted=[self.names[j] for j in restricted],
            coverage=hits / self.total_hits if self.total_hits else 0.0,
            density=hits / runs if runs else 0.0,
            mass=runs / self.total_w,
            runs=runs,
            hits=hits,
            quasi_p={self.names[j]: self.quasi_p(lo, hi, j) for j in restricted} if tests else {},
        )

    def bounds(self, box: PrimBox) -> tuple[np.ndarray, np.ndarray]:
        """The box's limits as (low, high) arrays."""
        return (
            np.array([box.limits[name][0] for name in self.names]),
            np.array([box.limits[name][1] for name in self.names]),
        )


def format_p(value: float) -> str:
    """A p-value for people: ``3.2e-19``, or ``< 1e-300`` when it underflows to 0."""
    return "< 1e-300" if value == 0 else f"{value:.2g}"


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """The weighted ``low`` and ``high`` quantiles of ``values`` (one sort for both)."""
    order = np.argsort(values)  # ties need no order: only the value at a cumulative weight matters
    ordered = values[order]
    cumulative = np.cumsum(weights[order])
    index = np.searchsorted(cumulative, np.array([low, high]) * cumulative[-1], side="left")
    index = np.minimum(index, len(values) - 1)
    return float(ordered[index[0]]), float(ordered[index[1]])


def _peel(data: PrimData, alpha: float, min_mass: float) -> list[PrimBox]:
    """The peeling trajectory: the whole space, then each best cut until ``min_mass`` is reached."""
    x, w, y = data.x, data.w, data.y
    inside = np.ones(len(w), dtype=bool)
    lo, hi = data.data_lo.copy(), data.data_hi.copy()
    trajectory = [data.box(lo, hi, tests=False)]
    while True:
        best: tuple[float, float, int, str, float] | None = None
        wi, yi = w[inside], y[inside]
        in_w = float(wi.sum())
        current = float((wi * yi).sum()) / in_w
        for j in range(x.shape[1]):
            xj = x[inside, j]
            low_cut, high_cut = _weighted_quantiles(xj, wi, alpha, 1.0 - alpha)
            xj_min, xj_max = xj.min(), xj.max()
            for side in ("low", "high"):
                if side == "low":
                    keep = xj > low_cut if low_cut <= xj_min else xj >= low_cut
                else:
                    keep = xj < high_cut if high_cut >= xj_max else xj <= high_cut
                kept_w = float(wi[keep].sum())
                if not keep.any() or keep.all() or kept_w <= 0:
                    continue
                density = float((wi[keep] * yi[keep]).sum()) / kept_w
                # Gain in density per unit of weight peeled off, so a cut that removes a whole
                # grid level competes fairly with a thinner one ("lenient" objective).
                gain = (density - current) / (in_w - kept_w)
                bound = float(xj[keep].min()) if side == "low" else float(xj[keep].max())
                candidate = (gain, kept_w, j, side, bound)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        if best is None or best[1] / data.total_w < min_mass:
            return trajectory
        _, _, j, side, bound = best
        if side == "low":
            inside &= x[:, j] >= bound
            lo[j] = bound
        else:
            inside &= x[:, j] <= bound
            hi[j] = bound
        trajectory.append(data.box(lo, hi, tests=False))


def _paste_candidate(data: PrimData, lo: np.ndarray, hi: np.ndarray, j: int, side: str, step: float) -> float | None:
    """The widened limit that adds about ``step`` runs beyond one side of the box (None: nothing)."""
    others_lo, others_hi = lo.copy(), hi.copy()
    others_lo[j], others_hi[j] = data.data_lo[j], data.data_hi[j]
    near = data.inside(others_lo, others_hi)
    xj = data.x[:, j]
    beyond = near & ((xj < lo[j]) if side == "low" else (xj > hi[j]))
    if not beyond.any():
        return None
    values, weights = xj[beyond], data.w[beyond]
    order = np.argsort(-values if side == "low" else values, kind="stable")  # nearest the box first
    index = int(np.searchsorted(np.cumsum(weights[order]), step, side="left"))
    return float(values[order][min(index, len(values) - 1)])


def paste(data: PrimData, box: PrimBox, alpha: float = 0.05) -> PrimBox:
    """Paste: widen one limit at a time by about ``alpha`` of the box's runs while density holds.

    Each step tries to widen every restricted limit and keeps the widening with the highest
    density, provided it is no lower than the box's; stops when every widening would lower it.
    """
    lo, hi = data.bounds(box)
    while True:
        current = data.box(lo, hi, tests=False)
        step = max(alpha * current.runs, 1e-12)
        best: tuple[float, float, int, str, float] | None = None
        for name in current.restricted:
            j = data.names.index(name)
            for side in ("low", "high"):
                limit = _paste_candidate(data, lo, hi, j, side, step)
                if limit is None:
                    continue
                new_lo, new_hi = lo.copy(), hi.copy()
                (new_lo if side == "low" else new_hi)[j] = limit
                inside = data.inside(new_lo, new_hi)
                runs = float(data.w[inside].sum())
                density = float(data.hits[inside].sum()) / runs
                if density >= current.density - 1e-12 and (best is None or (density, runs) > best[:2]):
                    best = (density, runs, j, side, limit)
        if best is None:
            return data.box(lo, hi)
        _, _, j, side, limit = best
        (lo if side == "low" else hi)[j] = limit


def drop_limits(data: PrimData, box: PrimBox, significance: float) -> tuple[PrimBox, list[str]]:
    """Drop, one at a time, the least significant limit while its quasi-p-value exceeds ``significance``."""
    dropped: list[str] = []
    while box.restricted:
        worst = max(box.restricted, key=lambda name: box.quasi_p[name])
        if box.quasi_p[worst] <= significance:
            break
        lo, hi = data.bounds(box)
        j = data.names.index(worst)
        lo[j], hi[j] = data.data_lo[j], data.data_hi[j]
        box = data.box(lo, hi)
        dropped.append(worst)
    return box, dropped


def prim(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str] | None = None,
    *,
    weights: np.ndarray | None = None,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    significance: float = 0.05,
    box: int | None = None,
    pasting: bool = True,
) -> PrimResult:
    """Patient Rule Induction Method (Friedman and Fisher 1999): peel a box toward an outcome.

    Starting from the box that holds every case, each step removes the ``alpha`` share of the
    runs at the low or high end of one parameter, choosing the cut with the highest gain in
    density per run removed (the "lenient" objective, fair to grids), until less than
    ``min_mass`` of the runs would remain. (When the cut would remove nothing, as with repeated
    grid values, every case at the extreme value goes.) The chosen box (``box``, by default the
    one with the highest coverage x density) is pasted, then limits that are not significant
    (quasi-p-value above ``significance``, counted in runs) are dropped.

    Args:
        x: parameter values, shape (cases, parameters).
        y: outcome per case: 1/0, or the share of a case's runs in which the outcome occurs.
        names: parameter names (default ``x0``, ``x1`` ...).
        weights: runs per case (default 1: each case is one run).
        alpha: share of the box's runs peeled (and pasted) per step.
        min_mass: smallest share of all runs a box may keep.
        significance: a limit is dropped when its quasi-p-value exceeds this.
        box: index of the box to choose on the peeling trajectory (0 is the whole space).
        pasting: paste the chosen box.

    Returns:
        The peeling trajectory and the chosen box.

    Raises:
        ValueError: for mismatched shapes, an outcome that never occurs or a box index off the
            trajectory.
    """
    data = PrimData(x, y, names, weights)
    if data.total_hits <= 0:
        raise ValueError("the outcome never occurs: there is no box to find")
    trajectory = _peel(data, alpha, min_mass)
    if box is None:
        chosen = int(np.argmax([b.coverage * b.density for b in trajectory]))
    elif not 0 <= box < len(trajectory):
        raise ValueError(f"box {box} is not on the peeling trajectory (boxes 0 to {len(trajectory) - 1})")
    else:
        chosen = box
    pasted = paste(data, trajectory[chosen], alpha) if pasting else data.box(*data.bounds(trajectory[chosen]))
    simple, dropped = drop_limits(data, pasted, significance)
    return PrimResult(data.names, trajectory, chosen, simple, pasted, dropped)


def box_stats(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    weights: np.ndarray | None,
    limits: dict[str, tuple[float, float]],
) -> PrimBox:
    """Measure a box given by its limits on cases ``x`` with outcome shares ``y`` and runs ``weights``."""
    data = PrimData(x, y, names, weights)
    lo = np.array([limits[name][0] for name in data.names])
    hi = np.array([limits[name][1] for name in data.names])
    return data.box(lo, hi)
