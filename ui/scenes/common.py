"""Pieces every screen uses: the header bar, rows of buttons, the paused banner, the undo question.

This module holds no scene: scene modules may import it, and it imports none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.errors import TrilatError
from ui import theme
from ui.input import Action, key_label
from ui.scene import SceneId
from ui.theme import Fonts, pygame
from ui.widgets import Button, Widget, draw_text

if TYPE_CHECKING:
    from ui.app import App


@dataclass
class ButtonSpec:
    """One button of a row: label, action, shortcut, style, name, enabled, tooltip."""

    label: str
    action: Action
    key: tuple[int, int] | None = None
    style: str = "normal"
    name: str = ""
    enabled: bool = True
    tooltip: str = ""
    selected: bool = False
    show_key: bool = True


def header_height(fonts: Fonts) -> int:
    """Height of the header bar."""
    return fonts.line_height("heading") + fonts.line_height("small") + fonts.s(10)


def footer_height(fonts: Fonts) -> int:
    """Height of the bar of buttons at the bottom."""
    return fonts.s(52)


def draw_header(surface: pygame.Surface, fonts: Fonts, title: str, subtitle: str = "", right: str = "") -> None:
    """The dark header bar with a title, a subtitle and right-aligned status text."""
    height = header_height(fonts)
    pygame.draw.rect(surface, theme.SHADE, (0, 0, surface.get_width(), height))
    pad = fonts.s(14)
    rect = draw_text(surface, fonts, title, (pad, fonts.s(5)), "heading", theme.WHITE, bold=True)
    if subtitle:
        draw_text(surface, fonts, subtitle, (pad, rect.bottom), "small", theme.mix(theme.WHITE, theme.SHADE, 0.25))
    if right:
        draw_text(
            surface, fonts, right, (surface.get_width() - pad, height // 2), "body", theme.WHITE, True, "midright"
        )


def draw_footer(surface: pygame.Surface, fonts: Fonts) -> pygame.Rect:
    """The footer strip behind a row of buttons."""
    height = footer_height(fonts)
    rect = pygame.Rect(0, surface.get_height() - height, surface.get_width(), height)
    pygame.draw.rect(surface, theme.mix(theme.BACKGROUND, theme.PANEL_EDGE, 0.5), rect)
    pygame.draw.line(surface, theme.PANEL_EDGE, rect.topleft, rect.topright)
    return rect


def button_width(fonts: Fonts, spec: ButtonSpec, role: str = "body") -> int:
    """Width a button needs for its label and key."""
    hint = key_label(spec.key) if spec.show_key else ""
    extra = fonts.width(hint, "tiny", True) + fonts.s(22) if hint else 0
    return fonts.width(spec.label, role, True) + fonts.s(24) + extra


def button_row(
    fonts: Fonts,
    specs: Sequence[ButtonSpec],
    rect: pygame.Rect,
    align: str = "right",
    role: str = "body",
) -> list[Widget]:
    """Buttons laid out in one row inside ``rect`` (``left``, ``right`` or ``center`` aligned)."""
    gap = fonts.s(10)
    widths = [button_width(fonts, spec, role) for spec in specs]
    total = sum(widths) + gap * max(0, len(specs) - 1)
    if total > rect.width and specs:
        scale = (rect.width - gap * (len(specs) - 1)) / max(1, sum(widths))
        widths = [max(fonts.s(60), int(w * scale)) for w in widths]
        total = sum(widths) + gap * (len(specs) - 1)
    x = {"left": rect.left, "center": rect.centerx - total // 2}.get(align, rect.right - total)
    buttons: list[Widget] = []
    for spec, width in zip(specs, widths, strict=True):
        buttons.append(
            Button(
                (x, rect.top, width, rect.height),
                spec.label,
                spec.action,
                key=spec.key,
                style=spec.style,
                name=spec.name or spec.action.intent.value,
                enabled=spec.enabled,
                tooltip=spec.tooltip,
                selected=spec.selected,
                role=role,
                show_key=spec.show_key,
            )
        )
        x += width + gap
    return buttons


def footer_buttons(
    fonts: Fonts, size: tuple[int, int], right: Sequence[ButtonSpec], left: Sequence[ButtonSpec] = ()
) -> list[Widget]:
    """Buttons in the footer: ``left`` ones from the left edge, ``right`` ones from the right."""
    height = footer_height(fonts)
    pad = fonts.s(10)
    row = pygame.Rect(pad, size[1] - height + pad, size[0] - 2 * pad, height - 2 * pad)
    out = button_row(fonts, left, row, "left") if left else []
    return out + button_row(fonts, right, row, "right")


def draw_paused(surface: pygame.Surface, fonts: Fonts) -> None:
    """The 'paused by the facilitator' banner (scenes draw it in ``draw_banners``, over their widgets)."""
    text = fonts.render("PAUSED by the facilitator (F2 to resume)", "heading", theme.TEXT, bold=True)
    rect = text.get_rect(midtop=(surface.get_width() // 2, header_height(fonts) + fonts.s(8)))
    box = rect.inflate(fonts.s(24), fonts.s(12))
    pygame.draw.rect(surface, theme.YELLOW, box, border_radius=fonts.s(6))
    pygame.draw.rect(surface, theme.TEXT, box, width=2, border_radius=fonts.s(6))
    surface.blit(text, rect)


def draw_banner(surface: pygame.Surface, fonts: Fonts, message: str, colour: theme.Color) -> pygame.Rect:
    """A one-line notice on a white box with a coloured edge, just under the header (over the widgets)."""
    text = fonts.render(message, "body", colour, bold=True)
    rect = text.get_rect(midtop=(surface.get_width() // 2, header_height(fonts) + fonts.s(10)))
    box = rect.inflate(fonts.s(20), fonts.s(8))
    pygame.draw.rect(surface, theme.WHITE, box, border_radius=fonts.s(6))
    pygame.draw.rect(surface, colour, box, width=2, border_radius=fonts.s(6))
    surface.blit(text, rect)
    return box


def confirm_undo(app: App) -> None:
    """Ask, then undo the last resolved turn (through the session, so it is logged)."""
    match = app.match
    if match is None:
        return
    if match.turn < 1:
        app.toast("No turn to undo yet.")
        return

    def undo() -> None:
        try:
            next_turn = match.undo()
        except TrilatError as exc:
            app.toast(str(exc))
            return
        app.return_to_turn_screen()
        app.toast(f"Turn {next_turn} undone: its moves and injections are dropped; play it again.")

    app.push(
        SceneId.CONFIRM,
        f"Undo turn {match.turn} ({match.quarter(match.turn)})?",
        undo,
        "The game goes back to just before that turn; its moves and injections are dropped (the undo is logged).",
        yes="Undo",
    )
