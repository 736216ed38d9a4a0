"""Build ui/fonts/TrilatCJK-Regular.ttf: the CJK subset with TrueType outlines, for the handout PDFs.

reportlab embeds only TrueType (``glyf``) outlines, and ui/fonts/TrilatCJK-Regular.otf (made by
scripts/make_cjk_font.py from Noto Sans CJK KR) has CFF outlines. This converts its cubic
outlines to quadratic ones (fontTools' cu2qu, within one font unit) and writes the same glyphs,
names and licence (SIL Open Font License 1.1, ui/fonts/OFL.txt) as a TrueType font.

Usage (with fonttools installed):  python scripts/make_cjk_ttf.py
"""

from __future__ import annotations

from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FONTS = Path(__file__).resolve().parents[1] / "ui" / "fonts"
SOURCE = FONTS / "TrilatCJK-Regular.otf"
OUT = FONTS / "TrilatCJK-Regular.ttf"
MAX_ERROR = 1.0
"""Largest distance (font units of 1,000 per em) between a cubic curve and its quadratic stand-in."""


def main() -> None:
    font = TTFont(SOURCE)
    glyphs, order = font.getGlyphSet(), font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs"):
        setattr(maxp, field, 0)
    for field in ("maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = font["head"].glyphDataFormat = 0
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {len(order):,} glyphs)")


if __name__ == "__main__":
    main()
