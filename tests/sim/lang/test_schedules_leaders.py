"""Per-quarter schedules (``script:`` with any strategy) and named leaders with scheduled changes."""

from __future__ import annotations

import numpy as np
import pytest

from agents.leadership import take_office
from sim import TrilateralModel, load_scenario
from sim.engine import sources
from sim.engine.layout import PROFILE_TRAITS
from sim.engine.sources import SourceKind
from sim.errors import ScenarioError

WORLDS = 50
SEED = 3
JPN_CAMPS = {  # the defaults' Japanese camps (scenarios/defaults.yaml)
    "ldp_mainstream": {
        "transactionalism": 0.2,
        "commitment": 0.9,
        "multilateralism": 0.75,
        "history_stance": 0.3,
        "dovishness": 0.1,
    },
    "ldp_hawks": {
        "transactionalism": 0.25,
        "commitment": 0.95,
        "multilateralism": 0.6,
        "history_stance": 0.5,
        "dovishness": 0.0,
    },
}


def scenario(tmp_path, body: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(f"id: {path.stem}\ntitle: Test\nextends: baseline\n{body}", encoding="utf-8")
    return load_scenario(path)


def played(model: TrilateralModel, gov: str) -> np.ndarray:
    """The ``played.GOV.card`` counters (cards x worlds)."""
    rows = model.scenario.layout.rows
    return np.array([model.x[rows[f"played.{gov}.{card.id}"]] for card in model.scenario.actions[gov]])


def row(model: TrilateralModel, name: str) -> np.ndarray:
    return model.x[model.scenario.layout.rows[name]].copy()


# --------------------------------------------------------------------------------- schedules

SCRIPT = """\
governments:
  JPN:
    strategy: {strategy}
    script:
      2025Q2: [shrine_visit]
      2025Q3: []
"""


@pytest.mark.parametrize("strategy", ["objectives", "threat_driven", "random", "transactional", "reciprocal"])
def test_the_script_overrides_any_strategy_in_its_quarters_only(tmp_path, strategy):
    scripted = TrilateralModel(scenario(tmp_path, SCRIPT.format(strategy=strategy)), replications=WORLDS, seed=SEED)
    control = TrilateralModel(
        scenario(tmp_path, f"governments:\n  JPN:\n    strategy: {strategy}\n", "control.yaml"),
        replications=WORLDS,
        seed=SEED,
    )
    ids = [card.id for card in scripted.scenario.actions["JPN"]]
    shrine = ids.index("shrine_visit")  # cheap enough for every world in 2025Q2
    moves: dict[str, list[np.ndarray]] = {"scripted": [], "control": []}
    for _ in range(8):
        for name, model in (("scripted", scripted), ("control", control)):
            before = played(model, "JPN")
            model.step()
            moves[name].append(played(model, "JPN") - before)
    # Quarter 1 is not scripted: the strategy decides, as without a script.
    np.testing.assert_array_equal(moves["scripted"][0], moves["control"][0])
    # 2025Q2: exactly the scripted card, whatever the strategy would have played.
    q2 = moves["scripted"][1]
    np.testing.assert_array_equal(q2[shrine], 1)
    assert np.delete(q2, shrine, axis=0).sum() == 0
    # 2025Q3 (an empty list): nothing.
    assert moves["scripted"][2].sum() == 0
    # Afterwards the strategy decides again.
    assert sum(m.sum() for m in moves["scripted"][3:]) > 0
    # The script made a difference: left alone, the strategy plays otherwise in both quarters.
    assert not np.array_equal(moves["control"][1], q2)
    assert moves["control"][2].sum() > 0


def test_scripted_keeps_its_meaning_nothing_outside_the_script(tmp_path):
    model = TrilateralModel(scenario(tmp_path, SCRIPT.format(strategy="scripted")), replications=WORLDS, seed=SEED)
    counts = []
    for _ in range(6):
        before = played(model, "JPN")
        model.step()
        counts.append(int((played(model, "JPN") - before).sum()))
    assert counts[1] > 0
    assert counts[0] == counts[2] == counts[3] == counts[4] == counts[5] == 0


def test_a_human_team_is_not_overridden_by_the_script(tmp_path):
    spec = scenario(tmp_path, SCRIPT.format(strategy="objectives"))
    model = TrilateralModel(spec, replications=4, seed=SEED, strategies={"JPN": "human"})
    ids = [card.id for card in spec.actions["JPN"]]
    model.step()
    model.step()  # 2025Q2: the script lists shrine_visit; the team submitted nothing
    assert not model.governments["JPN"].last_choice.any()
    model.choose("JPN", ["shrine_visit"])
    model.step()  # 2025Q3: the script lists nothing; the team's move stands
    chosen = model.governments["JPN"].last_choice
    assert chosen[ids.index("shrine_visit")].all()
    assert chosen.sum() == 4


# --------------------------------------------------------------------------------- leaders

LEADERS = """\
governments:
  JPN:
    leaders:
      ishiba: {camp: ldp_mainstream, label: "Shigeru Ishiba"}
      takaichi: {camp: ldp_hawks, label: "Sanae Takaichi", history_stance: 0.85}
      koizumi: {camp: ldp_mainstream, label: "Shinjiro Koizumi", commitment: 0.6, transactionalism: 0.1}
    leader: ishiba
    leader_changes: {2025Q4: takaichi, 2026Q3: koizumi}
"""


def traits(model: TrilateralModel, gov: str = "JPN") -> dict[str, np.ndarray]:
    return {trait: row(model, f"{gov}.{trait}") for trait in PROFILE_TRAITS}


def assert_traits(model: TrilateralModel, expected: dict[str, float]) -> None:
    for trait, value in traits(model).items():
        np.testing.assert_allclose(value, expected[trait], err_msg=trait)


def test_a_leaders_traits_take_effect_at_the_change_quarter(tmp_path):
    model = TrilateralModel(scenario(tmp_path, LEADERS), replications=WORLDS, seed=SEED)
    assert_traits(model, JPN_CAMPS["ldp_mainstream"])  # ishiba: the camp's profile, no overrides
    np.testing.assert_array_equal(row(model, "JPN.leader"), 0)
    for _ in range(3):  # up to 2025Q3 (the election there may change the camp in some worlds)
        model.step()
    assert not np.all(row(model, "JPN.history_stance") == 0.85)
    model.step()  # 2025Q4: takaichi (hawks, history_stance overridden)
    assert_traits(model, {**JPN_CAMPS["ldp_hawks"], "history_stance": 0.85})
    np.testing.assert_array_equal(row(model, "JPN.camp"), 1)
    np.testing.assert_array_equal(row(model, "JPN.leader"), 1)
    np.testing.assert_array_equal(row(model, "JPN.turnover"), 1)
    model.step()
    np.testing.assert_array_equal(row(model, "JPN.turnover"), 0)
    assert_traits(model, {**JPN_CAMPS["ldp_hawks"], "history_stance": 0.85})  # traits persist


def test_a_cross_camp_change_flips_the_camp_and_a_same_camp_change_keeps_it(tmp_path):
    body = LEADERS.replace("leader_changes: {2025Q4: takaichi, 2026Q3: koizumi}", "leader_changes: {2025Q2: koizumi}")
    body = body.replace("2025Q3", "2099Q1")
    model = TrilateralModel(scenario(tmp_path, body), replications=WORLDS, seed=SEED)
    model.step()
    model.step()  # 2025Q2: koizumi, same camp as ishiba
    np.testing.assert_array_equal(row(model, "JPN.camp"), 0)
    np.testing.assert_array_equal(row(model, "JPN.turnover"), 1)
    np.testing.assert_array_equal(row(model, "JPN.leader"), 2)
    assert_traits(model, {**JPN_CAMPS["ldp_mainstream"], "commitment": 0.6, "transactionalism": 0.1})

    cross = TrilateralModel(scenario(tmp_path, LEADERS, "cross.yaml"), replications=WORLDS, seed=SEED)
    cross.run(4)
    np.testing.assert_array_equal(row(cross, "JPN.camp"), 1)  # takaichi's camp, in every world


def test_taking_office_brings_the_honeymoon_of_a_turnover(tmp_path):
    model = TrilateralModel(scenario(tmp_path, LEADERS), replications=WORLDS, seed=SEED)
    model.step()
    model.set_state("JPN.crisis", 0.4)
    model.set_state("JPN.approval", 0.2)
    take_office(model, "JPN", 2)  # what a scheduled change does in the domestic phase
    np.testing.assert_allclose(row(model, "JPN.approval"), model.params["honeymoon_approval"])
    np.testing.assert_array_equal(row(model, "JPN.crisis"), 0)
    np.testing.assert_array_equal(row(model, "JPN.turnover"), 1)
    np.testing.assert_array_equal(row(model, "JPN.camp"), 0)


def test_an_election_turnover_applies_the_new_camps_profile_and_no_named_leader(tmp_path):
    model = TrilateralModel(scenario(tmp_path, LEADERS), replications=400, seed=SEED)
    model.run(3)  # the 2025Q3 election in Japan
    lost = row(model, "JPN.camp") == 1
    assert 0 < lost.sum() < 400
    np.testing.assert_array_equal(row(model, "JPN.leader"), np.where(lost, -1, 0))
    for trait, value in traits(model).items():
        expected = np.where(lost, JPN_CAMPS["ldp_hawks"][trait], JPN_CAMPS["ldp_mainstream"][trait])
        np.testing.assert_allclose(value, expected, err_msg=trait)


def test_a_leader_change_is_a_story_entry_and_a_cause(tmp_path):
    model = TrilateralModel(scenario(tmp_path, LEADERS), replications=1, seed=SEED)
    model.run(4)
    entries = [f for f in model.log if f.source.kind is SourceKind.LEADER]
    assert [(f.quarter, f.label, f.title) for f in entries] == [
        ("2025Q4", "leader:JPN.takaichi", "JPN: Sanae Takaichi takes office")
    ]
    changes = model.state.recorder.turns[-1].changes
    credited = changes[sources.leader("JPN", "takaichi")]
    rows = model.scenario.layout.rows
    assert credited[rows["JPN.history_stance"]] != 0 and credited[rows["JPN.approval"]] != 0


def test_a_leader_change_reads_by_the_leaders_name_in_explanations_the_story_and_the_game(tmp_path, capsys):
    from sim.engine.explain import readable_source
    from sim.play.match import Match
    from sim.play.report import print_story
    from sim.play.session import GameSession, GameSettings

    spec = scenario(tmp_path, LEADERS)
    change = sources.leader("JPN", "takaichi")
    assert readable_source(spec, change) == "JPN leader: Sanae Takaichi"
    model = TrilateralModel(spec, replications=1, seed=SEED)
    model.run(4)
    print_story(model)
    assert "leader   JPN: Sanae Takaichi takes office" in capsys.readouterr().out
    match = Match(GameSession(GameSettings(scenario=str(spec.path), turns=4, shadows=0), scenario=spec))
    assert match.source_label(change) == "JPN leader: Sanae Takaichi"
    assert match.camp("JPN") == "Shigeru Ishiba (LDP mainstream)"  # the panel names the leader in power


def test_a_leader_given_in_a_file_overrides_the_inherited_in_power(tmp_path):
    body = "governments:\n  JPN:\n    leaders:\n      abe: {camp: ldp_hawks, label: Shinzo Abe}\n    leader: abe\n"
    spec = scenario(tmp_path, body)
    model = TrilateralModel(spec, replications=2, seed=SEED)
    np.testing.assert_array_equal(row(model, "JPN.camp"), 1)
    assert_traits(model, JPN_CAMPS["ldp_hawks"])
    # Its child may not contradict it with in_power alone.
    child = tmp_path / "child.yaml"
    child.write_text("id: child\ntitle: Child\nextends: s.yaml\ngovernments:\n  JPN:\n    in_power: ldp_mainstream\n")
    with pytest.raises(ScenarioError, match=r"in_power 'ldp_mainstream' is not the camp of the leader 'abe'"):
        load_scenario(child)


def test_leader_traits_may_be_parameter_expressions(tmp_path):
    body = (
        "parameters:\n  abe_history: {default: 0.7, range: [0, 1]}\n"
        "governments:\n  JPN:\n    leaders:\n      abe: {camp: ldp_hawks, history_stance: abe_history}\n"
        "    leader: abe\n"
    )
    spec = scenario(tmp_path, body)
    model = TrilateralModel(spec, replications=3, seed=SEED, parameters={"abe_history": np.array([0.1, 0.5, 0.9])})
    np.testing.assert_allclose(row(model, "JPN.history_stance"), [0.1, 0.5, 0.9])


def test_a_scenario_without_leaders_is_unchanged(tmp_path, baseline):
    assert not any(name.endswith(".leader") for name in baseline.layout.rows)
    assert baseline.leaders == {}
    # Leaders named but never in power: the same run as the baseline, plus a JPN.leader row of -1.
    body = "governments:\n  JPN:\n    leaders:\n      abe: {camp: ldp_hawks, history_stance: 0.9}\n"
    named = TrilateralModel(scenario(tmp_path, body), replications=20, seed=SEED).run()
    plain = TrilateralModel(baseline, replications=20, seed=SEED).run()
    for name, index in plain.scenario.layout.rows.items():
        np.testing.assert_array_equal(named.x[named.scenario.layout.rows[name]], plain.x[index], err_msg=name)
    np.testing.assert_array_equal(row(named, "JPN.leader"), -1)
