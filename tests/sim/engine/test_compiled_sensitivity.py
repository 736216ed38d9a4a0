"""Objective sensitivities on the compiled engine (``scoring._SensitivityProgram``) give the numpy code's bits.

The compiled engine runs the same Python code but defers the terms that vary per world to one
``sensitivity_terms`` kernel call; the result must match the numpy code key for key (the dict's
order too: the valuation plan reads it), float for float and array for array.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim import TrilateralModel
from sim.engine import kernels, scoring
from sim.engine.kernels import valuation as valuation_source

pytestmark = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")

R = 64
EDGE = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 0.5, 1e308, -1e308, 5e-324, 0.9999999, 2.0])
READ = ("institutionalization", "upkeep", "ROK.history_stance", "JPN.history_stance")
READ += ("ROK.history_salience", "JPN.history_salience", "ROK.abandonment", "JPN.abandonment")


def bits(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def assert_same(expected: dict, got: dict) -> None:
    assert list(got) == list(expected)
    for row, value in expected.items():
        other = got[row]
        assert isinstance(other, np.ndarray) == isinstance(value, np.ndarray), row
        if isinstance(value, np.ndarray):
            assert other.shape == value.shape, row
        a, b = np.asarray(value, dtype=np.float64), np.asarray(other, dtype=np.float64)
        assert np.array_equal(np.isnan(a), np.isnan(b)), row
        assert np.array_equal(bits(np.where(np.isnan(a), 0.0, a)), bits(np.where(np.isnan(b), 0.0, b))), row


@pytest.fixture
def pair() -> list[TrilateralModel]:
    models = [
        TrilateralModel("korean-polarization", replications=R, seed=2, engine=engine, record=False)
        for engine in ("numpy", "compiled")
    ]
    for model in models:
        model.run(3)
    return models


def poke(models: list[TrilateralModel], seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = models[0].scenario.layout.rows
    for name in READ:
        values = rng.choice(EDGE, R)
        keep = rng.random(R) < 0.25
        for model in models:
            model.x[rows[name]] = np.where(keep, model.x[rows[name]], values)


def numpy_sensitivity(model: TrilateralModel, objectives) -> dict:
    out = scoring._Sensitivity(model.replications)
    return scoring._sensitivity(model, objectives, out, scoring._institution_coefficients, scoring._history_terms)


@pytest.mark.parametrize("plain", [False, True], ids=["compiled", "plain-python"])
@pytest.mark.parametrize("seed", [1, 2])
def test_every_governments_sensitivity_matches_numpy_on_edge_values(pair, monkeypatch, seed, plain):
    poke(pair, seed)
    if plain:
        monkeypatch.setattr(
            kernels, "load", lambda: SimpleNamespace(sensitivity_terms=valuation_source.sensitivity_terms)
        )
    numpy_model, compiled_model = pair
    with np.errstate(all="ignore"):
        for gov in ("USA", "ROK", "JPN"):
            expected, got = scoring.sensitivity(numpy_model, gov), scoring.sensitivity(compiled_model, gov)
            assert isinstance(got, scoring._SensitivityProgram) and got.ops  # the kernel's path, with terms
            assert_same(expected, got)
    rows = compiled_model.scenario.layout.rows
    salience = got[rows["JPN.history_salience"]]
    assert np.isnan(salience).any() and np.isfinite(salience).any()  # the edge values reached the terms


@pytest.mark.parametrize("plain", [False, True], ids=["compiled", "plain-python"])
def test_terms_interleaved_with_numbers_keep_the_numpy_order(pair, monkeypatch, plain):
    """Numbers before, between and after a row's per-world terms; rows first reached by a number or by a term."""
    poke(pair, 3)
    if plain:
        monkeypatch.setattr(
            kernels, "load", lambda: SimpleNamespace(sensitivity_terms=valuation_source.sensitivity_terms)
        )
    objectives = (
        ("upkeep", 0.1 + 0.2),  # a number first: the row's terms then add to it
        ("tie.ROK_JPN", 0.3),
        ("institutionalization", -0.7),  # a number after the row's first term
        ("ROK.history_salience", 1e-17),
        ("deterrence", 0.25),
        ("tie.USA_ROK", -0.0),  # a zero scale: -0.0 terms
        ("tie.ROK_JPN", 1e308),  # the same pair again: every term twice
        ("upkeep", 5e-324),
    )
    numpy_model, compiled_model = pair
    with np.errstate(all="ignore"):
        expected = numpy_sensitivity(numpy_model, objectives)
        got = scoring._SensitivityProgram(compiled_model).run(objectives)
    assert_same(expected, got)
    kinds = {kind for _, _, kind, _ in got.ops}
    assert kinds == {
        valuation_source.CONSTANT_TERM,
        valuation_source.UPKEEP_TERM,
        valuation_source.INSTITUTION_TERM,
        valuation_source.SALIENCE_TERM,
        valuation_source.STANCE_TERM,
    }


def test_a_swept_coefficient_or_an_index_weight_takes_the_numpy_code(pair, monkeypatch):
    poke(pair, 4)
    rng = np.random.default_rng(5)
    numpy_model, compiled_model = pair
    for name in ("hedging_penalty", "two_track", "upkeep_weight"):
        values = rng.random(R)
        for model in pair:
            model.params[name] = values
    with np.errstate(all="ignore"), pytest.raises(scoring._NotScalarError):
        scoring._SensitivityProgram(compiled_model).run(compiled_model.scenario.objectives["ROK"])
    with np.errstate(all="ignore"):
        for gov in ("USA", "ROK", "JPN"):
            got = scoring.sensitivity(compiled_model, gov)
            assert not isinstance(got, scoring._SensitivityProgram)
            assert_same(scoring.sensitivity(numpy_model, gov), got)
    for model in pair:
        monkeypatch.setitem(model.scenario.objectives, "USA", (("trilateral", 0.5), ("USA.approval", 0.5)))
    with np.errstate(all="ignore"):
        with pytest.raises(scoring._NotScalarError):  # each pair's weight is one per world
            scoring._SensitivityProgram(compiled_model).run(compiled_model.scenario.objectives["USA"])
        assert_same(scoring.sensitivity(numpy_model, "USA"), scoring.sensitivity(compiled_model, "USA"))


def test_whole_runs_with_the_sensitivity_kernel_match_numpy():
    runs = [
        TrilateralModel("history-2013", replications=40, seed=9, engine=engine, record=False).run()
        for engine in ("numpy", "compiled")
    ]
    assert np.array_equal(bits(runs[0].x), bits(runs[1].x))


def test_a_kept_program_gives_the_bits_of_a_new_one_in_each_state_and_skips_the_python(pair, monkeypatch):
    """``sensitivity(..., programs)`` builds each government's program once and reruns its kernel."""
    numpy_model, compiled_model = pair
    programs: dict = {}
    built: list[str] = []
    real = scoring._sensitivity

    def counting(model, objectives, *args):
        built.append(model.engine)
        return real(model, objectives, *args)

    monkeypatch.setattr(scoring, "_sensitivity", counting)
    with np.errstate(all="ignore"):
        for seed in (6, 7, 8):
            poke(pair, seed)  # a new state for each round: the kept program must read it
            for gov in ("USA", "ROK", "JPN"):
                kept = scoring.sensitivity(compiled_model, gov, programs)
                assert_same(scoring.sensitivity(numpy_model, gov), kept)
                assert isinstance(kept, scoring._SensitivityProgram) and kept.ops
                assert programs[gov][0] == 0 and (programs[gov][1] is not kept or seed == 6)  # later: a new dict
    # The Python that builds a program ran once per government (compiled), against every numpy call.
    assert built.count("compiled") == 3 and built.count("numpy") == 9


def test_a_kept_program_is_made_again_after_set_parameter_and_the_numpy_path_is_kept_too(pair):
    numpy_model, compiled_model = pair
    programs: dict = {}
    with np.errstate(all="ignore"):
        before = scoring.sensitivity(compiled_model, "ROK", programs)
        for model in pair:
            model.set_parameter("hedging_penalty", 0.9)
        assert compiled_model.parameter_version == 1
        after = scoring.sensitivity(compiled_model, "ROK", programs)
        assert list(programs) == ["ROK"] and programs["ROK"][0] == 1
        assert_same(scoring.sensitivity(numpy_model, "ROK"), after)
        rows = compiled_model.scenario.layout.rows
        assert before[rows["ROK.hedging"]] != after[rows["ROK.hedging"]]  # the new coefficient counts
        # A swept coefficient: the program cannot be made, and the numpy path is kept for it.
        values = np.random.default_rng(9).random(R)
        for model in pair:
            model.params["two_track"] = values
            model.parameter_version += 1
        got = scoring.sensitivity(compiled_model, "ROK", programs)
        assert programs["ROK"] == (2, scoring._NUMPY_PATH)
        assert_same(scoring.sensitivity(numpy_model, "ROK"), got)
        assert_same(scoring.sensitivity(numpy_model, "ROK"), scoring.sensitivity(compiled_model, "ROK", programs))
