"""The console's "Parameters" and "State" tabs: grouped, scrollable sliders with typed values and presets.

The Parameters tab lists the scenario's named presets first (one click applies one, as one
logged action), then the scenario's own settings with their docs, then the model's
coefficients in a collapsed "advanced" group. Left/Right move the chosen slider; a run of
presses settles into one session command (one log entry) when the facilitator stops, moves on,
or leaves the tab. Enter (or a click on the value box) types a value instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sim.play.match import label
from sim.play.settings import ParameterGroups, parameter_groups
from ui import theme
from ui.input import Action, Intent
from ui.scenes.console.tab import ListTab, state_variables
from ui.theme import pygame
from ui.widgets import Button, Slider, TextField, Widget, draw_text, draw_wrapped

STEPS = 50
"""Left/Right move the selected slider by this share of its range."""
SETTLE_SECONDS = 0.8
"""A run of Left/Right presses is committed (one log entry) after this long without another."""
DOC_LINES = 2
"""Lines of a parameter's or preset's doc shown under it."""


@dataclass(frozen=True)
class Row:
    """One row of a values tab: a group header, a preset or a variable."""

    kind: str  # "group", "preset" or "value"
    key: str  # the group's id, the preset's id or the variable's name
    title: str = ""
    doc: str = ""


class ValuesTab(ListTab):
    """Rows of sliders; the selected one also moves with Left/Right and takes a typed value.

    Subclasses say what the variables are (:meth:`names`, :meth:`value`, :meth:`bounds`,
    :meth:`set` ...); every change goes through the session, so it is logged.
    """

    intent: ClassVar[Intent]
    """What a click on one of the sliders means (``Action(intent, (name, value))``)."""

    def __init__(self, console: Any) -> None:
        super().__init__(console)
        self.pending: tuple[str, float] | None = None
        self.idle = 0.0
        self.scroll_shown: tuple[int, int, int] = (0, 0, 0)  # first row shown, rows shown, rows

    # ------------------------------------------------------------------ what the tab shows

    def names(self) -> list[str]:
        """The variables, one slider each."""
        return []

    def value(self, name: str) -> float:
        """The variable's current value."""
        raise NotImplementedError

    def bounds(self, name: str) -> tuple[float, float]:
        """The slider's range."""
        raise NotImplementedError

    def default(self, name: str) -> float | None:
        """Where the slider marks the default (None: no mark)."""
        return None

    def tip(self, name: str) -> str:
        """What the variable means."""
        return name

    def doc(self, name: str) -> str:
        """The doc line shown under the variable ('' for none)."""
        return ""

    def set(self, name: str, value: float) -> None:
        """Set the variable (through the session, so it is logged)."""
        raise NotImplementedError

    def rows(self) -> list[Row]:
        """The rows, top to bottom (one per variable unless a subclass groups them)."""
        return [Row("value", name) for name in self.names()]

    def items(self) -> list[Any]:
        return self.rows()

    def shown(self, name: str) -> float:
        """The value on show: a run of arrow presses not yet committed, else the current value."""
        if self.pending is not None and self.pending[0] == name:
            return self.pending[1]
        return self.value(name)

    # ------------------------------------------------------------------ layout

    def row_height(self, row: Row) -> int:
        """Pixels a row takes."""
        fonts = self.fonts
        base = fonts.s(36)
        if row.kind == "group":
            return fonts.s(34)
        return base + (DOC_LINES * fonts.line_height("tiny") if row.doc else 0)

    def window(self, rows: list[Row], height: int) -> range:
        """Rows that fit in ``height`` pixels, scrolled so that the selected row shows."""
        self.selected = max(0, min(len(rows) - 1, self.selected))
        self.offset = max(0, min(self.offset, self.selected))
        heights = [self.row_height(r) for r in rows]
        while self.offset < self.selected and sum(heights[self.offset : self.selected + 1]) > height:
            self.offset += 1
        end, used = self.offset, 0
        while end < len(rows) and used + heights[end] <= height:
            used += heights[end]
            end += 1
        end = max(end, min(len(rows), self.offset + 1))
        self.scroll_shown = (self.offset, end - self.offset, len(rows))
        return range(self.offset, end)

    def build(self, rect: pygame.Rect) -> list[Widget]:
        fonts = self.fonts
        rows = self.rows()
        bar_w = fonts.s(12)
        area = pygame.Rect(rect.left, rect.top, rect.width - bar_w - fonts.s(8), rect.height)
        self.list_rect = area
        out: list[Widget] = []
        y = area.top
        for index in self.window(rows, area.height):
            row = rows[index]
            height = self.row_height(row)
            out += self._row_widgets(row, index, pygame.Rect(area.left, y, area.width, height))
            y += height
        return out

    def _row_widgets(self, row: Row, index: int, rect: pygame.Rect) -> list[Widget]:
        fonts = self.fonts
        line = pygame.Rect(rect.left, rect.top, rect.width, fonts.s(30))
        selected = index == self.selected
        if row.kind == "group":
            return [
                Button(
                    line,
                    row.title,
                    Action(Intent.SELECT, index),
                    selected=selected,
                    role="small",
                    align="left",
                    style="quiet",
                    name=f"group_{row.key}",
                    focusable=False,
                    show_key=False,
                    tooltip="Click or press Enter to open or close the group",
                )
            ]
        if row.kind == "preset":
            apply_w = fonts.s(180)
            return [
                Button(
                    (line.left, line.top, apply_w, line.height),
                    "Apply preset",
                    Action(Intent.SELECT, index),
                    selected=selected,
                    role="small",
                    name=f"preset_{row.key}",
                    focusable=False,
                    enabled=not self.match.finished,
                    tooltip=f"{row.title}: {row.doc}",
                )
            ]
        return self._value_widgets(row.key, index, line)

    def _value_widgets(self, name: str, index: int, line: pygame.Rect) -> list[Widget]:
        fonts = self.fonts
        name_w = round(line.width * 0.34)
        value_w = fonts.s(96)
        tip = self.tip(name)
        lo, hi = self.bounds(name)
        field = f"value_{name}"
        active = self.console.field == field
        text = self.fields.get(field, "") if active else f"{self.shown(name):.4g}"
        return [
            Button(
                (line.left, line.top, name_w - fonts.s(8), line.height),
                name,
                Action(Intent.PICK, index),
                selected=index == self.selected,
                role="small",
                align="left",
                tooltip=tip,
                name=f"{self.ident}_{index}",
                focusable=False,
            ),
            Slider(
                (line.left + name_w, line.top + fonts.s(2), line.width - name_w - value_w - fonts.s(12), line.height),
                name,
                self.shown(name),
                lo,
                hi,
                intent=self.intent,
                default=self.default(name),
                tooltip=f"{tip} Range {lo:g} to {hi:g}.",
                name=f"slider_{name}",
                enabled=not self.match.finished,
            ),
            TextField(
                (line.right - value_w, line.top, value_w, line.height),
                field,
                text,
                placeholder=f"{self.shown(name):.4g}",
                active=active,
                tooltip=f"Type a value from {lo:g} to {hi:g}, then Enter",
                enabled=not self.match.finished,
            ),
        ]

    # ------------------------------------------------------------------ actions

    def on_action(self, action: Action) -> None:
        if action.intent not in (Intent.LEFT, Intent.RIGHT):
            self.flush()
        super().on_action(action)

    def on_item_action(self, action: Action) -> None:
        intent = action.intent
        rows = self.rows()
        if intent in (Intent.LEFT, Intent.RIGHT):
            self.nudge(-1 if intent is Intent.LEFT else 1)
        elif intent is self.intent:
            name, value = action.value
            self.selected = next(i for i, r in enumerate(rows) if r.kind == "value" and r.key == name)
            self.set(name, value)
        elif intent is Intent.SELECT:
            self.selected = action.value
            self.activate(rows[self.selected])
        elif intent is Intent.CONFIRM and rows:
            self.activate(rows[self.selected])

    def activate(self, row: Row) -> None:
        """Enter on a row: open or close a group, apply a preset, or type a variable's value."""
        if row.kind == "value" and not self.match.finished:
            self.console.field = f"value_{row.key}"
            self.fields[f"value_{row.key}"] = ""

    def nudge(self, direction: int) -> None:
        """Move the selected slider one step down (-1) or up (+1); committed once the presses settle."""
        rows = self.rows()
        if not rows or rows[self.selected].kind != "value" or self.match.finished:
            return
        name = rows[self.selected].key
        if self.pending is not None and self.pending[0] != name:
            self.flush()
        lo, hi = self.bounds(name)
        value = round(min(hi, max(lo, self.shown(name) + direction * (hi - lo) / STEPS)), 6)
        self.pending = (name, value)
        self.idle = 0.0

    def flush(self) -> None:
        """Commit a run of arrow presses as one session command (one log entry)."""
        if self.pending is None:
            return
        name, value = self.pending
        self.pending = None
        if value != self.value(name):
            self.set(name, value)

    def tick(self, dt: float) -> None:
        """Commit a run of arrow presses once no key has come for :data:`SETTLE_SECONDS`."""
        if self.pending is not None:
            self.idle += dt
            if self.idle >= SETTLE_SECONDS:
                self.flush()
                self.console.dirty = True

    def edit(self, field: str, action: Action) -> None:
        if field.startswith("value_") and action.intent is Intent.TEXT:
            typed = "".join(c for c in action.value if c in "0123456789.-+eE")
            self.fields[field] = (self.fields.get(field, "") + typed)[:16]
        elif field.startswith("value_") and action.intent is Intent.BACKSPACE:
            self.fields[field] = self.fields.get(field, "")[:-1]
        else:
            super().edit(field, action)

    def field_done(self, field: str) -> None:
        """The facilitator left a value box (Enter): set the typed value, if any."""
        if not field.startswith("value_"):
            return
        name, text = field.removeprefix("value_"), self.fields.pop(field, "").strip()
        if not text:
            return
        try:
            value = float(text)
        except ValueError:
            self.console.message = f"'{text}' is not a number"
            self.console.app.toast(self.console.message, 6)
            return
        lo, hi = self.bounds(name)
        if not lo <= value <= hi:
            self.console.message = f"{name}: {value:g} is outside its range [{lo:g}, {hi:g}]"
            self.console.app.toast(self.console.message, 6)
            return
        if value != self.value(name):
            self.set(name, value)

    # ------------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts = self.fonts
        rows = self.rows()
        for index in range(self.scroll_shown[0], sum(self.scroll_shown[:2])):
            if index >= len(rows):
                break
            row = rows[index]
            widget = self.console.widget(self._anchor(row, index))
            if widget is None:
                continue
            if row.kind == "preset":
                draw_text(
                    surface,
                    fonts,
                    row.title,
                    (widget.rect.right + fonts.s(12), widget.rect.centery),
                    "body",
                    theme.TEXT,
                    True,
                    "midleft",
                )
            if row.doc:
                area = pygame.Rect(rect.left + fonts.s(8), widget.rect.bottom + fonts.s(2), self.list_rect.width, 99)
                draw_wrapped(surface, fonts, row.doc, area, "tiny", theme.MUTED, max_lines=DOC_LINES)
        self._draw_scroll_bar(surface, rect)

    def _anchor(self, row: Row, index: int) -> str:
        return {"group": f"group_{row.key}", "preset": f"preset_{row.key}"}.get(row.kind, f"{self.ident}_{index}")

    def _draw_scroll_bar(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """A track on the right and a thumb for the rows shown (only when they do not all fit)."""
        first, shown, total = self.scroll_shown
        if total <= shown or total == 0:
            return
        fonts = self.fonts
        track = pygame.Rect(rect.right - fonts.s(10), rect.top, fonts.s(8), rect.height)
        pygame.draw.rect(surface, theme.PANEL_EDGE, track, border_radius=fonts.s(4))
        top = track.top + round(track.height * first / total)
        height = max(fonts.s(24), round(track.height * shown / total))
        thumb = pygame.Rect(track.left, min(top, track.bottom - height), track.width, height)
        pygame.draw.rect(surface, theme.MUTED, thumb, border_radius=fonts.s(4))


class ParametersTab(ValuesTab):
    """Presets, the scenario's own settings (with docs) and, collapsed, the model's coefficients."""

    ident = "parameters"
    title = "Parameters"
    shortcut = pygame.K_p
    intent = Intent.SET_PARAMETER

    def __init__(self, console: Any) -> None:
        super().__init__(console)
        self.open_groups = {"presets", "scenario"}
        self._groups: tuple[int, ParameterGroups] | None = None

    def groups(self) -> ParameterGroups:
        """The scenario's own settings and the model coefficients (worked out once per scenario)."""
        scenario = self.match.scenario
        if self._groups is None or self._groups[0] != id(scenario):
            self._groups = (id(scenario), parameter_groups(scenario))
        return self._groups[1]

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Parameters with a declared range (they get sliders), and their ranges."""
        spec = self.match.scenario.spec
        return {name: p.range for name, p in spec.parameters.items() if p.range is not None}

    def names(self) -> list[str]:
        groups = self.groups()
        return [*groups.scenario, *groups.coefficients]

    def rows(self) -> list[Row]:
        spec = self.match.scenario.spec
        groups = self.groups()
        out: list[Row] = []
        sections = [
            ("presets", "Presets", [Row("preset", k, p.title or k, p.doc) for k, p in spec.presets.items()]),
            (
                "scenario",
                "This scenario's settings",
                [Row("value", n, doc=spec.parameters[n].doc) for n in groups.scenario],
            ),
            (
                "advanced",
                "Advanced: model coefficients",
                [Row("value", n, doc=spec.parameters[n].doc) for n in groups.coefficients],
            ),
        ]
        for key, title, members in sections:
            if not members:
                continue
            is_open = key in self.open_groups
            mark = "[-]" if is_open else "[+]"
            out.append(Row("group", key, f"{mark} {title} ({len(members)})"))
            if is_open:
                out += members
        return out

    def activate(self, row: Row) -> None:
        if row.kind == "group":
            self.open_groups ^= {row.key}
        elif row.kind == "preset":
            preset = self.match.scenario.spec.presets[row.key]
            self.console.act(f"Preset applied: {preset.title or row.key}", self.match.apply_preset, row.key)
        else:
            super().activate(row)

    def value(self, name: str) -> float:
        return self.match.parameter(name)

    def bounds(self, name: str) -> tuple[float, float]:
        return self.ranges()[name]

    def default(self, name: str) -> float | None:
        return self.match.scenario.spec.parameters[name].default

    def tip(self, name: str) -> str:
        return self.match.scenario.spec.parameters[name].doc or name

    def set(self, name: str, value: float) -> None:
        self.console.act(f"Parameter {name} = {value:g}", self.match.set_parameter, name, value)


class StateTab(ValuesTab):
    """The model's writable state variables, set in every world at once."""

    ident = "state"
    title = "State"
    shortcut = pygame.K_s
    intent = Intent.SET_STATE

    def names(self) -> list[str]:
        return state_variables(self.match)

    def value(self, name: str) -> float:
        return self.match.value(name)

    def bounds(self, name: str) -> tuple[float, float]:
        layout = self.match.scenario.layout
        row = layout.rows[name]
        lo, hi = float(layout.lo[row]), float(layout.hi[row])
        if name.endswith(".capital"):
            hi = self.match.capital_max()
        return lo, hi

    def tip(self, name: str) -> str:
        return f"{label(name)}: {self.match.doc(name)}."

    def set(self, name: str, value: float) -> None:
        self.console.act(f"{label(name)} set to {value:g} in every world", self.match.set_state, name, value)
