"""The scenario picker: the library on the left, the selected scenario's briefing on the right."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.errors import TrilatError
from sim.lang.scenario import Scenario, library_ids, load_scenario
from sim.play.plain_names import reference_line
from ui import theme
from ui.input import Action, Intent, key
from ui.scene import Scene, SceneId
from ui.scenes.common import ButtonSpec, draw_footer, draw_header, footer_buttons, footer_height, header_height
from ui.theme import pygame
from ui.widgets import Button, Widget, draw_panel, draw_text, draw_wrapped, wrapped_height

if TYPE_CHECKING:
    from ui.app import App


@dataclass
class LibraryEntry:
    """A library scenario, loaded (or the reason it could not be)."""

    id: str
    scenario: Scenario | None
    problem: str = ""

    @property
    def title(self) -> str:
        """The scenario's title (or its id)."""
        return self.scenario.title if self.scenario is not None else self.id


def load_library() -> list[LibraryEntry]:
    """Every library scenario, baseline first."""
    ids = library_ids()
    ids.sort(key=lambda i: (i != "baseline", i))
    out = []
    for ident in ids:
        try:
            scenario = load_scenario(ident)
        except TrilatError as exc:
            out.append(LibraryEntry(ident, None, str(exc).splitlines()[0]))
            continue
        if not scenario.spec.abstract:
            out.append(LibraryEntry(ident, scenario))
    return out


class PickerScene(Scene):
    """Choose a scenario: title, summary, sources, turns and suggested length for each."""

    scene_id = SceneId.PICKER
    hints = (("Up / Down", "choose a scenario"),)

    def __init__(self, app: App, selected: str | None = None) -> None:
        super().__init__(app)
        self.entries: list[LibraryEntry] = []
        self.selected = 0
        self.offset = 0
        self.visible = 0
        self.initial = selected

    def refresh(self) -> None:
        if not self.entries:
            self.entries = self.app.library()
            if self.initial is not None:
                ids = [e.id for e in self.entries]
                self.selected = ids.index(self.initial) if self.initial in ids else 0

    @property
    def entry(self) -> LibraryEntry | None:
        """The selected scenario."""
        return self.entries[self.selected] if self.entries else None

    def list_rect(self, size: tuple[int, int]) -> pygame.Rect:
        """Where the list of scenarios is."""
        fonts = self.fonts
        top = header_height(fonts) + fonts.s(12)
        return pygame.Rect(fonts.s(12), top, round(size[0] * 0.34), size[1] - top - footer_height(fonts) - fonts.s(12))

    def build(self, size: tuple[int, int]) -> list[Widget]:
        fonts = self.fonts
        area = self.list_rect(size)
        row_h = fonts.s(40)
        visible = max(1, area.height // row_h)
        if len(self.entries) > visible:
            visible = max(1, (area.height - fonts.line_height("small")) // row_h)  # room for "N more below"
        self.visible = visible
        if self.selected < self.offset:
            self.offset = self.selected
        elif self.selected >= self.offset + visible:
            self.offset = self.selected - visible + 1
        widgets: list[Widget] = []
        for i, entry in enumerate(self.entries[self.offset : self.offset + visible]):
            index = self.offset + i
            rect = (area.left, area.top + i * row_h, area.width, row_h - fonts.s(6))
            widgets.append(
                Button(
                    rect,
                    entry.title,
                    Action(Intent.SELECT, index),
                    selected=index == self.selected,
                    name=f"scenario_{entry.id}",
                    role="small",
                    align="left",
                    tooltip=entry.problem,
                )
            )
        specs = [
            ButtonSpec("Back", Action(Intent.BACK), key(pygame.K_ESCAPE)),
            ButtonSpec(
                "Set up this scenario",
                Action(Intent.CHOOSE),
                key(pygame.K_RETURN),
                "primary",
                enabled=self.entry is not None and self.entry.scenario is not None,
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
            self.selected = min(len(self.entries) - 1, self.selected + 1)
        elif intent is Intent.SELECT:
            if action.value == self.selected:
                self.choose()
            self.selected = action.value
        elif intent in (Intent.CHOOSE, Intent.CONFIRM):
            self.choose()
        elif intent is Intent.SCROLL:
            self.selected = max(0, min(len(self.entries) - 1, self.selected + (1 if action.value > 0 else -1)))

    def draw_more(self, surface: pygame.Surface, area: pygame.Rect) -> None:
        """Under the list, how many scenarios are above and below the rows shown (when not all fit)."""
        above = self.offset
        below = max(0, len(self.entries) - self.offset - self.visible)
        if not above and not below:
            return
        parts = [f"\u25b2 {above} more above" if above else "", f"\u25bc {below} more below" if below else ""]
        text = "   ".join(p for p in parts if p) + "  (Up / Down)"
        draw_text(surface, self.fonts, text, (area.left, area.bottom), "small", theme.BLUE, True, "bottomleft")

    def choose(self) -> None:
        """Go to the setup screen for the selected scenario."""
        entry = self.entry
        if entry is not None and entry.scenario is not None:
            self.app.push(SceneId.SETUP, entry.id, entry.scenario)

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts = self.fonts
        draw_header(
            surface, fonts, "Choose a scenario", f"{len(self.entries)} scenarios in the library", "Up/Down, Enter"
        )
        draw_footer(surface, fonts)
        entry = self.entry
        area = self.list_rect(surface.get_size())
        self.draw_more(surface, area)
        detail = pygame.Rect(
            area.right + fonts.s(14), area.top, surface.get_width() - area.right - fonts.s(26), area.height
        )
        if entry is None or entry.scenario is None:
            inner = draw_panel(surface, fonts, detail, entry.id if entry else "No scenarios")
            if entry is not None:
                draw_wrapped(surface, fonts, entry.problem, inner, "body", theme.VERMILLION)
            return
        spec = entry.scenario.spec
        inner = draw_panel(surface, fonts, detail)
        y = draw_wrapped(surface, fonts, spec.title, inner, "large", theme.TEXT, bold=True)
        facts = (
            f"{spec.turns} quarterly turns from {spec.start}   |   "
            f"suggested length: about {spec.minutes} minutes   |   id: {spec.id}"
        )
        facts_rect = pygame.Rect(inner.left, y + fonts.s(2), inner.width, inner.height)
        y = draw_wrapped(surface, fonts, facts, facts_rect, "small", theme.BLUE, bold=True) + fonts.s(8)
        summary = pygame.Rect(inner.left, y, inner.width, inner.bottom - y)
        y = draw_wrapped(surface, fonts, spec.summary.strip(), summary, "body", theme.TEXT) + fonts.s(8)
        if spec.sources:
            y = (
                draw_text(
                    surface, fonts, "Sources (Asia Policy 20.1 roundtable)", (inner.left, y), "small", theme.MUTED, True
                ).bottom
                + 2
            )
            for ref in spec.sources:
                rect = pygame.Rect(inner.left + fonts.s(10), y, inner.width - fonts.s(10), inner.bottom - y)
                line = reference_line(ref.author, ref.title, ref.note)
                y = draw_wrapped(surface, fonts, line, rect, "small", theme.TEXT)
        notes = spec.teacher_notes.strip()
        if notes and y < inner.bottom - fonts.s(40):
            y += fonts.s(8)
            y = draw_text(surface, fonts, "For the teacher", (inner.left, y), "small", theme.MUTED, True).bottom + 2
            room = pygame.Rect(inner.left, y, inner.width, inner.bottom - y)
            if wrapped_height(fonts, notes, room.width, "small") > room.height:
                notes = f"The teacher notes are longer than this panel: read them with 'trilat show {spec.id}'."
            draw_wrapped(surface, fonts, notes, room, "small", theme.MUTED)
