"""The red team against damaged results parts in a sweep of several chunks: one corrupt part among good ones.

``DAMAGED_CASES`` are refusals judged like every other red-team case. Analyze and resume must
succeed instead: analyze names the corrupt part, skips it and counts its runs (stderr, the
notes, ``analysis/skipped.csv``); resume runs it again, giving the original results back.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.redteam.cases_files import GOOD_EXP
from tests.redteam.cases_results import flip_data_page
from tests.redteam.harness import Case, judge, run_case

PART = "sweep/parts/part-000001.parquet"


@functools.cache
def chunked_sweep() -> Path:
    """A real, finished sweep of four one-run chunks (built once per process)."""
    from sim.research.sweep import run_sweep

    folder = Path(tempfile.mkdtemp(prefix="trilat-redteam-chunked-"))
    (folder / "exp.yaml").write_text(GOOD_EXP, encoding="utf-8")
    run_sweep(folder / "exp.yaml", folder / "sweep", progress=False, chunk_runs=1)
    return folder


def _corrupt(box: Path) -> None:
    source = chunked_sweep()
    shutil.copy(source / "exp.yaml", box / "exp.yaml")
    shutil.copytree(source / "sweep", box / "sweep")
    flip_data_page(box / PART)


def _corrupt_page_header(box: Path) -> None:
    """Like ``_corrupt``, but the flipped bytes are the first column chunk's page header (it fails to decode)."""
    import pyarrow.parquet as pq

    _corrupt(box)
    shutil.copy(chunked_sweep() / PART, box / PART)
    chunk = pq.read_metadata(box / PART).row_group(0).column(0)
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    data = bytearray((box / PART).read_bytes())
    for k in range(3):
        data[start + 1 + k] ^= 0xFF
    (box / PART).write_bytes(bytes(data))


FROM_SWEEP = ("run", "--from-sweep", "{box}/sweep", "--run", "1")
DAMAGED_CASES = [
    Case("damaged-page-from-sweep", FROM_SWEEP, _corrupt, names=PART[6:]),
    Case("damaged-page-header-from-sweep", FROM_SWEEP, _corrupt_page_header, names=PART[6:]),
]


@pytest.mark.parametrize("case", DAMAGED_CASES, ids=lambda case: case.name)
def test_a_run_in_a_corrupt_part_is_refused_naming_the_part(case, tmp_path):
    box, outside = tmp_path / "box", tmp_path / "outside"
    box.mkdir()
    outside.mkdir()
    code, _, err = run_case(case, box, outside)
    judge(case, code, err)
    assert "corrupt" in err or "unreadable" in err


def _box(tmp_path: Path) -> tuple[Path, Path]:
    box, outside = tmp_path / "box", tmp_path / "outside"
    box.mkdir()
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me", encoding="utf-8")
    return box, outside


def test_analyze_names_skips_and_counts_a_corrupt_part(tmp_path):
    box, outside = _box(tmp_path)
    case = Case("damaged-page-analyze", ("analyze", "{box}/sweep"), _corrupt, may_change=("sweep/analysis",))
    code, out, err = run_case(case, box, outside)
    assert code == 0, err[-2000:]
    assert "Traceback" not in err
    assert "parts/part-000001.parquet" in err and "1 results part(s)" in err and "(1 runs)" in err
    assert "note: 1 results part(s)" in out
    skipped = (box / "sweep" / "analysis" / "skipped.csv").read_text(encoding="utf-8").splitlines()
    assert skipped[0] == "part,chunk,runs,problem"
    assert skipped[1].startswith("parts/part-000001.parquet,1,1,corrupt: ")
    assert len(skipped) == 2


def test_resume_runs_a_corrupt_part_again(tmp_path):
    box, outside = _box(tmp_path)
    original = hashlib.sha256((chunked_sweep() / PART).read_bytes()).hexdigest()
    case = Case("damaged-page-resume", ("sweep", "{box}/exp.yaml", "--out", "{box}/sweep", "--quiet"), _corrupt)
    case = Case(case.name, case.argv, case.setup, may_change=("sweep",))
    code, _, err = run_case(case, box, outside)
    assert code == 0, err[-2000:]
    assert "Traceback" not in err and "part-000001.parquet" in err
    assert hashlib.sha256((box / PART).read_bytes()).hexdigest() == original  # the same bytes as first written


def test_resume_does_not_adopt_a_corrupt_part_the_manifest_had_not_recorded(tmp_path):
    """A worker's part written after the last manifest update is adopted only if its digest holds."""
    from sim.research.sweep.manifest import ChunkStatus, load_manifest

    box, outside = _box(tmp_path)
    original = hashlib.sha256((chunked_sweep() / PART).read_bytes()).hexdigest()

    def unrecorded_and_corrupt(folder: Path) -> None:
        _corrupt(folder)
        manifest = load_manifest(folder / "sweep")
        chunk = manifest.chunks[1]
        chunk.status, chunk.segment = ChunkStatus.PENDING, None
        manifest.write(folder / "sweep")

    argv = ("sweep", "{box}/exp.yaml", "--out", "{box}/sweep", "--quiet")
    case = Case("damaged-unrecorded-resume", argv, unrecorded_and_corrupt, may_change=("sweep",))
    code, _, err = run_case(case, box, outside)
    assert code == 0, err[-2000:]
    assert "Traceback" not in err
    assert hashlib.sha256((box / PART).read_bytes()).hexdigest() == original  # run again, not adopted
