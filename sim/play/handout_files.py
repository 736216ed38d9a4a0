"""``trilat handouts``: write every pack as HTML and PDF into a folder, atomically, never through a link."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from sim.atomic import atomic_write
from sim.errors import UsageError
from sim.lang.scenario import Scenario
from sim.play.handout_packs import packs
from sim.play.handout_pdf import to_pdf
from sim.play.handout_render import to_html

__all__ = ["packs", "write_handouts"]


def _writer(data: bytes) -> Callable[[IO], None]:
    """A writer for :func:`sim.atomic.atomic_write` that writes ``data``."""

    def write(handle: IO) -> None:
        handle.write(data)

    return write


def _folder(out: Path) -> Path:
    """The output folder, created if needed; a symbolic link or a file there is refused."""
    if out.is_symlink():
        raise UsageError(f"{out}: is a symbolic link; give a real folder for --out")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create the folder ({exc.strerror or exc})") from None
    return out


def write_handouts(scenario: Scenario, out: Path | str, govs: Sequence[str] = (), minutes: int = 60) -> list[Path]:
    """Write ``<gov>.html``/``<gov>.pdf`` per team and ``facilitator.html``/``.pdf`` into ``out``.

    Everything is rendered in memory first; then each file is written to a temporary file beside
    it and renamed, so a reader never sees half a file. A name in ``out`` that is a symbolic link
    (or a folder) is refused before anything is written.

    Raises:
        UsageError: a bad team or class length, or an output folder that cannot be used.
    """
    rendered: dict[str, bytes] = {}
    for doc in packs(scenario, govs, minutes):
        rendered[f"{doc.stem}.html"] = to_html(doc).encode("utf-8")
        rendered[f"{doc.stem}.pdf"] = to_pdf(doc)
    folder = _folder(Path(out))
    for name in rendered:
        target = folder / name
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise UsageError(f"{target}: is a symbolic link or not a regular file; refusing to write there")
    written = []
    try:
        for name, data in rendered.items():
            written.append(atomic_write(folder / name, _writer(data), binary=True))
    except OSError as exc:
        raise UsageError(f"{folder}: cannot write the handouts ({exc.strerror or exc})") from None
    return written
