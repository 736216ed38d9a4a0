"""What the facilitator console groups: a scenario's own settings apart from the model's coefficients.

``defaults.yaml`` declares every model coefficient; a scenario's own settings are the
parameters its other files declare or override (``us_transactionalism`` in the baseline,
``allied_coordination`` in the Trump 2.0 scenario). The console lists those first, with their
docs, and the coefficients in a collapsed "advanced" group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.errors import ScenarioError
from sim.lang.loading import ROOT_SCENARIO, library_dir
from sim.lang.scenario import Scenario
from sim.lang.yamlio import parse_yaml, read_yaml_file


@dataclass(frozen=True)
class ParameterGroups:
    """A scenario's slider parameters (those with a range), in two groups, each in declaration order."""

    scenario: list[str]
    """Declared or overridden by the scenario's own files (and the scenarios it extends)."""
    coefficients: list[str]
    """Model coefficients from ``defaults.yaml`` the scenario leaves alone."""


def _declared(raw: Any) -> set[str]:
    parameters = raw.get("parameters") if isinstance(raw, dict) else None
    return set(parameters) if isinstance(parameters, dict) else set()


def parameter_groups(scenario: Scenario) -> ParameterGroups:
    """Split the scenario's ranged parameters into its own settings and the model coefficients."""
    ranged = [name for name, p in scenario.spec.parameters.items() if p.range is not None]
    own: set[str] = set()
    try:
        if scenario.texts:
            root = _declared(parse_yaml(scenario.texts[0], str(scenario.files[0])))
            for path, text in zip(scenario.files[1:], scenario.texts[1:], strict=True):
                own |= _declared(parse_yaml(text, str(path)))
        else:
            root = _declared(read_yaml_file(library_dir() / f"{ROOT_SCENARIO}.yaml"))
            own = set(ranged) - root
    except ScenarioError:  # a file that loaded once parses again; this is only a safety net
        root = set()
    mine = [name for name in ranged if name in own or name not in root]
    return ParameterGroups(mine, [name for name in ranged if name not in mine])
