"""The input layer: pygame events become actions (widgets, their keys, scene keys, global keys, text)."""

from __future__ import annotations

import pytest

from ui.input import CTRL, GLOBAL_KEYS, Action, InputLayer, Intent, key, key_label
from ui.scene import Scene, SceneStack
from ui.theme import Fonts, pygame
from ui.widgets import Button, Segment, TextField, Widget

BELOW = Action(Intent.PICK, "below")
ABOVE = Action(Intent.PICK, "above")
LINE = Action(Intent.SELECT, "line")
SCENE_SPACE = Action(Intent.NEXT)


class FakeApp:
    """Just enough of an app for a scene: fonts and a size."""

    def __init__(self):
        self.fonts = Fonts((1280, 720))
        self.size = (1280, 720)


class Panel(Scene):
    """A scene with two overlapping buttons, a disabled one, a line and a text field."""

    name = "panel"

    def build(self, size):
        return [
            Button((0, 0, 100, 40), "Below", BELOW, name="below"),
            Button((50, 0, 100, 40), "Above", ABOVE, key=key(pygame.K_a), name="above"),
            Button(
                (0, 100, 100, 40), "Off", Action(Intent.PICK, "off"), key=key(pygame.K_o), enabled=False, name="off"
            ),
            Segment((200, 200), (400, 200), 8, LINE, name="line"),
            TextField((0, 300, 200, 30), "name", ""),
        ]

    def keymap(self):
        return {key(pygame.K_SPACE): SCENE_SPACE, key(pygame.K_F2): Action(Intent.PICK, "scene_f2_not_used")}


@pytest.fixture
def scene():
    panel = Panel(FakeApp())
    panel.relayout()
    return panel


def keydown(code, mod=0):
    return pygame.event.Event(pygame.KEYDOWN, key=code, mod=mod, unicode="", scancode=0)


def click(pos, button=1):
    return pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button)


def test_a_click_gives_the_topmost_widgets_intent(scene):
    layer = InputLayer()
    assert layer.translate(click((75, 20)), scene) == [Action(Intent.HOVER, (75, 20)), ABOVE]
    assert layer.translate(click((10, 20)), scene)[-1] == BELOW
    assert layer.translate(click((300, 204)), scene)[-1] == LINE  # near the line
    assert layer.translate(click((300, 230)), scene)[-1] == Action(Intent.CLICK, (300, 230))  # off it
    assert layer.translate(click((10, 110)), scene)[-1] == Action(Intent.CLICK, (10, 110))  # disabled: no intent
    assert layer.translate(click((10, 110), button=3), scene) == []


def test_keys_go_to_widgets_then_the_scene_then_the_global_map(scene):
    layer = InputLayer()
    assert layer.translate(keydown(pygame.K_a), scene) == [ABOVE]
    assert layer.translate(keydown(pygame.K_SPACE), scene) == [SCENE_SPACE]
    assert layer.translate(keydown(pygame.K_o), scene) == []  # a disabled widget's key does nothing
    assert layer.translate(keydown(pygame.K_z, CTRL), scene) == [Action(Intent.UNDO)]
    assert layer.translate(keydown(pygame.K_ESCAPE), scene) == [Action(Intent.BACK)]
    assert layer.translate(keydown(pygame.K_TAB, pygame.KMOD_LSHIFT), scene) == [Action(Intent.FOCUS_PREVIOUS)]
    assert layer.translate(keydown(pygame.K_F2), None) == [Action(Intent.OPEN_CONSOLE)]


def test_typing_goes_to_a_focused_text_field_and_shortcuts_are_suspended(scene):
    layer = InputLayer()
    text = pygame.event.Event(pygame.TEXTINPUT, text="a")
    assert layer.translate(text, scene) == []  # no field has the focus
    scene.handle_action(Action(Intent.FOCUS_FIELD, "name"))
    assert scene.text_focus()
    assert layer.translate(text, scene) == [Action(Intent.TEXT, "a")]
    assert layer.translate(keydown(pygame.K_a), scene) == []  # the letter is text, not the shortcut
    assert layer.translate(keydown(pygame.K_BACKSPACE), scene) == [Action(Intent.BACKSPACE)]
    assert layer.translate(keydown(pygame.K_F2), scene) == [Action(Intent.OPEN_CONSOLE)]
    assert layer.translate(keydown(pygame.K_RETURN), scene) == [Action(Intent.BLUR)]


def test_window_events():
    layer = InputLayer()
    assert layer.translate(pygame.event.Event(pygame.QUIT), None) == [Action(Intent.QUIT)]
    assert layer.translate(pygame.event.Event(pygame.VIDEORESIZE, w=1920, h=1080), None) == [
        Action(Intent.RESIZE, (1920, 1080))
    ]
    assert layer.translate(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=1), None) == [Action(Intent.SCROLL, -3)]


def test_tab_moves_the_focus_and_enter_activates_it(scene):
    seen = []
    scene.on_action = seen.append
    scene.handle_action(Action(Intent.FOCUS_NEXT))
    assert scene.focused().name == "below"
    scene.handle_action(Action(Intent.FOCUS_NEXT))
    scene.handle_action(Action(Intent.CONFIRM))
    assert seen == [ABOVE]
    scene.handle_action(Action(Intent.FOCUS_PREVIOUS))
    scene.handle_action(Action(Intent.FOCUS_PREVIOUS))
    assert scene.focused().name == "name"  # wraps around; the disabled button is skipped


def test_key_labels_on_buttons():
    assert key_label(key(pygame.K_RETURN)) == "Enter"
    assert key_label(key(pygame.K_F2)) == "F2"
    assert key_label(key(pygame.K_z, CTRL)) == "Ctrl+Z"
    assert key_label(key(pygame.K_1)) == "1"
    assert key_label(None) == ""
    assert all(isinstance(action, Action) and isinstance(action.intent, Intent) for action in GLOBAL_KEYS.values())


def test_scene_stack_pauses_resumes_and_draws_overlays_over_the_scene_below():
    calls = []

    class Recorder(Scene):
        def __init__(self, label, overlay=False):
            super().__init__(FakeApp())
            self.label, self.overlay = label, overlay

        def resume(self):
            calls.append(f"resume {self.label}")

        def pause(self):
            calls.append(f"pause {self.label}")

    stack = SceneStack()
    base, cover, box = Recorder("base"), Recorder("cover"), Recorder("box", overlay=True)
    stack.push(base)
    stack.push(cover)
    stack.push(box)
    assert stack.visible() == [cover, box]
    stack.pop()
    stack.replace(Recorder("next"))
    assert calls == [
        "resume base",
        "pause base",
        "resume cover",
        "pause cover",
        "resume box",
        "pause box",
        "resume cover",
        "pause cover",
        "resume next",
    ]
    stack.unwind(1)
    assert stack.top is base and calls[-1] == "resume base"


def test_widget_repr_and_hit_test():
    widget = Widget((0, 0, 10, 10), Action(Intent.CLICK), name="w")
    assert widget.contains((5, 5)) and not widget.contains((15, 5))
    assert "w" in repr(widget)
