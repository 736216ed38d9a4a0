"""Hostile text in the after-action report: escaped in Markdown and HTML, no remote resources, safe writes."""

from __future__ import annotations

import os
from html.parser import HTMLParser

import pytest

from sim.errors import UsageError
from sim.play.aar import build_markdown, write_report
from sim.play.report_markup import markdown_to_html, md
from sim.play.session import GameSession, GameSettings

# A team name is at most 100 characters without control characters (the save schema refuses the
# rest at input); within that, it still tries a table break, a heading, a beacon and raw HTML.
HOSTILE_TEAM = '| Team # Owned ![x](http://evil.example/b.png) <img src="https://evil.example/b.gif"> *x* `y`'
HOSTILE_TITLE = "<script>alert(1)</script>\n| a | b |\n[link](https://evil.example/)"


class Refs(HTMLParser):
    """Every tag and every src/href value of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[str] = []
        self.csp = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        values = dict(attrs)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "action", "poster", "data")]
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = values.get("content") or ""


def hostile_game() -> GameSession:
    session = GameSession(
        GameSettings(
            scenario="baseline",
            seed=3,
            shadows=0,
            turns=2,
            controllers={"ROK": "human"},
            team_names={"ROK": HOSTILE_TEAM, "JPN": "東京チーム", "USA": "서울 팀 & <b>co</b>"},
        )
    )
    session.submit("ROK", [])
    session.inject_custom(HOSTILE_TITLE, "Story | with\n## heading <iframe src=//evil.example>", {"tie.ROK_JPN": 0.02})
    session.note("note\n![n](https://evil.example/n.png) nul\x00")
    session.resolve()
    session.resolve()
    return session


def test_md_escapes_markup_and_keeps_words():
    assert md("a|b\nc") == "a\\|b c"
    assert md("<img src=x>") == "&lt;img src=x&gt;"
    assert md("us_transactionalism") == "us_transactionalism"  # intraword underscore: no emphasis
    assert md("_x_ *y* `z` [a](b) ![c](d) # h") == "\\_x\\_ \\*y\\* \\`z\\` \\[a\\](b) \\!\\[c\\](d) \\# h"
    assert md("\x1b[31mred\x07\u202egnp") == " \\[31mred gnp"  # control characters and bidi overrides go
    assert (
        md("a\x00b\ud800") == "a b\ufffd"
    )  # a NUL or a lone surrogate (both possible in JSON) cannot stop the writing


def test_escaped_text_comes_back_literally_in_html():
    text = "Red | Team <b>bold</b> & *x* \\ `y` _z_ &lt;"
    page = markdown_to_html(f"| team |\n|---|\n| {md(text)} |\n\n- {md(text)}\n", "t")
    cell = page.split("<td>")[1].split("</td>")[0]
    assert cell == "Red | Team &lt;b&gt;bold&lt;/b&gt; &amp; *x* \\ `y` _z_ &amp;lt;"
    assert page.count("<td>") == 1 and "<b>" not in page and "<em>" not in page and "<code>" not in page


def test_hostile_names_cannot_break_the_report(tmp_path):
    session = hostile_game()
    text = build_markdown(session, {})
    lines = text.splitlines()
    # No heading, image or raw tag injected: every heading is the report's own.
    headings = [line for line in lines if line.startswith("#")]
    assert all(not h.lstrip("#").strip().startswith("Owned") for h in headings)
    assert not any("heading" in h for h in headings)
    assert not any(line.lstrip("- ").startswith("![") and "evil" in line for line in lines)
    assert "<img" not in text and "<script" not in text and "<iframe" not in text and "<b>" not in text
    # The teams table keeps four columns in every row.
    teams = text.split("## Teams")[1].split("##")[0]
    rows = [line for line in teams.splitlines() if line.startswith("|")]
    assert len(rows) == 5
    for row in rows:
        cells = [c for c in row.replace("\\|", "").strip().strip("|").split("|")]
        assert len(cells) == 4, row
    assert "서울 팀 &amp; &lt;b&gt;co&lt;/b&gt;" in text and "東京チーム" in text


def test_the_html_report_has_no_markup_from_users_and_no_remote_resources(tmp_path):
    paths = write_report(hostile_game(), tmp_path / "out")
    page = paths["html"].read_text(encoding="utf-8")
    parser = Refs()
    parser.feed(page)
    assert set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "ul", "ol"} | {
        "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "em", "code", "br", "img"
    }  # fmt: skip
    assert parser.refs and all(ref in ("cooperation.png", "institutions.png", "politics.png") for ref in parser.refs)
    assert "default-src 'none'" in parser.csp and "img-src 'self'" in parser.csp
    assert "http" not in parser.csp
    assert "서울 팀 &amp; &lt;b&gt;co&lt;/b&gt;" in page and "| Team # Owned" in page


def test_a_link_planted_in_the_folder_is_replaced_not_written_through(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    for name in ("report.md", "report.html", "cooperation.png"):
        os.symlink(victim, out / name)
    write_report(hostile_game(), out)
    assert victim.read_text(encoding="utf-8") == "precious"
    for name in ("report.md", "report.html", "cooperation.png"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0


@pytest.mark.parametrize("kind", ["file", "fifo", "link"])
def test_an_out_that_is_not_a_folder_is_refused_in_one_line(tmp_path, kind):
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("keep", encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(out)
    else:
        (tmp_path / "real").mkdir()
        os.symlink(tmp_path / "real", out)
    with pytest.raises(UsageError) as caught:
        write_report(hostile_game(), out)
    assert str(out) in str(caught.value) and "\n" not in str(caught.value)
    assert not list((tmp_path / "real").iterdir()) if kind == "link" else True
