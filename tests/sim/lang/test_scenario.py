"""Scenario loading: the library, extends:, validation problems with positions, compilation."""

from __future__ import annotations

import pytest

from sim import ScenarioError, library_ids, load_scenario


def load_text(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def errors(tmp_path, text, name="s.yaml"):
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, text, name)
    return exc.value.problems


def test_library_has_baseline_and_hides_the_root():
    assert "baseline" in library_ids()
    assert "defaults" not in library_ids()


def test_baseline_is_camp_david_momentum(baseline):
    assert baseline.title == "Camp David momentum"
    assert baseline.spec.start == "2025Q1" and baseline.turns == 16
    assert baseline.quarter_label(16) == "2028Q4"
    assert baseline.turn_of("2025Q3") == 3
    assert len(baseline.content_hash) == 64


def test_extends_merges_by_key_and_by_id(tmp_path):
    scenario = load_text(
        tmp_path,
        """
id: child
title: Child
extends: baseline
turns: 4
rules:
  - id: annual_summit
    effects: {institutionalization: 0.05}
  - id: extra
    phase: outcomes
    effects: {deterrence: 0.01}
events:
  - id: freedom_edge
    disabled: true
""",
    )
    assert scenario.turns == 4
    outcomes = {rule.id: rule for rule in scenario.rules["outcomes"]}
    assert outcomes["annual_summit"].effects[0].value.constant == 0.05
    assert outcomes["annual_summit"].when is not None  # inherited key kept
    assert "extra" in outcomes
    assert "freedom_edge" not in {event.id for event in scenario.events}
    assert scenario.spec.title == "Child" and not scenario.spec.abstract


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [
        ("id: a\ntitle: A\nturns: 0\n", 3, 8, "greater than 0"),
        ("id: a\ntitle: A\nstart: 2025Q5\n", 3, 8, "not a quarter"),
        ("id: a\ntitle: A\nrules:\n  - id: r\n    phase: cooperaton\n", 5, 12, "phase"),
        (
            "id: a\ntitle: A\nrules:\n  - id: r\n    phase: outcomes\n    whn: 'trilateral > 0'\n",
            6,
            5,
            "did you mean 'when'",
        ),
        (
            "id: a\ntitle: A\nrules:\n  - id: r\n    phase: outcomes\n    effects: {trilateral: 0.1}\n",
            6,
            15,
            "computed by the model",
        ),
        (
            "id: a\ntitle: A\nrules:\n  - id: r\n    phase: outcomes\n    effects: {tie.ROK_CHN: 0.1}\n",
            6,
            15,
            "not a state variable",
        ),
        ("id: a\ntitle: A\nactions:\n  PRC:\n    - {id: x, cost: 1}\n", 4, 3, "actions"),
        (
            "id: a\ntitle: A\nrules:\n  - {id: r, phase: outcomes}\n  - {id: r, phase: events}\n",
            5,
            10,
            "duplicate id 'r'",
        ),
        ("id: a\ntitle: A\nextends: nowhere\n", 3, 10, "does not exist"),
        ("id: a\ntitle: A\ngovernments:\n  ROK:\n    strategy: nicely\n", 5, 15, "unknown strategy"),
        ("id: a\ntitle: A\nparameters:\n  p: {default: 2, range: [0, 1]}\n", 4, 16, "outside the range [0, 1]"),
        ("id: a\ntitle: A\nparameters:\n  p: {default: 0.5, range: [1, 0]}\n", 4, 28, "range [1, 0] is empty"),
    ],
)
def test_problems_are_located(tmp_path, text, line, col, fragment):
    found = errors(tmp_path, text)
    assert any(p.line == line and p.col == col and fragment in p.message for p in found), [str(p) for p in found]


def test_all_problems_are_reported_in_one_pass(tmp_path):
    found = errors(
        tmp_path,
        "id: a\ntitle: A\nrules:\n  - id: r\n    phase: outcomes\n    when: 'bogus > 1'\n"
        "    effects: {deterrence: 'also_bogus'}\n",
    )
    assert len(found) == 2


def test_extends_cycle_is_detected(tmp_path):
    (tmp_path / "a.yaml").write_text("id: a\ntitle: A\nextends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: b\ntitle: B\nextends: a.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")


def test_initial_values_may_use_parameters_only(tmp_path):
    found = errors(tmp_path, "id: a\ntitle: A\ninitial: {deterrence: 'trilateral * 2'}\n")
    assert any("parameters only" in p.message for p in found)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "id: a\ntitle: A\ngovernments:\n  USA:\n    camps:\n      america_first: {transactionalism: 'ROK.approval'}\n",
            6,
            "parameters only, not ROK.approval",
        ),
        ("id: a\ntitle: A\ninitial: {deterrence: 'uniform(0, 1)'}\n", 3, "parameters only, not random"),
        (
            "id: a\ntitle: A\nrules:\n  - id: r\n    phase: outcomes\n    effects:\n      deterrence: {}\n",
            7,
            "{add: value}",
        ),
        (
            "id: a\ntitle: A\nrules:\n  - id: r\n    phase: outcomes\n    effects:\n      deterrence: {set: 1, add: 2}\n",
            7,
            "{set: value}",
        ),
        (
            "id: a\ntitle: A\nthreats:\n  DPRK:\n    acts:\n      - {id: capability, chance: 0.1, severity: 0.1}\n",
            6,
            "name of a DPRK variable",
        ),
        ("id: a\ntitle: A\nrules:\n  - {id: freedom_edge, phase: outcomes}\n", 4, "is also the id of"),
        ("id: a\ntitle: A\ngovernments:\n  ROK:\n    initial: {aproval: 0.4}\n", 5, "did you mean 'approval'"),
        ("id: a\ntitle: A\ngovernments:\n  ROK:\n    initial: {threat: 0.4}\n", 5, "unknown initial variable 'threat'"),
        ("id: a\ntitle: A\nevents:\n  - {id: e, at: 2024Q4}\n", 4, "before the start"),
        ("id: a\nextends: baseline\n", 1, "missing required key 'title'"),
    ],
)
def test_more_problems_are_caught(tmp_path, text, line, fragment):
    found = errors(tmp_path, "extends: baseline\n" + text if "extends" not in text else text)
    assert any(fragment in p.message for p in found), [str(p) for p in found]
    shift = 0 if "extends" in text else 1
    assert any(p.line == line + shift for p in found if fragment in p.message), [str(p) for p in found]


def test_a_tie_given_per_domain_in_a_child_keeps_the_parents_level_elsewhere(tmp_path):
    scenario = load_text(tmp_path, "id: a\ntitle: A\nextends: baseline\nties:\n  ROK_JPN: {history: 0.3}\n")
    x, _ = scenario.initial_state([scenario.parameter_defaults[n] for n in scenario.parameter_names], 1)
    rows = scenario.layout.rows
    assert x[rows["tie.ROK_JPN.history"], 0] == 0.3
    assert x[rows["tie.ROK_JPN.cyber"], 0] == 0.55


def test_the_abstract_root_cannot_be_run(capsys):
    from sim.cli import main

    assert main(["run", "defaults"]) == 2
    assert "abstract" in capsys.readouterr().err


PRESETS = (
    "id: a\ntitle: A\nextends: baseline\npresets:\n  hard:\n    title: Hard\n    doc: A doc.\n"
    "    values:\n      {body}\n"
)


@pytest.mark.parametrize(
    ("body", "line", "col", "fragment"),
    [
        ("us_transactionalism: 2", 9, 28, "preset 'hard': us_transactionalism=2 is outside its range [0, 1]"),
        (
            "us_transactionalizm: 1",
            9,
            28,
            "unknown parameter 'us_transactionalizm' (did you mean 'us_transactionalism'",
        ),
        ("us_transactionalism: lots", 9, 28, "number"),
    ],
)
def test_preset_problems_are_located(tmp_path, body, line, col, fragment):
    found = errors(tmp_path, PRESETS.format(body=body))
    assert any(p.line == line and fragment in p.message for p in found), [str(p) for p in found]


def test_presets_load_with_their_doc_and_values(tmp_path):
    scenario = load_text(tmp_path, PRESETS.format(body="us_transactionalism: 1"))
    preset = scenario.spec.presets["hard"]
    assert preset.title == "Hard" and preset.doc == "A doc." and preset.values == {"us_transactionalism": 1.0}
    assert load_scenario("trump2-transactional").spec.presets["maximal_trump"].title == "Maximal Trump"
