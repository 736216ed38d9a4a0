"""The action card widget: title, stance, cost, effects and condition in plain words, narrative when it fits.

A card never cuts its text. It picks the fullest level of detail that fits its rectangle: every
effect as a sentence and the narrative; the sentences alone; the effects in a few words each,
as one wrapped paragraph; or a count of the effects with a pointer to the tooltip (which always
holds everything). The condition, when there is one, is always drawn in full.
"""

from __future__ import annotations

from typing import Any

from ui import theme
from ui.input import Action
from ui.theme import Fonts, pygame
from ui.widgets import Widget, draw_chip, draw_focus, draw_text, draw_wrapped, wrapped_height

Block = tuple[str, str, bool]
"""A block of text on a card: (text, role, bold)."""


class CardView(Widget):
    """An action card; chosen or not.

    Args:
        rect: where it is.
        number: its shortcut number (1-9, 0 for the tenth).
        card: the compiled card (a :class:`sim.lang.scenario.Trigger`).
        chosen: whether the team has picked it.
        affordable: whether the remaining political capital covers it.
        effects: the card's effects as plain sentences, one per line.
        condition: the card's condition as a sentence ('' if none) and whether it holds now.
        brief: the effects in a few words each, for a card too small for the sentences.
        action: the toggle action.
        **kwargs: see :class:`Widget`.
    """

    def __init__(
        self,
        rect: pygame.Rect,
        number: int,
        card: Any,
        *,
        chosen: bool,
        affordable: bool,
        effects: list[str],
        condition: tuple[str, bool | None] = ("", None),
        brief: list[str] | None = None,
        action: Action | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(rect, action, **kwargs)
        self.number, self.card, self.chosen, self.affordable = number, card, chosen, affordable
        self.effects, self.condition, self.brief = effects, condition, brief or []
        self.detail = ""

    def levels(self) -> list[tuple[str, list[Block]]]:
        """The card's effects at each level of detail, fullest first: (name, blocks)."""
        sentences = [(f"\u2022 {effect}", "tiny", False) for effect in self.effects]
        out = [("sentences", sentences)]
        if self.brief:
            out.append(("brief", [("; ".join(self.brief), "tiny", False)]))
        count = len(self.effects)
        if count:
            noun = "effect" if count == 1 else "effects"
            out.append(("count", [(f"{count} {noun}: point at the card to read them", "tiny", False)]))
        return out

    def draw(self, surface: pygame.Surface, fonts: Fonts, hovered: bool = False, focused: bool = False) -> None:
        card, rect = self.card, self.rect
        stance_color = theme.STANCE_COLORS.get(card.stance, theme.FAINT)
        dim = not self.affordable and not self.chosen
        fill = theme.mix(theme.PANEL, theme.SKY, 0.18) if self.chosen else theme.PANEL
        if dim:
            fill = theme.mix(theme.PANEL, theme.DISABLED, 0.7)
        radius = fonts.s(8)
        pygame.draw.rect(surface, fill, rect, border_radius=radius)
        pygame.draw.rect(surface, stance_color, (rect.left, rect.top, rect.width, fonts.s(6)), 0, radius)
        edge = theme.BLUE if self.chosen else (theme.TEXT if hovered else theme.PANEL_EDGE)
        pygame.draw.rect(surface, edge, rect, width=fonts.s(4) if self.chosen else 1, border_radius=radius)
        pad = fonts.s(10)
        ink = theme.MUTED if dim else theme.TEXT
        bottom = rect.bottom - pad
        y = self._draw_head(surface, fonts, stance_color, dim, ink)
        width = rect.width - 2 * pad
        condition, holds = self.condition
        tail: list[Block] = []
        if condition:
            tail = [
                (condition + ("" if holds is None else (" (it does now)" if holds else " (not now)")), "tiny", True)
            ]
        levels = self.levels()
        self.detail, blocks = levels[-1] if levels else ("none", [])
        for name, option in levels:
            if y + _height(fonts, [*option, *tail], width) <= bottom:
                self.detail, blocks = name, option
                break
        for text, role, bold in [*blocks, *tail]:
            color = theme.VERMILLION if bold and holds is False else ink
            y = draw_wrapped(
                surface, fonts, text, pygame.Rect(rect.left + pad, y, width, bottom - y), role, color, bold
            )
        text = card.say or card.doc
        area = pygame.Rect(rect.left + pad, y + fonts.s(4), width, bottom - y - fonts.s(4))
        for role in ("small", "tiny"):
            if text and wrapped_height(fonts, text, area.width, role) <= area.height:
                draw_wrapped(surface, fonts, text, area, role, theme.MUTED if not dim else theme.FAINT)
                break
        if focused:
            draw_focus(surface, rect, fonts)

    def _draw_head(self, surface: pygame.Surface, fonts: Fonts, stance_color: Any, dim: bool, ink: Any) -> int:
        """Number, title (wrapped), stance chip, cost badge and status; returns the y below them."""
        card, rect = self.card, self.rect
        pad = fonts.s(10)
        top = rect.top + fonts.s(12)
        number = draw_chip(surface, fonts, str(self.number), (rect.left + pad, top), theme.SHADE, "small")
        left = number.right + fonts.s(8)
        title = card.title or card.id
        role = "body" if len(fonts.wrap(title, rect.right - pad - left, "body", True)) <= 2 else "small"
        title_rect = pygame.Rect(left, top, rect.right - pad - left, rect.height)
        y = draw_wrapped(surface, fonts, title, title_rect, role, ink, bold=True)
        y = max(y, number.bottom) + fonts.s(4)
        chip = draw_chip(surface, fonts, card.stance, (rect.left + pad, y), stance_color)
        cost = fonts.render(f"{card.cost:g} capital", "tiny", theme.WHITE, bold=True)
        cost_rect = cost.get_rect(midright=(rect.right - pad - fonts.s(4), chip.centery))
        badge = theme.SHADE if not dim else theme.FAINT
        pygame.draw.rect(surface, badge, cost_rect.inflate(fonts.s(8), fonts.s(4)), border_radius=fonts.s(4))
        surface.blit(cost, cost_rect)
        status = "CHOSEN" if self.chosen else ("too costly" if dim else "")
        if status:
            color = theme.BLUE if self.chosen else theme.VERMILLION
            if fonts.width(status, "tiny", True) < cost_rect.left - chip.right - fonts.s(16):
                draw_text(surface, fonts, status, (chip.right + fonts.s(8), chip.top + 1), "tiny", color, True)
            else:  # no room beside the chip: the reason goes on its own line
                y = draw_text(surface, fonts, status, (rect.left + pad, chip.bottom + 2), "tiny", color, True).bottom
                return y + fonts.s(4)
        return chip.bottom + fonts.s(6)


def _height(fonts: Fonts, blocks: list[Block], width: int) -> int:
    return sum(wrapped_height(fonts, text, width, role, bold) for text, role, bold in blocks)
