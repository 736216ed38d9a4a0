"""The console's "Game" tab: pause, undo the last turn, branch from an earlier turn, end the game, add a note."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.play.wording import turn_label
from ui import theme
from ui.input import Action, Intent, key
from ui.scene import SceneId
from ui.scenes.common import ButtonSpec, button_row, confirm_undo
from ui.scenes.console.tab import ConsoleTab
from ui.theme import pygame
from ui.widgets import TextField, Widget, draw_wrapped

if TYPE_CHECKING:
    from ui.scenes.console.shell import ConsoleScene


class GameTab(ConsoleTab):
    """The game itself: every action goes through the session, so it is logged and in the report."""

    ident = "game"
    title = "Game"
    shortcut = pygame.K_g

    def __init__(self, console: ConsoleScene) -> None:
        super().__init__(console)
        self.fields = {"note": ""}
        self.branch_turn = 0

    def resume(self) -> None:
        self.branch_turn = max(0, min(self.branch_turn or self.match.turn - 1, self.match.turn))

    # ------------------------------------------------------------------ layout

    def build(self, rect: pygame.Rect) -> list[Widget]:
        fonts = self.fonts
        h = fonts.s(38)
        width = min(rect.width, fonts.s(520))
        y = rect.top
        widgets: list[Widget] = []
        for specs in self._rows():
            widgets += button_row(fonts, specs, pygame.Rect(rect.left, y, width, h), "left")
            y += h + fonts.s(14)
        y += fonts.s(10)
        widgets.append(
            TextField(
                (rect.left, y, width - fonts.s(150), h),
                "note",
                self.fields["note"],
                placeholder="A note for the report",
                active=self.console.field == "note",
            )
        )
        widgets += button_row(
            fonts,
            [ButtonSpec("Add note", Action(Intent.ADD_NOTE), key(pygame.K_n), name="add_note")],
            pygame.Rect(rect.left + width - fonts.s(140), y, fonts.s(140), h),
            "right",
        )
        return widgets

    def _rows(self) -> list[list[ButtonSpec]]:
        match = self.match
        return [
            [
                ButtonSpec(
                    "Resume the game" if match.paused else "Pause the game",
                    Action(Intent.PAUSE),
                    key(pygame.K_SPACE),
                    name="pause",
                    tooltip="Stops play (turns cannot be played or resolved) until resumed",
                )
            ],
            [
                ButtonSpec(
                    f"Undo turn {match.turn}" if match.turn else "Undo the last turn",
                    Action(Intent.UNDO),
                    key(pygame.K_u),
                    enabled=match.turn > 0,
                    name="undo",
                    tooltip="Back to just before the last resolved turn",
                )
            ],
            [
                ButtonSpec("-", Action(Intent.BRANCH_TURN, -1), key(pygame.K_MINUS), name="branch_minus"),
                ButtonSpec("+", Action(Intent.BRANCH_TURN, 1), key(pygame.K_EQUALS), name="branch_plus"),
                ButtonSpec(
                    f"Branch from the end of turn {self.branch_turn}",
                    Action(Intent.BRANCH),
                    key(pygame.K_b),
                    name="branch",
                    tooltip="What if: a new game replaying this one up to that turn (saved separately)",
                ),
            ],
            [
                ButtonSpec(
                    "Reopen the game",
                    Action(Intent.REOPEN),
                    key(pygame.K_r),
                    "primary",
                    name="reopen",
                    tooltip="Take back the early end: play continues with the next turn (logged)",
                )
                if match.session.ended_early
                else ButtonSpec(
                    "End the game now",
                    Action(Intent.END_GAME),
                    key(pygame.K_x),
                    "danger",
                    enabled=not match.finished,
                    name="end_game",
                    tooltip="Go to the debrief with the turns played so far (Reopen takes it back)",
                )
            ],
        ]

    # ------------------------------------------------------------------ actions

    def on_action(self, action: Action) -> None:
        intent, value = action.intent, action.value
        if intent in (Intent.PLUS, Intent.MINUS):
            intent, value = Intent.BRANCH_TURN, 1 if intent is Intent.PLUS else -1
        match, act = self.match, self.console.act
        if intent is Intent.PAUSE:
            paused = not match.paused
            act("Game paused" if paused else "Game resumed", match.set_paused, paused)
        elif intent is Intent.UNDO:
            confirm_undo(self.console.app)
        elif intent is Intent.BRANCH_TURN:
            self.branch_turn = max(0, min(match.turn, self.branch_turn + value))
        elif intent is Intent.BRANCH:
            self.confirm_branch()
        elif intent is Intent.END_GAME:
            self.confirm_end()
        elif intent is Intent.REOPEN:
            if act(f"Game reopened: next, {turn_label(match.scenario, match.turn + 1)}", match.reopen):
                self.console.app.return_to_turn_screen()
        elif intent is Intent.ADD_NOTE and self.fields["note"].strip():
            if act("Note added to the report", match.note, self.fields["note"].strip()):
                self.fields["note"] = ""

    def confirm_branch(self) -> None:
        """Ask, then start a new game from the end of the chosen turn."""
        app, match, turn = self.console.app, self.match, self.branch_turn

        def branch() -> None:
            if self.console.act(f"Branched: a new game from the end of turn {turn}", match.branch, turn):
                app.return_to_turn_screen()

        app.push(
            SceneId.CONFIRM,
            f"Branch from the end of turn {turn}?",
            branch,
            "A new game replays this one up to that turn and continues from there; this game's save is kept.",
            yes="Branch",
        )

    def confirm_end(self) -> None:
        """Ask, then end the game and go to the debrief."""
        app, match = self.console.app, self.match

        def end() -> None:
            if self.console.act("The facilitator ended the game", match.end):
                app.return_to_turn_screen()
                app.push(SceneId.DEBRIEF)

        app.push(
            SceneId.CONFIRM,
            "End the game now?",
            end,
            f"The debrief will use the {match.turn} turns played. The console's Game tab can reopen it.",
            yes="End game",
        )

    # ------------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, match = self.fonts, self.match
        path = match.session.autosave_path
        note = self.console.widget("note")
        y = (note.rect.bottom if note else rect.top) + fonts.s(20)
        lines = [
            f"Autosave: {path}" if path else "This game is not autosaved.",
            f"Turns played: {match.turn} of {match.session.planned_turns}"
            + (" (ended early; Reopen continues it)." if match.session.ended_early else "."),
            "Undo and branch replay the game's log, so the result is exactly what it would have been.",
        ]
        for line in lines:
            y = draw_wrapped(
                surface, fonts, line, pygame.Rect(rect.left, y, rect.width, rect.bottom - y), "small", theme.MUTED
            )
