"""Layering: the engine never imports the game window, and sub-packages import downward only."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import sim

SIM = Path(sim.__file__).resolve().parent

PROBE = """
import json, sys
import sim
from sim import TrilateralModel, load_scenario
model = TrilateralModel(load_scenario("baseline"), replications=50, seed=3)
model.run()
import sim.lang.scenario, sim.engine.model, sim.play.session, sim.play.report
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("ui", "pygame"))))
"""


def test_importing_sim_and_running_a_scenario_never_imports_ui_or_pygame():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_probe_would_see_an_import_of_ui():
    """The check above can fail: the same probe notices when the UI is imported."""
    probe = PROBE.replace("model.run()", "model.run()\nimport ui.theme")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300)
    assert "ui.theme" in json.loads(result.stdout.strip().splitlines()[-1])


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_engine_module_imports_the_ui_even_lazily():
    """Only the command line (sim/cli), the composition root, may open the game window."""
    offenders = {}
    for path in sorted(SIM.rglob("*.py")):
        if path.relative_to(SIM).parts[0] in ("cli", "cli.py"):
            continue
        ui_imports = {name for name in _imported_modules(path) if name.split(".")[0] in ("ui", "pygame")}
        if ui_imports:
            offenders[str(path.relative_to(SIM.parent))] = sorted(ui_imports)
    assert offenders == {}
