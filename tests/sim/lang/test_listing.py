"""The kept library listing: the same rows as reading the files, and read again after any change."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim.errors import ScenarioError
from sim.lang import listing, specs
from sim.lang.library import library_dir, library_ids


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache folder, and a count of the scenarios read from their files."""
    monkeypatch.setenv(listing.CACHE_ENV, str(tmp_path))
    reads: list[str] = []
    real = specs.load_spec_and_files

    def counted(name):
        reads.append(str(name))
        return real(name)

    monkeypatch.setattr(specs, "load_spec_and_files", counted)
    return tmp_path / listing.CACHE_NAME, reads


def read_without_cache(monkeypatch) -> list[dict]:
    with monkeypatch.context() as patch:
        patch.setenv(listing.CACHE_ENV, "off")
        return listing.library_listing()


def test_a_kept_listing_has_the_rows_read_from_the_files_and_reads_no_file(cache, monkeypatch):
    path, reads = cache
    first = listing.library_listing()
    assert path.is_file() and len(reads) == len(library_ids())
    reads.clear()
    again = listing.library_listing()
    assert reads == []  # printed from the kept rows
    assert again == first == read_without_cache(monkeypatch)
    baseline = next(row for row in first if row["id"] == "baseline")
    assert baseline["title"] == "Camp David momentum" and baseline["turns"] == 16
    assert baseline["source"].startswith("Kuyoun Chung, ")


def test_the_cache_records_every_file_of_each_chain(cache):
    path, _ = cache
    listing.library_listing()
    kept = json.loads(path.read_text())
    recorded = set(kept["files"])
    assert str(library_dir() / "defaults.yaml") in recorded  # the root every scenario extends
    assert {str(library_dir() / f"{ident}.yaml") for ident in library_ids()} <= recorded
    assert kept["ids"] == library_ids() and kept["format"] == listing.FORMAT


def test_a_changed_file_is_read_again(cache, monkeypatch):
    path, reads = cache
    listing.library_listing()
    reads.clear()
    real = listing.file_digest
    root = str(library_dir() / "defaults.yaml")
    monkeypatch.setattr(listing, "file_digest", lambda file: "edited" if str(file) == root else real(file))
    listing.library_listing()
    assert len(reads) == len(library_ids())
    assert json.loads(path.read_text())["files"][root] == "edited"  # kept again, as read now


def _kept_with(**changes):
    def spoil(monkeypatch, path):
        kept = json.loads(path.read_text())
        kept.update(changes)
        path.write_text(json.dumps(kept))

    return spoil


SPOILERS = {
    "other code": lambda monkeypatch, path: monkeypatch.setattr(listing, "_code_digest", lambda: "other code"),
    "a scenario removed": lambda monkeypatch, path: monkeypatch.setattr(
        listing, "library_ids", lambda: library_ids()[1:]
    ),
    "not JSON": lambda monkeypatch, path: path.write_text("{not json"),
    "not a mapping": lambda monkeypatch, path: path.write_text("[1, 2]"),
    "another format": _kept_with(format=listing.FORMAT + 1),
    "rows not a list": _kept_with(rows="x"),
    "rows of other ids": _kept_with(rows=[{"id": "other"}]),
    "a file list that is no mapping": _kept_with(files=["defaults.yaml"]),
}


@pytest.mark.parametrize("spoil", SPOILERS.values(), ids=SPOILERS)
def test_changed_code_or_library_or_a_foreign_cache_file_means_reading_again(cache, monkeypatch, spoil):
    path, reads = cache
    listing.library_listing()
    reads.clear()
    spoil(monkeypatch, path)
    rows = listing.library_listing()
    assert reads, "a stale or foreign cache was trusted"
    assert [row["id"] for row in rows] == listing.library_ids()


def test_the_cache_can_be_turned_off_and_an_unwritable_folder_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setenv(listing.CACHE_ENV, "off")
    assert listing.cache_path() is None
    rows = listing.library_listing()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(listing.CACHE_ENV, str(blocker / "below"))  # cannot be created
    assert listing.library_listing() == rows
    assert not (blocker / "below").exists()


def test_a_refused_file_is_reported_and_nothing_is_kept(cache, monkeypatch):
    path, _ = cache

    def refused(name):
        raise ScenarioError.single(f"{name}.yaml", 3, 1, "turns: must be a positive integer", "schema")

    monkeypatch.setattr(specs, "load_spec_and_files", refused)
    with pytest.raises(ScenarioError, match="turns"):
        listing.library_listing()
    assert not path.exists()


def test_a_kept_listing_imports_neither_the_schema_nor_yaml(tmp_path):
    """The point of keeping it: ``trilat list`` of unchanged files starts in about a tenth of a second."""
    env_code = (
        "import os, sys; os.environ['TRILAT_LISTING_CACHE'] = sys.argv[1]; "
        "from sim.lang.listing import library_listing; rows = library_listing(); "
        "print(len(rows), 'pydantic' in sys.modules or 'yaml' in sys.modules)"
    )
    first = subprocess.run([sys.executable, "-c", env_code, str(tmp_path)], capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", env_code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert first.stdout.split() == [str(len(library_ids())), "True"]  # the probe sees the schema when it is read
    assert second.stdout.split() == [str(len(library_ids())), "False"]


def test_a_file_edited_while_the_library_is_read_is_read_again_next_time(cache, monkeypatch):
    """The digests are taken before the files are read: rows read from an edited file never get its new digest."""
    path, reads = cache
    root = str(library_dir() / "defaults.yaml")
    real = specs.load_spec_and_files
    edited = {"done": False}

    def edited_while_reading(name):
        edited["done"] = True  # from now on the root file "has changed"
        return real(name)

    real_digest = listing.file_digest
    monkeypatch.setattr(
        listing, "file_digest", lambda file: "new" if edited["done"] and str(file) == root else real_digest(file)
    )
    monkeypatch.setattr(specs, "load_spec_and_files", edited_while_reading)
    listing.library_listing()
    assert json.loads(path.read_text())["files"][root] != "new"  # kept with the digest from before reading
    monkeypatch.setattr(specs, "load_spec_and_files", real)  # the fixture's counting reader
    reads.clear()
    listing.library_listing()
    assert len(reads) == len(library_ids())  # so the next listing reads the library again
