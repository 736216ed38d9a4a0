"""Model construction and the per-turn framework: no needless copies, no needless tie refreshes."""

from __future__ import annotations

import numpy as np
import pytest

from sim import TrilateralModel
from sim.engine import kernels
from sim.engine.sources import behaviour
from sim.engine.state import WorldState, pair_index
from sim.lang.scenario import load_scenario


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def test_the_state_adopts_the_initial_matrix_and_the_start_state_is_a_separate_copy(baseline):
    x0, _ = baseline.initial_state([baseline.parameter_defaults[n] for n in baseline.parameter_names], 5)
    state = WorldState(baseline.layout, x0, 5, record=False)
    assert state.x is x0
    with pytest.raises(ValueError, match="shape"):
        WorldState(baseline.layout, x0[:, :3], 5)
    model = TrilateralModel(baseline, replications=5, seed=1, turns=1)
    assert not np.shares_memory(model.start_state, model.x)
    before = model.start_state.copy()
    model.run()
    assert np.array_equal(model.start_state, before)


def test_initial_state_is_clipped_to_the_bounds(baseline):
    params = [baseline.parameter_defaults[n] for n in baseline.parameter_names]
    x, _ = baseline.initial_state(params, 3)
    lo, hi = baseline.layout.lo[:, None], baseline.layout.hi[:, None]
    assert np.all((x >= lo) & (x <= hi))


def test_only_rows_the_ties_are_made_of_make_them_stale(baseline):
    model = TrilateralModel(baseline, replications=3, seed=1, turns=1)
    state, rows = model.state, baseline.layout.rows
    source = behaviour("test", "USA")

    def stale_after(name: str) -> bool:
        state.refresh_ties(force=True)
        row = rows[name]
        state.apply(slice(row, row + 1), 0.0, source)
        return state.ties_stale

    # Rows inside the span of the tie rows but not tie rows themselves.
    assert not stale_after("institutionalization")
    assert not stale_after("deterrence")
    assert not stale_after("USA.approval")
    assert stale_after("tie.ROK_JPN.history")
    assert stale_after("tie.USA_ROK")
    assert stale_after("trilateral")
    state.refresh_ties(force=True)
    first = rows["tie.ROK_JPN.history"]
    state.apply(slice(first - 2, first + 3), 0.0, source)  # a block reaching into the ties
    assert state.ties_stale


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_a_refresh_recomputes_only_the_pairs_whose_rows_changed(baseline, engine):
    model = TrilateralModel(baseline, replications=3, seed=1, turns=1, engine=engine)
    state, rows, x = model.state, baseline.layout.rows, model.x
    source = behaviour("test", "USA")
    ties = {pair: rows[f"tie.{pair}"] for pair in ("USA_ROK", "USA_JPN", "ROK_JPN")}
    index = rows["trilateral"]
    state.refresh_ties(force=True)
    fresh = x.copy()
    # A marker written straight into two ties (no apply): a refresh that recomputes a pair overwrites it.
    x[ties["USA_ROK"]] = 7.0
    x[ties["USA_JPN"]] = 7.0
    first = rows["tie.ROK_JPN.history"]
    state.apply(slice(first, first + 1), 0.01, source)
    assert state.ties_stale and not state.all_ties_stale
    state.refresh_ties()
    assert np.all(x[ties["USA_ROK"]] == 7.0) and np.all(x[ties["USA_JPN"]] == 7.0)  # not stale: left alone
    assert not np.array_equal(x[ties["ROK_JPN"]], fresh[ties["ROK_JPN"]])  # recomputed from its new domain
    assert np.array_equal(x[index], pair_index(state.pair_ties(), state.weakest_weight))  # from all three ties
    # A change of the index row alone recomputes the index, no pair.
    state.apply(slice(index, index + 1), 0.0, source)
    state.refresh_ties()
    assert np.all(x[ties["USA_ROK"]] == 7.0)
    # Touching USA_ROK's tie row makes that pair stale: its tie is recomputed from its domains.
    state.apply(slice(ties["USA_ROK"], ties["USA_ROK"] + 1), 0.0, source)
    state.refresh_ties()
    assert np.array_equal(x[ties["USA_ROK"]], fresh[ties["USA_ROK"]])
    assert np.all(x[ties["USA_JPN"]] == 7.0)
    state.refresh_ties(force=True)  # forced: every pair
    assert np.array_equal(x[ties["USA_JPN"]], fresh[ties["USA_JPN"]])
    state.ties_stale = True  # marking by hand makes every pair stale
    x[ties["USA_JPN"]] = 7.0
    state.refresh_ties()
    assert np.array_equal(x[ties["USA_JPN"]], fresh[ties["USA_JPN"]])


def test_the_datacollector_keeps_each_indicators_mean_bit_for_bit(baseline):
    from sim.engine.model import INDICATORS, indicator_mean

    model = TrilateralModel(baseline, replications=37, seed=3, turns=3).run()
    collected = model.datacollector.model_vars
    for name in INDICATORS:
        assert len(collected[name]) == 4
        for turn in range(4):
            value = collected[name][turn]
            assert type(value) is float
            assert value == float(np.mean(model.history[turn][name])) or np.isnan(value)
    # A caller collecting at another time gets the means then (not a stale copy).
    model.set_state("ROK.approval", 0.123)
    model.datacollector.collect(model)
    assert model.datacollector.model_vars["trilateral"][-1] == indicator_mean(model, "trilateral")


def test_the_narrative_log_names_each_firings_quarter(baseline):
    model = TrilateralModel(baseline, replications=20, seed=4, turns=6).run()
    assert model.log
    for firing in model.log:
        assert firing.quarter == baseline.quarter_label(firing.turn)
        assert firing.worlds > 0


ADVERSARIAL = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1e-300, 1.5, -2.0, 0.25, 0.5, 1e308, 0.999])


def _pair(scenario, parameters=None):
    """The same model on the numpy and the compiled engine (record off)."""
    from sim.engine import kernels

    if not kernels.numba_available():
        pytest.skip("numba is not installed")
    return [
        TrilateralModel(
            scenario, replications=len(ADVERSARIAL), seed=9, turns=2, record=False, engine=e, parameters=parameters
        )
        for e in ("numpy", "compiled")
    ]


def _scramble(model, names, shift):
    """Adversarial values (NaN, infinities, signed zeros, out of bounds) in the rows ``names``."""
    for k, name in enumerate(names):
        model.x[model.scenario.layout.rows[name]] = np.roll(ADVERSARIAL, shift + k)


def _same_bits(a, b):
    """The same bits wherever a value is a number (signed zeros told apart); NaN in the same places.

    A NaN's sign and payload are not compared: x86 takes them from whichever operand comes first,
    and compilers (numpy's own loops included) may swap the operands of a multiplication.
    """
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and np.array_equal(a[~nan].view(np.uint64), b[~nan].view(np.uint64))


READ_BY_PERCEIVE_AND_ASSESS = [
    f"{actor}.{var}"
    for actor in ("DPRK", "CHN", "RUS")
    for var in ("capability", "aggressiveness", "impact", "alignment")
] + [
    f"{gov}.{var}"
    for gov in ("USA", "ROK", "JPN")
    for var in (
        "dovishness",
        "threat",
        "threat_DPRK",
        "threat_CHN",
        "threat_RUS",
        "abandonment",
        "entrapment",
        "hedging",
        "willingness",
        "china_leverage",
        "commitment",
        "transactionalism",
        "multilateralism",
        "support",
    )
]


@pytest.mark.parametrize("swept", [False, True])
@pytest.mark.parametrize("shift", [0, 3, 7])
def test_compiled_perception_and_assessment_give_the_numpy_bits_on_adversarial_states(baseline, swept, shift):
    parameters = None
    if swept:  # per-world coefficients (a sweep), including bounds of their ranges
        n = len(ADVERSARIAL)
        parameters = {
            "perception_rate": np.linspace(0.0, 1.0, n),
            "hedging_gain": np.linspace(1.0, 0.0, n),
            "threat_gain": np.roll(np.linspace(0.0, 1.0, n), shift),
        }
        parameters = {k: v for k, v in parameters.items() if k in baseline.parameter_defaults}
        assert parameters
    models = _pair(baseline, parameters)
    for model in models:
        _scramble(model, READ_BY_PERCEIVE_AND_ASSESS, shift)
    for code in ("USA", "ROK", "JPN"):
        for rate in (None, 1.0):
            for model in models:
                model.governments[code].perceive(rate=rate)
                model.governments[code].assess(hedging_rate=rate)
            assert _same_bits(models[0].x, models[1].x), (code, rate)
    for model in models:
        model.run()
    assert _same_bits(models[0].x, models[1].x)


def test_the_kernels_two_bounds_are_numpys_clip_and_apply_even_for_signed_zeros():
    from sim.engine.kernels.build import _bound
    from sim.engine.kernels.source import _bounded as _clip

    for value in (-0.0, 0.0, 1.0, -1.0, 2.0, 0.5, np.nan, np.inf, -np.inf):
        for low, high in ((0.0, 1.0), (-0.0, 1.0), (-1.0, 0.0), (-1.0, -0.0)):
            array = np.array([value])
            clipped = np.clip(array, low, high)
            applied = np.minimum(np.maximum(array, np.array([[low]])), np.array([[high]]))[0]
            assert np.array([_clip(value, low, high)]).view(np.uint64)[0] == clipped.view(np.uint64)[0] or np.isnan(
                value
            )
            assert np.array([_bound(value, low, high)]).view(np.uint64)[0] == applied.view(np.uint64)[0] or np.isnan(
                value
            )


def test_state_apply_and_apply_parts_bound_signed_zeros_as_numpy_on_the_compiled_engine():
    """``apply`` gives the bound on a tie (numpy's maximum and minimum), ``apply_parts`` keeps the sum (np.clip)."""
    from sim.engine.sources import BOUNDS

    values = np.array([-0.0, 0.0, -0.0, 0.0, 1.0, 1.0, np.nan, 0.5])
    deltas = np.array([-0.0, -0.0, 0.0, 0.0, 0.0, -0.0, 0.0, np.inf])
    models = [
        TrilateralModel("baseline", replications=len(values), seed=1, engine=engine, record=False)
        for engine in ("numpy", "compiled")
    ]
    row = models[0].scenario.layout.rows["ROK.approval"]  # bounds [0, 1]
    rows = slice(row, row + 1)
    results = []
    for model in models:
        model.x[row] = values
        model.state.apply(rows, deltas, BOUNDS)
        applied = model.x[row].copy()
        model.x[row] = values
        model.state.apply_parts(rows, [(BOUNDS, deltas)])
        results.append((applied, model.x[row].copy()))
    (numpy_apply, numpy_parts), (compiled_apply, compiled_parts) = results
    assert _same_bits(numpy_apply, compiled_apply) and _same_bits(numpy_parts, compiled_parts)
    assert not np.signbit(numpy_apply[:2]).any()  # -0.0 + -0.0 at the bound 0.0 became 0.0
    # apply_parts sums its parts from 0 (0 + -0.0 is 0.0), so only the kernel itself shows np.clip keeping -0.0.
    for clip in (False, True):
        x, change = np.full((1, 2), -0.0), np.empty((1, 2))
        bounds = np.zeros(1), np.ones(1)
        kernels.load().apply_rows(x, 0, np.full((1, 1), -0.0), *bounds, change, clip)
        expected = np.clip(np.full(2, -0.0), 0.0, 1.0) if clip else np.minimum(np.maximum(np.full(2, -0.0), 0.0), 1.0)
        assert _same_bits(x[0], expected) and np.signbit(x[0]).all() == clip


TIE_ROWS = [
    f"tie.{pair}.{domain}" for pair in ("USA_ROK", "USA_JPN", "ROK_JPN") for domain in ("deterrence", "history")
]


@pytest.mark.parametrize("swept", [False, True])
@pytest.mark.parametrize("shift", [0, 5])
def test_compiled_tie_refresh_and_index_weights_give_the_numpy_bits(baseline, swept, shift):
    parameters = {"weakest_weight": np.linspace(0.0, 1.0, len(ADVERSARIAL))} if swept else None
    models = _pair(baseline, parameters)
    for model in models:
        _scramble(model, TIE_ROWS, shift)
        model.state.refresh_ties(force=True)
    assert _same_bits(models[0].x, models[1].x)
    assert _same_bits(*(model.state.index_weights() for model in models))
    for model in models:  # ties equal or NaN: argmin's first minimum, numpy's minimum on signed zeros
        rows = [model.scenario.layout.rows[f"tie.{pair}"] for pair in ("USA_ROK", "USA_JPN", "ROK_JPN")]
        model.x[rows[0]] = np.resize([0.0, -0.0, 0.2, np.nan, 0.3, 0.1], len(ADVERSARIAL))
        model.x[rows[1]] = np.roll(model.x[rows[0]], 1 + shift)
        model.x[rows[2]] = -np.roll(model.x[rows[0]], 2)
    assert _same_bits(*(model.state.index_weights() for model in models))


@pytest.mark.parametrize("worlds", [1, 511, 512, 513, 1300])
def test_the_tie_kernel_gives_the_numpy_ties_and_index_in_every_block(baseline, worlds):
    """Pair ties and the index from hostile domain values, block by block (a partial last block).

    Bit for bit, except which NaN a sum of two NaNs keeps (the compiler may swap an addition's operands).
    """
    rng = np.random.default_rng(worlds)
    hostile = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, 1e308, -1e-308])
    x0, _ = baseline.initial_state([baseline.parameter_defaults[n] for n in baseline.parameter_names], worlds)
    x0 = x0 + rng.normal(0.0, 0.3, x0.shape)
    spots = rng.random(x0.shape) < 0.05
    x0[spots] = rng.choice(hostile, int(spots.sum()))
    states = []
    for compiled in (False, True):
        state = WorldState(baseline.layout, x0.copy(), worlds, record=False, compiled=compiled)
        state.weakest_weight = np.linspace(0.0, 1.0, worlds) if worlds > 1 else 0.4
        state.refresh_ties(force=True)
        states.append(state)
    reference, kernel = states
    same = reference.x.view(np.uint64) == kernel.x.view(np.uint64)
    assert np.all(same | (np.isnan(reference.x) & np.isnan(kernel.x)))
    assert not np.array_equal(reference.x, x0, equal_nan=True), "the refresh wrote the ties"
