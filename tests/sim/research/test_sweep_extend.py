"""Extending a stored sweep: the larger design's results without rerunning the stored runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from sim.research.analysis import analyze
from sim.research.sweep import InProcess, SweepError, load_manifest, run_sweep, verify_run
from sim.research.sweep.backends import ChunkFuture
from sim.research.sweep.layout import part_code
from sim.research.sweep.staging import STAGING
from sim.research.sweep.worker import ChunkTask, ChunkWork
from tests.sim.research.conftest import read_runs, write_experiment

BASE = """\
id: grow
scenarios: [baseline, korean-polarization]
parameters:
  us_transactionalism: {range: [0, 1]}
  rok_polarization: {range: [0, 1]}
sampler: {sampler}
samples: {samples}
replications: {replications}
seed: 5
turns: 3
outputs:
  indicators: [trilateral, tie.ROK_JPN, USA.capital]
  keep_trajectories: true
"""


class CountingBackend(InProcess):
    """The in-process back end, recording the id and runs of every chunk it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[int] = []
        self.runs = 0

    def submit(self, task: ChunkTask, work: ChunkWork | None = None) -> ChunkFuture:
        self.chunks.append(task.chunk_id)
        self.runs += len(task.run_ids())
        return super().submit(task, work)


def experiment(folder: Path, samples: int, replications: int, sampler: str = "montecarlo", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = BASE.replace("{sampler}", sampler).replace("{samples}", str(samples))
    return write_experiment(folder, body.replace("{replications}", str(replications)) + extra)


def sweep(path: Path, out: Path, *, extend: bool = False) -> CountingBackend:
    backend = CountingBackend()
    summary = run_sweep(path, out, progress=False, chunk_runs=10, backend=backend, extend=extend)
    assert summary.complete, summary
    return backend


def folder_digest(out: Path) -> dict[str, str]:
    """Every file of a sweep folder and its SHA-256."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}


def by_run(out: Path, kind: str = "parts") -> pd.DataFrame:
    frame = read_runs(out, kind)
    return frame[sorted(frame.columns)].reset_index(drop=True)


@pytest.mark.parametrize(
    ("samples", "replications"), [(7, 4), (4, 9), (7, 9), (5, 23)], ids=["samples", "reps", "both", "blocks"]
)
def test_an_extended_sweep_equals_a_fresh_sweep_of_the_larger_design(tmp_path, samples, replications):
    small = experiment(tmp_path / "small", 4, 4)
    out = tmp_path / "out"
    sweep(small, out)
    stored_chunks = len(load_manifest(out).chunks)
    larger = experiment(tmp_path / "larger", samples, replications)
    backend = sweep(larger, out, extend=True)
    fresh = tmp_path / "fresh"
    sweep(larger, fresh)
    # Joined on (point_id, replication) the runs are identical, values and labels, every turn too.
    pd.testing.assert_frame_equal(by_run(out), by_run(fresh))
    pd.testing.assert_frame_equal(by_run(out, "trajectories"), by_run(fresh, "trajectories"))
    # Only the new (point, k) pairs ran: 2 scenarios x (samples x replications - 4 x 4).
    assert backend.runs == 2 * (samples * replications - 16)
    assert min(backend.chunks) >= stored_chunks
    manifest = load_manifest(out)
    assert manifest.total_runs == manifest.done_runs == 2 * samples * replications
    assert manifest.extensions[0]["samples_per_block"] == [4, samples]
    assert manifest.extensions[0]["replications"] == [4, replications]
    assert not (out / STAGING).exists()


def test_the_extended_folder_analyzes_replays_and_resumes(tmp_path):
    out = tmp_path / "out"
    sweep(experiment(tmp_path / "small", 4, 4), out)
    larger = experiment(tmp_path / "larger", 6, 7)
    sweep(larger, out, extend=True)
    result = analyze(out, plots=False, echo=False)
    points = result.points
    assert len(points) == 12 and set(points["runs"]) == {7}
    fresh = tmp_path / "fresh"
    sweep(larger, fresh)
    pd.testing.assert_frame_equal(points, analyze(fresh, plots=False, echo=False).points)
    # A stored run (relabelled) and a new one replay exactly from the extended folder.
    assert verify_run(out, 6 * 7 + 2, record=False).exact  # scenario 2, point 0, k = 2: stored
    assert verify_run(out, 6 * 7 + 5, record=False).exact  # k = 5: run by the extension
    # The extended folder resumes with the larger file (nothing left), and --extend again is a resume.
    assert sweep(larger, out).runs == 0
    assert sweep(larger, out, extend=True).runs == 0


def test_a_sweep_extends_twice_and_keeps_its_part_stamps(tmp_path):
    out = tmp_path / "out"
    sweep(experiment(tmp_path / "a", 3, 3), out)
    sweep(experiment(tmp_path / "b", 5, 4), out, extend=True)
    largest = experiment(tmp_path / "c", 6, 11)
    backend = sweep(largest, out, extend=True)
    assert backend.runs == 2 * (6 * 11 - 5 * 4)
    fresh = tmp_path / "fresh"
    sweep(largest, fresh)
    pd.testing.assert_frame_equal(by_run(out), by_run(fresh))
    manifest = load_manifest(out)
    assert len(manifest.extensions) == 2
    for chunk in manifest.chunks:  # relabelled parts keep their chunk id and code fingerprint
        assert part_code(out, chunk.id) == manifest.fingerprint


@pytest.mark.parametrize("sampler", ["sobol", "morris"])
def test_sobol_and_morris_samples_extend(tmp_path, sampler):
    out = tmp_path / "out"
    sweep(experiment(tmp_path / "small", 2, 3, sampler), out)
    larger = experiment(tmp_path / "larger", 4, 3, sampler)
    sweep(larger, out, extend=True)
    fresh = tmp_path / "fresh"
    sweep(larger, fresh)
    pd.testing.assert_frame_equal(by_run(out), by_run(fresh))


def test_lhs_replications_extend(tmp_path):
    out = tmp_path / "out"
    sweep(experiment(tmp_path / "small", 4, 3, "lhs"), out)
    larger = experiment(tmp_path / "larger", 4, 6, "lhs")
    assert sweep(larger, out, extend=True).runs == 2 * 4 * 3
    fresh = tmp_path / "fresh"
    sweep(larger, fresh)
    pd.testing.assert_frame_equal(by_run(out), by_run(fresh))


REFUSALS = [
    (dict(sampler="lhs", samples=6, replications=4), "cannot add samples to a 'lhs' sweep: a Latin hypercube"),
    (dict(replications=4, extra="description: other\n"), "'description' differs"),
    (dict(samples=3, replications=4), "cannot lower samples (stored 4, the file says 3)"),
    (dict(samples=4, replications=2), "cannot lower replications"),
]


@pytest.mark.parametrize(("change", "message"), REFUSALS, ids=["lhs", "field", "fewer-samples", "fewer-reps"])
def test_a_refused_extension_names_the_reason_and_changes_nothing(tmp_path, change, message):
    sampler = str(change.get("sampler", "montecarlo"))
    out = tmp_path / "out"
    sweep(experiment(tmp_path / "small", 4, 4, sampler), out)
    before = folder_digest(out)
    larger = experiment(
        tmp_path / "larger",
        int(change["samples"] if "samples" in change else 4),
        int(change["replications"]),
        sampler,
        str(change.get("extra", "")),
    )
    with pytest.raises(SweepError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_sweep(larger, out, progress=False, extend=True)
    assert folder_digest(out) == before


def test_extending_without_common_random_numbers_is_refused(tmp_path):
    out = tmp_path / "out"
    off = "common_random_numbers: false\n"
    sweep(experiment(tmp_path / "small", 4, 4, extra=off), out)
    before = folder_digest(out)
    with pytest.raises(SweepError, match="without common random numbers"):
        run_sweep(experiment(tmp_path / "larger", 6, 4, extra=off), out, progress=False, extend=True)
    assert folder_digest(out) == before


def test_a_grid_cannot_grow_its_levels(tmp_path):
    grid = "scenarios: [baseline]\nparameters:\n  us_transactionalism: {range: [0, 1]}\nsampler: grid\n"
    out = tmp_path / "out"
    sweep(write_experiment(tmp_path, grid + "levels: 3\nreplications: 2\nturns: 2\n", "a.yaml"), out)
    with pytest.raises(SweepError, match="'levels' differs"):
        run_sweep(
            write_experiment(tmp_path, grid + "levels: 5\nreplications: 2\nturns: 2\n", "b.yaml"),
            out,
            progress=False,
            extend=True,
        )
    assert (
        sweep(
            write_experiment(tmp_path, grid + "levels: 3\nreplications: 5\nturns: 2\n", "c.yaml"), out, extend=True
        ).runs
        == 3 * 3
    )


def test_extend_needs_a_stored_sweep(tmp_path):
    with pytest.raises(SweepError, match="holds no sweep to extend"):
        run_sweep(experiment(tmp_path, 4, 4), tmp_path / "out", progress=False, extend=True)
    assert not (tmp_path / "out").exists()


def test_an_interrupted_extension_rolls_forward_once_committed_and_back_before(tmp_path, monkeypatch):
    import sim.research.sweep.extend as extend

    out = tmp_path / "out"
    sweep(experiment(tmp_path / "small", 4, 4), out)
    before = folder_digest(out)
    larger = experiment(tmp_path / "larger", 6, 6)

    def crash(_out: Path) -> None:
        raise KeyboardInterrupt  # died before the commit mark

    monkeypatch.setattr(extend, "commit", crash)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(larger, out, progress=False, extend=True)
    assert (out / STAGING).is_dir()
    assert load_manifest(out).replications == 4  # the uncommitted stage is dropped on reading
    assert not (out / STAGING).exists() and folder_digest(out) == before

    def commit_then_crash(target: Path) -> None:
        (Path(target) / STAGING / "COMMITTED").write_text("", encoding="utf-8")
        raise KeyboardInterrupt  # died after the commit mark, before moving the files

    monkeypatch.setattr(extend, "commit", commit_then_crash)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(larger, out, progress=False, extend=True)
    manifest = load_manifest(out)  # reading finishes the extension
    assert manifest.replications == 6 and manifest.total_runs == 72 and not (out / STAGING).exists()
    monkeypatch.undo()
    backend = sweep(larger, out)
    assert backend.runs == 72 - 32
    fresh = tmp_path / "fresh"
    sweep(larger, fresh)
    pd.testing.assert_frame_equal(by_run(out), by_run(fresh))
