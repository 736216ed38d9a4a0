"""Cause and effect: which rules, events, actions and behaviours moved each indicator in a turn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import UsageError
from sim.layout import GOVERNMENTS, PAIRS

if TYPE_CHECKING:
    from sim.model import TrilateralModel

EXPLAINED: tuple[str, ...] = (
    *(f"tie.{pair}" for pair in PAIRS),
    "trilateral",
    "institutionalization",
    "deterrence",
    *(f"{g}.{v}" for g in GOVERNMENTS for v in ("approval", "polarization", "threat")),
)
"""Indicators ``--explain`` reports, in display order."""

NEGLIGIBLE = 1e-9


def contributions(model: TrilateralModel, turn: int, top: int | None = None) -> dict[str, dict[str, Any]]:
    """``{indicator: {"total": change, "parts": [(source, change), ...]}}`` for one turn.

    Parts are sorted by size; they sum to the total up to floating-point rounding. Pair ties
    are the domain-weighted sum of their domain rows, exactly as the tie itself is.
    """
    recorder = model.state.recorder
    if not recorder.enabled:
        raise UsageError("this model was created with record=False: there is no cause-and-effect record")
    records = [r for r in recorder.turns if r.turn == turn]
    if not records:
        raise UsageError(f"no record for turn {turn} (turns played: {model.turn})")
    changes = records[0].changes
    layout = model.scenario.layout
    weights = layout.domain_weights
    out: dict[str, dict[str, Any]] = {}
    for name in EXPLAINED:
        if name.startswith("tie."):
            rows = layout.tie_rows(name[4:])
            per_source = {source: float(weights @ vec[rows]) for source, vec in changes.items()}
        else:
            row = layout.rows[name]
            per_source = {source: float(vec[row]) for source, vec in changes.items()}
        parts = sorted(
            ((source, value) for source, value in per_source.items() if abs(value) > NEGLIGIBLE),
            key=lambda item: -abs(item[1]),
        )
        before = model.history[turn - 1][name] if turn - 1 < len(model.history) else None
        after = model.history[turn][name] if turn < len(model.history) else None
        total = float(np.mean(after - before)) if before is not None and after is not None else sum(v for _, v in parts)
        out[name] = {"total": total, "parts": parts[:top] if top else parts}
    return out
