"""The one input layer: pygame events in, actions out.

Scenes never look at pygame events. :class:`InputLayer` turns each event into zero or more
:class:`Action` objects, each an :class:`Intent` member with an optional value
(``Action(Intent.CHOOSE_CARD, "trilateral_summit")``, ``Action(Intent.SUBMIT)``,
``Action(Intent.OPEN_CONSOLE)`` ...) using, in order:

1. text entry, when a text field has the focus (typed characters, backspace);
2. a mouse click on a widget (the topmost widget under the pointer gives its action);
3. a widget's own shortcut key (every button shows its key);
4. the scene's key map (:meth:`ui.scene.Scene.keymap`);
5. the global key map (:data:`GLOBAL_KEYS`: console, help, undo, full screen, navigation).

So every action has a keyboard shortcut and can be done with the mouse, and tests can drive
the real game by posting synthetic pygame events. Intents are enum members, so a misspelt
intent is an ``AttributeError`` (and a type error) instead of an action silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, unique
from typing import TYPE_CHECKING, Any

from ui.theme import pygame

if TYPE_CHECKING:
    from ui.scene import Scene

CTRL = pygame.KMOD_CTRL
SHIFT = pygame.KMOD_SHIFT
_MODS = CTRL | SHIFT | pygame.KMOD_ALT | pygame.KMOD_META


@unique
class Intent(Enum):
    """Everything the user can mean. A member's value names the buttons that give it."""

    # the window and the app
    QUIT = "quit"
    RESIZE = "resize"
    TOGGLE_FULLSCREEN = "toggle_fullscreen"
    OPEN_CONSOLE = "open_console"
    HELP = "help"
    GLOSSARY = "glossary"
    UNDO = "undo"
    # navigation, focus and the pointer
    BACK = "back"
    CONFIRM = "confirm"
    FOCUS_NEXT = "focus_next"
    FOCUS_PREVIOUS = "focus_previous"
    LEFT = "left"
    RIGHT = "right"
    UP = "up"
    DOWN = "down"
    SCROLL = "scroll"
    HOME = "home"
    END = "end"
    HOVER = "hover"
    CLICK = "click"
    # text fields
    FOCUS_FIELD = "focus_field"
    TEXT = "text"
    BACKSPACE = "backspace"
    BLUR = "blur"
    # a confirmation box
    YES = "yes"
    NO = "no"
    # title, saves, picker and setup
    NEW_GAME = "new_game"
    RESUME = "resume"
    REPLAY = "replay"
    QUIT_APP = "quit_app"
    PICK = "pick"
    OPEN = "open"
    SELECT = "select"
    CHOOSE = "choose"
    TOGGLE_HUMAN = "toggle_human"
    CYCLE_STRATEGY = "cycle_strategy"
    TURNS = "turns"
    SHADOWS = "shadows"
    NEW_SEED = "new_seed"
    START = "start"
    # the turn screen, its dashboard, the moves and the resolution
    PLAY = "play"
    DEBRIEF = "debrief"
    FEED = "feed"
    READY = "ready"
    RESOLVE = "resolve"
    CHOOSE_CARD = "choose_card"
    SUBMIT = "submit"
    CLEAR = "clear"
    NEXT = "next"
    SHOW_ALL = "show_all"
    CONTINUE = "continue"
    # the debrief
    TITLE = "title"
    EXPORT = "export"
    # the facilitator console
    TAB = "tab"
    INJECT = "inject"
    TARGET = "target"
    AMOUNT = "amount"
    NUDGE_AMOUNT = "nudge_amount"
    ADD_EFFECT = "add_effect"
    REMOVE_EFFECT = "remove_effect"
    INJECT_CUSTOM = "inject_custom"
    SET_PARAMETER = "set_parameter"
    SET_STATE = "set_state"
    PAUSE = "pause"
    BRANCH_TURN = "branch_turn"
    BRANCH = "branch"
    END_GAME = "end_game"
    REOPEN = "reopen"
    ADD_NOTE = "add_note"
    PLUS = "plus"
    MINUS = "minus"


@dataclass(frozen=True)
class Action:
    """What the user does: an :class:`Intent` and its value (a card id, a position, a step), if any."""

    intent: Intent
    value: Any = None


def key(code: int, mod: int = 0) -> tuple[int, int]:
    """A key-map entry: a pygame key code and its modifiers (``CTRL``, ``SHIFT`` or 0)."""
    return (code, mod)


GLOBAL_KEYS: dict[tuple[int, int], Action] = {
    key(pygame.K_F2): Action(Intent.OPEN_CONSOLE),
    key(pygame.K_F1): Action(Intent.HELP),
    key(pygame.K_F3): Action(Intent.GLOSSARY),
    key(pygame.K_F11): Action(Intent.TOGGLE_FULLSCREEN),
    key(pygame.K_z, CTRL): Action(Intent.UNDO),
    key(pygame.K_q, CTRL): Action(Intent.QUIT),
    key(pygame.K_ESCAPE): Action(Intent.BACK),
    key(pygame.K_RETURN): Action(Intent.CONFIRM),
    key(pygame.K_KP_ENTER): Action(Intent.CONFIRM),
    key(pygame.K_TAB): Action(Intent.FOCUS_NEXT),
    key(pygame.K_TAB, SHIFT): Action(Intent.FOCUS_PREVIOUS),
    key(pygame.K_LEFT): Action(Intent.LEFT),
    key(pygame.K_RIGHT): Action(Intent.RIGHT),
    key(pygame.K_UP): Action(Intent.UP),
    key(pygame.K_DOWN): Action(Intent.DOWN),
    key(pygame.K_PAGEUP): Action(Intent.SCROLL, -5),
    key(pygame.K_PAGEDOWN): Action(Intent.SCROLL, 5),
    key(pygame.K_HOME): Action(Intent.HOME),
    key(pygame.K_END): Action(Intent.END),
}
"""Keys that mean the same on every screen (a scene's own keys take precedence)."""

KEY_NAMES: dict[int, str] = {
    pygame.K_RETURN: "Enter",
    pygame.K_ESCAPE: "Esc",
    pygame.K_SPACE: "Space",
    pygame.K_BACKSPACE: "Backspace",
    pygame.K_TAB: "Tab",
    pygame.K_LEFT: "Left",
    pygame.K_RIGHT: "Right",
    pygame.K_UP: "Up",
    pygame.K_DOWN: "Down",
    pygame.K_PAGEUP: "PgUp",
    pygame.K_PAGEDOWN: "PgDn",
    pygame.K_MINUS: "-",
    pygame.K_EQUALS: "+",
    pygame.K_COMMA: ",",
    pygame.K_PERIOD: ".",
    pygame.K_LEFTBRACKET: "[",
    pygame.K_RIGHTBRACKET: "]",
    pygame.K_DELETE: "Del",
    pygame.K_HOME: "Home",
    pygame.K_END: "End",
}


def key_label(entry: tuple[int, int] | None) -> str:
    """A short label for a key-map entry, as shown on buttons: ``Enter``, ``F2``, ``Ctrl+Z``, ``1``."""
    if entry is None:
        return ""
    code, mod = entry
    name = KEY_NAMES.get(code) or pygame.key.name(code).upper()
    if mod & CTRL:
        name = f"Ctrl+{name}"
    if mod & SHIFT:
        name = f"Shift+{name}"
    return name


def _normalize_mod(mod: int) -> int:
    out = 0
    if mod & CTRL:
        out |= CTRL
    if mod & SHIFT:
        out |= SHIFT
    return out


class InputLayer:
    """Turns pygame events into actions for the scene on top of the stack."""

    def translate(self, event: pygame.event.Event, scene: Scene | None) -> list[Action]:
        """The actions one event means for ``scene`` (an empty list if it means nothing)."""
        kind = event.type
        if kind == pygame.QUIT:
            return [Action(Intent.QUIT)]
        if kind == pygame.VIDEORESIZE:
            return [Action(Intent.RESIZE, (event.w, event.h))]
        if kind == pygame.MOUSEMOTION:
            return [Action(Intent.HOVER, tuple(event.pos))]
        if kind == pygame.MOUSEWHEEL:
            return [Action(Intent.SCROLL, -3 * event.y)]
        if kind == pygame.MOUSEBUTTONDOWN:
            return self._click(event, scene)
        if kind == pygame.TEXTINPUT:
            if scene is not None and scene.text_focus():
                return [Action(Intent.TEXT, event.text)]
            return []
        if kind == pygame.KEYDOWN:
            return self._key(event, scene)
        return []

    def _click(self, event: pygame.event.Event, scene: Scene | None) -> list[Action]:
        pos = tuple(event.pos)
        if event.button in (4, 5):  # old-style wheel events
            return [Action(Intent.SCROLL, -3 if event.button == 4 else 3)]
        if event.button != 1 or scene is None:
            return []
        actions = [Action(Intent.HOVER, pos)]
        widget = scene.widget_at(pos)
        if widget is not None and widget.enabled:
            action = widget.action_at(pos)
            if action is not None:
                actions.append(action)
        else:
            actions.append(Action(Intent.CLICK, pos))
        return actions

    def _key(self, event: pygame.event.Event, scene: Scene | None) -> list[Action]:
        entry = (event.key, _normalize_mod(event.mod))
        if scene is not None and scene.text_focus():
            if event.key == pygame.K_BACKSPACE:
                return [Action(Intent.BACKSPACE)]
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_ESCAPE, pygame.K_TAB):
                return [Action(Intent.BLUR)]
            if entry in GLOBAL_KEYS and (
                entry[1] & CTRL or event.key in (pygame.K_F1, pygame.K_F2, pygame.K_F3, pygame.K_F11)
            ):
                return [GLOBAL_KEYS[entry]]
            return []  # typed characters arrive as TEXTINPUT events
        if scene is not None:
            for widget in scene.widgets():
                if widget.key == entry and widget.enabled and widget.action is not None:
                    return [widget.action]
            scene_keys = scene.keymap()
            if entry in scene_keys:
                return [scene_keys[entry]]
        if entry in GLOBAL_KEYS:
            return [GLOBAL_KEYS[entry]]
        return []
