"""The game window: the application object, its main loop, and the entry points the CLI calls.

* :func:`run_game` opens the window (``trilat play``): title, scenario picker, setup, turns,
  debrief; or resumes a save.
* :func:`run_headless` plays a few turns under SDL's dummy video driver and saves a PNG of
  every screen it passes through (``trilat play --headless``).
* :func:`run_replay` steps through a saved game (``trilat replay``).

Without a display, :func:`run_game` and :func:`run_replay` print one line saying so and
return 2.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from sim.atomic import atomic_write
from sim.errors import TrilatError
from sim.lang.scenario import load_scenario
from sim.play.match import DEFAULT_SAVES, Match
from sim.play.session import GameSession, GameSettings
from ui import theme
from ui.driver import Driver
from ui.input import Action, InputLayer, Intent
from ui.scene import Scene, SceneId, SceneRegistry, SceneStack
from ui.scenes import scene_factories
from ui.scenes.picker import LibraryEntry, load_library
from ui.theme import Fonts, pygame

WINDOW_SIZE = (1280, 720)
MIN_SIZE = (800, 450)
FPS_ANIMATING = 60
FPS_IDLE = 30
EXIT_USAGE = 2
NO_DISPLAY = (
    "trilat: no display to open the game window on (DISPLAY and WAYLAND_DISPLAY are not set); "
    "use `trilat run SCENARIO` for the story as text, or `trilat play SCENARIO --headless --auto` for screenshots"
)
HEADLESS_DRIVERS = ("dummy", "offscreen")


def has_display() -> bool:
    """Whether a window can be opened: a desktop session, or an explicitly chosen SDL video driver."""
    if os.environ.get("SDL_VIDEODRIVER"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class App:
    """The application: window (or off-screen surface), fonts, scene stack and registry, input layer, current game.

    Args:
        size: the window size.
        window: open a real window (False: draw to an off-screen surface, for scene tests).
        fullscreen: open full screen.
        saves_dir: where games autosave (default ``~/.trilat/saves``).
        start_scenario: a scenario to set up directly when "New game" is chosen.
    """

    def __init__(
        self,
        size: tuple[int, int] = WINDOW_SIZE,
        *,
        window: bool = True,
        fullscreen: bool = False,
        saves_dir: Path | None = None,
        start_scenario: str | None = None,
    ) -> None:
        pygame.display.init()
        pygame.font.init()
        self.window = window
        self.fullscreen = fullscreen
        self.windowed_size = size
        if window:
            self.screen = self._open(size, fullscreen)
            pygame.display.set_caption("Trilat: U.S.-ROK-Japan cooperation")
            pygame.key.set_repeat(400, 40)
        else:
            self.screen = pygame.Surface(size)
        self.fonts = Fonts(self.screen.get_size())
        self.stack = SceneStack()
        self.registry = SceneRegistry(scene_factories())
        self.input = InputLayer()
        self.match: Match | None = None
        self.saves_dir = Path(saves_dir) if saves_dir is not None else DEFAULT_SAVES
        self.start_scenario = start_scenario
        self.replay_only = False
        self.running = True
        self.toasts: list[list] = []
        self.clock = pygame.time.Clock()
        self.frames = 0
        self._library: list[LibraryEntry] | None = None
        self._needs_draw = True
        self.lock: AbstractContextManager[Any] = nullcontext()
        """Held for each frame: a hosted game's lock, so the web server never changes the game mid-frame."""
        self.remote = False
        """Whether teams move on their own devices (``trilat host``): no hot-seat move screens."""
        self.overlays: list[Callable[[pygame.Surface], None]] = []
        """Drawn over the scenes (the hosted game's join code and countdown); they never change the game."""
        self._overlay_clock = 0.0

    @staticmethod
    def _open(size: tuple[int, int], fullscreen: bool) -> pygame.Surface:
        if fullscreen:
            return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        return pygame.display.set_mode(size, pygame.RESIZABLE)

    @property
    def size(self) -> tuple[int, int]:
        """The window's size in pixels."""
        return self.screen.get_size()

    # ------------------------------------------------------------------ navigation

    def library(self) -> list[LibraryEntry]:
        """The scenario library (loaded once)."""
        if self._library is None:
            self._library = load_library()
        return self._library

    def make(self, ident: SceneId, *args: Any, **kwargs: Any) -> Scene:
        """A new scene ``ident`` (made by its registered factory with these arguments)."""
        return self.registry.create(ident, self, *args, **kwargs)

    def push(self, ident: SceneId, *args: Any, **kwargs: Any) -> None:
        """Put a new scene ``ident`` on top of the stack."""
        self.stack.push(self.make(ident, *args, **kwargs))

    def replace(self, ident: SceneId, *args: Any, **kwargs: Any) -> None:
        """Swap the top scene for a new scene ``ident``."""
        self.stack.replace(self.make(ident, *args, **kwargs))

    def reset(self, ident: SceneId, *args: Any, **kwargs: Any) -> None:
        """Make a new scene ``ident`` the only scene."""
        self.stack.reset(self.make(ident, *args, **kwargs))

    def require_match(self) -> Match:
        """The game being played (scenes of a game only exist while there is one).

        Raises:
            RuntimeError: if no game is being played.
        """
        if self.match is None:
            raise RuntimeError("no game is being played")
        return self.match

    def show_title(self) -> None:
        """Start at the title screen."""
        self.reset(SceneId.TITLE)

    def to_title(self) -> None:
        """Leave the game (it is autosaved) and go back to the title screen; a hosted game closes the window."""
        if self.remote:
            self.quit()
            return
        self.match = None
        self.show_title()

    def start_match(self, match: Match) -> None:
        """Play ``match``: the turn screen becomes the bottom of the stack."""
        self.match = match
        match.autosave()
        self.reset(SceneId.TURN)
        for notice in match.session.notices:  # e.g. the library's copy of the scenario has changed
            self.toast(notice[:1].upper() + notice[1:], 10)

    def start_replay(self, session: GameSession) -> None:
        """Open the replay viewer on a saved game."""
        self.push(SceneId.REPLAY, session)
        for notice in session.notices:
            self.toast(notice[:1].upper() + notice[1:], 10)

    def close_replay(self) -> None:
        """Leave the replay viewer (quit if the app was opened only to replay)."""
        if self.replay_only or len(self.stack.scenes) <= 1:
            self.quit()
        else:
            self.stack.pop()

    def return_to_turn_screen(self) -> None:
        """Close everything above the turn screen (after a resolution, an undo, a branch)."""
        for index, scene in enumerate(self.stack.scenes):
            if scene.scene_id is SceneId.TURN:
                self.stack.unwind(index + 1)
                scene.resume()
                return
        self.reset(SceneId.TURN)

    def quit(self) -> None:
        """Stop the main loop (games are autosaved after every turn and command)."""
        self.running = False

    def toast(self, text: str, seconds: float = 4.0) -> None:
        """A message at the bottom of the screen for a few seconds."""
        self.toasts = [t for t in self.toasts if t[0] != text][-2:] + [[text, seconds]]
        self._needs_draw = True

    # ------------------------------------------------------------------ events and intents

    def dispatch(self, action: Action) -> None:
        """Route an action: window-level ones here, the rest to the top scene."""
        intent = action.intent
        top = self.stack.top
        if intent is Intent.QUIT:
            self.quit()
        elif intent is Intent.RESIZE:
            self.resize(action.value)
        elif intent is Intent.TOGGLE_FULLSCREEN:
            self.toggle_fullscreen()
        elif intent is Intent.OPEN_CONSOLE:
            if top is not None and top.scene_id is SceneId.CONSOLE:
                self.stack.pop()
            elif self.match is not None:
                self.push(SceneId.CONSOLE)
        elif intent is Intent.GLOSSARY:
            if top is not None and top.scene_id is SceneId.GLOSSARY:
                self.stack.pop()
            else:
                self.push(SceneId.GLOSSARY, top)
        elif intent is Intent.HELP:
            if top is not None and top.scene_id is SceneId.HELP:
                self.stack.pop()
            elif top is not None:
                self.push(SceneId.HELP, top)
        elif top is not None:
            top.handle_action(action)

    def handle_event(self, event: pygame.event.Event) -> None:
        """Turn one pygame event into actions (through the input layer) and dispatch them."""
        for action in self.input.translate(event, self.stack.top):
            self.dispatch(action)
        self._needs_draw = True

    def process_events(self) -> None:
        """Handle every pending pygame event."""
        for event in pygame.event.get():
            self.handle_event(event)

    def resize(self, size: tuple[int, int]) -> None:
        """Adapt to a new window size: fonts rescale, every scene lays itself out again."""
        size = (max(MIN_SIZE[0], int(size[0])), max(MIN_SIZE[1], int(size[1])))
        if self.window:
            surface = pygame.display.get_surface()
            if surface is None or surface.get_size() != size:
                pygame.display.set_mode(size, pygame.RESIZABLE)
            self.screen = pygame.display.get_surface()
        else:
            self.screen = pygame.Surface(size)
        if not self.fullscreen:
            self.windowed_size = self.screen.get_size()
        self.fonts.resize(self.screen.get_size())
        self.stack.relayout()

    def toggle_fullscreen(self) -> None:
        """Switch between full screen and a window."""
        if not self.window:
            return
        self.fullscreen = not self.fullscreen
        self.screen = self._open(self.windowed_size, self.fullscreen)
        self.fonts.resize(self.screen.get_size())
        self.stack.relayout()

    # ------------------------------------------------------------------ the loop

    def update(self, dt: float) -> None:
        """Advance the top scene and the messages by ``dt`` seconds."""
        for toast in self.toasts:
            toast[1] -= dt
        before = len(self.toasts)
        self.toasts = [t for t in self.toasts if t[1] > 0]
        if len(self.toasts) != before:
            self._needs_draw = True
        top = self.stack.top
        if top is not None:
            top.update(dt)
            if top.animating():
                self._needs_draw = True
        self._overlay_clock += dt
        if self.overlays and self._overlay_clock >= 0.5:  # the countdown and the teams' status change on their own
            self._overlay_clock = 0.0
            self._needs_draw = True

    def render(self) -> None:
        """Draw the visible scenes and the messages (draw never changes the game)."""
        for scene in self.stack.visible():
            scene.draw(self.screen)
        for overlay in self.overlays:
            overlay(self.screen)
        self._draw_toasts()
        self.frames += 1

    def _draw_toasts(self) -> None:
        fonts = self.fonts
        y = self.screen.get_height() - fonts.s(64)
        for text, _ in reversed(self.toasts):
            lines = fonts.wrap(text, self.screen.get_width() - fonts.s(120), "body")
            height = len(lines) * fonts.line_height("body") + fonts.s(12)
            width = max(fonts.width(line, "body") for line in lines) + fonts.s(24)
            box = pygame.Rect(0, 0, width, height)
            box.midbottom = (self.screen.get_width() // 2, y)
            pygame.draw.rect(self.screen, theme.SHADE, box, border_radius=fonts.s(8))
            pygame.draw.rect(self.screen, theme.ORANGE, box, width=2, border_radius=fonts.s(8))
            line_y = box.top + fonts.s(6)
            for line in lines:
                self.screen.blit(fonts.render(line, "body", theme.WHITE), (box.left + fonts.s(12), line_y))
                line_y += fonts.line_height("body")
            y = box.top - fonts.s(6)

    def frame(self, dt: float) -> None:
        """One frame: events, update, draw (only when something changed), flip."""
        self.process_events()
        self.update(dt)
        if self._needs_draw:
            self.render()
            self._needs_draw = False
            if self.window:
                pygame.display.flip()

    def run(self) -> None:
        """The main loop, until the user quits."""
        dt = 0.0
        while self.running and self.stack.top is not None:
            with self.lock:
                self.frame(dt)
            animating = self.stack.top is not None and self.stack.top.animating()
            dt = self.clock.tick(FPS_ANIMATING if animating or self.toasts else FPS_IDLE) / 1000.0

    def screenshot(self, path: Path) -> Path:
        """Draw the current screen and save it as a PNG."""
        self.update(0.0)
        self.render()
        return atomic_write(path, lambda handle: pygame.image.save(self.screen, handle, "screenshot.png"), binary=True)


# ------------------------------------------------------------------------------------ entry points


def run_game(
    scenario: str | None = None,
    *,
    resume: Path | None = None,
    saves_dir: Path | None = None,
    fullscreen: bool = False,
) -> int:
    """Open the game window and play until the user quits; returns the exit code.

    Args:
        scenario: set up this scenario when "New game" is chosen (default: pick in the window).
        resume: continue this save (it keeps autosaving to the same file).
        saves_dir: the autosave folder (default ``~/.trilat/saves``).
        fullscreen: open full screen (projectors).

    Returns:
        0 after a normal quit; 2 without a display, for a bad save or an unknown scenario.
    """
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_USAGE
    session = None
    try:
        if resume is not None:
            session = GameSession.load(resume)
        if scenario is not None:
            load_scenario(scenario)
    except TrilatError as exc:
        print(f"trilat play: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        app = App(fullscreen=fullscreen, saves_dir=saves_dir, start_scenario=scenario)
    except pygame.error as exc:
        print(f"trilat play: cannot open a window ({exc}); {NO_DISPLAY.split('; ', 1)[1]}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if session is not None:
            app.start_match(Match(session))
        else:
            app.show_title()
        app.run()
    except KeyboardInterrupt:
        return 130
    finally:
        pygame.display.quit()
    return 0


def run_replay(save: Path) -> int:
    """Step through a saved game in the window (Left/Right between turns); returns the exit code."""
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_USAGE
    try:
        session = GameSession.load(save, autosave=False)
    except TrilatError as exc:
        print(f"trilat replay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        app = App()
    except pygame.error as exc:
        print(f"trilat replay: cannot open a window ({exc})", file=sys.stderr)
        return EXIT_USAGE
    app.replay_only = True
    app.reset(SceneId.REPLAY, session)
    for notice in session.notices:
        app.toast(notice[:1].upper() + notice[1:], 10)
    try:
        app.run()
    except KeyboardInterrupt:
        return 130
    finally:
        pygame.display.quit()
    return 0


def run_headless(scenario: str, *, turns: int, screenshots: Path, seed: int = 1, shadows: int = 300) -> list[Path]:
    """Play ``turns`` turns with SDL's dummy video driver, saving a PNG of every screen passed through.

    The USA is played by a scripted human team (it picks the first card it can afford each
    turn, through the real move screen); Seoul and Tokyo are computer players with the
    scenario's strategies. The game autosaves beside the screenshots, so ``trilat report`` and
    ``trilat replay`` work on it.

    Returns:
        The PNG files, in the order the screens were shown.
    """
    previous = os.environ.get("SDL_VIDEODRIVER")
    if previous not in HEADLESS_DRIVERS:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    try:
        screenshots = Path(screenshots)
        screenshots.mkdir(parents=True, exist_ok=True)
        app = App(WINDOW_SIZE, saves_dir=screenshots)
        driver = Driver(app, screenshots)
        return driver.play_headless(scenario, turns=turns, seed=seed, shadows=shadows)
    finally:
        pygame.display.quit()
        if previous is None:
            os.environ.pop("SDL_VIDEODRIVER", None)
        elif previous not in HEADLESS_DRIVERS:
            os.environ["SDL_VIDEODRIVER"] = previous


def measure_frames(
    scenario: str = "baseline", sizes: tuple[tuple[int, int], ...] = ((1280, 720), (1920, 1080))
) -> dict:
    """Mean time to draw a frame of the turn screen and of the animating resolution, per window size.

    Used by ``trilat bench`` (speed goals live in the benchmark, not in timed tests): the goal
    is at least 30 frames per second while animating, with 300 shadow worlds.
    """

    def mean_ms(app: App, frames: int = 30) -> float:
        app.update(1 / 60)
        app.render()  # warm the text cache
        start = time.perf_counter()
        for _ in range(frames):
            app.update(1 / 60)
            app.render()
        return (time.perf_counter() - start) / frames * 1000

    previous = os.environ.get("SDL_VIDEODRIVER")
    if previous not in HEADLESS_DRIVERS:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    loaded = load_scenario(scenario)
    results = {}
    try:
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                app = App(size, saves_dir=Path(folder))
                controllers = {g: "objectives" for g in ("USA", "ROK", "JPN")}
                settings = GameSettings(scenario=scenario, seed=1, shadows=300, controllers=controllers)
                app.start_match(Match.start(settings, loaded, saves_dir=Path(folder)))
                app.frame(0.0)
                driver = Driver(app)
                turn_ms = mean_ms(app)
                driver.press(pygame.K_RETURN)  # computer-only game: straight to the animating resolution
                resolution_ms = mean_ms(app)
                results[f"{size[0]}x{size[1]}"] = {
                    "turn_screen_ms": round(turn_ms, 2),
                    "resolution_ms": round(resolution_ms, 2),
                }
                pygame.display.quit()
    finally:
        if previous is None:
            os.environ.pop("SDL_VIDEODRIVER", None)
        elif previous not in HEADLESS_DRIVERS:
            os.environ["SDL_VIDEODRIVER"] = previous
    return results
