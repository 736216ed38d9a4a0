"""The setup screen: who plays each government (a human team or a computer strategy), turns, seed, fan size."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from agents.strategies import STRATEGIES
from sim.engine.layout import GOVERNMENTS
from sim.errors import TrilatError
from sim.lang.scenario import Scenario, load_scenario
from sim.lang.schema import GovernmentSpec
from sim.play.match import GOV_CITIES, Match
from sim.play.session import DEFAULT_SHADOWS, GameSettings
from ui import theme
from ui.input import SHIFT, Action, Intent, key
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
from ui.theme import pygame
from ui.widgets import Button, TextField, Widget, draw_panel, draw_text, draw_wrapped

if TYPE_CHECKING:
    from ui.app import App

COMPUTER_STRATEGIES = tuple(name for name in STRATEGIES if name != "human")
SHADOW_CHOICES = (0, 20, 50, 100, 200, 300, 500, 1000)
MAX_TURNS = 40
GOV_KEYS = {"USA": pygame.K_1, "ROK": pygame.K_2, "JPN": pygame.K_3}
STRATEGY_KEYS = {"USA": pygame.K_q, "ROK": pygame.K_w, "JPN": pygame.K_e}


class SetupScene(Scene):
    """Set up a game of one scenario.

    Args:
        app: the application.
        name: the scenario as the user named it (library id or path; saved with the game).
        scenario: the loaded scenario (loaded from ``name`` if not given).
    """

    scene_id = SceneId.SETUP
    hints = (("- / +", "fewer / more turns"), (", / .", "fewer / more replays with other luck (shadow worlds)"))

    def __init__(self, app: App, name: str, scenario: Scenario | None = None) -> None:
        super().__init__(app)
        self.scenario_name = name
        self.scenario = scenario or load_scenario(name)
        spec = self.scenario.spec
        self.government_specs: dict[str, GovernmentSpec] = dict(spec.governments.items())
        self.strategies = {g: self.government_specs[g].strategy for g in GOVERNMENTS}
        self.human = dict.fromkeys(GOVERNMENTS, True)
        self.team_names = dict.fromkeys(GOVERNMENTS, "")
        self.turns = self.scenario.turns
        self.seed = "1"
        self.shadows = DEFAULT_SHADOWS

    # ------------------------------------------------------------------ the settings

    def settings(self) -> GameSettings:
        """The game settings chosen so far."""
        controllers = {g: "human" if self.human[g] else self.strategies[g] for g in GOVERNMENTS}
        names = {g: n.strip() for g, n in self.team_names.items() if n.strip()}
        return GameSettings(
            scenario=self.scenario_name,
            seed=int(self.seed or 0),
            turns=self.turns,
            shadows=self.shadows,
            controllers=controllers,
            team_names=names,
        )

    def cycle_strategy(self, gov: str, step: int = 1) -> None:
        """The next computer strategy for ``gov``."""
        names = list(COMPUTER_STRATEGIES)
        current = names.index(self.strategies[gov]) if self.strategies[gov] in names else 0
        self.strategies[gov] = names[(current + step) % len(names)]

    def start(self) -> None:
        """Create the game (autosaving in the saves folder) and go to the turn screen."""
        try:
            match = Match.start(self.settings(), self.scenario, saves_dir=self.app.saves_dir)
        except TrilatError as exc:
            self.app.toast(str(exc).splitlines()[0], 8)
            return
        self.app.start_match(match)

    # ------------------------------------------------------------------ layout

    def rows_rect(self, size: tuple[int, int]) -> pygame.Rect:
        """Where the three government rows are."""
        fonts = self.fonts
        top = header_height(fonts) + fonts.s(12)
        return pygame.Rect(fonts.s(12), top, round(size[0] * 0.64), size[1] - top - footer_height(fonts) - fonts.s(12))

    def options_rect(self, size: tuple[int, int]) -> pygame.Rect:
        """Where the game options are."""
        rows = self.rows_rect(size)
        return pygame.Rect(
            rows.right + self.fonts.s(12), rows.top, size[0] - rows.right - self.fonts.s(24), rows.height
        )

    def build(self, size: tuple[int, int]) -> list[Widget]:
        fonts = self.fonts
        rows = self.rows_rect(size)
        row_h = rows.height // 3
        widgets: list[Widget] = []
        control_h = fonts.s(36)
        for i, gov in enumerate(GOVERNMENTS):
            box = pygame.Rect(rows.left, rows.top + i * row_h, rows.width, row_h - fonts.s(10))
            x = box.left + fonts.s(16)
            y = box.top + fonts.line_height("heading") + fonts.s(18)
            human = self.human[gov]
            w1 = fonts.s(200)
            widgets.append(
                Button(
                    (x, y, w1, control_h),
                    "Human team" if human else "Computer",
                    Action(Intent.TOGGLE_HUMAN, gov),
                    key=key(GOV_KEYS[gov]),
                    name=f"human_{gov}",
                    selected=human,
                    tooltip="Switch between a human team and a computer player",
                )
            )
            strategy = self.strategies[gov]
            description = STRATEGIES[strategy].description if strategy in STRATEGIES else ""
            widgets.append(
                Button(
                    (x + w1 + fonts.s(10), y, box.right - x - w1 - fonts.s(26), control_h),
                    f"Strategy: {strategy}",
                    Action(Intent.CYCLE_STRATEGY, gov),
                    key=key(STRATEGY_KEYS[gov]),
                    enabled=not human,
                    name=f"strategy_{gov}",
                    tooltip=f"{strategy}: {description}",
                )
            )
            y += control_h + fonts.s(10)
            label_w = fonts.width("Team name", "small", True) + fonts.s(12)
            widgets.append(
                TextField(
                    (x + label_w, y, min(fonts.s(360), box.right - x - label_w - fonts.s(16)), control_h),
                    f"team_{gov}",
                    self.team_names[gov],
                    placeholder=f"optional, e.g. Team {GOV_CITIES[gov]}",
                    active=self.field == f"team_{gov}",
                    enabled=human,
                    tooltip="Optional team name shown on the screens and in the report",
                )
            )
        widgets += self._option_widgets(size)
        specs = [
            ButtonSpec("Back", Action(Intent.BACK), key(pygame.K_ESCAPE)),
            ButtonSpec("Start the game", Action(Intent.START), key(pygame.K_RETURN), "primary"),
        ]
        return widgets + footer_buttons(fonts, size, specs)

    def _option_widgets(self, size: tuple[int, int]) -> list[Widget]:
        fonts = self.fonts
        box = self.options_rect(size)
        x = box.left + fonts.s(14)
        width = box.width - fonts.s(28)
        h = fonts.s(34)
        y = box.top + fonts.line_height("heading") + fonts.s(30)
        out: list[Widget] = []
        small = fonts.s(60)
        for intent, minus, plus, tip in (
            (Intent.TURNS, key(pygame.K_MINUS), key(pygame.K_EQUALS), "Quarterly turns to play"),
            (
                Intent.SHADOWS,
                key(pygame.K_COMMA),
                key(pygame.K_PERIOD),
                "Replays with the same moves but other luck, drawn as the fan of possible futures (0: no fan)",
            ),
        ):
            row = pygame.Rect(x + width - 2 * small - fonts.s(10), y, 2 * small + fonts.s(10), h)
            out += button_row(
                fonts,
                [
                    ButtonSpec("-", Action(intent, -1), minus, name=f"{intent.value}_minus", tooltip=tip),
                    ButtonSpec("+", Action(intent, 1), plus, name=f"{intent.value}_plus", tooltip=tip),
                ],
                row,
                "right",
            )
            y += h + fonts.s(30)
        label_w = fonts.width("Seed", "body", True) + fonts.s(16)
        new_w = fonts.s(150)
        out.append(
            TextField(
                (x + label_w, y, width - label_w - new_w - fonts.s(8), h),
                "seed",
                self.seed,
                active=self.field == "seed",
                tooltip="Same seed, same story: the game can be replayed exactly",
            )
        )
        out += button_row(
            fonts,
            [ButtonSpec("New seed", Action(Intent.NEW_SEED), key(pygame.K_s), name="new_seed")],
            pygame.Rect(x + width - new_w, y, new_w, h),
            "right",
        )
        return out

    # ------------------------------------------------------------------ intents

    def keymap(self) -> dict[tuple[int, int], Action]:
        """The "+" key however the keyboard types it (Shift+=, a "+" key, the keypad), and the keypad's "-"."""
        return {
            key(pygame.K_EQUALS, SHIFT): Action(Intent.TURNS, 1),
            key(pygame.K_PLUS): Action(Intent.TURNS, 1),
            key(pygame.K_PLUS, SHIFT): Action(Intent.TURNS, 1),
            key(pygame.K_KP_PLUS): Action(Intent.TURNS, 1),
            key(pygame.K_KP_MINUS): Action(Intent.TURNS, -1),
        }

    def on_action(self, action: Action) -> None:
        intent, value = action.intent, action.value
        if intent is Intent.BACK:
            self.app.stack.pop()
        elif intent in (Intent.START, Intent.CONFIRM):
            self.start()
        elif intent is Intent.TOGGLE_HUMAN:
            self.human[value] = not self.human[value]
        elif intent is Intent.CYCLE_STRATEGY:
            self.cycle_strategy(value)
        elif intent is Intent.TURNS:
            self.turns = max(1, min(MAX_TURNS, self.turns + value))
        elif intent is Intent.SHADOWS:
            choices = list(SHADOW_CHOICES)
            index = min(range(len(choices)), key=lambda i: abs(choices[i] - self.shadows))
            self.shadows = choices[max(0, min(len(choices) - 1, index + value))]
        elif intent is Intent.NEW_SEED:
            self.seed = str(secrets.randbelow(1_000_000))
        elif intent is Intent.TEXT and self.field is not None:
            self._type(value)
        elif intent is Intent.BACKSPACE and self.field is not None:
            self._set_field(self._field_value()[:-1])
        elif intent in (Intent.LEFT, Intent.RIGHT):
            focused = self.focused()
            if focused is not None and focused.name.startswith("strategy_"):
                self.cycle_strategy(focused.name.split("_", 1)[1], -1 if intent is Intent.LEFT else 1)

    def _field_value(self) -> str:
        if self.field == "seed":
            return self.seed
        return self.team_names[(self.field or "").removeprefix("team_")]

    def _set_field(self, value: str) -> None:
        if self.field == "seed":
            self.seed = value
        elif self.field is not None:
            self.team_names[self.field.removeprefix("team_")] = value

    def _type(self, text: str) -> None:
        if self.field == "seed":
            text = "".join(ch for ch in text if ch.isdigit())
            if len(self.seed + text) > 12:
                return
        elif len(self._field_value() + text) > 40:
            return
        self._set_field(self._field_value() + text)

    # ------------------------------------------------------------------ drawing

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts = self.fonts
        spec = self.scenario.spec
        humans = sum(self.human.values())
        draw_header(
            surface,
            fonts,
            f"Set up: {spec.title}",
            f"About {spec.minutes} minutes; {humans} human team(s)",
            "Enter: start",
        )
        draw_footer(surface, fonts)
        size = surface.get_size()
        rows = self.rows_rect(size)
        row_h = rows.height // 3
        for i, gov in enumerate(GOVERNMENTS):
            box = pygame.Rect(rows.left, rows.top + i * row_h, rows.width, row_h - fonts.s(10))
            draw_panel(surface, fonts, box, accent=theme.GOVERNMENT_COLORS[gov])
            title = f"{gov}  {self.government_specs[gov].name or gov}  ({GOV_CITIES[gov]})"
            draw_text(
                surface, fonts, title, (box.left + fonts.s(16), box.top + fonts.s(10)), "heading", theme.TEXT, bold=True
            )
            field = self.widget(f"team_{gov}")
            if field is not None:
                draw_text(
                    surface,
                    fonts,
                    "Team name",
                    (box.left + fonts.s(16), field.rect.centery),
                    "small",
                    theme.MUTED,
                    True,
                    "midleft",
                )
        box = self.options_rect(size)
        inner = draw_panel(surface, fonts, box, "Game")
        x = box.left + fonts.s(14)
        for name, text in (
            ("turns_minus", f"Turns: {self.turns}  (scenario: {spec.turns})"),
            ("shadows_minus", f"Replays: {self.shadows}"),
        ):
            widget = self.widget(name)
            if widget is not None:
                draw_text(surface, fonts, text, (x, widget.rect.centery), "body", theme.TEXT, True, "midleft")
        seed = self.widget("seed")
        if seed is not None:
            draw_text(surface, fonts, "Seed", (x, seed.rect.centery), "body", theme.TEXT, True, "midleft")
            notes = (
                "Every government is a human team by default: press 1, 2 or 3 to hand one to the computer, "
                "and Q, W or E to change its strategy. Teams move in secret, one at a time, on this screen. "
                "The game autosaves after every turn."
            )
            area = pygame.Rect(
                inner.left, seed.rect.bottom + fonts.s(24), inner.width, inner.bottom - seed.rect.bottom - fonts.s(24)
            )
            draw_wrapped(surface, fonts, notes, area, "small", theme.MUTED)
