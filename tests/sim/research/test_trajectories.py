"""Trajectory and exploratory analytics: fan charts, time to event, typical paths, feature scores, stacking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.research.analysis import (
    DiscoveryOptions,
    PathOptions,
    Trajectories,
    analyze,
    cluster_paths,
    dimensional_stack,
    feature_scores,
    first_turn,
    read_trajectories,
    time_to_event,
)
from sim.research.sweep import SweepError, load_manifest, run_sweep, verify_run
from tests.sim.research.conftest import write_experiment

KEPT = """\
id: strong-inert-paths
scenarios: ["{sensitive}"]
parameters:
  strong: {range: [0, 1], levels: 3}
  inert: {range: [0, 1], levels: 2}
sampler: grid
replications: 40
seed: 8
outputs:
  indicators: [trilateral, tie.ROK_JPN]
  keep_trajectories: true
analysis:
  outcome: "trilateral < 0.56"
"""


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory):
    """A 6-point grid sweep that keeps every turn of its 240 runs."""
    folder = tmp_path_factory.mktemp("paths")
    out = folder / "out"
    run_sweep(write_experiment(folder, KEPT), out, progress=False)
    return out


def stored(out) -> pd.DataFrame:
    return pd.read_parquet(out / "trajectories").sort_values(["replication", "turn"]).reset_index(drop=True)


def test_read_trajectories_and_fan_bands_match_the_stored_rows(kept):
    result = analyze(kept, plots=True, echo=False, trajectories=PathOptions(["trilateral"], by="strong", clusters=0))
    rows = stored(kept)
    paths = result.paths
    assert paths is not None and paths.runs == 240 and paths.stride == 1 and paths.by == "strong"
    fans = paths.fans
    assert set(fans["group"]) == {"strong=0", "strong=0.5", "strong=1"} and set(fans["turn"]) == set(range(5))
    design = pd.read_parquet(kept / "parts")[["point_id", "strong"]].drop_duplicates()
    strong_one = set(design[design["strong"] == 1.0]["point_id"])
    last = rows[(rows["turn"] == 4) & rows["point_id"].isin(strong_one)]["trilateral"].to_numpy()
    band = fans[(fans["group"] == "strong=1") & (fans["turn"] == 4)].iloc[0]
    assert band["runs"] == 80 and band["p5"] == pytest.approx(np.percentile(last, 5))
    assert band["p50"] == pytest.approx(np.median(last)) and band["mean"] == pytest.approx(last.mean())
    names = {p.name for p in result.files}
    assert {"trajectory-fans.csv", "trajectory-fans.parquet", "fan-trilateral.png"} <= names


def test_reading_every_kth_run_keeps_memory_bounded(kept):
    manifest = load_manifest(kept)
    paths = read_trajectories(kept, manifest, ["trilateral"], max_runs=50)
    assert paths.stride == 5 and len(paths.run_ids) == 48 and (paths.run_ids % 5 == 0).all()
    rows = stored(kept)
    run = int(paths.run_ids[7])
    assert paths.series("trilateral")[7] == pytest.approx(rows[rows["replication"] == run]["trilateral"].to_numpy())


def test_time_to_event_matches_a_direct_computation_and_counts_censored_runs(kept):
    threshold = 0.6
    options = PathOptions(["trilateral"], by="all", event=f"tie.ROK_JPN < {threshold} and turn >= 1", clusters=0)
    result = analyze(kept, plots=True, echo=False, trajectories=options)
    rows = stored(kept)
    hit = rows[(rows["tie.ROK_JPN"] < threshold) & (rows["turn"] >= 1)]
    first = hit.groupby("replication")["turn"].min()
    summary = result.paths.event_summary.iloc[0]
    assert summary["runs"] == 240 and summary["events"] == len(first) and summary["censored"] == 240 - len(first)
    assert 0 < len(first) < 240
    assert summary["mean_turn_of_events"] == pytest.approx(first.mean())
    curve = result.paths.events.set_index("turn")
    for turn in range(5):
        assert curve.loc[turn, "cumulative"] == pytest.approx((first <= turn).sum() / 240)
    assert curve.loc[0, "events"] == 0
    assert "time-to-event.png" in {p.name for p in result.files}


def test_time_to_event_with_censoring_follows_kaplan_meier():
    # Three runs: an event at turn 1, one censored after turn 1 (no record later), one never.
    values = np.array([[[0.9, 0.1, 0.1]], [[0.9, 0.9, np.nan]], [[0.9, 0.9, 0.9]]])
    paths = Trajectories(["x"], np.array([0, 1, 2]), np.array([0, 1, 2]), np.zeros(3, dtype=np.int64), values, 1)
    first = first_turn(paths, "x < 0.5")
    assert np.isnan(first[1]) and np.isnan(first[2]) and first[0] == 1
    table = time_to_event(paths, first, np.array(["g"] * 3, dtype=object)).set_index("turn")
    assert table.loc[1, "at_risk"] == 3 and table.loc[1, "events"] == 1 and table.loc[1, "censored"] == 1
    assert table.loc[1, "survival"] == pytest.approx(2 / 3)
    assert table.loc[2, "at_risk"] == 1 and table.loc[2, "survival"] == pytest.approx(2 / 3)


def test_a_bad_event_condition_is_reported_with_its_column(kept):
    with pytest.raises(SweepError, match=r"column 1: unknown name 'tie_ROK_JPN'"):
        analyze(kept, plots=False, echo=False, trajectories=PathOptions(["trilateral"], event="tie_ROK_JPN < 0.4"))
    with pytest.raises(SweepError, match="cannot group runs by 'colour'"):
        analyze(kept, plots=False, echo=False, trajectories=PathOptions(["trilateral"], by="colour"))


def test_clustering_separates_two_planted_shapes_and_picks_members_as_representatives():
    rng = np.random.default_rng(0)
    turns = np.arange(10)
    rising = 0.3 + 0.05 * turns + rng.normal(0, 0.01, (60, 10))
    falling = 0.8 - 0.05 * turns + rng.normal(0, 0.01, (40, 10))
    values = np.vstack([rising, falling])[:, None, :]
    paths = Trajectories(["x"], turns, np.arange(100, 200), np.arange(100), values, 1)
    clusters = cluster_paths(paths, ["x"], k=2, out_dir="tp")
    assert list(clusters.table["runs"]) == [60, 40]
    assert (clusters.labels[:60] == 0).all() and (clusters.labels[60:] == 1).all()
    assert clusters.representatives[0] < 60 <= clusters.representatives[1]
    assert (
        clusters.table["replay"].iloc[1]
        == f"trilat run --from-sweep tp --run {clusters.table['representative_run'].iloc[1]}"
    )


def test_typical_paths_name_representative_runs_that_replay_exactly(kept, capsys):
    code = main(["analyze", str(kept), "--trajectories", "trilateral,tie.ROK_JPN", "--clusters", "3", "--no-plots"])
    assert code == 0
    out = capsys.readouterr().out
    table = pd.read_csv(kept / "analysis" / "trajectory-clusters.csv")
    assert len(table) == 3 and table["runs"].sum() == 240
    assert {"strong", "inert", "scenario"} <= set(table.columns)
    run = int(table["representative_run"].iloc[0])
    assert f"trilat run --from-sweep {kept} --run {run}" in out
    assert verify_run(kept, run).exact


def test_a_sweep_without_per_turn_records_says_how_to_keep_them(tmp_path):
    body = KEPT.replace("  keep_trajectories: true\n", "")
    out = tmp_path / "out"
    run_sweep(write_experiment(tmp_path, body), out, progress=False)
    with pytest.raises(SweepError, match="keep_trajectories: true"):
        analyze(out, plots=False, echo=False, trajectories=PathOptions(["trilateral"]))
    assert main(["analyze", str(out), "--event", "trilateral < 0.5"]) == 2


def test_per_turn_rows_of_at_every_serve_as_trajectories(tmp_path):
    body = KEPT.replace("  keep_trajectories: true\n", "  at: every\n")
    out = tmp_path / "out"
    run_sweep(write_experiment(tmp_path, body.replace("levels: 3", "levels: 2")), out, progress=False)
    paths = read_trajectories(out, load_manifest(out), ["tie.ROK_JPN"])
    rows = pd.read_parquet(out / "parts").sort_values(["replication", "turn"])
    assert len(paths.run_ids) == 160 and list(paths.turns) == list(range(5))
    assert paths.series("tie.ROK_JPN").ravel() == pytest.approx(rows["tie.ROK_JPN"].to_numpy())


def test_feature_scores_rank_the_parameter_that_matters_first():
    rng = np.random.default_rng(4)
    x = rng.random((400, 3))
    points = pd.DataFrame({"scenario": "s", "a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "runs": 10.0})
    points["y"] = np.sin(3 * x[:, 1]) + 0.01 * rng.normal(size=400)
    scores = feature_scores(points, ["a", "b", "c"], ["y"], trees=50).set_index("parameter")
    assert scores.loc["b", "rank"] == 1 and scores.loc["b", "importance"] > 0.8
    assert scores["importance"].sum() == pytest.approx(1.0) and scores.loc["b", "r2"] > 0.9


def test_dimensional_stacking_is_the_runs_weighted_mean_per_binned_combination():
    levels = [0.0, 0.5, 1.0]
    grid = [(a, b, c) for a in levels for b in levels for c in levels]
    points = pd.DataFrame(grid, columns=["a", "b", "c"])
    points["runs"] = np.arange(1, len(points) + 1, dtype=float)
    points["outcome_share"] = points["a"] * points["c"]
    stack = dimensional_stack(points, ["a", "b", "c"])
    assert stack.index.names == ["a", "b"] and stack.columns.names == ["c"]
    assert stack.shape == (9, 3)
    assert stack.loc[("1", "0.5"), "0.5"] == pytest.approx(0.5)
    lhs = pd.DataFrame({"a": np.linspace(0, 1, 30), "b": np.linspace(1, 0, 30), "runs": 2.0})
    lhs["outcome_share"] = lhs["a"]
    binned = dimensional_stack(lhs, ["a", "b"], bins=3)
    assert binned.shape == (3, 3) and binned.index[0] == "0-0.31"
    cells = 0
    for a_label in binned.index:
        for b_label in binned.columns:
            a_low, a_high = map(float, a_label.split("-"))
            b_low, b_high = map(float, b_label.split("-"))
            inside = lhs[
                lhs["a"].between(a_low - 0.005, a_high + 0.005) & lhs["b"].between(b_low - 0.005, b_high + 0.005)
            ]
            value = binned.loc[a_label, b_label]
            if inside.empty:
                assert np.isnan(value)
            else:
                cells += 1
                assert value == pytest.approx(inside["a"].mean())
    assert cells >= 3


def test_analyze_explores_grid_designs_and_keeps_its_discovery_choices(kept):
    options = DiscoveryOptions(boxes=2, resamples=5, cart=True)
    result = analyze(kept, plots=True, echo=False, discovery=options, explore=True)
    assert result.explored is not None
    scores = result.explored.scores
    top = scores[scores["target"] == "trilateral:mean"].set_index("parameter")
    assert top.loc["strong", "rank"] == 1
    names = {p.name for p in result.files}
    assert {"feature-scores.csv", "stack-sweep-sensitivity-test.csv", "pairs-sweep-sensitivity-test.png"} <= names
    assert {"stack-sweep-sensitivity-test.png", "prim-box-sweep-sensitivity-test.png", "prim-trajectory.csv"} <= names
    assert {"prim-stability.csv", "cart.csv"} <= names
    again = analyze(kept, plots=False, echo=False)
    assert again.explored is None
    # Nothing from the earlier analysis is left beside the new tables.
    left = {p.name for p in (kept / "analysis").iterdir()}
    assert left == {p.name for p in again.files} and not any(name.endswith(".png") for name in left)
    with pytest.raises(SweepError, match="not on the peeling trajectory"):
        analyze(kept, plots=False, echo=False, discovery=DiscoveryOptions(box=999))


def test_the_discovery_options_of_the_command_line(kept, capsys):
    args = ["analyze", str(kept), "--box", "1", "--boxes", "2", "--resample", "4", "--cart", "--no-plots"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "box 1 of 0-" in out and "PRIM stability (bootstrap of runs)" in out and "CART leaves" in out
    trajectory = pd.read_csv(kept / "analysis" / "prim-trajectory.csv")
    assert trajectory[trajectory["chosen"]]["index"].tolist() == [1]
    assert (pd.read_csv(kept / "analysis" / "prim-stability.csv")["samples"] == 4).all()
    assert main(["analyze", str(kept), "--box", "999", "--no-plots"]) == 2
    assert "not on the peeling trajectory" in capsys.readouterr().err


TWO_HORIZONS = """\
id: two-horizons
scenarios: ["{sensitive}", baseline]
parameters:
  us_transactionalism: [0.2, 0.8]
sampler: grid
replications: 10
seed: 3
outputs:
  indicators: [trilateral]
  keep_trajectories: true
"""


def test_scenarios_of_different_lengths_are_censored_at_their_own_last_turn(tmp_path):
    out = tmp_path / "out"
    run_sweep(write_experiment(tmp_path, TWO_HORIZONS), out, progress=False)
    options = PathOptions(["trilateral"], by="scenario", event="trilateral > 5", clusters=2)
    result = analyze(out, plots=True, echo=False, trajectories=options)
    fans = result.paths.fans.set_index(["group", "turn"])
    assert (
        fans.loc[("sweep-sensitivity-test", 4), "runs"] == 20 and fans.loc[("sweep-sensitivity-test", 5), "runs"] == 0
    )
    assert fans.loc[("baseline", 16), "runs"] == 20
    events = result.paths.events.set_index(["group", "turn"])
    assert events.loc[("sweep-sensitivity-test", 4), "censored"] == 20
    assert events.loc[("baseline", 16), "censored"] == 20 and events["events"].sum() == 0
    assert len(result.paths.clusters) == 2 and result.paths.clusters["runs"].sum() == 40
