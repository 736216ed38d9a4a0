"""Hostile and Korean/Japanese text in the printed packs: escaped in HTML, never an empty box in the PDF."""

from __future__ import annotations

from html.parser import HTMLParser

import pypdfium2 as pdfium

from sim.play import handout_pdf
from sim.play import handouts as h
from sim.play.handout_pdf import MISSING_NOTE, has_missing, settable, to_pdf
from sim.play.handout_render import to_html

HOSTILE = '서울 팀 <img src="https://evil.example/b.gif"> [x](http://evil.example) 東京チーム'


def pack(text: str) -> h.Document:
    card = h.CardBox(text, "free", "other", (text,), text, text, text)
    return h.Document(text, text, "usa", [h.Heading(text), h.Para(text), h.Bullets((text,)), card])


def pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


class Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href")]


def test_the_html_pack_escapes_supplied_text_and_loads_nothing():
    page = to_html(pack(HOSTILE))
    refs = Refs()
    refs.feed(page)
    assert "img" not in refs.tags and "a" not in refs.tags and refs.refs == []
    assert "서울 팀 &lt;img" in page and "東京チーム" in page
    assert "Content-Security-Policy\" content=\"default-src 'none'" in page


def test_the_pdf_sets_korean_and_japanese_in_the_cjk_font():
    assert not has_missing(pack(HOSTILE)) and has_missing(pack("Seoul \u0e01 (Thai)"))
    data = to_pdf(pack(HOSTILE))
    text = pdf_text(data)
    assert "서울 팀" in text and "東京チーム" in text and "<img" in text
    assert b"TrilatCJK" in data  # the subset is embedded
    assert "printed as '?'" not in text


def test_without_the_cjk_font_the_pdf_prints_a_question_mark_and_says_why(monkeypatch):
    monkeypatch.setattr(handout_pdf, "cjk_glyphs", frozenset)
    assert settable("서울 팀 Seoul") == "?? ? Seoul"
    assert not has_missing(pack("Seoul team – fine · 100%")) and has_missing(pack(HOSTILE))
    text = pdf_text(to_pdf(pack(HOSTILE)))
    assert "?? ?" in text and "?????" in text  # 서울 팀 ... 東京チーム
    assert "printed as '?'" in text and "HTML version" in text
    assert MISSING_NOTE.split(".")[0][:40] in " ".join(text.split())
    assert "printed as '?'" not in pdf_text(to_pdf(pack("Seoul team")))
