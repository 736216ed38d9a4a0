"""Mesa's spatial modules (scipy.spatial, networkx) load only when used: start-up without them, same Mesa."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from sim import TrilateralModel
TrilateralModel("baseline", seed=1, turns=2).run()
before = sorted(m for m in ("scipy", "networkx", "mesa.discrete_space.grid") if m in sys.modules)
import importlib.util
import mesa
from mesa.discrete_space import OrthogonalMooreGrid
from mesa.space import MultiGrid
import mesa.experimental.continuous_space as continuous
found = [OrthogonalMooreGrid.__module__, MultiGrid.__module__, continuous.ContinuousSpace.__module__,
         type(mesa.discrete_space).__name__, importlib.util.find_spec("mesa.space").name]
after = sorted(m for m in ("scipy", "networkx") if m in sys.modules)
print(json.dumps({"before": before, "found": found, "after": after}))
"""


def probe() -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_run_does_not_import_the_spatial_modules_and_they_still_work_when_used():
    found = probe()
    assert found["before"] == []
    assert found["found"] == [
        "mesa.discrete_space.grid",
        "mesa.space",
        "mesa.experimental.continuous_space.continuous_space",
        "module",
        "mesa.space",
    ]
    assert found["after"] == ["networkx", "scipy"]


def test_nothing_is_deferred_once_mesa_is_imported(monkeypatch):
    from sim.engine import mesa_loading

    monkeypatch.setitem(sys.modules, "mesa", sys.modules.get("mesa") or object())
    before = {name: sys.modules.get(name) for name in mesa_loading.DEFERRED}
    mesa_loading.defer_unused_mesa_modules()
    assert {name: sys.modules.get(name) for name in mesa_loading.DEFERRED} == before
