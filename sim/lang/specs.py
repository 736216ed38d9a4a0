"""A scenario's validated spec without its compilation: what ``trilat list`` reads (no numpy).

:func:`load_spec` reads the ``extends:`` chain and validates the merged tree against
:mod:`sim.lang.schema`; :func:`sim.lang.scenario.load_scenario` does the same through
:func:`validate_tree` and then checks and compiles it. The scan for a broken tree's other
problems needs the expression compiler (numpy), so it is imported lazily, on that error path only
(start-up, docs/performance.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.lang import schema
from sim.lang.check_files import file_problems
from sim.lang.diagnostics import Diagnostics
from sim.lang.loading import load_chain, resolve_scenario_path


def known_keys() -> set[str]:
    """Every key of the scenario format (for did-you-mean on unknown keys)."""
    keys: set[str] = set()
    for model in (
        schema.ScenarioSpec,
        schema.GovernmentSpec,
        schema.RuleSpec,
        schema.EventSpec,
        schema.ActionSpec,
        schema.ThreatSpec,
        schema.ThreatAct,
        schema.ParameterSpec,
        schema.PresetSpec,
        schema.DomainSpec,
        schema.Profile,
        schema.LeaderSpec,
        schema.SourceRef,
        schema.SeriesSpec,
    ):
        keys.update(model.model_fields)
    return keys


def validate_tree(raw: Any, diagnostics: Diagnostics) -> schema.ScenarioSpec:
    """The validated spec of a merged tree.

    Raises:
        ScenarioError: with the validation problems and, as far as the broken structure allows,
            the expression problems of the same file.
    """
    try:
        return schema.ScenarioSpec.model_validate(raw)
    except ValidationError as exc:
        from sim.lang.checks import broken_structure_problems

        found = diagnostics.validation(exc, known_keys())
        taken = {(p.path, p.line, p.col) for p in found}
        scanned = broken_structure_problems(raw, diagnostics.fallback)
        diagnostics.extend(p for p in scanned if (p.path, p.line, p.col) not in taken)
        raise ScenarioError(diagnostics.sorted()) from None


def load_spec(name: str | Path) -> schema.ScenarioSpec:
    """Load, merge (``extends:``) and validate a scenario without compiling it (for ``trilat list``).

    The id, title, turns, start and sources are known; rules, cards and expressions are not
    checked (:func:`sim.lang.scenario.load_scenario` does that).

    Raises:
        ScenarioError: for a file that cannot be read, or a tree the schema refuses.
    """
    return load_spec_and_files(name)[0]


def load_spec_and_files(name: str | Path) -> tuple[schema.ScenarioSpec, list[Path]]:
    """:func:`load_spec`, and the files its ``extends:`` chain was read from (root first, resolved)."""
    path = resolve_scenario_path(name)
    raw, files = load_chain(path, file_problems)
    return validate_tree(raw, Diagnostics(raw, (str(path), 1, 1))), files
