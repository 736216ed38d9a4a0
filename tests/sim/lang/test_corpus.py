"""A corpus of broken scenario files, each with the problems it must be reported with.

Layout of ``tests/corpus/broken/``:

- Every ``*.yaml`` directly in the folder is one test case (the test id is the file stem). Its
  first lines are comments stating the expected problems, one per line::

      # expect: 7:12: unknown name 'ROK.polarizaton' (did you mean 'ROK.polarization'?)

  ``LINE:COL`` must match a reported problem exactly and ``FRAGMENT`` (the rest of the line)
  must be a substring of that problem's message. A file may list several ``# expect:`` lines;
  other problems may be reported too, as long as each expectation is met.
- By default every problem must be reported in the broken file itself. A file whose problems
  are reported in another file (a parent it extends) says so with
  ``# expect-file: partners/parent.yaml`` (a path relative to the corpus folder); its
  ``# expect:`` positions then refer to that file.
- Files that cannot carry a comment (binary, not UTF-8, zero bytes) take their expectations
  from :data:`SIDECAR` below.
- ``partners/`` holds the parent files some cases extend. Only the top level of the folder is
  collected, so partner files are not test cases themselves.

Cycles in ``extends:`` are reported at the ``extends:`` value that closes the cycle, which is
in the other file of a two-file cycle (hence ``# expect-file:`` in ``extends_cycle_a/b.yaml``).

Loading must raise :class:`~sim.errors.ScenarioError`; any other exception is a bug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.lang.scenario import load_scenario

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "broken"
MIN_CORPUS_FILES = 40

_EXPECT = re.compile(r"^#\s*expect:\s*(\d+):(\d+):\s?(.*?)\s*$")
_EXPECT_FILE = re.compile(r"^#\s*expect-file:\s*(\S+)\s*$")


@dataclass(frozen=True)
class Expectation:
    line: int
    col: int
    fragment: str

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.fragment}"


# Expectations of files that cannot hold a comment: file name -> expected problems.
SIDECAR: dict[str, list[Expectation]] = {
    "encoding_binary.yaml": [Expectation(1, 1, "binary file, not YAML text")],
    "encoding_latin1.yaml": [Expectation(2, 11, "file is not UTF-8 text")],
    "yaml_empty.yaml": [Expectation(1, 1, "a scenario file must be a YAML mapping")],
}


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.yaml"))


def expectations(path: Path) -> tuple[list[Expectation], Path]:
    """The expected problems of a corpus file, and the file they are expected in."""
    if path.name in SIDECAR:
        return SIDECAR[path.name], path
    found: list[Expectation] = []
    where = path
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := _EXPECT.match(line):
            found.append(Expectation(int(match.group(1)), int(match.group(2)), match.group(3)))
        elif match := _EXPECT_FILE.match(line):
            where = CORPUS / match.group(1)
    return found, where


def _same_file(a: str | Path, b: Path) -> bool:
    return Path(a).resolve() == b.resolve()


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_broken_file_is_reported(path: Path) -> None:
    expected, where = expectations(path)
    assert expected, f"{path.name} states no '# expect:' line (and has no SIDECAR entry)"
    assert where.is_file(), f"{path.name}: expect-file {where} does not exist"
    try:
        load_scenario(path)
    except ScenarioError as exc:
        problems = exc.problems
    except Exception as exc:  # noqa: BLE001 - any other exception type is the bug we look for
        pytest.fail(f"{path.name}: {type(exc).__name__} escaped instead of ScenarioError: {exc}")
    else:
        pytest.fail(f"{path.name} loaded without any problem")

    reported = "\n".join(str(p) for p in problems)
    assert problems, f"{path.name}: ScenarioError without problems"
    for expectation in expected:
        assert any(
            p.line == expectation.line and p.col == expectation.col and expectation.fragment in p.message
            for p in problems
        ), f"{path.name}: expected {expectation}\nreported:\n{reported}"
    elsewhere = [p for p in problems if not _same_file(p.path, where)]
    assert not elsewhere, f"{path.name}: problems expected in {where.name} only\nreported:\n{reported}"


def test_corpus_is_large_enough() -> None:
    assert len(corpus_files()) >= MIN_CORPUS_FILES


def test_sidecar_entries_name_corpus_files() -> None:
    names = {p.name for p in corpus_files()}
    assert set(SIDECAR) <= names


def test_sidecar_files_really_cannot_hold_comments() -> None:
    """Keep the sidecar for files that need it: everything else states its own expectations."""
    for name in SIDECAR:
        raw = (CORPUS / name).read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        assert not text or "\x00" in text, f"{name} could carry '# expect:' comments instead"
