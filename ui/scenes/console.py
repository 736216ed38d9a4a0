"""The facilitator's (white cell's) console, one key away (F2) and hidden from the teams.

Tabs: inject a scenario event; write a custom event (title, narrative, one or more effects);
adjust parameters within their declared ranges; set state variables; and the game itself
(pause, undo the last turn, branch from an earlier turn, end the game, add a note). Every
action goes through the game session, so it is logged, autosaved and shown in the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.engine.layout import GOVERNMENTS, PAIRS, THREAT_ACTORS
from sim.errors import TrilatError
from sim.play.commands import Branch, Custom, End, FacilitatorAction, Inject, Note, SetParameter, SetState, Undo
from ui import theme
from ui.input import Intent, key
from ui.match import Match, label
from ui.scene import Scene
from ui.scenes.common import (
    ButtonSpec,
    ConfirmScene,
    button_row,
    draw_footer,
    draw_header,
    footer_buttons,
    footer_height,
    header_height,
)
from ui.theme import pygame
from ui.widgets import Button, Slider, TextField, Widget, draw_panel, draw_text, draw_wrapped, format_signed

if TYPE_CHECKING:
    from ui.app import App

TABS = (
    ("events", "Inject event", pygame.K_e),
    ("custom", "Custom event", pygame.K_c),
    ("parameters", "Parameters", pygame.K_p),
    ("state", "State", pygame.K_s),
    ("game", "Game", pygame.K_g),
)
CUSTOM_RANGE = 0.3
"""Custom effects on 0-1 variables range over +-this; political capital over +-capital_max."""
PRIORITY_STATE = (
    *(f"tie.{p}" for p in PAIRS),
    "institutionalization",
    "deterrence",
    *(
        f"{g}.{v}"
        for g in GOVERNMENTS
        for v in ("approval", "polarization", "support", "capital", "history_salience", "crisis")
    ),
    *(f"{a}.{v}" for a in THREAT_ACTORS for v in ("aggressiveness", "capability", "alignment")),
)


def state_variables(match: Match) -> list[str]:
    """Variables the facilitator may set: the main ones first, then the rest of the writable state."""
    writable = match.scenario.layout.writable
    first = [name for name in PRIORITY_STATE if name in writable]
    rest = sorted(name for name in writable if name not in first)
    return first + rest


def custom_targets(match: Match) -> list[str]:
    """Targets a custom event can have (the model's writable variables; the main ones first)."""
    return state_variables(match)


class ConsoleScene(Scene):
    """The facilitator console (a full-screen scene, so the teams never see it over their screens)."""

    name = "console"
    hints = (
        ("Up / Down", "choose an event, parameter or variable"),
        ("Left / Right", "adjust the chosen parameter or variable"),
        ("[ / ]", "custom event: previous / next target"),
        ("- / +", "custom event: smaller / larger effect; game tab: branch turn"),
    )

    def __init__(self, app: App, tab: str = "events") -> None:
        super().__init__(app)
        self.tab = tab
        self.selected = {"events": 0, "parameters": 0, "state": 0}
        self.offset = {"events": 0, "parameters": 0, "state": 0}
        self.fields = {"title": "", "say": "", "note": ""}
        self.target = 0
        self.amount = -0.05
        self.effects: list[tuple[str, float]] = []
        self.branch_turn = 0
        self.message = ""

    @property
    def match(self) -> Match:
        """The game."""
        return self.app.match

    def resume(self) -> None:
        self.branch_turn = max(0, min(self.branch_turn or self.match.turn - 1, self.match.turn))
        super().resume()

    # ------------------------------------------------------------------ helpers

    def parameters(self) -> list[str]:
        """Parameters with a declared range (they get sliders)."""
        spec = self.match.scenario.spec
        return [name for name, p in spec.parameters.items() if p.range is not None]

    def items(self) -> list[Any]:
        """The list on the current tab."""
        if self.tab == "events":
            return list(self.match.scenario.events)
        if self.tab == "parameters":
            return self.parameters()
        if self.tab == "state":
            return state_variables(self.match)
        return []

    def bounds(self, name: str) -> tuple[float, float]:
        """Slider range of a state variable."""
        layout = self.match.scenario.layout
        row = layout.rows[name]
        lo, hi = float(layout.lo[row]), float(layout.hi[row])
        if name.endswith(".capital"):
            hi = self.match.capital_max()
        return lo, hi

    def target_name(self) -> str:
        """The custom event's current target."""
        targets = custom_targets(self.match)
        return targets[self.target % len(targets)]

    def amount_range(self) -> float:
        """How far the custom effect slider goes either way."""
        return self.match.capital_max() if self.target_name().endswith(".capital") else CUSTOM_RANGE

    def act(self, what: str, fn: Any, *args: Any) -> bool:
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
            ButtonSpec(text, Intent("tab", ident), key(code), name=f"tab_{ident}", selected=ident == self.tab)
            for ident, text, code in TABS
        ]
        widgets: list[Widget] = list(button_row(fonts, specs, areas["tabs"], "left"))
        inner = areas["main"].inflate(-fonts.s(20), -fonts.s(20))
        widgets += getattr(self, f"_build_{self.tab}")(inner)
        widgets += footer_buttons(
            fonts, size, [ButtonSpec("Close console", Intent("back"), key(pygame.K_F2), "primary")]
        )
        return widgets

    def _list_rows(self, rect: pygame.Rect, labels: list[str], tips: list[str], row_h: int) -> list[Widget]:
        tab = self.tab
        visible = max(1, rect.height // row_h)
        selected = self.selected[tab]
        if selected < self.offset[tab]:
            self.offset[tab] = selected
        elif selected >= self.offset[tab] + visible:
            self.offset[tab] = selected - visible + 1
        out: list[Widget] = []
        for n, index in enumerate(range(self.offset[tab], min(len(labels), self.offset[tab] + visible))):
            out.append(
                Button(
                    (rect.left, rect.top + n * row_h, rect.width, row_h - self.fonts.s(4)),
                    labels[index],
                    Intent("pick", index),
                    selected=index == selected,
                    role="small",
                    align="left",
                    tooltip=tips[index],
                    name=f"{tab}_{index}",
                )
            )
        return out

    def _build_events(self, rect: pygame.Rect) -> list[Widget]:
        fonts, match = self.fonts, self.match
        events = match.scenario.events
        list_rect = pygame.Rect(rect.left, rect.top, round(rect.width * 0.48), rect.height)
        labels = []
        for event in events:
            when = f"  (scheduled {match.quarter(event.at_turn)})" if event.at_turn else ""
            labels.append(f"{event.title or event.id}{when}")
        widgets = self._list_rows(list_rect, labels, [e.say for e in events], fonts.s(34))
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
                    Intent("inject"),
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

    def _build_custom(self, rect: pygame.Rect) -> list[Widget]:
        fonts = self.fonts
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
                active=self.field == "title",
            ),
            TextField(
                (x, y + h + fonts.s(10), width, h),
                "say",
                self.fields["say"],
                placeholder="What the teams read in the feed",
                active=self.field == "say",
            ),
        ]
        y += 2 * (h + fonts.s(10)) + fonts.s(10)
        small = fonts.s(56)
        widgets += button_row(
            fonts,
            [
                ButtonSpec("<", Intent("target", -1), key(pygame.K_LEFTBRACKET), name="target_prev"),
                ButtonSpec(
                    f"Target: {label(self.target_name())}",
                    Intent("target", 1),
                    name="target",
                    tooltip=self.match.doc(self.target_name()),
                ),
                ButtonSpec(">", Intent("target", 1), key(pygame.K_RIGHTBRACKET), name="target_next"),
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
                action="amount",
                default=0.0,
                name="amount",
                tooltip="Size of the effect (added to the target)",
            )
        )
        widgets += button_row(
            fonts,
            [
                ButtonSpec("-", Intent("nudge_amount", -1), key(pygame.K_MINUS), name="amount_minus"),
                ButtonSpec("+", Intent("nudge_amount", 1), key(pygame.K_EQUALS), name="amount_plus"),
            ],
            pygame.Rect(x + slider_w + fonts.s(90), y, 2 * small + fonts.s(20), h),
            "left",
        )
        y += h + fonts.s(14)
        widgets += button_row(
            fonts,
            [
                ButtonSpec("Add this effect", Intent("add_effect"), key(pygame.K_a), name="add_effect"),
                ButtonSpec(
                    "Remove last",
                    Intent("remove_effect"),
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
                    Intent("inject_custom"),
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

    def _slider_rows(
        self,
        rect: pygame.Rect,
        names: list[str],
        values: list[float],
        ranges: list[tuple[float, float]],
        defaults: list[float | None],
        tips: list[str],
        action: str,
    ) -> list[Widget]:
        fonts = self.fonts
        tab = self.tab
        row_h = fonts.s(36)
        visible = max(1, rect.height // row_h)
        selected = self.selected[tab]
        if selected < self.offset[tab]:
            self.offset[tab] = selected
        elif selected >= self.offset[tab] + visible:
            self.offset[tab] = selected - visible + 1
        name_w = round(rect.width * 0.36)
        value_w = fonts.s(90)
        out: list[Widget] = []
        for n, index in enumerate(range(self.offset[tab], min(len(names), self.offset[tab] + visible))):
            y = rect.top + n * row_h
            out.append(
                Button(
                    (rect.left, y, name_w - fonts.s(8), row_h - fonts.s(6)),
                    names[index],
                    Intent("pick", index),
                    selected=index == selected,
                    role="small",
                    align="left",
                    tooltip=tips[index],
                    name=f"{tab}_{index}",
                    focusable=False,
                )
            )
            lo, hi = ranges[index]
            out.append(
                Slider(
                    (
                        rect.left + name_w + fonts.s(10),
                        y + fonts.s(2),
                        rect.width - name_w - value_w - fonts.s(20),
                        row_h - fonts.s(10),
                    ),
                    names[index],
                    values[index],
                    lo,
                    hi,
                    action=action,
                    default=defaults[index],
                    tooltip=f"{tips[index]} Range {lo:g} to {hi:g}.",
                    name=f"slider_{names[index]}",
                    enabled=not self.match.finished,
                )
            )
        return out

    def _build_parameters(self, rect: pygame.Rect) -> list[Widget]:
        spec = self.match.scenario.spec
        names = self.parameters()
        return self._slider_rows(
            rect,
            names,
            [self.match.parameter(n) for n in names],
            [tuple(spec.parameters[n].range) for n in names],
            [spec.parameters[n].default for n in names],
            [spec.parameters[n].doc or n for n in names],
            "set_parameter",
        )

    def _build_state(self, rect: pygame.Rect) -> list[Widget]:
        match = self.match
        names = state_variables(match)
        return self._slider_rows(
            rect,
            names,
            [match.value(n) for n in names],
            [self.bounds(n) for n in names],
            [None] * len(names),
            [f"{label(n)}: {match.doc(n)}." for n in names],
            "set_state",
        )

    def _build_game(self, rect: pygame.Rect) -> list[Widget]:
        fonts, match = self.fonts, self.match
        h = fonts.s(38)
        width = min(rect.width, fonts.s(520))
        y = rect.top
        widgets: list[Widget] = []
        rows = [
            [
                ButtonSpec(
                    "Resume the game" if match.paused else "Pause the game",
                    Intent("pause"),
                    key(pygame.K_SPACE),
                    name="pause",
                    tooltip="Stops play (turns cannot be played or resolved) until resumed",
                )
            ],
            [
                ButtonSpec(
                    f"Undo turn {match.turn}" if match.turn else "Undo the last turn",
                    Intent("undo"),
                    key(pygame.K_u),
                    enabled=match.turn > 0,
                    name="undo",
                    tooltip="Back to just before the last resolved turn",
                )
            ],
            [
                ButtonSpec("-", Intent("branch_turn", -1), key(pygame.K_MINUS), name="branch_minus"),
                ButtonSpec("+", Intent("branch_turn", 1), key(pygame.K_EQUALS), name="branch_plus"),
                ButtonSpec(
                    f"Branch from the end of turn {self.branch_turn}",
                    Intent("branch"),
                    key(pygame.K_b),
                    name="branch",
                    tooltip="What if: a new game replaying this one up to that turn (saved separately)",
                ),
            ],
            [
                ButtonSpec(
                    "End the game now",
                    Intent("end_game"),
                    key(pygame.K_x),
                    "danger",
                    enabled=not match.finished,
                    name="end_game",
                    tooltip="Go to the debrief with the turns played so far",
                )
            ],
        ]
        for specs in rows:
            widgets += button_row(fonts, specs, pygame.Rect(rect.left, y, width, h), "left")
            y += h + fonts.s(14)
        y += fonts.s(10)
        widgets.append(
            TextField(
                (rect.left, y, width - fonts.s(150), h),
                "note",
                self.fields["note"],
                placeholder="A note for the report",
                active=self.field == "note",
            )
        )
        widgets += button_row(
            fonts,
            [ButtonSpec("Add note", Intent("add_note"), key(pygame.K_n), name="add_note")],
            pygame.Rect(rect.left + width - fonts.s(140), y, fonts.s(140), h),
            "right",
        )
        return widgets

    # ------------------------------------------------------------------ intents

    def keymap(self) -> dict[tuple[int, int], Intent]:
        return {
            key(pygame.K_EQUALS, pygame.KMOD_SHIFT): Intent("plus"),
            key(pygame.K_KP_PLUS): Intent("plus"),
            key(pygame.K_KP_MINUS): Intent("minus"),
        }

    def on_intent(self, intent: Intent) -> None:
        name, value = intent.name, intent.value
        match = self.match
        if name == "back":
            self.app.stack.pop()
            return
        if name == "tab":
            self.tab = value
            self.field = None
            return
        if name == "text" and self.field is not None:
            limit = 200 if self.field == "say" else 80
            self.fields[self.field] = (self.fields[self.field] + value)[:limit]
            return
        if name == "backspace" and self.field is not None:
            self.fields[self.field] = self.fields[self.field][:-1]
            return
        if name in ("up", "down", "scroll") and self.tab in self.selected:
            step = {"up": -1, "down": 1}.get(name, 1 if (value or 0) > 0 else -1)
            count = len(self.items())
            self.selected[self.tab] = max(0, min(count - 1, self.selected[self.tab] + step))
            return
        if name == "pick":
            self.selected[self.tab] = value
            return
        if name in ("left", "right") and self.tab in ("parameters", "state"):
            self._nudge(-1 if name == "left" else 1)
            return
        if name in ("plus", "minus"):
            name, value = ("nudge_amount" if self.tab == "custom" else "branch_turn"), (1 if name == "plus" else -1)
        getattr(self, f"_on_{self.tab}")(name, value, match)

    def _nudge(self, direction: int) -> None:
        items = self.items()
        if not items:
            return
        variable = items[self.selected[self.tab]]
        if self.tab == "parameters":
            lo, hi = self.match.scenario.spec.parameters[variable].range
            current = self.match.parameter(variable)
        else:
            lo, hi = self.bounds(variable)
            current = self.match.value(variable)
        new = round(min(hi, max(lo, current + direction * (hi - lo) / 50)), 6)
        self._set(variable, new)

    def _set(self, variable: str, value: float) -> None:
        if self.tab == "parameters":
            self.act(f"Parameter {variable} = {value:g}", self.match.set_parameter, variable, value)
        else:
            self.act(f"{label(variable)} set to {value:g} in every world", self.match.set_state, variable, value)

    def _on_events(self, name: str, value: Any, match: Match) -> None:
        if name in ("inject", "confirm"):
            events = match.scenario.events
            if events:
                event = events[self.selected["events"]]
                self.act(
                    f"Injected '{event.title or event.id}' into {match.quarter(match.turn + 1)}",
                    match.inject_event,
                    event.id,
                )

    def _on_custom(self, name: str, value: Any, match: Match) -> None:
        if name == "target":
            self.target = (self.target + value) % len(custom_targets(match))
            self.amount = max(-self.amount_range(), min(self.amount_range(), self.amount))
        elif name == "amount":
            self.amount = value[1]
        elif name == "nudge_amount":
            reach = self.amount_range()
            self.amount = round(max(-reach, min(reach, self.amount + value * reach / 30)), 4)
        elif name == "add_effect":
            self.effects.append((self.target_name(), self.amount))
        elif name == "remove_effect" and self.effects:
            self.effects.pop()
        elif name in ("inject_custom", "confirm"):
            effects = list(self.effects) or [(self.target_name(), self.amount)]
            combined: dict[str, float] = {}
            for target, amount in effects:
                combined[target] = round(combined.get(target, 0.0) + amount, 6)
            title = self.fields["title"].strip() or "White cell event"
            if self.act(
                f"Injected custom event '{title}' into {match.quarter(match.turn + 1)}",
                match.inject_custom,
                title,
                self.fields["say"].strip(),
                combined,
            ):
                self.effects = []
                self.fields["title"] = self.fields["say"] = ""

    def _on_parameters(self, name: str, value: Any, match: Match) -> None:
        if name == "set_parameter":
            variable, amount = value
            self.selected["parameters"] = self.parameters().index(variable)
            self._set(variable, amount)

    def _on_state(self, name: str, value: Any, match: Match) -> None:
        if name == "set_state":
            variable, amount = value
            self.selected["state"] = state_variables(match).index(variable)
            self._set(variable, amount)

    def _on_game(self, name: str, value: Any, match: Match) -> None:
        app = self.app
        if name == "pause":
            paused = not match.paused
            self.act("Game paused" if paused else "Game resumed", match.set_paused, paused)
        elif name == "undo":
            from ui.scenes.turn import confirm_undo

            confirm_undo(app)
        elif name == "branch_turn":
            self.branch_turn = max(0, min(match.turn, self.branch_turn + value))
        elif name == "branch":
            turn = self.branch_turn

            def branch() -> None:
                if self.act(f"Branched: a new game from the end of turn {turn}", match.branch, turn):
                    app.return_to_turn_screen()

            app.stack.push(
                ConfirmScene(
                    app,
                    f"Branch from the end of turn {turn}?",
                    branch,
                    "A new game replays this one up to that turn and continues from there; this game's save is kept.",
                    yes="Branch",
                )
            )
        elif name == "end_game":

            def end() -> None:
                if self.act("The facilitator ended the game", match.end):
                    from ui.scenes.debrief import DebriefScene

                    app.return_to_turn_screen()
                    app.stack.push(DebriefScene(app))

            app.stack.push(
                ConfirmScene(
                    app,
                    "End the game now?",
                    end,
                    f"The debrief will use the {match.turn} turns played.",
                    yes="End game",
                )
            )
        elif name == "add_note" and self.fields["note"].strip():
            if self.act("Note added to the report", match.note, self.fields["note"].strip()):
                self.fields["note"] = ""

    # ------------------------------------------------------------------ drawing

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts, match = self.fonts, self.match
        state = (
            "PAUSED"
            if match.paused
            else f"next: {match.quarter(match.turn + 1)}"
            if not match.finished
            else "game over"
        )
        draw_header(
            surface,
            fonts,
            "Facilitator console (white cell)",
            "Hidden from the teams: every action is logged and goes into the report",
            f"turn {match.turn}, {state}",
        )
        draw_footer(surface, fonts)
        areas = self.areas(surface.get_size())
        draw_panel(surface, fonts, areas["main"])
        getattr(self, f"_draw_{self.tab}")(surface, areas["main"].inflate(-fonts.s(20), -fonts.s(20)))
        self._draw_side(surface, areas["side"])

    def _draw_events(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, match = self.fonts, self.match
        events = match.scenario.events
        if not events:
            draw_text(surface, fonts, "This scenario has no events.", rect.topleft, "body", theme.MUTED)
            return
        event = events[self.selected["events"]]
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

    def _draw_custom(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts = self.fonts
        for name, text in (("title", "Title"), ("say", "Narrative"), ("target", "Effect"), ("amount", "Change")):
            widget = self.widget(name)
            if widget is not None:
                draw_text(surface, fonts, text, (rect.left, widget.rect.centery), "body", theme.TEXT, True, "midleft")
        slider = self.widget("amount")
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
        add = self.widget("add_effect")
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

    def _draw_parameters(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        self._draw_values(surface, [self.match.parameter(n) for n in self.parameters()], self.parameters())

    def _draw_state(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        names = state_variables(self.match)
        self._draw_values(surface, [self.match.value(n) for n in names], names)

    def _draw_values(self, surface: pygame.Surface, values: list[float], names: list[str]) -> None:
        for name, value in zip(names, values, strict=True):
            slider = self.widget(f"slider_{name}")
            if slider is not None:
                draw_text(
                    surface,
                    self.fonts,
                    f"{value:.3g}",
                    (slider.rect.right + self.fonts.s(12), slider.rect.centery),
                    "small",
                    theme.TEXT,
                    True,
                    "midleft",
                )

    def _draw_game(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, match = self.fonts, self.match
        path = match.session.autosave_path
        note = self.widget("note")
        y = (note.rect.bottom if note else rect.top) + fonts.s(20)
        lines = [
            f"Autosave: {path}" if path else "This game is not autosaved.",
            f"Turns played: {match.turn} of {match.turns}.",
            "Undo and branch replay the game's log, so the result is exactly what it would have been.",
        ]
        for line in lines:
            y = draw_wrapped(
                surface, fonts, line, pygame.Rect(rect.left, y, rect.width, rect.bottom - y), "small", theme.MUTED
            )

    def _draw_side(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, match = self.fonts, self.match
        inner = draw_panel(surface, fonts, rect, f"Queued for {match.quarter(match.turn + 1)}")
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
                describe(entry),
                pygame.Rect(inner.left, y, inner.width, inner.bottom - y),
                "small",
                theme.TEXT,
                max_lines=2,
            )


def describe(entry: FacilitatorAction) -> str:
    """One line for a facilitator log entry."""
    turn = entry.turn
    if isinstance(entry, Inject):
        text = f"inject event {entry.event}"
    elif isinstance(entry, Custom):
        effects = ", ".join(
            f"{label(k)} {format_signed(float(v)) if isinstance(v, int | float) else v}"
            for k, v in entry.effects.items()
        )
        text = f"custom event '{entry.title}' ({effects})"
    elif isinstance(entry, SetParameter):
        text = f"parameter {entry.name} = {entry.value:g}"
    elif isinstance(entry, SetState):
        text = f"set {entry.name} = {entry.value:g}"
    elif isinstance(entry, Note):
        text = f"note: {entry.text}"
    elif isinstance(entry, End):
        text = "ended the game"
    elif isinstance(entry, Undo):
        return f"undid turn {turn} (its moves and injections dropped)"
    elif isinstance(entry, Branch):
        return f"branched from the end of turn {turn}"
    else:
        text = str(entry.kind)
    return f"t{turn}: {text}"
