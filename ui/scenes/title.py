"""The title screen and the list of saved games (to resume or replay)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import TrilatError
from sim.play.match import Match
from sim.play.save_file import read_save
from sim.play.session import GameSession
from ui import theme
from ui.charts import MapView, draw_map
from ui.input import Action, Intent, key
from ui.scene import Scene, SceneId
from ui.scenes.common import ButtonSpec, button_row, draw_footer, draw_header, footer_buttons, header_height
from ui.theme import pygame
from ui.widgets import Button, Widget, draw_text, draw_wrapped

if TYPE_CHECKING:
    from ui.app import App

TAGLINE = "A simulation game of U.S.-ROK-Japan trilateral cooperation"
CREDIT = (
    "Scenarios draw on the Asia Policy 20.1 roundtable 'Pathways for U.S.-ROK-Japan Cooperation' "
    "(January 2025). Teams play Washington, Seoul and Tokyo; a facilitator runs the white cell."
)
DEMO_MAP = MapView(
    ties={"USA_ROK": 0.66, "USA_JPN": 0.74, "ROK_JPN": 0.52},
    tie_changes={},
    activity={"DPRK": 0.5},
    names={"USA": "Washington", "ROK": "Seoul", "JPN": "Tokyo", "DPRK": "North Korea", "CHN": "China", "RUS": "Russia"},
)


class TitleScene(Scene):
    """The first screen: new game, resume, replay, quit."""

    scene_id = SceneId.TITLE

    def build(self, size: tuple[int, int]) -> list[Widget]:
        fonts = self.fonts
        left = fonts.s(60)
        width = min(fonts.s(380), size[0] // 2 - left)
        y = size[1] // 2 - fonts.s(10)
        height = fonts.s(46)
        specs = [
            ButtonSpec(
                "New game",
                Action(Intent.NEW_GAME),
                key(pygame.K_n),
                "primary",
                tooltip="Choose a scenario and set up the teams",
            ),
            ButtonSpec(
                "Resume a saved game",
                Action(Intent.RESUME),
                key(pygame.K_r),
                tooltip=f"Autosaves are in {self.app.saves_dir}",
            ),
            ButtonSpec(
                "Replay a finished game",
                Action(Intent.REPLAY),
                key(pygame.K_p),
                tooltip="Step through a saved game turn by turn",
            ),
            ButtonSpec("Quit", Action(Intent.QUIT_APP), key(pygame.K_q)),
        ]
        widgets: list[Widget] = []
        for spec in specs:
            widgets += button_row(fonts, [spec], pygame.Rect(left, y, width, height), "left")
            widgets[-1].rect.width = width
            y += height + fonts.s(12)
        return widgets

    def on_action(self, action: Action) -> None:
        app, intent = self.app, action.intent
        if intent in (Intent.NEW_GAME, Intent.CONFIRM):
            if app.start_scenario is not None:
                app.push(SceneId.SETUP, app.start_scenario)
            else:
                app.push(SceneId.PICKER)
        elif intent in (Intent.RESUME, Intent.REPLAY):
            app.push(SceneId.SAVES, intent.value)
        elif intent in (Intent.QUIT_APP, Intent.BACK):
            app.quit()

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts = self.fonts
        w, h = surface.get_size()
        map_rect = pygame.Rect(w // 2, fonts.s(40), w // 2 - fonts.s(40), h - fonts.s(80))
        draw_map(surface, fonts, map_rect, DEMO_MAP)
        left = fonts.s(60)
        title = draw_text(surface, fonts, "Trilat", (left, fonts.s(70)), "title", theme.TEXT, bold=True)
        sub = draw_text(surface, fonts, TAGLINE, (left, title.bottom), "heading", theme.BLUE, bold=True)
        area = pygame.Rect(left, sub.bottom + fonts.s(14), w // 2 - left - fonts.s(20), fonts.s(120))
        draw_wrapped(surface, fonts, CREDIT, area, "body", theme.MUTED)
        hint = "F1: keys   F11: full screen   Mouse or keyboard for everything"
        draw_text(surface, fonts, hint, (left, h - fonts.s(30)), "small", theme.MUTED)


@dataclass
class SaveInfo:
    """What the list shows about a save file."""

    path: Path
    scenario: str
    turn: int | None
    saved: str
    problem: str = ""


def list_saves(folder: Path) -> list[SaveInfo]:
    """Save files in ``folder``, newest first, with what their header says (a bad one shows as damaged)."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.json"), key=_modified, reverse=True):
        try:
            save = read_save(path)  # refuses pipes, devices, huge and malformed files without hanging
        except TrilatError as exc:
            out.append(SaveInfo(path, "?", None, "", _problem(path, str(exc))))
            continue
        out.append(SaveInfo(path, save.settings.scenario, save.turn, save.saved))
    return out


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except (OSError, ValueError):
        return 0.0


def _problem(path: Path, message: str) -> str:
    """A save error without the path in front (the list shows the file name), cut to one short line."""
    shown = message.removeprefix(str(path)).lstrip(":0123456789 ")
    shown = "".join(ch if ch.isprintable() else "?" for ch in shown)
    return shown if len(shown) <= 90 else shown[:87] + "..."


class SavesScene(Scene):
    """Saved games in the saves folder; Enter resumes (or replays) the selected one.

    Args:
        app: the application.
        mode: ``resume`` or ``replay``.
    """

    scene_id = SceneId.SAVES

    def __init__(self, app: App, mode: str) -> None:
        super().__init__(app)
        self.mode = mode
        self.saves: list[SaveInfo] = []
        self.selected = 0
        self.offset = 0

    def refresh(self) -> None:
        self.saves = list_saves(self.app.saves_dir)
        self.selected = min(self.selected, max(0, len(self.saves) - 1))

    def rows(self, size: tuple[int, int]) -> tuple[int, int]:
        """(first row's y, row height, ...) for the list."""
        return header_height(self.fonts) + self.fonts.s(20), self.fonts.s(44)

    def build(self, size: tuple[int, int]) -> list[Widget]:
        fonts = self.fonts
        top, row_h = self.rows(size)
        visible = max(1, (size[1] - top - fonts.s(70)) // row_h)
        if self.selected < self.offset:
            self.offset = self.selected
        elif self.selected >= self.offset + visible:
            self.offset = self.selected - visible + 1
        widgets: list[Widget] = []
        for i, info in enumerate(self.saves[self.offset : self.offset + visible]):
            index = self.offset + i
            turn = "?" if info.turn is None else info.turn
            text = f"{info.path.name}  -  {info.scenario}, {turn} turns played  {info.saved[:16].replace('T', ' ')}"
            if info.problem:
                text = f"{info.path.name}  -  {info.problem}"
            rect = (fonts.s(40), top + i * row_h, size[0] - fonts.s(80), row_h - fonts.s(6))
            widgets.append(
                Button(
                    rect,
                    text,
                    Action(Intent.PICK, index),
                    selected=index == self.selected,
                    name=f"save_{index}",
                    role="small",
                    align="left",
                )
            )
        verb = "Resume" if self.mode == "resume" else "Replay"
        specs = [
            ButtonSpec("Back", Action(Intent.BACK), key(pygame.K_ESCAPE)),
            ButtonSpec(
                f"{verb} selected", Action(Intent.OPEN), key(pygame.K_RETURN), "primary", enabled=bool(self.saves)
            ),
        ]
        return widgets + footer_buttons(fonts, size, specs)

    def on_action(self, action: Action) -> None:
        intent = action.intent
        if intent is Intent.BACK:
            self.app.stack.pop()
        elif intent is Intent.UP:
            self.selected = max(0, self.selected - 1)
        elif intent is Intent.DOWN:
            self.selected = min(len(self.saves) - 1, self.selected + 1) if self.saves else 0
        elif intent is Intent.PICK:
            if action.value == self.selected:
                self.open()
            self.selected = action.value
        elif intent in (Intent.OPEN, Intent.CONFIRM):
            self.open()

    def open(self) -> None:
        """Load the selected save and start (or replay) it."""
        if not self.saves:
            return
        info = self.saves[self.selected]
        try:
            session = GameSession.load(info.path, autosave=self.mode == "resume")
        except TrilatError as exc:
            self.app.toast(str(exc).splitlines()[0], 8)
            return
        if self.mode == "resume":
            self.app.start_match(Match(session))
        else:
            self.app.start_replay(session)

    def draw_scene(self, surface: pygame.Surface) -> None:
        title = "Resume a saved game" if self.mode == "resume" else "Replay a saved game"
        draw_header(surface, self.fonts, title, f"Saves folder: {self.app.saves_dir}")
        draw_footer(surface, self.fonts)
        if not self.saves:
            top, _ = self.rows(surface.get_size())
            draw_text(
                surface,
                self.fonts,
                "No saved games yet: every game autosaves after each turn.",
                (self.fonts.s(40), top),
                "body",
                theme.MUTED,
            )
