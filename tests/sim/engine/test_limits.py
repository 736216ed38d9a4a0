"""Declared resource limits: refused up front with the limit named, before anything is allocated."""

from __future__ import annotations

import pytest

from sim import TrilateralModel
from sim.engine import limits
from sim.engine.limits import MAX_SHADOWS
from sim.engine.runner import run_ensemble
from sim.errors import UsageError
from sim.lang.scenario import load_scenario
from sim.play.session import GameSession, GameSettings


def test_turns_over_the_limit_are_refused():
    with pytest.raises(UsageError, match=r"turns is at most 1000 \(got 5000\)"):
        TrilateralModel("baseline", turns=5000)


def test_a_run_that_cannot_fit_in_memory_is_refused_with_the_estimate(monkeypatch):
    monkeypatch.setattr(limits, "available_memory", lambda: 64 * 2**20)
    with pytest.raises(UsageError, match=r"need about .* GiB of memory; this machine has 0\.1 GiB available"):
        TrilateralModel("baseline", replications=200_000)
    TrilateralModel("baseline", replications=10)  # small runs still fit


def test_an_ensemble_whose_results_cannot_fit_is_refused_before_allocating(monkeypatch):
    monkeypatch.setattr(limits, "available_memory", lambda: 2**30)
    with pytest.raises(UsageError, match=r"1,000,000,000,000 runs keep about"):
        run_ensemble(load_scenario("baseline"), runs=10**12, seed=1)


def test_replication_indices_are_bounded():
    with pytest.raises(UsageError, match=r"at most 2\*\*62"):
        TrilateralModel("baseline", replication_ids=[2**62 + 1])


def test_estimate_grows_with_replications_and_turns():
    small = limits.estimate_bytes(177, 1000, 16)
    assert limits.estimate_bytes(177, 2000, 16) == 2 * small
    assert limits.estimate_bytes(177, 1000, 64) > small


def test_a_game_refuses_too_many_shadow_worlds():
    settings = GameSettings(scenario="baseline", shadows=MAX_SHADOWS + 1, turns=2)
    with pytest.raises(UsageError, match=r"shadows: must be less than or equal to 100000"):
        GameSession(settings)
