"""The palette is colour-blind safe (Okabe-Ito), fonts scale with the window, text is cached."""

from __future__ import annotations

from ui import theme
from ui.theme import Fonts
from ui.widgets import format_signed


def test_information_colours_come_from_the_okabe_ito_palette():
    palette = set(theme.OKABE_ITO.values())
    assert set(theme.GOVERNMENT_COLORS.values()) <= palette
    assert {color for _, color, _ in theme.TIE_LEVELS} <= palette
    assert {theme.POSITIVE, theme.NEGATIVE, theme.FAN_INNER, theme.FAN_OUTER} <= palette
    assert set(theme.STANCE_COLORS.values()) - {theme.FAINT} <= palette
    # every tie level also has a word (colour is never the only cue)
    assert [theme.tie_word(v) for v in (0.2, 0.5, 0.6, 0.9)] == ["strained", "fragile", "working", "strong"]
    assert theme.tie_color(0.2) == theme.VERMILLION and theme.tie_color(0.9) == theme.BLUE


def test_fonts_scale_with_the_window():
    fonts = Fonts((1280, 720))
    assert fonts.px("body") == theme.ROLES["body"]
    fonts.resize((1920, 1080))
    assert fonts.scale == 1.5 and fonts.px("body") == round(theme.ROLES["body"] * 1.5)
    fonts.resize((1920, 720))  # the tighter dimension decides
    assert fonts.scale == 1.0
    fonts.resize((320, 200))
    assert fonts.scale == 0.7


def test_text_is_cached_wrapped_and_ellipsized():
    fonts = Fonts((1280, 720))
    first = fonts.render("Trilateral index", "body")
    assert fonts.render("Trilateral index", "body") is first
    assert fonts.has_rendered("Trilateral index")
    lines = fonts.wrap("shared threat perception holds the three together " * 4, 200, "small")
    assert len(lines) > 2 and all(fonts.width(line, "small") <= 200 for line in lines)
    short = fonts.ellipsize("Republic of Korea and its partners", 120, "body")
    assert short.endswith("...") and fonts.width(short, "body") <= 120


def test_signed_numbers_never_show_minus_zero():
    assert format_signed(-0.0001, 2) == "+0.00"
    assert format_signed(-0.02, 2) == "-0.02"
    assert format_signed(0.0246) == "+0.025"
