"""Scenes and the scene stack (the Tuxemon / pygame_gui pattern).

A scene is one screen: it lays out its widgets, handles intents, updates its animations and
draws. The stack's top scene gets every intent; scenes below it are paused. An overlay scene
(a confirmation, the help card) is drawn over the scene below it. ``draw`` never changes
state: it reads what ``handle_intent`` and ``update`` prepared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui import theme
from ui.input import Intent
from ui.theme import Fonts, pygame
from ui.widgets import TextField, Widget, draw_tooltip

if TYPE_CHECKING:
    from ui.app import App


class Scene:
    """Base class of every screen.

    Subclasses override :meth:`build` (widgets for a window size), :meth:`on_intent`,
    :meth:`keymap`, :meth:`update` and :meth:`draw_scene`.

    Args:
        app: the application (fonts, stack, match, toasts).
    """

    name = "scene"
    overlay = False
    hints: tuple[tuple[str, str], ...] = ()
    """(key, what it does) pairs for the help card (buttons show their own keys)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._widgets: list[Widget] = []
        self.focus: int | None = None
        self.hover_pos: tuple[int, int] | None = None
        self.field: str | None = None
        self.dirty = True

    # ------------------------------------------------------------------ life cycle

    @property
    def fonts(self) -> Fonts:
        """The app's fonts."""
        return self.app.fonts

    def resume(self) -> None:
        """Called when the scene becomes the top of the stack."""
        self.refresh()
        self.relayout()

    def pause(self) -> None:
        """Called when another scene covers this one (or it is removed)."""
        self.field = None

    def refresh(self) -> None:
        """Recompute data from the game (after a change made elsewhere)."""

    def relayout(self) -> None:
        """Rebuild the widgets for the current window size."""
        self._widgets = self.build(self.app.size)
        focusable = self.focusable()
        if self.focus is not None and self.focus >= len(focusable):
            self.focus = len(focusable) - 1 if focusable else None
        self.dirty = False

    def build(self, size: tuple[int, int]) -> list[Widget]:
        """The widgets for a window of ``size``."""
        return []

    def update(self, dt: float) -> None:
        """Advance animations by ``dt`` seconds; rebuild the layout if something changed."""
        if self.dirty:
            self.relayout()

    def animating(self) -> bool:
        """Whether the scene is animating (the app then redraws every frame at full rate)."""
        return False

    # ------------------------------------------------------------------ widgets and intents

    def widgets(self) -> list[Widget]:
        """The current widgets, bottom to top."""
        return self._widgets

    def widget(self, name: str) -> Widget | None:
        """The widget called ``name`` (None if absent)."""
        return next((w for w in self._widgets if w.name == name), None)

    def widget_at(self, pos: tuple[int, int]) -> Widget | None:
        """The topmost widget under ``pos``."""
        for widget in reversed(self._widgets):
            if widget.contains(pos):
                return widget
        return None

    def focusable(self) -> list[Widget]:
        """Widgets Tab stops on, in order."""
        return [w for w in self._widgets if w.focusable and w.enabled]

    def focused(self) -> Widget | None:
        """The widget with the keyboard focus."""
        focusable = self.focusable()
        if self.focus is None or not focusable:
            return None
        return focusable[min(self.focus, len(focusable) - 1)]

    def hovered(self) -> Widget | None:
        """The widget under the mouse pointer."""
        return None if self.hover_pos is None else self.widget_at(self.hover_pos)

    def text_focus(self) -> bool:
        """Whether a text field is taking typed characters."""
        return self.field is not None

    def keymap(self) -> dict[tuple[int, int], Intent]:
        """This scene's keys (checked after widgets' own keys, before the global keys)."""
        return {}

    def handle_intent(self, intent: Intent) -> None:
        """Handle one intent: focus and hover here, the rest in :meth:`on_intent`."""
        name = intent.name
        if name == "hover":
            self.hover_pos = intent.value
            return
        if name in ("focus_next", "focus_previous"):
            focusable = self.focusable()
            if focusable:
                step = 1 if name == "focus_next" else -1
                start = -1 if step == 1 else 0
                self.focus = ((self.focus if self.focus is not None else start) + step) % len(focusable)
            return
        if name == "focus_field":
            self.field = intent.value
            self.dirty = True
            return
        if name == "blur":
            self.field = None
            self.dirty = True
            return
        widget = self.focused() if name == "confirm" else None
        if widget is not None and widget.intent is not None:
            if isinstance(widget, TextField):
                self.field = widget.name
            else:
                self.on_intent(widget.intent)
            self.dirty = True
            return
        self.on_intent(intent)
        self.dirty = True

    def on_intent(self, intent: Intent) -> None:
        """Scene-specific handling."""

    # ------------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface) -> None:
        """Draw the scene, its widgets and the tooltip of the hovered or focused widget."""
        if not self.overlay:
            surface.fill(theme.BACKGROUND)
        self.draw_scene(surface)
        self.draw_widgets(surface)
        self.draw_tooltip(surface)

    def draw_scene(self, surface: pygame.Surface) -> None:
        """Everything that is not a widget."""

    def draw_widgets(self, surface: pygame.Surface) -> None:
        """Every widget, with hover and focus."""
        hovered, focused = self.hovered(), self.focused()
        for widget in self._widgets:
            widget.draw(surface, self.fonts, hovered=widget is hovered, focused=widget is focused)

    def draw_tooltip(self, surface: pygame.Surface) -> None:
        """The tooltip of the widget under the pointer, else of the focused one."""
        hovered = self.hovered()
        if hovered is not None and hovered.tooltip:
            draw_tooltip(surface, self.fonts, hovered.tooltip, self.hover_pos)
            return
        focused = self.focused()
        if focused is not None and focused.tooltip:
            draw_tooltip(surface, self.fonts, focused.tooltip, focused.rect.bottomleft)


class SceneStack:
    """The stack of scenes; the top one is active, overlays are drawn over the scene below."""

    def __init__(self) -> None:
        self.scenes: list[Scene] = []

    @property
    def top(self) -> Scene | None:
        """The active scene."""
        return self.scenes[-1] if self.scenes else None

    def push(self, scene: Scene) -> None:
        """Put ``scene`` on top (the current top is paused)."""
        if self.scenes:
            self.scenes[-1].pause()
        self.scenes.append(scene)
        scene.resume()

    def pop(self) -> Scene | None:
        """Remove the top scene; the one below resumes."""
        if not self.scenes:
            return None
        scene = self.scenes.pop()
        scene.pause()
        if self.scenes:
            self.scenes[-1].resume()
        return scene

    def replace(self, scene: Scene) -> None:
        """Swap the top scene for ``scene`` (the one below stays paused)."""
        if self.scenes:
            self.scenes.pop().pause()
        self.scenes.append(scene)
        scene.resume()

    def reset(self, scene: Scene) -> None:
        """Make ``scene`` the only scene."""
        while self.scenes:
            self.scenes.pop().pause()
        self.scenes.append(scene)
        scene.resume()

    def unwind(self, keep: int = 1) -> None:
        """Pop until ``keep`` scenes are left (the new top resumes once)."""
        if len(self.scenes) <= keep:
            return
        while len(self.scenes) > keep:
            self.scenes.pop().pause()
        self.scenes[-1].resume()

    def find(self, kind: type) -> Scene | None:
        """The topmost scene of type ``kind``."""
        return next((s for s in reversed(self.scenes) if isinstance(s, kind)), None)

    def visible(self) -> list[Scene]:
        """Scenes to draw, bottom first: the top scene and the overlays' backgrounds."""
        if not self.scenes:
            return []
        first = len(self.scenes) - 1
        while first > 0 and self.scenes[first].overlay:
            first -= 1
        return self.scenes[first:]

    def relayout(self) -> None:
        """Rebuild every scene's layout (after a window resize)."""
        for scene in self.scenes:
            scene.relayout()
