"""Levers, policies and common random numbers: identical worlds, paired precision, robustness, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.research.analysis import analyze
from sim.research.analysis.robustness import regret, robustness_table
from sim.research.experiment import ExperimentError, load_experiment
from sim.research.sweep import run_sweep, verify_run

from .conftest import read_runs, write_experiment

INERT_LEVER = """\
scenarios: ["{sensitive}"]
uncertainties:
  strong: {range: [0, 1], levels: 3}
levers:
  - {name: inert, values: [0.1, 0.9]}
policies:
  low: {inert: 0.1}
  high: {inert: 0.9}
sampler: grid
replications: 30
seed: 5
common_random_numbers: CRN
outputs:
  indicators: [trilateral, tie.ROK_JPN, USA.capital]
"""


def _by_world(runs: pd.DataFrame, policy: str) -> pd.DataFrame:
    """One policy's runs ordered by uncertainty sample and replication index within the point."""
    mine = runs[runs["policy"] == policy].copy()
    mine["k"] = mine["replication"] % 30
    return mine.sort_values(["strong", "k"]).reset_index(drop=True)


def test_a_lever_without_effect_gives_identical_worlds(tmp_path):
    path = write_experiment(tmp_path, INERT_LEVER.replace("CRN", "true"))
    run_sweep(path, tmp_path / "out", progress=False)
    runs = read_runs(tmp_path / "out")
    assert list(runs.columns[:3]) == ["point_id", "scenario", "policy"]
    low, high = _by_world(runs, "low"), _by_world(runs, "high")
    assert len(low) == len(high) == 90
    for name in ("trilateral", "tie.ROK_JPN", "USA.capital"):
        assert np.array_equal(low[name].to_numpy(), high[name].to_numpy()), name
    # the worlds do differ from one another: the equality is world by world, not a constant
    assert low["trilateral"].std() > 0


def test_without_common_random_numbers_each_point_draws_its_own_worlds(tmp_path):
    path = write_experiment(tmp_path, INERT_LEVER.replace("CRN", "false"))
    run_sweep(path, tmp_path / "out", progress=False)
    runs = read_runs(tmp_path / "out")
    low, high = _by_world(runs, "low"), _by_world(runs, "high")
    assert not np.array_equal(low["trilateral"].to_numpy(), high["trilateral"].to_numpy())


TWO_POLICIES = """\
scenarios: [baseline]
uncertainties:
  us_transactionalism: {values: [0.2, 0.8]}
levers:
  - {name: rok_strategy, strategy: ROK, values: [default, passive]}
policies:
  engage: {rok_strategy: default}
  stand_back: {rok_strategy: passive}
sampler: grid
replications: 400
seed: 3
turns: 8
common_random_numbers: CRN
outputs:
  indicators: [trilateral, tie.ROK_JPN]
"""


def _differences(tmp_path, crn: str) -> np.ndarray:
    folder = tmp_path / crn
    folder.mkdir()
    path = write_experiment(folder, TWO_POLICIES.replace("CRN", crn))
    run_sweep(path, folder / "out", progress=False)
    runs = read_runs(folder / "out")
    runs["k"] = runs["replication"] % 400
    mine = {p: runs[runs["policy"] == p].sort_values(["us_transactionalism", "k"]) for p in ("engage", "stand_back")}
    return mine["engage"]["tie.ROK_JPN"].to_numpy() - mine["stand_back"]["tie.ROK_JPN"].to_numpy()


def test_paired_differences_between_policies_are_more_precise(tmp_path):
    paired, unpaired = _differences(tmp_path, "true"), _differences(tmp_path, "false")
    assert abs(paired.mean()) > 0  # the two policies really differ
    assert paired.var() < 0.5 * unpaired.var()


def test_a_run_with_a_strategy_lever_reproduces_exactly(tmp_path):
    body = TWO_POLICIES.replace("CRN", "true").replace("replications: 400", "replications: 5")
    path = write_experiment(tmp_path, body)
    run_sweep(path, tmp_path / "out", progress=False)
    for run_id in (0, 13):  # a run of 'engage' and one of 'stand_back'
        check = verify_run(tmp_path / "out", run_id)
        assert check.exact, check.mismatches
    assert verify_run(tmp_path / "out", 13).model.replication_ids.tolist() == [3]


def test_uncertainties_is_a_synonym_of_parameters(tmp_path):
    one = write_experiment(tmp_path, INERT_LEVER.replace("CRN", "true"), "one.yaml")
    two = write_experiment(
        tmp_path, INERT_LEVER.replace("CRN", "true").replace("uncertainties:", "parameters:"), "two.yaml"
    )
    assert load_experiment(one).content_hash == load_experiment(two).content_hash


def test_levers_without_policies_make_every_combination(tmp_path):
    body = INERT_LEVER.replace("CRN", "true").replace("policies:\n  low: {inert: 0.1}\n  high: {inert: 0.9}\n", "")
    body = body.replace("levers:\n", "levers:\n  - {name: rok, strategy: ROK, values: [default, passive]}\n")
    experiment = load_experiment(write_experiment(tmp_path, body))
    assert [p.name for p in experiment.policies] == [
        "rok=default,inert=0.1",
        "rok=default,inert=0.9",
        "rok=passive,inert=0.1",
        "rok=passive,inert=0.9",
    ]
    assert experiment.points == 3 * 4 and experiment.policies[2].strategies == {"ROK": "passive"}


# ------------------------------------------------------------------------------------ robustness


def test_robustness_metrics_on_a_hand_checked_example():
    # three policies x three uncertainty samples, to maximize; threshold 5
    values = {("a", 0): 6.0, ("a", 1): 2.0, ("a", 2): 7.0}
    values |= {("b", 0): 5.0, ("b", 1): 5.0, ("b", 2): 5.0}
    values |= {("c", 0): 9.0, ("c", 1): 0.0, ("c", 2): 4.0}
    design = pd.DataFrame(
        [(i, "s", p, k) for i, (p, k) in enumerate(values)], columns=["point_id", "scenario", "policy", "sample"]
    )
    table = robustness_table(design, np.array(list(values.values())), "maximize", threshold=5.0).set_index("policy")
    # best per sample: 9, 5, 7 -> regrets a: 3, 3, 0; b: 4, 0, 2; c: 0, 5, 3
    assert table.loc["a", "max_regret"] == 3 and table.loc["b", "max_regret"] == 4 and table.loc["c", "max_regret"] == 5
    assert table.loc["a", "mean_regret"] == pytest.approx(2.0) and table.loc["c", "mean_regret"] == pytest.approx(8 / 3)
    assert table["minimax_regret"].tolist() == [True, False, False]
    assert table.loc["a", "satisficing"] == pytest.approx(2 / 3) and table.loc["b", "satisficing"] == 1.0
    assert table.loc["c", "mean"] == pytest.approx(13 / 3) and table.loc["b", "p50"] == 5.0
    # minimizing the same numbers: best per sample 5, 0, 4
    low = robustness_table(design, np.array(list(values.values())), "minimize", threshold=5.0).set_index("policy")
    assert low["max_regret"].tolist() == [3.0, 5.0, 4.0] and low.loc["b", "satisficing"] == 1.0
    assert regret(np.array([[1.0, 2.0], [3.0, 0.0]]), "maximize").tolist() == [[2.0, 0.0], [0.0, 2.0]]


def test_analyze_reports_robustness_per_policy(tmp_path, capsys):
    body = TWO_POLICIES.replace("CRN", "true").replace("replications: 400", "replications: 20")
    body += 'outcomes:\n  weak_link: {event: "tie.ROK_JPN < 0.6"}\n'
    body += "robustness: {outcome: weak_link, direction: minimize, threshold: 0.5}\n"
    run_sweep(write_experiment(tmp_path, body), tmp_path / "out", progress=False)
    result = analyze(tmp_path / "out")
    table = result.robustness
    assert table is not None and table["policy"].tolist() == ["engage", "stand_back"]
    assert {"mean", "p5", "p50", "p95", "satisficing", "max_regret", "minimax_regret"} <= set(table.columns)
    assert (tmp_path / "out" / "analysis" / "robustness.csv").is_file()
    assert (tmp_path / "out" / "analysis" / "robustness.png").is_file()
    assert "Robustness of the policies" in capsys.readouterr().out


# ------------------------------------------------------------------------------------ errors

BAD = """\
scenarios: [baseline]
uncertainties:
  us_transactionalism: {range: [0, 1]}
levers:
  - {name: rok, strategy: ROK, values: [default, pasive]}
  - {name: us_transactionalsm, values: [0.1]}
  - {name: pol, parameter: rok_polarization, values: [2.0]}
policies:
  one: {rok: default, jpn: passive}
sampler: lhs
samples: 4
replications: 2
outcomes:
  bad: {event: "tie.ROK_JPN < < 0.4"}
  twice: {of: trilateral, event: "trilateral < 0.3"}
  unknown: {of: "tie.ROK_JP"}
robustness: {outcome: colapse}
"""


def test_bad_levers_policies_and_outcomes_get_located_errors(tmp_path):
    path = write_experiment(tmp_path, BAD)
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    text = str(caught.value)
    expected = [
        f"{path}:5:50: 'pasive' is not a strategy (did you mean 'passive'?)",
        f"{path}:6:12: unknown parameter 'us_transactionalsm' for scenario 'baseline' (did you mean 'us_transactionalism'?)",
        f"{path}:7:55: value 2 of lever 'pol' is outside its declared range [0, 1]",
        f"{path}:9:23: unknown lever 'jpn'",
        f"{path}:14:31: syntax error",
        f"{path}:15:3: outcome 'twice' needs exactly one of of:, event:, first_turn:, score: (got of, event)",
        f"{path}:16:18: unknown name 'tie.ROK_JP' (did you mean 'tie.ROK_JPN'?)",
        f"{path}:17:23: robustness outcome 'colapse' is neither an outcome nor a recorded indicator",
    ]
    for line in expected:
        assert line in text, (line, text)


def test_uncertainties_and_parameters_together_are_refused(tmp_path):
    body = INERT_LEVER.replace("CRN", "true") + "parameters:\n  inert: [0.5]\n"
    with pytest.raises(ExperimentError, match="uncertainties: is a synonym of parameters:"):
        load_experiment(write_experiment(tmp_path, body))


def test_problems_under_uncertainties_are_located(tmp_path):
    body = (
        "scenarios: [baseline]\nuncertainties:\n  us_transactionalsm: {range: [0, 1]}\n"
        "  rok_polarization: {distribution: foo}\nsampler: lhs\nsamples: 4\nreplications: 2\n"
    )
    path = write_experiment(tmp_path, body)
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    text = str(caught.value)
    assert f"{path}:3:3: unknown parameter 'us_transactionalsm' for scenario 'baseline'" in text
    assert f"{path}:4:36: " in text and "'foo' is not one of" in text


def test_a_policy_run_replays_as_a_game(tmp_path):
    from sim.play.session import session_for_sweep_run
    from sim.research.sweep import reproduce

    body = TWO_POLICIES.replace("CRN", "true").replace("replications: 400", "replications: 4")
    run_sweep(write_experiment(tmp_path, body), tmp_path / "out", progress=False)
    session = session_for_sweep_run(tmp_path / "out", 13, shadows=2)  # policy stand_back, world 1
    model = reproduce(tmp_path / "out", 13)
    assert session.settings.controllers == {"ROK": "passive"} and session.settings.story_replication == 1
    assert np.array_equal(session.story.x, model.x)
