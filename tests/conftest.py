"""Shared test set-up: headless SDL, and the baseline scenario loaded once."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(scope="session")
def baseline():
    """The compiled baseline scenario (loading is the slow part; share it)."""
    from sim import load_scenario

    return load_scenario("baseline")
