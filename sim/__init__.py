"""Trilat's simulation engine: scenario loading, the expression compiler and the ensemble Mesa model.

``from sim import TrilateralModel, load_scenario`` is the public entry point. The names are
loaded lazily so that ``agents`` can import ``sim``'s leaf modules without a cycle.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "INDICATORS": "sim.engine.model",
    "TrilateralModel": "sim.engine.model",
    "Scenario": "sim.lang.scenario",
    "library_ids": "sim.lang.scenario",
    "load_scenario": "sim.lang.scenario",
    "ScenarioError": "sim.errors",
    "TrilatError": "sim.errors",
    "UsageError": "sim.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute '{name}'")
    return getattr(import_module(module), name)
