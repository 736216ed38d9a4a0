"""What every tab of the facilitator console shares: the tab interface, scrolling lists, the writable variables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from sim.engine.layout import GOVERNMENTS, PAIRS, THREAT_ACTORS
from sim.play.match import Match
from ui.input import Action, Intent
from ui.theme import Fonts, pygame
from ui.widgets import Widget

if TYPE_CHECKING:
    from ui.scenes.console.shell import ConsoleScene

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
TEXT_LIMIT = 80
"""Characters a console text field takes (unless its tab says otherwise)."""


def state_variables(match: Match) -> list[str]:
    """Variables the facilitator may set: the main ones first, then the rest of the writable state."""
    writable = match.scenario.layout.writable
    first = [name for name in PRIORITY_STATE if name in writable]
    rest = sorted(name for name in writable if name not in first)
    return first + rest


def custom_targets(match: Match) -> list[str]:
    """Targets a custom event can have (the model's writable variables; the main ones first)."""
    return state_variables(match)


class ConsoleTab:
    """One tab of the console: its widgets, its actions, its drawing and its text fields.

    Args:
        console: the console scene the tab belongs to (its game, fonts, widgets and messages).
    """

    ident: ClassVar[str]
    """The tab's id (its button is called ``tab_<ident>``)."""
    title: ClassVar[str]
    """The tab button's label."""
    shortcut: ClassVar[int]
    """The pygame key of the tab button."""

    def __init__(self, console: ConsoleScene) -> None:
        self.console = console
        self.fields: dict[str, str] = {}

    @property
    def match(self) -> Match:
        """The game."""
        return self.console.match

    @property
    def fonts(self) -> Fonts:
        """The app's fonts."""
        return self.console.fonts

    def resume(self) -> None:
        """Called when the console opens (or comes back on top)."""

    def build(self, rect: pygame.Rect) -> list[Widget]:
        """The tab's widgets inside ``rect`` (the main panel)."""
        return []

    def on_action(self, action: Action) -> None:
        """Handle an action the console shell did not handle itself."""

    def draw(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """Everything on the tab that is not a widget."""

    def flush(self) -> None:
        """Commit anything the tab holds back (a run of arrow presses) before another action."""

    def tick(self, dt: float) -> None:
        """Called every frame while the tab is on show."""

    def field_done(self, field: str) -> None:
        """The facilitator left text field ``field`` (Enter, Tab or Escape)."""

    def text_limit(self, field: str) -> int:
        """How many characters text field ``field`` takes."""
        return TEXT_LIMIT

    def edit(self, field: str, action: Action) -> None:
        """Type into (``Intent.TEXT``) or erase from (``Intent.BACKSPACE``) the tab's text field ``field``."""
        if action.intent is Intent.TEXT:
            self.fields[field] = (self.fields[field] + action.value)[: self.text_limit(field)]
        elif action.intent is Intent.BACKSPACE:
            self.fields[field] = self.fields[field][:-1]


class ListTab(ConsoleTab):
    """A tab around a list the facilitator scrolls and picks from (Up/Down, the wheel, a click)."""

    def __init__(self, console: ConsoleScene) -> None:
        super().__init__(console)
        self.selected = 0
        self.offset = 0

    def items(self) -> list[Any]:
        """The list."""
        return []

    def on_action(self, action: Action) -> None:
        intent = action.intent
        if intent in (Intent.UP, Intent.DOWN, Intent.SCROLL):
            step = {Intent.UP: -1, Intent.DOWN: 1}.get(intent, 1 if (action.value or 0) > 0 else -1)
            self.selected = max(0, min(len(self.items()) - 1, self.selected + step))
        elif intent is Intent.PICK:
            self.selected = action.value
        else:
            self.on_item_action(action)

    def on_item_action(self, action: Action) -> None:
        """Handle an action on the selected item (or anything else the list did not take)."""

    def visible_rows(self, count: int, rect: pygame.Rect, row_h: int) -> range:
        """Indices of the rows that fit in ``rect``, scrolled so that the selected row shows."""
        visible = max(1, rect.height // row_h)
        if self.selected < self.offset:
            self.offset = self.selected
        elif self.selected >= self.offset + visible:
            self.offset = self.selected - visible + 1
        return range(self.offset, min(count, self.offset + visible))
