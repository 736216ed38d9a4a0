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


def test_an_ablation_twin_fails_when_the_mechanism_is_switched_off(tmp_path):
    scenario = variant(
        tmp_path,
        "  - {claim: 'lower tie', indicator: tie.USA_ROK, compare: lower, margin_sd: 0.25,"
        " mechanism: 'transactional pressure', ablate: {us_transactionalism: 0.5}}\n"
        "  - {claim: 'lower tie, wrong switch', indicator: tie.USA_ROK, compare: lower, margin_sd: 0.25,"
        " ablate: {history_flare_chance: 0}}\n",
    )
    first, second = check_signature(scenario, runs=400, seed=3)
    assert first.holds and first.twin is not None and not first.twin.holds and first.ok
    assert first.effect_sd > 0.25 and first.twin.effect_sd < 0.25
    assert dict(first.twin.ablated) == {"us_transactionalism": 0.5}
    # A switch that does not remove the effect leaves the twin holding: the claim is not shown to rest on it.
    assert second.holds and second.twin is not None and second.twin.holds and not second.ok
    assert "STILL HOLDS" in str(second) and "fails as it should" in str(first)


def test_margin_sd_scales_with_the_spread_between_worlds(tmp_path):
    scenario = variant(tmp_path, "  - {claim: c, indicator: tie.USA_ROK, compare: lower, margin_sd: 9}\n")
    (result,) = check_signature(scenario, runs=400, seed=3)
    assert not result.holds and result.spread > 0 and result.effect_sd < 9


def test_ablation_problems_are_located(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        variant(
            tmp_path,
            "  - {claim: c, indicator: trilateral, compare: lower, ablate: {us_transactionalsm: 0, tie_base: 7}}\n",
        )
    messages = [p.message for p in exc.value.problems]
    assert any("unknown parameter 'us_transactionalsm'" in m and "us_transactionalism" in m for m in messages)
    assert any("tie_base=7 is outside its range" in m for m in messages)
