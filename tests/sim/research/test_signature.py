"""Signature checks: a claim can hold or fail, compared on equal ensembles."""

from __future__ import annotations

import pytest

from sim import ScenarioError, load_scenario
from sim.research.signature import check_signature


def variant(tmp_path, claims: str, extra: str = ""):
    path = tmp_path / "variant.yaml"
    path.write_text(
        "id: variant\ntitle: Variant\nextends: baseline\n"
        "parameters:\n  us_transactionalism: {default: 0.95, range: [0, 1]}\n" + extra + "signature:\n" + claims,
        encoding="utf-8",
    )
    return load_scenario(path)


def test_a_true_claim_holds_and_a_false_one_fails(tmp_path):
    scenario = variant(
        tmp_path,
        "  - {claim: 'lower U.S.-ROK tie', indicator: tie.USA_ROK, compare: lower, margin: 0.02}\n"
        "  - {claim: 'higher U.S.-ROK tie', indicator: tie.USA_ROK, compare: higher}\n"
        "  - {claim: 'far lower', indicator: tie.USA_ROK, compare: lower, margin: 0.9}\n",
    )
    results = check_signature(scenario, runs=400, seed=3)
    assert [r.holds for r in results] == [True, False, False]
    assert results[0].value < results[0].reference - 0.02
    assert "FAILS" in str(results[1]) and "holds" in str(results[0])


def test_signature_problems_are_located(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        variant(tmp_path, "  - {claim: c, indicator: tie.USA_RK, compare: lower, than: baslin}\n")
    messages = [p.message for p in exc.value.problems]
    assert any("did you mean 'tie.USA_ROK'" in m for m in messages)
    assert any("'baslin', which does not exist (did you mean 'baseline'?)" in m for m in messages)
    with pytest.raises(ScenarioError, match="compared with itself"):
        variant(tmp_path, "  - {claim: c, indicator: trilateral, compare: lower, than: variant}\n")
