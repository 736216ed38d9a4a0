"""The on-disk cache of compiled kernels: hits across processes, misses when any code it depends on changes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from sim.engine.kernels import cache

pytest.importorskip("numba")

_CHILD = """
import json, sys
import numpy as np
from sim.engine import kernels
k = kernels.load()
out = np.empty((2, 5))
k.uniform_block(np.arange(5, dtype=np.uint64), np.array([11, 12], dtype=np.uint64), 0.5, out)
stats = k.uniform_block.stats
print(json.dumps({"hits": sum(stats.cache_hits.values()), "misses": sum(stats.cache_misses.values()),
                  "bits": out.view(np.uint64).tolist(), "path": stats.cache_path}))
"""


def _child(env_value: str) -> dict:
    env = {**os.environ, cache.CACHE_ENV: env_value}
    done = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_the_kernel_from_the_cache_with_the_same_bits(tmp_path):
    first = _child(str(tmp_path))
    second = _child(str(tmp_path))
    assert (first["hits"], first["misses"]) == (0, 1)
    assert (second["hits"], second["misses"]) == (1, 0)
    assert second["bits"] == first["bits"]
    folder = tmp_path / cache.code_fingerprint()[:32]
    assert first["path"] == str(folder)
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0  # owner only: numba stores pickles there


_TRIGGERS_CHILD = """
import json
from sim.engine.kernels import cache
from sim.engine.model import TrilateralModel
seen = []
enable = cache.enable
def recording(dispatcher, name, extra=""):
    seen.append((name, dispatcher))
    return enable(dispatcher, name, extra)
cache.enable = recording
model = TrilateralModel("baseline", seed=3, replications=300, turns=2, engine="compiled")
model.run()
triggers = [d for name, d in seen if name.startswith("trigger.")]
applier = [d for name, d in seen if name == "triggers_runtime.apply_group"]
print(json.dumps({"kernels": len(triggers), "hits": sum(sum(d.stats.cache_hits.values()) for d in triggers),
                  "applier_hits": [sum(d.stats.cache_hits.values()) for d in applier],
                  "digest": float(model.x.sum())}))
"""


def test_generated_trigger_kernels_are_cached_too(tmp_path):
    env = {**os.environ, cache.CACHE_ENV: str(tmp_path)}

    def child() -> dict:
        done = subprocess.run(
            [sys.executable, "-c", _TRIGGERS_CHILD], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    first, second = child(), child()
    assert first["kernels"] > 0 and first["hits"] == 0
    assert second["hits"] == second["kernels"] == first["kernels"]  # every group's kernel loaded, none compiled
    assert first["applier_hits"] == [0] and second["applier_hits"] == [1]  # the shared effect applier too
    assert second["digest"] == first["digest"]


def test_cached_says_whether_every_built_in_kernel_is_in_the_cache(tmp_path, monkeypatch):
    from sim.engine import kernels

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert not kernels.cached()
    env = {**os.environ, cache.CACHE_ENV: str(tmp_path)}
    code = "from sim.engine import kernels; kernels.warm_up()"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=600)
    assert kernels.cached()
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert not kernels.cached()


def test_the_cache_can_be_turned_off(tmp_path):
    off = _child("off")
    assert off["path"] is None  # numba's null cache: compiled in memory, nothing stored
    assert off["hits"] == 0
    assert off["bits"] == _child(str(tmp_path))["bits"]


def test_an_unwritable_folder_means_no_cache_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "below"))
    assert cache.folder() is None
    from numba import njit

    assert not cache.enable(njit(_twice), "test.twice")


def _twice(x):
    return 2.0 * x


def _dispatcher(tmp_path, stamp_extra: str):
    from numba import njit

    dispatcher = njit(_twice)
    assert cache.enable(dispatcher, "test.twice", extra=stamp_extra)
    assert dispatcher(1.5) == 3.0
    return dispatcher.stats


def test_a_change_to_what_the_code_depends_on_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert sum(_dispatcher(tmp_path, "source A").cache_misses.values()) == 1
    assert sum(_dispatcher(tmp_path, "source A").cache_hits.values()) == 1
    changed = _dispatcher(tmp_path, "source B")  # e.g. another generated kernel, or an edited helper
    assert sum(changed.cache_hits.values()) == 0
    assert sum(changed.cache_misses.values()) == 1


def test_the_fingerprint_covers_the_math_library_and_every_kernel_module(monkeypatch, tmp_path):
    from pathlib import Path

    engine = Path(cache.__file__).resolve().parent.parent
    before = cache.code_fingerprint()
    real_read = Path.read_bytes

    def edited(path: Path) -> bytes:
        data = real_read(path)
        return data + b"# edited" if path.name == edited.target else data

    for target in ("mathlib.py", "source.py", "triggers_runtime.py"):
        assert (engine / target).exists() or (engine / "kernels" / target).exists()
        edited.target = target
        monkeypatch.setattr(Path, "read_bytes", edited)
        cache.code_fingerprint.cache_clear()
        assert cache.code_fingerprint() != before, target
        monkeypatch.undo()
    cache.code_fingerprint.cache_clear()
    assert cache.code_fingerprint() == before


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_root() == tmp_path / "trilat" / "kernels"
    monkeypatch.setenv(cache.CACHE_ENV, "OFF")
    assert cache.cache_root() is None
