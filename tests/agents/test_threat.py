"""Threat actors on the compiled engine: capability growth and tempering in one kernel, numpy's bits."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agents import ThreatActor
from sim import TrilateralModel
from sim.engine import kernels
from sim.engine.kernels import source

pytestmark = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed")

R = 40
EDGE = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 0.5, 1e308, -1e308, 5e-324, 0.9999999, 2.0])
ROWS = ("capability", "aggressiveness", "engagement")


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def models() -> list[TrilateralModel]:
    """A numpy and a compiled model (record off), two turns in."""
    pair = [TrilateralModel("baseline", replications=R, seed=5, engine=e, record=False) for e in ("numpy", "compiled")]
    for model in pair:
        model.run(2)
    return pair


def poke(pair: list[TrilateralModel], seed: int) -> None:
    """The same edge values in each actor's drifting rows and their starting values, in both models."""
    rng = np.random.default_rng(seed)
    rows = pair[0].scenario.layout.rows
    for actor in ("DPRK", "CHN", "RUS"):
        for name in ROWS:
            row = rows[f"{actor}.{name}"]
            values, start = rng.choice(EDGE, R), rng.choice(EDGE, R)
            keep = rng.random(R) < 0.3
            for model in pair:
                model.x[row] = np.where(keep, model.x[row], values)
                model.start_state[row] = start


def drift(pair: list[TrilateralModel], monkeypatch: pytest.MonkeyPatch, plain: bool) -> None:
    """Each actor's capability growth and tempering (the part of ``act`` before its acts), in both models.

    With ``plain`` the compiled model runs the kernel as plain Python.
    """
    if plain:
        monkeypatch.setattr(kernels, "load", lambda: SimpleNamespace(threat_drift=source.threat_drift))
    with np.errstate(all="ignore"):
        for model in pair:
            for actor in model.agents_by_type[ThreatActor]:
                actor._drift()


def assert_same(pair: list[TrilateralModel]) -> None:
    a, b = pair[0].x, pair[1].x
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(bits(np.where(np.isnan(a), 0.0, a)), bits(np.where(np.isnan(b), 0.0, b)))


@pytest.mark.parametrize("plain", [False, True], ids=["compiled", "plain-python"])
@pytest.mark.parametrize("seed", [1, 2])
def test_capability_growth_and_tempering_match_numpy_on_edge_values(monkeypatch, seed, plain):
    pair = models()
    poke(pair, seed)
    drift(pair, monkeypatch, plain)
    assert_same(pair)
    rows = [pair[0].scenario.layout.rows[f"{a}.{n}"] for a in ("DPRK", "CHN", "RUS") for n in ROWS]
    assert np.isnan(pair[0].x[rows]).any() and np.isfinite(pair[0].x[rows]).any()  # the edges reached the rows


@pytest.mark.parametrize("plain", [False, True], ids=["compiled", "plain-python"])
def test_per_world_coefficients_and_the_sum_of_parts_signed_zero_match_numpy(monkeypatch, plain):
    """Per-world coefficients; and world 0, where only Python's ``sum`` (0 + part + part) gives +0.0."""
    rng = np.random.default_rng(3)
    pair = models()
    for name in ("growth_DPRK", "aggression_reversion", "engagement_gain"):
        values = rng.choice(EDGE, R)  # per world, edge values too (set directly: beyond the declared ranges)
        values[0] = {"aggression_reversion": -1.0, "engagement_gain": 1.0}.get(name, values[0])
        for model in pair:
            model.params[name] = values
    poke(pair, 4)
    rows = pair[0].scenario.layout.rows
    for model in pair:  # parts -0.0 and -0.0: (0 + -0.0) + -0.0 is +0.0, and -0.0 + +0.0 is +0.0
        model.x[rows["DPRK.aggressiveness"], 0] = model.start_state[rows["DPRK.aggressiveness"], 0] = -0.0
        model.x[rows["DPRK.engagement"], 0] = -1.0
    drift(pair, monkeypatch, plain)
    assert_same(pair)
    assert bits(pair[0].x[rows["DPRK.aggressiveness"], :1])[0] == 0  # +0.0


def test_the_compiled_engine_takes_the_kernel_only_with_the_record_off(monkeypatch):
    calls = []
    k = kernels.load()
    original = k.threat_drift
    monkeypatch.setattr(k, "threat_drift", lambda *a: calls.append(1) or original(*a))
    TrilateralModel("baseline", replications=8, seed=1, engine="compiled", record=False, turns=2).run()
    assert len(calls) == 6  # three actors, two turns
    calls.clear()
    recorded = TrilateralModel("baseline", replications=8, seed=1, engine="compiled", record=True, turns=2).run()
    assert not calls
    sources = {source.id for turn in recorded.state.recorder.turns for source in turn.changes}
    assert {"capability growth", "aggressiveness reverts", "engagement", "engagement fades"} <= sources
