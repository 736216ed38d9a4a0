"""Damaged results in a sweep folder: parts that fail to read are named and skipped, never crashed on.

A results part can be truncated by a full disk, overwritten by garbage or deleted. The manifest
still lists its chunk as done; :func:`damaged_parts` finds such chunks (a part that is missing,
not a regular file, not readable Parquet, or with the wrong number of rows), and
:func:`skip_damaged_parts` marks them pending in memory so that ``analyze`` leaves them out
with a warning naming them; a resumed sweep runs them again (see ``runner``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.research.sweep.layout import PARTS, SweepError, part_path
from sim.research.sweep.manifest import ChunkRecord, ChunkStatus, Manifest, part_is_valid

ANALYSIS = "analysis"
SHOWN_PARTS = 5


def damaged_parts(out: Path, manifest: Manifest) -> list[ChunkRecord]:
    """The chunks recorded as done whose parts are missing or unreadable."""
    return [
        chunk
        for chunk in manifest.chunks
        if chunk.status is ChunkStatus.DONE and not part_is_valid(out, chunk, manifest.keep_trajectories)
    ]


def describe_parts(out: Path, chunks: list[ChunkRecord]) -> str:
    """The damaged parts' names, the first few of them."""
    names = [str(part_path(out, PARTS, c.id).relative_to(out)) for c in chunks[:SHOWN_PARTS]]
    more = f" and {len(chunks) - SHOWN_PARTS} more" if len(chunks) > SHOWN_PARTS else ""
    return ", ".join(names) + more


def skip_damaged_parts(out: Path, manifest: Manifest) -> list[str]:
    """Mark the chunks with damaged parts pending (in memory only); warn on stderr; return the notes."""
    damaged = damaged_parts(out, manifest)
    if not damaged:
        return []
    for chunk in damaged:
        chunk.status = ChunkStatus.PENDING
    runs = sum(c.runs for c in damaged)
    note = (
        f"{len(damaged)} results part(s) are missing or unreadable and were skipped ({runs:,} runs): "
        f"{describe_parts(out, damaged)}; re-run the sweep command to run them again"
    )
    print(f"warning: {out}: {note}", file=sys.stderr)
    return [note]


def analysis_folder(out: Path) -> Path:
    """``out/analysis``, created if missing; refuse a file, a link or a special file there.

    Raises:
        SweepError: naming the path and how to recover.
    """
    folder = out / ANALYSIS
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        kind = "a symbolic link" if folder.is_symlink() else "a file"
        raise SweepError(
            f"{folder}: is {kind}, not the analysis folder; move it away, then run analyze again "
            "(analyze writes its tables and plots there)"
        )
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise SweepError(f"{folder}: cannot create the analysis folder ({exc.strerror})") from None
    return folder
