"""Sweep provenance and operations: code fingerprints, moved scenarios, small manifests, signals, orphans, dry run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.play.session import session_for_sweep_run
from sim.research.experiment import design_table, load_experiment
from sim.research.sweep import (
    MANIFEST,
    ChunkStatus,
    SweepError,
    load_manifest,
    read_manifest,
    run_sweep,
    verify_run,
)
from sim.research.sweep.dryrun import dry_run
from sim.research.sweep.environment import MODEL_SOURCES, code_fingerprint
from sim.research.sweep.layout import CHUNKS, DESIGN, PARTS, part_code, part_path
from sim.research.sweep.plan import new_manifest, plan_chunks
from tests.sim.research.conftest import SENSITIVE, read_runs, write_experiment
from tests.sim.research.sweep_driver import HELD, start_held

ROOT = Path(__file__).resolve().parents[3]
OTHER_CODE = "0123456789abcdef" * 4


def test_the_manifest_records_code_versions_and_scenario_texts(small, tmp_path):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["code"] == {"fingerprint": code_fingerprint(), "sources": list(MODEL_SOURCES)}
    assert set(manifest["versions"]) == {"python", "numpy", "mesa", "pyarrow", "pandas", "SALib", "scipy"}
    assert manifest["segments"] == [
        {"fingerprint": code_fingerprint(), "started": manifest["created"], "first_session": 0, "reason": "new sweep"}
    ]
    files = manifest["scenarios"][0]["files"]
    assert [Path(f["path"]).name for f in files] == ["defaults.yaml", "baseline.yaml"]
    assert all(f["library"] for f in files)
    assert files[1]["text"] == (ROOT / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
    assert manifest["design"] == {"file": DESIGN, "columns": manifest["design"]["columns"], "points": 6}
    assert manifest["chunks"]["file"] == CHUNKS and manifest["chunks"]["status"]["done"] == 3
    assert all(c.segment == 0 for c in load_manifest(out).chunks)


def test_the_fingerprint_covers_the_engine_and_changes_with_it(tmp_path, monkeypatch):
    from sim.research.sweep import environment

    real = code_fingerprint()
    fake = tmp_path / "root"
    for name in MODEL_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, fake / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            (fake / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, fake / name)
    monkeypatch.setattr(environment, "ROOT", fake)
    assert code_fingerprint() == real  # the same files give the same fingerprint, wherever they are
    dynamics = fake / "sim" / "engine" / "dynamics.py"
    dynamics.write_text(dynamics.read_text() + "\n# an edited term\n")
    assert code_fingerprint() != real


def test_a_resume_after_a_model_code_change_is_refused(small, tmp_path, monkeypatch, small_reference):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    recorded = code_fingerprint()
    chunks = pd.read_parquet(out / CHUNKS)
    chunks.loc[chunks["id"] == 2, "status"] = "pending"  # one chunk left to run
    chunks.to_parquet(out / CHUNKS)
    part_path(out, PARTS, 2).unlink()
    monkeypatch.setattr("sim.research.sweep.runner.code_fingerprint", lambda: OTHER_CODE)
    with pytest.raises(SweepError) as refused:
        run_sweep(small, out, progress=False)
    message = str(refused.value)
    assert "model code changed" in message and recorded[:16] in message and OTHER_CODE[:16] in message
    assert "--allow-code-change" in message
    assert not part_path(out, PARTS, 2).exists()  # nothing ran

    summary = run_sweep(small, out, progress=False, allow_code_change=True)
    assert summary.complete and summary.skipped_runs == 160
    manifest = load_manifest(out)
    assert [s.fingerprint for s in manifest.segments] == [recorded, OTHER_CODE]
    assert manifest.segments[1].reason.startswith("--allow-code-change") and manifest.segments[1].first_session == 1
    assert [c.segment for c in manifest.chunks] == [0, 0, 1]
    assert part_code(out, 2) == OTHER_CODE and part_code(out, 0) == recorded
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def test_a_manifest_written_by_other_code_is_refused_from_the_cli(small, tmp_path, capsys):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    data = json.loads((out / MANIFEST).read_text())
    data["segments"][-1]["fingerprint"] = OTHER_CODE
    (out / MANIFEST).write_text(json.dumps(data))
    assert main(["sweep", str(small), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert OTHER_CODE[:16] in err and code_fingerprint()[:16] in err and "Traceback" not in err


def test_parts_the_manifest_does_not_list_count_only_with_this_code(small, tmp_path, small_reference):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    chunks = pd.read_parquet(out / CHUNKS)
    chunks["status"] = "pending"  # as after kill -9 before the manifest said anything
    chunks.to_parquet(out / CHUNKS)
    foreign = pq.read_table(part_path(out, PARTS, 1))
    stamp = dict(foreign.schema.metadata)
    stamp[b"trilat.code"] = OTHER_CODE.encode()
    pq.write_table(foreign.replace_schema_metadata(stamp), part_path(out, PARTS, 1))
    summary = run_sweep(small, out, progress=False)
    assert summary.complete and summary.skipped_runs == 160 and summary.new_runs == 80
    assert part_code(out, 1) == code_fingerprint()  # the foreign part was discarded and rerun
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


CHAIN_EXPERIMENT = """\
id: moved
scenarios: [scen/child.yaml]
parameters:
  strong: {range: [0, 1]}
sampler: lhs
samples: 4
replications: 10
seed: 5
turns: 3
outputs:
  indicators: [trilateral, tie.ROK_JPN]
"""


def _user_chain(folder: Path) -> Path:
    """A user scenario that extends another user file by relative path (which extends the library)."""
    scen = folder / "scen"
    scen.mkdir(parents=True)
    shutil.copy(SENSITIVE, scen / "sensitive.yaml")
    (scen / "child.yaml").write_text("id: child\ntitle: Child\nextends: sensitive.yaml\nturns: 3\n")
    return write_experiment(folder, CHAIN_EXPERIMENT)


def test_from_sweep_and_resume_work_after_the_scenario_folder_moves(tmp_path, capsys):
    project = tmp_path / "project"
    experiment = _user_chain(project)
    out = tmp_path / "out"
    run_sweep(experiment, out, progress=False, chunk_runs=20)
    chain = [Path(f["path"]).name for f in read_manifest(out)["scenarios"][0]["files"]]
    assert chain == ["defaults.yaml", "baseline.yaml", "sensitive.yaml", "child.yaml"]
    moved = tmp_path / "elsewhere"
    project.rename(moved)
    for run_id in (0, 17, 39):
        assert verify_run(out, run_id).exact
    assert (out / "sources" / "child" / "child.yaml").is_file()
    assert main(["run", "--from-sweep", str(out), "--run", "17", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sweep"]["exact"] is True
    session = session_for_sweep_run(out, 17, shadows=2)  # the game's replay too
    assert np.array_equal(session.story.x, verify_run(out, 17).model.x)
    # resume from the moved experiment: same experiment, same scenario contents
    chunks = pd.read_parquet(out / CHUNKS)
    chunks.loc[chunks["id"] == 1, "status"] = "pending"
    chunks.to_parquet(out / CHUNKS)
    part_path(out, PARTS, 1).unlink()
    summary = run_sweep(moved / "experiment.yaml", out, progress=False)
    assert summary.complete and summary.new_runs == 20


def test_from_sweep_json_exits_non_zero_when_a_run_does_not_reproduce(small, tmp_path, capsys):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    part = part_path(out, PARTS, 0)
    table = pq.read_table(part).to_pandas()
    table.loc[table["replication"] == 5, "trilateral"] += 0.25
    table.to_parquet(part)
    assert main(["run", "--from-sweep", str(out), "--run", "5", "--json"]) == 1
    record = json.loads(capsys.readouterr().out)["sweep"]
    assert record["exact"] is False and record["mismatches"][0].startswith("trilateral")


def test_the_manifest_stays_small_for_a_large_design(tmp_path):
    body = (
        "id: large\nscenarios: [baseline]\nparameters: {us_transactionalism: {}, rok_polarization: {}}\n"
        "sampler: montecarlo\nsamples: 200000\nreplications: 1\nturns: 2\n"
        "outputs: {indicators: [trilateral]}\n"
    )
    experiment = load_experiment(write_experiment(tmp_path, body))
    design = design_table(experiment)
    out = tmp_path / "out"
    out.mkdir()
    new_manifest(experiment, design, plan_chunks(experiment, 10_000), 10_000).write(out)
    assert (out / MANIFEST).stat().st_size < 64 * 1024  # the scenario texts are most of it
    assert pq.read_metadata(out / DESIGN).num_rows == 200_000
    loaded = load_manifest(out)
    assert loaded.design.row(123_456)["us_transactionalism"] == design["us_transactionalism"].iloc[123_456]
    assert len(loaded.chunks) == 20 and all(c.status is ChunkStatus.PENDING for c in loaded.chunks)


def test_a_version_1_manifest_with_inline_tables_still_resumes(small, tmp_path, small_reference):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    data = read_manifest(out)  # the tables read in, as format 1 kept them
    data["format"] = "trilat-sweep/1"
    data["chunks"][2]["status"] = "pending"
    for key in ("code", "versions", "segments"):
        del data[key]
    (out / MANIFEST).write_text(json.dumps(data))
    (out / DESIGN).unlink()
    (out / CHUNKS).unlink()
    part_path(out, PARTS, 2).unlink()
    summary = run_sweep(small, out, progress=False)
    assert summary.complete and summary.skipped_runs == 160
    assert (out / DESIGN).is_file() and load_manifest(out).segments[0].reason == "no fingerprint recorded before"
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def test_dry_run_prints_runs_chunks_time_and_disk(small, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(small), "--out", str(out), "--dry-run", "--chunk", "80", "--workers", "2"]) == 0
    text = capsys.readouterr().out
    assert "6 design points x 40 replications = 240 runs" in text and "chunks: 3 of at most 80 runs" in text
    assert "estimated time:" in text and "with 2 worker(s)" in text and "estimated disk:" in text
    assert not out.exists()
    run_sweep(small, out, progress=False, chunk_runs=80)
    stored = dry_run(small, out)
    assert stored.stored_runs == 240 and stored.remaining_chunks == 0 and stored.seconds == 0
    assert stored.bytes > 0


@pytest.mark.parametrize(("engine", "used"), [("auto", "numpy"), ("numpy", "numpy"), ("compiled", "compiled")])
def test_a_dry_run_calibrates_on_the_engine_the_sweep_would_use(small, tmp_path, chunk_engines, capsys, engine, used):
    args = ["sweep", str(small), "--out", str(tmp_path / "out"), "--dry-run", "--engine", engine]
    assert main(args) == 0
    assert chunk_engines and set(chunk_engines) == {used}  # 240 runs: auto is numpy
    assert f"on the {used} engine" in capsys.readouterr().out


# --- signals and orphans (real subprocesses) --------------------------------------------------


def test_sigterm_stops_like_ctrl_c_and_the_sweep_resumes(small, tmp_path, small_reference):
    out = tmp_path / "out"
    process, _ = start_held(small, out, tmp_path)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)  # hang guard
    assert process.returncode != 0
    assert b"terminated (SIGTERM):" in err and b"re-run the same command to resume" in err
    manifest = read_manifest(out)
    assert manifest["status"] == "interrupted"
    assert [c["status"] for c in manifest["chunks"]] == ["done"] * HELD + ["pending"] * (6 - HELD)
    assert manifest["sessions"][0]["runs"] == HELD * 40
    summary = run_sweep(small, out, progress=False)
    assert summary.complete and summary.skipped_runs == HELD * 40
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def _gone(processes: list, guard_s: float = 60.0) -> list:
    """Wait until none of ``processes`` runs (a zombie counts as gone); return those still running."""
    psutil = pytest.importorskip("psutil")
    deadline = time.monotonic() + guard_s  # hang guard: the lifeline acts within about a second
    while True:
        alive = []
        for proc in processes:
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


@pytest.mark.parametrize(("how", "workers"), [("SIGKILL", "2"), ("SIGTERM", "2"), ("SIGKILL", "dask")])
def test_killing_the_main_process_leaves_no_orphan(small, tmp_path, small_reference, how, workers):
    psutil = pytest.importorskip("psutil")
    if workers == "dask":
        pytest.importorskip("distributed")
    out = tmp_path / "out"
    process, gate = start_held(small, out, tmp_path, workers=workers)
    children = psutil.Process(process.pid).children(recursive=True)
    assert len(children) >= 2  # the pool's workers (and the fork server, the resource tracker)
    os.kill(process.pid, getattr(signal, how))  # the main process only, not its group
    if how == "SIGTERM":
        gate.write_text("go")  # a graceful stop lets the running chunk finish
    process.communicate(timeout=120)  # hang guard
    survivors = _gone(children)
    assert not survivors, [(p.pid, p.cmdline()) for p in survivors]
    status = read_manifest(out)["status"]
    assert status == ("running" if how == "SIGKILL" else "complete" if _all_done(out) else "interrupted")
    summary = run_sweep(small, out, progress=False)
    assert summary.complete
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def _all_done(out: Path) -> bool:
    return all(c.status is ChunkStatus.DONE for c in load_manifest(out).chunks)


def test_a_dask_local_cluster_keeps_the_default_malloc_trim_policy():
    pytest.importorskip("distributed")
    if "MALLOC_TRIM_THRESHOLD_" in os.environ:
        pytest.skip("MALLOC_TRIM_THRESHOLD_ is set in this environment")
    from sim.research.sweep import DaskCluster

    backend = DaskCluster("local", 1)
    try:
        seen = backend.client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    finally:
        backend.close(cancel=True)
    assert list(seen.values()) == [None]  # Dask's default, 65536, made workers ~3x slower
