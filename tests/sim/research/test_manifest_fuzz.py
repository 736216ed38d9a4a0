"""Hypothesis fuzzing of sweep manifests: any mutation of a real one is loaded or refused cleanly.

Mutations of a real ``manifest.json`` (and of its inline view, with the design rows and the
chunk table inside the JSON) delete keys, replace values with other JSON (huge integers,
floats, strings, lists, nested objects), wrap values in lists, shift numbers and add keys.
``load_manifest`` must either succeed or raise a :class:`TrilatError` (a ``SweepError``), never
another exception. A modest number of examples by default; many more under ``-m fuzz``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import TrilatError
from sim.research.sweep import load_manifest, read_manifest, run_sweep
from tests.sim.research.conftest import write_experiment

EXPERIMENT = """\
id: fuzzed
scenarios: [baseline]
parameters:
  us_transactionalism: {range: [0, 1]}
sampler: grid
levels: 2
replications: 3
seed: 2
turns: 2
outputs:
  indicators: [trilateral]
"""

Json = Any
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([0, -1, 1, 2**63, -(2**63) - 1, 10**40, 10**4000])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished two-chunk sweep whose manifest the tests overwrite."""
    base = tmp_path_factory.mktemp("fuzz")
    path = write_experiment(base, EXPERIMENT)
    assert run_sweep(path, base / "out", progress=False, chunk_runs=3).complete
    return base / "out"


@pytest.fixture(scope="module")
def originals(folder: Path) -> list[dict[str, Json]]:
    """The real manifest.json, and its inline view (design rows and chunks inside the JSON)."""
    real = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [real, read_manifest(folder)]


def _places(data: Json, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _places(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _places(value, (*prefix, index))


def _mutate(data: Json, place: tuple[Any, ...], how: str, value: Json) -> Json:
    if not place:
        return [data] if how == "nest" else value
    parent = data
    for key in place[:-1]:
        parent = parent[key]
    last, current = place[-1], parent[place[-1]]
    if how == "delete" and isinstance(parent, dict):
        del parent[last]
    elif how == "nest":
        parent[last] = [current]
    elif how == "shift" and isinstance(current, int) and not isinstance(current, bool):
        parent[last] = current + (value if isinstance(value, int) and not isinstance(value, bool) else -1)
    elif how == "add" and isinstance(current, dict):
        current[str(value)[:20]] = value
    else:
        parent[last] = value
    return data


@st.composite
def mutations(draw: st.DrawFn, originals: list[dict[str, Json]]) -> Json:
    data = copy.deepcopy(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 3))):
        places = list(_places(data))
        place = draw(st.sampled_from(places))
        how = draw(st.sampled_from(["delete", "replace", "nest", "shift", "add"]))
        data = _mutate(data, place, how, draw(VALUES))
    return data


def _check(folder: Path, data: Json) -> None:
    try:
        text = json.dumps(data)
    except ValueError:
        return  # an integer too long for json.dumps: cannot be written
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    try:
        load_manifest(folder)
    except TrilatError as exc:
        assert "\n" not in str(exc)


def _fuzz(folder: Path, originals: list[dict[str, Json]], examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=mutations(originals))
    def run(data: Json) -> None:
        _check(folder, data)

    run()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
def test_mutated_manifests_load_or_are_refused_cleanly(folder, originals):
    _fuzz(folder, originals, 60)


@pytest.mark.fuzz
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
def test_many_mutated_manifests_load_or_are_refused_cleanly(folder, originals):
    _fuzz(folder, originals, 3000)
