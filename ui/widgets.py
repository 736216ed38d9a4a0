"""Widgets (buttons, cards, sliders, text fields, hot regions) and drawing helpers (panels, bars, tooltips).

A widget is a rectangle that knows the :class:`~ui.input.Action` a click on it means, an
optional shortcut key, a tooltip and how to draw itself. Scenes build their widgets when they
lay themselves out (on resume, on resize, after a change); ``draw`` only reads them. Hover
and keyboard focus are passed in by the scene, so a widget holds no interaction state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ui import theme
from ui.input import Action, Intent, key_label
from ui.theme import Color, Fonts, pygame

Pos = tuple[int, int]


# --------------------------------------------------------------------------------------- helpers


def draw_text(
    surface: pygame.Surface,
    fonts: Fonts,
    text: str,
    pos: Pos,
    role: str = "body",
    color: Color = theme.TEXT,
    bold: bool = False,
    anchor: str = "topleft",
) -> pygame.Rect:
    """Blit one line of cached text with its ``anchor`` (a pygame Rect attribute) at ``pos``."""
    rendered = fonts.render(text, role, color, bold)
    rect = rendered.get_rect(**{anchor: pos})
    surface.blit(rendered, rect)
    return rect


def draw_wrapped(
    surface: pygame.Surface,
    fonts: Fonts,
    text: str,
    rect: pygame.Rect,
    role: str = "body",
    color: Color = theme.TEXT,
    bold: bool = False,
    max_lines: int | None = None,
) -> int:
    """Draw ``text`` wrapped to ``rect``'s width from its top; return the y below the last line."""
    y = rect.top
    height = fonts.line_height(role)
    lines = fonts.wrap(text, rect.width, role, bold)
    if max_lines is not None and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], fonts.ellipsize(" ".join(lines[max_lines - 1 :]), rect.width, role, bold)]
    for line in lines:
        if y + height > rect.bottom + 2:
            fonts.cut(text)
            break
        surface.blit(fonts.render(line, role, color, bold), (rect.left, y))
        y += height
    return y


def wrapped_height(fonts: Fonts, text: str, width: int, role: str = "body", bold: bool = False) -> int:
    """Height ``draw_wrapped`` needs for ``text`` at ``width``."""
    return len(fonts.wrap(text, width, role, bold)) * fonts.line_height(role)


def draw_panel(
    surface: pygame.Surface,
    fonts: Fonts,
    rect: pygame.Rect,
    title: str = "",
    fill: Color = theme.PANEL,
    accent: Color | None = None,
) -> pygame.Rect:
    """A white panel with a border and an optional title bar; returns the inner content rect."""
    radius = fonts.s(6)
    pygame.draw.rect(surface, fill, rect, border_radius=radius)
    pygame.draw.rect(surface, theme.PANEL_EDGE, rect, width=1, border_radius=radius)
    pad = fonts.s(8)
    inner = rect.inflate(-2 * pad, -2 * pad)
    if accent is not None:
        pygame.draw.rect(surface, accent, (rect.left, rect.top, fonts.s(5), rect.height), border_radius=radius)
    if title:
        title_rect = draw_text(surface, fonts, title, (inner.left, inner.top), "heading", theme.TEXT, bold=True)
        inner = pygame.Rect(inner.left, title_rect.bottom + fonts.s(4), inner.width, inner.bottom - title_rect.bottom)
    return inner


def draw_bar(
    surface: pygame.Surface,
    rect: pygame.Rect,
    value: float,
    color: Color,
    lo: float = 0.0,
    hi: float = 1.0,
    marker: float | None = None,
) -> None:
    """A horizontal bar filled to ``value`` on [lo, hi], with an optional tick at ``marker``."""
    pygame.draw.rect(surface, theme.mix(theme.PANEL_EDGE, theme.WHITE, 0.5), rect, border_radius=2)
    share = 0.0 if hi <= lo else min(1.0, max(0.0, (value - lo) / (hi - lo)))
    if share > 0:
        pygame.draw.rect(surface, color, (rect.left, rect.top, max(2, round(rect.width * share)), rect.height), 0, 2)
    pygame.draw.rect(surface, theme.PANEL_EDGE, rect, width=1, border_radius=2)
    if marker is not None and hi > lo:
        mx = rect.left + round(rect.width * min(1.0, max(0.0, (marker - lo) / (hi - lo))))
        pygame.draw.line(surface, theme.TEXT, (mx, rect.top - 2), (mx, rect.bottom + 1), 2)


def draw_chip(
    surface: pygame.Surface, fonts: Fonts, text: str, pos: Pos, color: Color, role: str = "tiny"
) -> pygame.Rect:
    """A small filled label (kind of event, stance of a card) with text in black or white."""
    rendered = fonts.render(text, role, theme.text_on(color), bold=True)
    pad = fonts.s(4)
    rect = pygame.Rect(pos[0], pos[1], rendered.get_width() + 2 * pad, rendered.get_height() + 2)
    pygame.draw.rect(surface, color, rect, border_radius=fonts.s(4))
    surface.blit(rendered, (rect.left + pad, rect.top + 1))
    return rect


def draw_focus(surface: pygame.Surface, rect: pygame.Rect, fonts: Fonts) -> None:
    """The keyboard-focus ring (orange, outlined in black so it shows on any background)."""
    ring = rect.inflate(fonts.s(6), fonts.s(6))
    pygame.draw.rect(surface, theme.BLACK, ring, width=fonts.s(4), border_radius=fonts.s(8))
    pygame.draw.rect(surface, theme.ORANGE, ring.inflate(-2, -2), width=fonts.s(2), border_radius=fonts.s(8))


def draw_tooltip(surface: pygame.Surface, fonts: Fonts, text: str, anchor: Pos) -> pygame.Rect:
    """A tooltip box near ``anchor`` (kept inside the window); returns its rect."""
    width = min(fonts.s(380), surface.get_width() - fonts.s(20))
    pad = fonts.s(8)
    lines = fonts.wrap(text, width - 2 * pad, "small")
    line_h = fonts.line_height("small")
    text_w = max(fonts.width(line, "small") for line in lines) if lines else 0
    rect = pygame.Rect(0, 0, text_w + 2 * pad, len(lines) * line_h + 2 * pad)
    rect.topleft = (anchor[0] + fonts.s(14), anchor[1] + fonts.s(18))
    bounds = surface.get_rect().inflate(-fonts.s(6), -fonts.s(6))
    if rect.right > bounds.right:
        rect.right = anchor[0] - fonts.s(8)
    if rect.bottom > bounds.bottom:
        rect.bottom = anchor[1] - fonts.s(8)
    rect.clamp_ip(bounds)
    shadow = rect.move(fonts.s(3), fonts.s(3))
    pygame.draw.rect(surface, theme.mix(theme.BACKGROUND, theme.SHADE, 0.35), shadow, border_radius=fonts.s(5))
    pygame.draw.rect(surface, (255, 253, 231), rect, border_radius=fonts.s(5))
    pygame.draw.rect(surface, theme.TEXT, rect, width=1, border_radius=fonts.s(5))
    y = rect.top + pad
    for line in lines:
        surface.blit(fonts.render(line, "small", theme.TEXT), (rect.left + pad, y))
        y += line_h
    return rect


def format_signed(value: float, digits: int = 3) -> str:
    """``+0.024`` / ``-0.100``; a change that rounds to zero is ``+0.000``, never ``-0.000``."""
    if abs(value) < 0.5 * 10**-digits:
        value = 0.0
    return f"{value:+.{digits}f}"


# --------------------------------------------------------------------------------------- widgets


class Widget:
    """A clickable, focusable rectangle that means an action.

    Args:
        rect: where it is.
        action: what clicking it (or pressing its key, or Enter while it has focus) means.
        key: a shortcut from :func:`ui.input.key`, shown on the widget.
        tooltip: text shown on hover or focus.
        enabled: a disabled widget is drawn greyed and gives no action.
        focusable: whether Tab stops on it.
        name: an id for tests and for scenes that look widgets up.
    """

    def __init__(
        self,
        rect: pygame.Rect | Sequence[int],
        action: Action | None = None,
        *,
        key: tuple[int, int] | None = None,
        tooltip: str = "",
        enabled: bool = True,
        focusable: bool = True,
        name: str = "",
    ) -> None:
        self.rect = pygame.Rect(rect)
        self.action = action
        self.key = key
        self.tooltip = tooltip
        self.enabled = enabled
        self.focusable = focusable
        self.name = name

    def contains(self, pos: Pos) -> bool:
        """Whether ``pos`` is on the widget."""
        return self.rect.collidepoint(pos)

    def action_at(self, pos: Pos) -> Action | None:
        """The action of a click at ``pos``."""
        return self.action

    def draw(self, surface: pygame.Surface, fonts: Fonts, hovered: bool = False, focused: bool = False) -> None:
        """Draw (a plain widget is an invisible hot region: only its focus ring shows)."""
        if focused:
            draw_focus(surface, self.rect, fonts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name or self.action}, {tuple(self.rect)})"


Region = Widget
"""An invisible clickable area (an indicator, a government panel) with a tooltip."""


class Segment(Widget):
    """A clickable line (a tie between two governments on the map)."""

    def __init__(self, a: Pos, b: Pos, width: int, action: Action, **kwargs: Any) -> None:
        left, top = min(a[0], b[0]) - width, min(a[1], b[1]) - width
        rect = pygame.Rect(left, top, abs(a[0] - b[0]) + 2 * width, abs(a[1] - b[1]) + 2 * width)
        super().__init__(rect, action, **kwargs)
        self.a, self.b, self.width = a, b, width

    def contains(self, pos: Pos) -> bool:
        """Within ``width`` pixels of the segment."""
        (ax, ay), (bx, by), (px, py) = self.a, self.b, pos
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy or 1
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
        return math.hypot(px - (ax + t * dx), py - (ay + t * dy)) <= self.width

    def draw(self, surface: pygame.Surface, fonts: Fonts, hovered: bool = False, focused: bool = False) -> None:
        if focused or hovered:
            mid = ((self.a[0] + self.b[0]) // 2, (self.a[1] + self.b[1]) // 2)
            pygame.draw.circle(surface, theme.BLACK, mid, fonts.s(7) + 2, width=2)
        if focused:
            pygame.draw.line(surface, theme.ORANGE, self.a, self.b, 2)


class Button(Widget):
    """A labelled button showing its shortcut key.

    Args:
        rect: where it is.
        label: the text.
        action: what it does.
        style: ``primary`` (filled blue), ``normal``, ``danger`` (vermillion) or ``quiet`` (no border).
        selected: drawn pressed-in (a chosen option, the current tab).
        role: the font role of the label.
        align: ``center`` or ``left``.
        show_key: draw the shortcut key's box (off when the label already names the key).
        **kwargs: see :class:`Widget`.
    """

    def __init__(
        self,
        rect: pygame.Rect | Sequence[int],
        label: str,
        action: Action | None,
        *,
        style: str = "normal",
        selected: bool = False,
        role: str = "body",
        align: str = "center",
        show_key: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(rect, action, **kwargs)
        self.label = label
        self.style = style
        self.selected = selected
        self.role = role
        self.align = align
        self.show_key = show_key

    def colors(self, hovered: bool) -> tuple[Color, Color, Color]:
        """Fill, border and text colours for the current state."""
        if not self.enabled:
            return theme.DISABLED, theme.PANEL_EDGE, theme.MUTED
        if self.style == "primary":
            fill = theme.mix(theme.BLUE, theme.BLACK, 0.25) if hovered else theme.BLUE
            return fill, theme.mix(theme.BLUE, theme.BLACK, 0.4), theme.WHITE
        if self.style == "danger":
            fill = theme.mix(theme.VERMILLION, theme.BLACK, 0.2) if hovered else theme.VERMILLION
            return fill, theme.mix(theme.VERMILLION, theme.BLACK, 0.4), theme.WHITE
        if self.selected:
            return theme.SHADE, theme.SHADE, theme.WHITE
        fill = theme.mix(theme.PANEL, theme.SKY, 0.25) if hovered else theme.PANEL
        return fill, theme.MUTED if self.style != "quiet" else fill, theme.TEXT

    def draw(self, surface: pygame.Surface, fonts: Fonts, hovered: bool = False, focused: bool = False) -> None:
        fill, edge, ink = self.colors(hovered)
        radius = fonts.s(6)
        pygame.draw.rect(surface, fill, self.rect, border_radius=radius)
        pygame.draw.rect(surface, edge, self.rect, width=1 if not self.selected else 2, border_radius=radius)
        hint = key_label(self.key) if self.show_key else ""
        pad = fonts.s(8)
        hint_w = 0
        if hint:
            hint_surface = fonts.render(hint, "tiny", theme.mix(ink, fill, 0.3), bold=True)
            hint_w = hint_surface.get_width() + pad
            hint_rect = hint_surface.get_rect(midright=(self.rect.right - pad, self.rect.centery))
            box = hint_rect.inflate(fonts.s(6), fonts.s(2))
            pygame.draw.rect(surface, theme.mix(ink, fill, 0.75), box, width=1, border_radius=fonts.s(3))
            surface.blit(hint_surface, hint_rect)
        room = self.rect.width - 2 * pad - hint_w
        role, lines = self.role, [self.label]
        if fonts.width(self.label, role, True) > room:
            # Wrap onto two lines (in a smaller role if need be) rather than cut the label.
            for role in (self.role, "tiny"):
                lines = fonts.wrap(self.label, room, role, True)
                if len(lines) * fonts.line_height(role) <= self.rect.height - 2:
                    break
            else:
                lines = [fonts.ellipsize(self.label, room, self.role, bold=True)]
                role = self.role
        line_h = fonts.line_height(role)
        top = self.rect.centery - len(lines) * line_h // 2
        for i, line in enumerate(lines):
            text = fonts.render(line, role, ink, bold=True)
            centre_y = top + i * line_h + line_h // 2
            if self.align == "left":
                surface.blit(text, text.get_rect(midleft=(self.rect.left + pad, centre_y)))
            else:
                surface.blit(text, text.get_rect(center=(self.rect.left + pad + room // 2, centre_y)))
        if focused:
            draw_focus(surface, self.rect, fonts)


class Slider(Widget):
    """A horizontal slider on [lo, hi]; a click sets the value under the pointer.

    The action of a click is ``Action(intent, (name, value))``; arrow keys on the focused
    slider are handled by the scene (it knows the step).
    """

    def __init__(
        self,
        rect: pygame.Rect | Sequence[int],
        ident: str,
        value: float,
        lo: float,
        hi: float,
        *,
        intent: Intent,
        default: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(rect, Action(intent, (ident, value)), **kwargs)
        self.slider_name, self.value, self.lo, self.hi = ident, value, lo, hi
        self.intent = intent
        self.default = default

    def value_at(self, x: int) -> float:
        """The value at pixel column ``x`` (rounded to 3 significant steps of the range)."""
        share = min(1.0, max(0.0, (x - self.rect.left) / max(1, self.rect.width)))
        value = self.lo + share * (self.hi - self.lo)
        step = (self.hi - self.lo) / 100 if self.hi > self.lo else 1.0
        return round(round(value / step) * step, 6)

    def x_of(self, value: float) -> int:
        """Pixel column of ``value``."""
        share = 0.0 if self.hi <= self.lo else (value - self.lo) / (self.hi - self.lo)
        return self.rect.left + round(self.rect.width * min(1.0, max(0.0, share)))

    def action_at(self, pos: Pos) -> Action | None:
        return Action(self.intent, (self.slider_name, self.value_at(pos[0])))

    def draw(self, surface: pygame.Surface, fonts: Fonts, hovered: bool = False, focused: bool = False) -> None:
        track = pygame.Rect(self.rect.left, self.rect.centery - fonts.s(3), self.rect.width, fonts.s(6))
        pygame.draw.rect(surface, theme.PANEL_EDGE, track, border_radius=fonts.s(3))
        filled = pygame.Rect(track.left, track.top, self.x_of(self.value) - track.left, track.height)
        pygame.draw.rect(surface, theme.BLUE if self.enabled else theme.FAINT, filled, border_radius=fonts.s(3))
        if self.default is not None:
            dx = self.x_of(self.default)
            pygame.draw.line(surface, theme.MUTED, (dx, self.rect.top + 2), (dx, self.rect.bottom - 2), 1)
        knob = (self.x_of(self.value), self.rect.centery)
        pygame.draw.circle(surface, theme.WHITE, knob, fonts.s(8))
        pygame.draw.circle(surface, theme.SHADE if not hovered else theme.BLUE, knob, fonts.s(8), width=2)
        if focused:
            draw_focus(surface, self.rect, fonts)


class TextField(Widget):
    """A one-line text box; clicking it gives ``Action(Intent.FOCUS_FIELD, name)``."""

    def __init__(
        self,
        rect: pygame.Rect | Sequence[int],
        name: str,
        value: str,
        *,
        placeholder: str = "",
        active: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(rect, Action(Intent.FOCUS_FIELD, name), name=name, **kwargs)
        self.value, self.placeholder, self.active = value, placeholder, active

    def draw(self, surface: pygame.Surface, fonts: Fonts, hovered: bool = False, focused: bool = False) -> None:
        radius = fonts.s(4)
        pygame.draw.rect(surface, theme.WHITE, self.rect, border_radius=radius)
        edge = theme.BLUE if self.active else (theme.TEXT if hovered else theme.MUTED)
        pygame.draw.rect(surface, edge, self.rect, width=2 if self.active else 1, border_radius=radius)
        pad = fonts.s(6)
        room = self.rect.width - 2 * pad
        if self.value:
            text = self.value
            while text and fonts.width(text, "body") > room:
                text = text[1:]
            rendered = fonts.render(text, "body", theme.TEXT)
        else:
            rendered = fonts.render(fonts.ellipsize(self.placeholder, room, "body"), "body", theme.FAINT)
        rect = rendered.get_rect(midleft=(self.rect.left + pad, self.rect.centery))
        surface.blit(rendered, rect)
        if self.active:
            x = rect.right + 1 if self.value else rect.left
            pygame.draw.line(surface, theme.TEXT, (x, rect.top + 2), (x, rect.bottom - 2), 2)
        if focused and not self.active:
            draw_focus(surface, self.rect, fonts)
