"""What a model keeps of past turns: every turn's indicators, or only what its caller records.

``TrilateralModel(keep=...)`` chooses. ``"all"`` (the default) keeps a snapshot of the indicators
after every turn in ``model.history``, a list indexed by turn (0 = the start), which the game,
its reports and ``explain`` read. An ensemble or a sweep that reads only the final state (or a
few listed turns) passes ``keep="final"`` or ``keep=[turns]``: ``model.history`` is then a
:class:`KeptHistory`, which holds the last two turns (strategies read the last change) and the
listed turns, and refuses, with a clear error, any other past turn instead of answering wrongly.
The results are bit-identical whatever is kept: only memory differs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from sim.errors import UsageError

Snapshot = dict[str, np.ndarray]
"""The indicators of every world after one turn (views into one copied block)."""

KEEP_ALL = "all"
KEEP_FINAL = "final"


def as_keep(keep: Any) -> frozenset[int] | None:
    """The turns to keep for ``keep`` (None: all of them).

    Raises:
        UsageError: for anything but ``"all"``, ``"final"`` or a list of turn numbers >= 0.
    """
    if isinstance(keep, str):
        if keep == KEEP_ALL:
            return None
        if keep == KEEP_FINAL:
            return frozenset()
        raise UsageError(f"keep must be 'all', 'final' or a list of turns, got {keep!r}")
    try:
        turns = list(keep)
    except TypeError:
        raise UsageError(f"keep must be 'all', 'final' or a list of turns, got {keep!r}") from None
    for turn in turns:
        if isinstance(turn, bool) or not isinstance(turn, int | np.integer) or turn < 0:
            raise UsageError(f"keep: a turn is a whole number >= 0 (0 = the start), got {turn!r}")
    return frozenset(int(turn) for turn in turns)


def new_history(kept: frozenset[int] | None, start: Snapshot) -> list[Snapshot] | KeptHistory:
    """The history of a model at turn 0: a plain list (keep everything) or a :class:`KeptHistory`."""
    if kept is None:
        return [start]
    history = KeptHistory(kept)
    history.append(start)
    return history


class KeptHistory(Sequence[Snapshot]):
    """Past turns' indicators, keeping only the listed turns and the last two.

    Indexed like the full list (``history[turn]``, ``history[-1]`` the latest, ``len`` the
    number of turns recorded so far including the start), so readers of the last change work
    unchanged; a turn that was not kept raises :class:`~sim.errors.UsageError`.
    """

    def __init__(self, kept: frozenset[int]) -> None:
        self.kept_turns = kept
        self._kept: dict[int, Snapshot] = {}
        self._recent: list[Snapshot] = []
        self._count = 0

    def append(self, snapshot: Snapshot) -> None:
        """Record the snapshot of the next turn (the first is turn 0, the start)."""
        turn = self._count
        if turn in self.kept_turns:
            self._kept[turn] = snapshot
        self._recent = [*self._recent[-1:], snapshot]
        self._count += 1

    def clear(self) -> None:
        """Forget every snapshot (a finished chunk frees its memory)."""
        self._kept.clear()
        self._recent = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Snapshot: ...

    @overload
    def __getitem__(self, index: slice) -> list[Snapshot]: ...

    def __getitem__(self, index: int | slice) -> Snapshot | list[Snapshot]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        turn = index + self._count if index < 0 else index
        if not 0 <= turn < self._count:
            raise IndexError(f"turn {index} is not recorded (turns 0..{self._count - 1} were played)")
        if turn >= self._count - len(self._recent):
            return self._recent[turn - (self._count - len(self._recent))]
        if turn in self._kept:
            return self._kept[turn]
        listed = ", ".join(str(t) for t in sorted(self._kept)) or "none"
        raise UsageError(
            f"turn {turn} was not kept: this model keeps the last two turns and the listed ones ({listed}); "
            "pass keep='all' (or list the turn in keep=) to read it"
        )

    def __iter__(self) -> Iterator[Snapshot]:
        return (self[i] for i in range(self._count))
