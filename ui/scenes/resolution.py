"""A resolved turn, step by step: what happened (threats, events, moves, rules) and how the indicators moved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engine.layout import GOVERNMENTS
from sim.engine.triggers import Firing
from sim.play.match import HEADLINE, Match
from sim.play.plain_names import plain_label, points
from ui import theme
from ui.charts import firing_chip
from ui.input import Action, Intent, key
from ui.scene import Scene, SceneId
from ui.scenes.common import (
    ButtonSpec,
    draw_footer,
    draw_header,
    draw_paused,
    footer_buttons,
    footer_height,
    header_height,
)
from ui.theme import pygame
from ui.widgets import Widget, draw_chip, draw_panel, draw_text

if TYPE_CHECKING:
    from ui.app import App

REVEAL_SECONDS = 0.9
"""Time between two revealed entries when the screen plays on its own."""
ANIMATION_SECONDS = 1.2
"""Time the indicator bars take to move from their old to their new values."""
PHASE_NAMES = {
    "threats": "Threats",
    "events": "Events",
    "domestic": "Domestic politics",
    "decisions": "Moves",
    "cooperation": "Cooperation",
    "outcomes": "Outcomes",
}
ROLES = {"title": "body", "title_more": "body", "text": "body", "source": "small"}
SHOWN = (*HEADLINE, *(f"{g}.approval" for g in GOVERNMENTS))


class ResolutionScene(Scene):
    """Shows a resolved turn entry by entry, with the indicators animating to their new values.

    Args:
        app: the application.
        firings: the story's entries for the turn, in order.
        before: the shown indicators' values before the turn.
        turn: the turn that was resolved.
    """

    scene_id = SceneId.RESOLUTION
    hints = (("Space / Right", "show the next entry"),)

    def __init__(self, app: App, firings: list[Firing], before: dict[str, float], turn: int) -> None:
        super().__init__(app)
        self.firings = firings
        self.before = before
        self.turn = turn
        self.after = {name: self.match.value(name, turn) for name in SHOWN}
        self.revealed = 0
        self.first: int | None = None
        self.clock = 0.0
        self.elapsed = 0.0
        self.blocks: list[tuple[str, list[tuple[str, str, tuple[int, int, int]]]]] = []

    @classmethod
    def resolve(cls, app: App) -> ResolutionScene:
        """Resolve the coming turn through the session and show it (the factory of :attr:`SceneId.RESOLUTION`)."""
        match = app.require_match()
        before = {name: match.value(name) for name in SHOWN}
        firings = match.resolve()
        return cls(app, firings, before, match.turn)

    @property
    def match(self) -> Match:
        """The game."""
        return self.app.require_match()

    @property
    def done(self) -> bool:
        """Whether every entry is on show."""
        return self.revealed >= len(self.firings)

    def progress(self) -> float:
        """How far the indicator animation has got (0 to 1, eased)."""
        t = min(1.0, self.elapsed / ANIMATION_SECONDS)
        return 1 - (1 - t) ** 3

    def update(self, dt: float) -> None:
        if not self.match.paused:
            self.elapsed += dt
            if not self.done:
                self.clock += dt
                while self.clock >= REVEAL_SECONDS and not self.done:
                    self.clock -= REVEAL_SECONDS
                    self.revealed += 1
                    self.dirty = True
        super().update(dt)

    def entry_heights(self) -> list[tuple[int, str, list, bool, int]]:
        """(index, label, lines, starts a new phase, height) of every revealed entry."""
        fonts = self.fonts
        out = []
        for i in range(min(self.revealed, len(self.blocks))):
            kind, lines = self.blocks[i]
            new_phase = i == 0 or self.firings[i - 1].phase != self.firings[i].phase
            height = sum(fonts.line_height(ROLES[style]) for style, _, _ in lines) + fonts.s(8)
            height += fonts.line_height("small") if new_phase else 0
            out.append((i, kind, lines, new_phase, height))
        return out

    def first_shown(self, room: int) -> int:
        """The first entry on show: where the reader scrolled; else the newest that fit (revealing) or the top."""
        heights = [h for *_, h in self.entry_heights()]
        if self.first is not None:
            return max(0, min(self.first, len(heights) - 1))
        if self.done:
            return 0  # everything is on show: read from the top
        start = len(heights)
        total = 0
        while start > 0 and total + heights[start - 1] <= room:
            start -= 1
            total += heights[start]
        return min(start, max(0, len(heights) - 1))

    def animating(self) -> bool:
        return not self.match.paused and (not self.done or self.elapsed < ANIMATION_SECONDS)

    def areas(self, size: tuple[int, int]) -> tuple[pygame.Rect, pygame.Rect]:
        """(entries, indicators)."""
        fonts = self.fonts
        pad = fonts.s(10)
        top = header_height(fonts) + pad
        height = size[1] - top - footer_height(fonts) - pad
        left = pygame.Rect(pad, top, round(size[0] * 0.6), height)
        return left, pygame.Rect(left.right + pad, top, size[0] - left.right - 2 * pad, height)

    def build(self, size: tuple[int, int]) -> list[Widget]:
        fonts = self.fonts
        entries, _ = self.areas(size)
        width = entries.width - fonts.s(40)
        self.blocks = []
        for firing in self.firings:
            chip_w = fonts.width(firing_chip(firing.source)[0], "tiny", True) + fonts.s(22)
            titles = fonts.wrap(firing.title or firing.label, entries.width - fonts.s(20) - chip_w, "body", True)
            lines: list[tuple[str, str, tuple[int, int, int]]] = [("title", titles[0], theme.TEXT)]
            lines += [("title_more", line, theme.TEXT) for line in titles[1:]]
            for line in fonts.wrap(firing.say, width, "body") if firing.say else []:
                lines.append(("text", line, theme.TEXT))
            source = self.match.essay(firing.citation)
            if source:
                lines += [("source", line, theme.MUTED) for line in fonts.wrap(f"Source: {source}", width, "small")]
            self.blocks.append((firing.label, lines))
        if self.done:
            right = [ButtonSpec("Continue", Action(Intent.CONTINUE), key(pygame.K_RETURN), "primary")]
        else:
            right = [
                ButtonSpec("Next", Action(Intent.NEXT), key(pygame.K_SPACE)),
                ButtonSpec("Show all", Action(Intent.SHOW_ALL), key(pygame.K_RETURN), "primary"),
            ]
        return footer_buttons(fonts, size, right)

    def keymap(self) -> dict[tuple[int, int], Action]:
        return {key(pygame.K_RIGHT): Action(Intent.NEXT), key(pygame.K_SPACE): Action(Intent.NEXT)}

    def on_action(self, action: Action) -> None:
        intent = action.intent
        if intent is Intent.NEXT:
            self.first = None
            self.revealed = min(len(self.firings), self.revealed + 1)
            self.clock = 0.0
        elif intent in (Intent.UP, Intent.DOWN, Intent.SCROLL):
            step = {Intent.UP: -1, Intent.DOWN: 1}.get(intent, 1 if (action.value or 0) > 0 else -1)
            room = self.areas(self.app.size)[0].height - self.fonts.line_height("heading")
            self.first = max(0, min(len(self.firings) - 1, self.first_shown(room) + step))
        elif intent is Intent.SHOW_ALL or (intent is Intent.CONFIRM and not self.done):
            self.revealed = len(self.firings)
            self.elapsed = max(self.elapsed, ANIMATION_SECONDS)
        elif intent in (Intent.CONTINUE, Intent.CONFIRM, Intent.BACK):
            self.finish()

    def finish(self) -> None:
        """Back to the turn screen (or on to the debrief if the game is over)."""
        app = self.app
        self.revealed = len(self.firings)
        app.return_to_turn_screen()
        if self.match.finished:
            app.push(SceneId.DEBRIEF)

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts, match = self.fonts, self.match
        quarter = match.quarter(self.turn)
        count = f"{self.revealed} of {len(self.firings)} entries"
        draw_header(
            surface,
            fonts,
            f"What happened in {quarter}",
            f"Turn {self.turn} of {match.turns}: every move resolved together",
            count,
        )
        draw_footer(surface, fonts)
        left, right = self.areas(surface.get_size())
        self._draw_entries(surface, left)
        self._draw_indicators(surface, right)

    def draw_banners(self, surface: pygame.Surface) -> None:
        if self.match.paused:
            draw_paused(surface, self.fonts)

    def _draw_entries(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts = self.fonts
        inner = draw_panel(surface, fonts, rect, "Step by step")
        if not self.firings:
            draw_text(surface, fonts, "A quiet quarter: no events, no moves.", inner.topleft, "body", theme.MUTED)
            return
        shown = self.entry_heights()
        start = self.first_shown(inner.height)
        shown = shown[start:]
        y = inner.top
        for n, (i, _label, lines, new_phase, height) in enumerate(shown):
            if n > 0 and y + height > inner.bottom - fonts.line_height("small"):
                more = f"... {len(shown) - n} more below (Down / wheel)"
                draw_text(
                    surface, fonts, more, (inner.left, inner.bottom - fonts.line_height("small")), "small", theme.MUTED
                )
                break
            if new_phase or n == 0:
                phase = PHASE_NAMES.get(self.firings[i].phase, self.firings[i].phase)
                y = draw_text(surface, fonts, phase.upper(), (inner.left, y), "small", theme.BLUE, True).bottom
            if i == self.revealed - 1 and not self.done:
                mark = pygame.Rect(inner.left - fonts.s(4), y, fonts.s(3), fonts.line_height("body"))
                pygame.draw.rect(surface, theme.ORANGE, mark)
            title_x = inner.left + fonts.s(24)
            for style, text, color in lines:
                if style == "title":
                    chip_text, chip_color = firing_chip(self.firings[i].source)
                    chip = draw_chip(surface, fonts, chip_text, (inner.left + fonts.s(4), y + fonts.s(3)), chip_color)
                    title_x = chip.right + fonts.s(8)
                    draw_text(surface, fonts, text, (title_x, y), "body", color, True)
                elif style == "title_more":
                    draw_text(surface, fonts, text, (title_x, y), "body", color, True)
                else:
                    draw_text(surface, fonts, text, (inner.left + fonts.s(24), y), ROLES[style], color)
                y += fonts.line_height(ROLES[style])
            y += fonts.s(8)

    def _draw_indicators(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts = self.fonts
        inner = draw_panel(surface, fonts, rect, "How the indicators moved")
        t = self.progress()
        row_h = max(fonts.s(34), min(fonts.s(52), inner.height // len(SHOWN)))
        y = inner.top
        for name in SHOWN:
            before, after = self.before.get(name, 0.0), self.after[name]
            now = before + (after - before) * t
            change = after - before
            draw_text(surface, fonts, plain_label(name), (inner.left, y), "small", theme.TEXT, True)
            color = theme.POSITIVE if change > 0.0005 else theme.NEGATIVE if change < -0.0005 else theme.MUTED
            draw_text(
                surface,
                fonts,
                f"{points(now)} ({change * 100:+.1f})",
                (inner.right, y),
                "small",
                color,
                True,
                "topright",
            )
            bar = pygame.Rect(inner.left, y + fonts.line_height("small") + 1, inner.width - fonts.s(4), fonts.s(10))
            pygame.draw.rect(surface, theme.mix(theme.PANEL_EDGE, theme.WHITE, 0.5), bar)
            fill = bar.copy()
            fill.width = max(1, round(bar.width * min(1.0, max(0.0, now))))
            base = (
                theme.tie_color(now)
                if name.startswith("tie.") or name == "trilateral"
                else theme.GOVERNMENT_COLORS.get(name.split(".")[0], theme.GREEN)
            )
            pygame.draw.rect(surface, base, fill)
            old_x = bar.left + round(bar.width * min(1.0, max(0.0, before)))
            pygame.draw.line(surface, theme.TEXT, (old_x, bar.top - 2), (old_x, bar.bottom + 1), 2)
            y += row_h
            if y + row_h > inner.bottom + fonts.s(4):
                break
