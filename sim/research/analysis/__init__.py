"""Analysing a sweep folder: summaries, sensitivity indices, scenario discovery, trajectories, exploration.

Modules: ``summaries`` (per-point statistics read chunk by chunk), ``sensitivity`` (SALib
indices), ``prim`` and ``discovery`` (PRIM with run-counted significance tests, pasting,
covering, resampling stability, CART), ``trajectories`` (fan charts, time to event, typical
paths from per-turn records), ``exploratory`` (feature scores, dimensional stacking), ``plots``,
``plots_discovery`` and ``plots_paths`` (PNG files), ``stages`` and ``pipeline`` (:func:`analyze`,
which runs them on a sweep folder and writes ``DIR/analysis/``).
"""

from sim.research.analysis.discovery import Discovery, PrimBox, PrimResult, cart, cover, discover, prim, resample
from sim.research.analysis.exploratory import dimensional_stack, feature_scores
from sim.research.analysis.pipeline import ANALYSIS, AnalysisResult, DiscoveryOptions, analyze, print_analysis
from sim.research.analysis.stages import PathOptions
from sim.research.analysis.summaries import STATISTICS
from sim.research.analysis.trajectories import (
    Trajectories,
    cluster_paths,
    fan_table,
    first_turn,
    read_trajectories,
    time_to_event,
)

__all__ = [
    "ANALYSIS",
    "STATISTICS",
    "AnalysisResult",
    "Discovery",
    "DiscoveryOptions",
    "PathOptions",
    "PrimBox",
    "PrimResult",
    "Trajectories",
    "analyze",
    "cart",
    "cluster_paths",
    "cover",
    "dimensional_stack",
    "discover",
    "fan_table",
    "feature_scores",
    "first_turn",
    "prim",
    "print_analysis",
    "read_trajectories",
    "resample",
    "time_to_event",
]
