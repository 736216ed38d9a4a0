"""Golden digests: every shipped scenario's output and three small sweeps, pinned bit for bit.

Each scenario is run as ``trilat run ID --runs 200 --seed 7 --json`` (the ensemble's ``final``
values, digested per indicator) and as ``trilat run ID --seed 7 --json --explain`` and
``trilat run ID --seed 7 --explain`` (one story: its trajectory, story, cause record and the
text a user reads). A change that is *meant* to change results
regenerates the digests in the same commit and says why::

    python -m tests.test_golden          # rewrite tests/golden/digests.json
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
from pathlib import Path

import pytest

DIGESTS = Path(__file__).parent / "golden" / "digests.json"
RUNS, SEED = 200, 7


def _cli(*args: str) -> str:
    from sim.cli import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(args))
    assert code == 0, f"trilat {' '.join(args)} exited {code}"
    return buffer.getvalue()


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def scenario_ids() -> list[str]:
    from sim import library_ids

    return sorted(library_ids())


def compute(scenario_id: str) -> dict[str, object]:
    """The digests of one scenario's pinned outputs."""
    ensemble = json.loads(_cli("run", scenario_id, "--runs", str(RUNS), "--seed", str(SEED), "--json"))
    story = json.loads(_cli("run", scenario_id, "--seed", str(SEED), "--json", "--explain"))
    text = _cli("run", scenario_id, "--seed", str(SEED), "--explain")
    return {
        "final": {name: _digest(values) for name, values in sorted(ensemble["final"].items())},
        "scores": _digest(ensemble["scores"]),
        "story": _digest(story["story"]),
        "trajectory": _digest(story["trajectory"]),
        "explain": _digest(story.get("explain")),
        "text": _digest(text),
    }


SWEEPS = {
    "grid": """\
id: golden-grid
scenarios: [baseline, trump2-transactional]
parameters:
  us_transactionalism: [0.2, 0.8]
  rok_polarization: [0.25, 0.75]
sampler: grid
replications: 30
seed: 5
turns: 4
outputs:
  indicators: [trilateral, tie.ROK_JPN, USA.capital]
  at: every
analysis:
  output: trilateral
  outcome: "trilateral < 0.5"
""",
    "sobol": """\
id: golden-sobol
scenarios: [baseline]
parameters:
  us_transactionalism: {}
  history_flare_chance: {range: [0, 0.4]}
  threat_gain: {range: [0.1, 0.7]}
sampler: sobol
samples: 8
replications: 10
seed: 3
turns: 3
outputs:
  indicators: [trilateral, deterrence]
  at: summary
  statistics: [mean, min, max, sd]
""",
    "morris": """\
id: golden-morris
scenarios: [korean-polarization]
parameters:
  rok_polarization: {}
  support_gain: {range: [0, 0.6]}
sampler: morris
samples: 4
levels: 4
replications: 10
seed: 9
turns: 3
outputs:
  indicators: [trilateral, tie.ROK_JPN]
  at: [1, 3]
""",
}
"""Small sweeps, one per sampler family and output layout, pinned with their analysis tables."""


def compute_sweep(name: str, folder: Path) -> dict[str, str]:
    """The digests of one small sweep's stored runs and of its analysis tables."""
    import pandas as pd

    from sim.cli import main

    experiment = folder / f"{name}.yaml"
    experiment.write_text(SWEEPS[name], encoding="utf-8")
    out = folder / name
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["sweep", str(experiment), "--out", str(out), "--quiet"]) == 0
        assert main(["analyze", str(out), "--no-plots"]) == 0
    frame = pd.read_parquet(out / "parts")
    keys = ["replication", "turn"] if "turn" in frame.columns else ["replication"]
    frame = frame.sort_values(keys).reset_index(drop=True)
    digests = {"runs": hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:20]}
    for table in sorted((out / "analysis").glob("*.csv")):
        digests[table.name] = hashlib.sha256(table.read_bytes()).hexdigest()[:20]
    return digests


def _pinned() -> dict[str, dict[str, object]]:
    return json.loads(DIGESTS.read_text(encoding="utf-8"))


def test_every_shipped_scenario_is_pinned():
    assert sorted(name for name in _pinned() if not name.startswith("sweep:")) == sorted(scenario_ids())


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_sweep_matches_the_golden_digest(name, tmp_path):
    assert compute_sweep(name, tmp_path) == _pinned()[f"sweep:{name}"]


@pytest.mark.parametrize(
    "scenario_id", sorted(name for name in json.loads(DIGESTS.read_text(encoding="utf-8")) if ":" not in name)
)
def test_output_matches_the_golden_digest(scenario_id):
    pinned = _pinned()[scenario_id]
    actual = compute(scenario_id)
    changed = [
        f"final.{name}"
        for name in pinned["final"]
        if actual["final"].get(name) != pinned["final"][name]  # type: ignore[union-attr,index]
    ]
    changed += [key for key in ("scores", "story", "trajectory", "explain", "text") if actual[key] != pinned[key]]
    assert actual == pinned, f"{scenario_id}: output changed in {', '.join(changed) or 'indicator set'}"


if __name__ == "__main__":
    import tempfile

    digests: dict[str, object] = {scenario_id: compute(scenario_id) for scenario_id in scenario_ids()}
    with tempfile.TemporaryDirectory() as scratch:
        for sweep_name in SWEEPS:
            digests[f"sweep:{sweep_name}"] = compute_sweep(sweep_name, Path(scratch))
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {DIGESTS} ({len(digests)} scenarios)", file=sys.stderr)
