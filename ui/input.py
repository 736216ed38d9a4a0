"""The one input layer: pygame events in, intents out.

Scenes never look at pygame events. :class:`InputLayer` turns each event into zero or more
:class:`Intent` objects (``Intent("choose_card", "trilateral_summit")``, ``Intent("submit")``,
``Intent("open_console")`` ...) using, in order:

1. text entry, when a text field has the focus (typed characters, backspace);
2. a mouse click on a widget (the topmost widget under the pointer gives its intent);
3. a widget's own shortcut key (every button shows its key);
4. the scene's key map (:meth:`ui.scene.Scene.keymap`);
5. the global key map (:data:`GLOBAL_KEYS`: console, help, undo, full screen, navigation).

So every action has a keyboard shortcut and can be done with the mouse, and tests can drive
the real game by posting synthetic pygame events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ui.theme import pygame

if TYPE_CHECKING:
    from ui.scene import Scene

CTRL = pygame.KMOD_CTRL
SHIFT = pygame.KMOD_SHIFT
_MODS = CTRL | SHIFT | pygame.KMOD_ALT | pygame.KMOD_META


@dataclass(frozen=True)
class Intent:
    """Something the user wants: a name and an optional value (a card id, a position, a step)."""

    name: str
    value: Any = None


def key(code: int, mod: int = 0) -> tuple[int, int]:
    """A key-map entry: a pygame key code and its modifiers (``CTRL``, ``SHIFT`` or 0)."""
    return (code, mod)


GLOBAL_KEYS: dict[tuple[int, int], Intent] = {
    key(pygame.K_F2): Intent("open_console"),
    key(pygame.K_F1): Intent("help"),
    key(pygame.K_F11): Intent("toggle_fullscreen"),
    key(pygame.K_z, CTRL): Intent("undo"),
    key(pygame.K_q, CTRL): Intent("quit"),
    key(pygame.K_ESCAPE): Intent("back"),
    key(pygame.K_RETURN): Intent("confirm"),
    key(pygame.K_KP_ENTER): Intent("confirm"),
    key(pygame.K_TAB): Intent("focus_next"),
    key(pygame.K_TAB, SHIFT): Intent("focus_previous"),
    key(pygame.K_LEFT): Intent("left"),
    key(pygame.K_RIGHT): Intent("right"),
    key(pygame.K_UP): Intent("up"),
    key(pygame.K_DOWN): Intent("down"),
    key(pygame.K_PAGEUP): Intent("scroll", -5),
    key(pygame.K_PAGEDOWN): Intent("scroll", 5),
    key(pygame.K_HOME): Intent("home"),
    key(pygame.K_END): Intent("end"),
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
    """Turns pygame events into intents for the scene on top of the stack."""

    def translate(self, event: pygame.event.Event, scene: Scene | None) -> list[Intent]:
        """The intents one event means for ``scene`` (an empty list if it means nothing)."""
        kind = event.type
        if kind == pygame.QUIT:
            return [Intent("quit")]
        if kind == pygame.VIDEORESIZE:
            return [Intent("resize", (event.w, event.h))]
        if kind == pygame.MOUSEMOTION:
            return [Intent("hover", tuple(event.pos))]
        if kind == pygame.MOUSEWHEEL:
            return [Intent("scroll", -3 * event.y)]
        if kind == pygame.MOUSEBUTTONDOWN:
            return self._click(event, scene)
        if kind == pygame.TEXTINPUT:
            if scene is not None and scene.text_focus():
                return [Intent("text", event.text)]
            return []
        if kind == pygame.KEYDOWN:
            return self._key(event, scene)
        return []

    def _click(self, event: pygame.event.Event, scene: Scene | None) -> list[Intent]:
        pos = tuple(event.pos)
        if event.button in (4, 5):  # old-style wheel events
            return [Intent("scroll", -3 if event.button == 4 else 3)]
        if event.button != 1 or scene is None:
            return []
        intents = [Intent("hover", pos)]
        widget = scene.widget_at(pos)
        if widget is not None and widget.enabled:
            intent = widget.intent_at(pos)
            if intent is not None:
                intents.append(intent)
        else:
            intents.append(Intent("click", pos))
        return intents

    def _key(self, event: pygame.event.Event, scene: Scene | None) -> list[Intent]:
        entry = (event.key, _normalize_mod(event.mod))
        if scene is not None and scene.text_focus():
            if event.key == pygame.K_BACKSPACE:
                return [Intent("backspace")]
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_ESCAPE, pygame.K_TAB):
                return [Intent("blur")]
            if entry in GLOBAL_KEYS and (entry[1] & CTRL or event.key in (pygame.K_F1, pygame.K_F2, pygame.K_F11)):
                return [GLOBAL_KEYS[entry]]
            return []  # typed characters arrive as TEXTINPUT events
        if scene is not None:
            for widget in scene.widgets():
                if widget.key == entry and widget.enabled and widget.intent is not None:
                    return [widget.intent]
            scene_keys = scene.keymap()
            if entry in scene_keys:
                return [scene_keys[entry]]
        if entry in GLOBAL_KEYS:
            return [GLOBAL_KEYS[entry]]
        return []
