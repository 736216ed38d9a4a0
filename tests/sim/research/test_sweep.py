"""Sweeps: chunking, back ends, resume after SIGKILL or Ctrl-C, failures, provenance, outputs."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pandas as pd
import pytest

from sim.errors import TrilatError
from sim.research.sweep import (
    MANIFEST,
    ChunkStatus,
    InProcess,
    ProcessPool,
    SweepError,
    load_manifest,
    part_is_valid,
    plan_chunks,
    read_manifest,
    reproduce,
    run_sweep,
    stored_run,
    verify_run,
)
from tests.sim.research.conftest import SMALL, read_runs, write_experiment
from tests.sim.research.sweep_backends import FailingBackend
from tests.sim.research.sweep_driver import HELD, start_held


def test_a_sweep_writes_parts_and_a_manifest(small, tmp_path):
    out = tmp_path / "out"
    summary = run_sweep(small, out, progress=False, chunk_runs=80)
    assert summary.complete and summary.done_runs == summary.total_runs == 240 and not summary.failed_chunks
    manifest = read_manifest(out)
    assert manifest["status"] == "complete"
    assert manifest["seed"] == 11 and manifest["replications"] == 40 and manifest["runs"]["done"] == 240
    assert manifest["experiment"]["content_hash"] and manifest["experiment"]["file_sha256"]
    assert manifest["scenarios"][0]["id"] == "baseline" and manifest["scenarios"][0]["content_hash"]
    assert manifest["trilat_version"]
    assert manifest["design"]["columns"] == [
        "point_id",
        "scenario",
        "sample",
        "us_transactionalism",
        "rok_polarization",
    ]
    assert len(manifest["design"]["data"]) == 6
    assert [c["status"] for c in manifest["chunks"]] == ["done"] * 3
    assert all(c["attempts"] == 1 for c in manifest["chunks"])
    assert sorted(p.name for p in (out / "parts").iterdir()) == [f"part-00000{i}.parquet" for i in range(3)]
    runs = read_runs(out)
    assert list(runs.columns) == [
        "point_id",
        "scenario",
        "us_transactionalism",
        "rok_polarization",
        "replication",
        "seed",
        "trilateral",
        "tie.ROK_JPN",
        "USA.capital",
        "institutionalization",
    ]
    assert runs["replication"].tolist() == list(range(240))
    assert (runs["point_id"] == runs["replication"] // 40).all()
    assert (runs["seed"] == 11).all() and (runs["scenario"] == "baseline").all()
    design = pd.DataFrame(manifest["design"]["data"], columns=manifest["design"]["columns"])
    merged = runs.merge(design, on="point_id", suffixes=("", "_design"))
    assert (merged["us_transactionalism"] == merged["us_transactionalism_design"]).all()


def test_chunks_never_mix_scenarios_and_split_big_points(tmp_path):
    from sim.research.experiment import load_experiment

    body = (
        "scenarios: [baseline, korean-polarization]\nparameters: {us_transactionalism: {}}\n"
        "sampler: lhs\nsamples: 5\nreplications: 30\n"
    )
    exp = load_experiment(write_experiment(tmp_path, body))
    chunks = plan_chunks(exp, 70)  # two points (60 runs) per chunk
    assert [(c.scenario, c.first_point, c.stop_point) for c in chunks] == [
        ("baseline", 0, 2),
        ("baseline", 2, 4),
        ("baseline", 4, 5),
        ("korean-polarization", 5, 7),
        ("korean-polarization", 7, 9),
        ("korean-polarization", 9, 10),
    ]
    split = plan_chunks(exp, 12)  # 30 replications in three blocks of 10
    assert len(split) == 30 and all(c.runs == 10 and c.stop_point - c.first_point == 1 for c in split)
    assert all(c.status is ChunkStatus.PENDING and c.attempts == 0 for c in split)
    covered = np.concatenate([np.arange(c.first_run, c.stop_run) for c in split])
    assert covered.tolist() == list(range(300))


def test_results_do_not_depend_on_chunk_size_or_workers(small, tmp_path, small_reference):
    run_sweep(small, tmp_path / "one", progress=False, chunk_runs=7)
    pd.testing.assert_frame_equal(read_runs(tmp_path / "one"), small_reference)
    summary = run_sweep(small, tmp_path / "two", workers=2, progress=False, chunk_runs=50)
    assert summary.complete and "processes" in summary.backend
    pd.testing.assert_frame_equal(read_runs(tmp_path / "two"), small_reference)


def test_results_are_the_same_on_a_dask_local_cluster(small, tmp_path, small_reference):
    pytest.importorskip("distributed")
    summary = run_sweep(small, tmp_path / "dask", workers=2, dask="local", progress=False, chunk_runs=60)
    assert summary.complete and "Dask" in summary.backend
    pd.testing.assert_frame_equal(read_runs(tmp_path / "dask"), small_reference)


def test_a_dask_scheduler_address_gets_tables_back_and_this_process_writes_them(small, tmp_path, small_reference):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:  # tcp: --dask takes tcp:// and tls:// addresses (inproc:// is reachable only in-process)
        summary = run_sweep(small, tmp_path / "remote", dask=cluster.scheduler_address, progress=False, chunk_runs=60)
    assert summary.complete and cluster.scheduler_address in summary.backend
    pd.testing.assert_frame_equal(read_runs(tmp_path / "remote"), small_reference)


def test_an_unreachable_dask_scheduler_is_a_clear_error(small, tmp_path):
    pytest.importorskip("distributed")
    with pytest.raises(SweepError, match="--dask tcp://127.0.0.1:1: cannot connect"):
        run_sweep(small, tmp_path / "out", dask="tcp://127.0.0.1:1", progress=False, dask_timeout=1)
    assert not (tmp_path / "out").exists()


"""The chunk the interrupted sweep waits in: chunks 0-2 (40 runs each) are stored, 3-5 are not."""


def test_a_sweep_killed_with_sigkill_resumes_to_the_same_results(small, tmp_path, small_reference):
    out = tmp_path / "out"
    process, _ = start_held(small, out, tmp_path)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = sorted(p.name for p in (out / "parts").glob("part-*.parquet"))
    assert finished == [f"part-00000{i}.parquet" for i in range(HELD)]
    manifest = read_manifest(out)
    assert manifest["status"] == "running"  # it never got to say otherwise
    summary = run_sweep(small, out, progress=False)
    assert summary.complete and summary.skipped_runs == HELD * 40 and summary.new_runs == 240 - HELD * 40
    assert read_manifest(out)["status"] == "complete"
    assert not list((out / "parts").glob(".*"))  # no temporary files left
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def test_ctrl_c_stops_cleanly_and_the_sweep_resumes(small, tmp_path, small_reference):
    out = tmp_path / "out"
    process, _ = start_held(small, out, tmp_path)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)  # hang guard
    assert process.returncode != 0
    assert b"interrupted:" in err and b"re-run the same command to resume" in err
    manifest = read_manifest(out)
    assert manifest["status"] == "interrupted"
    assert [c["status"] for c in manifest["chunks"]] == ["done"] * HELD + ["pending"] * (6 - HELD)
    assert manifest["chunks"][HELD]["attempts"] == 1  # it was running when Ctrl-C came
    assert all(part_is_valid(out, c) for c in load_manifest(out).chunks[:HELD])
    assert manifest["runs"]["done"] == HELD * 40
    summary = run_sweep(small, out, progress=False)
    assert summary.complete and summary.skipped_runs == HELD * 40
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def test_a_failing_chunk_is_retried_recorded_and_does_not_stop_the_sweep(small, tmp_path, small_reference):
    out = tmp_path / "out"
    failing = FailingBackend(InProcess(), {1: None})
    summary = run_sweep(small, out, progress=False, chunk_runs=80, backend=failing)
    assert summary.failed_chunks == [1] and not summary.complete and summary.done_runs == 160
    assert "1 chunk(s) failed (1)" in str(summary)
    manifest = read_manifest(out)
    chunk = manifest["chunks"][1]
    assert chunk["status"] == "failed" and chunk["attempts"] == 2 and "injected failure" in chunk["error"]
    assert [c["status"] for c in manifest["chunks"]] == ["done", "failed", "done"]
    assert manifest["status"] == "incomplete" and manifest["runs"]["failed"] == 80
    summary = run_sweep(small, out, progress=False)
    assert summary.complete and summary.new_runs == 80
    assert read_manifest(out)["chunks"][1]["attempts"] == 3
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def test_a_chunk_that_fails_once_in_a_worker_succeeds_on_retry(small, tmp_path, small_reference):
    out = tmp_path / "out"
    failing = FailingBackend(ProcessPool(2), {2: [1]})
    summary = run_sweep(small, out, workers=2, progress=False, chunk_runs=80, backend=failing)
    assert summary.complete and not summary.failed_chunks and "processes" in summary.backend
    chunk = read_manifest(out)["chunks"][2]
    assert chunk["status"] == "done" and chunk["attempts"] == 2 and chunk["error"] is None
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def test_a_folder_of_another_experiment_is_refused(small, tmp_path):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False)
    other = write_experiment(tmp_path, SMALL.replace("seed: 11", "seed: 12"), "other.yaml")
    with pytest.raises(SweepError, match=r"holds results of a different experiment \('small' from"):
        run_sweep(other, out, progress=False)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SweepError, match="is not empty and holds no manifest.json"):
        run_sweep(small, tmp_path / "busy", progress=False)
    assert issubclass(SweepError, TrilatError)


def test_a_damaged_part_is_run_again(small, tmp_path, small_reference):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    (out / "parts" / "part-000001.parquet").write_bytes(b"not parquet")
    (out / "parts" / "part-000002.parquet").unlink()
    (out / "parts" / ".part-000002.parquet.tmp-1-abcd").write_bytes(b"half written")
    summary = run_sweep(small, out, progress=False)
    assert summary.new_runs == 160 and summary.complete
    assert not (out / "parts" / ".part-000002.parquet.tmp-1-abcd").exists()
    pd.testing.assert_frame_equal(read_runs(out), small_reference)


def test_reproduce_gives_the_stored_row_exactly(small, tmp_path):
    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    runs = read_runs(out)
    for run_id in (0, 57, 239):
        row = runs[runs["replication"] == run_id].iloc[0]
        model = reproduce(out, run_id)
        # common random numbers: run k of every point draws replication index k (40 per point)
        assert model.replication_ids.tolist() == [run_id % 40] and model.seed == 11 and model.turn == 3
        assert model.params["us_transactionalism"][0] == row["us_transactionalism"]
        for name in ("trilateral", "tie.ROK_JPN", "USA.capital", "institutionalization"):
            assert model.indicator(name)[0] == row[name]
        check = verify_run(out, run_id)
        assert check.exact, check.mismatches
        assert stored_run(out, run_id)["replication"].tolist() == [run_id]
    with pytest.raises(SweepError, match="run ids go from 0 to 239"):
        reproduce(out, 240)


def test_every_turn_summary_statistics_and_trajectories(tmp_path):
    every = write_experiment(tmp_path, SMALL.replace("  indicators:", "  at: every\n  indicators:"), "every.yaml")
    run_sweep(every, tmp_path / "every", progress=False, chunk_runs=100)
    rows = read_runs(tmp_path / "every")
    assert len(rows) == 240 * 4 and rows["turn"].tolist()[:4] == [0, 1, 2, 3]
    assert verify_run(tmp_path / "every", 123).exact

    summary = write_experiment(
        tmp_path,
        SMALL.replace(
            "  indicators:",
            "  at: summary\n  statistics: [mean, min, max, sd]\n  keep_trajectories: true\n  indicators:",
        ),
        "summary.yaml",
    )
    run_sweep(summary, tmp_path / "summary", progress=False, chunk_runs=100)
    rows = read_runs(tmp_path / "summary")
    trajectories = read_runs(tmp_path / "summary", "trajectories")
    assert len(rows) == 240 and "turn" not in rows.columns and len(trajectories) == 240 * 4
    assert list(trajectories.columns[:3]) == ["point_id", "replication", "turn"]
    later = trajectories[trajectories["turn"] >= 1].groupby("replication")["trilateral"]
    np.testing.assert_allclose(rows["trilateral:mean"], later.mean().to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(rows["trilateral:min"], later.min().to_numpy())
    np.testing.assert_array_equal(rows["trilateral:max"], later.max().to_numpy())
    np.testing.assert_allclose(rows["trilateral:sd"], later.std(ddof=0).to_numpy(), atol=1e-12)
    final = trajectories[trajectories["turn"] == 3].reset_index(drop=True)
    np.testing.assert_array_equal(rows["trilateral"], final["trilateral"])
    every_rows = read_runs(tmp_path / "every")
    np.testing.assert_array_equal(
        every_rows[every_rows["turn"] == 2]["tie.ROK_JPN"].to_numpy(),
        trajectories[trajectories["turn"] == 2]["tie.ROK_JPN"].to_numpy(),
    )
    assert verify_run(tmp_path / "summary", 5).exact
    for kind in ("parts", "trajectories"):
        expected = {"point_id": True, "replication": False, "trilateral": False}
        if kind == "parts":
            expected |= {"scenario": True, "seed": True, "trilateral:mean": False}
        else:
            expected |= {"turn": True}
        assert _dictionary_encoded(tmp_path / "summary" / kind / "part-000000.parquet") == expected


def _dictionary_encoded(path) -> dict[str, bool]:
    """Whether each of some columns of a Parquet file is dictionary-encoded (absent columns left out)."""
    import pyarrow.parquet as pq

    group = pq.read_metadata(path).row_group(0)
    chunks = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    names = ("point_id", "scenario", "replication", "seed", "turn", "trilateral", "trilateral:mean")
    return {name: chunks[name].has_dictionary_page for name in names if name in chunks}


def test_the_manifest_is_plain_json_and_results_read_with_pyarrow_dataset(small, tmp_path):
    import pyarrow.dataset as ds

    out = tmp_path / "out"
    run_sweep(small, out, progress=False, chunk_runs=80)
    json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    table = ds.dataset(out / "parts", format="parquet").to_table()
    assert table.num_rows == 240


def test_bad_arguments_are_clear_errors(small, tmp_path):
    with pytest.raises(SweepError, match="workers must be a positive integer"):
        run_sweep(small, tmp_path / "out", workers=0)
    with pytest.raises(SweepError, match="no manifest.json; not a sweep output folder"):
        read_manifest(tmp_path)


def test_the_benchmark_reports_rates_and_equal_results():
    from sim.research.sweep import bench_sweep

    result = bench_sweep(runs=2000, workers=(1,), chunk_runs=1000)
    assert result["runs"] == 2000 and result["turns"] == 16 and result["identical"]
    (row,) = result["results"]
    assert row["workers"] == 1 and row["runs_per_s"] > 0 and row["efficiency"] == 1.0
    reference = result["reference_cpu_s"]
    assert reference["start"] > 0 and reference["end"] > 0  # timed before and after the sweeps
    assert row["reference_units"] == round(row["seconds"] / ((reference["start"] + reference["end"]) / 2), 1)
    assert result["goals"]["million_runs_2_workers_reference_units"] == 48  # 10 s / 0.208 s


def test_the_benchmark_sweeps_with_bytecode_where_this_python_writes_none(monkeypatch):
    import os

    from sim import bench_machine
    from sim.research.sweep import bench

    compiled: list[dict] = []
    during: list[tuple] = []
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    imported: list[list[str]] = []

    def compile_bytecode(env, imports=()):
        compiled.append(dict(env))
        imported.append(list(imports))

    monkeypatch.setattr(bench_machine, "compile_bytecode", compile_bytecode)
    real_sweep = bench.run_sweep

    def sweep(*args, **kwargs):
        during.append((os.environ.get("PYTHONDONTWRITEBYTECODE"), os.environ.get("PYTHONPYCACHEPREFIX")))
        return real_sweep(*args, **kwargs)

    monkeypatch.setattr(bench, "run_sweep", sweep)
    result = bench.bench_sweep(runs=1000, workers=(1,), chunk_runs=1000)
    (env,) = compiled
    assert env["PYTHONDONTWRITEBYTECODE"] is None and env["PYTHONPYCACHEPREFIX"].endswith("bytecode")
    assert during == [(None, env["PYTHONPYCACHEPREFIX"])]  # the sweep (and its fork server) see the cache
    assert os.environ["PYTHONDONTWRITEBYTECODE"] == "1"  # and this process is as before
    assert result["conditions"] == "workers with a private bytecode cache"
    assert imported == [[*bench.WORKER_MODULES, bench.KERNEL_WARM_UP["cached"]]]  # what the fork server loads


def test_the_benchmark_prints_the_two_worker_goal_and_the_machine_load(capsys):
    from sim.research.sweep.bench import print_bench_sweep

    reference = {"start": 0.5, "end": 0.3}  # a mean of 0.4 s

    def results(seconds: float, runs: int = 1_000_000) -> dict:
        rows = [
            {"workers": 1, "seconds": 20.0, "runs_per_s": runs / 20.0, "speedup": 1.0, "efficiency": 1.0},
            {"workers": 2, "seconds": seconds, "runs_per_s": runs / seconds, "speedup": 20.0 / seconds},
        ]
        for row in rows:
            row.update(efficiency=row["speedup"] / row["workers"], busy_efficiency=1.0)
            row["reference_units"] = round(row["seconds"] / 0.4, 1)
        goals = {
            "million_runs_s": 60,
            "million_runs_2_workers_s": 10,
            "million_runs_2_workers_reference_units": 48,
            "speedup_2_workers": 1.8,
        }
        load = {"start": [0.5, 0.25, 0.125], "end": [1.5, 0.75, 0.5]}
        return {"runs": runs, "scenario": "baseline", "turns": 16, "chunk_runs": 20_000, "results": rows}, goals, load

    for seconds, verdict, units, units_verdict in ((9.5, "ok", 23.8, "ok"), (20.0, "BELOW GOAL", 50.0, "BELOW GOAL")):
        figures, goals, load = results(seconds)
        print_bench_sweep(
            {**figures, "goals": goals, "load_average": load, "identical": True, "reference_cpu_s": reference}
        )
        out = capsys.readouterr().out
        assert f"1,000,000 runs on 2 workers:     {seconds:.1f} s measured   ({verdict}; goal < 10 s" in out
        assert f"the same in reference units:     {units:.1f}   ({units_verdict}; goal <= 48:" in out
        assert "here 0.500 s before the sweeps and 0.300 s after" in out
        assert "machine load (1/5/15 min): 0.50 0.25 0.12 at start, 1.50 0.75 0.50 at end" in out
    figures, goals, load = results(1.0, runs=100_000)
    print_bench_sweep(
        {**figures, "goals": goals, "load_average": load, "identical": True, "reference_cpu_s": reference}
    )
    out = capsys.readouterr().out
    assert "10.0 s at the rate of 100,000 runs" in out
    assert "the same in reference units:     25.0   (ok" in out  # 2.5 units for 100,000 runs, times 10
    print_bench_sweep({**figures, "goals": goals, "load_average": load, "identical": True})  # older JSON: no line
    assert "reference units" not in capsys.readouterr().out
