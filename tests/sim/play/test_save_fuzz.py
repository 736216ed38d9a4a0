"""Fuzzing saves: random mutations of a real save either load or fail with a SaveError naming the file.

Mutations on the parsed JSON (a key deleted or renamed, a value replaced by another type, a
number pushed to an edge, a value wrapped in deeper nesting) and on the text (cut short, bytes
replaced). Anything else escaping :meth:`GameSession.load` (a ``TypeError``, ``KeyError``,
``RecursionError``, ``OverflowError``...) fails the test. ``make test`` runs a modest number of
examples; ``-m fuzz`` (``make fuzz``) runs many more.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import TrilatError
from sim.play.session import GameSession, GameSettings

QUICK = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FULL = settings(QUICK, max_examples=1500)

EDGE_NUMBERS = st.sampled_from(
    [0, 1, -1, 2, 3, 0.5, -0.0, 1e308, -1e308, 1e-320, 2**31, 2**62, 2**62 + 1, 2**63, 2**64, 10**29, 1000, 1001]
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    EDGE_NUMBERS,
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "abc", "human", "USA", "ROK.approval", "resolve", "choose", "\x1b[2J", "x" * 5000]),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.sampled_from(["USA", "ROK", "JPN", "kind", "turn", "x"]), st.integers(0, 3), max_size=3),
)
TEXT_JUNK = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "9" * 400, "[" * 50, "{", '"', "\\u0000", ""])


@pytest.fixture(scope="module")
def real_save(tmp_path_factory):
    """A real save: a human team, a note, a custom event, a parameter change, a resolved turn, an undo."""
    folder = tmp_path_factory.mktemp("fuzz")
    session = GameSession(GameSettings(scenario="baseline", turns=3, shadows=2, controllers={"ROK": "human"}))
    session.submit("ROK", [])
    session.note("a note")
    session.inject_custom("Storm", "A storm.", {"ROK.approval": -0.05})
    session.set_parameter("perception_rate", 0.3)
    session.resolve()
    session.set_state("ROK.approval", 0.4)
    session.resolve()
    session.undo()
    return json.loads(session.save(folder / "game.json").read_text(encoding="utf-8"))


def _places(tree, prefix=()):
    """Every (path, value) in a JSON tree, leaving out the long scenario texts."""
    yield prefix, tree
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key != "text":
                yield from _places(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _places(value, (*prefix, index))


def _container(tree, path):
    for step in path[:-1]:
        tree = tree[step]
    return tree


def _alike(value):
    """Values of the same JSON type as ``value`` (names the model knows or nearly knows, small numbers)."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(0, 6)
    if isinstance(value, float):
        return st.floats(-2, 2, allow_nan=False)
    if isinstance(value, str):
        return st.sampled_from(["human", "passive", "USA", "ROK", "JPN", "ROK.approval", "ROK.nope", "perception_rate"])
    return st.just(value)


@st.composite
def mutated_text(draw, save):
    """The text of ``save`` after one to three random edits."""
    data = json.loads(json.dumps(save))
    for _ in range(draw(st.integers(1, 3))):
        places = [path for path, _ in _places(data) if path]
        path = draw(st.sampled_from(places))
        parent, last = _container(data, path), path[-1]
        action = draw(st.sampled_from(["delete", "replace", "number", "nest", "rename", "alike", "alike"]))
        if action == "alike":  # a value of the same type, so the save stays valid and its replay is tried
            parent[last] = draw(_alike(parent[last]))
        elif action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(JUNK)
        elif action == "number":
            parent[last] = draw(EDGE_NUMBERS)
        elif action == "nest":
            parent[last] = draw(st.sampled_from([[parent[last]], {"add": parent[last]}, [[[[parent[last]]]]]]))
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["kind", "turn", "seed", "x", "USA", ""]))] = parent.pop(last)
    text = json.dumps(data, indent=1)
    edit = draw(st.sampled_from(["none", "none", "truncate", "splice"]))
    if edit == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif edit == "splice":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(TEXT_JUNK) + text[at + draw(st.integers(0, 3)) :]
    return text


def check_a_mutated_save_loads_or_is_refused_cleanly(tmp_path, text):
    path = tmp_path / "game.json"
    path.write_text(text, encoding="utf-8")
    try:
        session = GameSession.load(path, autosave=False)
    except TrilatError as exc:  # SaveError, or a model's UsageError: both must name the save
        assert str(exc).startswith(str(path)), str(exc)
        assert "\n" not in str(exc)
    else:
        session.save(tmp_path / "again.json")  # what loaded saves again, and loads again
        assert GameSession.load(tmp_path / "again.json", autosave=False).turn == session.turn


@QUICK
@given(data=st.data())
def test_a_mutated_save_loads_or_is_refused_cleanly(tmp_path, real_save, data):
    check_a_mutated_save_loads_or_is_refused_cleanly(tmp_path, data.draw(mutated_text(real_save)))


@pytest.mark.fuzz
@FULL
@given(data=st.data())
def test_many_mutated_saves_load_or_are_refused_cleanly(tmp_path, real_save, data):
    check_a_mutated_save_loads_or_is_refused_cleanly(tmp_path, data.draw(mutated_text(real_save)))
