"""The scenario front end's parts: the calendar, typed triggers, leaf name lists, model-option clashes."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from agents import STRATEGIES
from sim import ScenarioError, TrilateralModel, load_scenario
from sim.engine.rng import stream_id
from sim.engine.sources import Source, SourceKind
from sim.lang import calendar, checks
from sim.lang.compiled import Act, Card, Event, Injection, Rule, Trigger
from sim.lang.loading import library_dir
from sim.lang.schema import MODEL_OPTIONS, STRATEGY_NAMES
from sim.lang.yamlio import read_yaml_file


def test_calendar_converts_turns_and_quarters_both_ways():
    start = (2025, 3)
    assert calendar.quarter_of(1, start) == (2025, 3)
    assert calendar.quarter_label(3, start) == "2026Q1"
    assert calendar.quarter_label(0, start) == "2025Q2"
    assert calendar.turn_of("2025Q3", start) == 1
    assert calendar.turn_of("2024Q4", start) == -2
    for turn in range(-5, 30):
        assert calendar.turn_of(calendar.quarter_label(turn, start), start) == turn
    with pytest.raises(ValueError, match="is not a quarter like 2025Q1"):
        calendar.turn_of("2025Q5", start)


def test_scenario_calendar_methods_use_its_start(baseline):
    assert baseline.start == (2025, 1)
    assert baseline.quarter_of(5) == (2026, 1)
    assert baseline.quarter_label(16) == "2028Q4"
    assert baseline.turn_of("2026Q2") == 6


def test_each_trigger_kind_has_its_own_class_label_cause_and_stream(baseline):
    groups: list[tuple[type[Trigger], list[Trigger], SourceKind]] = [
        (Rule, [r for rules in baseline.rules.values() for r in rules], SourceKind.RULE),
        (Event, list(baseline.events), SourceKind.EVENT),
        (Act, [a for acts in baseline.acts.values() for a in acts], SourceKind.ACT),
        (Card, [c for cards in baseline.actions.values() for c in cards], SourceKind.ACTION),
    ]
    for cls, triggers, kind in groups:
        assert triggers, cls
        for trigger in triggers:
            assert type(trigger) is cls and isinstance(trigger, Trigger)
            owner = getattr(trigger, "owner", "")
            assert trigger.cause == Source(kind, trigger.id, owner)
            expected = f"{kind.value}:{owner + '.' if owner else ''}{trigger.id}"
            assert trigger.label == trigger.cause.label == expected
            assert trigger.stream == stream_id(expected)
    rule = groups[0][1][0]
    assert not rule.once and rule.owner == "" and not hasattr(rule, "cost") and not hasattr(rule, "at_turn")
    act = baseline.acts["DPRK"][0]
    assert act.owner == "DPRK" and act.flag_row == baseline.layout.rows[f"DPRK.{act.id}"]


def test_an_injection_is_its_own_kind(baseline):
    injection = baseline.compile_injection("surprise", "", "Something happens.", {"ROK.approval": "-0.1"})
    assert isinstance(injection, Injection)
    assert injection.label == "inject:surprise" and injection.title == "surprise"
    assert injection.stream == stream_id("inject:surprise")
    assert not injection.once and injection.at_turn is None
    model = TrilateralModel(baseline, replications=2, seed=1)
    model.inject(injection)
    model.inject(baseline.events[0].id)
    model.step()
    labels = [firing.label for firing in model.log]
    assert "inject:surprise" in labels and baseline.events[0].label in labels


def test_strategy_names_are_the_agents_registry():
    assert list(STRATEGY_NAMES) == sorted(STRATEGIES)


def test_model_options_are_the_keyword_options_of_the_model():
    signature = inspect.signature(TrilateralModel.__init__).parameters.values()
    named = {p.name for p in signature if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD}
    assert named <= set(MODEL_OPTIONS)
    assert set(MODEL_OPTIONS) - named <= {"parameters"}


@pytest.mark.parametrize("name", MODEL_OPTIONS)
def test_a_parameter_named_like_a_model_option_is_a_located_error(tmp_path, name):
    path = tmp_path / "s.yaml"
    path.write_text(
        f"id: clash\ntitle: Clash\nextends: baseline\nparameters:\n  {name}: {{default: 0.5, range: [0, 1]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    (problem,) = exc.value.problems
    assert (problem.path, problem.line, problem.col) == (str(path), 5, 3)
    assert problem.message.startswith(f"parameter name '{name}' clashes with the model option '{name}'")


def test_the_scenario_language_does_not_import_the_agents():
    code = "import sys, sim.lang.scenario; print('agents' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_government_starting_values_come_from_the_defaults_file(baseline):
    """The root scenario sets every government's starting values; nothing else supplies them."""
    raw = read_yaml_file(library_dir() / "defaults.yaml")
    assert set(raw["governments"]) == {"USA", "ROK", "JPN"}
    for government in raw["governments"].values():
        assert {"approval", "polarization", "support", "history_salience", "capital"} <= set(government["initial"])
    x, _ = baseline.initial_state([baseline.parameter_defaults[n] for n in baseline.parameter_names], 1)
    for gov, government in baseline.spec.governments.items():
        for name, value in government.initial.items():
            if isinstance(value, int | float):
                assert x[baseline.layout.rows[f"{gov}.{name}"], 0] == pytest.approx(value)


def test_checks_are_listed_in_one_place():
    assert checks.duplicate_ids in checks.FILE_CHECKS
    assert checks.parameter_names in checks.SCENARIO_CHECKS
    assert checks.scan_raw_expressions in checks.BROKEN_STRUCTURE_CHECKS
    every = [*checks.FILE_CHECKS, *checks.ID_CHECKS, *checks.SCENARIO_CHECKS, *checks.BROKEN_STRUCTURE_CHECKS]
    assert len(every) == len(set(every))
    assert all(check.__doc__ for check in every)
