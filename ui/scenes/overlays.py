"""Overlays drawn over the current screen: a yes/no confirmation box and the help card."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ui import theme
from ui.input import Action, Intent, key, key_label
from ui.scene import Scene, SceneId
from ui.scenes.common import ButtonSpec, button_row
from ui.theme import pygame
from ui.widgets import Button, Widget, draw_panel, draw_text, draw_wrapped, wrapped_height

if TYPE_CHECKING:
    from ui.app import App


class ConfirmScene(Scene):
    """A yes/no question over the current screen (Y or Enter = yes, N or Esc = no).

    Args:
        app: the application.
        question: what to ask.
        on_yes: what to do when confirmed (the box closes first).
        detail: a line of explanation under the question.
        yes: label of the yes button.
    """

    scene_id = SceneId.CONFIRM
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
            ButtonSpec("Cancel", Action(Intent.NO), key(pygame.K_n), name="no"),
            ButtonSpec(self.yes, Action(Intent.YES), key(pygame.K_y), "danger", name="yes"),
        ]
        return button_row(self.fonts, specs, row, "right")

    def on_action(self, action: Action) -> None:
        if action.intent in (Intent.YES, Intent.CONFIRM):
            self.app.stack.pop()
            self.on_yes()
        elif action.intent in (Intent.NO, Intent.BACK):
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
    ("F3", "glossary: the game's words in plain language"),
    ("F11", "full screen on / off"),
    ("Tab / Shift+Tab", "move the keyboard focus; Enter activates"),
    ("Ctrl+Z", "undo the last turn (in a game)"),
    ("Ctrl+Q", "quit (the game is autosaved)"),
    ("Esc", "back / close"),
)


class HelpScene(Scene):
    """The help card: every key of the screen below, and the global ones."""

    scene_id = SceneId.HELP
    overlay = True

    def __init__(self, app: App, below: Scene | None) -> None:
        super().__init__(app)
        self.below = below

    def lines(self) -> list[tuple[str, str]]:
        """(key, action) pairs for the screen below, then the global keys."""
        out: list[tuple[str, str]] = []
        if self.below is not None:
            for widget in self.below.widgets():
                label = (widget.label if isinstance(widget, Button) else "") or widget.name
                shown = widget.show_key if isinstance(widget, Button) else True
                if widget.key is not None and label and shown:
                    out.append((key_label(widget.key), label))
            out.extend(self.below.hints)
        seen = {k for k, _ in out}
        out.extend(item for item in GLOBAL_HELP if item[0] not in seen)
        return out

    def on_action(self, action: Action) -> None:
        if action.intent in (Intent.BACK, Intent.HELP, Intent.CONFIRM, Intent.CLICK):
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
            area = pygame.Rect(col, y, inner.right - col, inner.bottom - y)
            if y + wrapped_height(fonts, action, area.width, "body") > inner.bottom:
                break
            draw_text(surface, fonts, key_text, (inner.left, y), "body", theme.BLUE, bold=True)
            y = draw_wrapped(surface, fonts, action, area, "body")
