"""Trilat's simulation engine: scenario loading, the expression compiler and the ensemble Mesa model."""

from sim.errors import ScenarioError, TrilatError, UsageError
from sim.model import INDICATORS, TrilateralModel
from sim.scenario import Scenario, library_ids, load_scenario

__all__ = [
    "INDICATORS",
    "Scenario",
    "ScenarioError",
    "TrilatError",
    "TrilateralModel",
    "UsageError",
    "library_ids",
    "load_scenario",
]

__version__ = "0.1.0"
