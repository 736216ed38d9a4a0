"""Scenario discovery: PRIM's tests count runs, pasting, covering, resampling stability, box choice, CART."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from sim.research.analysis import cart, cover, discover, prim, resample
from sim.research.analysis.prim import PrimData, paste
from sim.research.experiment import parse_outcome

LEVELS = np.linspace(0.0, 1.0, 5)
REPLICATIONS = 1000


def corner_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 5 x 5 grid, 1,000 runs per point; the outcome in 90% of the runs at (1, 1), none elsewhere."""
    x = np.array([(a, b) for a in LEVELS for b in LEVELS])
    share = np.where((x[:, 0] == 1.0) & (x[:, 1] == 1.0), 0.9, 0.0)
    return x, share, np.full(len(x), float(REPLICATIONS))


def test_prim_on_a_5x5_grid_with_1000_runs_per_point_keeps_both_limits_of_a_planted_corner():
    x, share, runs = corner_grid()
    result = prim(x, share, ["transactionalism", "polarization"], weights=runs)
    box = result.box
    # Counting design points, the box's two points would be two trials and both limits would go;
    # counted in runs they are 2,000 trials and both limits are overwhelmingly significant.
    assert box.restricted == ["transactionalism", "polarization"], box.describe()
    assert not result.dropped
    assert box.limits["transactionalism"][0] == 1.0 and box.limits["polarization"][0] >= 0.75
    assert all(p < 1e-30 for p in box.quasi_p.values()), box.quasi_p
    assert box.coverage == pytest.approx(1.0) and box.runs == 2 * REPLICATIONS and box.hits == 900
    # The quasi-p of the polarization limit is the one-sided binomial test on the runs:
    # 900 of 2,000 runs against the density with that limit dropped (900 of 5,000).
    expected = binomtest(900, 2000, 900 / 5000, alternative="greater").pvalue
    assert box.quasi_p["polarization"] == pytest.approx(expected, rel=1e-6)
    # A box of one grid point is allowed below the default minimum mass: still both limits.
    single = prim(x, share, ["transactionalism", "polarization"], weights=runs, min_mass=0.03).box
    assert single.limits == {"transactionalism": (1.0, 1.0), "polarization": (1.0, 1.0)}
    assert single.density == pytest.approx(0.9)


def test_prim_on_the_runs_themselves_gives_the_same_box_and_tests_as_on_the_points():
    x, share, runs = corner_grid()
    per_run_x = np.repeat(x, REPLICATIONS, axis=0)
    per_run_y = np.zeros(len(per_run_x))
    corner = np.flatnonzero((per_run_x[:, 0] == 1.0) & (per_run_x[:, 1] == 1.0))
    per_run_y[corner[:900]] = 1.0
    on_points = prim(x, share, ["t", "p"], weights=runs).box
    on_runs = prim(per_run_x, per_run_y, ["t", "p"]).box
    assert on_runs.limits == on_points.limits
    assert on_runs.quasi_p["p"] == pytest.approx(on_points.quasi_p["p"], rel=1e-9)


def test_discover_on_the_points_table_of_the_grid_keeps_both_limits_and_reports_their_quasi_p():
    x, share, runs = corner_grid()
    points = pd.DataFrame({"scenario": "s", "a": x[:, 0], "b": x[:, 1], "runs": runs, "outcome_share": share})
    found = discover(points, ["a", "b"], parse_outcome("trilateral < 0.5"), ["s"], resamples=20)
    rows = pd.DataFrame(found.rows)
    assert rows["restricted"].all() and (rows["quasi_p"] < 1e-30).all()
    assert found.stability is not None and (found.stability["restricted"] == 1.0).all()
    assert {r["index"] for r in found.trajectory} == set(range(len(found.results["s"].trajectory)))
    smaller = discover(points, ["a", "b"], parse_outcome("trilateral < 0.5"), ["s"], min_mass=0.03)
    assert {(r["low"], r["high"]) for r in smaller.rows} == {(1.0, 1.0)}


def test_a_limit_that_adds_nothing_is_dropped_because_its_quasi_p_is_large():
    # The outcome depends on `a` only; a box that also cuts `b` gains no density from that cut.
    x = np.array([(a, b) for a in LEVELS for b in LEVELS])
    share = np.where(x[:, 0] >= 0.75, 0.5, 0.0)
    result = prim(x, share, ["a", "b"], weights=np.full(len(x), 100.0), box=None)
    assert result.box.restricted == ["a"]
    last = len(result.trajectory) - 1
    chosen_b = prim(x, share, ["a", "b"], weights=np.full(len(x), 100.0), box=last, pasting=False)
    assert "b" in chosen_b.trajectory[-1].restricted
    assert "b" in chosen_b.dropped and chosen_b.box.restricted == ["a"]
    assert chosen_b.pasted is not None and chosen_b.pasted.quasi_p["b"] > 0.05
    # Pasting alone widens the needless `b` limit back out (the density stays the same).
    assert prim(x, share, ["a", "b"], weights=np.full(len(x), 100.0), box=last).pasted.restricted == ["a"]


def test_the_user_can_choose_a_box_on_the_trajectory_and_an_index_off_it_is_refused():
    x, share, runs = corner_grid()
    full = prim(x, share, ["t", "p"], weights=runs)
    early = prim(x, share, ["t", "p"], weights=runs, box=1, pasting=False)
    assert early.chosen == 1 and early.trajectory[1].mass < 1.0
    assert early.box.mass >= full.box.mass
    with pytest.raises(ValueError, match="not on the peeling trajectory"):
        prim(x, share, ["t", "p"], weights=runs, box=len(full.trajectory))


def test_pasting_widens_a_too_tight_box_up_to_the_planted_edge_and_no_further():
    grid = np.linspace(0.0, 1.0, 11)
    x = np.array([(a, b) for a in grid for b in grid])
    y = ((x[:, 0] <= 0.5) & (x[:, 1] <= 0.5)).astype(float)
    data = PrimData(x, y, ["a", "b"], None)
    tight = data.box(np.array([0.0, 0.0]), np.array([0.3, 0.5]))
    pasted = paste(data, tight, alpha=0.05)
    assert pasted.limits == {"a": (0.0, 0.5), "b": (0.0, 0.5)}
    assert pasted.density == 1.0 and pasted.coverage == 1.0 and tight.coverage < 1.0


def two_boxes(n: int = 3000, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3))
    low = (x[:, 0] <= 0.3) & (x[:, 1] <= 0.3)
    high = (x[:, 0] >= 0.6) & (x[:, 1] >= 0.5)
    return x, (low | high).astype(float)


def test_covering_finds_two_planted_boxes_one_after_the_other():
    x, y = two_boxes()
    found = cover(x, y, ["a", "b", "c"], boxes=4)
    assert len(found) >= 2
    limits = [r.box.limits for r in found[:2]]
    corners = sorted(
        (round(b["a"][0], 1), round(b["a"][1], 1), round(b["b"][0], 1), round(b["b"][1], 1)) for b in limits
    )
    assert corners == [(0.0, 0.3, 0.0, 0.3), (0.6, 1.0, 0.5, 1.0)], corners
    assert all("c" not in r.box.restricted for r in found[:2])
    assert all(r.box.density > 0.95 for r in found[:2])
    # A single box cannot hold both: its coverage stays well below 1.
    assert prim(x, y, ["a", "b", "c"]).box.coverage < 0.8


def planted_points(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.random((300, 3))
    share = np.where(x[:, 0] >= 0.6, 0.8, 0.05)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "runs": 50.0, "outcome_share": share})


def test_resampling_the_runs_keeps_the_limit_that_matters_and_rarely_the_others():
    points = planted_points()
    table = resample(
        points[["a", "b", "c"]].to_numpy(),
        points["outcome_share"].to_numpy(),
        ["a", "b", "c"],
        weights=points["runs"].to_numpy(),
        samples=30,
        seed=1,
    ).set_index("parameter")
    assert table.loc["a", "samples"] == 30
    assert table.loc["a", "restricted"] == 1.0 and table.loc["a", "low"] == 1.0 and table.loc["a", "high"] == 0.0
    assert abs(table.loc["a", "low_p50"] - 0.6) < 0.03
    assert table.loc["b", "restricted"] <= 0.2 and table.loc["c", "restricted"] <= 0.2


def test_cart_finds_the_planted_box_as_its_densest_leaf():
    points = planted_points()
    leaves = cart(
        points[["a", "b", "c"]].to_numpy(),
        points["outcome_share"].to_numpy(),
        ["a", "b", "c"],
        weights=points["runs"].to_numpy(),
        max_depth=1,
    )
    best = leaves[0]
    assert best.restricted == ["a"] and abs(best.limits["a"][0] - 0.6) < 0.02 and best.limits["a"][1] > 0.99
    assert best.density == pytest.approx(0.8) and best.quasi_p["a"] < 1e-10
    assert len(leaves) == 2 and leaves[1].density == pytest.approx(0.05)
    deeper = cart(
        points[["a", "b", "c"]].to_numpy(),
        points["outcome_share"].to_numpy(),
        ["a", "b", "c"],
        weights=points["runs"].to_numpy(),
        max_depth=3,
    )
    assert sum(leaf.mass for leaf in deeper) == pytest.approx(1.0)
    dense = [leaf for leaf in deeper if leaf.density > 0.5]
    assert all(leaf.limits["a"][0] >= best.limits["a"][0] for leaf in dense)
    assert sum(leaf.coverage for leaf in dense) == pytest.approx(best.coverage)
