"""The fused cooperation and outcomes kernels (sim/engine/kernels/dynamics.py) give the numpy path's bits.

From the same state, the phases run as numpy code (the reference), with the compiled kernels
and with the kernels' plain Python source; the state matrices must be identical bit for
bit, also on hostile values (NaN, infinities, signed zeros, subnormals, values at and beyond the
bounds) and with coefficients given per world.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pytest

from sim import TrilateralModel
from sim.engine import dynamics, kernels
from sim.engine.kernels import dynamics as fused

pytestmark = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")

EDGES = np.array([np.inf, -np.inf, 0.0, -0.0, 1.0, 0.5, 1e308, -1e-320, 5e-324, 1.5, -0.25, 0.3, 0.7])
READ = (
    *fused.COOPERATION_SHARED,
    *(f"{gov}.{var}" for gov in ("USA", "ROK", "JPN") for var in ("threat", "willingness", "hedging")),
    *fused.OUTCOME_ROWS,
    "ROK.history_stance",
)


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def model_at_turn(scenario: str, worlds: int, parameters: dict | None = None) -> TrilateralModel:
    model = TrilateralModel(
        scenario, replications=worlds, seed=7, engine="compiled", record=False, parameters=parameters
    )
    model.run(3)
    return model


def hostile(model: TrilateralModel, seed: int, nan: bool = False) -> None:
    """Hostile values in every row the two phases read, and in the tie rows (NaN too if ``nan``)."""
    rng = np.random.default_rng(seed)
    edges = np.append(EDGES, np.nan) if nan else EDGES
    rows = model.scenario.layout.rows
    names = [*READ, *(name for name in rows if name.startswith("tie."))]
    for name in names:
        picks = rng.integers(0, len(edges) + 1, model.replications)
        edge = picks < len(edges)
        model.x[rows[name], edge] = edges[picks[edge]]


def same(a: np.ndarray, b: np.ndarray, nan_sign: bool = True) -> bool:
    """Bit for bit; with ``nan_sign=False`` any two NaNs count as equal."""
    equal = bits(a) == bits(b)
    return bool(equal.all() if nan_sign else (equal | (np.isnan(a) & np.isnan(b))).all())


def run_both(model: TrilateralModel, phase: Callable[[TrilateralModel], None], nan_sign: bool = True) -> None:
    """Run ``phase``'s numpy code, its compiled kernel and the kernel as plain Python; all three must agree.

    ``nan_sign=False`` for states holding NaNs: which of two NaN operands an IEEE operation returns
    depends on operand order, which numpy's SIMD loops choose. (Real states hold no NaN: parameters
    are checked and non-finite effect values count as 0.)
    """
    start = model.x.copy()
    # The phases' numpy code; the state's own kernels (apply, tie refresh) have their own tests.
    model.state.compiled = False
    with np.errstate(all="ignore"):  # hostile values make numpy warn
        phase(model)
    reference = model.x.copy()
    model.state.compiled = True
    model.x[:] = start
    phase(model)
    assert same(reference, model.x, nan_sign), "compiled kernel differs from numpy"
    model.x[:] = start
    # The other kernels (draws, tie refresh) stay compiled; only this module's run as Python.
    plain = SimpleNamespace(**{**vars(kernels.load()), **{name: getattr(fused, name) for name in fused.KERNELS}})
    loader = kernels.load
    try:
        kernels.load = lambda: plain  # type: ignore[assignment]
        phase(model)
    finally:
        kernels.load = loader  # type: ignore[assignment]
    # As Python the kernels run on numpy scalars, whose NaNs may differ in sign: NaNs compare as NaNs.
    assert same(reference, model.x, nan_sign=False), "plain Python kernel differs from numpy"


@pytest.mark.parametrize("phase", [dynamics.cooperation, dynamics.outcomes])
@pytest.mark.parametrize("scenario", ["baseline", "history-2013"])
def test_phases_are_bit_identical_on_ordinary_and_hostile_states(scenario, phase):
    model = model_at_turn(scenario, 40)
    run_both(model, phase)
    for seed in range(3):
        hostile(model, seed)
        run_both(model, phase)
    hostile(model, 3, nan=True)
    run_both(model, phase, nan_sign=False)


@pytest.mark.parametrize("phase", [dynamics.cooperation, dynamics.outcomes])
def test_phases_are_bit_identical_with_coefficients_per_world(phase):
    worlds = 24
    spread = np.resize(np.array([0.0, 1.0, 0.5, 0.25, 0.05]), worlds)
    model = model_at_turn("baseline", worlds)
    for name in ("tie_noise", "inst_damping", "two_track", "upkeep_weight", "inst_lapse", "deterrence_rate"):
        model.params[name] = spread * 0.1 if name in ("tie_noise", "inst_lapse") else spread
    run_both(model, phase)
    hostile(model, 11)
    run_both(model, phase)


def test_the_cooperation_step_is_bit_identical_with_every_coefficient_per_world():
    """Each coefficient of the target gets its own per-world values: one read from a wrong row shows."""
    worlds = 37
    model = model_at_turn("baseline", worlds)
    rng = np.random.default_rng(12)
    for k, name in enumerate(fused.COOPERATION_SLOTS):
        model.params[name] = rng.uniform(0.0, 0.2 + 0.05 * k, worlds)
    assert dynamics.coefficient_matrix(model, fused.COOPERATION_SLOTS).shape == (len(fused.COOPERATION_SLOTS), worlds)
    run_both(model, dynamics.cooperation)
    hostile(model, 13)
    run_both(model, dynamics.cooperation)


def test_coefficient_matrix_has_one_column_unless_a_coefficient_is_per_world():
    model = model_at_turn("baseline", 5)
    assert dynamics.coefficient_matrix(model, fused.COOPERATION_SLOTS).shape == (len(fused.COOPERATION_SLOTS), 1)
    model.set_parameter("tie_noise", 0.02)
    model.params["tie_noise"] = np.linspace(0.0, 0.1, 5)
    matrix = dynamics.coefficient_matrix(model, fused.COOPERATION_SLOTS)
    assert matrix.shape == (len(fused.COOPERATION_SLOTS), 5)
    assert np.array_equal(matrix[fused.COOPERATION_SLOTS.index("tie_noise")], np.linspace(0.0, 0.1, 5))


@pytest.mark.parametrize("scenario", ["baseline", "history-2013", "korean-polarization"])
def test_whole_runs_with_swept_dynamics_coefficients_match_numpy(scenario):
    worlds = 30
    values = np.linspace(0.0, 1.0, worlds)
    parameters = {"shared_threat_gain": values * 0.3, "inst_build": values * 0.2, "deterrence_tie_gain": values}
    runs = [
        TrilateralModel(scenario, replications=worlds, seed=5, engine=engine, record=False, parameters=parameters).run()
        for engine in ("numpy", "compiled")
    ]
    assert runs[1].engine == "compiled"
    assert np.array_equal(bits(runs[0].x), bits(runs[1].x))
    assert runs[0].log == runs[1].log
