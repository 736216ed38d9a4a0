"""The room's team pages declare UTF-8 and reach for the device's own Korean and Japanese fonts (none downloaded)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[3] / "sim" / "room" / "static"


def test_pages_declare_utf8_and_a_cjk_font_stack_without_downloads():
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<meta charset=\"?utf-8\"?>", page, re.IGNORECASE)
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    assert css.startswith('@charset "utf-8";')
    body = css.split("body {", 1)[1].split("}", 1)[0]
    for family in ("Noto Sans CJK KR", "Noto Sans CJK JP", "Malgun Gothic", "Apple SD Gothic Neo", "Hiragino Sans"):
        assert family in body, family
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
