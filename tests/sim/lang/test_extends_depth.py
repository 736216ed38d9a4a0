"""An ``extends:`` chain longer than the declared limit is refused at the ``extends:`` of the file loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.engine.limits import MAX_EXTENDS_DEPTH
from sim.errors import ScenarioError
from sim.lang.scenario import library_ids, load_scenario


def _chain(folder: Path, files: int) -> Path:
    """``s0.yaml`` extending ``s1.yaml`` ... extending baseline: ``files`` files of the folder's own."""
    for k in range(files):
        parent = f"s{k + 1}.yaml" if k < files - 1 else "baseline"
        (folder / f"s{k}.yaml").write_text(f"id: s{k}\ntitle: S{k}\nextends: {parent}\n", encoding="utf-8")
    return folder / "s0.yaml"


def test_a_chain_within_the_limit_loads(tmp_path):
    # The folder's files, baseline and defaults: exactly the limit.
    scenario = load_scenario(_chain(tmp_path, MAX_EXTENDS_DEPTH - 2))
    assert len(scenario.files) == MAX_EXTENDS_DEPTH


def test_a_chain_past_the_limit_is_refused_where_it_passes_it(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_chain(tmp_path, MAX_EXTENDS_DEPTH - 1))
    text = str(caught.value)
    assert f"more than {MAX_EXTENDS_DEPTH} files long" in text
    assert text.startswith(f"{tmp_path / 's0.yaml'}:3:10:")  # at the extends: of the file loaded
    assert "(reached baseline.yaml)" in text


def test_the_shipped_chains_are_far_below_the_limit():
    assert max(len(load_scenario(ident).files) for ident in library_ids()) * 4 <= MAX_EXTENDS_DEPTH
