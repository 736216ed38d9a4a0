"""The default behaviours the essays ground, each checked on a 2,000-replication ensemble.

Each test compares two ensembles with the same seed that differ in one driver, and asserts the
direction the essays give. See docs/model.md for the equations.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import TrilateralModel, load_scenario

WORLDS = 2000
SEED = 20250101


def ensemble(scenario, **parameters):
    model = TrilateralModel(scenario, seed=SEED, replications=WORLDS, record=False, parameters=parameters)
    model.run()
    return model


def mean_final(model, name):
    return float(np.mean(model.final()[name]))


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    """Write a scenario extending baseline with extra parameters feeding initial values."""
    folder = tmp_path_factory.mktemp("variants")
    path = folder / "variant.yaml"
    path.write_text(
        """
id: variant
title: Baseline with extra knobs for tests
extends: baseline
parameters:
  dprk_aggressiveness: {default: 0.6, range: [0, 1]}
  salience0: {default: 0.35, range: [0, 1]}
  inst0: {default: 0.35, range: [0, 1]}
threats:
  DPRK:
    initial: {aggressiveness: dprk_aggressiveness}
governments:
  ROK:
    initial: {history_salience: salience0}
  JPN:
    initial: {history_salience: salience0}
initial:
  institutionalization: inst0
""",
        encoding="utf-8",
    )
    return load_scenario(path)


def test_us_transactionalism_lowers_us_ties(baseline):
    low, high = ensemble(baseline, us_transactionalism=0.1), ensemble(baseline, us_transactionalism=0.9)
    assert mean_final(high, "tie.USA_ROK") < mean_final(low, "tie.USA_ROK") - 0.05
    assert mean_final(high, "tie.USA_JPN") < mean_final(low, "tie.USA_JPN") - 0.05
    assert mean_final(high, "trilateral") < mean_final(low, "trilateral")


def test_us_transactionalism_pushes_allies_toward_hedging(baseline):
    low, high = ensemble(baseline, us_transactionalism=0.1), ensemble(baseline, us_transactionalism=0.9)
    for ally in ("ROK", "JPN"):
        assert mean_final(high, f"{ally}.hedging") > mean_final(low, f"{ally}.hedging") + 0.1


def test_shared_threat_raises_willingness_and_ties(variant):
    calm, tense = ensemble(variant, dprk_aggressiveness=0.1), ensemble(variant, dprk_aggressiveness=0.95)
    for gov in ("USA", "ROK", "JPN"):
        assert mean_final(tense, f"{gov}.threat") > mean_final(calm, f"{gov}.threat")
        assert np.mean(tense.x[tense.scenario.layout.rows[f"{gov}.willingness"]]) > np.mean(
            calm.x[calm.scenario.layout.rows[f"{gov}.willingness"]]
        )
    for tie in ("tie.USA_ROK", "tie.USA_JPN", "tie.ROK_JPN"):
        assert mean_final(tense, tie) > mean_final(calm, tie)


def test_korean_polarization_lowers_rok_japan_tie(baseline):
    calm, polarized = ensemble(baseline, rok_polarization=0.2), ensemble(baseline, rok_polarization=0.95)
    assert mean_final(polarized, "tie.ROK_JPN") < mean_final(calm, "tie.ROK_JPN") - 0.03


def test_history_salience_lowers_rok_japan_tie(variant):
    quiet, salient = ensemble(variant, salience0=0.05), ensemble(variant, salience0=0.8)
    assert mean_final(salient, "tie.ROK_JPN") < mean_final(quiet, "tie.ROK_JPN") - 0.02
    # ... and flare-ups of history (the baseline's stochastic event) do the same.
    rare, frequent = ensemble(variant, history_flare_chance=0.0), ensemble(variant, history_flare_chance=0.9)
    assert mean_final(frequent, "tie.ROK_JPN") < mean_final(rare, "tie.ROK_JPN")


def test_institutionalization_damps_reversals(variant):
    # A hostile U.S. drives the ties down; the anchor term is switched off to isolate damping, and
    # so is the bargaining loop, whose escalations hit the ties directly (damping acts on the drift).
    shock = {
        "us_transactionalism": 1.0,
        "inst_anchor": 0.0,
        "inst_build": 0.0,
        "inst_erosion": 0.0,
        "bargaining_gain": 0.0,
    }
    weak = ensemble(variant, inst0=0.05, **shock)
    strong = ensemble(variant, inst0=0.95, **shock)
    fall_weak = np.mean(weak.history[0]["tie.USA_ROK"] - weak.history[-1]["tie.USA_ROK"])
    fall_strong = np.mean(strong.history[0]["tie.USA_ROK"] - strong.history[-1]["tie.USA_ROK"])
    assert fall_weak > 0 and fall_strong > 0
    assert fall_strong < 0.8 * fall_weak
    undamped = ensemble(variant, inst0=0.95, inst_damping=0.0, **shock)
    assert np.mean(undamped.history[0]["tie.USA_ROK"] - undamped.history[-1]["tie.USA_ROK"]) > fall_strong


def test_leadership_change_flips_the_government_profile(baseline):
    model = ensemble(baseline)
    rows = model.scenario.layout.rows
    camp = model.x[rows["ROK.camp"]]
    flipped, kept = camp == 1, camp == 0
    assert 0.2 < flipped.mean() < 0.95  # the 2025Q2 snap election can go either way
    progressive = model.scenario.spec.governments["ROK"].camps["progressive"]
    conservative = model.scenario.spec.governments["ROK"].camps["conservative"]
    assert np.allclose(model.x[rows["ROK.history_stance"]][flipped], progressive.history_stance)
    assert np.allclose(model.x[rows["ROK.history_stance"]][kept], conservative.history_stance)
    # A camp that weighs history more leaves the ROK-Japan tie lower.
    ties = model.final()["tie.ROK_JPN"]
    assert ties[flipped].mean() < ties[kept].mean()


def test_an_event_that_sets_the_camp_changes_leaders_the_same_turn(tmp_path):
    path = tmp_path / "coup.yaml"
    path.write_text(
        """
id: impeachment_test
title: Leadership change by event
extends: baseline
events:
  - id: snap_change
    at: 2025Q1
    effects:
      JPN.camp: {set: 1}
""",
        encoding="utf-8",
    )
    model = TrilateralModel(load_scenario(path), seed=1, replications=10)
    model.step()
    rows = model.scenario.layout.rows
    hawks = model.scenario.spec.governments["JPN"].camps["ldp_hawks"]
    assert np.all(model.x[rows["JPN.camp"]] == 1)
    assert np.all(model.x[rows["JPN.turnover"]] == 1)
    assert np.allclose(model.x[rows["JPN.history_stance"]], hawks.history_stance)
    model.step()
    assert np.all(model.x[rows["JPN.turnover"]] == 0)
