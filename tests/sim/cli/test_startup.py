"""Start-up: the library and language commands import neither Mesa nor the game window nor plotting.

Each command runs in a fresh interpreter with ``-X importtime`` (every module imported is listed
on stderr), so the test sees exactly what a user's ``trilat list`` imports.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("mesa", "pygame", "matplotlib", "pandas", "scipy", "networkx", "agents", "ui", "numba")
"""Top-level packages a quick command must not import."""


def imported_packages(*args: str) -> set[str]:
    """The top-level packages a fresh ``python -m sim.cli ARGS`` imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sim.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 2), result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "sim" in names  # the probe sees imports at all
    return names


@pytest.mark.parametrize(
    "args",
    [("list",), ("validate",), ("show", "baseline"), ("show", "baseline", "--facilitator"), ("--help",)],
    ids=lambda args: " ".join(args),
)
def test_quick_commands_import_no_heavy_package(args):
    assert imported_packages(*args) & set(HEAVY) == set()


def test_the_probe_sees_mesa_when_a_command_imports_it():
    """The check above can fail: a one-story run does import Mesa (the model is a Mesa model)."""
    assert "mesa" in imported_packages("run", "baseline", "--turns", "1")
