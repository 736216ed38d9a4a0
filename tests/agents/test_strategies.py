"""Decision strategies: a contract every strategy's tests inherit, plus each strategy's own traits.

In the style of the Axelrod library: the contract checks metadata, determinism for a seed,
budget discipline, availability, that a strategy survives cloning and pickling, and its
classifier against fake contexts (a non-stochastic strategy never draws; a part of the context
it does not declare reading never changes its choice, and one it declares does). Each strategy
also has its tendency in a real model and an exact decision table against a hand-built context.
"""

from __future__ import annotations

import copy
import pickle
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from agents.context import CONTEXT_PARTS
from agents.strategies import (
    STRATEGIES,
    Classifier,
    Human,
    ObjectiveSeeking,
    Passive,
    RandomPlay,
    Reciprocal,
    Scripted,
    Strategy,
    ThreatDriven,
    Transactional,
    make_strategy,
)
from sim import TrilateralModel, UsageError
from tests.agents import fakes

WORLDS = 64
CONTEXTS = 12
"""Random fake contexts each classifier check looks at."""


def play_turns(scenario, strategy, turns=4, seed=3):
    """Run with ``strategy`` for every government; return the models' card choices per turn."""
    model = TrilateralModel(
        scenario, seed=seed, replications=WORLDS, strategies={g: strategy for g in ("USA", "ROK", "JPN")}
    )
    choices = []
    for _ in range(turns):
        capital_before = {g: gov.value("capital").copy() for g, gov in model.governments.items()}
        model.step()
        choices.append({g: (gov.last_choice.copy(), capital_before[g]) for g, gov in model.governments.items()})
    return model, choices


class CapitalSpy(Strategy):
    """Wraps a strategy and records each government's capital at the moment it chooses."""

    name = "spy"

    def __init__(self, inner: Strategy) -> None:
        self.inner = inner
        self.capital: list[tuple[str, np.ndarray]] = []

    def choose(self, context):
        self.capital.append((context.code, context.own("capital").copy()))
        return self.inner.choose(context)


def table(strategy: Strategy) -> list[set[str]]:
    """The cards ``strategy`` chooses in each world of the decision-table context."""
    ctx = fakes.table_context()
    choice = strategy.choose(ctx)
    assert choice.shape == (len(fakes.TABLE_CARDS), 3) and choice.dtype == bool
    return fakes.chosen_ids(choice, ctx)


class StrategyContract:
    """Tests every strategy must pass. Subclasses set ``strategy_class``."""

    strategy_class: type[Strategy]

    def make(self) -> Strategy:
        return self.strategy_class()

    def test_has_declarative_metadata(self):
        cls = self.strategy_class
        assert cls.name and cls.name in STRATEGIES and STRATEGIES[cls.name] is cls
        assert len(cls.description) > 10
        assert isinstance(cls.sources, tuple)
        assert cls.__doc__ and cls.__doc__.strip()

    def test_same_seed_same_play(self, baseline):
        _, first = play_turns(baseline, self.make())
        _, second = play_turns(baseline, self.make())
        for a, b in zip(first, second, strict=True):
            for gov in a:
                assert np.array_equal(a[gov][0], b[gov][0])

    def test_never_spends_more_capital_than_it_has(self, baseline):
        spy = CapitalSpy(self.make())
        model, choices = play_turns(baseline, spy)
        assert len(spy.capital) == 4 * 3  # one decision per government per turn
        for turn, capital in zip([c[g][0] for c in choices for g in ("USA", "ROK", "JPN")], spy.capital, strict=True):
            gov, available = capital
            costs = np.array([card.cost for card in model.scenario.actions[gov]])
            spent = (costs[:, None] * turn).sum(axis=0)
            assert np.all(spent <= available + 1e-9)

    def test_choice_has_cards_by_worlds_shape(self, baseline):
        model, choices = play_turns(baseline, self.make(), turns=1)
        for gov, (chosen, _) in choices[0].items():
            assert chosen.shape == (len(model.scenario.actions[gov]), WORLDS)
            assert chosen.dtype == bool

    # ------------------------------------------------------------------ the classifier

    def test_declares_its_own_classifier(self):
        classifier = self.strategy_class.__dict__.get("classifier")
        assert isinstance(classifier, Classifier)
        assert classifier.reads <= CONTEXT_PARTS

    def test_draws_random_numbers_exactly_when_declared_stochastic(self):
        strategy = self.make()
        if self.strategy_class.classifier.stochastic:
            calls = []
            for seed in range(CONTEXTS):
                ctx = fakes.random_context(seed)
                draw = ctx.draw
                strategy.choose(replace(ctx, draw=lambda slot, draw=draw: calls.append(slot) or draw(slot)))
            assert calls, "declared stochastic but never drew a random number"
            return
        for seed in range(CONTEXTS):
            strategy.choose(replace(fakes.random_context(seed), draw=fakes.no_draws))
            # ... and so chooses the same whatever the seed of the random numbers it was offered.
            first = strategy.choose(fakes.random_context(seed, draw_seed=1))
            for draw_seed in (2, 3, 4):
                assert np.array_equal(strategy.choose(fakes.random_context(seed, draw_seed=draw_seed)), first)

    def test_choice_ignores_what_it_does_not_declare_reading(self):
        strategy = self.make()
        for part in sorted(CONTEXT_PARTS - self.strategy_class.classifier.reads):
            for seed in range(CONTEXTS):
                ctx = fakes.random_context(seed)
                varied = strategy.choose(fakes.vary(ctx, part, seed))
                assert np.array_equal(varied, strategy.choose(ctx)), f"changing {part} changed a choice"

    def test_choice_depends_on_what_it_declares_reading(self):
        strategy = self.make()
        for part in sorted(self.strategy_class.classifier.reads):
            changed = 0
            for seed in range(CONTEXTS):
                ctx = fakes.random_context(seed)
                changed += not np.array_equal(strategy.choose(fakes.vary(ctx, part, seed)), strategy.choose(ctx))
            assert changed, f"declares reading {part}, but changing it never changed a choice"

    def test_clone_and_pickle_play_the_same(self, baseline):
        original = self.make()
        for clone in (copy.deepcopy(original), pickle.loads(pickle.dumps(original))):
            _, a = play_turns(baseline, original, turns=2)
            _, b = play_turns(baseline, clone, turns=2)
            for x, y in zip(a, b, strict=True):
                for gov in x:
                    assert np.array_equal(x[gov][0], y[gov][0])


class TestPassive(StrategyContract):
    strategy_class = Passive

    def test_plays_nothing(self, baseline):
        _, choices = play_turns(baseline, Passive())
        assert not any(chosen.any() for turn in choices for chosen, _ in turn.values())

    def test_decision_table(self):
        assert table(Passive()) == [set(), set(), set()]


class TestThreatDriven(StrategyContract):
    strategy_class = ThreatDriven

    def test_plays_cooperative_cards_under_threat(self, baseline):
        model, choices = play_turns(baseline, ThreatDriven())
        cards = model.scenario.actions["JPN"]
        cooperative = np.array([c.stance == "cooperative" for c in cards])
        chosen = sum(turn["JPN"][0] for turn in choices)
        assert chosen[cooperative].sum() > chosen[~cooperative].sum()

    def test_decision_table(self):
        # Scores: cooperative 0.3 + threat, competitive 0.9 - threat, domestic 1.1 - approval,
        # neutral 0.5 + willingness / 2; played best first above 0.7 while capital lasts.
        assert table(ThreatDriven()) == [{"summit", "study"}, {"rally"}, {"study"}]


class TestReciprocal(StrategyContract):
    strategy_class = Reciprocal

    def test_retaliates_after_ties_fall(self, baseline):
        # A hostile U.S. pushes Seoul's ties down; a reciprocal Seoul then plays competitive cards.
        model = TrilateralModel(
            baseline,
            seed=4,
            replications=WORLDS,
            parameters={"us_transactionalism": 1.0},
            strategies={"USA": "transactional", "ROK": "reciprocal", "JPN": "passive"},
        )
        competitive = np.array([c.stance == "competitive" for c in model.scenario.actions["ROK"]])
        played = 0
        for _ in range(8):
            model.step()
            played += model.governments["ROK"].last_choice[competitive].sum()
        assert played > 0

    def test_decision_table(self):
        # Ties held (change >= -0.005) in worlds 0 and 2: cooperative 1.0, competitive 0.2;
        # they fell in world 1: cooperative 0.2, competitive 1.0 (but tariff is unavailable there).
        assert table(Reciprocal()) == [{"summit", "study"}, {"rally", "study"}, {"study"}]

    def test_decision_table_retaliates_just_past_the_tolerance(self):
        ctx = fakes.table_context(tie_change=(0.01, -0.02, -0.0051))
        assert fakes.chosen_ids(Reciprocal().choose(ctx), ctx)[2] == {"tariff"}


class TestTransactional(StrategyContract):
    strategy_class = Transactional

    def test_prefers_competitive_cards(self, baseline):
        model, choices = play_turns(baseline, Transactional(), turns=6)
        cards = model.scenario.actions["USA"]
        competitive = np.array([c.stance == "competitive" for c in cards])
        cooperative = np.array([c.stance == "cooperative" for c in cards])
        chosen = sum(turn["USA"][0] for turn in choices)
        assert chosen[competitive].sum() > chosen[cooperative].sum()

    def test_decision_table(self):
        # Competitive 0.4 + transactionalism, cooperative 1 - transactionalism, domestic 1.1 - approval.
        assert table(Transactional()) == [{"summit", "study"}, {"rally", "study"}, {"tariff"}]


class TestObjectiveSeeking(StrategyContract):
    strategy_class = ObjectiveSeeking

    def test_plays_the_cards_that_serve_its_objectives(self, tmp_path):
        from sim import load_scenario

        path = tmp_path / "goals.yaml"
        path.write_text(
            "id: goals\ntitle: Goals\nextends: baseline\n"
            "objectives:\n  JPN:\n    - {indicator: tie.ROK_JPN, weight: 1.0}\n",
            encoding="utf-8",
        )
        model = TrilateralModel(load_scenario(path), seed=2, replications=16, strategies={"JPN": "objectives"})
        ids = [c.id for c in model.scenario.actions["JPN"]]
        played = np.zeros((len(ids), 16), dtype=int)
        for _ in range(3):
            model.step()
            played += model.governments["JPN"].last_choice
        assert played[ids.index("shrine_visit")].sum() == 0  # raises history salience: bad for the tie
        assert played[ids.index("shuttle_diplomacy")].all()  # the card that raises the tie most
        assert played[ids.index("defense_spending")].sum() == 0  # no effect on this objective

    def test_scores_cards_by_their_effect_on_the_objectives(self, tmp_path):
        from sim import load_scenario

        path = tmp_path / "goals.yaml"
        path.write_text(
            "id: goals\ntitle: Goals\nextends: baseline\n"
            "objectives:\n  USA:\n    - {indicator: USA.approval, weight: 2.0}\n",
            encoding="utf-8",
        )
        model = TrilateralModel(load_scenario(path), seed=2, replications=3)
        gov = model.governments["USA"]
        cards = model.scenario.actions["USA"]
        context = gov.decision_context()
        values = context.card_values()
        rally = [c.id for c in cards].index("rally_the_base")
        approval = gov.value("approval")
        assert np.allclose(values[rally], 2.0 * 0.06 * (1 - approval))  # rally_the_base's effect on approval

    def test_anticipates_the_partners_reactions(self, baseline):
        model = TrilateralModel(baseline, seed=2, replications=8, parameters={"us_transactionalism": 1.0})
        model.set_state("USA.demand.ROK", 0.5)
        rok, jpn, usa = (model.governments[g].decision_context() for g in ("ROK", "JPN", "USA"))
        react = {ctx.code: dict(zip(ctx.card_ids, ctx.reactions(), strict=True)) for ctx in (rok, jpn, usa)}
        # Paying a pending demand buys relief; with no demand on Tokyo, its payment buys nothing.
        assert np.all(react["ROK"]["investment_pledge"] > 0)
        assert np.all(react["JPN"]["defense_spending"] == 0)
        # A hedge shields Seoul against escalation while the demand is pending.
        assert np.all(react["ROK"]["hedge_toward_china"] > 0)
        # Seoul's public answers a shrine visit; a conciliatory statement is returned.
        assert np.all(react["JPN"]["shrine_visit"] < 0) and np.all(react["JPN"]["history_statement"] > 0)
        # Washington expects a new demand to be paid (here by Tokyo, which owes nothing yet).
        model.set_state("USA.demand.ROK", 1.0)
        usa = model.governments["USA"].decision_context()
        demand_value = dict(zip(usa.card_ids, usa.reactions(), strict=True))["burden_sharing_ultimatum"]
        assert np.all(demand_value > 0)

    def test_domestic_payoff_is_the_cards_effect_on_approval_plus_the_history_payoff(self, baseline):
        from sim.engine.politics import history_payoff

        model = TrilateralModel(baseline, seed=2, replications=4)
        ctx = model.governments["ROK"].decision_context()
        payoff = dict(zip(ctx.card_ids, ctx.domestic_payoff(), strict=True))
        grievance = next(card for card in baseline.actions["ROK"] if card.id == "raise_history_grievance")
        history = history_payoff(model, "ROK", grievance)
        assert np.any(history != 0)  # a grievance is a history move: the base and the out-party weigh in
        assert np.allclose(payoff["raise_history_grievance"], history)  # the card itself carries no approval
        assert np.allclose(payoff["national_unity"], 0.01)  # not a history move: its own approval effect
        assert np.allclose(payoff["investment_pledge"], -0.01) and np.all(payoff["missile_warning_sharing"] == 0)

    @staticmethod
    def objective_table(strategy=None, draw=0.5, **changes) -> list[set[str]]:
        """The objectives table with every timing draw at ``draw`` (0.5: timing factor 1)."""
        ctx = fakes.table_context(draw=fakes.draws_from(np.full((4, 3), draw)), **changes)
        return fakes.chosen_ids((strategy or ObjectiveSeeking()).choose(ctx), ctx)

    def test_decision_table(self):
        # value = card value + 0.05 x (1 - approval) x domestic payoff + expected reaction, times the
        # timing factor (1 here); the k-th card of a turn keeps 0.7^k of it; a point of capital costs
        # 0.005 x (1 + shortfall below 1.5 left / 1.5). Best net value first while positive.
        # World 0: summit 0.03 - 2 x 0.00667 > 0; then 1 point left, priced 0.01: nothing else.
        # World 1: rally 0.01 + 0.05 x 0.8 x 0.04 = 0.0116 - 0.00667 > 0; summit is worth nothing.
        # World 2: tariff -0.01 + 0.025 (the partner's expected concession) = 0.015 - 0.01 > 0 buys
        # the last point; study (0.006) would not (in world 0 the reaction, 0.012, is too small).
        assert self.objective_table() == [{"summit"}, {"rally"}, {"tariff"}]

    def test_decision_table_timing_draws_move_the_choice_between_worlds(self):
        # Timing factor 0.5: only world 0's summit still pays; 1.5: world 2's tariff does too.
        assert self.objective_table(draw=0.0) == [{"summit"}, set(), set()]
        assert self.objective_table(draw=0.99) == [{"summit"}, {"rally"}, {"tariff"}]

    def test_decision_table_saves_capital_it_would_need(self):
        # With 3 points in world 2 the summit comes first; the tariff, second card of the turn
        # (0.7 x 0.015), still beats the price of the last point; in world 0 the study does not.
        assert self.objective_table(capital=(3.0, 2.0, 3.0)) == [{"summit"}, {"rally"}, {"summit", "tariff"}]

    def test_decision_table_diminishing_returns_within_a_turn(self):
        rich = {"capital": (10.0, 10.0, 10.0)}
        assert self.objective_table(**rich)[0] == {"summit"}
        no_decay = ObjectiveSeeking()
        no_decay.turn_decay = 1.0
        # Without diminishing returns the study (0.006 - 0.005) would follow the summit.
        assert self.objective_table(no_decay, **rich)[0] == {"summit", "study"}

    def test_decision_table_without_objectives_is_threat_driven(self):
        ctx = fakes.table_context(objectives=())
        assert fakes.chosen_ids(ObjectiveSeeking().choose(ctx), ctx) == table(ThreatDriven())


class TestRandomPlay(StrategyContract):
    strategy_class = RandomPlay

    def test_worlds_play_differently(self, baseline):
        _, choices = play_turns(baseline, RandomPlay(), turns=1)
        chosen, _ = choices[0]["ROK"]
        assert len({tuple(chosen[:, w]) for w in range(WORLDS)}) > 1

    def test_decision_table(self):
        # Each card's draw per world (summit, tariff, rally, study); played above 0.5 while capital lasts.
        draws = [[0.4, 0.4, 0.6], [0.6, 0.8, 0.7], [0.2, 0.55, 0.1], [0.7, 0.3, 0.3]]
        ctx = fakes.table_context(draw=fakes.draws_from(draws))
        assert fakes.chosen_ids(RandomPlay().choose(ctx), ctx) == [{"tariff", "study"}, {"rally"}, {"tariff"}]


class TestScripted(StrategyContract):
    strategy_class = Scripted

    def test_follows_the_script(self, tmp_path):
        from sim import load_scenario

        path = tmp_path / "scripted.yaml"
        path.write_text(
            "id: scripted\ntitle: Scripted\nextends: baseline\n"
            "governments:\n  JPN:\n    strategy: scripted\n    script:\n      2025Q2: [shuttle_diplomacy]\n",
            encoding="utf-8",
        )
        model = TrilateralModel(load_scenario(path), seed=1, replications=8)
        ids = [c.id for c in model.scenario.actions["JPN"]]
        model.step()
        assert not model.governments["JPN"].last_choice.any()
        model.step()
        chosen = model.governments["JPN"].last_choice
        assert chosen[ids.index("shuttle_diplomacy")].all() and chosen.sum() == 8

    def test_decision_table(self):
        # The script's cards where available; the government, not the strategy, checks capital.
        assert table(Scripted()) == [{"summit", "rally"}, {"summit", "rally"}, {"summit"}]


class TestHuman(StrategyContract):
    strategy_class = Human

    def test_plays_only_submitted_cards_once(self, baseline):
        model = TrilateralModel(baseline, seed=1, replications=4, strategies={"ROK": "human"})
        ids = [c.id for c in model.scenario.actions["ROK"]]
        model.choose("ROK", ["missile_warning_sharing"])
        model.step()
        assert model.governments["ROK"].last_choice[ids.index("missile_warning_sharing")].all()
        model.step()  # nothing submitted for this turn
        assert not model.governments["ROK"].last_choice.any()

    def test_decision_table(self):
        assert table(Human()) == [{"tariff", "study"}, {"study"}, {"tariff", "study"}]


def test_every_registered_strategy_has_a_contract_test():
    tested = {cls.strategy_class for cls in StrategyContract.__subclasses__()}
    assert tested == set(STRATEGIES.values())


def test_make_strategy_by_name_and_error():
    assert isinstance(make_strategy("reciprocal"), Reciprocal)
    with pytest.raises(UsageError, match="did you mean 'reciprocal'"):
        make_strategy("reciprocl")


def test_model_docs_give_each_strategys_classifier():
    docs = (Path(__file__).parents[2] / "docs" / "model.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| (yes|no) \|", docs, flags=re.MULTILINE))
    assert rows == {name: "yes" if cls.classifier.stochastic else "no" for name, cls in STRATEGIES.items()}
