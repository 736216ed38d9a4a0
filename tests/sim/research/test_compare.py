"""trilat compare: scores on synthetic series, the baselines, the observed-file reader and the command."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.cli import main
from sim.lang.scenario import load_scenario
from sim.research.compare import (
    change_signs,
    compare,
    linear_trend,
    linear_trend_loo,
    persistence,
    rank_correlations,
    sign_agreement,
    yearly_means,
)
from sim.research.observed import MAX_BYTES, ObservedError, read_observed
from sim.research.validation import model_yearly

ROOT = Path(__file__).resolve().parents[3]
YEARS = np.array([2025, 2026, 2027, 2028])


def write_csv(folder: Path, rows: list[tuple[int, float]], name: str = "observed.csv") -> Path:
    path = folder / name
    path.write_text("year,value\n" + "".join(f"{y},{v!r}\n" for y, v in rows), encoding="utf-8")
    return path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------- aggregation


def test_yearly_means_average_the_quarters_of_each_calendar_year():
    quarter_years = np.array([2025, 2025, 2026, 2026, 2026, 2026, 2027])  # a partial first and last year
    values = np.arange(14, dtype=float).reshape(7, 2)  # two worlds
    years, quarters, means = yearly_means(quarter_years, values)
    assert years.tolist() == [2025, 2026, 2027]
    assert quarters.tolist() == [2, 4, 1]
    assert means.shape == (2, 3)
    assert means[0].tolist() == [1.0, 7.0, 12.0]  # (0 + 2) / 2, (4 + 6 + 8 + 10) / 4, 12
    assert means[1].tolist() == [2.0, 8.0, 13.0]


def test_model_yearly_matches_the_quarterly_states_of_a_model_run():
    from sim.engine.model import TrilateralModel

    scenario = load_scenario("baseline")
    years, quarters, yearly = model_yearly(scenario, "tie.ROK_JPN", runs=6, seed=3, chunk=4)
    assert years.tolist() == [2025, 2026, 2027, 2028] and quarters.tolist() == [4, 4, 4, 4]
    model = TrilateralModel(scenario, seed=3, replications=6, record=False)
    quarterly = []
    for _ in range(16):
        model.step()
        quarterly.append(model.indicator("tie.ROK_JPN"))
    expected = np.array(quarterly).reshape(4, 4, 6).mean(axis=1).T
    np.testing.assert_allclose(yearly, expected, rtol=0, atol=1e-15)


# ----------------------------------------------------------------------------- scores on synthetic series


def ensemble() -> np.ndarray:
    rng = np.random.default_rng(7)
    return 0.5 + np.cumsum(rng.normal(0, 0.05, size=(300, 4)), axis=1)


def test_a_series_equal_to_the_model_mean_scores_perfectly():
    worlds = ensemble()
    result = compare(YEARS, worlds.mean(axis=0), worlds)
    assert result.model.sign_agreement == 1.0
    assert result.model.spearman == pytest.approx(1.0)
    assert result.model.nrmse == 0.0
    assert result.model.nrmse_z == pytest.approx(0.0, abs=1e-12)
    assert result.model.peak_year == result.observed_peak
    assert result.model.trough_year == result.observed_trough


def test_the_negated_mean_scores_minus_one_and_no_sign_agreement():
    worlds = ensemble()
    result = compare(YEARS, -worlds.mean(axis=0), worlds)
    assert result.model.spearman == pytest.approx(-1.0)
    assert result.model.sign_agreement == 0.0
    assert result.model.nrmse_z == pytest.approx(2.0)  # sqrt(2 (1 - r)) with r = -1
    assert result.model.peak_year == result.observed_trough


def test_a_constant_observed_series_leaves_the_undefined_scores_undefined():
    worlds = ensemble()
    result = compare(YEARS, np.full(4, 0.5), worlds)
    data = result.to_dict()
    json.dumps(data, allow_nan=False)  # no NaN leaks into JSON
    model = data["scores"]["model"]
    assert model["spearman"] is None and model["nrmse"] is None and model["nrmse_z"] is None
    assert model["sign_agreement"] == 0.0  # the model moves every year; the observed series never does
    assert data["observed_summary"]["peak_year"] is None and data["observed_summary"]["trough_year"] is None
    assert data["worlds"]["peak_year_share"] is None
    assert data["worlds"]["spearman"]["mean"] is None and data["worlds"]["spearman"]["defined"] == 0.0
    assert data["scores"]["persistence"]["sign_agreement"] == 1.0  # no change predicted, none observed
    assert data["scores"]["trend"]["sign_agreement"] == 1.0  # a flat fitted line


def test_a_constant_model_against_a_constant_series_agrees_in_sign():
    worlds = np.full((5, 4), 0.3)
    result = compare(YEARS, np.full(4, 7.0), worlds)
    assert result.model.sign_agreement == 1.0
    assert math.isnan(result.model.spearman)
    assert np.isnan(result.per_world.peak_year).all()
    assert result.to_dict()["worlds"]["peak_years"] == {"none": 1.0}


def test_float_noise_is_not_a_change():
    assert change_signs(np.array([0.5, 0.5 + 1e-15, 0.6, 0.6])).tolist() == [0.0, 1.0, 0.0]
    assert change_signs(np.array([40.0, 40.0, 39.0])).tolist() == [0.0, -1.0]


def test_sign_agreement_counts_matching_changes():
    observed = np.array([1.0, 2.0, 1.0, 1.0, 3.0])  # up, down, none, up
    predicted = np.array([0.1, 0.2, 0.3, 0.3, 0.1])  # up, up, none, down
    assert sign_agreement(predicted, observed) == pytest.approx(2 / 4)


def test_peak_and_trough_years_and_world_shares_on_a_hand_built_ensemble():
    years = np.array([2001, 2002, 2003])
    observed = np.array([0.0, 5.0, 1.0])  # peak 2002, trough 2001
    worlds = np.array(
        [
            [1.0, 3.0, 2.0],  # peak 2002, trough 2001
            [3.0, 1.0, 2.0],  # peak 2001, trough 2002
            [1.0, 2.0, 3.0],  # peak 2003, trough 2001
            [1.0, 3.0, 3.0],  # a tie: the first year of the maximum, 2002; trough 2001
            [2.0, 2.0, 2.0],  # constant: no peak, no trough
        ]
    )
    result = compare(years, observed, worlds)
    assert (result.observed_peak, result.observed_trough) == (2002, 2001)
    assert result.per_world.peak_year[:4].tolist() == [2002, 2001, 2003, 2002]
    assert np.isnan(result.per_world.peak_year[4])
    assert result.world_share("peak") == pytest.approx(2 / 5)
    assert result.world_share("trough") == pytest.approx(3 / 5)
    data = result.to_dict()["worlds"]
    assert data["peak_years"] == {"2001": 0.2, "2002": 0.4, "2003": 0.2, "none": 0.2}
    mean = worlds.mean(axis=0)  # 1.6, 2.2, 2.4: peak 2003, trough 2001
    assert (result.model.peak_year, result.model.trough_year) == (2003, 2001)
    np.testing.assert_allclose(result.band["mean"], mean)


def test_per_world_spearman_equals_scipy_row_by_row():
    rng = np.random.default_rng(1)
    worlds = rng.integers(0, 4, size=(50, 6)).astype(float)  # many ties
    observed = np.array([3.0, 1.0, 1.0, 2.0, 5.0, 0.0])
    mine = rank_correlations(worlds, observed)
    for row, value in zip(worlds, mine, strict=True):
        if np.ptp(row) == 0:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(stats.spearmanr(row, observed).statistic)


def test_baselines_on_a_hand_built_series():
    years = np.array([2000, 2001, 2002, 2003])
    observed = np.array([1.0, 3.0, 2.0, 4.0])
    p_years, p_values = persistence(years, observed)
    assert p_years.tolist() == [2001, 2002, 2003] and p_values.tolist() == [1.0, 3.0, 2.0]
    np.testing.assert_allclose(linear_trend(years, observed), [1.3, 2.1, 2.9, 3.7])  # slope 0.8 through the mean
    # leave-one-out: year 2000 from the line through (2001, 3), (2002, 2), (2003, 4): slope 0.5, mean 3 at 2002
    loo = linear_trend_loo(years, observed)
    assert loo[0] == pytest.approx(2.0)
    for i in range(4):
        keep = np.arange(4) != i
        a = np.vstack([years[keep], np.ones(3)]).T
        slope, intercept = np.linalg.lstsq(a, observed[keep], rcond=None)[0]
        assert loo[i] == pytest.approx(slope * years[i] + intercept)

    result = compare(years, observed, np.tile(observed, (3, 1)))
    sd = math.sqrt(1.25)
    persist = result.baselines["persistence"]
    assert persist.years.tolist() == [2001, 2002, 2003]
    assert persist.sign_agreement == 0.0  # predicted up, down; observed down, up
    assert persist.spearman == pytest.approx(-0.5)
    assert persist.nrmse == pytest.approx(math.sqrt(3) / sd)  # errors -2, 1, -2 over the full-series SD
    assert (persist.peak_year, persist.trough_year) == (2002, 2001)
    trend = result.baselines["trend"]
    assert trend.sign_agreement == pytest.approx(2 / 3)
    assert trend.spearman == pytest.approx(0.8)
    assert trend.nrmse == pytest.approx(math.sqrt(np.mean((np.array([1.3, 2.1, 2.9, 3.7]) - observed) ** 2)) / sd)
    assert (trend.peak_year, trend.trough_year) == (2003, 2000)
    # every world equals the observed series: each beats every baseline on NRMSE
    assert result.to_dict()["worlds"]["beats"]["trend"]["nrmse"] == 1.0
    assert result.to_dict()["worlds"]["beats"]["trend"]["sign_agreement"] == 1.0


def test_compare_refuses_too_few_years_and_unsorted_years():
    with pytest.raises(ValueError, match="at least 3"):
        compare(np.array([2025, 2026]), np.zeros(2), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="increasing"):
        compare(np.array([2026, 2025, 2027]), np.zeros(3), np.zeros((3, 3)))


def test_scale_warning_only_for_plainly_different_scales():
    worlds = ensemble()
    mean = worlds.mean(axis=0)
    assert compare(YEARS, mean + 0.01, worlds).scale_warning() is None
    assert "different scales" in compare(YEARS, 100 * mean, worlds).scale_warning()


# ----------------------------------------------------------------------------- the observed-series file


def test_reader_skips_comments_and_blank_lines_ignores_extra_columns_and_sorts(tmp_path):
    path = tmp_path / "poll.csv"
    path.write_bytes(
        "\ufeff# a comment\r\n\r\nSource, Year ,VALUE\r\n"
        '"Poll, wave 2",2027,0.4\r\n'
        "  # indented comment\r\n"
        'p1,2025,"0.5"\r\n'
        "p3,2026,-1e-1\r\n".encode()
    )
    series = read_observed(path)
    assert series.years.tolist() == [2025, 2026, 2027]
    assert series.values.tolist() == [0.5, -0.1, 0.4]
    assert series.lines == (6, 7, 4)
    assert series.year_cols == (4, 4, 16)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"yr,value\n2025,1\n", ":1:1: the header must name the columns year and value; missing year"),
        (b"year,val\n2025,1\n", ":1:1: the header must name the columns year and value; missing value"),
        (b"year,value,year\n2025,1,2\n", ":1:12: column 'year' appears twice"),
        (b"year,value\n2025,abc\n", ":2:6: value 'abc' is not a number"),
        (b"year,value\n2025,NaN\n", ":2:6: value 'NaN' is not a finite number"),
        (b"year,value\n2025,-inf\n", ":2:6: value '-inf' is not a finite number"),
        (b"year,value\n2025,1e400\n", ":2:6: value '1e400' is too large"),
        (b"year,value\n2025,\n", ":2:6: missing value"),
        (b"year,value\n25,1\n", ":2:1: year '25' is not a four-digit year"),
        (b"year,value\n2025,1\n2026,2\n2025,3\n", ":4:1: year 2025 appears twice (first on line 2)"),
        (b"year,value\n2025,1,x\n", ":2:1: expected 2 field(s)"),
        (b'year,value\n2025,"1\n', ":2:6: unterminated quoted field"),
        (b'year,value\n2025,"1"x\n', ":2:9: text after a closing quote"),
        (b"year,value\n2025,1\n2026,\xe9\n", ":3:6: not UTF-8 text (byte 0xe9)"),
        (b"# only a comment\n\n", ": no header line"),
        (b"year,value\n", ":1:1: no data rows"),
    ],
)
def test_reader_locates_each_problem(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ObservedError) as caught:
        read_observed(path)
    assert str(caught.value).startswith(f"{path}{expected}")


def test_reader_reports_every_row_problem_at_once(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("year,value\n2025,x\n2026,1\n2027,y\n", encoding="utf-8")
    with pytest.raises(ObservedError) as caught:
        read_observed(path)
    assert [line.split(": ")[0] for line in caught.value.lines] == [f"{path}:2:6", f"{path}:4:6"]


def test_reader_refuses_missing_files_folders_and_huge_files(tmp_path):
    for path, message in [
        (tmp_path / "none.csv", "no such file"),
        (tmp_path, "is a folder"),
    ]:
        with pytest.raises(ObservedError, match=message):
            read_observed(path)
    huge = tmp_path / "huge.csv"
    huge.write_bytes(b"year,value\n" + b"#" * MAX_BYTES)
    with pytest.raises(ObservedError, match="larger than 1,000,000 bytes"):
        read_observed(huge)


# ----------------------------------------------------------------------------- the command


def test_compare_prints_the_table_and_year_rows(capsys, tmp_path):
    path = write_csv(tmp_path, [(2025, 0.50), (2026, 0.55), (2027, 0.53), (2028, 0.60)])
    code, out, err = run_cli(
        capsys, "compare", "baseline", "--observed", str(path), "--variable", "tie.ROK_JPN", "--runs", "40"
    )
    assert code == 0, err
    for fragment in [
        "ROK-JPN tie (tie.ROK_JPN) in 'baseline'",
        "40 worlds, seed 1",
        "model: ensemble mean",
        "model: each world, median",
        "persistence (previous observed year)",
        "linear trend (in-sample fit)",
        "linear trend (leave-one-out)",
        "worlds placing their own peak in the observed peak year",
        "worlds beating persistence",
        "NRMSE = RMSE / observed SD",
    ]:
        assert fragment in out, fragment
    year_rows = [line.split() for line in out.splitlines() if line[:4] in {"2025", "2026", "2027", "2028"}]
    assert [row[:3] for row in year_rows] == [
        ["2025", "4", "0.5"],
        ["2026", "4", "0.55"],
        ["2027", "4", "0.53"],
        ["2028", "4", "0.6"],
    ]
    assert "warning" not in out


def test_compare_against_the_model_own_mean_scores_perfectly(capsys, tmp_path):
    scenario = load_scenario("baseline")
    years, _, yearly = model_yearly(scenario, "ROK.support", runs=60, seed=5)
    path = write_csv(tmp_path, [(int(y), float(v)) for y, v in zip(years, yearly.mean(axis=0), strict=True)])
    args = ["compare", "baseline", "--observed", str(path), "--variable", "ROK.support", "--runs", "60", "--seed", "5"]
    code, out, _ = run_cli(capsys, *args, "--json")
    assert code == 0
    model = json.loads(out)["scores"]["model"]
    assert model["sign_agreement"] == 1.0
    assert model["spearman"] == pytest.approx(1.0)
    assert model["nrmse"] == pytest.approx(0.0, abs=1e-12)


def test_compare_json_has_every_figure_and_is_deterministic(capsys, tmp_path):
    path = write_csv(tmp_path, [(2025, 31.0), (2026, 40.0), (2027, 38.0), (2028, 45.0)])
    args = ["compare", "baseline", "--observed", str(path), "--variable", "ROK.support", "--runs", "30", "--json"]
    _, first, _ = run_cli(capsys, *args, "--seed", "2")
    _, again, _ = run_cli(capsys, *args, "--seed", "2")
    _, other, _ = run_cli(capsys, *args, "--seed", "3")
    assert first == again
    assert first != other
    data = json.loads(first)
    assert {"scenario", "variable", "observed_file", "runs", "seed", "aggregation", "nrmse_denominator"} <= set(data)
    assert {"years", "quarters", "observed", "model", "observed_summary", "scores", "worlds", "scale_warning"} <= set(
        data
    )
    assert data["years"] == [2025, 2026, 2027, 2028] and data["quarters"] == [4, 4, 4, 4]
    assert set(data["model"]) == {"mean", "p5", "p50", "p95"} and len(data["model"]["p95"]) == 4
    assert set(data["scores"]) == {"model", "persistence", "trend", "trend_loo"}
    for scores in data["scores"].values():
        assert {
            "years",
            "predicted",
            "sign_agreement",
            "spearman",
            "nrmse",
            "nrmse_z",
            "peak_year",
            "trough_year",
        } <= set(scores)
    worlds = data["worlds"]
    assert worlds["runs"] == 30
    assert {"mean", "p5", "p50", "p95", "defined"} == set(worlds["nrmse_z"])
    assert {"peak_year_share", "trough_year_share", "peak_years", "trough_years", "beats"} <= set(worlds)
    assert set(worlds["beats"]) == {"persistence", "trend", "trend_loo"}
    assert "different scales" in data["scale_warning"]  # percentages against a 0-1 variable


def test_set_and_strategy_reach_the_model(capsys, tmp_path):
    path = write_csv(tmp_path, [(2025, 0.50), (2026, 0.55), (2027, 0.53), (2028, 0.60)])
    args = ["compare", "baseline", "--observed", str(path), "--variable", "tie.USA_ROK", "--runs", "30", "--json"]
    _, plain, _ = run_cli(capsys, *args)
    _, changed, _ = run_cli(capsys, *args, "--set", "us_transactionalism=1", "--strategy", "USA=transactional")
    assert json.loads(plain)["model"]["mean"] != json.loads(changed)["model"]["mean"]


@pytest.mark.parametrize(
    ("content", "location"),
    [
        (None, ": no such file"),
        ("folder", ": is a folder"),
        (b"year,value\n2025,1\n2026,\xff\n2027,2\n", ":3:6: not UTF-8"),
        (b"year,number\n2025,1\n2026,2\n2027,2\n", ":1:1: the header must name"),
        (b"year,value\n2025,1\n2026,two\n2027,2\n", ":3:6: value 'two' is not a number"),
        (b"year,value\n2025,1\n2026,2\n2026,2\n", ":4:1: year 2026 appears twice"),
        (b"year,value\n2025,1\n2026,nan\n2027,2\n", ":3:6: value 'nan' is not a finite number"),
        (b"year,value\n2025,1\n2026,2\n", ": 2 observed year(s); at least 3"),
        (
            b"year,value\n2024,0\n2025,1\n2026,2\n2027,2\n",
            ":2:1: year 2024 is outside the years scenario 'baseline' plays (2025-2028)",
        ),
        ("huge", ": larger than 1,000,000 bytes"),
    ],
)
def test_bad_observed_files_exit_2_with_a_located_message(capsys, tmp_path, content, location):
    path = tmp_path / "observed.csv"
    if content == "folder":
        path.mkdir()
    elif content == "huge":
        path.write_bytes(b"year,value\n" + b"2025,1\n" * (MAX_BYTES // 7 + 1))
    elif content is not None:
        path.write_bytes(content)
    code, out, err = run_cli(
        capsys, "compare", "baseline", "--observed", str(path), "--variable", "tie.ROK_JPN", "--runs", "5"
    )
    assert code == 2
    assert out == ""
    assert err.startswith(f"{path}{location}")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--variable", "tie.ROK_JNP"], "(did you mean 'tie.ROK_JPN'?)"),
        (["--variable", "tie.ROK_JPN", "--set", "nope=1"], "no such parameter"),
        (["--variable", "tie.ROK_JPN", "--strategy", "USA=nice"], "unknown strategy"),
    ],
)
def test_bad_arguments_exit_2(capsys, tmp_path, extra, fragment):
    path = write_csv(tmp_path, [(2025, 0.5), (2026, 0.5), (2027, 0.6)])
    code, _, err = run_cli(capsys, "compare", "baseline", "--observed", str(path), "--runs", "5", *extra)
    assert code == 2
    assert fragment in err and "Traceback" not in err


def test_console_command_reports_a_bad_file_without_traceback(tmp_path):
    path = tmp_path / "observed.csv"
    path.write_text("year,value\n2025,1\n2026,x\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "compare", "baseline", "--observed", str(path), "--variable", "tie.ROK_JPN"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"{path}:3:6: value 'x' is not a number"


def test_the_documented_example_is_the_real_output(capsys, tmp_path, monkeypatch):
    text = (ROOT / "docs" / "experiments.md").read_text(encoding="utf-8")
    section = text[text.index("## Validation against observed series") :]
    csv_block = re.search(r"```text\n(# polls\.csv.*?)```", section, flags=re.DOTALL)
    output_block = re.search(r"```text\n(ROK-JPN tie \(tie\.ROK_JPN\).*?)```", section, flags=re.DOTALL)
    assert csv_block and output_block
    (tmp_path / "polls.csv").write_text(csv_block.group(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "compare", "baseline", "--observed", "polls.csv", "--variable", "tie.ROK_JPN")
    assert code == 0
    # The model's behaviour changed? Paste the new output into docs/experiments.md (and its reading).
    assert out == output_block.group(1), f"docs/experiments.md's example output is out of date; now:\n{out}"


def test_report_notes_worlds_whose_scores_are_undefined():
    from sim.research.validation import ValidationRun, format_report

    worlds = np.array([[1.0, 2.0, 3.0, 2.0], [2.0, 2.0, 2.0, 2.0]])  # the second world never moves
    result = compare(YEARS, np.array([0.1, 0.3, 0.2, 0.4]), worlds)
    run = ValidationRun("baseline", "t", "tie.ROK_JPN", "x.csv", 2, 1, result)
    text = format_report(run)
    assert "Spearman in 50.0%, NRMSE(z) in 50.0%" in text
    assert "worlds placing their own peak in the observed peak year: 0.0%; trough: 50.0%" in text
