"""The compiled trigger kernels give bit-identical results to the numpy path, the reference.

For every shipped scenario and ensembles of 1, 7 and 300 worlds, every trigger group (each
phase's rules, the events with their schedule masks, each actor's threat acts, each
government's cards with and without their conditions, the cards' availability) is run both ways
from the same state; the state matrices (compared bit for bit), fired masks and narrative log
entries must be identical. Whole runs with compiled triggers match numpy runs too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sim.engine.layout import GOVERNMENTS, PHASES, THREAT_ACTORS
from sim.engine.model import TrilateralModel
from sim.engine.triggers import compiled_engine, evaluate_all, run_triggers
from sim.lang.compiled import Effect, Rule
from sim.lang.expr import compile_expression
from sim.lang.scenario import library_ids, load_scenario

pytest.importorskip("numba")

SIZES = (1, 7, 300)
CHECKED_TURNS = (1, 2, 5, 9)


def bits(x: np.ndarray) -> np.ndarray:
    """The raw bits of a float array (so that -0.0 and 0.0, or two NaNs, are told apart)."""
    return np.ascontiguousarray(x).view(np.uint64)


def both_ways(model: TrilateralModel, run: Callable[[TrilateralModel], list[np.ndarray] | np.ndarray]) -> int:
    """Run ``run`` from the same state on the numpy path and the compiled path; compare; return firings."""
    start = model.x.copy()
    logged = len(model.log)
    model.engine = "numpy"
    fired_numpy = np.asarray(run(model))
    after_numpy, log_numpy = model.x.copy(), model.log[logged:]
    model.x[:] = start
    del model.log[logged:]
    model.engine = "compiled"
    assert compiled_engine(model)
    fired_compiled = np.asarray(run(model))
    model.engine = "numpy"
    assert np.array_equal(bits(after_numpy), bits(model.x))
    assert fired_numpy.dtype == fired_compiled.dtype == np.bool_
    assert np.array_equal(fired_numpy, fired_compiled)
    assert model.log[logged:] == log_numpy
    return int(fired_numpy.sum())


def groups(model: TrilateralModel) -> dict[str, Callable[[TrilateralModel], list[np.ndarray] | np.ndarray]]:
    """Every trigger group of the model's scenario, as the engine runs it (and cards two more ways)."""
    scenario = model.scenario
    R = model.replications
    choice = np.random.default_rng(model.turn)
    found: dict[str, Callable[[TrilateralModel], list[np.ndarray] | np.ndarray]] = {}
    for phase in PHASES:
        if scenario.rules[phase]:
            found[f"rules:{phase}"] = lambda m, rules=scenario.rules[phase]: run_triggers(m, rules)
    if scenario.events:
        masks = [None if e.at_turn is None else np.full(R, e.at_turn == model.turn) for e in scenario.events]
        found["events"] = lambda m: run_triggers(m, scenario.events, list(masks))
    for actor in THREAT_ACTORS:
        if scenario.acts[actor]:
            found[f"acts:{actor}"] = lambda m, acts=scenario.acts[actor]: run_triggers(m, acts)
    for gov in GOVERNMENTS:
        cards = scenario.actions[gov]
        if cards:
            matrix = choice.random((len(cards), R)) < 0.5
            chosen = list(matrix)
            found[f"cards:{gov}"] = lambda m, cards=cards, chosen=chosen: run_triggers(m, cards, chosen, False)
            # As Government.play passes them: one (cards x worlds) matrix, which the kernel reads as it is.
            found[f"cards-matrix:{gov}"] = lambda m, cards=cards, matrix=matrix: run_triggers(m, cards, matrix, False)
            found[f"cards-when:{gov}"] = lambda m, cards=cards: run_triggers(m, cards)
            found[f"available:{gov}"] = lambda m, cards=cards: evaluate_all(m, cards)
    return found


@pytest.mark.parametrize("scenario_id", library_ids())
def test_every_trigger_group_is_bit_identical_both_ways(scenario_id):
    scenario = load_scenario(scenario_id)
    fired = 0
    for size in SIZES:
        model = TrilateralModel(scenario, replications=size, seed=11, record=False, engine="numpy")
        for turn in range(1, max(CHECKED_TURNS) + 1):
            model.step()
            if turn in CHECKED_TURNS:
                for run in groups(model).values():
                    fired += both_ways(model, run)
    assert fired > 0  # the comparison saw triggers fire


@pytest.mark.parametrize("scenario_id", library_ids())
def test_whole_runs_with_compiled_triggers_match_numpy_runs(scenario_id):
    """numpy throughout; numpy with compiled triggers only; the compiled engine throughout."""
    scenario = load_scenario(scenario_id)
    runs = []
    for engine, triggers in (("numpy", "numpy"), ("numpy", "compiled"), ("compiled", "compiled")):
        model = TrilateralModel(scenario, replications=7, seed=3, record=False, engine=engine)
        model.engine = triggers
        model.run()
        runs.append(model)
    reference = runs[0]
    for other in runs[1:]:
        assert np.array_equal(bits(reference.x), bits(other.x))
        assert reference.log == other.log
        for before, after in zip(reference.history, other.history, strict=True):
            assert all(np.array_equal(bits(before[name]), bits(after[name])) for name in before)


def test_a_replication_is_the_same_alone_or_in_an_ensemble_when_compiled():
    scenario = load_scenario("history-2013")
    alone = TrilateralModel(scenario, replication_ids=[5], seed=2, record=False, engine="compiled")
    ensemble = TrilateralModel(scenario, replications=9, seed=2, record=False, engine="compiled")
    for model in (alone, ensemble):
        model.run()
    assert np.array_equal(bits(alone.x[:, 0]), bits(ensemble.x[:, 5].copy()))


def test_with_the_record_on_triggers_stay_on_the_numpy_path():
    model = TrilateralModel("baseline", replications=3, seed=1, record=True, engine="compiled")
    assert model.engine == "compiled"
    assert not compiled_engine(model)


EDGE_EXPRESSIONS = [
    "ROK.approval / (JPN.approval - 0.5)",
    "min(ROK.approval, JPN.approval, 0.3) + max(ROK.approval, -JPN.approval)",
    "mean(ROK.approval, JPN.approval, USA.approval)",
    "min(ROK.approval, JPN.approval)",
    "max(ROK.approval, JPN.approval)",
    "sqrt(ROK.approval) + clip(JPN.approval, 0, 1)",
    "clip(ROK.approval * 3 - 1, -0.5, 0.5)",
    "abs(ROK.approval - 0.5) + sqrt(ROK.approval - 0.4) + log(ROK.approval - 0.3)",
    "exp(ROK.approval * 80) / 1e12 / 1e12 + exp(-ROK.approval) + sigmoid(JPN.approval * 10 - 5)",
    "floor(ROK.approval * 10) + ceil(JPN.approval * 10) + round(ROK.approval * 4)",
    "ROK.approval ** 1.7 + JPN.approval ** 0.5 - (USA.approval - 0.5) ** 3",
    "uniform(-0.1, 0.1) + normal(0, 0.05) * ROK.approval",
    "(ROK.approval > 0.5 and not JPN.approval < 0.2) - (USA.approval <= 0.4 or turn == 3)",
    "ROK.approval if JPN.approval > 0.5 else -ROK.approval",
    "0.1 < ROK.approval <= 0.7",
    "ROK.approval * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12",
    "ROK.approval * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 - "
    "JPN.approval * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12 * 1e12",
    "0 * -1",
]


@pytest.mark.parametrize("op", ["add", "set"])
def test_every_construct_is_bit_identical_on_edge_values(op):
    """Each construct of the language, on values at its edges (0, -0.0, halves, domain limits, overflow)."""
    scenario = load_scenario("baseline")
    model = TrilateralModel(scenario, replications=64, seed=4, record=False, engine="numpy")
    model.step()
    rows = scenario.layout.rows
    edges = np.array([0.0, -0.0, 0.5, 0.25, 0.75, 0.3, 0.4, 1.0, 0.125, 0.05, 0.35, 0.45, 0.55, 0.95, 0.2, 0.6])
    for k, name in enumerate(("ROK.approval", "JPN.approval", "USA.approval")):
        model.x[rows[name]] = np.roll(np.resize(edges, 64), 3 * k)
    target = slice(rows["ROK.polarization"], rows["ROK.polarization"] + 1)
    # Unbounded target, so that no value is hidden by clipping (a copy: the layout is shared).
    model.state.lo = model.state.lo.astype(np.float64)
    model.state.hi = model.state.hi.astype(np.float64)
    model.state.lo[target], model.state.hi[target] = -np.inf, np.inf
    # Signed zeros: which of two equal operands min/max return shows (-0.0 + v keeps v's sign).
    model.x[rows["ROK.approval"], :4] = [0.0, -0.0, 0.0, -0.0]
    model.x[rows["JPN.approval"], :4] = [-0.0, 0.0, 0.0, -0.0]
    model.x[target] = -0.0
    rules = []
    for i, text in enumerate(EDGE_EXPRESSIONS):
        value = compile_expression(text, scenario.symbols, f"test/{i}")
        chance = compile_expression("1.2 - JPN.approval", scenario.symbols, f"test/{i}/chance")
        effect = Effect(target="ROK.polarization", rows=target, op=op, value=value)
        rules.append(
            Rule(
                id=f"r{i}",
                title="",
                phase="outcomes",
                when=None,
                chance=chance,
                effects=(effect,),
                say="",
                source="",
                stream=i,
            )
        )
    start = model.x.copy()
    for i in range(len(rules)):
        model.x[:] = start
        assert both_ways(model, lambda m, group=rules[i : i + 1]: run_triggers(m, group)) > 0
    model.x[:] = start
    both_ways(model, lambda m: run_triggers(m, rules))


def test_injections_and_injected_events_are_bit_identical_both_ways():
    scenario = load_scenario("baseline")
    custom = scenario.compile_injection(
        "surprise",
        "",
        "Something happens.",
        {"ROK.approval": "-0.1 * JPN.approval", "tie.ROK_JPN": "uniform(-0.05, 0)"},
    )
    event = scenario.events[0].id
    runs = []
    for engine in ("numpy", "compiled"):
        model = TrilateralModel(scenario, replications=40, seed=8, record=False, engine=engine)
        for turn in range(4):
            if turn % 2 == 0:
                model.inject(custom)
            else:
                model.inject(event)
            model.step()
        runs.append(model)
    assert np.array_equal(bits(runs[0].x), bits(runs[1].x))
    assert runs[0].log == runs[1].log
    assert any(firing.label == "inject:surprise" for firing in runs[1].log)
