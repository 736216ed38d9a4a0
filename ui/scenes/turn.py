"""The turn screen (the room's shared view between turns) and the replay viewer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.errors import TrilatError
from ui import theme
from ui.dashboard import Dashboard
from ui.input import Intent, key
from ui.match import Match
from ui.scene import Scene
from ui.scenes.common import (
    ButtonSpec,
    ConfirmScene,
    draw_footer,
    draw_header,
    draw_paused,
    footer_buttons,
    footer_height,
    header_height,
)
from ui.theme import pygame
from ui.widgets import Widget, draw_text

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

    name = "turn"
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
        return self.app.match

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
                Intent("back"),
                key(pygame.K_ESCAPE),
                tooltip="Back to the title screen (the game is autosaved)",
            )
        ]
        if self.dashboard.view_turn != match.turn:
            right.append(ButtonSpec("Back to now", Intent("end"), key(pygame.K_END)))
        if match.finished:
            right.append(ButtonSpec("Debrief", Intent("debrief"), key(pygame.K_d), "primary"))
        else:
            tip = "Teams move in secret, one at a time; then every move resolves together"
            if match.paused:
                tip = "The facilitator has paused the game"
            right.append(
                ButtonSpec(
                    f"Play turn {next_turn}: {match.quarter(next_turn)}",
                    Intent("play"),
                    key(pygame.K_RETURN),
                    "primary",
                    enabled=not match.paused,
                    tooltip=tip,
                )
            )
        left = [
            ButtonSpec("Keys", Intent("help"), key(pygame.K_F1)),
            ButtonSpec("Console", Intent("open_console"), key(pygame.K_F2), tooltip="Facilitator (white cell) console"),
        ]
        return widgets + footer_buttons(self.fonts, size, right, left)

    def on_intent(self, intent: Intent) -> None:
        if self.dashboard.handle(intent):
            return
        name = intent.name
        if name in ("play", "confirm"):
            from ui.scenes.moves import begin_turn

            begin_turn(self.app)
        elif name == "debrief" and self.match.finished:
            from ui.scenes.debrief import DebriefScene

            self.app.stack.push(DebriefScene(self.app))
        elif name == "back":
            self.app.stack.push(
                ConfirmScene(self.app, "Leave this game?", self.app.to_title, self._saved_note(), yes="Leave")
            )
        elif name == "undo":
            confirm_undo(self.app)
        elif name in ("left", "right"):
            self.dashboard.step(-1 if name == "left" else 1)
            self.dashboard.refresh()
        elif name == "home":
            self.dashboard.view_turn = 0
            self.dashboard.refresh()
        elif name == "end":
            self.dashboard.follow()
            self.dashboard.refresh()

    def _saved_note(self) -> str:
        path = self.match.session.autosave_path
        return f"It is autosaved in {path}; resume it from the title screen." if path else "This game is not saved."

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts, match = self.fonts, self.match
        turn = self.dashboard.view_turn
        if turn == 0:
            subtitle = f"Before the first turn ({match.turns} turns from {match.quarter(1)})"
        else:
            subtitle = f"After {match.quarter(turn)}: turn {turn} of {match.turns}"
        if match.finished:
            status = "Game over"
        else:
            status = f"Next: {match.quarter(match.turn + 1)}"
            done = match.submitted()
            if done:
                status += f"   moved: {', '.join(done)}"
        draw_header(surface, fonts, match.scenario.title, subtitle, status)
        self.dashboard.draw(surface)
        draw_footer(surface, fonts)
        if turn != match.turn:
            text = f"Looking back at {match.quarter(turn) if turn else 'the start'}: press End for now"
            draw_text(
                surface,
                fonts,
                text,
                (surface.get_width() // 2, header_height(fonts) + fonts.s(14)),
                "body",
                theme.VERMILLION,
                True,
                "midtop",
            )
        if match.paused:
            draw_paused(surface, fonts)


def confirm_undo(app: App) -> None:
    """Ask, then undo the last resolved turn (through the session, so it is logged)."""
    match = app.match
    if match is None:
        return
    if match.turn < 1:
        app.toast("No turn to undo yet.")
        return

    def undo() -> None:
        try:
            next_turn = match.undo()
        except TrilatError as exc:
            app.toast(str(exc))
            return
        app.return_to_turn_screen()
        app.toast(f"Turn {next_turn} undone: its moves and injections are dropped; play it again.")

    app.stack.push(
        ConfirmScene(
            app,
            f"Undo turn {match.turn} ({match.quarter(match.turn)})?",
            undo,
            "The game goes back to just before that turn; its moves and injections are dropped (the undo is logged).",
            yes="Undo",
        )
    )


class ReplayScene(Scene):
    """Step through a saved game: Left/Right move between turns; the map, panels, feed and causes follow."""

    name = "replay"
    hints = (("1-6", "show an indicator and why it changed"), ("Home / End", "first / last turn"))

    def __init__(self, app: App, session: GameSession) -> None:
        super().__init__(app)
        self.replay = Match(session)
        self.dashboard = Dashboard(self.replay, self.fonts, view_turn=min(1, session.turn))

    def build(self, size: tuple[int, int]) -> list[Widget]:
        widgets = self.dashboard.layout(content_rect(self, size))
        turn, last = self.dashboard.view_turn, self.replay.turn
        right = [
            ButtonSpec("Previous turn", Intent("left"), key(pygame.K_LEFT), enabled=turn > 0, name="previous"),
            ButtonSpec("Next turn", Intent("right"), key(pygame.K_RIGHT), "primary", enabled=turn < last, name="next"),
        ]
        left = [
            ButtonSpec("Close", Intent("back"), key(pygame.K_ESCAPE)),
            ButtonSpec("Keys", Intent("help"), key(pygame.K_F1)),
        ]
        return widgets + footer_buttons(self.fonts, size, right, left)

    def on_intent(self, intent: Intent) -> None:
        if self.dashboard.handle(intent):
            return
        name = intent.name
        if name in ("left", "right"):
            self.dashboard.step(-1 if name == "left" else 1)
        elif name == "home":
            self.dashboard.view_turn = 0
        elif name in ("end", "confirm"):
            if name == "confirm":
                self.dashboard.step(1)
            else:
                self.dashboard.follow()
        elif name == "back":
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
