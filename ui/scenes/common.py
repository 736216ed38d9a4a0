"""Pieces every screen uses: the header bar, rows of buttons, a confirmation box and the help card."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ui import theme
from ui.input import Intent, key, key_label
from ui.scene import Scene
from ui.theme import Fonts, pygame
from ui.widgets import Button, Widget, draw_panel, draw_text, draw_wrapped

if TYPE_CHECKING:
    from ui.app import App


@dataclass
class ButtonSpec:
    """One button of a row: label, intent, shortcut, style, name, enabled, tooltip."""

    label: str
    intent: Intent
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
) -> list[Button]:
    """Buttons laid out in one row inside ``rect`` (``left``, ``right`` or ``center`` aligned)."""
    gap = fonts.s(10)
    widths = [button_width(fonts, spec, role) for spec in specs]
    total = sum(widths) + gap * max(0, len(specs) - 1)
    if total > rect.width and specs:
        scale = (rect.width - gap * (len(specs) - 1)) / max(1, sum(widths))
        widths = [max(fonts.s(60), int(w * scale)) for w in widths]
        total = sum(widths) + gap * (len(specs) - 1)
    x = {"left": rect.left, "center": rect.centerx - total // 2}.get(align, rect.right - total)
    buttons = []
    for spec, width in zip(specs, widths, strict=True):
        buttons.append(
            Button(
                (x, rect.top, width, rect.height),
                spec.label,
                spec.intent,
                key=spec.key,
                style=spec.style,
                name=spec.name or spec.intent.name,
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
) -> list[Button]:
    """Buttons in the footer: ``left`` ones from the left edge, ``right`` ones from the right."""
    height = footer_height(fonts)
    pad = fonts.s(10)
    row = pygame.Rect(pad, size[1] - height + pad, size[0] - 2 * pad, height - 2 * pad)
    out = button_row(fonts, left, row, "left") if left else []
    return out + button_row(fonts, right, row, "right")


def draw_paused(surface: pygame.Surface, fonts: Fonts) -> None:
    """The 'paused by the facilitator' banner."""
    text = fonts.render("PAUSED by the facilitator (F2 to resume)", "heading", theme.TEXT, bold=True)
    rect = text.get_rect(midtop=(surface.get_width() // 2, header_height(fonts) + fonts.s(8)))
    box = rect.inflate(fonts.s(24), fonts.s(12))
    pygame.draw.rect(surface, theme.YELLOW, box, border_radius=fonts.s(6))
    pygame.draw.rect(surface, theme.TEXT, box, width=2, border_radius=fonts.s(6))
    surface.blit(text, rect)


class ConfirmScene(Scene):
    """A yes/no question over the current screen (Y or Enter = yes, N or Esc = no).

    Args:
        app: the application.
        question: what to ask.
        on_yes: what to do when confirmed (the box closes first).
        detail: a line of explanation under the question.
        yes: label of the yes button.
    """

    name = "confirm"
    overlay = True

    def __init__(self, app: App, question: str, on_yes: Callable[[], None], detail: str = "", yes: str = "Yes") -> None:
        super().__init__(app)
        self.question, self.on_yes, self.detail, self.yes = question, on_yes, detail, yes

    def box(self, size: tuple[int, int]) -> pygame.Rect:
        """Where the box is."""
        fonts = self.fonts
        width = min(size[0] - fonts.s(40), fonts.s(620))
        rect = pygame.Rect(0, 0, width, fonts.s(200))
        rect.center = (size[0] // 2, size[1] // 2)
        return rect

    def build(self, size: tuple[int, int]) -> list[Widget]:
        box = self.box(size)
        row = pygame.Rect(
            box.left + self.fonts.s(16), box.bottom - self.fonts.s(54), box.width - self.fonts.s(32), self.fonts.s(38)
        )
        specs = [
            ButtonSpec("Cancel", Intent("no"), key(pygame.K_n), name="no"),
            ButtonSpec(self.yes, Intent("yes"), key(pygame.K_y), "danger", name="yes"),
        ]
        return button_row(self.fonts, specs, row, "right")

    def on_intent(self, intent: Intent) -> None:
        if intent.name in ("yes", "confirm"):
            self.app.stack.pop()
            self.on_yes()
        elif intent.name in ("no", "back"):
            self.app.stack.pop()

    def draw_scene(self, surface: pygame.Surface) -> None:
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((*theme.SHADE, 150))
        surface.blit(shade, (0, 0))
        box = self.box(surface.get_size())
        inner = draw_panel(surface, self.fonts, box, accent=theme.VERMILLION)
        inner = inner.inflate(-self.fonts.s(10), 0)
        y = draw_wrapped(surface, self.fonts, self.question, inner, "heading", theme.TEXT, bold=True, max_lines=2)
        if self.detail:
            area = pygame.Rect(inner.left, y + self.fonts.s(6), inner.width, inner.bottom - y - self.fonts.s(50))
            draw_wrapped(surface, self.fonts, self.detail, area, "small", theme.MUTED, max_lines=3)


GLOBAL_HELP = (
    ("F1", "this help card"),
    ("F2", "facilitator console (in a game)"),
    ("F11", "full screen on / off"),
    ("Tab / Shift+Tab", "move the keyboard focus; Enter activates"),
    ("Ctrl+Z", "undo the last turn (in a game)"),
    ("Ctrl+Q", "quit (the game is autosaved)"),
    ("Esc", "back / close"),
)


class HelpScene(Scene):
    """The help card: every key of the screen below, and the global ones."""

    name = "help"
    overlay = True

    def __init__(self, app: App, below: Scene | None) -> None:
        super().__init__(app)
        self.below = below

    def lines(self) -> list[tuple[str, str]]:
        """(key, action) pairs for the screen below, then the global keys."""
        out: list[tuple[str, str]] = []
        if self.below is not None:
            for widget in self.below.widgets():
                label = getattr(widget, "label", "") or widget.name
                if widget.key is not None and label and getattr(widget, "show_key", True):
                    out.append((key_label(widget.key), label))
            out.extend(self.below.hints)
        seen = {k for k, _ in out}
        out.extend(item for item in GLOBAL_HELP if item[0] not in seen)
        return out

    def on_intent(self, intent: Intent) -> None:
        if intent.name in ("back", "help", "confirm", "click"):
            self.app.stack.pop()

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts = self.fonts
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((*theme.SHADE, 170))
        surface.blit(shade, (0, 0))
        lines = self.lines()
        line_h = fonts.line_height("body")
        width = min(surface.get_width() - fonts.s(40), fonts.s(760))
        height = min(surface.get_height() - fonts.s(40), (len(lines) + 3) * line_h + fonts.s(40))
        box = pygame.Rect(0, 0, width, height)
        box.center = (surface.get_width() // 2, surface.get_height() // 2)
        inner = draw_panel(surface, fonts, box, "Keys (F1 or Esc to close)")
        y = inner.top + fonts.s(4)
        col = inner.left + fonts.s(170)
        for key_text, action in lines:
            if y + line_h > inner.bottom:
                break
            draw_text(surface, fonts, key_text, (inner.left, y), "body", theme.BLUE, bold=True)
            draw_text(surface, fonts, fonts.ellipsize(action, inner.right - col, "body"), (col, y), "body")
            y += line_h
