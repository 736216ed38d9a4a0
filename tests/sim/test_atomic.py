"""The one atomic-write helper: never writes through a link, refuses directories and special files."""

from __future__ import annotations

import os

import pytest

from sim.atomic import atomic_write_text
from sim.errors import UsageError


def test_a_planted_link_is_replaced_and_its_target_untouched(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = tmp_path / "out" / "report.md"
    link.parent.mkdir()
    link.symlink_to(victim)
    atomic_write_text(link, "report")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == "report"


def test_directories_and_special_files_are_refused(tmp_path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        atomic_write_text(tmp_path / "folder", "x")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="special file"):
        atomic_write_text(fifo, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "pipe"]  # no temporary file left


WRITE_CALLS = r"\.(write_text|write_bytes|to_parquet|savefig|to_csv|image\.save|write_table)\("
"""Calls that write a file; outside ``sim/atomic.py`` they must run inside an atomic-write callback."""


INTO_A_HANDLE = {"sim/research/sweep/integrity.py"}
"""Modules that only write into a handle they are given (``layout.write_parquet_atomic`` opens it with atomic_write)."""


def test_every_file_write_in_sim_and_ui_goes_through_the_atomic_helper():
    """A call that writes a file appears only as the callback of ``atomic_write`` (or writes to memory)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bypass = []
    for path in sorted([*root.joinpath("sim").rglob("*.py"), *root.joinpath("ui").rglob("*.py")]):
        if path.name == "atomic.py" or str(path.relative_to(root)) in INTO_A_HANDLE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            writes = re.search(WRITE_CALLS, code) or re.search(r"open\([^)]*[\"'][wax]b?[\"']", code)
            # A write inside an atomic_write callback, into a memory buffer, or to_csv() into a string.
            safe = "atomic_write" in code or "buffer" in code or re.search(r"to_csv\(index=False\)", code)
            if writes and not safe:
                bypass.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not bypass, "\n".join(bypass)
