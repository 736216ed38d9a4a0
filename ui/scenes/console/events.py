"""The console's "Inject event" tab: the scenario's events, one of which goes into the coming turn."""

from __future__ import annotations

from typing import Any

from ui import theme
from ui.input import Action, Intent, key
from ui.scenes.common import ButtonSpec, button_row
from ui.scenes.console.tab import ListTab
from ui.theme import pygame
from ui.widgets import Button, Widget, draw_text, draw_wrapped


class EventsTab(ListTab):
    """Pick one of the scenario's events and inject it into the coming turn."""

    ident = "events"
    title = "Inject event"
    shortcut = pygame.K_e

    def items(self) -> list[Any]:
        return list(self.match.scenario.events)

    def build(self, rect: pygame.Rect) -> list[Widget]:
        fonts, match = self.fonts, self.match
        events = match.scenario.events
        list_rect = pygame.Rect(rect.left, rect.top, round(rect.width * 0.48), rect.height)
        row_h = fonts.s(34)
        widgets: list[Widget] = []
        for n, index in enumerate(self.visible_rows(len(events), list_rect, row_h)):
            event = events[index]
            when = f"  (scheduled {match.quarter(event.at_turn)})" if event.at_turn else ""
            widgets.append(
                Button(
                    (list_rect.left, list_rect.top + n * row_h, list_rect.width, row_h - fonts.s(4)),
                    f"{event.title or event.id}{when}",
                    Action(Intent.PICK, index),
                    selected=index == self.selected,
                    role="small",
                    align="left",
                    tooltip=event.say,
                    name=f"{self.ident}_{index}",
                )
            )
        quarter = match.quarter(match.turn + 1)
        button = pygame.Rect(
            list_rect.right + fonts.s(16),
            rect.bottom - fonts.s(40),
            rect.right - list_rect.right - fonts.s(16),
            fonts.s(40),
        )
        widgets += button_row(
            fonts,
            [
                ButtonSpec(
                    f"Inject into {quarter}",
                    Action(Intent.INJECT),
                    key(pygame.K_RETURN),
                    "primary",
                    enabled=bool(events) and not match.finished,
                    name="inject",
                )
            ],
            button,
            "right",
        )
        return widgets

    def on_item_action(self, action: Action) -> None:
        match = self.match
        if action.intent in (Intent.INJECT, Intent.CONFIRM):
            events = match.scenario.events
            if events:
                event = events[self.selected]
                self.console.act(
                    f"Injected '{event.title or event.id}' into {match.quarter(match.turn + 1)}",
                    match.inject_event,
                    event.id,
                )

    def draw(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, match = self.fonts, self.match
        events = match.scenario.events
        if not events:
            draw_text(surface, fonts, "This scenario has no events.", rect.topleft, "body", theme.MUTED)
            return
        event = events[self.selected]
        x = rect.left + round(rect.width * 0.48) + fonts.s(16)
        area = pygame.Rect(x, rect.top, rect.right - x, rect.height - fonts.s(50))
        y = draw_wrapped(surface, fonts, event.title or event.id, area, "heading", theme.TEXT, True, 2)
        y = draw_wrapped(
            surface,
            fonts,
            event.say,
            pygame.Rect(x, y + 4, area.width, area.bottom - y),
            "body",
            theme.TEXT,
            max_lines=7,
        )
        effects = ", ".join(match.card_effects(event)) or "no direct effects"
        y = draw_wrapped(
            surface,
            fonts,
            f"Effects: {effects}",
            pygame.Rect(x, y + 6, area.width, area.bottom - y),
            "small",
            theme.MUTED,
            max_lines=4,
        )
        if event.source:
            draw_wrapped(
                surface,
                fonts,
                f"Source: {match.essay(event.source)}",
                pygame.Rect(x, y + 6, area.width, area.bottom - y),
                "small",
                theme.MUTED,
                max_lines=3,
            )
