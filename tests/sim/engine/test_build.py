"""Model construction and the per-turn framework: no needless copies, no needless tie refreshes."""

from __future__ import annotations

import numpy as np
import pytest

from sim import TrilateralModel
from sim.engine.sources import behaviour
from sim.engine.state import WorldState
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
