"""Secret moves, hot-seat: a cover screen hands the laptop to each human team, which picks its cards.

The flow of a turn: the turn screen's "Play turn" -> for each human team still to move, a
cover screen ("pass the laptop to Seoul; everyone else look away") and then the team's move
screen -> a last cover screen ("all moves are in") -> the resolution. Computer governments
choose through their strategies when the turn resolves. No screen shows one team's choices to
another: the cover screens only say who has moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.errors import TrilatError
from sim.lang.scenario import Card
from sim.play.match import GOV_CITIES, Match
from sim.play.plain_names import glossary_notes, level, meaning, noun, pair_name, spendable
from ui import theme
from ui.cards import CardView
from ui.input import Action, Intent, key
from ui.scene import Scene, SceneId
from ui.scenes.common import (
    ButtonSpec,
    draw_footer,
    draw_header,
    draw_paused,
    footer_buttons,
    footer_height,
    header_height,
)
from ui.theme import pygame
from ui.widgets import Region, Widget, draw_bar, draw_panel, draw_text, draw_wrapped, wrapped_height

if TYPE_CHECKING:
    from ui.app import App

REVISE_KEYS = (pygame.K_1, pygame.K_2, pygame.K_3)
"""Keys of the "Revise" buttons on the all-moves-in screen (one per human team)."""
CARD_KEYS = (
    pygame.K_1,
    pygame.K_2,
    pygame.K_3,
    pygame.K_4,
    pygame.K_5,
    pygame.K_6,
    pygame.K_7,
    pygame.K_8,
    pygame.K_9,
    pygame.K_0,
)


def next_move_scene(app: App) -> Scene:
    """The next screen of the move phase: a team's cover screen, the 'all in' screen, or the resolution.

    The factory of :attr:`SceneId.MOVE_PHASE`.
    """
    match = app.require_match()
    waiting = match.waiting()
    if app.remote:  # teams moved on their own devices: never show a move screen on the projector
        if not waiting:
            return app.make(SceneId.RESOLUTION)
        names = ", ".join(match.team_name(g) for g in waiting)
        return app.make(
            SceneId.CONFIRM,
            f"Still choosing: {names}",
            lambda: app.push(SceneId.RESOLUTION),
            "Play the turn anyway? Teams that have not submitted pass this turn.",
            yes="Play the turn",
        )
    if waiting:
        return CoverScene(app, waiting[0])
    if match.settings.humans():
        return CoverScene(app, None)
    return app.make(SceneId.RESOLUTION)


def objective_text(indicator: str, weight: float, gov: str) -> str:
    """An objective in words: ``Raise your approval at home`` (``Lower`` for a negative weight)."""
    what = noun(indicator, gov)
    if what.startswith("all ") and what.endswith(" ties"):
        what = f"the overall {what[4:-1]}"
    return f"{'Raise' if weight > 0 else 'Lower'} {what}"


def card_tooltip(match: Match, card: Card) -> str:
    """Everything about a card, for its tooltip (the card itself may be too small for it all)."""
    parts = [f"{card.title} ({card.cost:g} capital, {card.stance})."]
    if card.say:
        parts.append(card.say)
    if card.doc:
        parts.append(card.doc)
    effects = match.card_effects(card)
    if effects:
        parts.append("Effects: " + "; ".join(effects) + ".")
    condition = match.condition(card)[0]
    if condition:
        parts.append(condition + ".")
    if card.source:
        parts.append(f"Source: {match.essay(card.source)}.")
    parts.extend(glossary_notes(" ".join(effects + [card.title]), limit=2))
    return " ".join(parts)


class CoverScene(Scene):
    """A full-screen cover between teams: only the team named should look.

    Args:
        app: the application.
        gov: the team to hand over to; None when every move is in (the next step resolves).
    """

    scene_id = SceneId.COVER

    def __init__(self, app: App, gov: str | None) -> None:
        super().__init__(app)
        self.gov = gov

    @property
    def match(self) -> Match:
        """The game."""
        return self.app.require_match()

    def build(self, size: tuple[int, int]) -> list[Widget]:
        if self.gov is None:
            go = ButtonSpec(
                "Resolve the turn",
                Action(Intent.RESOLVE),
                key(pygame.K_RETURN),
                "primary",
                enabled=not self.match.paused,
            )
        else:
            go = ButtonSpec(
                f"{self.match.team_name(self.gov)} is ready", Action(Intent.READY), key(pygame.K_RETURN), "primary"
            )
        revise = []
        if self.gov is None:
            # Hot-seat: a team may revise its secret move until the facilitator resolves the turn.
            revise = [
                ButtonSpec(
                    f"Revise {self.match.team_name(g)}",
                    Action(Intent.SELECT, g),
                    key(REVISE_KEYS[i]),
                    name=f"revise_{g}",
                    tooltip="Hand the laptop back to this team to change its move (it stays secret)",
                )
                for i, g in enumerate(g for g in self.match.settings.humans() if g in self.match.submitted())
            ]
        return footer_buttons(
            self.fonts,
            size,
            [ButtonSpec("Back to the turn screen", Action(Intent.BACK), key(pygame.K_ESCAPE)), go],
            revise,
        )

    def on_action(self, action: Action) -> None:
        intent = action.intent
        if intent is Intent.BACK:
            self.app.stack.pop()
        elif intent in (Intent.READY, Intent.CONFIRM) and self.gov is not None:
            self.app.replace(SceneId.MOVE, self.gov)
        elif intent is Intent.SELECT and self.gov is None:
            self.app.replace(SceneId.COVER, action.value)
        elif intent in (Intent.RESOLVE, Intent.CONFIRM) and self.gov is None:
            if self.match.paused:
                self.app.toast("The facilitator has paused the game.")
                return
            self.app.replace(SceneId.RESOLUTION)

    def draw(self, surface: pygame.Surface) -> None:
        fonts, match = self.fonts, self.match
        color = theme.GOVERNMENT_COLORS[self.gov] if self.gov else theme.SHADE
        surface.fill(color)
        ink = theme.text_on(color)
        w, h = surface.get_size()
        cy = h // 2 - fonts.s(80)
        quarter = match.quarter(match.turn + 1)
        if self.gov is not None:
            lines = [
                (f"Pass the laptop to {match.team_name(self.gov)}", "huge", True),
                (
                    f"{match.gov_title(self.gov)} ({GOV_CITIES[self.gov]}) chooses its moves for {quarter}.",
                    "heading",
                    False,
                ),
                ("Everyone else: please look away. Moves stay secret until the turn resolves.", "body", False),
            ]
        else:
            computers = [g for g in match.settings.controllers if not match.is_human(g)]
            who = f" The computer plays {', '.join(computers)}." if computers else ""
            lines = [
                ("All moves are in", "huge", True),
                (f"Turn the screen to the room: {quarter} resolves with every move at once.{who}", "heading", False),
                ("Facilitator: F2 opens the console (inject an event before resolving).", "body", False),
            ]
        y = cy
        for text, role, bold in lines:
            area = pygame.Rect(fonts.s(60), y, w - fonts.s(120), fonts.s(200))
            for line in fonts.wrap(text, area.width, role, bold):
                draw_text(surface, fonts, line, (w // 2, y), role, ink, bold, "midtop")
                y += fonts.line_height(role)
            y += fonts.s(14)
        moved = ", ".join(match.team_name(g) for g in match.submitted())
        if moved:
            draw_text(
                surface, fonts, f"Moved already: {moved}", (w // 2, y + fonts.s(10)), "body", ink, False, "midtop"
            )
        draw_footer(surface, fonts)
        self.draw_widgets(surface)
        self.draw_tooltip(surface)
        if match.paused:
            draw_paused(surface, fonts)


class MoveScene(Scene):
    """One team's secret move: pick cards within political capital, then submit.

    Args:
        app: the application.
        gov: the government whose team is moving.
    """

    scene_id = SceneId.MOVE
    hints = (("1-9, 0", "choose / drop a card"), ("Backspace", "drop every card"), ("Ctrl+Z", "drop the last card"))

    def __init__(self, app: App, gov: str) -> None:
        super().__init__(app)
        self.gov = gov
        # A team revising its move starts from the cards it submitted (its own, so nothing leaks).
        self.chosen: list[str] = list(self.match.submitted().get(gov, []))
        self.revising = gov in self.match.submitted()

    @property
    def match(self) -> Match:
        """The game."""
        return self.app.require_match()

    def capital(self) -> float:
        """Political capital available."""
        return self.match.capital(self.gov)

    def left(self) -> float:
        """Capital left after the chosen cards."""
        return self.capital() - self.match.hand_cost(self.gov, self.chosen)

    def affordable(self, ident: str) -> bool:
        """Whether a card not yet chosen fits in what is left."""
        return self.match.card(self.gov, ident).cost <= self.left() + 1e-9

    def toggle(self, ident: str) -> None:
        """Choose or drop a card (a card that costs too much is refused with a message)."""
        if ident in self.chosen:
            self.chosen.remove(ident)
        elif self.affordable(ident):
            self.chosen.append(ident)
        else:
            card = self.match.card(self.gov, ident)
            self.app.toast(f"'{card.title}' costs {card.cost:g}; {spendable(self.left()):g} political capital left.")

    def submit(self, confirmed: bool = False) -> None:
        """Submit the hand (secretly) and hand over to the next team; passing with no card asks first."""
        if self.match.paused:
            self.app.toast("The facilitator has paused the game.")
            return
        if not self.chosen and not confirmed:
            self.app.push(
                SceneId.CONFIRM,
                f"Pass {self.match.quarter(self.match.turn + 1)} without playing a card?",
                lambda: self.submit(confirmed=True),
                "Your team plays no card this turn and keeps its political capital. "
                "You can revise your move until the turn resolves.",
                yes="Pass",
            )
            return
        try:
            self.match.submit(self.gov, self.chosen)
        except TrilatError as exc:
            self.app.toast(str(exc))
            return
        self.app.replace(SceneId.MOVE_PHASE)

    # ------------------------------------------------------------------ layout

    def areas(self, size: tuple[int, int]) -> tuple[pygame.Rect, pygame.Rect]:
        """(side panel, card grid)."""
        fonts = self.fonts
        pad = fonts.s(10)
        top = header_height(fonts) + pad
        height = size[1] - top - footer_height(fonts) - pad
        share = 0.22 if len(self.match.cards(self.gov)) > 9 else 0.27
        side = pygame.Rect(pad, top, round(size[0] * share), height)
        grid = pygame.Rect(side.right + pad, top, size[0] - side.right - 2 * pad, height)
        return side, grid

    def build(self, size: tuple[int, int]) -> list[Widget]:
        fonts, match = self.fonts, self.match
        _, grid = self.areas(size)
        cards = match.cards(self.gov)
        columns = 4 if len(cards) > 9 else 3 if len(cards) > 4 else 2
        rows = max(1, -(-len(cards) // columns))
        gap = fonts.s(10)
        card_w = (grid.width - gap * (columns - 1)) // columns
        card_h = (grid.height - gap * (rows - 1)) // rows
        widgets: list[Widget] = []
        for i, card in enumerate(cards):
            col, row = i % columns, i // columns
            rect = pygame.Rect(grid.left + col * (card_w + gap), grid.top + row * (card_h + gap), card_w, card_h)
            chosen = card.id in self.chosen
            widgets.append(
                CardView(
                    rect,
                    (i + 1) % 10,
                    card,
                    chosen=chosen,
                    affordable=chosen or self.affordable(card.id),
                    effects=match.card_effects(card),
                    condition=match.condition(card),
                    brief=match.card_effects_brief(card),
                    action=Action(Intent.CHOOSE_CARD, card.id),
                    key=key(CARD_KEYS[i]) if i < len(CARD_KEYS) else None,
                    name=f"card_{card.id}",
                    tooltip=card_tooltip(match, card),
                )
            )
        count = len(self.chosen)
        submit = f"Submit {count} card{'s' if count != 1 else ''}" if count else "Submit: pass this turn"
        right = [
            ButtonSpec("Drop all", Action(Intent.CLEAR), key(pygame.K_BACKSPACE), enabled=bool(self.chosen)),
            ButtonSpec(submit, Action(Intent.SUBMIT), key(pygame.K_RETURN), "primary", enabled=not match.paused),
        ]
        left = [
            ButtonSpec(
                "Back", Action(Intent.BACK), key(pygame.K_ESCAPE), tooltip="Back to the turn screen without moving"
            ),
            ButtonSpec(
                "Glossary", Action(Intent.GLOSSARY), key(pygame.K_F3), tooltip="The game's words in plain language"
            ),
        ]
        side, _ = self.areas(size)
        terms = ("approval", "polarization", "threat", "tie.USA_ROK", "capital")
        words = ("Approval", "Division at home", "Threat felt", "Ties", "Political capital")
        tip = " ".join(f"{word}: {meaning(term)}" for word, term in zip(words, terms, strict=True))
        widgets.append(Region(side, None, tooltip=tip, focusable=False, name="standing"))
        return widgets + footer_buttons(fonts, size, right, left)

    def on_action(self, action: Action) -> None:
        intent = action.intent
        if intent is Intent.CHOOSE_CARD:
            self.toggle(action.value)
        elif intent in (Intent.SUBMIT, Intent.CONFIRM):
            self.submit()
        elif intent is Intent.CLEAR:
            self.chosen = []
        elif intent is Intent.UNDO:
            if self.chosen:
                self.chosen.pop()
        elif intent is Intent.BACK:
            self.app.stack.pop()

    # ------------------------------------------------------------------ drawing

    def standing(self) -> list[tuple[str, str]]:
        """The side panel's "where you stand" rows: who governs, and levels on the 0-100 scale with words."""
        match, gov = self.match, self.gov
        rows = [
            ("In power", match.camp(gov)),
            ("Approval", level(match.value(f"{gov}.approval"), tie=False)),
            ("Division at home", level(match.value(f"{gov}.polarization"), tie=False)),
            ("Threat felt", level(match.value(f"{gov}.threat"), tie=False)),
        ]
        for pair in ("USA_ROK", "USA_JPN", "ROK_JPN"):
            if gov in pair:
                rows.append((f"{pair_name(pair)} tie", level(match.value(f"tie.{pair}"))))
        return rows

    def _draw_rows(
        self, surface: pygame.Surface, inner: pygame.Rect, y: int, rows: list[tuple[str, str]], muted: bool = True
    ) -> int:
        """Name-value rows; a name wraps beside its value, a value too wide for the row goes below its name."""
        fonts = self.fonts
        for name, value in rows:
            value_w = fonts.width(value, "small", True)
            room = inner.width - value_w - fonts.s(8)
            if room < inner.width // 3:
                y = draw_wrapped(surface, fonts, name, pygame.Rect(inner.left, y, inner.width, inner.height), "small")
                y = draw_wrapped(
                    surface, fonts, value, pygame.Rect(inner.left, y, inner.width, inner.height), "small", bold=True
                )
                continue
            draw_text(surface, fonts, value, (inner.right, y), "small", theme.TEXT, True, "topright")
            color = theme.MUTED if muted else theme.TEXT
            y = draw_wrapped(surface, fonts, name, pygame.Rect(inner.left, y, room, inner.height), "small", color)
        return y

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts, match, gov = self.fonts, self.match, self.gov
        quarter = match.quarter(match.turn + 1)
        draw_header(
            surface,
            fonts,
            f"{match.team_name(gov)}: your move for {quarter}",
            "Secret: other teams cannot see this screen",
            f"{gov}  {GOV_CITIES[gov]}",
        )
        draw_footer(surface, fonts)
        side, _ = self.areas(surface.get_size())
        inner = draw_panel(surface, fonts, side, accent=theme.GOVERNMENT_COLORS[gov])
        inner = inner.inflate(-fonts.s(6), 0)
        y = inner.top
        y = draw_text(
            surface, fonts, "Political capital", (inner.left, y), "heading", theme.TEXT, True
        ).bottom + fonts.s(4)
        capital, spent = self.capital(), match.hand_cost(gov, self.chosen)
        big = draw_text(surface, fonts, f"{spendable(self.left()):g} left", (inner.left, y), "large", theme.BLUE, True)
        y = big.bottom + fonts.s(2)
        y = draw_wrapped(
            surface,
            fonts,
            f"of {spendable(capital):g} this turn; chosen {spent:g}",
            pygame.Rect(inner.left, y, inner.width, fonts.s(60)),
            "small",
            theme.MUTED,
        )
        draw_bar(
            surface,
            pygame.Rect(inner.left, y, inner.width, fonts.s(10)),
            capital - self.left(),
            theme.BLUE,
            0.0,
            max(capital, 0.001),
        )
        y += fonts.s(22)
        y = draw_text(surface, fonts, "Where you stand", (inner.left, y), "heading", theme.TEXT, True).bottom + fonts.s(
            4
        )
        y = self._draw_rows(surface, inner, y, self.standing())
        objectives = match.scenario.objectives.get(gov, ())
        if objectives:
            y += fonts.s(12)
            y = draw_text(
                surface, fonts, "Your objectives (score)", (inner.left, y), "heading", theme.TEXT, True
            ).bottom + fonts.s(4)
            rows = [
                (objective_text(indicator, weight, gov), f"weight {abs(weight):g}") for indicator, weight in objectives
            ]
            y = self._draw_rows(surface, inner, y, rows, muted=False)
        note = (
            "Click a card or press its number. Cards whose condition fails when the turn resolves "
            "are not played (and cost nothing)."
        )
        area = pygame.Rect(inner.left, y + fonts.s(12), inner.width, inner.bottom - y - fonts.s(12))
        if wrapped_height(fonts, note, area.width, "tiny") <= area.height:
            draw_wrapped(surface, fonts, note, area, "tiny", theme.MUTED)

    def draw_banners(self, surface: pygame.Surface) -> None:
        if self.match.paused:
            draw_paused(surface, self.fonts)
