"""Outcomes as statistics: per-run values checked against the stored runs and trajectories."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.scoring import objective_scores
from sim.research.analysis import analyze
from sim.research.sweep import reproduce, run_sweep, verify_run

from .conftest import read_runs, write_experiment

OUTCOMES = """\
scenarios: ["{sensitive}"]
uncertainties:
  strong: {range: [0, 1], levels: 5}
sampler: grid
replications: 60
seed: 9
outputs:
  indicators: [trilateral, tie.ROK_JPN]
  keep_trajectories: true
outcomes:
  collapse: {event: "tie.ROK_JPN < 0.45 and trilateral < 0.55"}
  ever_weak: {event: "tie.ROK_JPN < 0.5", over: any}
  always_fine: {event: "trilateral > 0.55", over: all}
  weak_turn: {first_turn: "tie.ROK_JPN < 0.5"}
  tri_change: {of: trilateral, change: true}
  gap: {of: "trilateral - tie.ROK_JPN", statistic: sd}
  low_tail: {of: tie.ROK_JPN, statistic: quantile, q: 0.1}
  rok_score: {score: ROK}
analysis:
  output: trilateral
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outcomes")
    run_sweep(write_experiment(folder, OUTCOMES), folder / "out", progress=False)
    return folder / "out"


def test_a_compound_outcome_probability_equals_a_direct_computation(swept):
    runs = read_runs(swept)
    result = analyze(swept, plots=False, echo=False)
    event = (runs["tie.ROK_JPN"] < 0.45) & (runs["trilateral"] < 0.55)
    direct = event.groupby(runs["point_id"]).mean()
    found = result.points.set_index("point_id")["collapse"]
    assert np.array_equal(found.loc[direct.index].to_numpy(), direct.to_numpy())
    assert ((direct > 0) & (direct < 1)).any()  # not a trivial all-or-nothing event
    assert direct.iloc[0] == 0 and direct.iloc[-1] > 0.5


def test_turn_outcomes_match_the_stored_trajectories(swept):
    runs = read_runs(swept).set_index("replication")
    paths = read_runs(swept, "trajectories")
    played = paths[paths["turn"] >= 1]
    weak = played["tie.ROK_JPN"] < 0.5
    ever = weak.groupby(played["replication"]).any()
    assert np.array_equal(runs.loc[ever.index, "outcome:ever_weak"].to_numpy(), ever.to_numpy().astype(float))
    always = (played["trilateral"] > 0.55).groupby(played["replication"]).all()
    assert np.array_equal(runs.loc[always.index, "outcome:always_fine"].to_numpy(), always.to_numpy().astype(float))
    first = played[weak].groupby("replication")["turn"].min().reindex(ever.index).fillna(5)  # 4 turns: never = 5
    assert np.array_equal(runs.loc[first.index, "outcome:weak_turn"].to_numpy(), first.to_numpy().astype(float))
    start = paths[paths["turn"] == 0].set_index("replication")["trilateral"]
    end = paths[paths["turn"] == 4].set_index("replication")["trilateral"]
    assert np.array_equal(runs.loc[start.index, "outcome:tri_change"].to_numpy(), (end - start).to_numpy())


def test_point_statistics_of_outcomes(swept):
    runs = read_runs(swept)
    points = analyze(swept, plots=False, echo=False).points.set_index("point_id")
    gap = (runs["trilateral"] - runs["tie.ROK_JPN"]).groupby(runs["point_id"]).std(ddof=0)
    assert np.allclose(points.loc[gap.index, "gap"], gap, rtol=0, atol=1e-12)
    tail = runs.groupby("point_id")["tie.ROK_JPN"].quantile(0.1)
    assert np.allclose(points.loc[tail.index, "low_tail"], tail, rtol=0, atol=1e-12)


def test_an_objective_score_outcome_is_the_runs_score(swept):
    runs = read_runs(swept).set_index("replication")
    for run_id in (3, 250):
        model = reproduce(swept, run_id, record=False)
        assert runs.loc[run_id, "outcome:rok_score"] == objective_scores(model)["ROK"][0]
        check = verify_run(swept, run_id, record=False)  # every outcome column is checked too
        assert check.exact, check.mismatches


def test_sensitivity_and_plots_take_any_outcome(swept, capsys):
    result = analyze(swept, output="collapse", plots=True)
    assert result.output == "collapse" and result.statistic == "probability"
    assert "collapse at the end, per design point" in capsys.readouterr().out
