"""The fused domestic kernels (sim/engine/kernels/domestic.py) give the numpy domestic step's bits."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agents import DomesticPolitics
from sim import TrilateralModel
from sim.engine import kernels
from sim.engine.kernels import domestic as fused

pytestmark = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")

R = 48
EDGE = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 0.5, 1e308, -1e308, 5e-324, 0.9999999, 1e-17, 2.0])
OWN = ("approval", "polarization", "history_salience", "support", "crisis", "threat", "willingness")
OWN += ("history_stance", "turnover", "capital", "view.USA", "view.ROK", "view.JPN")
SHARED = ("tie.USA_ROK", "tie.USA_JPN", "tie.ROK_JPN")


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def pair(turns: int = 4, scenario: str = "baseline", **options) -> list[TrilateralModel]:
    """A numpy and a compiled model, record off, run ``turns`` turns (baseline: no election at turn 4)."""
    models = [
        TrilateralModel(scenario, replications=R, seed=11, engine=engine, record=False, **options)
        for engine in ("numpy", "compiled")
    ]
    for model in models:
        model.run(turns)
    assert [m.engine for m in models] == ["numpy", "compiled"]
    return models


def poke(models: list[TrilateralModel], seed: int, start: bool = True) -> None:
    """The same edge values (NaN, infinities, signed zeros, bounds, huge, tiny) in the domestic rows of both."""
    rng = np.random.default_rng(seed)
    rows = models[0].scenario.layout.rows
    names = [f"{gov}.{var}" for gov in ("USA", "ROK", "JPN") for var in OWN if f"{gov}.{var}" in rows]
    for name in [*names, *SHARED]:
        values, start_values = rng.choice(EDGE, R), rng.choice(EDGE, R)
        keep = rng.random(R) < 0.3  # some worlds keep ordinary values
        new_start = start and rng.random() < 0.5
        for model in models:
            row = rows[name]
            model.x[row] = np.where(keep, model.x[row], values)
            if new_start:
                model.start_state[row] = start_values


def domestic_phase(model: TrilateralModel) -> None:
    for agent in model.agents_by_type[DomesticPolitics]:
        agent.step()
        agent.replenish()


def assert_same(models: list[TrilateralModel]) -> None:
    """Same bits everywhere (signed zeros included), NaN where the other has NaN.

    A NaN's sign and payload are not compared: numpy's own loops give ``nan + -nan`` a different
    sign for 100 worlds than for 8 (which operand a SIMD loop returns), so not even the numpy
    path keeps them from one ensemble size to another.
    """
    a, b = models[0].x, models[1].x
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(bits(np.where(np.isnan(a), 0.0, a)), bits(np.where(np.isnan(b), 0.0, b)))


def python_kernels(model: TrilateralModel) -> None:
    """Run the compiled model's domestic kernels as plain Python (as numba would compile them)."""
    plain = SimpleNamespace(**{name: getattr(fused, name) for name in fused.KERNELS})
    for agent in model.agents_by_type[DomesticPolitics]:
        agent._fused.kernels = plain


@pytest.mark.parametrize("plain", [False, True], ids=["compiled", "plain-python"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_domestic_step_on_edge_values_matches_numpy(seed, plain):
    models = pair()
    if plain:
        python_kernels(models[1])
    poke(models, seed)
    with np.errstate(all="ignore"):
        for model in models:
            domestic_phase(model)
    assert_same(models)


@pytest.mark.parametrize("seed", [4, 5])
def test_per_world_coefficients_with_edge_values_match_numpy(seed):
    """One coefficient column per world (a sweep) takes the world-by-world path: same bits."""
    models = pair()
    rng = np.random.default_rng(seed)
    for name in (*fused.COEFFICIENTS, *fused.REPLENISH_COEFFICIENTS):
        value = rng.choice(np.array([-0.0, 0.0, 1.0, -2.0, 0.3, np.inf, 1e-300]), R)
        for model in models:
            model.params[name] = value
    poke(models, seed)
    with np.errstate(all="ignore"):
        for model in models:
            domestic_phase(model)
    assert_same(models)


def test_the_out_party_stance_given_per_world_matches_the_two_camp_selection():
    models = pair()
    for agent in models[1].agents_by_type[DomesticPolitics]:
        if agent._fused.stance_mode == fused.TWO_CAMPS:
            agent._fused.stance_mode = fused.GIVEN
    poke(models, 6, start=False)
    with np.errstate(all="ignore"):
        for model in models:
            domestic_phase(model)
    assert_same(models)


def test_a_camp_changed_before_the_step_takes_the_python_tail():
    """A camp row that differs from the applied camp: the kernel leaves the change of profile to Python."""
    models = pair()
    rows = models[0].scenario.layout.rows
    flip = np.arange(R) % 3 == 0
    for model in models:
        camp = model.x[rows["ROK.camp"]]
        model.x[rows["ROK.camp"]] = np.where(flip, 1.0 - camp, camp)
        assert not kernels.load().camp_unchanged(model.x, rows["ROK.camp"], model.applied_camp["ROK"])
    for model in models:
        domestic_phase(model)
    assert_same(models)
    assert np.array_equal(models[1].applied_camp["ROK"], models[0].applied_camp["ROK"])
    assert np.all(models[1].x[rows["ROK.turnover"]][flip] == 1.0)


def test_swept_domestic_parameters_and_a_changed_parameter_run_bit_identically():
    noise = np.linspace(0.0, 0.05, R)
    rate = np.linspace(0.0, 0.5, R)
    models = pair(turns=5, parameters={"approval_noise": noise, "view_rate": rate})
    for model in models:
        model.set_parameter("polarization_noise", 0.0)
        model.set_parameter("view_rate", 0.25)
        model.run()
    assert_same(models)
    assert models[0].log == models[1].log and models[0].elections == models[1].elections


@pytest.mark.parametrize("scenario", ["history-2013", "baseline"])
def test_whole_runs_with_elections_and_leader_changes_match_numpy(scenario):
    models = pair(turns=0, scenario=scenario)
    for model in models:
        model.run()
    assert_same(models)
    assert models[0].log == models[1].log and models[0].elections == models[1].elections


def test_the_compiled_engine_runs_the_fused_step(monkeypatch):
    """The kernel path is the one taken (record off), and never with the record on."""
    calls = []
    fused_step = DomesticPolitics._step_fused
    monkeypatch.setattr(DomesticPolitics, "_step_fused", lambda self, f: calls.append(1) or fused_step(self, f))
    TrilateralModel("baseline", replications=8, seed=1, engine="compiled", record=False, turns=2).run()
    assert len(calls) == 6
    TrilateralModel("baseline", replications=8, seed=1, engine="compiled", record=True, turns=2).run()
    assert len(calls) == 6


@pytest.mark.parametrize("seed", [7, 8])
def test_two_camp_politics_kernels_match_numpy_on_edge_values(seed):
    """out_stance, mobilization, history_lean and polarization_weight: the compiled engine's kernels give numpy's bits."""
    from sim.engine import politics

    models = pair()
    poke(models, seed)
    rng = np.random.default_rng(seed)
    profiles = rng.choice(EDGE, (2, 5, R))
    camps = rng.integers(0, 2, R)
    for model in models:
        for gov in ("ROK", "JPN"):
            model.profiles[gov] = profiles.copy()
            model.applied_camp[gov] = camps.copy()
        model.params["polarization_camp_gain"] = 0.7
        model.params["history_outflank"] = -1.5
    numpy_model, compiled_model = models
    with np.errstate(all="ignore"):
        for gov in ("ROK", "JPN"):
            for function in (politics.out_stance, politics.mobilization, politics.history_lean):
                expected, got = function(numpy_model, gov), function(compiled_model, gov)
                assert np.array_equal(np.isnan(expected), np.isnan(got)), function.__name__
                assert np.array_equal(bits(np.nan_to_num(expected)), bits(np.nan_to_num(got))), function.__name__
        expected, got = politics.polarization_weight(numpy_model), politics.polarization_weight(compiled_model)
    assert np.array_equal(np.isnan(expected), np.isnan(got))
    assert np.array_equal(bits(np.nan_to_num(expected)), bits(np.nan_to_num(got)))


def test_two_camp_politics_kernels_are_the_path_taken_and_compile_in_warm_up():
    kernels.warm_up()
    assert kernels.compiled()
    model = TrilateralModel("baseline", replications=8, seed=1, engine="compiled", record=False, turns=1)
    from sim.engine import politics

    assert politics._two_camp_kernels(model, "ROK") is kernels.load()
    numpy_model = TrilateralModel("baseline", replications=8, seed=1, engine="numpy", record=False, turns=1)
    assert politics._two_camp_kernels(numpy_model, "ROK") is None


def _effect(target: str, op: str, value) -> SimpleNamespace:
    return SimpleNamespace(target=target, op=op, value=lambda x, p, c, draws: value)


@pytest.mark.parametrize("plain", [False, True], ids=["compiled", "plain-python"])
@pytest.mark.parametrize("seed", [9, 10])
def test_played_history_payoff_matches_numpy_on_edge_values(monkeypatch, seed, plain):
    """politics.played_payoff on the compiled engine (one kernel) gives the numpy loop's bits.

    Edge values everywhere (state, effect values, times played, lean, a per-world coefficient);
    sets and adds; a card played nowhere (skipped: its NaN value must not leak in); a card with
    no history effect (its zero signal still meets a NaN or infinite lean); effects on other rows.
    """
    from sim.engine import politics

    rng = np.random.default_rng(seed)
    rows = {"ROK.history_salience": 0, "JPN.history_salience": 1, "tie.ROK_JPN.history": 2, "ROK.approval": 3}
    x = rng.choice(EDGE, (4, R))
    cards = [
        SimpleNamespace(
            effects=[
                _effect("ROK.history_salience", "add", rng.choice(EDGE, R)),
                _effect("ROK.approval", "add", np.nan),
                _effect("tie.ROK_JPN.history", "set", 0.25),
            ]
        ),
        SimpleNamespace(effects=[_effect("JPN.history_salience", "set", np.nan)]),
        SimpleNamespace(effects=[_effect("ROK.approval", "add", 0.5)]),
        SimpleNamespace(
            effects=[
                _effect("tie.ROK_JPN.history", "add", np.float64(np.inf)),
                _effect("JPN.history_salience", "set", rng.choice(EDGE, R)),
                _effect("ROK.history_salience", "add", -0.0),
            ]
        ),
    ]
    played = rng.choice(np.array([0.0, 1.0, 2.0, np.nan, -0.0, np.inf]), (len(cards), R))
    played[1] = 0.0
    lean = rng.choice(EDGE, R)
    monkeypatch.setattr(politics, "history_lean", lambda model, gov: lean)
    if plain:
        monkeypatch.setattr(politics.kernels, "load", kernels.plain)

    def model(engine: str, coefficient) -> SimpleNamespace:
        scenario = SimpleNamespace(actions={"ROK": cards}, layout=SimpleNamespace(rows=rows))
        params = {"history_politics": coefficient}
        return SimpleNamespace(
            engine=engine, scenario=scenario, x=x, p=[], context=[], draws=None, params=params, replications=R
        )

    for coefficient in (0.7, rng.choice(EDGE, R)):
        with np.errstate(all="ignore"):
            expected = politics.played_payoff(model("numpy", coefficient), "ROK", played)
            got = politics.played_payoff(model("compiled", coefficient), "ROK", played)
        assert np.array_equal(np.isnan(expected), np.isnan(got))
        assert np.array_equal(
            bits(np.where(np.isnan(expected), 0.0, expected)), bits(np.where(np.isnan(got), 0.0, got))
        )
        assert np.isnan(expected).any() and np.isfinite(expected).any()  # the edge values reach the result
    nothing = np.zeros((len(cards), R))
    assert not politics.played_payoff(model("compiled", 0.7), "ROK", nothing).any()


def test_the_compiled_engine_values_played_history_moves_with_the_kernel(monkeypatch):
    calls = []
    k = kernels.load()
    original = k.played_history_payoff
    monkeypatch.setattr(k, "played_history_payoff", lambda *a: calls.append(1) or original(*a))
    TrilateralModel("history-2013", replications=16, seed=1, engine="compiled", record=False, turns=4).run()
    assert calls
    calls.clear()
    TrilateralModel("history-2013", replications=16, seed=1, engine="numpy", record=False, turns=4).run()
    assert not calls
