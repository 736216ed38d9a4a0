"""The historical scenario history-2013: leaders, dated events, scripted moves, series and the what-if switch."""

from __future__ import annotations

import numpy as np
import pytest

from sim import TrilateralModel, load_scenario

ID = "history-2013"
WORLDS = 2000

LEADERS = {  # quarter the leader takes office -> (government, leader index in `leaders:`, camp)
    "2017Q1": ("USA", 1, 1),  # Trump
    "2021Q1": ("USA", 2, 0),  # Biden
    "2025Q1": ("USA", 1, 1),  # Trump again
    "2017Q2": ("ROK", 1, 1),  # Moon
    "2022Q2": ("ROK", 2, 0),  # Yoon
    "2025Q2": ("ROK", 3, 1),  # Lee
    "2020Q3": ("JPN", 1, 0),  # Suga
    "2021Q4": ("JPN", 2, 0),  # Kishida
    "2024Q4": ("JPN", 3, 0),  # Ishiba
    "2025Q4": ("JPN", 4, 1),  # Takaichi
}

DATED = {
    "2015Q4": ["event:comfort_women_agreement"],
    "2016Q4": ["event:gsomia_2016", "event:park_impeached"],
    "2018Q2": ["event:singapore_summit", "event:inter_korean_summit_2018", "event:drills_suspended_2018"],
    "2018Q4": ["event:forced_labor_rulings"],
    "2019Q1": ["event:hanoi_collapse"],
    "2019Q3": ["event:export_controls_2019", "event:gsomia_notice"],
    "2019Q4": ["event:gsomia_suspended"],
    "2023Q3": ["event:camp_david"],
    "2023Q4": ["event:missile_warning_live"],
    "2024Q3": ["event:framework_memorandum"],
    "2024Q4": ["event:lima_summit_secretariat", "event:freedom_edge_2024b", "event:martial_law"],
    "2013Q4": ["action:JPN.shrine_visit"],
    "2018Q1": ["action:USA.tariff_threat"],
    "2023Q1": ["action:ROK.separate_history_track"],
}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ID)


@pytest.fixture(scope="module")
def ensemble(scenario):
    return TrilateralModel(scenario, seed=1, replications=WORLDS).run()


def _turn(scenario, quarter: str) -> int:
    return next(t for t in range(1, scenario.turns + 1) if scenario.quarter_label(t) == quarter)


def _yearly(model, name: str, year: int) -> float:
    first = 1 + 4 * (year - 2013)
    return float(np.mean([np.mean(model.history[t][name]) for t in range(first, first + 4)]))


def test_it_validates_and_runs_52_turns_at_one_and_2000_worlds(scenario, ensemble):
    assert scenario.turns == 52 and scenario.quarter_label(1) == "2013Q1" and scenario.quarter_label(52) == "2025Q4"
    story = TrilateralModel(scenario, seed=1).run()
    assert story.turn == 52
    for values in [*story.final().values(), *ensemble.final().values()]:
        assert np.all(np.isfinite(values))


def test_warmup_reaches_a_turn_zero_state_below_the_ceilings(ensemble):
    start = ensemble.history[0]
    assert 0.05 < float(np.mean(start["institutionalization"])) < 0.5
    for pair in ("tie.USA_ROK", "tie.USA_JPN", "tie.ROK_JPN"):
        assert 0.3 < float(np.mean(start[pair])) < 0.9


def test_leaders_change_in_the_documented_quarters(scenario):
    model = TrilateralModel(scenario, seed=1, replications=4)
    rows = scenario.layout.rows
    assert model.x[rows["USA.leader"]].tolist() == [0] * 4  # Obama
    assert model.x[rows["ROK.leader"]].tolist() == [0] * 4  # Park
    assert model.x[rows["JPN.leader"]].tolist() == [0] * 4  # Abe
    seen = {}
    for turn in range(1, 53):
        model.step()
        quarter = scenario.quarter_label(turn)
        for gov in ("USA", "ROK", "JPN"):
            leader = model.x[rows[f"{gov}.leader"]]
            assert np.all(leader == leader[0])
            if seen.get(gov) != int(leader[0]):
                seen[gov] = int(leader[0])
                if turn > 1:
                    assert LEADERS[quarter][:2] == (gov, int(leader[0])), f"{gov} changed leader in {quarter}"
                    assert np.all(model.x[rows[f"{gov}.camp"]] == LEADERS[quarter][2])
    assert seen == {"USA": 1, "ROK": 3, "JPN": 4}


def test_dated_events_and_scripted_moves_happen_in_their_quarters(scenario):
    story = TrilateralModel(scenario, seed=1).run()
    fired = {(f.quarter, str(f.source)) for f in story.log if f.in_story}
    for quarter, items in DATED.items():
        for item in items:
            assert (quarter, item) in fired, f"{item} in {quarter}"
    for item in ("event:camp_david", "event:export_controls_2019", "event:comfort_women_agreement"):
        assert [q for q, s in fired if s == item] == [next(q for q, i in DATED.items() if item in i)]


def test_the_launch_series_drives_the_missile_act(scenario):
    model = TrilateralModel(scenario, seed=1, replications=WORLDS, record=False)
    rows = scenario.layout.rows
    launches = {}
    for turn in range(1, 53):
        model.step()
        year = 2013 + (turn - 1) // 4
        flags = model.x[rows["DPRK.missile_test"]] > 0
        launches[year] = launches.get(year, 0.0) + float(np.mean(flags)) / 4
        alone = flags & (model.x[rows["DPRK.cyber_theft"]] == 0) & (model.x[rows["DPRK.nuclear_test"]] == 0)
        if alone.any():  # the act's severity is the series' expression
            expected = min(
                max(0.1 + 0.008 * scenario.series.row(turn)[scenario.series.names.index("dprk_missiles")], 0.1), 0.6
            )
            assert np.allclose(model.x[rows["DPRK.activity"]][alone], expected)
        if scenario.quarter_label(turn) in ("2013Q1", "2016Q1", "2016Q3", "2017Q3"):
            assert np.all(model.x[rows["DPRK.nuclear_test"]] == 1)
        else:
            assert not np.any(model.x[rows["DPRK.nuclear_test"]])
    assert launches[2018] == 0
    assert launches[2022] > 0.99 > launches[2016] > launches[2020] > launches[2013]


def test_the_what_if_switch_removes_the_export_controls(scenario):
    model = TrilateralModel(scenario, seed=1, replications=200, parameters={"export_controls_2019": 0}).run()
    sources = {str(f.source) for f in model.log}
    assert not {"event:export_controls_2019", "event:gsomia_notice", "event:gsomia_suspended"} & sources
    assert "event:forced_labor_rulings" in sources
    assert np.all(model.x[scenario.layout.rows["fired.export_controls_2019"]] == 0)


def test_replication_k_is_the_same_alone_and_in_an_ensemble(scenario):
    together = TrilateralModel(scenario, seed=3, replications=6, record=False).run().final()
    alone = TrilateralModel(scenario, seed=3, replication_ids=[4], record=False).run().final()
    for name, values in alone.items():
        assert values[0] == together[name][4], name


def test_the_seoul_tokyo_tie_of_2019_2020_is_below_2016(ensemble):
    """Chung: the 2018 rulings and disputes brought the relationship to a new low."""
    low = (_yearly(ensemble, "tie.ROK_JPN", 2019) + _yearly(ensemble, "tie.ROK_JPN", 2020)) / 2
    assert low < _yearly(ensemble, "tie.ROK_JPN", 2016) - 0.1
