"""The documentation's examples run: Python blocks in README.md, and the example scenario in the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("index", range(len(python_blocks(ROOT / "README.md"))))
def test_readme_python_examples_run(index):
    code = python_blocks(ROOT / "README.md")[index]
    namespace: dict = {}
    exec(compile(code, f"README.md python block {index}", "exec"), namespace)  # noqa: S102


@pytest.mark.parametrize("index", range(len(python_blocks(ROOT / "docs" / "performance.md"))))
def test_performance_python_examples_run(index):
    code = python_blocks(ROOT / "docs" / "performance.md")[index]
    exec(compile(code, f"docs/performance.md python block {index}", "exec"), {})  # noqa: S102


def test_readme_names_the_two_setup_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_docs_link_to_existing_files():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_the_catalogue_describes_every_library_scenario():
    from sim import library_ids, load_scenario

    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for ident in library_ids():
        assert f"`{ident}`" in text, ident
        assert load_scenario(ident).spec.title in text, ident
