"""Ensemble state and the cause-and-effect record.

:class:`WorldState` holds every state variable as one row of a (rows, replications) matrix.
All changes go through :meth:`WorldState.apply`, which clips to the variable's bounds and
credits the change actually made to a :class:`~sim.engine.sources.Source` (a rule, event, threat
act, action card, behaviour ...). The :class:`Recorder` keeps, per turn, the mean change each
source made to each row over the replications (exact for a single run).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from sim.engine.layout import PAIRS, Layout
from sim.engine.sources import BOUNDS, Source


def elementwise_sum(arrays: Iterable[np.ndarray]) -> np.ndarray:
    """Sum arrays one after another, element by element.

    Unlike ``@`` or ``.sum(axis=...)``, the order of additions for each world does not depend on
    how many worlds there are, so a replication's result is bit-identical in any ensemble size.
    """
    iterator = iter(arrays)
    total = np.array(next(iterator), dtype=np.float64, copy=True)
    for array in iterator:
        total += array
    return total


def zero_nonfinite(values: np.ndarray) -> np.ndarray:
    """``values`` with NaN and infinities set to 0, in place.

    The numbers of ``np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)`` in fewer numpy calls.
    """
    values[~np.isfinite(values)] = 0.0
    return values


def pair_index(ties: np.ndarray, weakest_weight: float | np.ndarray) -> np.ndarray:
    """Trilateral index of pair ties (3, R): weakest_weight * min + (1 - weakest_weight) * mean."""
    low = np.minimum(np.minimum(ties[0], ties[1]), ties[2])
    mean = elementwise_sum(ties) / 3.0
    return weakest_weight * low + (1 - weakest_weight) * mean


_PAIRS_STALE = (1 << len(PAIRS)) - 1
"""Stale bits of the three pair ties (bit k: ``PAIRS[k]``)."""
_INDEX_STALE = 1 << len(PAIRS)
"""Stale bit of the trilateral index alone (it is recomputed whenever anything is stale)."""
_ALL_STALE = _PAIRS_STALE | _INDEX_STALE


def _as_2d(delta: np.ndarray | float, x: np.ndarray) -> np.ndarray:
    """A change as a 2-D float array (rows x worlds, either axis possibly 1) for the apply kernel."""
    array = np.asarray(delta, dtype=np.float64)
    if np.may_share_memory(array, x):
        array = array.copy()  # the kernel writes x while it reads the change: read a copy
    if array.ndim == 2:
        return array
    return array.reshape((1, -1) if array.ndim == 1 else (1, 1))


@dataclass
class TurnRecord:
    """Mean change per source and row during one turn."""

    turn: int
    changes: dict[Source, np.ndarray] = field(default_factory=dict)
    index_weights: np.ndarray | None = None
    """Mean weight of each pair tie in the trilateral index at the end of the turn."""


class Recorder:
    """Accumulates per-source changes; can be switched off for speed."""

    def __init__(self, rows: int, enabled: bool = True) -> None:
        self.rows = rows
        self.enabled = enabled
        self.turns: list[TurnRecord] = []

    def begin_turn(self, turn: int) -> None:
        """Start recording a new turn."""
        if self.enabled:
            self.turns.append(TurnRecord(turn))

    def add(self, source: Source, rows: slice, change: np.ndarray) -> None:
        """Credit ``change`` (shape (n_rows, R) or (R,)) on ``rows`` to ``source``."""
        if self.enabled and self.turns:
            # np.add.reduce avoids np.mean's Python-level overhead (this runs for every update).
            self.add_mean(source, rows, np.add.reduce(change, axis=-1) / change.shape[-1])

    def add_mean(self, source: Source, rows: slice, mean_change: np.ndarray | float) -> None:
        """Credit an already averaged change (one value per row) to ``source``."""
        if not self.enabled or not self.turns:
            return
        changes = self.turns[-1].changes
        vector = changes.get(source)
        if vector is None:
            vector = changes[source] = np.zeros(self.rows)
        vector[rows] += mean_change


class WorldState:
    """The state matrix of an ensemble plus bound-respecting, recorded updates.

    With ``compiled=True`` the updates and the tie refresh run as numba kernels
    (:mod:`sim.engine.kernels`), with the same bits as the numpy code here. ``initial`` is
    either one value per row (repeated over the worlds) or the whole (rows, R) float64 matrix,
    which the state then uses as its ``x`` without copying it.
    """

    def __init__(
        self, layout: Layout, initial: np.ndarray, replications: int, record: bool = True, compiled: bool = False
    ) -> None:
        self.layout = layout
        self.compiled = compiled
        self._kernels = None
        if compiled:
            from sim.engine import kernels

            self._kernels = kernels.load()
        if initial.ndim == 2:
            if initial.shape != (layout.size, replications) or initial.dtype != np.float64:
                raise ValueError(f"initial state must be float64 of shape {(layout.size, replications)}")
            self.x = initial  # adopted, not copied (the model builds it for this state)
        else:
            self.x = np.repeat(initial[:, None], replications, axis=1)
        self.replications = replications
        self.lo = layout.lo[:, None]
        # Float bounds for the kernels (layout.lo may hold integers; the values are the same).
        self._lo_float = np.asarray(layout.lo, dtype=np.float64)
        self._hi_float = np.asarray(layout.hi, dtype=np.float64)
        self.hi = layout.hi[:, None]
        self.recorder = Recorder(layout.size, record)
        self._pair_rows = [layout.tie_rows(pair) for pair in PAIRS]
        self._pair_agg = [layout.rows[f"tie.{pair}"] for pair in PAIRS]
        self._index_row = layout.rows["trilateral"]
        self.weakest_weight: float | np.ndarray = 0.5
        self._weakest_cache: tuple[float | np.ndarray, np.ndarray] | None = None
        self._weakest_spread: tuple[np.ndarray, np.ndarray] | None = None
        self._domain_weights = np.asarray(layout.domain_weights, dtype=np.float64)
        # What a change of each row makes stale: bit k for pair k (its domains or its tie), the
        # index bit for the index row. Rows between them (institutionalization ...) make nothing stale.
        self._stale_bits: dict[int, int] = {self._index_row: _INDEX_STALE}
        for k, (rows, agg) in enumerate(zip(self._pair_rows, self._pair_agg, strict=True)):
            for r in (*range(rows.start, rows.stop), agg):
                self._stale_bits[r] = self._stale_bits.get(r, 0) | (1 << k)
        self._reaches_ties: dict[slice, int] = {}  # per row slice (slices are hashable from Python 3.12)
        self._pair_starts = np.array([rows.start for rows in self._pair_rows], dtype=np.int64)
        self._pair_agg_rows = np.array(self._pair_agg, dtype=np.int64)
        self._stale = _ALL_STALE
        self.refresh_ties()

    @property
    def float_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's lower and upper bound as float64 vectors (what the kernels read)."""
        return self._lo_float, self._hi_float

    def row(self, name: str) -> np.ndarray:
        """The values of one variable across replications (a view)."""
        return self.x[self.layout.rows[name]]

    @property
    def ties_stale(self) -> bool:
        """Whether a row the pair ties or the index are made of changed since the last refresh.

        Setting it True makes every pair and the index stale; False marks them fresh.
        """
        return self._stale != 0

    @ties_stale.setter
    def ties_stale(self, stale: bool) -> None:
        self._stale = _ALL_STALE if stale else 0

    @property
    def all_ties_stale(self) -> bool:
        """Whether every pair tie and the index are stale already (a further change adds nothing)."""
        return self._stale == _ALL_STALE

    def _touch(self, rows: slice) -> None:
        """Mark stale the pairs whose rows ``rows`` reach (a domain or the pair's tie), and the index if it does."""
        if self._stale == _ALL_STALE:
            return
        if not isinstance(rows, slice):
            self._stale = _ALL_STALE
            return
        reaches = self._reaches_ties.get(rows)
        if reaches is None:
            reaches = 0
            for r in range(*rows.indices(self.layout.size)):
                reaches |= self._stale_bits.get(r, 0)
            self._reaches_ties[rows] = reaches
        self._stale |= reaches

    def apply(self, rows: slice, delta: np.ndarray | float, source: Source) -> np.ndarray:
        """Add ``delta`` to ``rows`` within bounds; credit the actual change to ``source``."""
        self._touch(rows)
        if self._kernels is not None and isinstance(rows, slice) and rows.step in (None, 1):
            start = rows.start if rows.start is not None else 0
            n = len(range(*rows.indices(self.layout.size)))
            change = np.empty((n, self.replications))
            self._kernels.apply_rows(
                self.x, start, _as_2d(delta, self.x), self._lo_float, self._hi_float, change, False
            )
            self.recorder.add(source, rows, change)
            return change
        old = self.x[rows]
        new = np.minimum(np.maximum(old + delta, self.lo[rows]), self.hi[rows])
        change = new - old
        self.x[rows] = new
        self.recorder.add(source, rows, change)
        return change

    def apply_parts(self, rows: slice, parts: Iterable[tuple[Source, np.ndarray]]) -> None:
        """Apply the sum of several parts at once, crediting each part's source; clipping goes to ``BOUNDS``."""
        parts = list(parts)
        total = sum(delta for _, delta in parts)
        old = self.x[rows].copy()
        if self._kernels is not None and isinstance(rows, slice) and rows.step in (None, 1):
            self._touch(rows)
            change = np.empty(old.shape)
            lo, hi = self._lo_float, self._hi_float
            self._kernels.apply_rows(self.x, rows.start or 0, _as_2d(total, self.x), lo, hi, change, True)
            new = self.x[rows]
        else:
            self._touch(rows)
            new = np.clip(old + total, self.lo[rows], self.hi[rows])
            self.x[rows] = new
        recorder = self.recorder
        if recorder.enabled:
            for source, delta in parts:
                recorder.add(source, rows, np.broadcast_to(delta, old.shape))
            clipped = (new - old) - total
            if np.any(clipped):
                recorder.add(BOUNDS, rows, clipped)

    def set(self, name: str, value: np.ndarray | float, source: Source) -> None:
        """Set a variable (within bounds), crediting the change to ``source``."""
        row = self.layout.rows[name]
        self.apply(slice(row, row + 1), np.asarray(value) - self.x[row], source)

    def refresh_ties(self, force: bool = False) -> None:
        """Recompute the stale pairs' ties (weighted mean of their domains), then the trilateral index.

        A pair is stale when one of its domain rows or its tie changed through
        :meth:`apply`/:meth:`apply_parts` (or was marked) since the last refresh; a pair that is
        not stale would be recomputed to the same bits, so it is skipped, and nothing is done when
        no pair and not the index is stale. ``force=True`` recomputes every pair (after writing
        ``x`` directly).
        """
        stale = _ALL_STALE if force else self._stale
        if not stale:
            return
        self._stale = 0
        pairs = stale & _PAIRS_STALE
        if self._kernels is not None:
            weakest = self._weakest_array()
            if len(weakest) != self.replications:
                weakest = self._weakest_per_world(weakest)
            self._kernels.refresh_ties(
                self.x, self._pair_starts, self._pair_agg_rows, self._domain_weights, self._index_row, weakest, pairs
            )
            return
        weights = self.layout.domain_weights
        for k, (rows, agg) in enumerate(zip(self._pair_rows, self._pair_agg, strict=True)):
            if pairs >> k & 1:
                block = self.x[rows]
                self.x[agg] = elementwise_sum(w * row for w, row in zip(weights, block, strict=True))
        self.x[self._index_row] = pair_index(self.pair_ties(), self.weakest_weight)

    def index_weights(self) -> np.ndarray:
        """Weight of each pair tie in the trilateral index, per world, shape (3, R)."""
        if self._kernels is not None:
            out = np.empty((len(PAIRS), self.replications))
            self._kernels.index_weights(self.x, self._pair_agg_rows, self._weakest_array(), out)
            return out
        ties = self.pair_ties()
        weakest = ties.argmin(axis=0)
        a = self.weakest_weight
        return np.array([(1 - a) / 3 + a * (weakest == k) for k in range(len(PAIRS))])

    def _weakest_array(self) -> np.ndarray:
        """``weakest_weight`` as a float64 vector for the kernels: one value, or one per world (cached)."""
        value = self.weakest_weight
        if isinstance(value, np.ndarray):  # per world: read as it is now, never a stale copy
            return np.ascontiguousarray(value, dtype=np.float64).reshape(-1)
        cached = self._weakest_cache
        if cached is None or cached[0] is not value:
            array = np.array(value, dtype=np.float64).reshape(-1)
            cached = self._weakest_cache = (value, array)
        return cached[1]

    def _weakest_per_world(self, weakest: np.ndarray) -> np.ndarray:
        """One ``weakest_weight`` spread over the worlds (kept while it is the same one value)."""
        spread = self._weakest_spread
        if spread is None or spread[0] is not weakest:
            spread = self._weakest_spread = (weakest, np.array(np.broadcast_to(weakest, (self.replications,))))
        return spread[1]

    def pair_ties(self) -> np.ndarray:
        """The three pair ties, shape (3, R)."""
        return self.x[self._pair_agg]

    @property
    def pair_tie_rows(self) -> np.ndarray:
        """The rows of the three pair ties (in ``PAIRS`` order), int64, as the kernels read them."""
        return self._pair_agg_rows
