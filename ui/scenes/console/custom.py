"""The console's "Custom event" tab: a title, a narrative and one or more effects, injected into the coming turn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.play.match import label
from ui import theme
from ui.input import Action, Intent, key
from ui.scenes.common import ButtonSpec, button_row
from ui.scenes.console.tab import ConsoleTab, custom_targets
from ui.theme import pygame
from ui.widgets import Slider, TextField, Widget, draw_text, format_signed

if TYPE_CHECKING:
    from ui.scenes.console.shell import ConsoleScene

CUSTOM_RANGE = 0.3
"""Custom effects on 0-1 variables range over +-this; political capital over +-capital_max."""
SAY_LIMIT = 200
"""Characters the narrative takes (the title takes the usual limit)."""


class CustomEventTab(ConsoleTab):
    """Write an event: title, narrative, effects on the model's writable variables."""

    ident = "custom"
    title = "Custom event"
    shortcut = pygame.K_c

    def __init__(self, console: ConsoleScene) -> None:
        super().__init__(console)
        self.fields = {"title": "", "say": ""}
        self.target = 0
        self.amount = -0.05
        self.effects: list[tuple[str, float]] = []

    def text_limit(self, field: str) -> int:
        return SAY_LIMIT if field == "say" else super().text_limit(field)

    def target_name(self) -> str:
        """The custom event's current target."""
        targets = custom_targets(self.match)
        return targets[self.target % len(targets)]

    def amount_range(self) -> float:
        """How far the custom effect slider goes either way."""
        return self.match.capital_max() if self.target_name().endswith(".capital") else CUSTOM_RANGE

    # ------------------------------------------------------------------ layout

    def build(self, rect: pygame.Rect) -> list[Widget]:
        fonts, field = self.fonts, self.console.field
        h = fonts.s(34)
        label_w = fonts.s(110)
        x = rect.left + label_w
        width = rect.width - label_w
        y = rect.top
        widgets: list[Widget] = [
            TextField(
                (x, y, width, h),
                "title",
                self.fields["title"],
                placeholder="Title, e.g. Collision at sea",
                active=field == "title",
            ),
            TextField(
                (x, y + h + fonts.s(10), width, h),
                "say",
                self.fields["say"],
                placeholder="What the teams read in the feed",
                active=field == "say",
            ),
        ]
        y += 2 * (h + fonts.s(10)) + fonts.s(10)
        small = fonts.s(56)
        widgets += button_row(
            fonts,
            [
                ButtonSpec("<", Action(Intent.TARGET, -1), key(pygame.K_LEFTBRACKET), name="target_prev"),
                ButtonSpec(
                    f"Target: {label(self.target_name())}",
                    Action(Intent.TARGET, 1),
                    name="target",
                    tooltip=self.match.doc(self.target_name()),
                ),
                ButtonSpec(">", Action(Intent.TARGET, 1), key(pygame.K_RIGHTBRACKET), name="target_next"),
            ],
            pygame.Rect(x, y, width, h),
            "left",
        )
        y += h + fonts.s(14)
        reach = self.amount_range()
        slider_w = width - 2 * small - fonts.s(140)
        widgets.append(
            Slider(
                (x, y, slider_w, h),
                "amount",
                self.amount,
                -reach,
                reach,
                intent=Intent.AMOUNT,
                default=0.0,
                name="amount",
                tooltip="Size of the effect (added to the target)",
            )
        )
        widgets += button_row(
            fonts,
            [
                ButtonSpec("-", Action(Intent.NUDGE_AMOUNT, -1), key(pygame.K_MINUS), name="amount_minus"),
                ButtonSpec("+", Action(Intent.NUDGE_AMOUNT, 1), key(pygame.K_EQUALS), name="amount_plus"),
            ],
            pygame.Rect(x + slider_w + fonts.s(90), y, 2 * small + fonts.s(20), h),
            "left",
        )
        y += h + fonts.s(14)
        widgets += button_row(
            fonts,
            [
                ButtonSpec("Add this effect", Action(Intent.ADD_EFFECT), key(pygame.K_a), name="add_effect"),
                ButtonSpec(
                    "Remove last",
                    Action(Intent.REMOVE_EFFECT),
                    key(pygame.K_x),
                    enabled=bool(self.effects),
                    name="remove_effect",
                ),
            ],
            pygame.Rect(x, y, width, h),
            "left",
        )
        quarter = self.match.quarter(self.match.turn + 1)
        widgets += button_row(
            fonts,
            [
                ButtonSpec(
                    f"Inject custom event into {quarter}",
                    Action(Intent.INJECT_CUSTOM),
                    key(pygame.K_RETURN),
                    "primary",
                    enabled=not self.match.finished,
                    name="inject_custom",
                )
            ],
            pygame.Rect(rect.left, rect.bottom - h, rect.width, h),
            "right",
        )
        return widgets

    # ------------------------------------------------------------------ actions

    def on_action(self, action: Action) -> None:
        intent, value = action.intent, action.value
        if intent in (Intent.PLUS, Intent.MINUS):
            intent, value = Intent.NUDGE_AMOUNT, 1 if intent is Intent.PLUS else -1
        if intent is Intent.TARGET:
            self.target = (self.target + value) % len(custom_targets(self.match))
            self.amount = max(-self.amount_range(), min(self.amount_range(), self.amount))
        elif intent is Intent.AMOUNT:
            self.amount = value[1]
        elif intent is Intent.NUDGE_AMOUNT:
            reach = self.amount_range()
            self.amount = round(max(-reach, min(reach, self.amount + value * reach / 30)), 4)
        elif intent is Intent.ADD_EFFECT:
            self.effects.append((self.target_name(), self.amount))
        elif intent is Intent.REMOVE_EFFECT and self.effects:
            self.effects.pop()
        elif intent in (Intent.INJECT_CUSTOM, Intent.CONFIRM):
            self.inject()

    def inject(self) -> None:
        """Inject the event (its added effects, else the current choice) into the coming turn."""
        match = self.match
        effects = list(self.effects) or [(self.target_name(), self.amount)]
        combined: dict[str, float] = {}
        for target, amount in effects:
            combined[target] = round(combined.get(target, 0.0) + amount, 6)
        title = self.fields["title"].strip() or "White cell event"
        if self.console.act(
            f"Injected custom event '{title}' into {match.quarter(match.turn + 1)}",
            match.inject_custom,
            title,
            self.fields["say"].strip(),
            combined,
        ):
            self.effects = []
            self.fields["title"] = self.fields["say"] = ""

    # ------------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, console = self.fonts, self.console
        for name, text in (("title", "Title"), ("say", "Narrative"), ("target", "Effect"), ("amount", "Change")):
            widget = console.widget(name)
            if widget is not None:
                draw_text(surface, fonts, text, (rect.left, widget.rect.centery), "body", theme.TEXT, True, "midleft")
        slider = console.widget("amount")
        if slider is not None:
            draw_text(
                surface,
                fonts,
                format_signed(self.amount),
                (slider.rect.right + fonts.s(12), slider.rect.centery),
                "body",
                theme.BLUE,
                True,
                "midleft",
            )
        add = console.widget("add_effect")
        y = (add.rect.bottom if add else rect.top) + fonts.s(16)
        draw_text(
            surface, fonts, "Effects of this event (added when injected):", (rect.left, y), "small", theme.MUTED, True
        )
        y += fonts.line_height("small")
        effects = self.effects or [(self.target_name(), self.amount)]
        for target, amount in effects:
            suffix = "" if self.effects else "   (the current choice, if none are added)"
            draw_text(
                surface,
                fonts,
                f"{label(target)} {format_signed(amount)}{suffix}",
                (rect.left + fonts.s(16), y),
                "body",
                theme.TEXT,
            )
            y += fonts.line_height("body")
