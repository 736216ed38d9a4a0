"""Synthetic input for headless runs and tests: post real pygame events, run frames, take screenshots.

Everything goes through pygame's event queue and the one input layer, exactly as a person's
key presses and clicks would, so a headless run or a test exercises the real game.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ui.scene import Scene
from ui.scenes.moves import CARD_KEYS, CoverScene
from ui.scenes.picker import PickerScene
from ui.scenes.setup import MAX_TURNS, SetupScene
from ui.theme import pygame
from ui.widgets import Segment, Widget

if TYPE_CHECKING:
    from ui.app import App

FRAME = 1 / 30
S = TypeVar("S", bound=Scene)


class Driver:
    """Drives an :class:`~ui.app.App` with synthetic events.

    Args:
        app: the application to drive.
        folder: where :meth:`shot` saves screenshots.
    """

    def __init__(self, app: App, folder: Path | None = None) -> None:
        self.app = app
        self.folder = Path(folder) if folder is not None else None
        self.shots: list[Path] = []

    @property
    def top(self) -> Scene | None:
        """The active scene."""
        return self.app.stack.top

    def expect(self, kind: type[S]) -> S:
        """The active scene, which must be a ``kind``.

        Raises:
            LookupError: if another screen (or none) is active.
        """
        scene = self.top
        if not isinstance(scene, kind):
            raise LookupError(
                f"expected the {kind.__name__}, but the {scene.name if scene else 'empty'} screen is active"
            )
        return scene

    def frame(self, dt: float = FRAME, count: int = 1) -> None:
        """Run ``count`` frames of ``dt`` seconds."""
        for _ in range(count):
            self.app.frame(dt)

    def post(self, event_type: int, **attributes: Any) -> None:
        """Put one event on pygame's queue."""
        pygame.event.post(pygame.event.Event(event_type, **attributes))

    def press(self, code: int, mod: int = 0) -> None:
        """Press and release a key, then run a frame."""
        self.post(pygame.KEYDOWN, key=code, mod=mod, unicode="", scancode=0)
        self.post(pygame.KEYUP, key=code, mod=mod, unicode="", scancode=0)
        self.frame()

    def type(self, text: str) -> None:
        """Type ``text`` (text-input events, as a keyboard sends them), then run a frame."""
        for char in text:
            self.post(pygame.TEXTINPUT, text=char)
        self.frame()

    def widget(self, name: str) -> Widget:
        """The widget called ``name`` on the active scene."""
        scene = self.top
        widget = scene.widget(name) if scene is not None else None
        if widget is None:
            names = [w.name for w in scene.widgets()] if scene is not None else []
            raise LookupError(f"no widget '{name}' on the {scene.name if scene else 'empty'} screen; it has {names}")
        return widget

    def position(self, name: str) -> tuple[int, int]:
        """Where to click a widget: its centre (a tie's midpoint)."""
        widget = self.widget(name)
        if isinstance(widget, Segment):
            return ((widget.a[0] + widget.b[0]) // 2, (widget.a[1] + widget.b[1]) // 2)
        return widget.rect.center

    def click(self, target: str | tuple[int, int]) -> None:
        """Click a widget (by name) or a position, then run a frame."""
        pos = self.position(target) if isinstance(target, str) else target
        self.post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))
        self.post(pygame.MOUSEBUTTONDOWN, pos=pos, button=1)
        self.post(pygame.MOUSEBUTTONUP, pos=pos, button=1)
        self.frame()

    def hover(self, name: str) -> None:
        """Move the pointer over a widget, then run a frame."""
        self.post(pygame.MOUSEMOTION, pos=self.position(name), rel=(0, 0), buttons=(0, 0, 0))
        self.frame()

    def hover_away(self) -> None:
        """Move the pointer off every widget (so no tooltip shows), then run a frame."""
        self.post(pygame.MOUSEMOTION, pos=(1, 1), rel=(0, 0), buttons=(0, 0, 0))
        self.frame()

    def resize(self, width: int, height: int) -> None:
        """Resize the window, then run a frame."""
        self.post(pygame.VIDEORESIZE, w=width, h=height, size=(width, height))
        self.frame()

    def shot(self, label: str) -> Path:
        """Save the current screen as ``NN-label.png`` in the folder."""
        if self.folder is None:
            raise ValueError("this driver has no screenshot folder")
        path = self.folder / f"{len(self.shots) + 1:02d}-{label}.png"
        self.app.screenshot(path)
        self.shots.append(path)
        return path

    # ------------------------------------------------------------------ the headless game

    def play_headless(self, scenario: str, *, turns: int, seed: int = 1, shadows: int = 300) -> list[Path]:
        """Play a game from the title screen to the debrief, one screenshot per screen.

        The USA is a human team that picks the first card it can afford; the other two
        governments are computer players.
        """
        app = self.app
        app.show_title()
        self.frame()
        self.shot("title")
        ids = [entry.id for entry in app.library() if entry.scenario is not None]
        if scenario not in ids:
            app.start_scenario = scenario
        self.press(pygame.K_n)
        if isinstance(self.top, PickerScene):
            picker = self.top
            while picker.entry is not None and picker.entry.id != scenario:
                self.press(pygame.K_DOWN)
            self.shot("picker")
            self.press(pygame.K_RETURN)
        setup = self.expect(SetupScene)
        self.press(pygame.K_2)
        self.press(pygame.K_3)
        wanted = max(1, turns)
        reachable = min(wanted, MAX_TURNS)
        while setup.turns != reachable:
            self.press(pygame.K_MINUS if setup.turns > reachable else pygame.K_EQUALS)
        setup.turns = wanted
        self.click("seed")
        for _ in range(len(setup.seed)):
            self.press(pygame.K_BACKSPACE)
        self.type(str(seed))
        self.press(pygame.K_RETURN)
        setup.shadows = shadows
        setup.dirty = True
        self.hover_away()
        self.shot("setup")
        self.press(pygame.K_RETURN)
        match = app.require_match()
        self.shot("turn-t00")
        for turn in range(1, wanted + 1):
            if turn == 1:
                self.press(pygame.K_F2)
                self.shot("console")
                self.press(pygame.K_F2)
            self.press(pygame.K_RETURN)
            while isinstance(self.top, CoverScene) and self.top.gov is not None:
                gov = self.top.gov
                self.shot(f"cover-{gov.lower()}-t{turn:02d}")
                self.press(pygame.K_RETURN)
                capital = match.capital(gov)
                for i, card in enumerate(match.cards(gov)[: len(CARD_KEYS)]):
                    if card.cost <= capital:
                        self.press(CARD_KEYS[i])
                        break
                self.shot(f"move-{gov.lower()}-t{turn:02d}")
                self.press(pygame.K_RETURN)
                if self.top is not None and self.top.name == "confirm":  # a pass asks first
                    self.press(pygame.K_RETURN)
            if self.top is not None and self.top.name == "cover":
                self.shot(f"all-moves-in-t{turn:02d}")
                self.press(pygame.K_RETURN)
            self.frame(count=3)
            self.press(pygame.K_RETURN)
            self.shot(f"resolution-t{turn:02d}")
            self.press(pygame.K_RETURN)
            if self.top is not None and self.top.name == "turn":
                self.shot(f"turn-t{turn:02d}")
        if self.top is not None and self.top.name == "debrief":
            self.shot("debrief")
            self.press(pygame.K_p)
            self.shot("replay")
        return list(self.shots)
