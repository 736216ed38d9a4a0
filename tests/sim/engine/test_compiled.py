"""The compiled engine gives the numpy engine's results bit for bit, on every shipped scenario."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from sim import TrilateralModel
from sim.engine import kernels
from sim.lang.scenario import library_ids, load_scenario

pytestmark = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")

SCENARIOS = [sid for sid in library_ids() if not load_scenario(sid).spec.abstract]
SIZES = (1, 7, 300)


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def assert_same_run(a: TrilateralModel, b: TrilateralModel) -> None:
    assert np.array_equal(bits(a.x), bits(b.x)), "final state differs"
    assert len(a.history) == len(b.history)
    for turn, (ha, hb) in enumerate(zip(a.history, b.history, strict=True)):
        for name in ha:
            assert np.array_equal(bits(ha[name]), bits(hb[name])), f"history of {name} differs at turn {turn}"
    assert a.log == b.log, "narrative log differs"
    assert a.elections == b.elections


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_compiled_engine_is_bit_identical_to_numpy(scenario):
    spec = load_scenario(scenario)
    for size in SIZES:
        record = size == 7  # one size with the cause-and-effect record on
        runs = [
            TrilateralModel(spec, replications=size, seed=20261201, engine=engine, record=record).run()
            for engine in ("numpy", "compiled")
        ]
        assert [m.engine for m in runs] == ["numpy", "compiled"]
        assert_same_run(*runs)
        if record:
            for ta, tb in zip(runs[0].state.recorder.turns, runs[1].state.recorder.turns, strict=True):
                assert ta.changes.keys() == tb.changes.keys()
                for source, change in ta.changes.items():
                    assert np.array_equal(bits(change), bits(tb.changes[source])), source


def test_replication_alone_equals_it_inside_an_ensemble_under_the_compiled_engine():
    ensemble = TrilateralModel("baseline", replications=300, seed=9, engine="compiled").run()
    for k in (0, 123, 299):
        alone = TrilateralModel("baseline", replication_ids=[k], seed=9, engine="compiled").run()
        assert alone.engine == "compiled"
        assert np.array_equal(bits(alone.x[:, 0]), bits(ensemble.x[:, k]))


def test_ensembles_spanning_several_world_blocks_run_bit_identically():
    """The kernels that work block by block of worlds (256 or 512) give numpy's bits across block edges."""
    from sim.engine.kernels import draws, source, valuation

    worlds = 2 * max(source._ACT_BLOCK, source._TIE_BLOCK, source._DECISION_BLOCK, valuation.BLOCK, draws._BLOCK) + 77
    values = np.linspace(0.0, 1.0, worlds)
    # The second run sweeps coefficients of the domestic, cooperation and outcome kernels per world.
    swept = {"approval_reversion": 0.02 + 0.08 * values, "tie_adjust_rate": 0.2 - 0.15 * values, "inst_build": values}
    for scenario, parameters in (("baseline", {}), ("trump2-transactional", swept)):
        runs = [
            TrilateralModel(
                scenario,
                replications=worlds,
                seed=11,
                engine=engine,
                record=False,
                keep="final",
                parameters={"us_transactionalism": values, **parameters},
            ).run()
            for engine in ("numpy", "compiled")
        ]
        assert runs[1].engine == "compiled"
        assert np.array_equal(bits(runs[0].x), bits(runs[1].x)), f"{scenario}: final state differs"
        assert runs[0].log == runs[1].log


def test_swept_parameter_arrays_run_bit_identically():
    values = np.linspace(0.0, 1.0, 50)
    runs = [
        TrilateralModel("baseline", replications=50, seed=4, engine=engine, parameters={"weakest_weight": values}).run()
        for engine in ("numpy", "compiled")
    ]
    assert_same_run(*runs)


def test_card_bans_and_scripts_run_bit_identically():
    options = {
        "bans": {"ROK": ["hedge_toward_china"]},
        "script": {"USA": {3: ["tariff_threat"], 5: []}},
    }
    runs = [
        TrilateralModel("trump2-transactional", replications=60, seed=5, engine=engine, **options).run()
        for engine in ("numpy", "compiled")
    ]
    assert runs[1].engine == "compiled"
    assert_same_run(*runs)


def test_auto_uses_compiled_kernels_only_where_they_pay(monkeypatch):
    kernels.warm_up()
    assert TrilateralModel("baseline", seed=1).engine == "numpy"
    assert kernels.resolve("auto", kernels.AUTO_MIN_REPLICATIONS - 1) == "numpy"
    big = TrilateralModel("baseline", seed=1, replications=kernels.AUTO_MIN_REPLICATIONS, turns=1)
    assert big.engine == "compiled"
    # Not compiled yet in this process: auto compiles only for a very large ensemble.
    monkeypatch.setattr(kernels, "compiled", lambda: False)
    monkeypatch.setattr(kernels, "cached", lambda: False)
    assert kernels.resolve("auto", kernels.AUTO_MIN_REPLICATIONS) == "numpy"
    assert kernels.resolve("auto", kernels.AUTO_CACHED_REPLICATIONS) == "numpy"
    # ... unless the on-disk cache holds them: then loading is cheap enough from a smaller ensemble.
    monkeypatch.setattr(kernels, "cached", lambda: True)
    assert kernels.resolve("auto", kernels.AUTO_CACHED_REPLICATIONS - 1) == "numpy"
    assert kernels.resolve("auto", kernels.AUTO_CACHED_REPLICATIONS) == "compiled"
    monkeypatch.setattr(kernels, "cached", lambda: False)
    assert kernels.resolve("auto", kernels.AUTO_COMPILE_REPLICATIONS) == "compiled"
    assert kernels.resolve("compiled", 1) == "compiled"


def test_warm_up_reports_compile_time_once():
    """A second warm-up compiles nothing (checked by the kernels' compiled signatures, not by timing)."""
    from sim.engine.kernels import triggers

    assert kernels.warm_up() >= 0.0
    assert kernels.compiled()  # every kernel of every module, reached by warm_up
    loaded = kernels.load()
    signatures = {name: list(kernel.signatures) for name, kernel in vars(loaded).items()}
    groups = triggers.kernel.cache_info()
    kernels.warm_up()
    assert kernels.load() is loaded
    assert {name: list(kernel.signatures) for name, kernel in vars(loaded).items()} == signatures
    assert triggers.kernel.cache_info().misses == groups.misses  # no trigger group compiled again


def test_without_numba_the_compiled_engine_falls_back_to_numpy_with_one_notice(monkeypatch):
    kernels.numba_available.cache_clear()
    kernels._notice_no_numba.cache_clear()
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba now raises ImportError
    try:
        with pytest.warns(RuntimeWarning, match="numba is not available") as caught:
            model = TrilateralModel("baseline", seed=1, replications=300, engine="compiled", turns=1)
            again = TrilateralModel("baseline", seed=1, replications=300, engine="auto", turns=1)
        assert model.engine == again.engine == "numpy"
        assert len([w for w in caught if "numba" in str(w.message)]) == 1
    finally:
        monkeypatch.undo()
        kernels.numba_available.cache_clear()
        kernels._notice_no_numba.cache_clear()
    assert kernels.numba_available()


def test_importing_the_engine_and_a_one_story_run_do_not_import_numba():
    code = (
        "import sys; from sim import TrilateralModel; "
        "TrilateralModel('baseline', seed=1).run(); "
        "assert 'numba' not in sys.modules, 'numba imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_sweep_process_imports_numba_without_scipys_blas_and_compiles_as_usual():
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from sim.engine import kernels\n"
        "assert kernels.numba_without_blas()\n"
        "import numba, numba.np.arraymath as arraymath\n"
        "assert 'scipy.linalg' not in sys.modules, 'scipy.linalg imported'\n"
        "assert not arraymath._HAVE_BLAS\n"
        "total = numba.njit(lambda a: np.maximum(a, 1.0).sum())\n"
        "assert total(np.arange(4.0)) == 7.0, 'array functions compile'\n"
        "import scipy.linalg\n"
        "assert scipy.linalg.det(np.eye(2)) == 1.0, 'scipy.linalg imports afterwards'\n"
        "print('checked')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["checked"]


def test_numba_without_blas_touches_nothing_once_numba_has_typed_code_or_without_numba(monkeypatch):
    assert kernels.numba_without_blas()  # this process has typed code already: nothing to hide
    assert sys.modules.get("scipy.linalg", "absent") is not None, "scipy.linalg left refused"
    monkeypatch.setattr(kernels, "numba_available", lambda: False)
    before = dict(sys.modules)
    assert not kernels.numba_without_blas()
    assert sys.modules == before


def test_bad_engine_is_a_usage_error():
    from sim import UsageError

    with pytest.raises(UsageError, match="engine must be one of"):
        TrilateralModel("baseline", seed=1, engine="fast")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert TrilateralModel("baseline", seed=1, engine="numpy").engine == "numpy"


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_skipping_unchanged_tie_refreshes_changes_nothing(monkeypatch, engine):
    # Skipped: a refresh only when a tie row changed, and then only of the pairs whose rows changed.
    from sim.engine.state import WorldState

    skipped = [TrilateralModel(sid, replications=7, seed=5, engine=engine).run() for sid in SCENARIOS]
    refresh = WorldState.refresh_ties
    monkeypatch.setattr(WorldState, "refresh_ties", lambda self, force=False: refresh(self, True))
    for sid, fast in zip(SCENARIOS, skipped, strict=True):
        always = TrilateralModel(sid, replications=7, seed=5, engine=engine).run()
        assert np.array_equal(bits(always.x), bits(fast.x)), sid


def test_apply_reads_a_change_that_is_a_view_of_the_state_as_numpy_does():
    from sim.engine.sources import behaviour

    models = [TrilateralModel("baseline", replications=5, seed=2, engine=e, turns=1) for e in ("numpy", "compiled")]
    for model in models:
        # Four consecutive counters (wide bounds), set to 1, 2, 3, 4.
        first = min(row for name, row in model.scenario.layout.rows.items() if name.startswith("fired."))
        model.x[first : first + 4] = np.arange(1.0, 5.0)[:, None]
        # Row k's change is row k-1, which the same call has just changed: numpy adds the old values.
        model.state.apply(slice(first + 1, first + 4), model.x[first : first + 3], behaviour("test", "USA"))
        assert np.array_equal(model.x[first : first + 4, 0], [1.0, 3.0, 5.0, 7.0])
    assert np.array_equal(bits(models[0].x), bits(models[1].x))


def test_card_valuation_kernel_matches_numpy_with_set_effects_and_non_finite_values():
    """``scoring._weighted_changes``: one batched kernel call gives the row-by-row numpy sums' bits."""
    from sim.engine import scoring

    runs = [
        TrilateralModel("baseline", replications=40, seed=3, engine=engine, turns=3).run()
        for engine in ("numpy", "compiled")
    ]
    scenario = runs[0].scenario
    made = [
        scenario.compile_injection("a", "A", "", {"ROK.approval": {"set": "ROK.approval * 0.5"}, "JPN.approval": 0.2}),
        scenario.compile_injection("b", "B", "", {"tie.USA_ROK.economic": {"set": 0.3}, "USA.approval": "-0.1"}),
        scenario.compile_injection("c", "C", "", {"ROK.approval": "log(0)", "JPN.approval": "ROK.approval - 0.6"}),
    ]
    rows = runs[0].x.shape[0]
    for gov in ("USA", "ROK", "JPN"):
        cards = [*scenario.actions[gov], *made]
        for weights in (
            scoring.sensitivity(runs[0], gov),
            {r: np.linspace(-1.0, 2.0, 40) for r in range(rows)},
            {r: np.full(40, np.inf) for r in range(0, rows, 3)},
        ):
            values = [scoring._weighted_changes(model, cards, weights) for model in runs]
            assert np.array_equal(bits(values[0]), bits(values[1])), gov
            assert np.isfinite(values[1]).all()
        costs = [scoring.defection_costs(model, cards) for model in runs]
        assert np.array_equal(bits(costs[0]), bits(costs[1]))
    assert np.any(scoring._weighted_changes(runs[1], made[:1], {r: np.ones(40) for r in range(rows)}))
