"""Stylized facts of domestic politics and public opinion (issue 10), on 2,000-world ensembles.

Each test compares ensembles with the same seed (common random numbers) that differ in one
thing, and states its margin relative to the spread between worlds (the standard deviation of
the outcome over the worlds of the reference ensemble). Each mechanism's switch coefficient set
to 0 must remove its effect. Equations: docs/model.md, section 3.3 ("Second generation").
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import TrilateralModel, library_ids, load_scenario
from sim.engine import indicators, politics
from sim.errors import ScenarioError

WORLDS = 2000
SEED = 20250101
PASSIVE = {"USA": "passive", "ROK": "passive", "JPN": "passive"}
VIEWS = ("USA.view.ROK", "USA.view.JPN", "ROK.view.USA", "ROK.view.JPN", "JPN.view.USA", "JPN.view.ROK")
POLARIZATION_SWITCHES = (
    "mobilization_polarization",
    "salience_polarization",
    "threat_convergence",
    "polarization_noise",
    "election_polarization",
)


def run(scenario, turns=None, strategies=None, before=None, **parameters):
    """An ensemble run; ``before(model)`` is called before the first turn (to submit or inject)."""
    model = TrilateralModel(
        scenario,
        seed=SEED,
        replications=WORLDS,
        record=False,
        turns=turns,
        strategies=strategies or PASSIVE,
        parameters=parameters,
    )
    if before is not None:
        before(model)
    return model.run()


def final(model, name):
    return model.indicator(name)


def spread(values):
    """The spread between worlds (standard deviation), with a floor for a variable that does not vary."""
    return max(float(np.std(values)), 1e-3)


def _scenario(folder, ident, rok_camp, jpn_camp="ldp_mainstream"):
    path = folder / f"{ident}.yaml"
    path.write_text(
        f"""
id: {ident}
title: Baseline with fixed camps
extends: baseline
governments:
  ROK: {{in_power: {rok_camp}, elections: []}}
  JPN: {{in_power: {jpn_camp}, elections: []}}
""",
        encoding="utf-8",
    )
    return load_scenario(path)


@pytest.fixture(scope="module")
def camps(tmp_path_factory):
    """Baseline variants with no elections: conservatives or progressives govern Seoul throughout."""
    folder = tmp_path_factory.mktemp("camps")
    return {
        "conservative": _scenario(folder, "conservatives_govern", "conservative", "ldp_mainstream"),
        "progressive": _scenario(folder, "progressives_govern", "progressive", "ldp_hawks"),
    }


# --------------------------------------------------------------------------- (a) history as domestic politics


def test_the_out_party_raises_history_salience_more_than_the_governing_party(camps):
    """The progressives (history-minded) push salience up from opposition, not from government."""
    effect = {}
    for name, scenario in camps.items():
        on, off = run(scenario), run(scenario, out_party_mobilization=0)
        effect[name] = final(on, "ROK.history_salience") - final(off, "ROK.history_salience")
        margin = 0.2 * spread(final(off, "ROK.history_salience"))
    assert np.mean(effect["conservative"]) > np.mean(effect["progressive"]) + margin
    assert np.all(effect["progressive"] == 0), "a pragmatic out-party does not mobilize history"
    # Tokyo: the hawks, out of power under the mainstream, mobilize; in power, nobody outflanks them.
    on, off = run(camps["conservative"]), run(camps["conservative"], out_party_mobilization=0)
    jpn = final(on, "JPN.history_salience") - final(off, "JPN.history_salience")
    assert np.mean(jpn) > 0.2 * spread(final(off, "JPN.history_salience"))


def test_mobilization_grows_with_polarization(baseline):
    model = TrilateralModel(baseline, seed=SEED, replications=3)
    row = model.scenario.layout.rows["ROK.polarization"]
    model.x[row] = [0.2, 0.5, 0.9]
    assert np.all(np.diff(politics.mobilization(model, "ROK")) > 0)
    assert np.all(politics.mobilization(model, "USA") == 0)


@pytest.mark.parametrize(
    ("gov", "grievance", "reconciliation", "pragmatic", "history_minded"),
    [
        ("ROK", "raise_history_grievance", "separate_history_track", "conservative", "progressive"),
        ("JPN", "shrine_visit", "history_statement", "ldp_mainstream", "ldp_hawks"),
    ],
)
def test_history_payoff_hook_follows_the_base(camps, gov, grievance, reconciliation, pragmatic, history_minded):
    """The strategy hook: grievance pays with a history-minded base, reconciliation with a pragmatic one."""
    for scenario in camps.values():
        model = TrilateralModel(scenario, seed=SEED, replications=50)
        cards = {card.id: card for card in model.scenario.actions[gov]}
        camp = model.scenario.camp_names[gov][int(model.applied_camp[gov][0])]
        sign = 1 if camp == history_minded else -1
        assert camp in (pragmatic, history_minded)
        assert np.all(sign * politics.history_payoff(model, gov, cards[grievance]) > 0)
        assert np.all(sign * politics.history_payoff(model, gov, cards[reconciliation]) < 0)
        assert np.all(politics.history_payoff(model, "USA", model.scenario.actions["USA"][0]) == 0)
        model.set_parameter("history_politics", 0.0)
        assert np.all(politics.history_payoff(model, gov, cards[grievance]) == 0)


def _approval_after_move(scenario, card, **parameters):
    """Seoul's approval after turn 2 when it plays ``card`` in turn 1, minus when it does not."""

    def submit(model):
        model.choose("ROK", [card])

    strategies = {**PASSIVE, "ROK": "human"}
    played = run(scenario, turns=2, strategies=strategies, before=submit, **parameters)
    quiet = run(scenario, turns=2, strategies=strategies, **parameters)
    return final(played, "ROK.approval") - final(quiet, "ROK.approval"), spread(final(quiet, "ROK.approval"))


@pytest.mark.parametrize(("card", "sign"), [("raise_history_grievance", 1), ("separate_history_track", -1)])
def test_history_moves_pay_or_cost_approval_by_the_base(camps, card, sign):
    """In the engine: the move's approval effect beyond its own card effect, by the camp in power."""
    extra = {}
    for name, scenario in camps.items():
        with_politics, sd = _approval_after_move(scenario, card)
        without, _ = _approval_after_move(scenario, card, history_politics=0)
        extra[name] = with_politics - without
        margin = 0.1 * sd
    assert sign * np.mean(extra["progressive"]) > margin, "a history-minded base rewards grievance"
    assert sign * np.mean(extra["conservative"]) < -margin, "a pragmatic base rewards reconciliation"


# --------------------------------------------------------------------------- (b) polarization


def test_polarization_varies_between_worlds_and_scenarios():
    means = {"ROK": [], "JPN": []}
    for ident in library_ids():
        model = run(load_scenario(ident), strategies={})
        for gov in means:
            values = final(model, f"{gov}.polarization")
            assert spread(values) > 0.02, f"{ident}: {gov} polarization should vary between worlds"
            means[gov].append(float(np.mean(values)))
    for gov, values in means.items():
        standard_error = 0.05 / np.sqrt(WORLDS)  # a generous bound on the standard error of a mean
        assert max(values) - min(values) > 20 * standard_error, f"{gov} polarization should vary between scenarios"
        assert len({round(v, 3) for v in values}) >= len(values) // 2


def test_polarization_switches_restore_a_fixed_level(baseline):
    """With its drivers switched off, Japanese polarization stays at its start (the earlier model)."""
    off = run(baseline, **dict.fromkeys(POLARIZATION_SWITCHES, 0.0))
    assert np.all(final(off, "JPN.polarization") == pytest.approx(0.45, abs=1e-12))
    on = run(baseline)
    assert spread(final(on, "JPN.polarization")) > 0.02


@pytest.mark.parametrize("switch", POLARIZATION_SWITCHES)
def test_each_polarization_driver_moves_it_and_its_switch_removes_it(baseline, switch):
    scenario = baseline
    others = {name: 0.0 for name in POLARIZATION_SWITCHES if name != switch}
    on, off = run(scenario, **others), run(scenario, **dict.fromkeys(POLARIZATION_SWITCHES, 0.0))
    moved = np.abs(final(on, "ROK.polarization") - final(off, "ROK.polarization"))
    assert np.mean(moved) > 0.005
    assert np.array_equal(
        final(run(scenario, **others, **{switch: 0.0}), "ROK.polarization"), final(off, "ROK.polarization")
    )


def test_elections_polarize(baseline):
    """Seoul votes in 2025Q2 (turn 2): polarization rises that quarter by the switch's amount."""
    on, off = run(baseline, turns=2), run(baseline, turns=2, election_polarization=0)
    assert np.allclose(final(on, "ROK.polarization") - final(off, "ROK.polarization"), 0.03, atol=0.01)


def test_the_polarization_penalty_depends_on_the_camp_in_power(camps):
    """The penalty on the ROK-Japan tie is larger when the more history-minded camp governs."""
    for name, sign in (("progressive", -1), ("conservative", 1)):
        on, off = run(camps[name]), run(camps[name], polarization_camp_gain=0)
        change = np.mean(final(on, "tie.ROK_JPN") - final(off, "tie.ROK_JPN"))
        assert sign * change > 0.2 * spread(final(off, "tie.ROK_JPN")), name


def test_an_elite_public_gap_costs_approval(baseline):
    """America First's willingness lags the public's support for the alliances: approval pays for it."""
    on, off = run(baseline), run(baseline, elite_gap_cost=0)
    assert np.mean(final(on, "USA.approval")) < np.mean(final(off, "USA.approval")) - 0.2 * spread(
        final(off, "USA.approval")
    )


# --------------------------------------------------------------------------- (c) views of partners


def test_views_are_state_indicators_with_labels(baseline):
    model = TrilateralModel(baseline, seed=SEED, replications=2)
    for name in VIEWS:
        assert name in model.scenario.layout.writable
        indicator = indicators.REGISTRY[name]
        assert indicator.group is indicators.Group.OPINION
        assert indicator.label == f"{name[:3]} view of {name[-3:]}"
    assert float(model.indicator("ROK.view.JPN")[0]) == pytest.approx(0.55)
    assert "ROK.view.ROK" not in model.scenario.layout.rows


def test_views_are_readable_writable_and_set_at_the_start(tmp_path):
    path = tmp_path / "views.yaml"
    path.write_text(
        """
id: views
title: Views in expressions and effects
extends: baseline
governments:
  ROK: {initial: {view.JPN: 0.4}}
events:
  - id: goodwill
    at: 2025Q1
    effects: {JPN.view.ROK: 0.1}
rules:
  - id: cold_public
    phase: domestic
    when: "ROK.view.JPN < 0.45"
    effects: {ROK.support: -0.01}
""",
        encoding="utf-8",
    )
    model = TrilateralModel(load_scenario(path), seed=SEED, replications=4, strategies=PASSIVE)
    assert np.all(model.indicator("ROK.view.JPN") == 0.4)
    model.step()
    assert np.all(model.indicator("JPN.view.ROK") > 0.6)
    assert np.all(model.indicator("fired.cold_public") == 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\ntitle: Bad\nextends: baseline\ngovernments:\n  ROK: {initial: {view.ROK: 0.4}}\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match="unknown initial variable 'view.ROK'"):
        load_scenario(bad)


PAIR_VIEWS = ("ROK.view.JPN", "JPN.view.ROK")


def test_a_history_flare_up_lowers_the_seoul_tokyo_views(baseline):
    def flare(model):
        model.inject("history_flareup")

    shocked, calm = run(baseline, turns=3, before=flare), run(baseline, turns=3)
    for name in PAIR_VIEWS:
        fall = np.mean(final(calm, name) - final(shocked, name))
        assert fall > 0.2 * spread(final(calm, name)), name
    frozen = (run(baseline, turns=3, before=flare, view_rate=0), run(baseline, turns=3, view_rate=0))
    for name in PAIR_VIEWS:
        assert np.array_equal(final(frozen[0], name), final(frozen[1], name))


def test_a_summit_raises_the_views(baseline):
    def summit(model):
        model.choose("USA", ["trilateral_summit"])

    strategies = {**PASSIVE, "USA": "human"}
    met, apart = (
        run(baseline, turns=4, strategies=strategies, before=summit),
        run(baseline, turns=4, strategies=strategies),
    )
    for name in (*PAIR_VIEWS, "USA.view.ROK", "ROK.view.USA"):
        rise = np.mean(final(met, name) - final(apart, name))
        assert rise > 0.1 * spread(final(apart, name)), name
    frozen = (
        run(baseline, turns=4, strategies=strategies, before=summit, view_rate=0),
        run(baseline, turns=4, strategies=strategies, view_rate=0),
    )
    for name in PAIR_VIEWS:
        assert np.array_equal(final(frozen[0], name), final(frozen[1], name))


def test_views_feed_public_support(baseline):
    """A flare-up costs Seoul's public support for cooperation more when views feed support."""

    def flare(model):
        model.inject("history_flareup")

    loss = {}
    for gain in (0.2, 0.0):
        shocked, calm = (
            run(baseline, turns=4, before=flare, support_view_gain=gain),
            run(baseline, turns=4, support_view_gain=gain),
        )
        loss[gain] = final(calm, "ROK.support") - final(shocked, "ROK.support")
    assert np.mean(loss[0.2]) > np.mean(loss[0.0]) + 0.05 * spread(loss[0.0] + 0.0)
