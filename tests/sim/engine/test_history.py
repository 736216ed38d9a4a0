"""``keep=``: a model keeps every turn's indicators, only the final state, or listed turns; results never change."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from sim import TrilateralModel, UsageError
from sim.engine.history import KeptHistory
from sim.engine.model import INDICATORS


def run(scenario, keep, runs=300, seed=5):
    return TrilateralModel(scenario, seed=seed, replications=runs, record=False, keep=keep).run()


@pytest.mark.parametrize("name", ["baseline", "history-2013", "leadership-changes"])
def test_what_is_kept_never_changes_a_result(name):
    from sim import load_scenario

    scenario = load_scenario(name)
    full = run(scenario, "all")
    for keep in ("final", [0, 3, full.turns]):
        lean = run(scenario, keep)
        assert np.array_equal(lean.x, full.x)
        assert [f.label for f in lean.log] == [f.label for f in full.log]
        assert len(lean.history) == len(full.history) == full.turns + 1
        for turn in (-1, -2, full.turns - 1):
            for indicator in INDICATORS:
                assert np.array_equal(lean.history[turn][indicator], full.history[turn][indicator])


def test_listed_turns_are_readable_and_others_refused(baseline):
    full = run(baseline, "all", runs=20)
    lean = run(baseline, [0, 5], runs=20)
    assert isinstance(lean.history, KeptHistory) and isinstance(full.history, list)
    for turn in (0, 5, lean.turns - 1, lean.turns):
        assert np.array_equal(lean.indicator("trilateral", turn), full.indicator("trilateral", turn))
    with pytest.raises(UsageError, match="turn 7 was not kept.*0, 5.*keep='all'"):
        lean.indicator("trilateral", 7)
    with pytest.raises(UsageError, match="turn 1 was not kept"):
        list(lean.history)
    for mine, theirs in zip(lean.history[-2:], full.history[-2:], strict=True):
        assert np.array_equal(mine["trilateral"], theirs["trilateral"])
    lean.history.clear()
    assert len(lean.history) == 0


def test_final_keeps_no_snapshot_but_the_last_two(baseline):
    lean = run(baseline, "final", runs=10)
    with pytest.raises(UsageError, match=r"listed ones \(none\)"):
        lean.history[0]
    assert np.array_equal(lean.history[-1]["trilateral"], lean.x[baseline.layout.rows["trilateral"]])


@pytest.mark.parametrize("keep", ["some", 3, [1, -1], [True], [1.5]])
def test_bad_keep_is_a_usage_error(baseline, keep):
    with pytest.raises(UsageError, match="keep"):
        TrilateralModel(baseline, seed=1, keep=keep)


def retained_bytes(scenario, keep, runs):
    TrilateralModel(scenario, seed=1, replications=5, record=False, keep=keep).run()  # warm caches
    tracemalloc.start()
    try:
        model = TrilateralModel(scenario, seed=1, replications=runs, record=False, keep=keep).run()
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del model
    return retained


def test_keeping_only_the_final_state_saves_the_snapshots_memory(baseline):
    """Memory, not time: 16 turns' snapshots of every indicator are not held."""
    runs = 2000
    snapshots = baseline.turns * len(INDICATORS) * 8 * runs  # at least one float per indicator, world and turn
    assert retained_bytes(baseline, "all", runs) - retained_bytes(baseline, "final", runs) > 0.9 * snapshots


def test_ensembles_and_sweeps_keep_no_history(baseline, monkeypatch):
    import importlib

    from sim.engine import runner

    simulate_module = importlib.import_module("sim.research.sweep.simulate")  # the package exports the function

    seen = []
    real = TrilateralModel

    def spy(*args, **kwargs):
        seen.append(kwargs.get("keep", "all"))
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "TrilateralModel", spy)
    monkeypatch.setattr(simulate_module, "TrilateralModel", spy)
    runner.run_ensemble(baseline, runs=20, seed=1)
    recorded = simulate_module.simulate(
        baseline,
        seed=1,
        replication_ids=np.arange(4),
        turns=4,
        parameters={},
        indicators=["trilateral"],
        record_turns=[0, 2],
    )
    assert seen == ["final", "final"]
    assert sorted(recorded.turns) == [0, 2]
    assert np.array_equal(recorded.turns[2][0], run(baseline, "all", runs=4, seed=1).history[2]["trilateral"])
