"""Shared test set-up: headless SDL, Hypothesis's database outside the checkout, the baseline loaded once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# Compiled kernels are cached outside the user's own cache (the cache is keyed by the code's
# fingerprint, so a stale entry is never loaded; tests/sim/engine/test_kernel_cache.py).
os.environ.setdefault("TRILAT_KERNEL_CACHE", str(Path(tempfile.gettempdir()) / "trilat-kernel-cache-tests"))
# So is the kept library listing (sim/lang/listing.py; tests/sim/lang/test_listing.py).
os.environ.setdefault("TRILAT_LISTING_CACHE", str(Path(tempfile.gettempdir()) / "trilat-listing-cache-tests"))
# And the kept compiled scenarios (sim/lang/kept.py; tests/sim/lang/test_kept.py).
os.environ.setdefault("TRILAT_SCENARIO_CACHE", str(Path(tempfile.gettempdir()) / "trilat-scenario-cache-tests"))

# Hypothesis keeps its files (example database, constants cache) outside the checkout, so a
# test run leaves it clean, and has no per-example deadline (a wall-clock assertion on a
# shared machine).
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "trilat-hypothesis"
set_hypothesis_home_dir(HYPOTHESIS_HOME)
settings.register_profile(
    "trilat",
    database=DirectoryBasedExampleDatabase(HYPOTHESIS_HOME / "examples"),
    deadline=None,
)
settings.load_profile("trilat")


@pytest.fixture(scope="session")
def baseline():
    """The compiled baseline scenario (loading is the slow part; share it)."""
    from sim import load_scenario

    return load_scenario("baseline")
