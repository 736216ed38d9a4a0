"""Stylized facts of the second-generation security and institutions mechanisms (issue 10).

Each fact is checked on 2,000-world ensembles with a fixed seed; margins are stated relative to
the spread between worlds (the standard deviation of the outcome over worlds). Each mechanism's
switch (its coefficient set to 0) must remove the effect.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import TrilateralModel
from sim.lang.scenario import Scenario, load_scenario

WORLDS, SEED = 2000, 1
PASSIVE = {gov: "passive" for gov in ("USA", "ROK", "JPN")}


def variant(tmp_path: Path, name: str, text: str) -> Scenario:
    """A scenario extending the baseline with ``text`` (YAML) added."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"id: {name}\ntitle: {name}\nextends: baseline\n{text}", encoding="utf-8")
    return load_scenario(path)


def final(
    scenario: Scenario | str, *, turns: int | None = None, passive: bool = False, **parameters
) -> TrilateralModel:
    """A finished ensemble."""
    return TrilateralModel(
        scenario,
        replications=WORLDS,
        seed=SEED,
        turns=turns,
        strategies=PASSIVE if passive else None,
        parameters=parameters,
        record=False,
    ).run()


def row(model: TrilateralModel, name: str) -> np.ndarray:
    return model.x[model.scenario.layout.rows[name]]


def effect(a: TrilateralModel, b: TrilateralModel, name: str) -> tuple[float, float]:
    """Mean of b minus mean of a, and the spread between worlds (pooled standard deviation)."""
    x, y = row(a, name), row(b, name)
    return float(y.mean() - x.mean()), float(np.sqrt((x.var() + y.var()) / 2))


# ------------------------------------------------------------------------------- hedging


@pytest.fixture(scope="module")
def quiet_history(tmp_path_factory):
    # Quiet history: no flare-ups, low starting salience, and no out-party campaign raising it
    # (the out-party's mobilization is a source of salience like the flare-ups).
    text = (
        "parameters:\n  history_flare_chance: {default: 0}\n  out_party_mobilization: {default: 0}\n"
        "governments:\n  ROK:\n    initial: {history_salience: 0.05}\n"
        "  JPN:\n    initial: {history_salience: 0.05}\n"
    )
    return variant(tmp_path_factory.mktemp("quiet_history"), "quiet_history", text)


def test_shared_abandonment_fear_draws_seoul_and_tokyo_together_when_history_is_quiet(quiet_history):
    gain, spread = effect(
        final(quiet_history, us_transactionalism=0.0), final(quiet_history, us_transactionalism=1.0), "tie.ROK_JPN"
    )
    assert gain > 0.3 * spread, (gain, spread)
    # Switched off, transactionalism only pushes the two apart (hedging lowers willingness and the tie).
    off, _ = effect(
        final(quiet_history, us_transactionalism=0.0, quasi_alliance_gain=0.0),
        final(quiet_history, us_transactionalism=1.0, quasi_alliance_gain=0.0),
        "tie.ROK_JPN",
    )
    assert off < -0.3 * spread and gain - off > 1.0 * spread, (gain, off, spread)


def test_the_quasi_alliance_pull_offsets_the_hedging_drag(quiet_history):
    """What does hold: under shared abandonment fear, the pull keeps Seoul and Tokyo together."""
    on = final(quiet_history, us_transactionalism=1.0)
    off = final(quiet_history, us_transactionalism=1.0, quasi_alliance_gain=0.0)
    gain, spread = effect(off, on, "tie.ROK_JPN")
    assert gain > 1.0 * spread, (gain, spread)


def test_entrapment_fear_and_chinas_leverage_raise_hedging_and_their_switches_remove_it():
    def hedging(**parameters):
        model = TrilateralModel("baseline", replications=WORLDS, seed=SEED, parameters=parameters, record=False)
        return float(row(model, "ROK.hedging").mean()), float(row(model, "ROK.entrapment").mean())

    base, entrapment = hedging(us_transactionalism=0.0)
    assert entrapment > 0.05
    assert base > hedging(us_transactionalism=0.0, entrapment_gain=0.0)[0] + 0.01
    assert base > hedging(us_transactionalism=0.0, leverage_gain=0.0)[0] + 0.01
    assert hedging(us_transactionalism=0.0, entrapment_gain=0.0, leverage_gain=0.0)[0] == pytest.approx(0.0, abs=1e-9)


# ------------------------------------------------------------------------------- domain ties


def test_a_history_dispute_hits_the_history_domain_more_than_deterrence():
    calm, flaring = final("baseline", history_flare_chance=0.0), final("baseline", history_flare_chance=0.5)
    history, spread = effect(calm, flaring, "tie.ROK_JPN.history")
    deterrence, _ = effect(calm, flaring, "tie.ROK_JPN.deterrence")
    assert history < deterrence - 1.0 * spread, (history, deterrence, spread)
    # Switched off (two_track 0), every domain takes the full history term.
    calm0 = final("baseline", history_flare_chance=0.0, two_track=0.0)
    flaring0 = final("baseline", history_flare_chance=0.5, two_track=0.0)
    deterrence0, spread0 = effect(calm0, flaring0, "tie.ROK_JPN.deterrence")
    assert deterrence0 < deterrence - 0.5 * spread0, (deterrence0, deterrence, spread0)


# ------------------------------------------------------------------------------- threat


@pytest.fixture(scope="module")
def surge(tmp_path_factory):
    text = (
        "events:\n"
        "  - {id: freedom_edge, disabled: true}\n"
        "  - id: surge\n    title: Surge\n    at: 2025Q1\n    effects: {DPRK.aggressiveness: 0.3}\n"
        "    say: test\n    source: test\n"
    )
    return variant(tmp_path_factory.mktemp("surge"), "surge", text)


def test_after_a_long_quiet_period_dprk_aggressiveness_falls(surge):
    def path(**parameters):
        model = TrilateralModel(
            surge, replications=WORLDS, seed=SEED, turns=24, strategies=PASSIVE, parameters=parameters, record=False
        )
        model.step()
        after_surge = row(model, "DPRK.aggressiveness").copy()
        model.run()
        return after_surge, row(model, "DPRK.aggressiveness")

    start, end = path()
    spread = float(np.sqrt((start.var() + end.var()) / 2)) + 0.01
    assert end.mean() < start.mean() - 0.15, (start.mean(), end.mean())
    assert end.mean() < start.mean() - 3 * spread
    start0, end0 = path(aggression_reversion=0.0)
    assert end0.mean() == pytest.approx(start0.mean(), abs=1e-9)


def test_diplomatic_engagement_lowers_aggressiveness_and_fades(tmp_path):
    talks = variant(
        tmp_path,
        "talks",
        "events:\n  - id: talks\n    title: Talks\n    at: 2025Q1\n    effects: {DPRK.engagement: 1}\n"
        "    say: test\n    source: test\n",
    )
    change, spread = effect(final("baseline", turns=8), final(talks, turns=8), "DPRK.aggressiveness")
    assert change < -0.05 and change < -3 * (spread + 0.01), (change, spread)
    assert row(final(talks, turns=8), "DPRK.engagement").mean() < 0.25  # it fades without renewal
    off, _ = effect(
        final("baseline", turns=8, engagement_gain=0.0),
        final(talks, turns=8, engagement_gain=0.0),
        "DPRK.aggressiveness",
    )
    assert off == pytest.approx(0.0, abs=1e-9)


def _perception_after(tmp_path: Path, name: str, until: int, turn: int, **parameters) -> np.ndarray:
    """ROK's perceived DPRK threat after ``turn`` when a missile test is certain in turns 1..until."""
    scenario = variant(
        tmp_path,
        name,
        f'threats:\n  DPRK:\n    acts:\n      - {{id: missile_test, chance: "turn <= {until}"}}\n',
    )
    model = TrilateralModel(
        scenario,
        replications=WORLDS,
        seed=SEED,
        strategies=PASSIVE,
        # The camp lens is held off: an election in turn 2 would otherwise rescale later perceptions.
        parameters={"habituation_start": 0.0, "camp_lens_gain": 0.0, **parameters},
        record=False,
    )
    model.run(turn)
    return row(model, "ROK.threat_DPRK").copy()


@pytest.mark.parametrize("gain", [0.6, 0.0])
def test_repeated_identical_provocations_move_perception_less_than_the_first(tmp_path, gain):
    first = _perception_after(tmp_path, "one", 1, 1, habituation_gain=gain) - _perception_after(
        tmp_path, "none", 0, 1, habituation_gain=gain
    )
    eighth = _perception_after(tmp_path, "eight", 8, 8, habituation_gain=gain) - _perception_after(
        tmp_path, "seven", 7, 8, habituation_gain=gain
    )
    assert first.mean() > 0.05
    if gain:
        assert eighth.mean() < 0.7 * first.mean(), (first.mean(), eighth.mean())
    else:  # switched off: the eighth test is felt like the first (up to worlds where the signal hits 1)
        assert eighth.mean() == pytest.approx(first.mean(), rel=0.01)


def test_the_camp_in_power_shapes_how_the_north_is_perceived(tmp_path):
    progressive = variant(tmp_path, "progressive", "governments:\n  ROK:\n    in_power: progressive\n")

    def perceived(scenario, **parameters):
        return row(final(scenario, turns=1, **parameters), "ROK.threat_DPRK")

    change, spread = (
        float(perceived(progressive).mean() - perceived("baseline").mean()),
        float(perceived("baseline").std()),
    )
    assert change < -0.05 and change < -1.0 * spread, (change, spread)
    off = perceived(progressive, camp_lens_gain=0.0).mean() - perceived("baseline", camp_lens_gain=0.0).mean()
    assert off == pytest.approx(0.0, abs=1e-9)


# ------------------------------------------------------------------------------- institutions


@pytest.fixture(scope="module")
def skipped(tmp_path_factory):
    text = "initial:\n  institutionalization: 0.6\nrules:\n  - {id: annual_summit, disabled: true}\n"
    return variant(tmp_path_factory.mktemp("skipped"), "skipped", text)


def test_skipped_summits_let_institutionalization_decay(skipped):
    lapsed = final(skipped, passive=True)
    inst = row(lapsed, "institutionalization")
    spread = float(inst.std()) + 0.01
    assert inst.mean() < 0.6 - 0.05 and inst.mean() < 0.6 - 3 * spread, inst.mean()
    # Switched off (upkeep_weight 0), the automatic ratchet holds it up.
    ratchet = row(final(skipped, passive=True, upkeep_weight=0.0), "institutionalization")
    assert ratchet.mean() > inst.mean() + 3 * spread, (ratchet.mean(), inst.mean())


@pytest.fixture(scope="module")
def institutional_start(tmp_path_factory):
    folder = tmp_path_factory.mktemp("institutional_start")
    return {
        level: variant(folder, f"inst_{int(level * 100)}", f"initial:\n  institutionalization: {level}\n")
        for level in (0.25, 0.6)
    }


def test_starting_institutionalization_matters_for_the_final_index(institutional_start):
    low, high = institutional_start[0.25], institutional_start[0.6]
    gain, spread = effect(final(low), final(high), "trilateral")
    assert gain > 0.058 + 1.0 * spread, (gain, spread)  # the first-generation model gave 0.058
    ratchet, _ = effect(final(low, upkeep_weight=0.0), final(high, upkeep_weight=0.0), "trilateral")
    assert gain - ratchet > 0.5 * spread, (gain, ratchet, spread)


def test_defection_under_institutionalization_costs_approval():
    def approval(**parameters):
        model = TrilateralModel(
            "baseline", replications=WORLDS, seed=SEED, strategies={"USA": "human"}, parameters=parameters, record=False
        )
        model.choose("USA", ["burden_sharing_ultimatum"])
        model.step()
        return row(model, "USA.approval").copy(), float(row(model, "institutionalization").mean())

    costly, inst = approval()
    free, _ = approval(defection_cost=0.0)
    # defection_cost x institutionalization x the ties' falls (the ultimatum lowers the U.S. ties by 0.02 and 0.015)
    expected = 1.5 * 0.35 * (0.02 + 0.015)
    assert (free - costly).mean() == pytest.approx(expected, rel=0.05), (free - costly).mean()
    assert inst > 0
