"""The settlement kernel (sim/engine/kernels/bargaining.py) gives the numpy settlement's bits.

From the same state, ``bargaining.settle`` runs as numpy code (the reference), through the
compiled kernel and through the kernel's plain Python; the state matrices must be identical bit
for bit, on ordinary states, on hostile values (infinities, signed zeros, subnormals, values at
and beyond the bounds) and with coefficients given per world (a swept loop, switched off in some
worlds).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim import TrilateralModel
from sim.engine import bargaining, kernels
from sim.engine.kernels import bargaining as fused
from sim.engine.triggers import compiled_engine

pytestmark = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")

EDGES = np.array([np.inf, -np.inf, 0.0, -0.0, 1.0, 0.5, 1e308, -1e-320, 5e-324, 1.5, -0.25, 0.3, 1e-9, 2e-9])


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def same(a: np.ndarray, b: np.ndarray, nan_sign: bool = True) -> bool:
    """Bit for bit; with ``nan_sign=False`` any two NaNs count as equal."""
    equal = bits(a) == bits(b)
    return bool(equal.all() if nan_sign else (equal | (np.isnan(a) & np.isnan(b))).all())


def read_rows(model: TrilateralModel) -> list[str]:
    """Every row the settlement reads or writes, the allies' tie domains included."""
    rows = model.scenario.layout.rows
    names = ["USA.approval", "USA.transactionalism"]
    for ally in ("ROK", "JPN"):
        names += [f"USA.{kind}.{ally}" for kind in ("demand", "concession", "demands", "settled", "concessions")]
        names += [f"USA.escalations.{ally}", f"{ally}.hedging"]
        names += [name for name in rows if name.startswith(f"tie.USA_{ally}")]
    return names


def pending(model: TrilateralModel, seed: int, values: np.ndarray | None = None) -> None:
    """Demands, payments and the rest drawn from ``values`` (ordinary numbers when None)."""
    rng = np.random.default_rng(seed)
    rows = model.scenario.layout.rows
    for name in read_rows(model):
        if values is None:
            model.x[rows[name]] = rng.choice([0.0, 0.1, 0.3, 0.6, 0.9, 1.0], model.replications)
        else:
            picks = rng.integers(0, len(values) + 1, model.replications)
            chosen = picks < len(values)
            model.x[rows[name], chosen] = values[picks[chosen]]
    model.state.refresh_ties(force=True)


def settle_three_ways(model: TrilateralModel, nan_sign: bool = True) -> None:
    """numpy settlement (the reference), the compiled kernel and the kernel as Python: all must agree."""
    assert compiled_engine(model)
    start = model.x.copy()
    model.engine = "numpy"  # the numpy settlement (the state's own apply and tie kernels stay compiled)
    with np.errstate(all="ignore"):
        bargaining.settle(model)
    reference = model.x.copy()
    model.engine = "compiled"
    model.x[:] = start
    bargaining.settle(model)
    assert same(reference, model.x, nan_sign), "compiled settlement differs from numpy"
    model.x[:] = start
    plain = SimpleNamespace(**{**vars(kernels.load()), "settle_ally": fused.settle_ally})
    loader = kernels.load
    try:
        kernels.load = lambda: plain  # type: ignore[assignment]
        with np.errstate(all="ignore"):  # Python on numpy scalars warns where the compiled code does not
            bargaining.settle(model)
    finally:
        kernels.load = loader  # type: ignore[assignment]
    assert same(reference, model.x, nan_sign=False), "plain Python settlement differs from numpy"
    assert not same(reference, start, nan_sign=False), "the settlement changed the state"


def transactional(worlds: int, parameters: dict | None = None) -> TrilateralModel:
    model = TrilateralModel(
        "trump2-transactional", replications=worlds, seed=9, engine="compiled", record=False, parameters=parameters
    )
    return model.run(3)


@pytest.mark.parametrize("seed", range(4))
def test_settlement_is_bit_identical_on_ordinary_and_hostile_states(seed):
    model = transactional(60, {"bargaining_gain": 1.3, "concession_relief": 0.037, "escalation_chance": 0.9})
    pending(model, seed)
    settle_three_ways(model)
    pending(model, seed, EDGES)
    settle_three_ways(model)
    pending(model, seed, np.append(EDGES, np.nan))
    settle_three_ways(model, nan_sign=False)


def test_settlement_is_bit_identical_with_coefficients_per_world():
    worlds = 45
    spread = np.resize(np.array([0.0, 1.3, 0.7, 0.37, 1.9]), worlds)  # not powers of two: products round
    parameters = {"bargaining_gain": spread, "escalation_chance": spread / 2.0, "demand_lapse": spread / 4.0}
    model = transactional(worlds, parameters)
    assert kernels.coefficients([model.params[n] for n in fused.SETTLE_COEFFICIENTS], worlds).shape[1] == worlds
    for seed in range(3):
        pending(model, seed)
        settle_three_ways(model)


def test_whole_transactional_runs_match_numpy_with_a_swept_loop():
    worlds = 30
    parameters = {"bargaining_gain": np.linspace(0.0, 2.0, worlds), "hedge_shield": np.linspace(0.0, 1.0, worlds)}
    runs = [
        TrilateralModel(
            "trump2-transactional", replications=worlds, seed=4, engine=engine, record=False, parameters=parameters
        ).run()
        for engine in ("numpy", "compiled")
    ]
    rows = runs[0].scenario.layout.rows
    assert runs[0].x[rows["USA.escalations.ROK"]].sum() + runs[0].x[rows["USA.concessions.JPN"]].sum() > 0
    assert np.array_equal(bits(runs[0].x), bits(runs[1].x))
    assert runs[0].log == runs[1].log


def test_the_kernel_reads_the_declared_rows_and_coefficients():
    model = transactional(2)
    rows = bargaining._ally_rows(model, "ROK")
    assert len(rows) == len(fused.SETTLE_ROWS)
    layout = model.scenario.layout
    assert rows[fused.SETTLE_ROWS.index("paid")] == layout.rows["USA.concession.ROK"]
    assert (rows[-2], rows[-1]) == (layout.tie_rows("USA_ROK").start, layout.tie_rows("USA_ROK").stop)
    assert set(fused.SETTLE_COEFFICIENTS) <= set(model.params)


def test_an_allys_capacity_is_one_number_when_its_payments_are_constants_with_the_per_world_bits(monkeypatch):
    model = TrilateralModel("baseline", replications=5, seed=1, turns=1)
    loop = bargaining.LoopValues(model, {})
    shared = {ally: loop.capacity(ally) for ally in bargaining.ALLIES}
    assert all(isinstance(most, float) and most > 0 for most in shared.values())
    # The same payments read as per-world expressions take the per-world branch.
    for ally in bargaining.ALLIES:
        for card in model.scenario.actions[ally]:
            for effect in card.effects:
                monkeypatch.setattr(effect.value, "constant", None)
    for ally, most in shared.items():
        per_world = loop.capacity(ally)
        assert isinstance(per_world, np.ndarray) and per_world.shape == (5,)
        assert same(per_world, np.full(5, most)), ally
    # The valuation plan keeps the constant capacities, and none where the payments vary per world.
    assert all(loop.constant_capacity(ally) is None for ally in bargaining.ALLIES)


def test_the_valuation_plan_keeps_each_allys_constant_capacity():
    from sim.engine.valuation import build_plan

    model = TrilateralModel("baseline", replications=5, seed=1, turns=1, engine="numpy")
    loop = bargaining.LoopValues(model, {})
    plan = build_plan(model, "USA", model.scenario.actions["USA"], {})
    assert plan.capacities == tuple(loop.capacity(ally) for ally in bargaining.ALLIES)
    assert all(isinstance(most, float) and most > 0 for most in plan.capacities)
