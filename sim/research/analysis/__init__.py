"""Analysing a sweep folder: summaries, sensitivity indices (Sobol, Morris), PRIM discovery and plots.

Modules: ``summaries`` (per-point statistics read chunk by chunk), ``sensitivity`` (SALib
indices), ``discovery`` (PRIM), ``plots`` (PNG files), ``pipeline`` (:func:`analyze`, which
runs them all on a sweep folder and writes ``DIR/analysis/``).
"""

from sim.research.analysis.discovery import Discovery, PrimBox, PrimResult, discover, prim
from sim.research.analysis.pipeline import ANALYSIS, AnalysisResult, analyze, print_analysis
from sim.research.analysis.summaries import STATISTICS

__all__ = [
    "ANALYSIS",
    "STATISTICS",
    "AnalysisResult",
    "Discovery",
    "PrimBox",
    "PrimResult",
    "analyze",
    "discover",
    "prim",
    "print_analysis",
]
