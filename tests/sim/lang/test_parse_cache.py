"""Scenario files are parsed once per process: the ``extends:`` chain is cached by content, safely."""

from __future__ import annotations

from sim.lang import loading
from sim.lang.checks import file_problems
from sim.lang.scenario import load_scenario, load_spec

CHILD = "id: child\ntitle: Child\nextends: baseline\nturns: {turns}\n"


def counting_parser(monkeypatch):
    """Count parses of each file from now on (the cache is emptied first)."""
    loading._parse_cached.cache_clear()
    counts: dict[str, int] = {}
    real = loading.parse_yaml

    def parse(text, shown, *args):
        counts[shown.rsplit("/", 1)[-1]] = counts.get(shown.rsplit("/", 1)[-1], 0) + 1
        return real(text, shown, *args)

    monkeypatch.setattr(loading, "parse_yaml", parse)
    return counts


def test_defaults_is_parsed_once_for_the_whole_library(monkeypatch):
    counts = counting_parser(monkeypatch)
    for ident in ("baseline", "baseline", "dprk-cyber", "maritime-security"):
        load_scenario(ident)
    assert counts["defaults.yaml"] == 1 and counts["baseline.yaml"] == 1


def test_an_edited_file_is_parsed_again_even_with_the_same_size_and_time(tmp_path, monkeypatch):
    counts = counting_parser(monkeypatch)
    path = tmp_path / "child.yaml"
    path.write_text(CHILD.format(turns=12), encoding="utf-8")
    first = path.stat()
    assert load_scenario(path).turns == 12
    path.write_text(CHILD.format(turns=13), encoding="utf-8")  # same size
    import os

    os.utime(path, ns=(first.st_atime_ns, first.st_mtime_ns))  # and the same modification time
    assert load_scenario(path).turns == 13
    assert counts["child.yaml"] == 2 and counts["defaults.yaml"] == 1


def test_changing_a_loaded_tree_does_not_change_the_next_load():
    tree, _ = loading.load_chain(loading.library_dir() / "defaults.yaml", file_problems)
    tree["title"] = "changed"
    tree["parameters"].clear()
    merged, _ = loading.load_chain(loading.library_dir() / "baseline.yaml", file_problems)
    merged["parameters"].clear()
    again, _ = loading.load_chain(loading.library_dir() / "defaults.yaml", file_problems)
    assert again["title"] != "changed" and again["parameters"]
    assert load_scenario("baseline").parameter_defaults


def test_a_broken_file_is_reported_each_time_not_cached(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"id: x\ntitle: [\n")
    for _ in range(2):
        try:
            load_scenario(path)
        except Exception as exc:  # noqa: BLE001 - the located error's text is what matters
            assert str(exc).startswith(f"{path}:")
        else:
            raise AssertionError("a broken file loaded")


def test_load_spec_reads_what_list_shows_without_compiling():
    spec = load_spec("baseline")
    assert spec.id == "baseline" and spec.title == load_scenario("baseline").title
    assert spec.sources and spec.turns == 16
