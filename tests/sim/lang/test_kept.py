"""Kept compiled scenarios: the same scenario as loading the files, and loaded again after any change."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.engine.model import TrilateralModel
from sim.errors import ScenarioError
from sim.lang import kept
from sim.lang import scenario as front_end
from sim.lang.compiled_scenario import Scenario, ScenarioFacts, SpecHolder
from sim.lang.library import library_dir, library_ids

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh folder of kept scenarios, and the names the front end loaded from their files."""
    folder = tmp_path / "kept"
    monkeypatch.setenv(kept.CACHE_ENV, str(folder))
    reads: list[str] = []
    real = front_end.load_scenario

    def counted(name):
        reads.append(str(name))
        return real(name)

    monkeypatch.setattr(front_end, "load_scenario", counted)
    return folder, reads


def final_state(scenario: Scenario, replications: int = 3) -> np.ndarray:
    model = TrilateralModel(scenario, seed=11, replications=replications, engine="numpy")
    model.run()
    return model.x.copy()


def own_scenario(folder: Path, title: str = "Mine") -> Path:
    path = folder / "mine.yaml"
    path.write_text(f"id: mine\ntitle: {title}\nextends: baseline\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("ident", ["baseline", "leadership-changes", "korean-polarization"])
def test_a_kept_scenario_runs_as_the_one_read_from_its_files(cache, ident):
    folder, reads = cache
    first = kept.load(ident)
    assert reads == [ident] and len(list(folder.glob("*" + kept.SUFFIX))) == 1
    again = kept.load(ident)
    assert reads == [ident]  # the second came from the kept copy
    assert again is not first and again.spec_holder.loaded() is False
    fresh = front_end.load_scenario(ident)
    assert again.content_hash == fresh.content_hash and again.facts == fresh.facts
    assert again.path == fresh.path and again.files == fresh.files and again.texts == fresh.texts
    assert np.array_equal(final_state(again), final_state(fresh))
    assert not again.spec_holder.loaded()  # running it never read the spec
    assert again.spec == fresh.spec  # and the spec is there when a tool asks


def test_every_library_scenario_keeps_its_facts(cache):
    for ident in library_ids():
        fresh = front_end.load_scenario(ident)
        if fresh.facts.abstract:
            continue
        kept.load(ident)
        copy = kept.load(ident)
        assert copy.facts == ScenarioFacts.of(fresh.spec, fresh.layout.domains) == fresh.facts
        assert copy.content_hash == fresh.content_hash


def test_an_edited_file_of_the_chain_is_read_again(cache, tmp_path):
    folder, reads = cache
    path = own_scenario(tmp_path)
    assert kept.load(path).title == "Mine"
    own_scenario(tmp_path, "Edited")
    assert kept.load(path).title == "Edited" and len(reads) == 2
    assert kept.load(path).title == "Edited" and len(reads) == 2  # kept again, as read now


def test_a_relative_path_stays_as_given(cache, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    absolute = own_scenario(tmp_path)
    assert kept.load(absolute).path == absolute  # kept under the file's own place
    copy = kept.load("mine.yaml")
    assert copy.path == Path("mine.yaml") == front_end.load_scenario("mine.yaml").path
    assert len(cache[1]) == 2  # the relative name found the same kept file (then the check above read it)


def _spoil_header(**changes):
    def spoil(path: Path) -> None:
        header, _, body = path.read_bytes().partition(b"\n")
        fields = json.loads(header)
        fields.update(changes)
        path.write_bytes(json.dumps(fields).encode() + b"\n" + body)

    return spoil


def _replace_body(body: bytes):
    def spoil(path: Path) -> None:
        header, _, _ = path.read_bytes().partition(b"\n")
        path.write_bytes(header + b"\n" + body)

    return spoil


@pytest.mark.parametrize(
    "spoil",
    [
        _spoil_header(format=0),
        _spoil_header(code="other code"),
        _spoil_header(path="/elsewhere/baseline.yaml"),
        _spoil_header(files=[[str(library_dir() / "baseline.yaml"), "0" * 64]]),
        _replace_body(b"not a pickle"),
        _replace_body(pickle.dumps({"a": "dict"})),
        _replace_body(b""),
        lambda path: path.write_bytes(b"\x00\xff garbage"),
        lambda path: path.write_text("[1, 2]\n", encoding="utf-8"),
    ],
    ids=["format", "code", "path", "digest", "body", "foreign-object", "truncated", "binary", "json-list"],
)
def test_a_stale_or_foreign_kept_file_means_reading_again(cache, spoil):
    folder, reads = cache
    kept.load("baseline")
    (path,) = folder.glob("*" + kept.SUFFIX)
    spoil(path)
    scenario = kept.load("baseline")
    assert len(reads) == 2 and scenario.id == "baseline"
    kept.load("baseline")
    assert len(reads) == 2  # the spoiled file was replaced


def test_changed_code_means_reading_again(cache, monkeypatch):
    _, reads = cache
    kept.load("baseline")
    monkeypatch.setattr(kept, "code_digest", lambda: "newer code")
    kept.load("baseline")
    assert len(reads) == 2


def test_the_cache_can_be_turned_off_and_an_unwritable_folder_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setenv(kept.CACHE_ENV, "off")
    assert kept.folder() is None and kept.load("baseline").id == "baseline"
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(kept.CACHE_ENV, str(blocker / "kept"))  # its parent is a file
    assert kept.load("baseline").id == "baseline"
    assert blocker.read_text(encoding="utf-8") == "x"


def test_a_refused_file_is_reported_and_nothing_is_kept(cache, tmp_path):
    folder, _ = cache
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: Bad\nextends: baseline\nturns: -3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.yaml:4"):
        kept.load(bad)
    with pytest.raises(ScenarioError, match="no scenario named 'baselin'"):
        kept.load("baselin")
    assert not folder.exists() or not list(folder.iterdir())


def test_a_file_edited_after_it_was_read_is_not_kept(tmp_path):
    path = own_scenario(tmp_path)
    scenario = front_end.load_scenario(path)
    own_scenario(tmp_path, "Edited meanwhile")
    assert kept.keep(tmp_path / "kept", scenario) is None
    assert not (tmp_path / "kept").exists()


def test_only_the_most_recent_are_kept(cache, monkeypatch):
    folder, _ = cache
    monkeypatch.setattr(kept, "MAX_KEPT", 2)
    for age, ident in enumerate(["baseline", "dprk-cyber", "energy-security"]):
        written = kept.keep(folder, front_end.load_scenario(ident))
        assert written is not None
        os.utime(written, (1_000_000 + age, 1_000_000 + age))
    names = {json.loads(path.read_bytes().partition(b"\n")[0])["path"] for path in folder.glob("*" + kept.SUFFIX)}
    assert names == {str(library_dir() / "dprk-cyber.yaml"), str(library_dir() / "energy-security.yaml")}


def test_a_scenario_pickles_its_spec_once_and_reads_it_on_demand():
    scenario = front_end.load_scenario("baseline")
    copy = pickle.loads(pickle.dumps(scenario))
    assert not copy.spec_holder.loaded()
    assert copy.id == "baseline" and copy.turns == scenario.turns  # the facts need no spec
    assert copy.spec == scenario.spec and copy.spec_holder.loaded()
    assert copy.spec_holder.pickled() == scenario.spec_holder.pickled()
    with pytest.raises(ValueError, match="spec or its pickled bytes"):
        SpecHolder()


def test_a_kept_run_imports_neither_the_schema_nor_yaml(tmp_path):
    """The point of keeping it: a one-story ``trilat run`` starts without the scenario front end."""
    probe = (
        "import contextlib, hashlib, io, os, sys; os.environ['TRILAT_SCENARIO_CACHE'] = sys.argv[1]; "
        "sys.argv = ['trilat', 'run', 'baseline', '--json']; from sim.cli import main; out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n    code = main()\n"
        "print(code, 'pydantic' in sys.modules, 'yaml' in sys.modules, hashlib.sha256(out.getvalue().encode()).hexdigest())"
    )
    runs = [
        subprocess.run([sys.executable, "-c", probe, folder], capture_output=True, text=True, check=True, cwd=ROOT)
        for folder in (str(tmp_path), str(tmp_path), "off")
    ]
    first, second, uncached = (run.stdout.split() for run in runs)
    assert first[:3] == ["0", "True", "True"]  # the probe sees the front end when the files are read
    assert second[:3] == ["0", "False", "False"]
    assert first[3] == second[3] == uncached[3]  # the same story, to the byte
