"""Sweep folders under attack: damaged manifests and parts, bad output paths, the writer's lock, Dask addresses."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from sim.research.analysis import analyze
from sim.research.sweep import SweepError, load_manifest, reproduce, run_sweep
from sim.research.sweep.dask_probe import parse_address, probe_scheduler
from sim.research.sweep.guard import LOCK, folder_lock
from tests.sim.research.conftest import TINY, read_runs, write_experiment
from tests.sim.research.sweep_driver import copy_of_sweep, finished_sweep

OTHER = TINY.replace("id: tiny", "id: other").replace("seed: 5", "seed: 6")


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny sweep of three chunks (copied by each test that damages it)."""
    return finished_sweep(tmp_path_factory.mktemp("stored"), TINY)


@pytest.fixture()
def sweep(stored: Path, tmp_path: Path) -> Path:
    """A copy of the stored sweep folder (and its experiment file beside it)."""
    return copy_of_sweep(stored, tmp_path)


def _edit_manifest(out: Path, edit) -> None:
    path = out / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.pop("experiment"), "experiment"),
        (lambda d: d["chunks"].__setitem__("count", "many"), "chunks"),
        (lambda d: d["runs"].__setitem__("total", 0), "runs.total"),
        (lambda d: d.__setitem__("replications", True), "replications"),
        (lambda d: d["design"].__setitem__("file", "../../etc/passwd"), "design"),
        (lambda d: d["runs"].__setitem__("total", 7), "runs.total"),
        (lambda d: d["chunks"].__setitem__("count", 2), "chunk table"),
        (lambda d: d.__setitem__("seed", 10**30), "seed"),
    ],
)
def test_a_damaged_manifest_is_named_with_what_is_wrong_and_how_to_recover(sweep, edit, expected):
    _edit_manifest(sweep, edit)
    with pytest.raises(SweepError) as caught:
        load_manifest(sweep)
    message = str(caught.value)
    assert "manifest.json" in message or "chunks.parquet" in message
    assert expected in message
    assert "another --out" in message
    assert "\n" not in message


@pytest.mark.parametrize("kind", ["fifo", "directory", "big", "nan", "deep"])
def test_a_special_or_hostile_manifest_file_is_refused_by_type_size_or_content(sweep, kind):
    path = sweep / "manifest.json"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "big":
        with path.open("wb") as handle:
            handle.truncate(1 << 30)  # sparse: no disk used
    elif kind == "nan":
        path.write_text('{"format": "trilat-sweep/2", "seed": NaN}', encoding="utf-8")
    else:
        path.write_text('{"format": "trilat-sweep/2", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(SweepError, match="manifest"):
        load_manifest(sweep)


def test_a_damaged_chunk_table_is_named(sweep):
    (sweep / "chunks.parquet").write_bytes(b"garbage" * 10)
    with pytest.raises(SweepError, match=r"chunks\.parquet.*(damaged|Parquet)"):
        load_manifest(sweep)


def _damage(part: Path, how: str) -> None:
    if how == "truncated":
        part.write_bytes(part.read_bytes()[:40])
    elif how == "garbage":
        part.write_bytes(b"garbage" * 10)
    else:
        part.unlink()


@pytest.mark.parametrize("how", ["truncated", "garbage", "deleted"])
def test_analyze_skips_a_damaged_part_with_a_warning_and_resume_runs_it_again(sweep, how, capsys):
    reference = read_runs(sweep)
    _damage(sweep / "parts" / "part-000001.parquet", how)
    result = analyze(sweep, plots=False, echo=False)
    assert "parts/part-000001.parquet" in capsys.readouterr().err
    assert any("part-000001" in note and "4 runs" in note for note in result.notes)
    assert int(result.points["runs"].sum()) == 8  # the two intact chunks
    with pytest.raises(SweepError, match="part-000001.*missing, unreadable"):
        reproduce(sweep, 4)
    summary = run_sweep(sweep.parent / "experiment.yaml", sweep, progress=False)
    assert summary.complete and summary.new_runs == 4
    pd.testing.assert_frame_equal(read_runs(sweep), reference)


def test_an_analysis_path_that_is_a_file_is_refused(sweep):
    shutil.rmtree(sweep / "analysis", ignore_errors=True)
    (sweep / "analysis").write_text("x", encoding="utf-8")
    with pytest.raises(SweepError, match="analysis: is a file"):
        analyze(sweep, plots=False, echo=False)


def test_analyze_never_writes_through_a_planted_link(sweep, tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    (sweep / "analysis").mkdir(exist_ok=True)
    (sweep / "analysis" / "points.csv").symlink_to(target)
    analyze(sweep, plots=False, echo=False)
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not (sweep / "analysis" / "points.csv").is_symlink()


@pytest.mark.parametrize("out", ["/dev/null/x", "/proc/trilat-test", "LONG", "FILE"])
def test_an_impossible_output_folder_gets_one_line(tmp_path, out):
    path = write_experiment(tmp_path, TINY)
    if out == "LONG":
        out = str(tmp_path / ("x" * 300))
    elif out == "FILE":
        out = str(path)
    with pytest.raises(SweepError) as caught:
        run_sweep(path, out, progress=False)
    assert str(caught.value).startswith(out[:40]) and "\n" not in str(caught.value)


def test_a_second_sweep_into_a_locked_folder_is_refused_naming_the_holder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with folder_lock(out):
        for text in (TINY, OTHER):  # the same experiment, or another one
            path = write_experiment(tmp_path, text, name="exp.yaml")
            with pytest.raises(SweepError, match=rf"another sweep is writing this folder \(pid {os.getpid()}\)"):
                run_sweep(path, out, progress=False)
    assert not (out / "manifest.json").exists()
    assert run_sweep(write_experiment(tmp_path, TINY), out, progress=False).complete  # released


def test_the_lock_dies_with_a_killed_holder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    code = (
        "import sys, time; from pathlib import Path; from sim.research.sweep.guard import folder_lock\n"
        "with folder_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(SweepError, match=f"pid {holder.pid}"), folder_lock(out):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with folder_lock(out):
        assert (out / LOCK).read_text(encoding="ascii").strip() == str(os.getpid())


@pytest.mark.parametrize(
    "address",
    ["not a url", "http://127.0.0.1:8786", "tcp://127.0.0.1", "tcp://host:99999", "tcp://a b:1", "tcp://[zz]:1"],
)
def test_a_malformed_dask_address_is_refused_without_connecting(tmp_path, address):
    with pytest.raises(SweepError, match="--dask"):
        parse_address(address)
    with pytest.raises(SweepError, match="--dask"):
        run_sweep(write_experiment(tmp_path, TINY), tmp_path / "out", dask=address, progress=False)
    assert not (tmp_path / "out").exists()


def _listener(reply: bytes | None) -> tuple[socket.socket, int]:
    """A local server that accepts and sends ``reply`` (None: says nothing)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            if reply is not None:
                conn.sendall(reply)
            conn.settimeout(3)
            try:
                conn.recv(1)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (None, "sent nothing within 0.5 s"),
        (b"\xff" * 64, "not a Dask scheduler"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", "not a Dask scheduler"),
    ],
)
def test_a_listener_that_is_not_a_dask_scheduler_is_refused_quickly(reply, expected):
    server, port = _listener(reply)
    with server, pytest.raises(SweepError, match=expected):
        probe_scheduler(f"tcp://127.0.0.1:{port}", timeout=0.5)


def test_a_closed_port_is_refused():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()
    with pytest.raises(SweepError, match="cannot connect"):
        probe_scheduler(f"tcp://127.0.0.1:{port}", timeout=0.5)


def test_a_real_dask_scheduler_passes_the_probe():
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(
        n_workers=0, processes=False, protocol="tcp", dashboard_address=":0", silence_logs=logging.ERROR
    ) as cluster:
        probe_scheduler(cluster.scheduler_address, timeout=5)


def test_too_many_chunks_are_refused_before_the_folder_is_made(tmp_path):
    path = write_experiment(tmp_path, TINY.replace("replications: 4", "replications: 2000000"))
    with pytest.raises(SweepError, match=r"--chunk 1 splits the sweep into 6,000,000 chunks; at most 1,000,000"):
        run_sweep(path, tmp_path / "out", progress=False, chunk_runs=1)
    assert not (tmp_path / "out").exists()


def test_an_experiment_of_too_many_runs_names_the_limit(tmp_path):
    from sim.errors import TrilatError
    from sim.research.experiment import load_experiment

    text = TINY.replace("sampler: grid\nlevels: 3", "sampler: lhs\nsamples: 2000").replace(
        "replications: 4", "replications: 10000000"
    )
    with pytest.raises(TrilatError, match=r"20,000,000,000 runs .*at most 10,000,000,000"):
        load_experiment(write_experiment(tmp_path, text))
