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


PANDAS_PROBE = """
import json, sys
from sim import TrilateralModel
model = TrilateralModel("baseline", seed=1, turns=2)
model.run()
during = "pandas" in sys.modules
from mesa import agent
held = type(agent.pd).__name__
frame = model.datacollector.get_model_vars_dataframe()  # Mesa's own use of pandas imports it now
import pandas
print(json.dumps({"during": during, "held": held, "series": agent.pd.Series is pandas.Series,
                  "frame": [type(frame).__name__, len(frame)],
                  "meta_path": [type(f).__name__ for f in sys.meta_path if "mesa_loading" in type(f).__module__],
                  "real": type(sys.modules["pandas"]).__name__, "version": pandas.__version__ > "2"}))
"""


def test_a_run_does_not_import_pandas_and_mesa_uses_the_real_one_when_asked():
    result = subprocess.run(
        [sys.executable, "-c", PANDAS_PROBE], capture_output=True, text=True, check=True, timeout=300
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {
        "during": False,  # Mesa imported, a model ran: no pandas
        "held": "_Deferred",  # mesa.agent holds the stand-in
        "series": True,  # which hands on the real pandas' names
        "frame": ["DataFrame", 3],  # the DataCollector's table: the start and two turns
        "meta_path": [],  # the import hooks left once Mesa was imported
        "real": "module",  # a later `import pandas` is the ordinary one
        "version": True,
    }


SUBMODULE_PROBE = """
import json, sys
import sim.engine
from sim.engine.mesa_loading import deferred_while_importing
with deferred_while_importing():
    import pandas as early
    stand_in = type(early).__name__
    import pandas.api.types as types_module  # a sub-module under the stand-in: the real package first
    core = sys.modules["pandas.core"]
import pandas
print(json.dumps({"stand_in": stand_in, "same_types": pandas.api.types is types_module,
                  "core_once": pandas.core is core is sys.modules["pandas.core"],
                  "forwarded": early.DataFrame is pandas.DataFrame, "left": "pandas" in sys.modules}))
"""


def test_a_sub_module_imported_under_the_stand_in_is_the_real_one_imported_once():
    result = subprocess.run(
        [sys.executable, "-c", SUBMODULE_PROBE], capture_output=True, text=True, check=True, timeout=300
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"stand_in": "_Deferred", "same_types": True, "core_once": True, "forwarded": True, "left": True}


def test_the_stand_in_leaves_when_the_block_ends(monkeypatch):
    from sim.engine import mesa_loading

    monkeypatch.delitem(sys.modules, "tabnanny", raising=False)  # a module this test can defer
    before = list(sys.meta_path)
    with mesa_loading.deferred_while_importing(["tabnanny", "json"]):
        assert type(sys.modules["tabnanny"]).__name__ == "_Deferred"
        assert type(sys.modules["json"]).__name__ == "module"  # already imported: left alone
        assert len(sys.meta_path) == len(before) + 1
    assert "tabnanny" not in sys.modules
    assert sys.meta_path == before


BATCH_PROBE = """
import json, sys
from sim import TrilateralModel
TrilateralModel("baseline", seed=1, turns=2).run()
before = sorted(m for m in ("tqdm", "tqdm.auto", "asyncio") if m in sys.modules)
import mesa, mesa.batchrunner
held = type(mesa.batchrunner).__name__
results = mesa.batch_run(TrilateralModel, {"scenario": "baseline", "seed": 1, "turns": 1},
                         iterations=1, max_steps=1, number_processes=1, display_progress=False)
from mesa.batchrunner import batch_run
print(json.dumps({"before": before, "held": held, "rows": len(results), "name": mesa.batch_run.__name__,
                  "real": type(sys.modules["mesa.batchrunner"]).__name__,
                  "attribute": mesa.batchrunner is sys.modules["mesa.batchrunner"],
                  "function": batch_run.__module__}))
"""


def test_a_run_does_not_import_the_batch_runner_and_mesa_batch_run_still_works():
    result = subprocess.run(
        [sys.executable, "-c", BATCH_PROBE], capture_output=True, text=True, check=True, timeout=300
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {
        "before": [],  # a run imported neither tqdm nor asyncio (Mesa's batch runner imports tqdm.auto)
        "held": "_Deferred",  # mesa.batchrunner is the stand-in until batch_run is first called
        "rows": 1,  # Mesa's batch_run ran the model and collected its row
        "name": "batch_run",
        "real": "module",  # the first call imported the real batch runner
        "attribute": True,  # and mesa.batchrunner is it
        "function": "mesa.batchrunner",
    }
