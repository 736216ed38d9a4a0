"""Sobol S2 reporting and the replication-noise floor of ST (and Morris mu_star)."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.analyze import sobol
from SALib.sample import sobol as sobol_sample

from sim.research.analysis import analyze
from sim.research.analysis.sensitivity import sobol_noise_floor
from sim.research.sweep import run_sweep

from .conftest import write_experiment

SOBOL = """\
scenarios: ["{sensitive}"]
uncertainties:
  strong: {}
  inert: {}
  us_transactionalism: {}
sampler: sobol
samples: 32
second_order: ORDER
replications: 40
seed: 12
common_random_numbers: CRN
outputs:
  indicators: [trilateral, tie.ROK_JPN]
outcomes:
  weak_link: {event: "tie.ROK_JPN < 0.5"}
"""


def _analyzed(tmp_path, order: str, crn: str, output: str = "tie.ROK_JPN"):
    folder = tmp_path / f"{order}-{crn}"
    folder.mkdir()
    body = SOBOL.replace("ORDER", order).replace("CRN", crn)
    run_sweep(write_experiment(folder, body), folder / "out", progress=False)
    return analyze(folder / "out", output=output, plots=False, echo=False)


def test_second_order_indices_appear_when_computed(tmp_path, capsys):
    result = _analyzed(tmp_path, "true", "true")
    s2 = result.second_order
    assert s2 is not None
    pairs = list(zip(s2["parameter_1"], s2["parameter_2"], strict=True))
    assert pairs == [("strong", "inert"), ("strong", "us_transactionalism"), ("inert", "us_transactionalism")]
    assert {"S2", "S2_conf"} <= set(s2.columns) and np.isfinite(s2["S2"]).all()
    assert (result.out_dir / "analysis" / "sensitivity-s2.csv").is_file()
    result = _analyzed(tmp_path, "false", "true")
    assert result.second_order is None


def test_the_noise_floor_flags_a_parameter_without_effect(tmp_path):
    # independent random numbers per point: the no-effect parameter's ST is pure replication noise
    table = _analyzed(tmp_path, "false", "false").sensitivity.set_index("parameter")
    assert {"ST_noise", "within_noise"} <= set(table.columns)
    assert table.loc["inert", "ST"] > 0 and table.loc["inert", "ST_noise"] > 0
    assert bool(table.loc["inert", "within_noise"])
    assert not bool(table.loc["strong", "within_noise"])
    assert table.loc["strong", "ST"] > 10 * table.loc["strong", "ST_noise"]


def test_common_random_numbers_remove_the_noise_of_a_parameter_without_effect(tmp_path, capsys):
    result = _analyzed(tmp_path, "false", "true", output="weak_link")
    table = result.sensitivity.set_index("parameter")
    assert table.loc["inert", "ST"] == 0 and table.loc["inert", "ST_noise"] == 0
    assert bool(table.loc["inert", "within_noise"]) and not bool(table.loc["strong", "within_noise"])
    assert result.statistic == "probability"
    assert any("inert" in note and "noise floor" in note for note in result.notes)


@pytest.mark.parametrize("second_order", [False, True])
def test_the_floor_estimator_is_saltellis_total_order_estimator(second_order):
    # applied to the outputs themselves, the floor formula gives SALib's ST
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    x = sobol_sample.sample(problem, 64, calc_second_order=second_order, seed=1)
    y = x[:, 0] + 0.5 * x[:, 1] ** 2 + 0.1 * x[:, 0] * x[:, 2]
    expected = sobol.analyze(problem, y, calc_second_order=second_order, seed=1)["ST"]
    assert np.allclose(sobol_noise_floor(y, y[None, :], 3, second_order), expected, rtol=1e-10, atol=1e-12)


MORRIS = """\
scenarios: ["{sensitive}"]
uncertainties:
  strong: {}
  inert: {}
sampler: morris
samples: 10
replications: 30
seed: 2
common_random_numbers: false
outputs:
  indicators: [trilateral]
"""


def test_morris_reports_a_noise_floor_too(tmp_path):
    run_sweep(write_experiment(tmp_path, MORRIS), tmp_path / "out", progress=False)
    table = analyze(tmp_path / "out", plots=False, echo=False).sensitivity.set_index("parameter")
    assert bool(table.loc["inert", "within_noise"]) and not bool(table.loc["strong", "within_noise"])
    assert table.loc["inert", "mu_star_noise"] > 0
