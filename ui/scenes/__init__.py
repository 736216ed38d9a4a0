"""The game's screens: title, picker, setup, turn, cover and move, resolution, console, debrief, replay.

:func:`scene_factories` is the one place that knows every screen: the app builds its scene
registry from it, and scenes navigate by :class:`~ui.scene.SceneId` through the app, never by
importing each other.
"""

from __future__ import annotations

from ui.scene import SceneFactory, SceneId
from ui.scenes.console import ConsoleScene
from ui.scenes.debrief import DebriefScene
from ui.scenes.glossary import GlossaryScene
from ui.scenes.moves import CoverScene, MoveScene, next_move_scene
from ui.scenes.overlays import ConfirmScene, HelpScene
from ui.scenes.picker import PickerScene
from ui.scenes.resolution import ResolutionScene
from ui.scenes.setup import SetupScene
from ui.scenes.title import SavesScene, TitleScene
from ui.scenes.turn import ReplayScene, TurnScene


def scene_factories() -> dict[SceneId, SceneFactory]:
    """A factory for every screen: called with the app, then the screen's own arguments."""
    return {
        SceneId.TITLE: TitleScene,
        SceneId.SAVES: SavesScene,
        SceneId.PICKER: PickerScene,
        SceneId.SETUP: SetupScene,
        SceneId.TURN: TurnScene,
        SceneId.REPLAY: ReplayScene,
        SceneId.MOVE_PHASE: next_move_scene,
        SceneId.COVER: CoverScene,
        SceneId.MOVE: MoveScene,
        SceneId.RESOLUTION: ResolutionScene.resolve,
        SceneId.CONSOLE: ConsoleScene,
        SceneId.DEBRIEF: DebriefScene,
        SceneId.CONFIRM: ConfirmScene,
        SceneId.HELP: HelpScene,
        SceneId.GLOSSARY: GlossaryScene,
    }
