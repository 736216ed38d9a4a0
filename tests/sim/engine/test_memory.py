"""Freed memory stays in the process (sim/engine/memory.py): no page faults for a reused block.

The fault counts come from ``getrusage`` in a fresh process each (the setting is per process).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sim.engine import memory

GLIBC = sys.platform.startswith("linux") and "glibc" in " ".join(__import__("platform").libc_ver())

FAULTS = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from sim.engine.memory import retain_freed_memory
    if sys.argv[1] == "retain":
        assert retain_freed_memory()
    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):  # the first blocks fault in either way
        np.ones(5_000_000).sum()
    before = faults()
    for _ in range(20):  # 40 MB (above glibc's largest automatic threshold), written and freed 20 times
        np.ones(5_000_000).sum()
    print(faults() - before)
    """
)


def faults_of(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", FAULTS, mode], capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_a_reused_block_no_longer_faults_its_pages_in_again():
    assert faults_of("default") >= 20 * 10, "glibc hands each freed 40 MB block back to the kernel"
    assert faults_of("retain") < 10, "with the thresholds raised the block is reused"


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_it_is_taken_once_per_process():
    assert memory.retain_freed_memory() is True
    assert memory.retain_freed_memory() is True
    assert memory.retain_freed_memory.cache_info().misses == 1


def test_elsewhere_than_linux_it_does_nothing(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert memory.retain_freed_memory.__wrapped__() is False
