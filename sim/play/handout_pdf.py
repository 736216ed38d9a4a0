"""Packs (:class:`sim.play.handouts.Document`) as PDF, laid out by reportlab (no browser needed).

The text is set in Bitstream Vera, which ships inside reportlab, so the PDF looks the same on any
laptop and its text can be searched and copied. Korean and Japanese runs are set in the game's CJK
subset as TrueType (ui/fonts/TrilatCJK-Regular.ttf, made by scripts/make_cjk_ttf.py: reportlab
embeds only TrueType outlines, not the CFF ones of the .otf); bold and italic CJK runs stay
regular. A character neither font has (or any CJK one, without that file) is printed as ``?`` and
the pack says so in a note; the HTML version of the pack shows every character.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from sim.play import handouts as h

FONTS = {
    "Trilat": "Vera.ttf",
    "Trilat-Bold": "VeraBd.ttf",
    "Trilat-Italic": "VeraIt.ttf",
    "Trilat-BoldItalic": "VeraBI.ttf",
}
INK = colors.HexColor("#1d1d1b")
MUTED = colors.HexColor("#5a5a55")
LINE = colors.HexColor("#c9c6bd")
ACCENT = colors.HexColor("#0072b2")
CARD = colors.HexColor("#f6f4ee")
HEAD = colors.HexColor("#ebe8df")
MARGIN = 16 * mm
CJK_TTF = Path(__file__).resolve().parents[2] / "ui" / "fonts" / "TrilatCJK-Regular.ttf"
CJK = "TrilatCJK"


def _register_fonts() -> None:
    """Register Vera (from reportlab's own font folder) once per process."""
    if "Trilat" in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        "Trilat", normal="Trilat", bold="Trilat-Bold", italic="Trilat-Italic", boldItalic="Trilat-BoldItalic"
    )


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName="Trilat", fontSize=10, leading=13.5, textColor=INK, alignment=TA_LEFT)
    return {
        "body": ParagraphStyle("b", base, spaceAfter=5),
        "lead": ParagraphStyle("lead", base, fontSize=11.5, leading=15, spaceAfter=6),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=5),
        "title": ParagraphStyle("title", base, fontName="Trilat-Bold", fontSize=19, leading=23, spaceAfter=3),
        "subtitle": ParagraphStyle("subtitle", base, textColor=MUTED, spaceAfter=8),
        "h1": ParagraphStyle(
            "h1", base, fontName="Trilat-Bold", fontSize=13.5, leading=17, textColor=ACCENT, spaceBefore=9, spaceAfter=4
        ),
        "h2": ParagraphStyle("h2", base, fontName="Trilat-Bold", fontSize=11, leading=14, spaceBefore=7, spaceAfter=3),
        "cell": ParagraphStyle("cell", base, fontSize=8.8, leading=11),
        "cellhead": ParagraphStyle("cellhead", base, fontName="Trilat-Bold", fontSize=8.8, leading=11),
        "cardtitle": ParagraphStyle("cardtitle", base, fontName="Trilat-Bold", fontSize=11, leading=14),
        "cardmeta": ParagraphStyle("cardmeta", base, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=3),
        "story": ParagraphStyle("story", base, fontName="Trilat-Italic", fontSize=9, leading=12, spaceBefore=2),
    }


MISSING_NOTE = (
    "Some characters of this pack are not in the PDF's fonts and are printed as '?'. "
    "The HTML version of the pack shows them."
)


@functools.lru_cache(maxsize=1)
def cjk_glyphs() -> frozenset[int]:
    """Register the CJK TrueType font (once); the code points it has (none if it is missing or unreadable)."""
    if CJK not in pdfmetrics.getRegisteredFontNames():
        try:
            pdfmetrics.registerFont(TTFont(CJK, str(CJK_TTF)))
        except (TTFError, OSError):
            return frozenset()
        pdfmetrics.registerFontFamily(CJK, normal=CJK, bold=CJK, italic=CJK, boldItalic=CJK)
    return frozenset(pdfmetrics.getFont(CJK).face.charToGlyph)


@functools.lru_cache(maxsize=1)
def latin_glyphs() -> frozenset[int]:
    """The code points Vera has (registering it first)."""
    _register_fonts()
    return frozenset(pdfmetrics.getFont("Trilat").face.charToGlyph)


def _kind(char: str) -> str:
    """``latin`` (Vera has it), ``cjk`` (only the CJK font has it) or ``missing``."""
    if ord(char) in latin_glyphs() or char in "\n\t":
        return "latin"
    return "cjk" if ord(char) in cjk_glyphs() else "missing"


def settable(text: str, cjk: bool = False) -> str:
    """``text`` with every character its fonts lack as ``?`` (Vera alone, or with ``cjk`` Vera or the CJK font)."""
    allowed = ("latin", "cjk") if cjk else ("latin",)
    return "".join(char if _kind(char) in allowed else "?" for char in text)


def has_missing(doc: h.Document) -> bool:
    """Whether any text of ``doc`` holds a character neither the PDF's font nor the CJK font can set."""
    texts = [doc.title, doc.subtitle]
    blocks = [b for block in doc.blocks for b in (block.blocks if isinstance(block, h.Group) else (block,))]
    for block in blocks:
        if isinstance(block, h.Heading | h.Para):
            texts.append(block.text)
        elif isinstance(block, h.Bullets):
            texts += block.items
        elif isinstance(block, h.Table):
            texts += [*block.header, *(cell for row in block.rows for cell in row)]
        elif isinstance(block, h.CardBox):
            texts += [block.title, block.cost, block.kind, *block.effects, block.condition, block.story, block.source]
    return any(_kind(char) == "missing" for text in texts for char in text)


def _runs(text: str) -> str:
    """``text`` escaped for paragraph markup, its Korean and Japanese runs in the CJK font, the rest ``?``."""
    out, run, kind = [], "", "latin"
    for char in text:
        this = _kind(char)
        char, this = ("?", "latin") if this == "missing" else (char, this)
        if this != kind and run:
            out.append(f'<font name="{CJK}">{escape(run)}</font>' if kind == "cjk" else escape(run))
            run = ""
        run, kind = run + char, this
    if run:
        out.append(f'<font name="{CJK}">{escape(run)}</font>' if kind == "cjk" else escape(run))
    return "".join(out)


def _text(text: str) -> str:
    """Escape for reportlab's paragraph markup; spans in backticks are set in Courier; CJK runs in the CJK font."""
    parts = text.split("`")
    return "".join(f'<font name="Courier">{_runs(p)}</font>' if i % 2 else _runs(p) for i, p in enumerate(parts))


def _bullets(block: h.Bullets, style: ParagraphStyle) -> Flowable:
    items = [ListItem(Paragraph(_text(i), style), leftIndent=14) for i in block.items]
    if block.numbered:
        return ListFlowable(
            items, bulletType="1", bulletFontName="Trilat", bulletFontSize=style.fontSize, leftIndent=14
        )
    return ListFlowable(
        items,
        bulletType="bullet",
        start="\u2022",
        bulletFontName="Trilat",
        bulletFontSize=style.fontSize,
        leftIndent=14,
    )


def _table(block: h.Table, styles: dict[str, ParagraphStyle], width: float) -> Flowable:
    weights = block.widths or (1.0,) * len(block.header)
    total = sum(weights)
    widths = [width * w / total for w in weights]
    header = [Paragraph(_text(c), styles["cellhead"]) for c in block.header]
    rows = [[Paragraph(_text(c), styles["cell"]) for c in row] for row in block.rows]
    table = RLTable([header, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def _card(card: h.CardBox, styles: dict[str, ParagraphStyle], width: float) -> Flowable:
    inner: list[Flowable] = [
        Paragraph(_text(card.title), styles["cardtitle"]),
        Paragraph(_text(f"{card.cost.capitalize()} \u00b7 {card.kind}"), styles["cardmeta"]),
    ]
    if card.effects:
        inner.append(Paragraph("<b>What it does:</b>", styles["cell"]))
        inner.append(_bullets(h.Bullets(card.effects), styles["cell"]))
    if card.condition:
        inner.append(Paragraph(f"<b>Only when:</b> {_text(card.condition)}", styles["cell"]))
    if card.story:
        inner.append(Paragraph(_text(card.story), styles["story"]))
    if card.source:
        inner.append(Paragraph(_text(f"Source: {card.source}"), styles["note"]))
    bar = 3.5
    box = RLTable([["", inner]], colWidths=[bar, width - bar])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, 0), ACCENT),
                ("BACKGROUND", (1, 0), (1, 0), CARD),
                ("BOX", (1, 0), (1, 0), 0.5, LINE),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 9),
                ("RIGHTPADDING", (1, 0), (1, 0), 8),
                ("TOPPADDING", (1, 0), (1, 0), 6),
                ("BOTTOMPADDING", (1, 0), (1, 0), 6),
            ]
        )
    )
    return KeepTogether([box, Spacer(1, 6)])


def _flowable(block: h.Block, styles: dict[str, ParagraphStyle], width: float) -> Flowable:
    if isinstance(block, h.Heading):
        return Paragraph(_text(block.text), styles["h1" if block.level == 1 else "h2"])
    if isinstance(block, h.Para):
        return Paragraph(_text(block.text), styles[block.style])
    if isinstance(block, h.Bullets):
        return _bullets(block, styles["body"])
    if isinstance(block, h.Table):
        return _table(block, styles, width)
    if isinstance(block, h.CardBox):
        return _card(block, styles, width)
    if isinstance(block, h.Group):
        return KeepTogether([_flowable(b, styles, width) for b in block.blocks])
    return PageBreak()


def _flowables(doc: h.Document, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    out: list[Flowable] = [
        Paragraph(_text(doc.title), styles["title"]),
        Paragraph(_text(doc.subtitle), styles["subtitle"]),
    ]
    pending: list[Flowable] = []  # a heading waits for the block after it, so it never ends a page alone
    for block in doc.blocks:
        flow = _flowable(block, styles, width)
        if isinstance(block, h.Heading):
            pending.append(flow)
        elif isinstance(block, h.PageBreak):
            out += [*pending, flow]
            pending = []
        else:
            out.append(KeepTogether([*pending, flow]) if pending else flow)
            pending = []
    return out + pending


def to_pdf(doc: h.Document) -> bytes:
    """The pack as A4 PDF bytes, with the pack's title and a page number in every footer."""
    _register_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=doc.title,
        author="Trilat",
        invariant=1,
    )

    def footer(canvas: Canvas, template: SimpleDocTemplate) -> None:
        canvas.saveState()
        cjk = any(_kind(char) == "cjk" for char in doc.title)
        canvas.setFont(CJK if cjk else "Trilat", 7.5)  # the CJK subset has ASCII too
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 9 * mm, settable(doc.title, cjk))
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, f"page {canvas.getPageNumber()}")
        canvas.restoreState()

    styles = _styles()
    flowables = _flowables(doc, styles, template.width)
    if has_missing(doc):
        flowables.insert(2, Paragraph(_text(MISSING_NOTE), styles["note"]))
    template.build(flowables, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
