"""Shared helpers for the sweep tests: small experiment files and result readers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
SENSITIVE = HERE / "sensitive.yaml"


def write_experiment(folder: Path, body: str, name: str = "experiment.yaml") -> Path:
    """Write an experiment file; ``{sensitive}`` in the body becomes the test scenario's path."""
    path = folder / name
    path.write_text(body.replace("{sensitive}", str(SENSITIVE)), encoding="utf-8")
    return path


def read_runs(out: Path, kind: str = "parts") -> pd.DataFrame:
    """Every stored row of a sweep, in run (and turn) order."""
    frame = pd.read_parquet(out / kind)
    keys = ["replication", "turn"] if "turn" in frame.columns else ["replication"]
    return frame.sort_values(keys).reset_index(drop=True)


SMALL = """\
id: small
scenarios: [baseline]
parameters:
  us_transactionalism: {range: [0, 1]}
  rok_polarization: [0.25, 0.75]
sampler: lhs
samples: 6
replications: 40
seed: 11
turns: 3
outputs:
  indicators: [trilateral, tie.ROK_JPN, USA.capital, institutionalization]
"""
"""6 design points x 40 replications of 3 turns: 240 runs, quick enough for any back end."""

TINY = """\
id: tiny
scenarios: [baseline]
parameters:
  us_transactionalism: {range: [0, 1]}
sampler: grid
levels: 3
replications: 4
seed: 5
turns: 2
outputs:
  indicators: [trilateral, tie.ROK_JPN]
"""
"""3 grid points x 4 replications of 2 turns: three chunks of 4 runs with ``chunk_runs=4``."""


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    """The small experiment file."""
    return write_experiment(tmp_path, SMALL)


@pytest.fixture(scope="module")
def small_reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The small experiment's results from an uninterrupted in-process sweep."""
    from sim.research.sweep import run_sweep

    folder = tmp_path_factory.mktemp("reference")
    path = write_experiment(folder, SMALL)
    summary = run_sweep(path, folder / "out", progress=False, chunk_runs=80)
    assert summary.complete
    return read_runs(folder / "out")


@pytest.fixture()
def chunk_engines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The engine of every model the sweep's chunks build in this process (appended as each is made)."""
    import importlib

    simulate = importlib.import_module("sim.research.sweep.simulate")  # the module, not the function
    engines: list[str] = []

    class Spy(simulate.TrilateralModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            engines.append(self.engine)

    monkeypatch.setattr(simulate, "TrilateralModel", Spy)
    return engines
