"""Packs (:class:`sim.play.handouts.Document`) as PDF, laid out by reportlab (no browser needed).

The text is set in Bitstream Vera, which ships inside reportlab, so the PDF looks the same on any
laptop and its text can be searched and copied. Vera has no Korean or Japanese glyphs, and the
game's CJK font (ui/fonts, CFF outlines) cannot be embedded by reportlab, which reads only
TrueType outlines: a character the font lacks is printed as ``?`` and the pack says so in a note
(the HTML version of the pack shows every character).
"""

from __future__ import annotations

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
from reportlab.pdfbase.ttfonts import TTFont
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
    "Some characters of this pack (Korean or Japanese text, for example) are not in the PDF's font and are "
    "printed as '?'. The HTML version of the pack shows them."
)


def settable(text: str) -> str:
    """``text`` with every character Vera has no glyph for replaced by ``?`` (never an empty box)."""
    _register_fonts()
    glyphs = pdfmetrics.getFont("Trilat").face.charToGlyph
    return "".join(char if ord(char) in glyphs or char in "\n\t" else "?" for char in text)


def has_missing(doc: h.Document) -> bool:
    """Whether any text of ``doc`` holds a character the PDF's font cannot set."""
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
    return any(settable(text) != text for text in texts)


def _text(text: str) -> str:
    """Escape for reportlab's paragraph markup; spans in backticks are set in Courier; unsettable characters: ``?``."""
    parts = settable(text).split("`")
    return "".join(f'<font name="Courier">{escape(p)}</font>' if i % 2 else escape(p) for i, p in enumerate(parts))


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
        inner.append(Paragraph(_text(f"Based on: {card.source}"), styles["note"]))
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
        title=settable(doc.title),
        author="Trilat",
        invariant=1,
    )

    def footer(canvas: Canvas, template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Trilat", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 9 * mm, settable(doc.title))
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, f"page {canvas.getPageNumber()}")
        canvas.restoreState()

    styles = _styles()
    flowables = _flowables(doc, styles, template.width)
    if has_missing(doc):
        flowables.insert(2, Paragraph(_text(MISSING_NOTE), styles["note"]))
    template.build(flowables, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
