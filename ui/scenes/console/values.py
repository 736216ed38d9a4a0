"""The console's "Parameters" and "State" tabs: a slider per scenario parameter or state variable."""

from __future__ import annotations

from typing import Any, ClassVar

from sim.play.match import label
from ui import theme
from ui.input import Action, Intent
from ui.scenes.console.tab import ListTab, state_variables
from ui.theme import pygame
from ui.widgets import Button, Slider, Widget, draw_text

STEPS = 50
"""Left/Right move the selected slider by this share of its range."""


class ValuesTab(ListTab):
    """A list of sliders; the selected one also moves with Left/Right. Every change is a session command."""

    intent: ClassVar[Intent]
    """What a click on one of the sliders means (``Action(intent, (name, value))``)."""

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

    def set(self, name: str, value: float) -> None:
        """Set the variable (through the session, so it is logged)."""
        raise NotImplementedError

    def items(self) -> list[Any]:
        return list(self.names())

    # ------------------------------------------------------------------ layout

    def build(self, rect: pygame.Rect) -> list[Widget]:
        fonts = self.fonts
        names = self.names()
        row_h = fonts.s(36)
        name_w = round(rect.width * 0.36)
        value_w = fonts.s(90)
        out: list[Widget] = []
        for n, index in enumerate(self.visible_rows(len(names), rect, row_h)):
            name, y = names[index], rect.top + n * row_h
            tip = self.tip(name)
            out.append(
                Button(
                    (rect.left, y, name_w - fonts.s(8), row_h - fonts.s(6)),
                    name,
                    Action(Intent.PICK, index),
                    selected=index == self.selected,
                    role="small",
                    align="left",
                    tooltip=tip,
                    name=f"{self.ident}_{index}",
                    focusable=False,
                )
            )
            lo, hi = self.bounds(name)
            out.append(
                Slider(
                    (
                        rect.left + name_w + fonts.s(10),
                        y + fonts.s(2),
                        rect.width - name_w - value_w - fonts.s(20),
                        row_h - fonts.s(10),
                    ),
                    name,
                    self.value(name),
                    lo,
                    hi,
                    intent=self.intent,
                    default=self.default(name),
                    tooltip=f"{tip} Range {lo:g} to {hi:g}.",
                    name=f"slider_{name}",
                    enabled=not self.match.finished,
                )
            )
        return out

    # ------------------------------------------------------------------ actions

    def on_item_action(self, action: Action) -> None:
        if action.intent in (Intent.LEFT, Intent.RIGHT):
            self.nudge(-1 if action.intent is Intent.LEFT else 1)
        elif action.intent is self.intent:
            name, value = action.value
            self.selected = self.names().index(name)
            self.set(name, value)

    def nudge(self, direction: int) -> None:
        """Move the selected slider one step down (-1) or up (+1)."""
        names = self.names()
        if not names:
            return
        name = names[self.selected]
        lo, hi = self.bounds(name)
        self.set(name, round(min(hi, max(lo, self.value(name) + direction * (hi - lo) / STEPS)), 6))

    # ------------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts = self.fonts
        for name in self.names():
            slider = self.console.widget(f"slider_{name}")
            if slider is not None:
                draw_text(
                    surface,
                    fonts,
                    f"{self.value(name):.3g}",
                    (slider.rect.right + fonts.s(12), slider.rect.centery),
                    "small",
                    theme.TEXT,
                    True,
                    "midleft",
                )


class ParametersTab(ValuesTab):
    """The scenario's parameters that declare a range, within that range."""

    ident = "parameters"
    title = "Parameters"
    shortcut = pygame.K_p
    intent = Intent.SET_PARAMETER

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Parameters with a declared range (they get sliders), and their ranges."""
        spec = self.match.scenario.spec
        return {name: p.range for name, p in spec.parameters.items() if p.range is not None}

    def names(self) -> list[str]:
        return list(self.ranges())

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
