"""The glossary: every word the game uses, in plain language (F3 anywhere, or the Glossary button).

The entries come from :data:`sim.play.glossary.GLOSSARY` (the same words the handouts and the
room's pages use). Entries are laid out in two columns and wrap in full; when they do not all fit,
Up / Down / PgUp / PgDn or the mouse wheel scroll, and the panel says how many entries are above
and below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.play.glossary import GLOSSARY, Term
from ui import theme
from ui.input import Action, Intent
from ui.scene import Scene, SceneId
from ui.theme import pygame
from ui.widgets import draw_panel, draw_text, draw_wrapped, wrapped_height

if TYPE_CHECKING:
    from ui.app import App


class GlossaryScene(Scene):
    """The glossary overlay.

    Args:
        app: the application.
        below: the screen it opened over (kept for drawing under the shade).
    """

    scene_id = SceneId.GLOSSARY
    overlay = True
    hints = (("Up / Down, PgUp / PgDn", "scroll the glossary"), ("F3 or Esc", "close the glossary"))

    def __init__(self, app: App, below: Scene | None = None) -> None:
        super().__init__(app)
        self.below = below
        self.first = 0
        self.shown = len(GLOSSARY)

    def on_action(self, action: Action) -> None:
        intent = action.intent
        if intent in (Intent.BACK, Intent.GLOSSARY, Intent.CONFIRM):
            self.app.stack.pop()
        elif intent in (Intent.UP, Intent.DOWN, Intent.SCROLL):
            step = {Intent.UP: -1, Intent.DOWN: 1}.get(intent, action.value or 0)
            self.scroll(int(step))

    def scroll(self, step: int) -> None:
        """Move the first entry shown by ``step`` (kept within the list)."""
        last = max(0, len(GLOSSARY) - self.shown)
        self.first = max(0, min(last, self.first + step))

    def box(self, size: tuple[int, int]) -> pygame.Rect:
        """The glossary's panel."""
        fonts = self.fonts
        width = min(size[0] - fonts.s(40), fonts.s(1100))
        rect = pygame.Rect(0, 0, width, size[1] - fonts.s(60))
        rect.center = (size[0] // 2, size[1] // 2)
        return rect

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts = self.fonts
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((*theme.SHADE, 170))
        surface.blit(shade, (0, 0))
        inner = draw_panel(surface, fonts, self.box(surface.get_size()), "Glossary: the game's words")
        footer_h = fonts.line_height("small") + fonts.s(6)
        area = pygame.Rect(inner.left, inner.top + fonts.s(4), inner.width, inner.height - footer_h - fonts.s(4))
        gap = fonts.s(24)
        col_w = (area.width - gap) // 2
        columns = [pygame.Rect(area.left, area.top, col_w, area.height)]
        columns.append(pygame.Rect(area.left + col_w + gap, area.top, col_w, area.height))
        index, column, y = self.first, 0, area.top
        while index < len(GLOSSARY) and column < 2:
            term = GLOSSARY[index]
            rect = columns[column]
            need = _term_height(fonts, term, rect.width)
            if y + need > rect.bottom:
                column, y = column + 1, area.top
                continue
            y = _draw_term(surface, fonts, term, pygame.Rect(rect.left, y, rect.width, need)) + fonts.s(8)
            index += 1
        self.shown = max(1, index - self.first)
        above, below = self.first, len(GLOSSARY) - index
        parts = [f"{above} more above" if above else "", f"{below} more below" if below else ""]
        status = "; ".join(p for p in parts if p)
        status = f"{status} (Up / Down to scroll). " if status else ""
        draw_text(
            surface,
            fonts,
            f"{status}F3 or Esc closes",
            (inner.left, inner.bottom - footer_h + fonts.s(4)),
            "small",
            theme.MUTED,
        )


def _term_height(fonts: theme.Fonts, term: Term, width: int) -> int:
    return wrapped_height(fonts, term.word, width, "body", True) + wrapped_height(fonts, term.meaning, width, "small")


def _draw_term(surface: pygame.Surface, fonts: theme.Fonts, term: Term, rect: pygame.Rect) -> int:
    y = draw_wrapped(surface, fonts, term.word, rect, "body", theme.BLUE, bold=True)
    return draw_wrapped(surface, fonts, term.meaning, pygame.Rect(rect.left, y, rect.width, rect.bottom - y), "small")
