"""Start-up: the quick commands import no heavy package; a one-story run and a team's briefing only Mesa's core.

Each command runs in a fresh interpreter with ``-X importtime`` (every module imported is listed
on stderr), so the test sees exactly what a user's ``trilat list`` imports.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("mesa", "pygame", "matplotlib", "pandas", "pyarrow", "scipy", "networkx", "agents", "ui", "numba", "tqdm")
"""Top-level packages a quick command must not import."""

NOT_IN_A_RUN = ("pygame", "matplotlib", "pandas", "pyarrow", "scipy", "networkx", "ui", "numba", "dask", "SALib")
"""What a one-story run needs none of (Mesa's core and numpy only; engine=auto is numpy for one world)."""

NO_NUMPY = ("numpy",)
"""``trilat list`` and ``--help`` read no array: they must not pay for numpy either."""


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


QUICK = [
    ("list",),
    ("list", "--json"),
    ("validate",),
    ("validate", "scenarios/baseline.yaml"),
    ("show", "baseline"),
    ("show", "baseline", "--facilitator"),
    ("schema",),
    ("--help",),
    ("run", "--help"),
    ("--version",),
]


@pytest.mark.parametrize("args", QUICK, ids=lambda args: " ".join(args))
def test_quick_commands_import_no_heavy_package(args):
    assert imported_packages(*args) & set(HEAVY) == set()


def test_team_briefings_build_a_model_but_import_only_mesa_core(tmp_path: Path):
    """``show --team`` and ``handouts`` read a fresh game's starting state (a Mesa model): no more than a run."""
    found = imported_packages("show", "baseline", "--team", "ROK")
    assert found & {*NOT_IN_A_RUN, "reportlab"} == set()  # the terminal's text needs no PDF library
    found = imported_packages("handouts", "baseline", "--out", str(tmp_path), "--teams", "USA")
    assert found & set(NOT_IN_A_RUN) == set()
    assert "reportlab" in found  # the probe sees it where it belongs
    assert any(tmp_path.iterdir())  # it did write the packs


@pytest.mark.parametrize("args", [("list",), ("--help",), ("--version",)], ids=lambda args: " ".join(args))
def test_listing_and_help_import_no_numpy(args):
    assert imported_packages(*args) & set(NO_NUMPY) == set()


def test_a_one_story_run_imports_mesa_but_not_pandas_scipy_or_numba():
    """The probe can fail: a one-story run does import Mesa (the model is a Mesa model), and nothing more."""
    found = imported_packages("run", "baseline", "--turns", "1")
    assert "mesa" in found
    assert found & set(NOT_IN_A_RUN) == set()


def test_every_command_resolves_to_its_function():
    """The commands' modules are imported lazily: each entry names a real function, and every subcommand has one."""
    import sim.cli
    from sim.cli.parser import build_parser

    subcommands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert set(sim.cli.COMMANDS) == set(subcommands)
    for name in sim.cli.COMMANDS:
        assert callable(sim.cli.command(name)), name
