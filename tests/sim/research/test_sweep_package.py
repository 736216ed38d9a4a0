"""The ``sim.research.sweep`` package: its names load on first use, and a worker's import stays small."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import sim.research.sweep as sweep


@pytest.mark.parametrize("name", sweep.__all__)
def test_every_exported_name_resolves(name):
    value = getattr(sweep, name)
    assert value is not None
    assert name in dir(sweep)


def test_simulate_is_the_function_even_after_its_submodule_is_imported():
    """``simulate`` names a submodule and the function it defines: the package keeps the function."""
    module = importlib.import_module("sim.research.sweep.simulate")
    assert sweep.simulate is module.simulate and callable(sweep.simulate)
    from sim.research.sweep import simulate

    assert simulate is module.simulate


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'run_swep'"):
        sweep.run_swep  # noqa: B018 - the attribute access is the test


def test_a_worker_imports_neither_pandas_nor_the_runner():
    """What a sweep's fork server preloads (``WORKER_MODULES``) leaves out pandas, the runner and the manifest."""
    from sim.research.sweep.backends import WORKER_MODULES

    code = (
        "import importlib, sys\n"
        f"for name in {WORKER_MODULES!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in ('pandas', 'scipy', 'sim.research.sweep.runner', 'sim.research.sweep.manifest')"
        " if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=root)
    assert out.stdout.strip() == "[]"
