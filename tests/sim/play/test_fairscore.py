"""Fair scores: a team's contribution is its raw change minus the default strategy's in the same world."""

from __future__ import annotations

import numpy as np
import pytest

from sim.play.fairscore import SCORE_EXPLANATION, counterfactual_model, fair_scores
from sim.play.session import GameSession, GameSettings

WINDFALL = """\
id: windfall
title: A scripted windfall
extends: baseline
events:
  - id: windfall
    title: A scripted windfall
    at: 2025Q3
    effects:
      ROK.approval: {amount}
    say: "Seoul's government enjoys a rally it did nothing to earn."
"""


def played(tmp_path, amount: float, cards: list[str], turns: int = 4) -> GameSession:
    path = tmp_path / f"windfall-{amount}.yaml"
    path.write_text(WINDFALL.format(amount=amount), encoding="utf-8")
    settings = GameSettings(str(path), seed=5, shadows=30, controllers={"ROK": "human", "USA": "human"})
    session = GameSession(settings)
    for _ in range(turns):
        capital = float(session.story.governments["ROK"].value("capital")[0])
        costs = {card.id: card.cost for card in session.scenario.actions["ROK"]}
        session.submit("ROK", [c for c in cards if costs[c] <= capital][:1])
        session.submit("USA", [])
        session.resolve()
    return session


@pytest.mark.parametrize("cards", [[], ["missile_warning_sharing"]])
def test_a_scripted_windfall_changes_the_raw_change_but_not_the_contribution(tmp_path, cards):
    calm = fair_scores(played(tmp_path, 0.0, cards))["ROK"]
    lucky = fair_scores(played(tmp_path, 0.25, cards))["ROK"]
    assert lucky.raw - calm.raw > 3.0  # the windfall lifts Seoul's raw score
    assert lucky.contribution == pytest.approx(calm.contribution, abs=0.15 * (lucky.raw - calm.raw))
    assert abs(lucky.contribution - calm.contribution) < 0.5
    assert lucky.counterfactual and lucky.spread is not None


def test_the_counterfactual_shares_the_games_draws_and_other_moves(tmp_path):
    session = played(tmp_path, 0.0, [], turns=2)
    # A government on its default strategy contributes nothing, by definition.
    assert fair_scores(session)["JPN"].contribution == 0.0
    # The counterfactual for the USA keeps the story's replication and the ROK's choices:
    model = counterfactual_model(session, "USA")
    assert list(model.replication_ids[:1]) == [0] and model.turn == session.turn
    assert model.replications == 1 + session.settings.shadows


def test_a_government_playing_its_default_has_zero_contribution_in_every_world(tmp_path):
    settings = GameSettings("baseline", seed=2, shadows=10, controllers={"ROK": "objectives"})
    session = GameSession(settings)
    session.resolve()
    score = fair_scores(session)["ROK"]
    assert score.contribution == 0.0 and not score.counterfactual
    assert "default strategy" in SCORE_EXPLANATION


def test_the_counterfactual_replays_every_logged_command_but_the_team_s_moves():
    """Presets, parameters and injections reach the counterfactual exactly as they reached the game."""
    from sim.play.fairscore import counterfactual_model
    from sim.play.session import GameSession, GameSettings

    session = GameSession(
        GameSettings(scenario="trump2-transactional", turns=3, shadows=4, controllers={"ROK": "human"})
    )
    session.apply_preset("maximal_trump")
    session.set_parameter("us_transactionalism", 0.8)
    session.submit("ROK", [])
    session.resolve()
    model = counterfactual_model(session, "ROK")
    assert float(np.mean(model.params["tariff_pressure"])) == 1.0  # from the preset
    assert float(np.mean(model.params["us_transactionalism"])) == 0.8
    assert model.turn == session.story.turn == 1
