"""Damaged results in a sweep folder: parts that fail to read are named and skipped, never crashed on.

A results part can be truncated by a full disk, overwritten by garbage, deleted, or keep an
intact footer over corrupt data pages. The manifest still lists its chunk as done;
:func:`damaged_parts` finds such chunks (a part that is missing, not a regular file, not
readable Parquet, with the wrong number of rows, or whose content digest does not match: see
:mod:`~sim.research.sweep.integrity`), and :func:`skip_damaged_parts` marks them pending in
memory so that ``analyze`` leaves them out with a warning naming them; a resumed sweep runs
them again (see ``runner``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.research.sweep.integrity import part_problem
from sim.research.sweep.layout import PARTS, TRAJECTORIES, SweepError, part_path
from sim.research.sweep.manifest import ChunkRecord, ChunkStatus, Manifest, part_is_valid

ANALYSIS = "analysis"
SHOWN_PARTS = 5


def chunk_fault(
    out: Path, chunk: ChunkRecord, keep_trajectories: bool = False, verify: bool = True
) -> tuple[Path, str] | None:
    """The first of a chunk's part files at fault and what is wrong with it, or None when they are sound.

    Args:
        out: the sweep folder.
        chunk: the chunk.
        keep_trajectories: the chunk also has a trajectories part.
        verify: also check every part's content digest (or decode it in full when it has none).
    """
    if not part_is_valid(out, chunk, keep_trajectories):
        return part_path(out, PARTS, chunk.id), "missing, unreadable or with the wrong number of rows"
    if verify:
        for kind in (PARTS, TRAJECTORIES) if keep_trajectories else (PARTS,):
            path = part_path(out, kind, chunk.id)
            problem = part_problem(path)
            if problem is not None:
                return path, problem
    return None


def chunk_problem(out: Path, chunk: ChunkRecord, keep_trajectories: bool = False, verify: bool = True) -> str | None:
    """``PATH: what is wrong`` for the first of a chunk's part files at fault, or None (see :func:`chunk_fault`)."""
    fault = chunk_fault(out, chunk, keep_trajectories, verify)
    return None if fault is None else f"{fault[0]}: {fault[1]}"


def damaged_parts(out: Path, manifest: Manifest, verify: bool = True) -> list[ChunkRecord]:
    """The chunks recorded as done whose parts are missing, unreadable or corrupt (``verify``: digests checked)."""
    return [
        chunk
        for chunk in manifest.chunks
        if chunk.status is ChunkStatus.DONE
        and chunk_problem(out, chunk, manifest.keep_trajectories, verify) is not None
    ]


def describe_parts(out: Path, chunks: list[ChunkRecord], paths: list[Path] | None = None) -> str:
    """The damaged parts' names (``paths``, else each chunk's results part), the first few of them."""
    paths = paths if paths is not None else [part_path(out, PARTS, c.id) for c in chunks]
    names = [str(path.relative_to(out)) for path in paths[:SHOWN_PARTS]]
    more = f" and {len(paths) - SHOWN_PARTS} more" if len(paths) > SHOWN_PARTS else ""
    return ", ".join(names) + more


def skipped_note(out: Path, chunks: list[ChunkRecord], paths: list[Path] | None = None) -> str:
    """The note that ``chunks`` (their parts at fault: ``paths``) were skipped: how many, which, how to recover."""
    runs = sum(c.runs for c in chunks)
    return (
        f"{len(chunks)} results part(s) are missing, unreadable or corrupt and were skipped ({runs:,} runs): "
        f"{describe_parts(out, chunks, paths)}; re-run the sweep command to run them again"
    )


def skip_damaged_parts(out: Path, manifest: Manifest) -> list[ChunkRecord]:
    """Mark the chunks with damaged parts pending (in memory only); warn on stderr; return them."""
    damaged = damaged_parts(out, manifest)
    for chunk in damaged:
        chunk.status = ChunkStatus.PENDING
    if damaged:
        print(f"warning: {out}: {skipped_note(out, damaged)}", file=sys.stderr)
    return damaged


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
