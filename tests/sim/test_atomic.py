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
