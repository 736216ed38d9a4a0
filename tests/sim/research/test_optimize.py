"""trilat optimize: NSGA-II over levers, the Pareto set in Parquet, every evaluated policy replayable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.research.analysis import analyze
from sim.research.experiment import ExperimentError, load_experiment
from sim.research.experiment_spec import Lever
from sim.research.optimize import decode, optimize, pareto_mask
from sim.research.sweep import SweepError, run_sweep

from .conftest import write_experiment

SEARCH = """\
scenarios: ["{sensitive}"]
uncertainties:
  us_transactionalism: {values: [0.2, 0.8]}
levers:
  - {name: drag, parameter: strong, values: [0, 1]}
  - {name: rok, strategy: ROK, values: [default, passive]}
sampler: grid
replications: 12
seed: 6
outputs:
  indicators: [trilateral, tie.ROK_JPN]
outcomes:
  weak: {event: "tie.ROK_JPN < 0.5"}
optimize:
  objectives:
    - {outcome: weak, metric: mean, direction: minimize}
    - {outcome: trilateral, metric: p5, direction: maximize}
  population: 4
  generations: 2
"""


def test_optimize_writes_the_pareto_set_and_every_policy_replays(tmp_path, capsys):
    path = write_experiment(tmp_path, SEARCH)
    result = optimize(path, tmp_path / "opt")
    table = result.evaluations
    assert {"policy", "generation", "drag", "rok", "mean(weak)", "p5(trilateral)", "pareto"} <= set(table.columns)
    assert len(table) >= 4 and table["policy"].is_unique
    assert set(table["rok"]) <= {"default", "passive"} and table["drag"].between(0, 1).all()
    stored = pd.read_parquet(tmp_path / "opt" / "pareto.parquet")
    assert stored["policy"].tolist() == table.loc[table["pareto"], "policy"].tolist()
    assert "Pareto set" in capsys.readouterr().out
    # replay: a sweep of replay.yaml runs every evaluated policy with the same worlds
    run_sweep(tmp_path / "opt" / "replay.yaml", tmp_path / "replay", progress=False)
    robust = analyze(tmp_path / "replay", plots=False, echo=False).robustness
    assert robust is not None
    replayed = robust.set_index("policy")["mean"]
    assert np.array_equal(replayed.loc[table["policy"]].to_numpy(), table["mean(weak)"].to_numpy())


def test_the_pareto_mask_keeps_the_non_dominated_rows():
    minimized = np.array([[1.0, 5.0], [2.0, 2.0], [3.0, 3.0], [5.0, 1.0], [1.0, 5.0]])
    assert pareto_mask(minimized).tolist() == [True, True, False, True, True]


def test_levers_decode_from_unit_coordinates():
    levers = [
        Lever(name="a", parameter="x", values=[0.2, 0.6]),
        Lever(name="b", strategy="ROK", values=["default", "passive", "reciprocal"]),
    ]
    assert decode(levers, np.array([0.5, 0.0])) == {"a": 0.4, "b": "default"}
    assert decode(levers, np.array([1.0, 1.0])) == {"a": 0.6, "b": "reciprocal"}
    assert decode(levers, np.array([0.0, 0.5])) == {"a": 0.2, "b": "passive"}


def test_optimize_needs_an_optimize_block_and_valid_objectives(tmp_path):
    plain = write_experiment(tmp_path, SEARCH.split("optimize:")[0], "plain.yaml")
    with pytest.raises(SweepError, match="no optimize: block"):
        optimize(plain, tmp_path / "opt")
    assert main(["optimize", str(plain), "--out", str(tmp_path / "opt")]) == 2
    bad = SEARCH.replace("{outcome: weak, metric: mean", "{outcome: wek, metric: satisficing")
    path = write_experiment(tmp_path, bad, "bad.yaml")
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    text = str(caught.value)
    assert (
        f"{path}:16:17: objective 'wek' is neither an outcome nor a recorded indicator (did you mean 'weak'?)" in text
    )
    assert f"{path}:16:30: metric: satisficing needs threshold:" in text
