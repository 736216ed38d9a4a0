"""Running compiled rules, events, threat acts and action cards over an ensemble.

Within one call to :func:`run_triggers`, every trigger's condition, chance and effect values
are evaluated against the same state; only then are the effects applied, in file order. So the
rules of a phase do not see each other's effects; the next phase does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.sources import Source
from sim.lang.compiled import Trigger

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel


@dataclass
class Firing:
    """What one trigger (or an election) did this turn, for the narrative log.

    ``source`` says what fired (its kind, owner and id); ``citation`` is the essay the
    scenario cites for it (``""`` if none).
    """

    turn: int
    quarter: str
    phase: str
    source: Source
    title: str
    say: str
    citation: str
    worlds: int
    in_story: bool

    @property
    def label(self) -> str:
        """The canonical label of what fired (``act:DPRK.missile_test``), as the JSON story writes it."""
        return self.source.label


def as_mask(value: object, replications: int) -> np.ndarray:
    """A boolean mask over replications from a scalar or array condition (NaN counts as false)."""
    arr = np.asarray(value)
    if arr.dtype != np.bool_:
        with np.errstate(invalid="ignore"):
            numbers = arr.astype(np.float64)
            arr = (numbers != 0) & (numbers == numbers)  # non-zero and not NaN (infinities are true)
    return np.broadcast_to(arr, (replications,))


def _finite(value: object, replications: int) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(replications, arr if np.isfinite(arr) else 0.0)
    return np.where(np.isfinite(arr), arr, 0.0)


def evaluate(
    model: TrilateralModel, trigger: Trigger, mask: np.ndarray | None = None, conditions: bool = True
) -> np.ndarray:
    """Which replications the trigger fires in this turn (extra mask, once, condition, chance).

    With ``conditions=False`` only the mask counts (used for cards already checked and paid for).
    """
    x, p, c, draws = model.x, model.p, model.context, model.draws
    R = model.replications
    fired = np.ones(R, dtype=bool) if mask is None else mask.copy()
    if not conditions:
        return fired
    if trigger.once and trigger.counter_row is not None:
        fired &= x[trigger.counter_row] == 0
    if trigger.when is not None and fired.any():
        fired &= as_mask(trigger.when(x, p, c, draws), R)
    if trigger.chance is not None and fired.any():
        # NaN counts as 0; +inf as certainty (like any probability above 1).
        chance = np.asarray(trigger.chance(x, p, c, draws), dtype=np.float64)
        probability = np.broadcast_to(np.nan_to_num(chance, nan=0.0, posinf=1.0, neginf=0.0), (R,))
        fired &= model.streams.uniform(model.turn, trigger.stream) < probability
    return fired


def compiled_engine(model: TrilateralModel) -> bool:
    """Whether this run's triggers go through the fused kernels.

    Only with ``engine="compiled"`` and the cause record off (the record is kept on the numpy
    path, the reference, which the kernels match bit for bit).
    """
    return getattr(model, "engine", "numpy") == "compiled" and not model.state.recorder.enabled


def evaluate_all(model: TrilateralModel, triggers: Sequence[Trigger]) -> np.ndarray:
    """Which replications each trigger would fire in (condition, chance), shape (n, R); nothing is applied.

    The same as stacking :func:`evaluate` for each trigger (used for the availability of cards).
    """
    unconditional = all(
        t.when is None and t.chance is None and not (t.once and t.counter_row is not None) for t in triggers
    )
    if triggers and unconditional:
        return np.ones((len(triggers), model.replications), dtype=bool)
    if triggers and compiled_engine(model):
        from sim.engine.kernels.triggers import run_group

        return run_group(model, triggers, None, True, apply=False)[0]
    return np.array([evaluate(model, trigger) for trigger in triggers])


def _run_compiled(
    model: TrilateralModel,
    triggers: Sequence[Trigger],
    masks: Sequence[np.ndarray | None] | np.ndarray | None,
    conditions: bool,
) -> list[np.ndarray]:
    from sim.engine.kernels.triggers import run_group

    fired, anywhere = run_group(model, triggers, masks, conditions)
    state = model.state
    for trigger, mask, planned in zip(triggers, fired, anywhere, strict=True):
        if planned:
            if not state.all_ties_stale:
                for effect in trigger.effects:
                    state._touch(effect.rows)  # as state.apply does on the numpy path
            model.log_firing(trigger, mask, trigger.cause)
    if anywhere.any():
        state.refresh_ties()
    return list(fired)


def run_triggers(
    model: TrilateralModel,
    triggers: Sequence[Trigger],
    masks: Sequence[np.ndarray | None] | np.ndarray | None = None,
    conditions: bool = True,
) -> list[np.ndarray]:
    """Evaluate then apply a group of triggers simultaneously; return each one's fired mask.

    ``masks`` holds one extra mask (or None) per trigger: a list, or a (triggers x worlds)
    boolean matrix, which the compiled engine reads as it is.
    """
    if triggers and compiled_engine(model):
        return _run_compiled(model, triggers, masks, conditions)
    x, p, c, draws = model.x, model.p, model.context, model.draws
    R = model.replications
    planned = []
    fired_all = []
    for i, trigger in enumerate(triggers):
        fired = evaluate(model, trigger, None if masks is None else masks[i], conditions)
        fired_all.append(fired)
        if not fired.any():
            continue
        values = []
        for effect in trigger.effects:
            value = _finite(effect.value(x, p, c, draws), R)
            values.append((effect, value))
        planned.append((trigger, fired, values))
    state = model.state
    for trigger, fired, values in planned:
        source = trigger.cause
        for effect, value in values:
            if effect.op == "set":
                current = x[effect.rows]
                delta = np.where(fired, value, current) - current
            else:
                delta = np.where(fired, value, 0.0)
            state.apply(effect.rows, delta, source)
        if trigger.counter_row is not None:
            x[trigger.counter_row] += fired
        model.log_firing(trigger, fired, source)
    if planned:
        state.refresh_ties()
    return fired_all
