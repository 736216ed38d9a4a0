"""Scenes, the scene stack and the scene registry (the Tuxemon / pygame_gui pattern).

A scene is one screen: it lays out its widgets, handles actions, updates its animations and
draws. The stack's top scene gets every action; scenes below it are paused. An overlay scene
(a confirmation, the help card) is drawn over the scene below it. ``draw`` never changes
state: it reads what ``handle_action`` and ``update`` prepared.

Scenes never import each other to navigate: each screen has a :class:`SceneId`, and a
:class:`SceneRegistry` (filled in one place, :func:`ui.scenes.scene_factories`) makes a scene
from its id, so a scene asks the app to ``push(SceneId.DEBRIEF)`` or ``replace(SceneId.MOVE, gov)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum, unique
from typing import TYPE_CHECKING, Any, ClassVar

from ui import theme
from ui.input import Action, Intent
from ui.theme import Fonts, pygame
from ui.widgets import TextField, Widget, draw_tooltip

if TYPE_CHECKING:
    from ui.app import App


@unique
class SceneId(Enum):
    """Every screen a scene can ask for by name; the value is the screen's name."""

    TITLE = "title"
    SAVES = "saves"
    PICKER = "picker"
    SETUP = "setup"
    TURN = "turn"
    REPLAY = "replay"
    MOVE_PHASE = "move_phase"
    """The move phase's next screen: a team's cover, the 'all moves in' cover, or the resolution."""
    COVER = "cover"
    MOVE = "move"
    RESOLUTION = "resolution"
    """The coming turn, resolved (the factory resolves it through the session) and shown."""
    CONSOLE = "console"
    DEBRIEF = "debrief"
    CONFIRM = "confirm"
    HELP = "help"
    GLOSSARY = "glossary"


class Scene:
    """Base class of every screen.

    Subclasses set :attr:`scene_id` and override :meth:`build` (widgets for a window size),
    :meth:`on_action`, :meth:`keymap`, :meth:`update` and :meth:`draw_scene`.

    Args:
        app: the application (fonts, stack, match, toasts).
    """

    scene_id: ClassVar[SceneId | None] = None
    """Which screen this is (None for scenes outside the registry, such as test scenes)."""
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
    def name(self) -> str:
        """The screen's name (its id's value): ``turn``, ``move``, ``console`` ..."""
        return self.scene_id.value if self.scene_id is not None else "scene"

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

    # ------------------------------------------------------------------ widgets and actions

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

    def keymap(self) -> dict[tuple[int, int], Action]:
        """This scene's keys (checked after widgets' own keys, before the global keys)."""
        return {}

    def handle_action(self, action: Action) -> None:
        """Handle one action: focus and hover here, the rest in :meth:`on_action`."""
        intent = action.intent
        if intent is Intent.HOVER:
            self.hover_pos = action.value
            return
        if intent in (Intent.FOCUS_NEXT, Intent.FOCUS_PREVIOUS):
            focusable = self.focusable()
            if focusable:
                step = 1 if intent is Intent.FOCUS_NEXT else -1
                start = -1 if step == 1 else 0
                self.focus = ((self.focus if self.focus is not None else start) + step) % len(focusable)
            return
        if intent is Intent.FOCUS_FIELD:
            self.field = action.value
            self.dirty = True
            return
        if intent is Intent.BLUR:
            self.field = None
            self.dirty = True
            return
        widget = self.focused() if intent is Intent.CONFIRM else None
        if widget is not None and widget.action is not None:
            if isinstance(widget, TextField):
                self.field = widget.name
            else:
                self.on_action(widget.action)
            self.dirty = True
            return
        self.on_action(action)
        self.dirty = True

    def on_action(self, action: Action) -> None:
        """Scene-specific handling."""

    # ------------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface) -> None:
        """Draw the scene, its widgets and the tooltip of the hovered or focused widget."""
        if not self.overlay:
            surface.fill(theme.BACKGROUND)
        self.draw_scene(surface)
        self.draw_widgets(surface)
        self.draw_banners(surface)
        self.draw_tooltip(surface)

    def draw_scene(self, surface: pygame.Surface) -> None:
        """Everything that is not a widget."""

    def draw_banners(self, surface: pygame.Surface) -> None:
        """Banners (paused, looking back ...): drawn over the scene and its widgets, under the tooltip."""

    def draw_widgets(self, surface: pygame.Surface) -> None:
        """Every widget, with hover and focus."""
        hovered, focused = self.hovered(), self.focused()
        for widget in self._widgets:
            widget.draw(surface, self.fonts, hovered=widget is hovered, focused=widget is focused)

    def draw_tooltip(self, surface: pygame.Surface) -> None:
        """The tooltip of the widget under the pointer, else of the focused one."""
        hovered = self.hovered()
        if hovered is not None and hovered.tooltip and self.hover_pos is not None:
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

    def find(self, ident: SceneId) -> Scene | None:
        """The topmost scene with id ``ident``."""
        return next((s for s in reversed(self.scenes) if s.scene_id is ident), None)

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


SceneFactory = Callable[..., Scene]
"""Makes a scene: called with the app first, then the arguments the caller gave."""


class SceneRegistry:
    """Which factory makes each screen; every :class:`SceneId` must have one.

    Args:
        factories: a factory for every scene id.

    Raises:
        ValueError: if a scene id has no factory.
    """

    def __init__(self, factories: Mapping[SceneId, SceneFactory]) -> None:
        missing = [ident.name for ident in SceneId if ident not in factories]
        if missing:
            raise ValueError(f"no scene factory for {', '.join(missing)}")
        self._factories = dict(factories)

    def __contains__(self, ident: object) -> bool:
        return ident in self._factories

    def factory(self, ident: SceneId) -> SceneFactory:
        """The factory of ``ident``."""
        return self._factories[ident]

    def create(self, ident: SceneId, app: App, *args: Any, **kwargs: Any) -> Scene:
        """A new scene ``ident`` for ``app``, made with the given arguments."""
        return self._factories[ident](app, *args, **kwargs)
