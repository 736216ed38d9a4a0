"""Fuzzing: random mutations of every shipped scenario either load or fail with a located error.

Mutations: deleted keys, swapped types, junk values, mutated expressions (on the parsed tree),
and truncated files and random bytes (on the text). A scenario that loads is also run for two
turns, so a mutation cannot slip past validation and crash the engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import TrilateralModel
from sim.errors import ScenarioError, UsageError
from sim.lang.scenario import library_dir, load_scenario

REPRESENTATIVE = {"defaults", "baseline", "noncombatant-evacuation", "korean-polarization"}
"""Fuzzed on every run: the root of every scenario, the default one, the largest and a polarization one."""
SHIPPED = [
    path if path.stem in REPRESENTATIVE else pytest.param(path, marks=pytest.mark.fuzz)
    for path in sorted(library_dir().glob("*.yaml"))
]
"""The rest run under ``-m fuzz`` (``make fuzz``; CI runs both)."""
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["2025Q9", "ROK.polarizaton", "9**9**9", "__import__('os')", "x" * 3000, "", "[", "{a: 1}"]),
)
EXPRESSION_JUNK = st.sampled_from(
    ["(", ")", "**", " and ", " or not ", "__", "[0]", ".x", "'", "9" * 30, "/0", "lambda", ":", "ROK.", "tie.", "=="]
)


def paths_in(tree, prefix=()):
    """Every (path, value) in a parsed YAML tree."""
    yield prefix, tree
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from paths_in(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from paths_in(value, (*prefix, index))


def set_at(tree, path, value=None, delete=False):
    node = tree
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value


def check(text: bytes | str, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and problem.col >= 1 and problem.message
            assert "Traceback" not in problem.message
        return
    try:
        TrilateralModel(scenario, seed=1, replications=3, turns=2).run()
    except UsageError:
        pass  # e.g. an abstract scenario, refused with a clear message


def original(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda p: Path(p).stem)
@SETTINGS
@given(data=st.data())
def test_tree_mutations(shipped, data, tmp_path):
    tree = yaml.safe_load(original(shipped))
    for _ in range(data.draw(st.integers(1, 3))):
        candidates = [p for p, _ in paths_in(tree) if p]
        if not candidates:
            break
        path = data.draw(st.sampled_from(candidates))
        action = data.draw(st.sampled_from(["delete", "junk", "expression"]))
        node = tree
        for part in path:
            node = node[part]
        if action == "delete":
            set_at(tree, path, delete=True)
        elif action == "junk":
            set_at(tree, path, data.draw(JUNK))
        elif isinstance(node, str):
            at = data.draw(st.integers(0, len(node)))
            set_at(tree, path, node[:at] + data.draw(EXPRESSION_JUNK) + node[at:])
    check(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), tmp_path, shipped.name)


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda p: Path(p).stem)
@SETTINGS
@given(data=st.data())
def test_text_mutations(shipped, data, tmp_path):
    raw = original(shipped).encode("utf-8")
    action = data.draw(st.sampled_from(["truncate", "bytes", "splice"]))
    if action == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif action == "bytes":
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=16)) + raw[at:]
    else:
        a, b = sorted(data.draw(st.lists(st.integers(0, len(raw)), min_size=2, max_size=2)))
        raw = raw[:a] + raw[b:]
    check(raw, tmp_path, shipped.name)
