"""The journal of a sweep extension: staged files, a commit mark, and rolling forward or back.

``trilat sweep --extend`` writes the relabelled parts and the new manifest, design and chunk
table under ``DIR/.extend/`` (a hidden folder that Parquet readers skip), then writes the
commit mark ``COMMITTED`` atomically, then moves every staged file into place. Whoever opens
the folder next (:func:`settle`, called when a manifest is read) finishes a committed
extension or deletes an uncommitted one, so a crash at any moment leaves either the old sweep
or the extended one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sim.atomic import atomic_write_text
from sim.research.sweep.layout import CHUNKS, DESIGN, MANIFEST, PARTS, TRAJECTORIES, SweepError

STAGING = ".extend"
"""The hidden folder of a sweep where an extension is prepared."""
COMMITTED = "COMMITTED"
"""The commit mark in ``STAGING``: once it exists, the extension is applied, also after a crash."""


def commit(out_dir: str | Path) -> None:
    """Mark the staged extension complete (atomically), then move its files into place."""
    atomic_write_text(Path(out_dir) / STAGING / COMMITTED, "extension staged completely\n")
    settle(out_dir)


def settle(out_dir: str | Path) -> None:
    """Finish a committed extension of ``out_dir``, or discard an uncommitted one (nothing staged: no-op).

    Parts and trajectories move first and the manifest last; each move is an atomic rename,
    and a move already done is not repeated, so settling again after a crash is safe.

    Raises:
        SweepError: when the staged files cannot be moved (e.g. a read-only folder).
    """
    out = Path(out_dir)
    stage = out / STAGING
    if not stage.is_dir():
        return
    try:
        if (stage / COMMITTED).is_file():
            for kind in (TRAJECTORIES, PARTS):
                if (stage / kind).is_dir():
                    (out / kind).mkdir(exist_ok=True)
                    for staged in sorted((stage / kind).glob("part-*.parquet")):
                        os.replace(staged, out / kind / staged.name)
            for name in (DESIGN, CHUNKS, MANIFEST):
                if (stage / name).is_file():
                    os.replace(stage / name, out / name)
        shutil.rmtree(stage)
    except OSError as exc:
        raise SweepError(
            f"{out}: an extension of this sweep was interrupted and cannot be finished here ({exc}); "
            "re-run trilat sweep --extend where the folder is writable"
        ) from None
