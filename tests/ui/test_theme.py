"""The palette is colour-blind safe (Okabe-Ito), fonts scale with the window, text is cached."""

from __future__ import annotations

from ui import theme
from ui.theme import Fonts, pygame
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


def _glyphs(fonts, text, role="body"):
    """Per-character renderings of ``text`` in the font the game sets it in."""
    font = fonts.text_font(text, role)
    return [font.render(char, True, theme.TEXT) for char in text if not char.isspace()]


def test_korean_and_japanese_team_names_render_real_glyphs():
    fonts = Fonts((1280, 720))
    for name in ("서울 팀", "東京チーム", "Team 서울"):
        assert theme.needs_cjk(name)
        font = fonts.text_font(name)
        assert font is not fonts.font("body")
        assert all(m is not None for m in font.metrics(name)), name  # every character has a glyph
        glyphs = _glyphs(fonts, name)
        assert all(pygame.mask.from_surface(g).count() > 0 for g in glyphs), name
        # distinct characters have distinct shapes (tofu boxes would all be alike)
        shapes = {pygame.image.tobytes(g, "RGBA") for g in glyphs}
        assert len(shapes) == len({ch for ch in name if not ch.isspace()}), name
    # The Latin font has no Hangul or kana: it draws every such character as the same box (tofu).
    latin = fonts.font("body")
    assert len({pygame.image.tobytes(latin.render(ch, True, theme.TEXT), "RGBA") for ch in "서울東京チ"}) == 1
    assert not theme.needs_cjk("Team Seoul") and fonts.text_font("Team Seoul") is fonts.font("body")
    bold = fonts.render("서울 팀", "heading", bold=True)
    plain = fonts.render("서울 팀", "heading")
    assert pygame.mask.from_surface(bold).count() > pygame.mask.from_surface(plain).count()  # synthetic bold


def test_korean_text_wraps_and_measures_in_its_own_font():
    fonts = Fonts((1280, 720))
    text = "한국과 일본과 미국의 협력은 계속된다 " * 4 + "日本語の文は空白なしで続くのでどこでも改行できる"
    lines = fonts.wrap(text, 220, "small")
    assert len(lines) > 3 and all(fonts.width(line, "small") <= 220 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not fonts.shortened  # breaking Japanese between characters is not cutting it


def test_a_missing_cjk_font_falls_back_with_one_notice(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(theme, "CJK_FONT", tmp_path / "none.otf")
    fonts = Fonts((1280, 720))
    with caplog.at_level("WARNING", logger="ui.theme"):
        fonts.render("서울 팀")
        fonts.render("東京", "heading")
        fonts.width("서울", "small")
    notices = [r for r in caplog.records if "Korean/Japanese font" in r.getMessage()]
    assert len(notices) == 1 and "none.otf" in notices[0].getMessage()
    assert fonts.text_font("서울") is fonts.font("body")


def test_the_setup_screen_takes_typed_hangul_and_draws_it(app, driver, baseline, tmp_path):
    from ui.scenes.setup import SetupScene

    scene = SetupScene(app, "baseline", baseline)
    app.stack.push(scene)
    driver.frame()
    driver.click("team_ROK")
    driver.type("서울 팀")  # TEXTINPUT events, as an input method sends the composed syllables
    driver.click("team_JPN")
    for chunk in ("東京", "チーム"):  # an input method may commit several characters at once
        driver.post(pygame.TEXTINPUT, text=chunk)
    driver.frame()
    assert scene.team_names["ROK"] == "서울 팀" and scene.team_names["JPN"] == "東京チーム"
    assert app.fonts.has_rendered("서울 팀") and app.fonts.has_rendered("東京チーム")
    assert scene.settings().team_names == {"ROK": "서울 팀", "JPN": "東京チーム"}


def test_control_characters_and_lone_surrogates_from_a_save_do_not_stop_the_drawing():
    fonts = Fonts((1280, 720))
    for text in ("a\x00b", "\ud800 team", "\x1b[31mred\x07", "서울\x00팀"):
        assert fonts.render(text).get_width() > 0
        assert fonts.width(text) > 0
        assert fonts.wrap(text * 20, 120)
        assert fonts.ellipsize(text * 20, 120).endswith("...")
    assert theme.drawable("a\x00b\ud800") == "a b\ufffd" and theme.drawable("서울 팀") == "서울 팀"
