"""Colours (the colour-blind-safe Okabe-Ito palette), fonts that scale with the window, a text cache.

Everything the game draws takes its colours from here, so the palette can be checked in one
place: the eight Okabe-Ito colours stay distinguishable under the common colour-vision
deficiencies, and no information is carried by colour alone (every level also has a number,
a width or a word). Fonts are sized for a 1280x720 window and scale with the window's height
and width, so the same layout is readable on a laptop and on a 1920x1080 projector.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections import OrderedDict
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

# The Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008) and the indicators'
# colours live in the indicator registry, which the reports share with the game.
from sim.engine import indicators  # noqa: E402
from sim.engine.indicators import BLACK, BLUE, GREEN, ORANGE, PURPLE, SKY, VERMILLION, YELLOW, Color  # noqa: E402
from sim.engine.sources import SourceKind  # noqa: E402
from sim.play.plain_names import TIE_BANDS, band  # noqa: E402

OKABE_ITO: dict[str, Color] = {
    "black": BLACK,
    "orange": ORANGE,
    "sky blue": SKY,
    "bluish green": GREEN,
    "yellow": YELLOW,
    "blue": BLUE,
    "vermillion": VERMILLION,
    "reddish purple": PURPLE,
}

# Neutrals: a light theme reads best on classroom projectors in lit rooms.
BACKGROUND: Color = (244, 242, 236)
PANEL: Color = (255, 255, 255)
PANEL_EDGE: Color = (196, 192, 182)
TEXT: Color = (24, 24, 24)
MUTED: Color = (92, 92, 92)
FAINT: Color = indicators.FAINT
LAND: Color = (226, 221, 206)
SEA: Color = (233, 240, 244)
SHADE: Color = (30, 34, 44)
WHITE: Color = (255, 255, 255)
DISABLED: Color = (205, 203, 196)

GOVERNMENT_COLORS: dict[str, Color] = {g: indicators.OWNER_COLORS[g] for g in ("USA", "ROK", "JPN")}
THREAT_COLOR: Color = indicators.GREY
POSITIVE: Color = BLUE
NEGATIVE: Color = VERMILLION
FAN_OUTER: Color = SKY
FAN_INNER: Color = BLUE

KIND_COLORS: dict[SourceKind, Color] = {
    SourceKind.EVENT: SKY,
    SourceKind.ACT: VERMILLION,
    SourceKind.ACTION: BLUE,
    SourceKind.RULE: FAINT,
    SourceKind.ELECTION: PURPLE,
    SourceKind.LEADER: PURPLE,
    SourceKind.INJECT: ORANGE,
}
KIND_NAMES: dict[SourceKind, str] = {
    SourceKind.EVENT: "event",
    SourceKind.ACT: "threat",
    SourceKind.ACTION: "move",
    SourceKind.RULE: "rule",
    SourceKind.ELECTION: "election",
    SourceKind.LEADER: "new leader",
    SourceKind.INJECT: "white cell",
}
STANCE_COLORS: dict[str, Color] = {
    "cooperative": BLUE,
    "competitive": VERMILLION,
    "domestic": ORANGE,
    "neutral": FAINT,
}

TIE_LEVELS: tuple[tuple[float, Color, str], ...] = tuple(
    (limit / 100.0, color, word)
    for (limit, word), color in zip(TIE_BANDS, (VERMILLION, ORANGE, SKY, BLUE), strict=True)
)
"""Upper bound (0-1), colour and word for each band of a tie's level (the words and bounds are
:data:`sim.play.plain_names.TIE_BANDS`; colour is never the only cue)."""


def tie_color(level: float) -> Color:
    """The colour of a tie's level band (on the 0-100 scale students read, as :func:`tie_word`)."""
    word = band(level)
    return next(color for _, color, name in TIE_LEVELS if name == word)


def tie_word(level: float) -> str:
    """A word for a tie's level: strained, fragile, working or strong."""
    return band(level)


def text_on(color: Color) -> Color:
    """Black or white, whichever reads better on ``color``."""
    r, g, b = color
    return TEXT if 0.299 * r + 0.587 * g + 0.114 * b > 150 else WHITE


def mix(a: Color, b: Color, t: float) -> Color:
    """The colour ``t`` of the way from ``a`` to ``b``."""
    t = min(1.0, max(0.0, t))
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


BASE_SIZE = (1280, 720)
ROLES: dict[str, int] = {"tiny": 12, "small": 14, "body": 16, "heading": 20, "large": 28, "huge": 40, "title": 64}
"""Font pixel sizes at the base window size of 1280x720."""
FONT_CANDIDATES = "dejavusans,liberationsans,arial,helvetica,freesans"
TEXT_CACHE_SIZE = 4000
CJK_FONT = Path(__file__).resolve().parent / "fonts" / "TrilatCJK-Regular.ttf"
"""Korean and Japanese text (Hangul, kana, level-1 kanji, ASCII): a subset of Noto Sans CJK KR (SIL OFL)."""
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),  # Hangul jamo
    (0x2E80, 0x9FFF),  # CJK radicals, punctuation, kana, compatibility jamo, unified ideographs
    (0xA960, 0xA97F),  # Hangul jamo extended-A
    (0xAC00, 0xD7FF),  # Hangul syllables, jamo extended-B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width and half-width forms
)
"""Code points DejaVu has no glyphs for and the CJK font is tried on (a string with any is set in it)."""
LOG = logging.getLogger(__name__)


def drawable(text: str) -> str:
    """``text`` as pygame can draw it: control characters (a NUL stops pygame) as spaces, lone surrogates as U+FFFD."""
    if text.isprintable():
        return text
    return "".join(
        "\ufffd" if 0xD800 <= ord(char) <= 0xDFFF else " " if unicodedata.category(char) == "Cc" else char
        for char in text
    )


def needs_cjk(text: str) -> bool:
    """Whether ``text`` holds a character DejaVu lacks that the CJK font may have (Hangul, kana, kanji)."""
    return any(ord(char) >= 0x1100 and any(lo <= ord(char) <= hi for lo, hi in CJK_RANGES) for char in text)


def window_scale(size: tuple[int, int]) -> float:
    """How much to scale fonts and spacing for a window of ``size`` (1.0 at 1280x720)."""
    w, h = size
    return max(0.7, min(w / BASE_SIZE[0], h / BASE_SIZE[1]))


class Fonts:
    """Fonts by role (``body``, ``heading`` ...), scaled with the window, and a cache of rendered text.

    Rendering text is the slowest thing a frame does; the cache keeps the most recent few
    thousand rendered strings, so a frame that shows the same text as the last one only blits.

    :attr:`shortened` records every string that had to be cut to fit (an ellipsis, a word split
    across lines, lines dropped below a box); the layout tests render every screen and require it
    to stay empty.

    Args:
        size: the window size the fonts are scaled for.
    """

    def __init__(self, size: tuple[int, int] = BASE_SIZE) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self._files = {False: _match_font(bold=False), True: _match_font(bold=True)}
        self._cjk_file: Path | None = CJK_FONT
        self._fonts: dict[tuple[int, bool, bool], pygame.font.Font] = {}
        self._text: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._wrapped: OrderedDict[tuple, list[str]] = OrderedDict()
        self.shortened: OrderedDict[str, None] = OrderedDict()
        self.scale = 1.0
        self.resize(size)

    def resize(self, size: tuple[int, int]) -> None:
        """Rescale for a new window size (rendered text is kept per pixel size, so nothing is lost)."""
        self.scale = window_scale(size)

    def px(self, role: str) -> int:
        """The pixel size of a role at the current scale."""
        return max(9, round(ROLES[role] * self.scale))

    def s(self, value: float) -> int:
        """A spacing value (designed at 1280x720) scaled to the window."""
        return max(1, round(value * self.scale))

    def font(self, role: str, bold: bool = False, cjk: bool = False) -> pygame.font.Font:
        """The font for a role; with ``cjk`` the Korean and Japanese font (bold: pygame's synthetic bold).

        Without the CJK font file (or if it cannot be loaded) the Latin font stands in, with a
        one-line notice logged once.
        """
        cjk = cjk and self._cjk_file is not None
        key = (self.px(role), bold, cjk)
        font = self._fonts.get(key)
        if font is None:
            font = self._load(key[0], bold, cjk)
            self._fonts[key] = font
        return font

    def _load(self, px: int, bold: bool, cjk: bool) -> pygame.font.Font:
        if cjk and self._cjk_file is not None:
            try:
                font = pygame.font.Font(str(self._cjk_file), px)
            except (OSError, pygame.error) as exc:
                LOG.warning("no Korean/Japanese font (%s: %s): such text is drawn as boxes", self._cjk_file, exc)
                self._cjk_file = None
            else:
                font.set_bold(bold)
                return font
        return pygame.font.Font(self._files[bold], px)

    def text_font(self, text: str, role: str = "body", bold: bool = False) -> pygame.font.Font:
        """The font ``text`` is set in: the CJK font if it holds Korean or Japanese, else the role's font."""
        return self.font(role, bold, needs_cjk(text))

    def render(self, text: str, role: str = "body", color: Color = TEXT, bold: bool = False) -> pygame.Surface:
        """``text`` rendered (antialiased) in ``role``'s font and ``color``, from the cache if possible."""
        key = (text, self.px(role), bold, color)
        surface = self._text.get(key)
        if surface is None:
            surface = self.text_font(text, role, bold).render(drawable(text), True, color)
            self._text[key] = surface
            if len(self._text) > TEXT_CACHE_SIZE:
                self._text.popitem(last=False)
        else:
            self._text.move_to_end(key)
        return surface

    def has_rendered(self, text: str) -> bool:
        """Whether ``text`` is in the cache of rendered strings (tests use it to check what was drawn)."""
        return any(key[0] == text for key in self._text)

    def rendered_containing(self, fragment: str) -> list[str]:
        """Rendered strings that contain ``fragment`` (for tests)."""
        return [key[0] for key in self._text if fragment in key[0]]

    def width(self, text: str, role: str = "body", bold: bool = False) -> int:
        """Pixel width of ``text``."""
        return self.text_font(text, role, bold).size(drawable(text))[0]

    def line_height(self, role: str = "body") -> int:
        """Pixel height of a line of text in ``role``, with a little leading."""
        return round(self.font(role).get_linesize() * 1.05)

    def wrap(self, text: str, width: int, role: str = "body", bold: bool = False) -> list[str]:
        """Break ``text`` into lines no wider than ``width`` pixels (words longer than a line are cut)."""
        key = (text, width, self.px(role), bold)
        lines = self._wrapped.get(key)
        if lines is not None:
            return lines
        font = self.text_font(text, role, bold)
        cjk = needs_cjk(text)  # Korean and Japanese lines may break between any two characters
        lines = []
        for paragraph in text.split("\n"):
            line = ""
            for word in drawable(paragraph).split():
                candidate = f"{line} {word}" if line else word
                if font.size(candidate)[0] <= width or not line:
                    line = candidate
                else:
                    lines.append(line)
                    line = word
                while font.size(line)[0] > width and len(line) > 1:
                    if not cjk:
                        self.cut(line)
                    cut = _fit(font, line, width)
                    lines.append(line[:cut])
                    line = line[cut:]
            lines.append(line)
        self._wrapped[key] = lines
        if len(self._wrapped) > TEXT_CACHE_SIZE:
            self._wrapped.popitem(last=False)
        return lines

    def cut(self, text: str) -> None:
        """Record that ``text`` was shortened to fit (see :attr:`shortened`; the most recent 200 are kept)."""
        self.shortened[text] = None
        if len(self.shortened) > 200:
            self.shortened.popitem(last=False)

    def ellipsize(self, text: str, width: int, role: str = "body", bold: bool = False) -> str:
        """``text`` cut with '...' to fit ``width`` pixels."""
        font, text = self.text_font(text, role, bold), drawable(text)
        if font.size(text)[0] <= width:
            return text
        self.cut(text)
        while text and font.size(text + "...")[0] > width:
            text = text[:-1]
        return text.rstrip() + "..."


def _fit(font: pygame.font.Font, text: str, width: int) -> int:
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.size(text[:mid])[0] <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _match_font(bold: bool) -> str | None:
    """A clear sans-serif font file from the system, or None for pygame's bundled default."""
    try:
        return pygame.font.match_font(FONT_CANDIDATES, bold=bold)
    except Exception:  # noqa: BLE001 - font discovery must never stop the game
        return None
