"""Analysis: PRIM finds a planted box; sensitivity indices and discovery recover a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.research.analysis import analyze, prim
from sim.research.sweep import InProcess, SweepError, run_sweep
from tests.sim.research.conftest import write_experiment
from tests.sim.research.sweep_backends import FailingBackend

PLANTED = {"a": (0.2, 0.6), "b": (0.5, 0.9)}


def planted(n: int, noise: float, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3))
    inside = (x[:, 0] >= 0.2) & (x[:, 0] <= 0.6) & (x[:, 1] >= 0.5) & (x[:, 1] <= 0.9)
    flip = rng.random(n) < noise
    return x, (inside ^ flip).astype(float)


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_prim_finds_a_planted_box_and_leaves_the_irrelevant_parameter_free(noise):
    x, y = planted(4000, noise)
    result = prim(x, y, ["a", "b", "c"])
    box = result.box
    assert box.restricted == ["a", "b"]
    for name, (low, high) in PLANTED.items():
        assert abs(box.limits[name][0] - low) < 0.04 and abs(box.limits[name][1] - high) < 0.04, box.limits
    assert box.limits["c"][0] < 0.01 and box.limits["c"][1] > 0.99
    assert box.density > (0.99 if noise == 0 else 0.8) and box.coverage > (0.95 if noise == 0 else 0.6)
    assert abs(box.mass - 0.16) < 0.03
    first = result.trajectory[0]
    assert first.mass == 1.0 and first.coverage == 1.0 and not first.restricted
    assert all(b.mass >= 0.05 for b in result.trajectory)
    assert box.describe().startswith("a in [0.")


def test_prim_uses_weights_and_shares_and_rejects_an_outcome_that_never_occurs():
    x = np.array([[0.0], [0.25], [0.5], [0.75], [1.0]] * 4)
    share = np.where(x[:, 0] >= 0.75, 0.9, 0.0)
    result = prim(x, share, ["p"], weights=np.full(len(x), 100.0), alpha=0.2)
    assert result.box.limits["p"] == (0.75, 1.0) and result.box.density == pytest.approx(0.9)
    with pytest.raises(ValueError, match="never occurs"):
        prim(x, np.zeros(len(x)))


GRID = """\
id: strong-inert-grid
scenarios: ["{sensitive}"]
parameters:
  strong: {range: [0, 1], levels: 6}
  inert: {range: [0, 1], levels: 4}
sampler: grid
replications: 30
seed: 4
outputs:
  indicators: [trilateral, tie.ROK_JPN]
analysis:
  # Between the means at strong 0.4 (0.58) and 0.6 (0.54) after 4 quarters of the baseline
  outcome: "trilateral < 0.54"
"""


def test_analyze_summarizes_discovers_the_parameter_that_matters_and_plots(tmp_path):
    path = write_experiment(tmp_path, GRID)
    out = tmp_path / "out"
    run_sweep(path, out, progress=False)
    result = analyze(out, echo=False)
    points = result.points
    assert len(points) == 24 and (points["runs"] == 30).all()
    assert list(points.columns[:5]) == ["point_id", "scenario", "sample", "strong", "inert"]
    low_strong = points[points["strong"] == 0]["trilateral:mean"].mean()
    high_strong = points[points["strong"] == 1]["trilateral:mean"].mean()
    assert high_strong < low_strong - 0.1
    assert (points["trilateral:p5"] <= points["trilateral:p50"]).all()
    assert (points["trilateral:p50"] <= points["trilateral:p95"]).all()
    summary = result.summary
    assert len(summary) == 24 * 2 and set(summary["indicator"]) == {"trilateral", "tie.ROK_JPN"}
    runs = pd.read_parquet(out / "parts")
    first = runs[runs["point_id"] == 7]["tie.ROK_JPN"]
    row = summary[(summary["point_id"] == 7) & (summary["indicator"] == "tie.ROK_JPN")].iloc[0]
    assert row["mean"] == pytest.approx(first.mean()) and row["p95"] == pytest.approx(np.percentile(first, 95))
    found = result.discovery["sweep-sensitivity-test"]
    assert found is not None
    box = found.box
    assert box.restricted == ["strong"] and box.limits["strong"] == (0.6, 1.0)
    names = {p.name for p in result.files}
    assert {"summary.csv", "summary.parquet", "points.csv", "points.parquet", "discovery.csv"} <= names
    assert {
        "trilateral-vs-parameters.png",
        "heatmap-sweep-sensitivity-test.png",
        "prim-sweep-sensitivity-test.png",
    } <= names
    for png in (p for p in result.files if p.suffix == ".png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = analyze(out, plots=False, output="tie.ROK_JPN", outcome="tie.ROK_JPN > 2", echo=False)
    assert again.discovery == {"sweep-sensitivity-test": None}
    with pytest.raises(SweepError, match="did you mean 'trilateral'"):
        analyze(out, output="trilaterl", echo=False)


SOBOL = """\
id: strong-inert-sobol
scenarios: ["{sensitive}"]
parameters:
  strong: {}
  inert: {}
sampler: sobol
samples: 32
replications: 25
seed: 9
outputs:
  indicators: [trilateral]
"""

MORRIS = """\
id: strong-inert-morris
scenarios: ["{sensitive}"]
parameters:
  strong: {}
  inert: {}
sampler: morris
samples: 12
replications: 25
seed: 9
outputs:
  indicators: [trilateral]
  at: summary
  statistics: [min]
analysis:
  outcome: "trilateral:min < 0.6"
"""


def test_sobol_indices_recover_which_parameter_matters(tmp_path, capsys):
    path = write_experiment(tmp_path, SOBOL)
    run_sweep(path, tmp_path / "out", progress=False)
    result = analyze(tmp_path / "out", plots=True)
    assert result.sensitivity is not None
    table = result.sensitivity.set_index("parameter").to_dict("index")
    assert table["strong"]["S1"] > 0.8 and table["strong"]["ST"] > 0.8
    assert abs(table["inert"]["S1"]) < 0.05 and table["inert"]["ST"] < 0.05
    assert table["inert"]["ST"] < table["inert"]["ST_conf"] + 0.02
    assert (tmp_path / "out" / "analysis" / "sobol-sweep-sensitivity-test.png").is_file()
    assert "Sensitivity of mean trilateral (sobol" in capsys.readouterr().out


def test_morris_indices_recover_which_parameter_matters(tmp_path):
    path = write_experiment(tmp_path, MORRIS)
    run_sweep(path, tmp_path / "out", progress=False)
    result = analyze(tmp_path / "out", echo=False)
    assert result.sensitivity is not None
    table = result.sensitivity.set_index("parameter").to_dict("index")
    assert table["strong"]["mu_star"] > 10 * table["inert"]["mu_star"]
    assert table["strong"]["mu"] < 0  # the index falls as strong rises
    assert table["strong"]["mu_star_conf"] < table["strong"]["mu_star"]
    assert str(result.outcome) == "trilateral:min < 0.6"


def test_sensitivity_waits_for_missing_design_points(tmp_path):
    path = write_experiment(tmp_path, SOBOL)
    summary = run_sweep(
        path, tmp_path / "out", progress=False, chunk_runs=400, backend=FailingBackend(InProcess(), {0: None})
    )
    assert summary.failed_chunks == [0]
    result = analyze(tmp_path / "out", plots=False, echo=False)
    assert result.sensitivity is None
    assert any("skipped" in note for note in result.notes)
    assert any("runs are missing" in note for note in result.notes)
