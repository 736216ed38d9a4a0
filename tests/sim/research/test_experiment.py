"""Experiment files: samplers give the documented designs; bad files give located errors."""

from __future__ import annotations

import numpy as np
import pytest

from sim.research.experiment import (
    ExperimentError,
    design_table,
    load_experiment,
    parse_outcome,
    unit_sample,
)
from tests.sim.research.conftest import write_experiment

HEAD = "scenarios: [baseline]\nreplications: 3\nseed: {seed}\n"


def experiment(tmp_path, body: str, seed: int = 5, name: str = "e.yaml"):
    return load_experiment(write_experiment(tmp_path, HEAD.format(seed=seed) + body, name))


THREE = """\
parameters:
  us_transactionalism: {range: [0.2, 0.9]}
  rok_polarization: [0.1, 0.5, 0.9]
  history_flare_chance: {range: [0.01, 0.5], distribution: loguniform}
"""


@pytest.mark.parametrize(
    ("sampler", "extra", "size"),
    [
        ("grid", "", 5 * 3 * 5),
        ("grid", "levels: 3\n", 3 * 3 * 3),
        ("lhs", "samples: 17\n", 17),
        ("montecarlo", "samples: 23\n", 23),
        ("sobol", "samples: 16\n", 16 * (3 + 2)),
        ("sobol", "samples: 8\nsecond_order: true\n", 8 * (2 * 3 + 2)),
        ("morris", "samples: 6\n", 6 * (3 + 1)),
        ("morris", "samples: 5\nlevels: 6\n", 5 * (3 + 1)),
    ],
)
def test_each_sampler_gives_the_documented_size_bounds_and_is_reproducible(tmp_path, sampler, extra, size):
    body = THREE + f"sampler: {sampler}\n" + extra
    exp = experiment(tmp_path, body)
    design = design_table(exp)
    assert len(design) == exp.samples_per_scenario == size
    assert list(design.columns) == [
        "point_id",
        "scenario",
        "sample",
        "us_transactionalism",
        "rok_polarization",
        "history_flare_chance",
    ]
    assert design["point_id"].tolist() == list(range(size))
    assert design["us_transactionalism"].between(0.2, 0.9).all()
    assert set(design["rok_polarization"]) <= {0.1, 0.5, 0.9}
    assert design["history_flare_chance"].between(0.01, 0.5).all()
    units = unit_sample(exp)
    assert units.shape == (size, 3) and units.min() >= 0 and units.max() <= 1
    again = design_table(experiment(tmp_path, body, name="again.yaml"))
    assert again.equals(design)
    if sampler != "grid":
        other = design_table(experiment(tmp_path, body, seed=6, name="other.yaml"))
        assert not np.array_equal(other["us_transactionalism"], design["us_transactionalism"])


def test_grid_is_full_factorial_with_both_ends_and_first_parameter_slowest(tmp_path):
    exp = experiment(
        tmp_path,
        "parameters:\n  us_transactionalism: {range: [0, 1], levels: 3}\n  rok_polarization: [0.2, 0.8]\nsampler: grid\n",
    )
    design = design_table(exp)
    assert design[["us_transactionalism", "rok_polarization"]].values.tolist() == [
        [0.0, 0.2],
        [0.0, 0.8],
        [0.5, 0.2],
        [0.5, 0.8],
        [1.0, 0.2],
        [1.0, 0.8],
    ]


def test_lhs_puts_one_point_in_each_stratum(tmp_path):
    exp = experiment(
        tmp_path, "parameters:\n  us_transactionalism: {}\n  rok_polarization: {}\nsampler: lhs\nsamples: 20\n"
    )
    units = unit_sample(exp)
    for j in range(2):
        assert sorted(np.floor(units[:, j] * 20).astype(int)) == list(range(20))


def test_distributions_map_into_their_ranges(tmp_path):
    exp = experiment(
        tmp_path,
        "parameters:\n"
        "  us_transactionalism: {range: [0.2, 0.8], distribution: normal, mean: 0.5, sd: 0.1}\n"
        "  history_flare_chance: {range: [0.001, 1], distribution: loguniform}\n"
        "sampler: montecarlo\nsamples: 4000\n",
    )
    design = design_table(exp)
    normal = design["us_transactionalism"]
    assert normal.between(0.2, 0.8).all() and abs(normal.mean() - 0.5) < 0.01 and abs(normal.std() - 0.1) < 0.01
    logs = np.log10(design["history_flare_chance"])
    assert logs.between(-3, 0).all()
    assert abs(np.mean(logs < -1.5) - 0.5) < 0.05  # half the mass below the geometric middle


def test_several_scenarios_share_the_design_and_number_points_scenario_by_scenario(tmp_path):
    body = (
        "scenarios: [baseline, korean-polarization]\nreplications: 2\nseed: 1\n"
        "parameters:\n  us_transactionalism: {}\nsampler: lhs\nsamples: 4\n"
    )
    exp = load_experiment(write_experiment(tmp_path, body))
    design = design_table(exp)
    assert design["scenario"].tolist() == ["baseline"] * 4 + ["korean-polarization"] * 4
    assert design["point_id"].tolist() == list(range(8))
    assert design["sample"].tolist() == [0, 1, 2, 3] * 2
    first, second = design.iloc[:4], design.iloc[4:]
    assert first["us_transactionalism"].tolist() == second["us_transactionalism"].tolist()
    assert exp.runs == 16


def test_defaults_scalar_scenario_and_the_content_hash_ignores_comments(tmp_path):
    one = write_experiment(
        tmp_path, "scenarios: baseline\nparameters:\n  us_transactionalism: {}\nsampler: grid\nreplications: 2\n"
    )
    two = write_experiment(
        tmp_path,
        "# a comment\nscenarios: [baseline]\nparameters:\n  us_transactionalism: {}   # uniform\n"
        "sampler: grid\nreplications: 2\n",
        "two.yaml",
    )
    a, b = load_experiment(one), load_experiment(two)
    from sim.engine.model import INDICATORS

    assert a.indicators == INDICATORS and a.spec.seed == 1 and a.samples_per_scenario == 5
    assert a.content_hash == b.content_hash and a.file_sha256 != b.file_sha256
    assert str(a.outcome) == "trilateral < 0.4"


def test_outcome_parsing():
    outcome = parse_outcome("trilateral:min <= 0.3")
    assert (outcome.indicator, outcome.op, outcome.threshold) == ("trilateral:min", "<=", 0.3)
    assert outcome.test(np.array([0.2, 0.3, 0.4])).tolist() == [True, True, False]
    with pytest.raises(ValueError, match="should look like"):
        parse_outcome("trilateral is low")


def problems(tmp_path, text: str, elsewhere: str = "") -> list[str]:
    path = write_experiment(tmp_path, text, "bad.yaml")
    with pytest.raises(ExperimentError) as exc:
        load_experiment(path)
    lines = str(exc.value).splitlines()
    assert all(line.startswith(f"{path}:") for line in lines if not (elsewhere and elsewhere in line)), lines
    return lines


def test_every_problem_is_reported_at_once_with_its_place_and_a_suggestion(tmp_path):
    lines = problems(
        tmp_path,
        "id: bad\n"  # 1
        "scenarios: [baselin, baseline]\n"  # 2
        "parameters:\n"  # 3
        "  us_transactionalsm: {range: [0, 1]}\n"  # 4
        "  rok_polarization: {range: [0.5, 2], distribution: normal}\n"  # 5
        "  history_flare_chance: [0.1, 0.2, 1.5]\n"  # 6
        "  burden_demand_chance: {range: [0, 1], distribuion: uniform}\n"  # 7
        "fixed:\n"  # 8
        "  threat_gain: 3\n"  # 9
        "sampler: sobol\n"  # 10
        "samples: 100\n"  # 11
        "replications: 10\n"  # 12
        "outputs:\n"  # 13
        "  indicators: [trilateral, tie.ROK_JP]\n"  # 14
        "  at: every\n"  # 15
        "  keep_trajectories: true\n"  # 16
        "analysis:\n"  # 17
        "  outcome: 'trilateral << 0.4'\n"  # 18
        "replicatons: 4\n",  # 19
    )
    text = "\n".join(lines)
    expected = [
        ":2:13: scenario 'baselin' is neither a library scenario nor a file (did you mean 'baseline'?)",
        ":4:3: unknown parameter 'us_transactionalsm' for scenario 'baseline' (did you mean 'us_transactionalism'?)",
        ":5:3: normal distribution of 'rok_polarization' needs mean: and sd:",
        ":5:29: range [0.5, 2] of 'rok_polarization' is outside its declared range [0, 1]",
        ":6:36: value 1.5 of 'history_flare_chance' is outside its declared range [0, 1]",
        ":7:41: unknown key 'distribuion' (did you mean 'distribution'?)",
        ":9:16: fixed value 3 of 'threat_gain' is outside its declared range [0, 1]",
        ":11:10: sobol samples must be a power of 2",
        ":14:28: unknown indicator 'tie.ROK_JP' (did you mean 'tie.ROK_JPN'?)",
        ":16:3: at: every already keeps every turn",
        ":18:12: outcome 'trilateral << 0.4' should look like",
        ":19:1: unknown key 'replicatons' (did you mean 'replications'?)",
    ]
    for fragment in expected:
        assert fragment in text, (fragment, text)
    assert len(lines) == len(expected)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {}}\nsampler: lhs\nreplications: 2\n",
            ":3:10: the lhs sampler needs samples:",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {}}\nsampler: grid\nsamples: 3\nreplications: 2\n",
            ":4:1: the grid sampler takes no samples",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {}}\nsampler: montecrlo\nreplications: 2\n",
            ":3:10: sampler: 'montecrlo' is not one of: grid, lhs, sobol, morris, montecarlo (did you mean 'montecarlo'?)",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {}}\nsampler: grid\nreplications: 0\n",
            ":4:15: replications: should be greater than or equal to 1",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {range: [0.8, 0.2]}}\nsampler: grid\nreplications: 2\n",
            "must have low < high",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {range: [0, 1], distribution: loguniform}}\nsampler: grid\nreplications: 2\n",
            "a loguniform range must be positive",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {}}\nfixed: {us_transactionalism: 0.3}\nsampler: grid\nreplications: 2\n",
            ":3:9: parameter 'us_transactionalism' is both varied and fixed",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {levels: 3}}\nsampler: lhs\nsamples: 4\nreplications: 2\n",
            "levels applies to the grid sampler only",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {}}\nsampler: grid\nreplications: 2\noutputs: {at: [3, 40]}\n",
            "turn 40 is after the last turn (16) of scenario 'baseline'",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {}}\nsampler: grid\nreplications: 2\nanalysis: {output: trilaterl}\n",
            "analysis.output 'trilaterl' is neither a recorded indicator nor an outcome (did you mean 'trilateral'?)",
        ),
        (
            "scenarios: [defaults]\nparameters: {us_transactionalism: {}}\nsampler: grid\nreplications: 2\n",
            "is abstract",
        ),
        (
            "scenarios: [baseline]\nparameters: {us_transactionalism: {levels: 4000}, rok_polarization: {levels: 4000}}\nsampler: grid\nreplications: 2\n",
            "points; at most 10,000,000 are allowed",
        ),
        ("- just\n- a list\n", ":1:1: an experiment file must be a YAML mapping"),
        ("scenarios: [baseline\n", "YAML syntax error"),
    ],
)
def test_single_problems_are_located(tmp_path, body, fragment):
    text = "\n".join(problems(tmp_path, body))
    assert fragment in text, text


def test_a_broken_scenario_reports_its_own_problems(tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "id: broken\ntitle: Broken\nextends: baseline\nturns: many\n", encoding="utf-8"
    )
    text = "\n".join(
        problems(
            tmp_path,
            "scenarios: [broken.yaml]\nparameters: {us_transactionalism: {}}\nsampler: grid\nreplications: 2\n",
            elsewhere="broken.yaml:",
        )
    )
    assert "scenario 'broken.yaml' has 1 problem(s)" in text
    assert "broken.yaml:4:8: turns: expected a whole number" in text
