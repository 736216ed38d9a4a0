"""The console scene: the header, the row of tabs, the side panel (queue and log), the dispatch to the tabs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sim.errors import TrilatError
from sim.play.match import Match
from sim.play.wording import turn_label
from ui import theme
from ui.input import Action, Intent, key
from ui.scene import Scene, SceneId
from ui.scenes.common import (
    ButtonSpec,
    button_row,
    draw_footer,
    draw_header,
    footer_buttons,
    footer_height,
    header_height,
)
from ui.scenes.console.custom import CustomEventTab
from ui.scenes.console.events import EventsTab
from ui.scenes.console.game import GameTab
from ui.scenes.console.log import describe
from ui.scenes.console.tab import ConsoleTab
from ui.scenes.console.values import ParametersTab, StateTab
from ui.theme import pygame
from ui.widgets import Widget, draw_panel, draw_text, draw_wrapped

if TYPE_CHECKING:
    from ui.app import App


class ConsoleScene(Scene):
    """The facilitator console (a full-screen scene, so the teams never see it over their screens).

    Args:
        app: the application.
        tab: the id of the tab to open on (``events``, ``custom``, ``parameters``, ``state`` or ``game``).
    """

    scene_id = SceneId.CONSOLE
    hints = (
        ("Up / Down", "choose an event, parameter or variable"),
        ("Left / Right", "adjust the chosen parameter or variable (one log entry when you stop)"),
        ("Enter", "parameters: type a value, open a group or apply a preset"),
        ("[ / ]", "custom event: previous / next target"),
        ("- / +", "custom event: smaller / larger effect; game tab: branch turn"),
    )

    def __init__(self, app: App, tab: str = "events") -> None:
        super().__init__(app)
        self.events_tab = EventsTab(self)
        self.custom_tab = CustomEventTab(self)
        self.parameters_tab = ParametersTab(self)
        self.state_tab = StateTab(self)
        self.game_tab = GameTab(self)
        ordered: tuple[ConsoleTab, ...] = (
            self.events_tab,
            self.custom_tab,
            self.parameters_tab,
            self.state_tab,
            self.game_tab,
        )
        self.tabs = {t.ident: t for t in ordered}
        if tab not in self.tabs:
            raise ValueError(f"no console tab '{tab}'; the tabs are {', '.join(self.tabs)}")
        self.tab = tab
        self.message = ""

    @property
    def match(self) -> Match:
        """The game."""
        return self.app.require_match()

    @property
    def current(self) -> ConsoleTab:
        """The tab on show."""
        return self.tabs[self.tab]

    def resume(self) -> None:
        for tab in self.tabs.values():
            tab.resume()
        super().resume()

    def act(self, what: str, fn: Callable[..., Any], *args: Any) -> bool:
        """Run a session command; report success or the error as a message."""
        try:
            fn(*args)
        except TrilatError as exc:
            self.message = str(exc).splitlines()[0]
            self.app.toast(self.message, 6)
            return False
        self.message = what
        self.app.toast(what)
        return True

    # ------------------------------------------------------------------ layout

    def areas(self, size: tuple[int, int]) -> dict[str, pygame.Rect]:
        """Tabs row, main area, side area."""
        fonts = self.fonts
        pad = fonts.s(10)
        top = header_height(fonts) + pad
        tabs = pygame.Rect(pad, top, size[0] - 2 * pad, fonts.s(36))
        body_top = tabs.bottom + pad
        height = size[1] - body_top - footer_height(fonts) - pad
        main = pygame.Rect(pad, body_top, round(size[0] * 0.66), height)
        side = pygame.Rect(main.right + pad, body_top, size[0] - main.right - 2 * pad, height)
        return {"tabs": tabs, "main": main, "side": side}

    def build(self, size: tuple[int, int]) -> list[Widget]:
        fonts = self.fonts
        areas = self.areas(size)
        specs = [
            ButtonSpec(
                tab.title,
                Action(Intent.TAB, ident),
                key(tab.shortcut),
                name=f"tab_{ident}",
                selected=ident == self.tab,
            )
            for ident, tab in self.tabs.items()
        ]
        widgets: list[Widget] = list(button_row(fonts, specs, areas["tabs"], "left"))
        inner = areas["main"].inflate(-fonts.s(20), -fonts.s(20))
        widgets += self.current.build(inner)
        widgets += footer_buttons(
            fonts, size, [ButtonSpec("Close console", Action(Intent.BACK), key(pygame.K_F2), "primary")]
        )
        return widgets

    # ------------------------------------------------------------------ actions

    def keymap(self) -> dict[tuple[int, int], Action]:
        return {
            key(pygame.K_EQUALS, pygame.KMOD_SHIFT): Action(Intent.PLUS),
            key(pygame.K_KP_PLUS): Action(Intent.PLUS),
            key(pygame.K_KP_MINUS): Action(Intent.MINUS),
        }

    def handle_action(self, action: Action) -> None:
        field = self.field
        if action.intent not in (Intent.LEFT, Intent.RIGHT, Intent.HOVER, Intent.TEXT, Intent.BACKSPACE):
            self.current.flush()
        super().handle_action(action)
        if action.intent is Intent.BLUR and field is not None:
            self.current.field_done(field)
            self.dirty = True

    def update(self, dt: float) -> None:
        self.current.tick(dt)
        super().update(dt)

    def on_action(self, action: Action) -> None:
        intent = action.intent
        if intent is Intent.BACK:
            self.app.stack.pop()
        elif intent is Intent.TAB:
            self.tab = action.value
            self.field = None
        elif intent in (Intent.TEXT, Intent.BACKSPACE):
            if self.field is not None:
                self.current.edit(self.field, action)
        else:
            self.current.on_action(action)

    # ------------------------------------------------------------------ drawing

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts, match = self.fonts, self.match
        scenario = match.scenario
        if match.finished:
            state = f"game over after {turn_label(scenario, match.turn)}" if match.turn else "game over"
        else:
            state = f"next: {turn_label(scenario, match.turn + 1)}" + (" (PAUSED)" if match.paused else "")
        draw_header(
            surface,
            fonts,
            "Facilitator console (white cell)",
            "Hidden from the teams: every action is logged and goes into the report",
            state,
        )
        draw_footer(surface, fonts)
        areas = self.areas(surface.get_size())
        draw_panel(surface, fonts, areas["main"])
        self.current.draw(surface, areas["main"].inflate(-fonts.s(20), -fonts.s(20)))
        self._draw_side(surface, areas["side"])

    def _draw_side(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, match = self.fonts, self.match
        inner = draw_panel(surface, fonts, rect, f"Queued for {turn_label(match.scenario, match.turn + 1)}")
        y = inner.top
        pending = match.pending_titles()
        if not pending:
            y = draw_text(surface, fonts, "nothing", (inner.left, y), "small", theme.MUTED).bottom
        for text in pending:
            y = draw_wrapped(
                surface,
                fonts,
                f"- {text}",
                pygame.Rect(inner.left, y, inner.width, fonts.s(40)),
                "small",
                theme.TEXT,
                max_lines=1,
            )
        y += fonts.s(12)
        y = draw_text(
            surface, fonts, "Facilitator log (newest first)", (inner.left, y), "heading", theme.TEXT, True
        ).bottom + fonts.s(4)
        for entry in reversed(match.facilitator_actions()):
            if y > inner.bottom - fonts.line_height("small"):
                break
            y = draw_wrapped(
                surface,
                fonts,
                describe(match.scenario, entry),
                pygame.Rect(inner.left, y, inner.width, inner.bottom - y),
                "small",
                theme.TEXT,
                max_lines=2,
            )
