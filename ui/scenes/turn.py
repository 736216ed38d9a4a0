"""The turn screen (the room's shared view between turns) and the replay viewer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.play.match import Match
from ui import theme
from ui.dashboard import Dashboard
from ui.input import Action, Intent, key
from ui.scene import Scene, SceneId
from ui.scenes.common import (
    ButtonSpec,
    confirm_undo,
    draw_banner,
    draw_footer,
    draw_header,
    draw_paused,
    footer_buttons,
    footer_height,
    header_height,
)
from ui.theme import pygame
from ui.widgets import Widget

if TYPE_CHECKING:
    from sim.play.session import GameSession
    from ui.app import App


def content_rect(scene: Scene, size: tuple[int, int]) -> pygame.Rect:
    """The area between the header and the footer."""
    fonts = scene.fonts
    pad = fonts.s(10)
    top = header_height(fonts) + pad
    return pygame.Rect(pad, top, size[0] - 2 * pad, size[1] - top - footer_height(fonts) - pad)


class TurnScene(Scene):
    """Between turns: the state of the game for everyone, and the button to play the next turn."""

    scene_id = SceneId.TURN
    hints = (
        ("1-6", "show an indicator on the chart and why it changed"),
        ("Left / Right", "look at an earlier / later turn"),
        ("PgUp / PgDn, wheel", "scroll the feed"),
        ("D", "debrief (when the game is over)"),
    )

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.dashboard = Dashboard(self.match, self.fonts)
        self._seen = -1

    @property
    def match(self) -> Match:
        """The game being played."""
        return self.app.require_match()

    def refresh(self) -> None:
        # Show the latest turn after anything changed the game (a resolution, an undo, a branch);
        # keep looking back at an earlier turn after only a help card or the console was open.
        if self.match.revision != self._seen:
            self._seen = self.match.revision
            self.dashboard.follow()
        self.dashboard.refresh()

    def build(self, size: tuple[int, int]) -> list[Widget]:
        widgets = self.dashboard.layout(content_rect(self, size))
        match = self.match
        next_turn = match.turn + 1
        right = [
            ButtonSpec(
                "Leave",
                Action(Intent.BACK),
                key(pygame.K_ESCAPE),
                tooltip="Back to the title screen (the game is autosaved)",
            )
        ]
        if self.dashboard.view_turn != match.turn:
            right.append(ButtonSpec("Back to now", Action(Intent.END), key(pygame.K_END)))
        if match.finished:
            right.append(ButtonSpec("Debrief", Action(Intent.DEBRIEF), key(pygame.K_d), "primary"))
        else:
            tip = "Teams move in secret, one at a time; then every move resolves together"
            if match.paused:
                tip = "The facilitator has paused the game"
            right.append(
                ButtonSpec(
                    f"Play turn {next_turn}: {match.quarter(next_turn)}",
                    Action(Intent.PLAY),
                    key(pygame.K_RETURN),
                    "primary",
                    enabled=not match.paused,
                    tooltip=tip,
                )
            )
        left = [
            ButtonSpec("Keys", Action(Intent.HELP), key(pygame.K_F1)),
            ButtonSpec(
                "Glossary", Action(Intent.GLOSSARY), key(pygame.K_F3), tooltip="The game's words in plain language"
            ),
            ButtonSpec(
                "Console", Action(Intent.OPEN_CONSOLE), key(pygame.K_F2), tooltip="Facilitator (white cell) console"
            ),
        ]
        return widgets + footer_buttons(self.fonts, size, right, left)

    def on_action(self, action: Action) -> None:
        if self.dashboard.handle(action):
            return
        intent = action.intent
        if intent in (Intent.PLAY, Intent.CONFIRM):
            self.begin_turn()
        elif intent is Intent.DEBRIEF and self.match.finished:
            self.app.push(SceneId.DEBRIEF)
        elif intent is Intent.BACK:
            self.app.push(SceneId.CONFIRM, "Leave this game?", self.app.to_title, self._saved_note(), yes="Leave")
        elif intent is Intent.UNDO:
            confirm_undo(self.app)
        elif intent in (Intent.LEFT, Intent.RIGHT):
            self.dashboard.step(-1 if intent is Intent.LEFT else 1)
            self.dashboard.refresh()
        elif intent is Intent.HOME:
            self.dashboard.view_turn = 0
            self.dashboard.refresh()
        elif intent is Intent.END:
            self.dashboard.follow()
            self.dashboard.refresh()

    def begin_turn(self) -> None:
        """Start collecting moves (or resolve at once if no team is human)."""
        if self.match.finished:
            self.app.toast("The game is over: press D for the debrief.")
            return
        if self.match.paused:
            self.app.toast("The facilitator has paused the game.")
            return
        self.app.push(SceneId.MOVE_PHASE)

    def _saved_note(self) -> str:
        path = self.match.session.autosave_path
        return f"It is autosaved in {path}; resume it from the title screen." if path else "This game is not saved."

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts, match = self.fonts, self.match
        turn = self.dashboard.view_turn
        if turn == 0:
            subtitle = f"Before the first turn ({match.turns} turns from {match.quarter(1)})"
        else:
            subtitle = f"After turn {turn}, {match.quarter(turn)} (of {match.turns})"
        if match.finished:
            status = "Game over"
        else:
            status = f"Next: turn {match.turn + 1}, {match.quarter(match.turn + 1)}"
            done = match.submitted()
            if done:
                status += f"   moved: {', '.join(done)}"
        draw_header(surface, fonts, match.scenario.title, subtitle, status)
        self.dashboard.draw(surface)
        draw_footer(surface, fonts)

    def draw_banners(self, surface: pygame.Surface) -> None:
        fonts, match = self.fonts, self.match
        turn = self.dashboard.view_turn
        if turn != match.turn:
            where = f"turn {turn}, {match.quarter(turn)}" if turn else "the start"
            draw_banner(surface, fonts, f"Looking back at {where}: press End for now", theme.VERMILLION)
        if match.paused:
            draw_paused(surface, fonts)


class ReplayScene(Scene):
    """Step through a saved game: Left/Right move between turns; the map, panels, feed and causes follow."""

    scene_id = SceneId.REPLAY
    hints = (("1-6", "show an indicator and why it changed"), ("Home / End", "first / last turn"))

    def __init__(self, app: App, session: GameSession) -> None:
        super().__init__(app)
        self.replay = Match(session)
        self.dashboard = Dashboard(self.replay, self.fonts, view_turn=min(1, session.turn))

    def build(self, size: tuple[int, int]) -> list[Widget]:
        widgets = self.dashboard.layout(content_rect(self, size))
        turn, last = self.dashboard.view_turn, self.replay.turn
        right = [
            ButtonSpec("Previous turn", Action(Intent.LEFT), key(pygame.K_LEFT), enabled=turn > 0, name="previous"),
            ButtonSpec(
                "Next turn", Action(Intent.RIGHT), key(pygame.K_RIGHT), "primary", enabled=turn < last, name="next"
            ),
        ]
        left = [
            ButtonSpec("Close", Action(Intent.BACK), key(pygame.K_ESCAPE)),
            ButtonSpec("Keys", Action(Intent.HELP), key(pygame.K_F1)),
        ]
        return widgets + footer_buttons(self.fonts, size, right, left)

    def on_action(self, action: Action) -> None:
        if self.dashboard.handle(action):
            return
        intent = action.intent
        if intent in (Intent.LEFT, Intent.RIGHT):
            self.dashboard.step(-1 if intent is Intent.LEFT else 1)
        elif intent is Intent.HOME:
            self.dashboard.view_turn = 0
        elif intent is Intent.CONFIRM:
            self.dashboard.step(1)
        elif intent is Intent.END:
            self.dashboard.follow()
        elif intent is Intent.BACK:
            self.app.close_replay()
            return
        self.dashboard.refresh()

    def draw_scene(self, surface: pygame.Surface) -> None:
        match, turn = self.replay, self.dashboard.view_turn
        where = (
            f"turn {turn} of {match.turn} played ({match.quarter(turn)})"
            if turn
            else f"the start (of {match.turn} turns played)"
        )
        teams = ", ".join(f"{g}: {match.controller_label(g)}" for g in match.settings.controllers) or "computer players"
        draw_header(
            surface,
            self.fonts,
            f"Replay: {match.scenario.title}",
            f"Showing {where}; seed {match.settings.seed}; {teams}",
            "Left / Right",
        )
        self.dashboard.draw(surface)
        draw_footer(surface, self.fonts)
