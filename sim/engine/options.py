"""The model's options checked and normalised: seed, replications, turns, record, strategies, parameters.

Each function turns one keyword argument of :class:`sim.engine.model.TrilateralModel` into the
value the model uses, or raises :class:`~sim.errors.UsageError` with a message for the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from agents.strategies import Strategy
from sim.engine.layout import GOVERNMENTS
from sim.engine.limits import MAX_REPLICATION_ID, MAX_REPLICATIONS
from sim.errors import UsageError, did_you_mean
from sim.lang.compiled_scenario import Scenario


def as_seed(value: Any) -> int:
    """The model's seed: a non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise UsageError(f"seed must be a non-negative integer, got {value!r}")
    if value < 0:
        raise UsageError(f"seed must be a non-negative integer, got {value}")
    return int(value)


def as_replication_ids(replications: Any, replication_ids: Any) -> np.ndarray:
    """The replication indices to carry: ``replication_ids`` if given, else ``0 .. replications-1``."""
    if replication_ids is None:
        if isinstance(replications, bool) or not isinstance(replications, int | np.integer) or replications < 1:
            raise UsageError(f"replications must be a positive integer, got {replications!r}")
        if replications > MAX_REPLICATIONS:
            raise UsageError(f"replications is at most {MAX_REPLICATIONS} per model")
        return np.arange(int(replications), dtype=np.int64)
    ids = np.asarray(replication_ids)
    if ids.dtype == bool or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
        raise UsageError(f"replication_ids must be a non-empty list of non-negative integers, got {replication_ids!r}")
    ids = ids.astype(np.int64)
    if ids.ndim != 1 or len(ids) == 0 or (ids < 0).any():
        raise UsageError("replication_ids must be a non-empty list of non-negative integers")
    if len(ids) > MAX_REPLICATIONS:
        raise UsageError(f"replications is at most {MAX_REPLICATIONS} per model")
    if (ids > MAX_REPLICATION_ID).any():
        raise UsageError(f"a replication index is at most 2**62 (got {int(ids.max())})")
    return ids


def as_turns(turns: Any, default: int) -> int:
    """The number of turns to run: ``turns``, or the scenario's ``default`` if None."""
    if turns is None:
        return default
    if isinstance(turns, bool) or not isinstance(turns, int | np.integer) or turns < 1:
        raise UsageError(f"turns must be an integer of at least 1, got {turns!r}")
    return int(turns)


def as_record(record: Any, replications: int) -> bool:
    """``record``: None means on for a single story and off for an ensemble."""
    if record is None:
        return replications == 1
    if not isinstance(record, bool | np.bool_):
        raise UsageError(f"record must be True, False or None, got {record!r}")
    return bool(record)


def strategy_choices(spec: Scenario, strategies: Any) -> dict[str, str | Strategy]:
    """Each government's strategy: the scenario's, overridden by ``strategies``."""
    chosen: dict[str, str | Strategy] = {g: spec.facts.strategies[g] for g in GOVERNMENTS}
    if strategies is None:
        return chosen
    if not isinstance(strategies, Mapping):
        raise UsageError(f"strategies must map a government to a strategy name, got {strategies!r}")
    for gov, strategy in strategies.items():
        if gov not in GOVERNMENTS:
            raise UsageError(f"unknown government '{gov}'{did_you_mean(str(gov), GOVERNMENTS)}")
        if not isinstance(strategy, str | Strategy):
            raise UsageError(f"strategy for {gov} must be a strategy name, got {strategy!r}")
        chosen[gov] = strategy
    return chosen


def parameter_values(parameters: Any, swept: Mapping[str, Any]) -> dict[str, Any]:
    """Scenario parameter values from ``parameters=`` and keyword arguments (as ``mesa.batch_run`` passes them)."""
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, Mapping) or not all(isinstance(name, str) for name in parameters):
        raise UsageError(f"parameters must map parameter names to values, got {parameters!r}")
    both = sorted(set(parameters) & set(swept))
    if both:
        names = ", ".join(f"'{name}'" for name in both)
        raise UsageError(f"parameter {names} given both in parameters= and as a keyword argument; give it once")
    return {**parameters, **swept}
