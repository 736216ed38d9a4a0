"""Loading scenarios: the compiled :class:`Scenario` and the pipeline that makes it.

``load_scenario("baseline")`` (or a path) runs the scenario front end, a small compiler:

1. :func:`sim.lang.loading.load_chain` reads the file and everything it ``extends:`` into one
   located tree (running :data:`sim.lang.checks.FILE_CHECKS` on each file);
2. pydantic validates the tree against :mod:`sim.lang.schema`;
3. the checks of :mod:`sim.lang.checks` run on the validated spec;
4. the section builders (:mod:`sim.lang.build_state`, :mod:`sim.lang.build_triggers`) compile it.

Every problem is collected in one :class:`~sim.lang.diagnostics.Diagnostics` and reported as
``path:line:col: message`` through :class:`~sim.errors.ScenarioError`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from sim.errors import Problem, ScenarioError
from sim.lang import checks, schema
from sim.lang.build_series import SeriesInputs, build_series
from sim.lang.build_state import build_starting_state
from sim.lang.build_triggers import (
    build_acts,
    build_cards,
    build_events,
    build_objectives,
    build_rules,
    build_scripts,
)
from sim.lang.compiled import Act, Card, Effect, Event, Injection, Rule, Trigger
from sim.lang.compiled_scenario import Scenario, ScenarioFacts, SpecHolder
from sim.lang.compiler import CONTEXT_NAMES, Compiler, make_layout, make_symbols
from sim.lang.diagnostics import Diagnostics
from sim.lang.loading import (
    ROOT_SCENARIO,
    library_dir,
    library_ids,
    load_chain,
    load_chain_texts,
    resolve_scenario_path,
)
from sim.lang.specs import load_spec, validate_tree
from sim.lang.yamlio import Mark

__all__ = [
    "CONTEXT_NAMES",
    "ROOT_SCENARIO",
    "Act",
    "Card",
    "Effect",
    "Event",
    "Injection",
    "Rule",
    "Scenario",
    "SeriesInputs",
    "Trigger",
    "library_dir",
    "library_ids",
    "load_embedded_scenario",
    "load_scenario",
    "load_spec",
    "resolve_scenario_path",
    "load_paths",
    "validate_paths",
]


def compile_scenario(
    spec: schema.ScenarioSpec,
    diagnostics: Diagnostics,
    path: Path,
    files: list[Path],
    content_hash: str,
    texts: tuple[str, ...] = (),
    embedded: bool = False,
) -> Scenario:
    """Check and compile a validated spec (``diagnostics`` holds its merged located tree).

    Raises:
        ScenarioError: listing every problem found.
    """
    checks.run_id_checks(spec, diagnostics)
    diagnostics.raise_if_any()
    layout = make_layout(spec)
    parameter_names = list(spec.parameters)
    symbols = make_symbols(layout, parameter_names, spec.series)
    compiler = Compiler(diagnostics, layout, symbols)
    checks.run_scenario_checks(checks.ScenarioContext(spec, layout, diagnostics, path, tuple(files), embedded))
    series = build_series(compiler, spec)
    state = build_starting_state(compiler, spec)
    rules = build_rules(compiler, spec)
    events = build_events(compiler, spec)
    acts = build_acts(compiler, spec)
    cards = build_cards(compiler, spec)
    diagnostics.raise_if_any()
    if state is None:  # a trait that did not compile has recorded its problem
        raise ScenarioError(diagnostics.sorted())
    return Scenario(
        spec_holder=SpecHolder(spec),
        facts=ScenarioFacts.of(spec, layout.domains),
        path=path,
        files=files,
        content_hash=content_hash,
        layout=layout,
        symbols=symbols,
        parameter_names=parameter_names,
        parameter_defaults={name: spec.parameters[name].default for name in parameter_names},
        initializers=state.initializers,
        profiles=state.profiles,
        camp_start=state.camp_start,
        camp_names=state.camp_names,
        exposure=state.exposure,
        election_turns=state.election_turns,
        rules=rules,
        events=events,
        acts=acts,
        actions=cards,
        series=series,
        scripts=build_scripts(spec),
        objectives=build_objectives(layout.rows, spec),
        leaders=state.leaders,
        texts=texts,
        embedded=embedded,
    )


def load_scenario(name: str | Path) -> Scenario:
    """Load, merge (``extends:``), validate and compile a scenario.

    Args:
        name: a library id such as ``"baseline"`` or a path to a YAML file.

    Raises:
        ScenarioError: listing every problem found as ``path:line:col: message``.
    """
    path = resolve_scenario_path(name)
    raw, files = load_chain(path, checks.file_problems)
    fallback: Mark = (str(path), 1, 1)
    diagnostics = Diagnostics(raw, fallback)
    spec = validate_tree(raw, diagnostics)
    texts = tuple(file.read_bytes().decode("utf-8", errors="replace") for file in files)
    return compile_scenario(spec, diagnostics, path, files, _content_hash(texts, spec), texts)


def load_embedded_scenario(path: str | Path, chain: list[tuple[str, str]]) -> Scenario:
    """Load a scenario from its files' texts (root first), as a save embeds them.

    Args:
        path: where the scenario file was when the game was played (for messages).
        chain: ``(file path, text)`` for every file of its ``extends:`` chain, ``defaults`` first.

    Raises:
        ScenarioError: listing every problem found.
    """
    raw = load_chain_texts(chain, checks.file_problems)
    diagnostics = Diagnostics(raw, (str(path), 1, 1))
    spec = validate_tree(raw, diagnostics)
    texts = tuple(text for _, text in chain)
    files = [Path(name) for name, _ in chain]
    return compile_scenario(spec, diagnostics, Path(path), files, _content_hash(texts, spec), texts, embedded=True)


def _content_hash(texts: tuple[str, ...], spec: schema.ScenarioSpec) -> str:
    """The scenario's fingerprint: its files' bytes and its validated spec."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
    digest.update(json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode())
    return digest.hexdigest()


def validate_paths(paths: Iterable[str | Path]) -> list[tuple[Path | str, list[Problem]]]:
    """Load every given file (every ``*.yaml`` of a folder; the library if none) and collect problems."""
    return [(target, problems) for target, problems, _ in load_paths(paths)]


def load_paths(paths: Iterable[str | Path]) -> list[tuple[Path | str, list[Problem], Scenario | None]]:
    """Like :func:`validate_paths`, with each scenario that loaded (None for one with problems)."""
    targets: list[Path | str] = []
    for item in list(paths) or [library_dir()]:
        path = Path(item)
        if path.is_dir():
            targets.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        else:
            targets.append(item if path.suffix in (".yaml", ".yml") or path.exists() else str(item))
    results: list[tuple[Path | str, list[Problem], Scenario | None]] = []
    for target in targets:
        try:
            scenario = load_scenario(target)
        except ScenarioError as exc:
            results.append((target, exc.problems, None))
        else:
            results.append((target, [], scenario))
    return results
