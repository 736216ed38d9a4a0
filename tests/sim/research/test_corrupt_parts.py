"""Results parts with an intact footer over corrupt data pages: found by their digest, skipped, counted, re-run."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.research.analysis import analyze
from sim.research.analysis.parts import PartReader
from sim.research.analysis.trajectories import read_trajectories
from sim.research.sweep import SweepError, load_manifest, reproduce, run_sweep
from sim.research.sweep.damage import chunk_problem, damaged_parts
from sim.research.sweep.integrity import DIGEST_KEY, part_problem
from sim.research.sweep.layout import dictionary_columns
from tests.sim.research.conftest import TINY as BASE_TINY
from tests.sim.research.conftest import read_runs
from tests.sim.research.sweep_driver import copy_of_sweep, finished_sweep

TINY = BASE_TINY + "  keep_trajectories: true\n"


def flip_data_page(path: Path, column: int = -1, where: str = "middle") -> None:
    """Flip four bytes inside one column chunk of ``path`` (its footer, and so its metadata, stay intact)."""
    group = pq.read_metadata(path).row_group(0)
    chunk = group.column(column % group.num_columns)
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    at = start + (chunk.total_compressed_size // 2 if where == "middle" else 1)
    data = bytearray(path.read_bytes())
    for k in range(4):
        data[at + k] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny sweep of three chunks, with trajectories (copied by each test that damages it)."""
    return finished_sweep(tmp_path_factory.mktemp("stored"), TINY)


@pytest.fixture()
def sweep(stored: Path, tmp_path: Path) -> Path:
    return copy_of_sweep(stored, tmp_path)


def test_a_part_carries_the_digest_of_its_bytes_and_its_data_is_unchanged(sweep):
    path = sweep / "parts" / "part-000001.parquet"
    raw = path.read_bytes()
    stored = pq.read_metadata(path).metadata[DIGEST_KEY]
    (footer,) = struct.unpack("<I", raw[-8:-4])
    import hashlib

    assert hashlib.sha256(raw[: len(raw) - 8 - footer]).hexdigest().encode() == stored
    table = pq.read_table(path)
    plain = io.BytesIO()
    pq.write_table(table, plain, compression="zstd", use_dictionary=dictionary_columns(table))
    plain_raw = plain.getvalue()
    (plain_footer,) = struct.unpack("<I", plain_raw[-8:-4])
    assert plain_raw[: len(plain_raw) - 8 - plain_footer] == raw[: len(raw) - 8 - footer]  # same data pages
    assert pq.read_table(io.BytesIO(plain_raw)).equals(table)
    assert DIGEST_KEY not in (table.schema.metadata or {})  # not part of the table read back
    assert part_problem(path) is None


def test_a_flipped_data_page_reads_silently_wrong_but_its_digest_catches_it(tmp_path):
    import numpy as np
    import pyarrow as pa

    from sim.atomic import atomic_write
    from sim.research.sweep.integrity import write_parquet

    values = np.random.default_rng(3).random((4, 2000))
    table = pa.table({f"v{j}": values[j] for j in range(4)})
    path = atomic_write(tmp_path / "part.parquet", lambda handle: write_parquet(table, handle, "zstd"), binary=True)
    assert part_problem(path) is None
    flip_data_page(path, column=2)
    assert pq.read_metadata(path).num_rows == 2000  # the footer is intact: the old check passed it
    after = pq.read_table(path)  # decoding does not notice: a full read is not a sound check
    assert after["v0"].equals(table["v0"]) and not after["v2"].equals(table["v2"])
    assert part_problem(path) == "corrupt: its content does not match the digest written with it"


def test_a_sweep_part_with_a_flipped_page_is_damaged(sweep):
    flip_data_page(sweep / "parts" / "part-000001.parquet")
    assert [c.id for c in damaged_parts(sweep, load_manifest(sweep))] == [1]
    assert damaged_parts(sweep, load_manifest(sweep), verify=False) == []


def test_analyze_skips_and_counts_a_corrupt_part_resume_reruns_it_from_sweep_names_it(sweep, capsys):
    reference = read_runs(sweep)
    flip_data_page(sweep / "parts" / "part-000001.parquet")
    result = analyze(sweep, plots=False, echo=False)
    err = capsys.readouterr().err
    assert "parts/part-000001.parquet" in err and "corrupt" in err and "Traceback" not in err
    assert any("1 results part(s)" in note and "(4 runs)" in note for note in result.notes)
    assert int(result.points["runs"].sum()) == 8
    skipped = pd.read_csv(sweep / "analysis" / "skipped.csv")
    assert skipped.to_dict("records") == [
        {
            "part": "parts/part-000001.parquet",
            "chunk": 1,
            "runs": 4,
            "problem": "corrupt: its content does not match the digest written with it",
        }
    ]
    with pytest.raises(SweepError, match=r"part-000001\.parquet: corrupt: .*holds run 4 \(chunk 1\)"):
        reproduce(sweep, 4)
    summary = run_sweep(sweep.parent / "experiment.yaml", sweep, progress=False)
    assert summary.complete and summary.new_runs == 4
    pd.testing.assert_frame_equal(read_runs(sweep), reference)
    analyze(sweep, plots=False, echo=False)
    assert not (sweep / "analysis" / "skipped.csv").exists()  # stale: nothing skipped any more


def test_a_corrupt_trajectory_part_is_found_and_its_chunk_skipped(sweep, capsys):
    flip_data_page(sweep / "trajectories" / "part-000002.parquet")
    manifest = load_manifest(sweep)
    assert "trajectories/part-000002.parquet: corrupt" in (chunk_problem(sweep, manifest.chunks[2], True) or "")
    paths = read_trajectories(sweep, manifest, ["trilateral"])
    assert "trajectories/part-000002.parquet" in capsys.readouterr().err
    assert len(paths.run_ids) == 8 and not set(paths.run_ids) & {8, 9, 10, 11}


def test_a_part_without_a_digest_is_decoded_in_full(sweep):
    path = sweep / "parts" / "part-000001.parquet"
    pq.write_table(pq.read_table(path), path, compression="zstd")  # as an older trilat wrote it
    assert DIGEST_KEY not in (pq.read_metadata(path).metadata or {})
    assert part_problem(path) is None
    flip_data_page(path, where="page header")
    assert (part_problem(path) or "").startswith("unreadable: ")


def test_a_part_that_fails_while_analysis_reads_it_is_named_skipped_and_counted(sweep, capsys):
    manifest = load_manifest(sweep)
    reader = PartReader.open(sweep, manifest)
    assert not reader.skipped
    (sweep / "parts" / "part-000002.parquet").write_bytes(b"garbage" * 10)  # after the check
    tables = [reader.read(chunk, ["replication", "trilateral"]) for chunk in reader.chunks()]
    assert [t is None for t in tables] == [False, False, True]
    assert "part-000002.parquet: unreadable" in capsys.readouterr().err
    assert reader.skipped_runs == 4 and not reader.usable(manifest.chunks[2])
    assert "1 results part(s)" in reader.notes()[0]
    assert reader.read(manifest.chunks[0], ["no_such_column"]) is None  # a missing column is a damaged part
