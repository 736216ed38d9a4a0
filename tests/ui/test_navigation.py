"""Navigation goes through the scene registry, and every key binding means an Intent member.

Scenes never import each other (they ask the app for a ``SceneId``), every ``SceneId`` has a
factory, and every shortcut on every screen (widget keys, scene key maps, the global keys)
gives an :class:`~ui.input.Action` whose intent is an :class:`~ui.input.Intent` member.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import ui.scenes
from tests.ui.helpers import play_turn
from ui.driver import Driver
from ui.input import GLOBAL_KEYS, Action, Intent
from ui.scene import Scene, SceneId, SceneRegistry
from ui.scenes import scene_factories
from ui.theme import pygame

SCENES = Path(ui.scenes.__file__).parent
SHARED = "ui.scenes.common"
"""The one module of ui/scenes that scene modules may import (shared pieces, no scenes)."""


def _module_name(path: Path) -> str:
    relative = path.relative_to(SCENES.parent.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _unit(module: str) -> str:
    """The scene unit a module of ui.scenes belongs to (``ui.scenes.console.tab`` -> ``ui.scenes.console``)."""
    return ".".join(module.split(".")[:3])


def _under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return True
    return False


def imports(source: str, module: str) -> list[tuple[str, bool]]:
    """Every module ``source`` imports (anywhere in it), with whether only for type checking."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        typing_only = _under_type_checking(node, parents)
        if isinstance(node, ast.Import):
            out += [(alias.name, typing_only) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.append((base, typing_only))
            out += [(f"{base}.{alias.name}", typing_only) for alias in node.names]
    return out


def scene_import_problems(source: str, module: str) -> list[str]:
    """What a module of ui/scenes imports that it must not: another scene module, the registry, the app."""
    own = _unit(module)
    problems = []
    for name, typing_only in imports(source, module):
        if name == "ui.app" and not typing_only:
            problems.append(f"{module} imports ui.app at run time")
        if not name.startswith("ui.scenes"):
            continue
        unit = _unit(name)
        if name == "ui.scenes" or (unit != own and unit != SHARED and unit in SCENE_UNITS):
            problems.append(f"{module} imports {name}")
        if own == SHARED and unit != SHARED and unit in SCENE_UNITS:
            problems.append(f"{module} (shared pieces) imports {name}")
    return problems


SCENE_UNITS = {_unit(_module_name(p)) for p in SCENES.rglob("*.py") if p != SCENES / "__init__.py"}


def test_the_import_checker_sees_imports_of_every_form():
    assert scene_import_problems("from ui.scenes.debrief import DebriefScene", "ui.scenes.turn")
    assert scene_import_problems("def f():\n    from ui.scenes import debrief", "ui.scenes.turn")
    assert scene_import_problems("import ui.scenes.moves", "ui.scenes.turn")
    assert scene_import_problems("from .moves import CARD_KEYS", "ui.scenes.turn")
    assert scene_import_problems("from ui.scenes import scene_factories", "ui.scenes.turn")
    assert scene_import_problems("from ui.app import App", "ui.scenes.turn")
    assert scene_import_problems("from ui.scenes.turn import TurnScene", SHARED)
    assert not scene_import_problems("from ui.scenes.common import ButtonSpec", "ui.scenes.turn")
    assert not scene_import_problems("if TYPE_CHECKING:\n    from ui.app import App", "ui.scenes.turn")
    assert not scene_import_problems("from ui.scenes.console.tab import ListTab", "ui.scenes.console.events")
    assert not scene_import_problems("from .tab import ListTab", "ui.scenes.console.events")


def test_no_scene_module_imports_another_scene_module():
    modules = sorted(p for p in SCENES.rglob("*.py") if p != SCENES / "__init__.py")
    assert len(modules) >= 10 and "ui.scenes.console" in SCENE_UNITS and "ui.scenes.turn" in SCENE_UNITS
    problems = [
        problem
        for path in modules
        for problem in scene_import_problems(path.read_text(encoding="utf-8"), _module_name(path))
    ]
    assert problems == []


def test_every_scene_id_has_a_registered_factory():
    factories = scene_factories()
    assert set(factories) == set(SceneId)
    registry = SceneRegistry(factories)
    assert all(ident in registry for ident in SceneId)
    for ident, factory in factories.items():
        if inspect.isclass(factory):
            assert issubclass(factory, Scene) and factory.scene_id is ident
    del factories[SceneId.DEBRIEF]
    with pytest.raises(ValueError, match="DEBRIEF"):
        SceneRegistry(factories)


def test_every_scene_class_is_registered_under_its_id():
    owners = [getattr(factory, "__self__", factory) for factory in scene_factories().values()]  # classmethods
    registered = {owner for owner in owners if inspect.isclass(owner)}
    seen = set()
    for path in SCENES.rglob("*.py"):
        module = __import__(_module_name(path), fromlist=["_"])
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Scene) and value.__module__ == module.__name__:
                seen.add(value)
    assert seen and seen <= registered


def test_a_misspelt_intent_fails_loudly():
    with pytest.raises(AttributeError):
        _ = Intent.SUBMTI  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        Intent("submti")
    assert Intent("submit") is Intent.SUBMIT


def _bindings(scene: Scene) -> list[tuple[str, object]]:
    """(where, what) for every binding of a screen: widget keys, clicks, its key map."""
    out: list[tuple[str, object]] = [(f"{scene.name} key map", action) for action in scene.keymap().values()]
    for widget in scene.widgets():
        if widget.key is not None or widget.action is not None:
            out.append((f"{scene.name}: widget {widget.name}", widget.action))
    return out


class CheckingDriver(Driver):
    """Plays the headless game, checking every screen's bindings where the real driver takes a screenshot."""

    def __init__(self, app):
        super().__init__(app)
        self.checked: list[str] = []

    def shot(self, label):
        check_bindings(self.top)
        self.checked.append(self.top.name)
        return Path(label)


def check_bindings(scene: Scene) -> None:
    bindings = _bindings(scene)
    assert bindings, f"the {scene.name} screen has no bindings"
    for where, action in bindings:
        assert isinstance(action, Action) and isinstance(action.intent, Intent), where


def test_every_key_binding_maps_to_an_intent(app):
    assert all(isinstance(a, Action) and isinstance(a.intent, Intent) for a in GLOBAL_KEYS.values())
    driver = CheckingDriver(app)
    driver.play_headless("baseline", turns=2, shadows=20)
    expected = {"title", "picker", "setup", "turn", "console", "cover", "move", "resolution", "debrief", "replay"}
    assert expected <= set(driver.checked)
    # the screens the headless game does not pass through: the other console tabs, help, confirm, saves
    driver.press(pygame.K_ESCAPE)  # close the replay
    assert driver.top.name == "debrief"
    driver.press(pygame.K_ESCAPE)
    assert driver.top.name == "turn"
    driver.press(pygame.K_F2)
    for tab_key in (pygame.K_e, pygame.K_c, pygame.K_p, pygame.K_s, pygame.K_g):
        driver.press(tab_key)
        check_bindings(driver.top)
    driver.press(pygame.K_F1)
    assert driver.top.name == "help"
    driver.press(pygame.K_ESCAPE)
    driver.press(pygame.K_F2)
    driver.press(pygame.K_ESCAPE)
    assert driver.top.name == "confirm"
    check_bindings(driver.top)
    driver.press(pygame.K_y)
    driver.press(pygame.K_r)
    assert driver.top.name == "saves"
    check_bindings(driver.top)


def test_scenes_navigate_through_the_app_by_id(app, game):
    driver = Driver(app)
    play_turn(driver)
    made = []
    original = app.registry.create

    def recording(ident, *args, **kwargs):
        made.append(ident)
        return original(ident, *args, **kwargs)

    app.registry.create = recording
    play_turn(driver)
    assert made[:2] == [SceneId.MOVE_PHASE, SceneId.MOVE]
    assert SceneId.RESOLUTION in made
