"""Fused numba kernels for a trigger group (a phase's rules, the events, an actor's acts, a government's cards).

Two kernels do what :func:`sim.engine.triggers.run_triggers` does with numpy, in the same order
and with the same IEEE operations, so the state they leave is bit-identical. A *generated*
decision kernel makes a few branch-free (vectorized) passes over the worlds, all reading the
state before the group: each trigger's firing (extra mask, ``once``, condition, chance draw),
whether it fired anywhere, and its non-constant effect values (constant ones are computed once,
by the numpy runtime). The shared :func:`~sim.engine.kernels.triggers_runtime.apply_group` then applies the
effects of the triggers that fired anywhere in file order, row by row over contiguous worlds,
each clipped to the variable's bounds, and counts the firings. Sub-expressions whose numpy
implementation is not a plain IEEE operation (``exp``, ``log``, ``sigmoid``, ``**``, ``normal``
draws) are computed by the numpy runtime before the kernel (see :mod:`sim.lang.expr_kernel`).

Kernels are generated from a group's compiled expressions only (never from scenario text) and
compiled once per distinct group per process: cached by the group's content (its code, rows,
counters and streams), so equal scenarios and re-runs share them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.lang.expr import _make_function
from sim.lang.expr_kernel import Slots, translate, translate_truth

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.lang.compiled import Trigger
    from sim.lang.expr import Expression
    from sim.lang.scenario import Scenario

SIGNATURE = (
    "void(f8[:, ::1], f8[:, ::1], f8[::1], u8[::1], u8[::1], f8[:, ::1], "
    "b1[:, ::1], i1[::1], b1, b1, b1[:, ::1], b1[::1], f8[:, ::1])"
)
"""The one signature every trigger kernel is compiled for (eagerly, so compile time is measured)."""

_ARGS = "x, pm, cv, keys, rep, hz, masks, modes, conditions, values, fired, anyf, vals"

GroupKey = tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Kernel:
    """A compiled trigger group: its kernel, what it reads and how long it took to compile."""

    run: Callable[..., None]
    first: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    sets: np.ndarray
    constant: np.ndarray
    constants: np.ndarray
    counters: np.ndarray
    params: tuple[int, ...]
    keys: tuple[int, ...]
    hoisted: tuple[Callable[..., Any], ...]
    streams: tuple[int, ...]
    source: str
    compile_seconds: float


def _constant(value: Expression) -> bool:
    """Whether an effect value reads nothing and draws nothing (then it is the same number every turn)."""
    return not value.names and not value.random


def _finite_constant(code: str) -> float:
    """The value the numpy path applies for a constant effect (its runtime value; NaN or infinite is 0)."""
    value = float(np.asarray(_make_function(code)(None, None, None, None), dtype=np.float64))
    return value if np.isfinite(value) else 0.0


class _Group:
    """A group of trigger objects, hashed by identity (holding them, so their ids stay theirs)."""

    def __init__(self, triggers: Sequence[Trigger]) -> None:
        self.triggers = tuple(triggers)
        self.ids = tuple(map(id, self.triggers))
        self.hash = hash(self.ids)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Group) and self.ids == other.ids


@lru_cache(maxsize=256)
def _group_kernel(group: _Group) -> Kernel:
    """The kernel of a group of trigger objects, found by their identity (their key is hashed only once)."""
    return kernel(group_key(group.triggers))


def group_key(triggers: Sequence[Trigger]) -> GroupKey:
    """Everything about a group that its kernel depends on (compiled code, rows, counters, streams)."""
    return tuple(
        (
            None if t.when is None else t.when.code,
            None if t.chance is None else t.chance.code,
            tuple((e.rows.start, e.rows.stop, e.op, e.value.code, _constant(e.value)) for e in t.effects),
            t.counter_row,
            bool(t.once),
            t.stream,
        )
        for t in triggers
    )


LOOP_TRIGGERS = 2
"""Triggers (or varying effect values) per loop over the worlds in a generated kernel.

A loop's body is branch-free, so LLVM vectorizes it, but only while it reads and writes few
enough arrays for its run-time overlap checks; two per loop measured fastest (baseline at
10,000 worlds: about 4x faster than one branchy loop for the whole group) at about 25% more
compile time than one loop."""


def _checks(i: int, entry: tuple[Any, ...], slots: Slots) -> list[str]:
    """Scalar code of a trigger's tests for world ``w`` (``once``, condition, chance draw), all to pass."""
    when, chance, _effects, counter, once, _stream = entry
    checks = []
    if once and counter is not None:
        checks.append(f"(x[{counter}, w] == 0.0)")
    if when is not None:
        checks.append(translate_truth(when, slots))
    if chance is not None:
        draw = f"_kuni(keys[{slots.slot(slots.keys, ('chance', i))}], rep[w])"
        checks.append(f"({draw} < _kprob({translate(chance, slots)}))")
    return checks


def _firing_loop(triggers: list[tuple[int, tuple[Any, ...]]], slots: Slots) -> list[str]:
    """One loop over the worlds deciding where each of ``triggers`` fires, and whether anywhere.

    Mode 0: no world can fire (an all-false mask); 1: no mask; 2: the trigger's mask row. Every
    test is evaluated in every world (expressions are pure, as on the numpy path) and combined
    with ``&``/``|``, so the body has no branches; unused tests cost less than mispredictions.
    """
    head, body, tail = [], ["    for w in range(n):"], []
    for i, entry in triggers:
        head += [f"    on{i} = modes[{i}] == 1", f"    mk{i} = modes[{i}] == 2", f"    a{i} = False"]
        checks = _checks(i, entry, slots)
        allowed = f"(on{i} | (mk{i} & masks[{i}, w * ms]))"
        if checks:
            body.append(f"        f{i} = {allowed} & (free | ({' & '.join(checks)}))")
        else:
            body.append(f"        f{i} = {allowed}")
        body += [f"        fired[{i}, w] = f{i}", f"        a{i} = a{i} | f{i}"]
        tail.append(f"    anyf[{i}] = a{i}")
    return head + body + tail


def generate(key: GroupKey) -> tuple[str, Slots]:
    """The source of a group's decision kernel (firings and effect values) and the slots it reads.

    Locals are assigned once (or once plus a loop update), which keeps numba's SSA pass quick.
    Non-constant effect values are computed in every world when ``values`` is true (read where
    the trigger fired, from the state before the group); constant ones once, in :func:`kernel`.
    """
    slots = Slots()
    lines = [
        f"def _group({_ARGS}):",
        "    n = x.shape[1]",
        "    ps = 1 if pm.shape[1] > 1 else 0",
        "    ms = 1 if masks.shape[1] > 1 else 0",
        "    free = not conditions",
    ]
    entries = list(enumerate(key))
    for c in range(0, len(entries), LOOP_TRIGGERS):
        lines += _firing_loop(entries[c : c + LOOP_TRIGGERS], slots)
    varying, first = [], 0
    for entry in key:
        varying += [(first + j, code) for j, (*_, code, constant) in enumerate(entry[2]) if not constant]
        first += len(entry[2])
    for c in range(0, len(varying), LOOP_TRIGGERS):
        lines += ["    if values:", "        for w in range(n):"]
        part = varying[c : c + LOOP_TRIGGERS]
        lines += [f"            vals[{k}, w] = _kfin({translate(code, slots)})" for k, code in part]
    return "\n".join(lines) + "\n", slots


@lru_cache(maxsize=512)
def _compile(source: str) -> tuple[Callable[..., None], float]:
    from numba import njit

    from sim.engine.kernels import cache
    from sim.engine.kernels.triggers_runtime import HELPERS

    # Named after the module its helpers come from: a kernel loaded from the disk cache rebuilds its
    # environment from that module (numba imports it by this name).
    namespace: dict[str, Any] = {
        "__builtins__": {"range": range},
        "__name__": "sim.engine.kernels.triggers_runtime",
        "np": np,
        **HELPERS,
    }
    # ``source`` holds only names, numbers and indices generated here and in sim.lang.expr_kernel.
    exec(compile(source, "<trigger-kernel>", "exec"), namespace)  # noqa: S102
    start = time.process_time()
    run = njit(cache=False, fastmath=False, error_model="numpy", nogil=True)(namespace["_group"])
    # Kept in the on-disk kernel cache under the generated source's hash (and the code's fingerprint).
    cache.enable(run, f"trigger.{hashlib.sha256(source.encode()).hexdigest()[:32]}", extra=source)
    run.compile(SIGNATURE)
    return run, time.process_time() - start


APPLIER_CACHE_NAME = "triggers_runtime.apply_group"
"""The shared effect applier's name in the on-disk kernel cache."""


@lru_cache(maxsize=1)
def _applier() -> Callable[..., None]:
    """The shared effect applier (``triggers_runtime.apply_group``), given the on-disk kernel cache once.

    Compiled, it and the helpers it calls take about a second, in every process that runs a
    trigger group; loaded from the cache, a few milliseconds.
    """
    from sim.engine.kernels import cache
    from sim.engine.kernels.triggers_runtime import apply_group

    cache.enable(apply_group, APPLIER_CACHE_NAME)
    return apply_group


@lru_cache(maxsize=512)
def kernel(key: GroupKey) -> Kernel:
    """The compiled kernel of a group (generated and compiled once per process)."""
    source, slots = generate(key)
    run, seconds = _compile(source)
    streams = tuple(int(key[item[1]][5]) if isinstance(item, tuple) else int(item) for item in slots.keys)
    effects = [effect for entry in key for effect in entry[2]]
    return Kernel(
        run=run,
        first=np.cumsum([0, *(len(entry[2]) for entry in key)], dtype=np.int64),
        starts=np.array([e[0] for e in effects], dtype=np.int64),
        stops=np.array([e[1] for e in effects], dtype=np.int64),
        sets=np.array([e[2] == "set" for e in effects], dtype=np.bool_),
        constant=np.array([e[4] for e in effects], dtype=np.bool_),
        constants=np.array([_finite_constant(e[3]) if e[4] else 0.0 for e in effects], dtype=np.float64),
        counters=np.array([-1 if entry[3] is None else entry[3] for entry in key], dtype=np.int64),
        params=tuple(slots.params),
        keys=tuple(slots.keys),
        hoisted=tuple(_make_function(code) for code in slots.hoisted),
        streams=streams,
        source=source,
        compile_seconds=seconds,
    )


def _parameters(model: TrilateralModel, params: tuple[int, ...]) -> np.ndarray:
    values = [model.p[i] for i in params]
    wide = any(isinstance(v, np.ndarray) and v.ndim for v in values)
    out = np.empty((len(values), model.replications if wide else 1))
    for j, v in enumerate(values):
        out[j] = v
    return out


def _masks(
    masks: Sequence[np.ndarray | None] | np.ndarray | None, count: int, replications: int
) -> tuple[np.ndarray, np.ndarray]:
    """The extra masks as a matrix (rows only where needed) and each trigger's mode (1 no mask, 2 its row).

    A (triggers x worlds) boolean matrix that is C-contiguous already (a government's chosen
    cards) is used as it is.
    """
    if isinstance(masks, np.ndarray) and masks.dtype == np.bool_ and masks.shape == (count, replications):
        if masks.flags.c_contiguous:
            return masks, np.full(count, 2, dtype=np.int8)
    modes = np.ones(count, dtype=np.int8)
    if masks is None or all(mask is None for mask in masks):
        return np.ones((count, 1), dtype=bool), modes
    out = np.empty((count, replications), dtype=bool)
    for i, mask in enumerate(masks):
        if mask is not None:
            modes[i] = 2
            out[i] = mask
    return out, modes


def run_group(
    model: TrilateralModel,
    triggers: Sequence[Trigger],
    masks: Sequence[np.ndarray | None] | np.ndarray | None,
    conditions: bool,
    apply: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Run a group's kernels on the model's state; return the fired masks (n, R) and whether each fired anywhere.

    With ``apply=False`` only the firings are decided (nothing changes).
    """
    apply_group = _applier()
    # The scenario's groups are the same objects every turn: their kernel is looked up by identity.
    compiled = _group_kernel(_Group(triggers))
    x, R = model.x, model.replications
    streams = model.streams
    keys = np.array([streams.key(model.turn, s) for s in compiled.streams], dtype=np.uint64)
    hz = np.empty((len(compiled.hoisted), R))
    for h, function in enumerate(compiled.hoisted):
        hz[h] = function(x, model.p, model.context, model.draws)
    mask_matrix, modes = _masks(masks, len(triggers), R)
    fired = np.empty((len(triggers), R), dtype=bool)  # the kernel writes every element
    vals = np.empty((len(compiled.starts), R))
    pm = _parameters(model, compiled.params)
    cv = np.array(model.context, dtype=np.float64)
    rep = np.ascontiguousarray(streams.replications, dtype=np.uint64)
    anywhere = np.zeros(len(triggers), dtype=bool)
    compiled.run(x, pm, cv, keys, rep, hz, mask_matrix, modes, conditions, apply, fired, anywhere, vals)
    if apply and anywhere.any():
        lo = np.ascontiguousarray(model.state.lo[:, 0], dtype=np.float64)
        hi = np.ascontiguousarray(model.state.hi[:, 0], dtype=np.float64)
        c = compiled
        effects = (c.first, c.starts, c.stops, c.sets, c.constant, c.constants, c.counters)
        apply_group(x, fired, anywhere, vals, *effects, lo, hi)
    return fired, anywhere


def scenario_groups(scenario: Scenario) -> list[Sequence[Trigger]]:
    """Every trigger group of a scenario's turn: rules by phase, events, acts by actor, cards by government."""
    groups: list[Sequence[Trigger]] = [*scenario.rules.values(), scenario.events]
    groups += [*scenario.acts.values(), *scenario.actions.values()]
    return [group for group in groups if group]


def compile_scenario(scenario: Scenario) -> float:
    """Compile the kernels of every trigger group of a scenario (once per process); return the CPU seconds it took.

    0 when they are compiled already (for ``trilat bench`` and for sweep workers that warm up).
    """
    start = time.process_time()
    for group in scenario_groups(scenario):
        kernel(group_key(group))
    return time.process_time() - start
