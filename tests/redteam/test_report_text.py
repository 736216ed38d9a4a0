"""The red team against ``trilat report``: output folders that are not folders, links planted in them, hostile text.

``REPORT_CASES`` are refusals judged like every other red-team case. The planted-link and
hostile-text cases must succeed instead: the report is written, the link's target (outside the
sandbox) is untouched, and the page carries no markup from the save and no remote resource.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.redteam.cases_files import fifo
from tests.redteam.cases_results import save_with
from tests.redteam.harness import Case, judge, run_case

GOOD_SAVE = save_with(lambda data: None)


def _with(*steps):
    def setup(box: Path) -> None:
        GOOD_SAVE(box)
        for step in steps:
            step(box)

    return setup


REPORT_ARGV = ("report", "{box}/game.json", "--out", "{box}/out")
REPORT_CASES = [
    Case("report-out-is-file", REPORT_ARGV, _with(lambda b: (b / "out").write_text("keep")), names="out"),
    Case("report-out-is-fifo", REPORT_ARGV, _with(fifo("out")), names="out"),
    Case(
        "report-out-is-link",
        REPORT_ARGV,
        _with(lambda b: (b / "real").mkdir(), lambda b: os.symlink(b / "real", b / "out")),
        names="out",
    ),
    Case(
        "report-out-under-devnull",
        ("report", "{box}/game.json", "--out", "/dev/null/x"),
        GOOD_SAVE,
        names="/dev/null/x",
    ),
    Case("report-out-in-proc", ("report", "{box}/game.json", "--out", "/proc/1/trilat"), GOOD_SAVE, names="/proc/1"),
    Case(
        "report-out-name-too-long",
        ("report", "{box}/game.json", "--out", "{box}/" + "x" * 300),
        GOOD_SAVE,
        names="x" * 40,
    ),
    Case(
        "report-md-is-directory",
        REPORT_ARGV,
        _with(lambda b: (b / "out" / "report.md").mkdir(parents=True)),
        names="report.md",
        may_change=("out",),
    ),
    Case(
        "report-html-is-fifo",
        REPORT_ARGV,
        _with(lambda b: (b / "out").mkdir(), fifo("out/report.html")),
        names="report.html",
        may_change=("out",),
    ),
]

# Team names a save may hold (at most 100 characters, no control characters: the save schema
# refuses the rest with a message, see cases_results.py); within that, each still attacks the report.
HOSTILE_TEAMS = {
    "ROK": '| Team # Owned ![x](http://evil.example/beacon.png) <img src="https://evil.example/b.gif">',
    "JPN": "東京チーム <script>alert(1)</script>",
    "USA": "서울 팀 [link](https://evil.example/) &amp; `code`",
}


def _hostile(data: dict) -> None:
    data["settings"]["team_names"] = HOSTILE_TEAMS


def _plant_links(box: Path) -> None:
    victim = box.parent / "outside" / "precious.txt"  # the harness watches this folder for writes
    (box / "out").mkdir()
    for name in ("report.md", "report.html", "cooperation.png", "politics.png"):
        os.symlink(victim, box / "out" / name)


class Refs(HTMLParser):
    """Tags and src/href values of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "action", "poster", "data")]


@pytest.mark.parametrize("case", REPORT_CASES, ids=lambda case: case.name)
def test_a_bad_report_folder_is_refused_cleanly(case, tmp_path):
    box, outside = tmp_path / "box", tmp_path / "outside"
    box.mkdir()
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me", encoding="utf-8")
    code, _, err = run_case(case, box, outside)
    judge(case, code, err)


def test_a_planted_link_and_hostile_team_names_change_nothing_outside(tmp_path):
    box, outside = tmp_path / "box", tmp_path / "outside"
    box.mkdir()
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me", encoding="utf-8")
    case = Case("report-planted-links", REPORT_ARGV, _with(_hostile_save, _plant_links), may_change=("out",))
    code, _, err = run_case(case, box, outside)  # asserts nothing outside the sandbox changed
    assert code == 0, err
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "keep me"
    out = box / "out"
    assert not any(p.is_symlink() for p in out.iterdir())
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert (
        "<img" not in markdown
        and "<script" not in markdown
        and "\n# Owned" not in markdown
        and "\n| Team" not in markdown
    )
    assert not re.search(r"(?<!\\)\]\((https?:)?//", markdown) and not re.search(r"https?://", markdown)
    page = Refs()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags
    assert page.refs and all(ref in ("cooperation.png", "institutions.png", "politics.png") for ref in page.refs)


def _hostile_save(box: Path) -> None:
    save_with(_hostile)(box)
