"""The one reader of a sweep's results parts for analysis: damaged parts are named, skipped and counted.

:class:`PartReader` first checks every part the manifest lists as done (its footer, rows and
content digest: :func:`~sim.research.sweep.damage.skip_damaged_parts`), then reads the parts for
the analysis modules. A part that still fails to read (it changed meanwhile, or its footer
metadata is damaged beyond what the digest covers) is named in a warning on stderr and skipped
like a damaged one, so every table of one analysis leaves out the same runs, and
:meth:`PartReader.notes` and :meth:`PartReader.skipped_table` say how many runs were left out
and which parts to re-run. Nothing here raises on a damaged part.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.research.sweep import PARTS, ChunkRecord, ChunkStatus, Manifest, part_is_valid, part_path
from sim.research.sweep.damage import chunk_fault, skipped_note


@dataclass
class PartReader:
    """Reads the results parts of one sweep for one analysis, skipping and counting damaged ones.

    Attributes:
        out: the sweep folder.
        manifest: its manifest (chunks with damaged parts are marked pending in memory).
        skipped: per skipped chunk id, the chunk, its part file at fault and what was wrong with it.
    """

    out: Path
    manifest: Manifest
    skipped: dict[int, tuple[ChunkRecord, Path, str]] = field(default_factory=dict)

    @classmethod
    def open(cls, out: Path, manifest: Manifest, verify: bool = True) -> PartReader:
        """A reader of ``out``'s parts, after checking every part it will read (``verify``: their digests)."""
        reader = cls(Path(out), manifest)
        for chunk in manifest.chunks:
            # Done chunks, and parts written after the manifest's last update (a sweep still running).
            if reader.usable(chunk):
                fault = chunk_fault(reader.out, chunk, manifest.keep_trajectories, verify)
                if fault is not None:
                    reader._skip(chunk, *fault, warn=False)
        if reader.skipped:
            print(f"warning: {reader.out}: {reader.notes()[0]}", file=sys.stderr)
        return reader

    def _skip(self, chunk: ChunkRecord, path: Path, problem: str, warn: bool = True) -> None:
        chunk.status = ChunkStatus.PENDING
        self.skipped[chunk.id] = (chunk, path, problem)
        if warn:
            print(
                f"warning: {path}: {problem}; skipped its {chunk.runs:,} runs "
                "(re-run the sweep command to run them again)",
                file=sys.stderr,
            )

    def usable(self, chunk: ChunkRecord) -> bool:
        """True if the chunk's part is to be read: done, or written after the manifest's last update."""
        if chunk.id in self.skipped:
            return False
        return chunk.status is ChunkStatus.DONE or part_is_valid(self.out, chunk, self.manifest.keep_trajectories)

    def chunks(self, key: Callable[[ChunkRecord], Any] | None = None) -> Iterator[ChunkRecord]:
        """The chunks with parts to read (in ``key`` order, else manifest order)."""
        ordered = sorted(self.manifest.chunks, key=key) if key is not None else self.manifest.chunks
        return (chunk for chunk in ordered if self.usable(chunk))

    def read(self, chunk: ChunkRecord, columns: list[str] | None = None, kind: str = PARTS) -> pa.Table | None:
        """The chunk's part of ``kind`` (only ``columns``), or None when it cannot be read (then skipped)."""
        path = part_path(self.out, kind, chunk.id)
        try:
            if columns is not None:
                names = set(pq.read_schema(path).names)
                missing = [name for name in columns if name not in names]
                if missing:
                    raise ValueError(f"it has no column {missing[0]!r}")
            return pq.ParquetFile(path).read(columns=columns, use_threads=False)
        except (OSError, ValueError, EOFError, KeyError, pa.ArrowException) as exc:
            self._skip(chunk, path, f"unreadable: {_short(exc)}")
            return None

    def schema_names(self, chunk: ChunkRecord, kind: str = PARTS) -> list[str] | None:
        """The column names of the chunk's part of ``kind``, or None when it cannot be read (then skipped)."""
        path = part_path(self.out, kind, chunk.id)
        try:
            return list(pq.read_schema(path).names)
        except (OSError, ValueError, EOFError, pa.ArrowException) as exc:
            self._skip(chunk, path, f"unreadable: {_short(exc)}")
            return None

    @property
    def skipped_runs(self) -> int:
        """Runs left out because their parts were damaged."""
        return sum(chunk.runs for chunk, _, _ in self.skipped.values())

    def notes(self) -> list[str]:
        """One note on the skipped parts (none when every part was read)."""
        if not self.skipped:
            return []
        faults = list(self.skipped.values())
        return [skipped_note(self.out, [chunk for chunk, _, _ in faults], [path for _, path, _ in faults])]

    def skipped_table(self) -> pd.DataFrame:
        """One row per skipped part: part, chunk, runs, what was wrong (``analysis/skipped.csv``)."""
        rows = [
            {"part": str(path.relative_to(self.out)), "chunk": chunk.id, "runs": chunk.runs, "problem": problem}
            for chunk, path, problem in sorted(self.skipped.values(), key=lambda item: item[0].id)
        ]
        return pd.DataFrame(rows, columns=["part", "chunk", "runs", "problem"])


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
