"""Build ui/fonts/TrilatCJK-Regular.otf: a subset of Noto Sans CJK KR for Korean and Japanese text.

The game draws team names and scenario text that may be Korean or Japanese; DejaVu has no
glyphs for them. This keeps Hangul syllables and compatibility jamo (all of them), kana, CJK
punctuation, full-width forms, JIS X 0208 level-1 kanji (2,965: most Japanese names and
everyday words) and printable ASCII, so mixed strings render in one font. The source is
Debian's fonts-noto-cjk (SIL Open Font License 1.1); the subset is renamed, as the licence
asks of a modified version, and ships with the licence text (ui/fonts/OFL.txt).

Usage (with fonttools installed):  python scripts/make_cjk_font.py [SOURCE.ttc]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
KOREAN_FACE = 1  # the collection's KR face: Korean glyph shapes, kana and kanji included
OUT = (
    Path(__file__).resolve().parents[1] / "ui" / "fonts" / "TrilatCJK-Regular.otf"
)  # an intermediate: make_cjk_ttf.py converts it; only the .ttf ships
FAMILY = "Trilat CJK"


def level_one_kanji() -> set[int]:
    """JIS X 0208 level-1 kanji: EUC-JP rows 16-47 (lead bytes 0xB0-0xCF)."""
    found = set()
    for lead in range(0xB0, 0xD0):
        for trail in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes([lead, trail]).decode("euc_jp")))
            except UnicodeDecodeError:
                continue
    return found


def code_points() -> set[int]:
    """Every code point the subset keeps."""
    keep = level_one_kanji()
    for low, high in [
        (0x20, 0x7E),  # ASCII
        (0xAC00, 0xD7A3),  # Hangul syllables
        (0x3130, 0x318F),  # Hangul compatibility jamo
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0x3040, 0x30FF),  # hiragana and katakana
        (0xFF00, 0xFFEF),  # full-width and half-width forms
    ]:
        keep.update(range(low, high + 1))
    return keep


def main(source: str = SOURCE) -> None:
    font = TTCollection(source).fonts[KOREAN_FACE]
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points())
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY if record.nameID != 4 else f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = "TrilatCJK-Regular"
        elif record.nameID == 3:
            record.string = "TrilatCJK-Regular; subset of Noto Sans CJK KR"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(*sys.argv[1:])
