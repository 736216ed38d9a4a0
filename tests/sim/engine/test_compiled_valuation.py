"""The fused card valuation and the round-by-round card choice give the numpy functions' bits."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from agents.strategies import ObjectiveSeeking
from sim import TrilateralModel
from sim.engine import kernels, scoring, valuation
from sim.engine.kernels import valuation as valuation_source
from sim.lang.scenario import load_scenario

pytestmark = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def numpy_parts(model, gov, cards, weights):
    return (
        scoring.card_values(model, gov, cards, weights),
        scoring.domestic_payoffs(model, gov, cards),
        scoring.partner_reactions(model, gov, cards, weights),
    )


def fused_parts(model, gov, cards, weights):
    plan = valuation.build_plan(model, gov, cards, weights)
    return valuation.value_cards(model, gov, cards, weights, plan)


def adversarial_cards(scenario):
    """Set effects, non-finite values, history moves as sets and adds, bargaining rows, bounds."""
    made = {
        "a": {"ROK.approval": {"set": "ROK.approval * 0.5"}, "JPN.approval": 0.2, "ROK.history_salience": "log(0)"},
        "b": {"tie.USA_ROK.economic": {"set": 0.3}, "USA.approval": "-0.1", "tie.ROK_JPN.history": {"set": 2.0}},
        "c": {"ROK.approval": "log(0)", "JPN.approval": "ROK.approval - 0.6", "JPN.history_salience": {"set": 0.9}},
        "d": {"tie.ROK_JPN": "-0.5", "tie.USA_JPN": 0.7, "USA.concession.ROK": "-log(0)", "ROK.hedging": 0.4},
        "e": {"USA.demand.JPN": "0.5 * ROK.approval", "JPN.hedging": "log(0)", "ROK.history_salience": -1.0},
    }
    return [scenario.compile_injection(k, k.upper(), "", effects) for k, effects in made.items()]


WORLDS = 300
"""More than one of the kernel's blocks of worlds (``kernels.valuation.BLOCK``), the last one partial."""


@pytest.fixture(scope="module")
def models():
    """The same state under both engines, a few turns in (with a pending demand and a swept coefficient)."""
    assert WORLDS > valuation_source.BLOCK and WORLDS % valuation_source.BLOCK, "a full block and a partial one"
    runs = []
    for engine in ("numpy", "compiled"):
        model = TrilateralModel(
            "trump2-transactional",
            replications=WORLDS,
            seed=3,
            engine=engine,
            turns=4,
            parameters={"history_politics": np.linspace(0.0, 1.0, WORLDS)},
        ).run()
        model.x[model.scenario.layout.rows["USA.demand.ROK"], :20] = np.linspace(0.0, 1.0, 20)
        runs.append(model)
    return runs


@pytest.mark.parametrize("gov", ["USA", "ROK", "JPN"])
def test_fused_valuation_is_bit_identical_to_the_numpy_functions(models, gov):
    reference, compiled = models
    assert compiled.state.compiled
    cards = [*reference.scenario.actions[gov], *adversarial_cards(reference.scenario)]
    rows = reference.x.shape[0]
    sensitivity = scoring.sensitivity(reference, gov)
    assert any(np.ndim(w) == 0 for w in sensitivity.values()), "constant sensitivities stay scalar"
    for weights in (
        sensitivity,
        {r: np.linspace(-1.0, 2.0, WORLDS) for r in range(rows)},
        {r: (np.inf if r % 2 else 0.25) for r in range(0, rows, 3)},
        {},
    ):
        expected = numpy_parts(reference, gov, cards, weights)
        got = fused_parts(compiled, gov, cards, weights)
        for name, a, b in zip(("card_values", "domestic", "reactions"), expected, got, strict=True):
            assert np.array_equal(bits(a), bits(b)), (gov, name)
        if weights is sensitivity:  # finite weights: a non-finite effect makes a card worth 0, never NaN
            assert all(np.isfinite(part).all() for part in got)


def test_fused_valuation_without_defection_cost_and_uncompiled(models, monkeypatch):
    """Defection costs off take their own plan; the kernel's plain Python gives the same bits."""
    reference, compiled = models
    gov = "ROK"
    cards = [*reference.scenario.actions[gov], *adversarial_cards(reference.scenario)]
    for model in models:
        monkeypatch.setitem(model.params, "defection_cost", 0.0)
    weights = scoring.sensitivity(reference, gov)
    plan = valuation.build_plan(compiled, gov, cards, weights)
    extra = next(row for row in range(compiled.x.shape[0]) if row not in weights)
    assert plan.key != valuation.build_plan(compiled, gov, cards, {**weights, extra: 1.0}).key
    expected = numpy_parts(reference, gov, cards, weights)
    got = valuation.value_cards(compiled, gov, cards, weights, plan)
    plain_kernels = kernels.plain()
    monkeypatch.setattr(kernels, "load", lambda: plain_kernels)
    plain = valuation.value_cards(compiled, gov, cards, weights, plan)
    for a, b, c in zip(expected, got, plain, strict=True):
        assert np.array_equal(bits(a), bits(b))
        assert np.array_equal(bits(a), bits(c))


def test_objective_choice_matches_numpy_on_ties_nan_and_zero_costs():
    """The compiled choice loop (worlds innermost) takes the cards the numpy loop takes."""
    from agents.strategies import ObjectiveSeeking
    from tests.agents.fakes import random_context

    strategy = ObjectiveSeeking()
    for seed in range(30):
        context = random_context(seed, cards=7, worlds=64)
        if not context.objectives:
            continue
        rng = np.random.default_rng(seed)
        values = np.array(context.card_values())
        values[rng.random(values.shape) < 0.1] = np.nan
        values[rng.random(values.shape) < 0.05] = np.inf
        values[:, :8] = values[0, :8]  # exact ties between cards
        costs = np.array(context.costs)
        costs[0] = 0.0
        frozen_values = values.copy()
        frozen_values.flags.writeable = False
        frozen_costs = costs.copy()
        frozen_costs.flags.writeable = False
        base = replace(context, valuer=lambda v=frozen_values: v, costs=frozen_costs)
        chosen = [strategy.choose(replace(base, compiled=flag)) for flag in (False, True)]
        assert np.array_equal(chosen[0], chosen[1]), seed


def test_plan_counts_each_row_once_per_weight_set():
    model = TrilateralModel("baseline", replications=3, seed=1, turns=1, engine="numpy")
    cards = model.scenario.actions["USA"]
    weights = scoring.sensitivity(model, "USA")
    plan = valuation.build_plan(model, "USA", cards, weights)
    assert len(plan.slots) == len(set(plan.slots))
    summit = cards[0]
    rows_of_summit = plan.entry_row[plan.card_start[0] : plan.card_start[1]]
    assert list(rows_of_summit) == [r for e in summit.effects for r in range(e.rows.start, e.rows.stop)]
    assert load_scenario("baseline").id == model.scenario.id


@pytest.mark.parametrize("compiled", [True, False])
def test_payment_and_tie_fall_kernels_match_the_numpy_code(compiled):
    """``Government.play``'s payment loop and ``_defection_cost``'s tie falls (NaN, ties at the limit)."""
    from sim.engine.state import elementwise_sum

    k = kernels.load() if compiled else SimpleNamespace(pay=valuation_source.pay, tie_falls=valuation_source.tie_falls)
    rng = np.random.default_rng(7)
    worlds = 50
    costs = np.array([0.0, 1.0, 2.0, 0.5, 1.5])
    capital = rng.choice([0.0, 0.5, 1.0 - 1e-9, 1.0 - 2e-9, 2.0, 3.0, 5.0, np.nan, np.inf], worlds)
    chosen = rng.random((5, worlds)) < 0.6
    available = rng.random((5, worlds)) < 0.8
    available.flags.writeable = False
    expected = chosen & available
    left = capital.copy()
    for i in range(len(costs)):
        affordable = expected[i] & (left >= costs[i] - 1e-9)
        expected[i] = affordable
        left -= costs[i] * affordable
    spent_expected = elementwise_sum(cost * row for cost, row in zip(costs, expected, strict=True))
    got, spent = chosen.copy(), np.empty(worlds)
    k.pay(got, available, costs, capital, spent)
    assert np.array_equal(got, expected)
    assert np.array_equal(bits(spent), bits(spent_expected))

    x = rng.random((6, worlds))
    x[1, :5] = np.nan
    rows = np.array([0, 1, 3], dtype=np.int64)
    for before in (x[rows].copy(), x[rows] + rng.normal(0.0, 0.1, (3, worlds)), x[rows] - 1.0):
        fall = np.empty(worlds)
        nonzero = k.tie_falls(x, rows, before, fall)
        reference = elementwise_sum(np.maximum(before - x[rows], 0.0))
        assert np.array_equal(bits(fall), bits(reference))
        assert nonzero == bool(reference.any())


def test_objective_choice_matches_numpy_when_few_worlds_keep_choosing():
    """A few rich worlds take card after card while the rest stop early: the choices stay numpy's."""
    from agents.strategies import ObjectiveSeeking
    from tests.agents.fakes import OWN_VARIABLES, context, seeded_draws

    strategy = ObjectiveSeeking()
    cards, worlds = 6, 700
    for seed in range(4):
        rng = np.random.default_rng(seed)
        rich = rng.random(worlds) < 0.15
        state = {f"ROK.{var}": rng.random(worlds) for var in OWN_VARIABLES}
        state["ROK.capital"] = np.where(rich, 40.0, rng.uniform(0.2, 0.9, worlds))
        state["tie.ROK_JPN"] = rng.random(worlds)
        values = rng.uniform(0.5, 2.0, (cards, worlds))
        values[rng.random(values.shape) < 0.05] = np.nan
        base = context(
            card_ids=[f"card{i}" for i in range(cards)],
            stances=["cooperate"] * cards,
            available=rng.random((cards, worlds)) < 0.9,
            costs=rng.choice([0.5, 1.0, 2.0], cards),
            state=state,
            tie_change=np.zeros(worlds),
            objectives=(("tie.ROK_JPN", 1.0),),
            values=values,
            draw=seeded_draws(seed, worlds),
        )
        chosen = [strategy.choose(replace(base, compiled=flag)) for flag in (False, True)]
        assert np.array_equal(chosen[0], chosen[1]), seed
        taken = chosen[1].sum(axis=0)
        assert np.mean(taken >= 2) < 0.5 and taken.max() >= 4, "later rounds have few worlds left"


def _decision_context(seed: int, cards: int, worlds: int, compiled: bool):
    """A hostile ObjectiveSeeking context whose timing draws come from a counter RNG (numpy draws, or its keys)."""
    from agents.strategies import ObjectiveSeeking
    from sim.engine.rng import CounterRNG, stream_id
    from tests.agents.fakes import OWN_VARIABLES, context

    rng = np.random.default_rng(seed)
    streams = CounterRNG(seed, np.arange(worlds) * 7 + 3)  # replication ids need not be 0..R-1
    turn, stream = 3, stream_id("strategy:ROK")
    state = {f"ROK.{var}": rng.random(worlds) for var in OWN_VARIABLES}
    state["ROK.capital"] = rng.choice([0.0, 0.5, 1.0 - 1e-9, 1.5, 3.0, 40.0, np.nan, np.inf], worlds)
    state["ROK.approval"][:5] = [np.nan, np.inf, -np.inf, 0.0, 1.0]
    state["tie.ROK_JPN"] = rng.random(worlds)
    parts = [rng.normal(0.0, 0.5, (cards, worlds)) for _ in range(3)]
    for part in parts:
        part[rng.random(part.shape) < 0.05] = np.nan
        part[rng.random(part.shape) < 0.03] = np.inf
        part[rng.random(part.shape) < 0.03] = -0.0
    parts[0][:, :8] = parts[0][0, :8]  # exact ties between cards
    base = context(
        card_ids=[f"card{i}" for i in range(cards)],
        stances=["cooperative"] * cards,
        available=rng.random((cards, worlds)) < 0.85,
        costs=rng.choice([0.0, 0.5, 1.0, 2.0], cards),
        state=state,
        tie_change=np.zeros(worlds),
        objectives=(("tie.ROK_JPN", 1.0),),
        values=parts[0],
        domestic=parts[1],
        reactions=parts[2],
        draw=lambda slot: streams.uniform(turn, stream, slot),
    )
    keys = (lambda slots: (streams.replications, streams.block_keys(turn, stream, slots))) if compiled else None
    return ObjectiveSeeking(), replace(base, compiled=compiled, jitter_keys=keys)


@pytest.mark.parametrize("kernel_source", ["compiled", "plain"])
def test_fused_objective_decision_takes_the_cards_of_the_numpy_loop(kernel_source, monkeypatch):
    """Draws, values and the choice rounds in one kernel call (``objective_decision``): numpy's cards.

    Non-finite values, approval and capital, ties, zero costs, and more worlds than a block.
    """
    if kernel_source == "plain":
        plain_kernels = kernels.plain()
        monkeypatch.setattr(kernels, "load", lambda: plain_kernels)
    called: list[bool] = []
    k = kernels.load()
    monkeypatch.setattr(kernels, "load", lambda: SimpleNamespace(**{**vars(k), "objective_decision": spy}))

    def spy(*args):
        called.append(True)
        return k.objective_decision(*args)

    worlds = 600 if kernel_source == "compiled" else 300
    for seed in range(6):
        strategy, reference = _decision_context(seed, cards=6, worlds=worlds, compiled=False)
        _, fused = _decision_context(seed, cards=6, worlds=worlds, compiled=True)
        expected = strategy.choose(reference)
        got = strategy.choose(fused)
        assert np.array_equal(got, expected), seed
        taken = expected.sum(axis=0)
        assert taken.max() >= 3 and (taken == 0).any(), "some worlds take several cards, some none"
    assert len(called) == 6, "the fused kernel made the choices"


@pytest.mark.parametrize("kernel_source", ["compiled", "plain"])
def test_fused_objective_decision_keeps_numpys_order_of_operations(kernel_source, monkeypatch):
    """Choices that hinge on the last bit: (0.1 + 0.2) + 0.3 beats 0.6, and a net of exactly 0 is not taken."""
    from sim.engine.rng import CounterRNG
    from tests.agents.fakes import context

    if kernel_source == "plain":
        plain_kernels = kernels.plain()
        monkeypatch.setattr(kernels, "load", lambda: plain_kernels)
    worlds = 3
    streams = CounterRNG(1, np.arange(worlds))
    base = context(
        card_ids=["plain", "summed", "free"],
        stances=["cooperative"] * 3,
        available=np.ones((3, worlds), dtype=bool),
        costs=[1.0, 1.0, 0.0],
        state={"ROK.approval": np.zeros(worlds), "ROK.capital": np.ones(worlds)},
        tie_change=np.zeros(worlds),
        objectives=(("tie.ROK_JPN", 1.0),),
        values=np.array([[0.6] * worlds, [0.1] * worlds, [0.0, -0.0, 0.0]]),
        domestic=np.array([[0.0] * worlds, [4.0] * worlds, [0.0] * worlds]),  # 0.05 * (1 - 0) * 4 = 0.2
        reactions=np.array([[0.0] * worlds, [0.3] * worlds, [0.0] * worlds]),
        draw=lambda slot: streams.uniform(1, 5, slot),
    )
    strategy = ObjectiveSeeking()
    strategy.timing_spread = 0.0  # values are exactly the sums
    keys = lambda slots: (streams.replications, streams.block_keys(1, 5, slots))  # noqa: E731
    expected = strategy.choose(base)
    assert expected.tolist() == [[False] * worlds, [True] * worlds, [False] * worlds]
    assert np.array_equal(strategy.choose(replace(base, compiled=True, jitter_keys=keys)), expected)


ENGINES = ("numpy", "compiled")
TIES = ("tie.USA_ROK", "tie.USA_JPN", "tie.ROK_JPN")


@pytest.mark.parametrize("plain", [False, True], ids=["compiled", "plain-python"])
@pytest.mark.parametrize("seed", [11, 12])
def test_defection_cost_kernel_matches_numpy_on_edge_values(monkeypatch, seed, plain):
    """``Government._defection_cost`` with the record off: one kernel (falls, then the approval cost), numpy's bits.

    Edge values in the ties before and now, institutionalization, approval and a per-world
    coefficient; and a call in which no tie fell anywhere changes nothing, NaN institutionalization
    or not.
    """
    edge = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 0.5, 1e308, 5e-324, 0.9999999, 2.0])
    worlds = 40
    rng = np.random.default_rng(seed)
    pair = [TrilateralModel("baseline", replications=worlds, seed=4, engine=engine, record=False) for engine in ENGINES]
    for model in pair:
        model.run(2)
    rows = pair[0].scenario.layout.rows
    poked = {name: rng.choice(edge, worlds) for name in ("institutionalization", "ROK.approval", *TIES)}
    before = rng.choice(edge, (3, worlds))
    coefficient = rng.choice(edge, worlds)
    for model in pair:
        for name, values in poked.items():
            model.x[rows[name]] = values
        model.params["defection_cost"] = coefficient
    if plain:
        monkeypatch.setattr(kernels, "load", lambda: SimpleNamespace(defection_cost=valuation_source.defection_cost))
    with np.errstate(all="ignore"):
        for model in pair:
            model.governments["ROK"]._defection_cost(before.copy())
    a, b = pair[0].x, pair[1].x
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(bits(np.where(np.isnan(a), 0.0, a)), bits(np.where(np.isnan(b), 0.0, b)))
    approval = a[rows["ROK.approval"]]
    assert not np.array_equal(bits(approval), bits(poked["ROK.approval"]))  # costs were paid somewhere
    for model in pair:
        model.x[rows["institutionalization"]] = np.nan
        for name in TIES:
            model.x[rows[name]] = 0.5
        unchanged = model.x.copy()
        with np.errstate(all="ignore"):
            model.governments["ROK"]._defection_cost(np.full((3, worlds), 0.25))  # every tie rose
        assert np.array_equal(bits(model.x), bits(unchanged))
