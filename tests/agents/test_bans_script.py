"""Model options bans= and script=: banned cards are never played, scripted moves are, bad options are refused."""

from __future__ import annotations

import numpy as np
import pytest

from sim import TrilateralModel, UsageError
from sim.lang.scenario import load_scenario

SEED = 11


@pytest.fixture(scope="module")
def trump2():
    return load_scenario("trump2-transactional")


@pytest.fixture(scope="module")
def history():
    return load_scenario("history-2013")


def played(scenario, gov: str, replications: int = 200, turns: int | None = None, **options):
    """Run to the end; return the model and, per card of ``gov``, how many times it was played (all turns, worlds)."""
    model = TrilateralModel(scenario, replications=replications, seed=SEED, record=False, turns=turns, **options)
    ids = [card.id for card in scenario.actions[gov]]
    counts = dict.fromkeys(ids, 0)
    by_turn: dict[int, np.ndarray] = {}
    while model.turn < model.turns:
        model.step()
        choice = model.governments[gov].last_choice
        by_turn[model.turn] = choice.copy()
        for i, card in enumerate(ids):
            counts[card] += int(choice[i].sum())
    model.by_turn = by_turn  # type: ignore[attr-defined]
    return model, counts


def test_no_bans_and_no_script_change_nothing(trump2):
    plain, _ = played(trump2, "ROK")
    empty, _ = played(trump2, "ROK", bans={"ROK": []}, script={})
    assert np.array_equal(plain.x, empty.x)


def test_banning_a_card_the_strategy_never_plays_changes_nothing_world_by_world(trump2):
    plain, counts = played(trump2, "ROK")
    never = [card for card, n in counts.items() if n == 0]
    assert never, "trump2-transactional: every ROK card is played at least once (pick another scenario)"
    banned, _ = played(trump2, "ROK", bans={"ROK": never})
    assert np.array_equal(plain.x, banned.x)


def test_a_banned_card_is_never_played_and_the_hedging_ban_raises_rok_japan(trump2):
    plain, counts = played(trump2, "ROK")
    assert counts["hedge_toward_china"] > 0
    banned, after = played(trump2, "ROK", bans={"ROK": ["hedge_toward_china"]})
    assert after["hedge_toward_china"] == 0
    rows = trump2.layout.rows
    # Hedging drags Seoul's willingness to cooperate (docs/model.md): without the card it hedges
    # less and the ROK-Japan tie ends higher on average (worlds paired by common random numbers).
    assert banned.x[rows["ROK.hedging"]].mean() < plain.x[rows["ROK.hedging"]].mean()
    assert banned.x[rows["tie.ROK_JPN"]].mean() > plain.x[rows["tie.ROK_JPN"]].mean()


def test_a_ban_overrides_the_scenarios_own_script(history):
    turn = 11  # 2015Q3: ROK's script plays hedge_toward_china (start 2013Q1)
    card = [c.id for c in history.actions["ROK"]].index("hedge_toward_china")
    plain, _ = played(history, "ROK", replications=20, turns=turn)
    assert plain.by_turn[turn][card].any()
    banned, counts = played(history, "ROK", replications=20, turns=turn, bans={"ROK": ["hedge_toward_china"]})
    assert counts["hedge_toward_china"] == 0


def test_a_script_plays_its_cards_in_its_quarter_and_overrides_the_scenarios(trump2, history):
    card = [c.id for c in trump2.actions["USA"]].index("tariff_threat")
    by_number, _ = played(trump2, "USA", replications=50, turns=4, script={"USA": {3: ["tariff_threat"]}})
    by_label, _ = played(trump2, "USA", replications=50, turns=4, script={"USA": {"2025Q3": ["tariff_threat"]}})
    assert np.array_equal(by_number.x, by_label.x)
    chosen = by_number.by_turn[3]
    assert chosen[card].all() and chosen.sum(axis=0).max() == 1  # the script's card and nothing else
    silenced, _ = played(history, "ROK", replications=20, turns=11, script={"ROK": {"2015Q3": []}})
    assert not silenced.by_turn[11].any()


def test_bans_and_scripts_keep_replications_independent_of_the_ensemble(trump2):
    options = {"bans": {"ROK": ["hedge_toward_china"]}, "script": {"USA": {2: ["tariff_threat"]}}}
    ensemble = TrilateralModel(trump2, replications=30, seed=SEED, record=False, **options)
    alone = TrilateralModel(trump2, replication_ids=[17], seed=SEED, record=False, **options)
    ensemble.run_model()
    alone.run_model()
    assert np.array_equal(ensemble.x[:, 17], alone.x[:, 0])


def test_a_human_team_may_not_submit_a_banned_card(trump2):
    model = TrilateralModel(trump2, seed=1, strategies={"ROK": "human"}, bans={"ROK": ["hedge_toward_china"]})
    model.choose("ROK", ["national_unity"])
    with pytest.raises(UsageError, match="may not play 'hedge_toward_china'"):
        model.choose("ROK", ["hedge_toward_china"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"bans": {"ROK": ["hedge_toward_chna"]}},
            "unknown card 'hedge_toward_chna' for ROK .*did you mean 'hedge_toward_china'",
        ),
        ({"bans": {"KOR": []}}, "unknown government 'KOR'"),
        ({"bans": {"ROK": "hedge_toward_china"}}, "must be a list of card ids"),
        ({"bans": ["ROK"]}, "bans must map a government"),
        ({"script": {"USA": {99: []}}}, "not a turn this run plays"),
        ({"script": {"USA": {0: []}}}, "not a turn this run plays"),
        ({"script": {"USA": {"2025Q9": []}}}, "neither a turn number nor a quarter"),
        ({"script": {"USA": {2: ["tarif_threat"]}}}, "did you mean 'tariff_threat'"),
        ({"script": {"JPNN": {}}}, "unknown government 'JPNN'.*did you mean 'JPN'"),
        ({"script": {"USA": [2]}}, "must map turns"),
        (
            {"bans": {"USA": ["tariff_threat"]}, "script": {"USA": {2: ["tariff_threat"]}}},
            "plays 'tariff_threat', which bans= forbids",
        ),
    ],
)
def test_bad_bans_and_scripts_are_refused(trump2, options, message):
    with pytest.raises(UsageError, match=message):
        TrilateralModel(trump2, seed=1, **options)


def test_no_library_scenario_has_a_parameter_named_like_the_new_options():
    from sim.lang.scenario import library_ids

    for ident in library_ids():
        scenario = load_scenario(ident)
        assert not {"bans", "script"} & set(scenario.parameter_defaults), ident
