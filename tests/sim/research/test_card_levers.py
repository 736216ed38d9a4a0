"""Ban and script levers: categorical card levers end to end (sweep, CRN, analysis, replay, optimize, errors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import TrilateralModel
from sim.lang.scenario import load_scenario
from sim.research.analysis import analyze
from sim.research.experiment import ExperimentError, load_experiment
from sim.research.optimize import optimize
from sim.research.sweep import run_sweep, verify_run

from .conftest import read_runs, write_experiment

REPS = 150
INERT = ["economic_security_dialogue", "autonomous_defense"]
"""Japanese cards its strategy never plays in these worlds (checked in the test that relies on it)."""

CARDS = f"""\
scenarios: [baseline]
uncertainties:
  us_transactionalism: {{values: [0.3, 1.0]}}
  rok_polarization: {{values: [0.8]}}
levers:
  - {{name: rok_ban, ban: ROK, values: [[], [hedge_toward_china]]}}
  - {{name: jpn_ban, ban: JPN, values: [[], {INERT}]}}
  - name: us_moves
    script: USA
    moves:
      free: {{}}
      tariffs: {{2025Q2: [tariff_threat], 2026Q1: [tariff_threat]}}
policies:
  status_quo: {{rok_ban: []}}
  inert_ban: {{jpn_ban: {INERT}}}
  no_hedge: {{rok_ban: [hedge_toward_china]}}
  tariffs: {{us_moves: tariffs}}
sampler: grid
replications: {REPS}
seed: 21
outputs:
  indicators: [trilateral, tie.ROK_JPN, ROK.hedging, USA.demand.ROK]
outcomes:
  collapse: {{event: "tie.ROK_JPN < 0.5"}}
robustness: {{outcome: tie.ROK_JPN, direction: maximize, threshold: 0.5}}
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("card-levers")
    run_sweep(write_experiment(folder, CARDS), folder / "out", progress=False)
    return folder / "out"


@pytest.fixture(scope="module")
def runs(sweep: Path) -> pd.DataFrame:
    return read_runs(sweep)


def _policy(runs: pd.DataFrame, policy: str, transactionalism: float) -> pd.DataFrame:
    """One policy's runs at one design point, in world order (replication index within the point)."""
    mine = runs[(runs["policy"] == policy) & (runs["us_transactionalism"] == transactionalism)].copy()
    mine["k"] = mine["replication"] % REPS
    return mine.sort_values("k").reset_index(drop=True)


def test_the_tables_name_the_policies(sweep: Path):
    result = analyze(sweep, echo=False)
    assert result.robustness is not None
    assert result.robustness["policy"].tolist() == ["status_quo", "inert_ban", "no_hedge", "tariffs"]
    points = pd.read_csv(sweep / "analysis" / "points.csv")
    assert set(points["policy"]) == {"status_quo", "inert_ban", "no_hedge", "tariffs"}
    assert (sweep / "analysis" / "robustness.png").is_file()


def test_a_ban_of_cards_never_played_gives_identical_worlds(runs: pd.DataFrame):
    scenario = load_scenario("baseline")
    ids = [card.id for card in scenario.actions["JPN"]]
    for transactionalism in (0.3, 1.0):
        # the premise: with these worlds Japan's strategy never plays the banned cards
        model = TrilateralModel(
            scenario,
            seed=21,
            replication_ids=np.arange(REPS),
            record=False,
            parameters={"us_transactionalism": transactionalism, "rok_polarization": 0.8},
        )
        plays = np.zeros(len(ids), dtype=int)
        while model.turn < model.turns:
            model.step()
            plays += model.governments["JPN"].last_choice.sum(axis=1)
        assert all(plays[ids.index(card)] == 0 for card in INERT)
        base, banned = _policy(runs, "status_quo", transactionalism), _policy(runs, "inert_ban", transactionalism)
        for column in ("trilateral", "tie.ROK_JPN", "ROK.hedging", "outcome:collapse"):
            assert np.array_equal(base[column].to_numpy(), banned[column].to_numpy()), column
        assert base["tie.ROK_JPN"].std() > 0  # world by world, not a constant


def test_banning_the_hedge_with_a_transactional_washington_raises_rok_japan(runs: pd.DataFrame):
    # Hedging drags Seoul's willingness to cooperate (docs/model.md, hedging_drag); the hedge card
    # pays at home when Washington looks unreliable, so Seoul plays it when transactionalism is high.
    base, banned = _policy(runs, "status_quo", 1.0), _policy(runs, "no_hedge", 1.0)
    hedging = banned["ROK.hedging"].to_numpy() - base["ROK.hedging"].to_numpy()
    tie = banned["tie.ROK_JPN"].to_numpy() - base["tie.ROK_JPN"].to_numpy()
    assert hedging.mean() < 0
    assert tie.mean() > 3 * tie.std() / np.sqrt(len(tie))  # paired worlds: more than 3 standard errors


def test_a_script_lever_changes_the_runs(runs: pd.DataFrame):
    base, scripted = _policy(runs, "status_quo", 0.3), _policy(runs, "tariffs", 0.3)
    assert not np.array_equal(base["tie.ROK_JPN"].to_numpy(), scripted["tie.ROK_JPN"].to_numpy())
    # Scripted tariff threats cost Washington-Seoul economic ties: the trilateral index falls.
    assert scripted["trilateral"].mean() < base["trilateral"].mean()


@pytest.mark.parametrize("policy", ["no_hedge", "tariffs"])
def test_from_sweep_reproduces_a_card_lever_run_exactly(sweep: Path, runs: pd.DataFrame, policy: str):
    run_id = int(_policy(runs, policy, 1.0)["replication"].iloc[7])
    check = verify_run(sweep, run_id)
    assert check.exact, check.mismatches
    assert check.policy == policy
    if policy == "no_hedge":
        assert check.bans == {"ROK": ("hedge_toward_china",)} and check.model.bans == {"ROK": {"hedge_toward_china"}}
    else:
        assert check.script == {"USA": {"2025Q2": ("tariff_threat",), "2026Q1": ("tariff_threat",)}}


def test_from_sweep_prints_the_policy(sweep: Path, runs: pd.DataFrame, capsys):
    from sim.cli import main

    run_id = int(_policy(runs, "no_hedge", 1.0)["replication"].iloc[0])
    assert main(["run", "--from-sweep", str(sweep), "--run", str(run_id)]) == 0
    assert "policy no_hedge (ROK never plays hedge_toward_china)" in capsys.readouterr().out


def test_without_policies_every_combination_is_named_by_its_labels(tmp_path: Path):
    body = CARDS[: CARDS.index("policies:")] + CARDS[CARDS.index("sampler:") :]
    experiment = load_experiment(write_experiment(tmp_path, body))
    names = [p.name for p in experiment.policies]
    assert len(names) == 8
    assert names[0] == "rok_ban=none,jpn_ban=none,us_moves=free"
    assert "rok_ban=hedge_toward_china,jpn_ban=economic_security_dialogue+autonomous_defense,us_moves=tariffs" in names


def test_optimize_searches_card_levers_and_its_replay_file_reruns_them(tmp_path: Path):
    body = CARDS.replace(f"replications: {REPS}", "replications: 8")
    body = body[: body.index("policies:")] + body[body.index("sampler:") : body.index("robustness:")]
    body += (
        "  rok_jpn: {of: tie.ROK_JPN}\nturns: 6\noptimize:\n  objectives:\n"
        "    - {outcome: rok_jpn, metric: mean, direction: maximize}\n  population: 4\n  generations: 2\n"
    )
    result = optimize(write_experiment(tmp_path, body), tmp_path / "opt", echo=False)
    table = result.evaluations
    assert set(table["rok_ban"]) <= {"none", "hedge_toward_china"}
    assert set(table["us_moves"]) <= {"free", "tariffs"}
    replay = load_experiment(tmp_path / "opt" / "replay.yaml")
    assert [p.name for p in replay.policies] == table["policy"].tolist()
    for policy, row in zip(replay.policies, table.to_dict("records"), strict=True):
        assert policy.bans.get("ROK", ()) == (() if row["rok_ban"] == "none" else ("hedge_toward_china",))
    run_sweep(tmp_path / "opt" / "replay.yaml", tmp_path / "replay", progress=False)
    robust = analyze(tmp_path / "replay", plots=False, echo=False).robustness
    assert robust is not None
    replayed = robust.set_index("policy")["mean"]
    assert np.array_equal(replayed.loc[table["policy"]].to_numpy(), table["mean(rok_jpn)"].to_numpy())


BAD = """\
scenarios: [baseline]
uncertainties:
  us_transactionalism: {values: [0.2, 0.9]}
levers:
  - {name: rok_ban, ban: ROK, values: [[], [hedge_toward_chna]]}
  - name: us_moves
    script: USA
    moves:
      free: {}
      tariffs: {2025Q9: [tariff_threat], 2031Q1: [tarif_threat]}
    values: [free, tarifs]
  - {name: both, ban: USA, strategy: USA, values: [[]]}
  - {name: stray, parameter: summitry, moves: {a: {}}, values: [0.3]}
policies:
  p1: {rok_ban: [shrine_visit], us_moves: tarif}
sampler: grid
replications: 5
"""


def test_bad_card_levers_get_located_errors(tmp_path: Path):
    path = write_experiment(tmp_path, BAD)
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    text = str(caught.value)
    expected = [
        f"{path}:5:45: unknown card 'hedge_toward_chna' for ROK in scenario 'baseline' (did you mean 'hedge_toward_china'?)",
        f"{path}:10:17: '2025Q9' is not a quarter like 2026Q1",
        f"{path}:10:42: quarter 2031Q1 is outside the runs of scenario 'baseline' (2025Q1..2028Q4)",
        f"{path}:10:51: unknown card 'tarif_threat' for USA in scenario 'baseline' (did you mean 'tariff_threat'?)",
        f"{path}:11:20: 'tarifs' is not a move set of script lever 'us_moves' (did you mean 'tariffs'?)",
        f"{path}:12:18: a lever sets one thing (a parameter, a strategy, a ban or a script), not strategy and ban",
        f"{path}:13:40: moves: belongs to a script lever (script: GOV)",
        f"{path}:15:18: unknown card 'shrine_visit' for ROK in scenario 'baseline'",
        f"{path}:15:43: 'tarif' is not a move set of lever 'us_moves' (did you mean 'tariffs'?)",
    ]
    for line in expected:
        assert line in text, (line, text)


def test_a_policy_that_bans_and_scripts_one_card_is_refused(tmp_path: Path):
    body = (
        "scenarios: [baseline]\nuncertainties:\n  us_transactionalism: {values: [0.2]}\nlevers:\n"
        "  - {name: us_ban, ban: USA, values: [[], [tariff_threat]]}\n"
        "  - {name: us_moves, script: USA, moves: {tariffs: {2025Q2: [tariff_threat]}}}\n"
        "policies:\n  muddle: {us_ban: [tariff_threat], us_moves: tariffs}\nsampler: grid\nreplications: 2\n"
    )
    path = write_experiment(tmp_path, body)
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    assert (
        f"{path}:8:3: policy 'muddle' bans and scripts a card: USA plays banned card 'tariff_threat' in 2025Q2"
        in str(caught.value)
    )


def test_the_shipped_card_lever_example_loads():
    root = Path(__file__).resolve().parents[3]
    experiment = load_experiment(root / "scenarios" / "experiments" / "collapse-bans.yaml")
    assert [p.name for p in experiment.policies] == ["status_quo", "no_hedge", "pressure", "pressure_no_hedge"]
    assert experiment.policies[3].bans == {"ROK": ("hedge_toward_china",)}
    assert set(experiment.policies[3].script["USA"]) == {"2025Q2", "2025Q4", "2026Q2"}


def test_two_card_levers_on_one_government_merge_in_lever_order(tmp_path: Path):
    body = (
        "scenarios: [baseline]\nuncertainties:\n  us_transactionalism: {values: [0.2]}\nlevers:\n"
        "  - {name: ban_a, ban: ROK, values: [[hedge_toward_china]]}\n"
        "  - {name: ban_b, ban: ROK, values: [[national_unity, hedge_toward_china]]}\n"
        "  - {name: early, script: USA, moves: {m: {2025Q2: [tariff_threat], 2025Q3: []}}}\n"
        "  - {name: late, script: USA, moves: {m: {2025Q2: [rally_the_base]}}}\n"
        "policies:\n  both: {late: m, ban_b: [national_unity, hedge_toward_china], early: m, "
        "ban_a: [hedge_toward_china]}\nsampler: grid\nreplications: 2\n"
    )
    (policy,) = load_experiment(write_experiment(tmp_path, body)).policies
    assert policy.bans == {"ROK": ("hedge_toward_china", "national_unity")}
    assert policy.script == {"USA": {"2025Q2": ("rally_the_base",), "2025Q3": ()}}


def test_a_game_replay_of_a_card_lever_run_is_refused_clearly(sweep: Path, runs: pd.DataFrame):
    from sim import UsageError
    from sim.play.session import session_for_sweep_run

    run_id = int(_policy(runs, "no_hedge", 1.0)["replication"].iloc[0])
    with pytest.raises(UsageError, match="bans or scripts cards.*trilat run --from-sweep"):
        session_for_sweep_run(sweep, run_id, shadows=2)
