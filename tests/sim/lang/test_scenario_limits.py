"""Declared limits on a scenario's size: events, rules, acts, cards and the compiled expression graph."""

from __future__ import annotations

import pytest

from sim.engine import limits
from sim.errors import ScenarioError
from sim.lang.compiler import expression_nodes
from sim.lang.scenario import library_dir, load_scenario

HEAD = "id: big\ntitle: Big\n"  # extends the defaults, which hold no events, rules or cards
EVENT = "{id: e%d, title: e, at: 2025Q2, effects: {ROK.approval: 0.001}}"
RULE = "{id: r%d, title: r, phase: %s, effects: {ROK.approval: 0.001}}"
CARD = "{id: c%d, title: c, cost: 1, effects: {ROK.approval: 0.001}}"
ACT = "{id: a%d, title: a, chance: 0.01, severity: 0.5}"


def _problems(tmp_path, text: str) -> list[str]:
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [f"{p.path}:{p.line}:{p.col}: {p.message}" for p in caught.value.problems]


def test_too_many_events_are_refused_at_the_first_one_past_the_limit(tmp_path):
    count = limits.MAX_EVENTS + 1
    text = HEAD + "events:\n" + "".join(f"  - {EVENT % i}\n" for i in range(count))
    line = 3 + limits.MAX_EVENTS + 1  # the item with index MAX_EVENTS
    assert _problems(tmp_path, text) == [
        f"{tmp_path / 'big.yaml'}:{line}:5: scenario has {count:,} events; at most {limits.MAX_EVENTS:,} are allowed"
    ]


def test_too_many_rules_in_all_and_in_one_phase(tmp_path):
    many = limits.MAX_RULES + 5
    text = HEAD + "rules:\n" + "".join(f"  - {RULE % (i, 'domestic')}\n" for i in range(many))
    assert _problems(tmp_path, text)[0].endswith(
        f"scenario has {many:,} rules; at most {limits.MAX_RULES:,} are allowed"
    )
    crowded = limits.MAX_RULES_PER_PHASE + 1
    text = HEAD + "rules:\n" + "".join(f"  - {RULE % (i, 'outcomes')}\n" for i in range(crowded))
    text += "".join(f"  - {RULE % (crowded + i, 'domestic')}\n" for i in range(3))
    assert _problems(tmp_path, text) == [
        f"{tmp_path / 'big.yaml'}:{3 + limits.MAX_RULES_PER_PHASE + 1}:5: scenario has {crowded:,} rules in phase "
        f"'outcomes'; at most {limits.MAX_RULES_PER_PHASE:,} are allowed"
    ]


def test_too_many_threat_acts_and_cards(tmp_path):
    acts = (
        HEAD + "threats:\n  CHN:\n    acts:\n" + "".join(f"      - {ACT % i}\n" for i in range(limits.MAX_THREAT_ACTS))
    )
    (problem,) = _problems(tmp_path, acts)
    assert "threat acts (all actors together); at most 500 are allowed" in problem  # the defaults' acts count too
    hand = limits.MAX_CARDS_PER_GOVERNMENT + 1
    cards = HEAD + "actions:\n  JPN:\n" + "".join(f"    - {CARD % i}\n" for i in range(hand))
    assert _problems(tmp_path, cards)[0].endswith(
        f"government JPN has {hand:,} cards; at most {limits.MAX_CARDS_PER_GOVERNMENT:,} are allowed"
    )


def test_an_alias_repeating_a_long_expression_exhausts_the_graph_budget_and_compiling_stops(tmp_path):
    long = "+".join(["ROK.approval"] * 150)
    assert len(long) < 2000 and expression_nodes(long) == 449
    count = limits.MAX_SCENARIO_NODES // 449 + 50
    first = f'  - {{id: e0, title: e, at: 2025Q2, effects: {{ROK.approval: &long "{long}"}}}}\n'
    rest = "".join(
        f"  - {{id: e{i}, title: e, at: 2025Q2, effects: {{ROK.approval: *long}}}}\n" for i in range(1, count)
    )
    problems = _problems(tmp_path, HEAD + "events:\n" + first + rest)
    assert len(problems) == 1  # reported once; nothing after it is compiled
    over = limits.MAX_SCENARIO_NODES // 449  # the first event whose expression brings the total past the limit
    assert problems[0].startswith(f"{tmp_path / 'big.yaml'}:{4 + over}:")  # at the alias's site, not the anchor
    assert f"more than {limits.MAX_SCENARIO_NODES:,} nodes in all once compiled" in problems[0]


def test_one_expression_within_the_text_length_but_over_the_node_limit(tmp_path):
    text = "+".join(["1*1"] * 495)
    assert len(text) < 2000 and expression_nodes(text) == 1979 > limits.MAX_EXPRESSION_NODES
    problems = _problems(
        tmp_path, HEAD + f"events:\n  - {{id: e, title: e, at: 2025Q2, effects: {{ROK.approval: '{text}'}}}}\n"
    )
    assert problems == [
        f"{tmp_path / 'big.yaml'}:4:59: expression has 1,979 nodes once compiled; "
        f"at most {limits.MAX_EXPRESSION_NODES:,} are allowed"
    ]


def test_the_shipped_scenarios_are_far_below_every_limit():
    """At least ten times below each limit (measured: 50 events, 11 rules, 9 acts, 30 cards, 745 nodes)."""
    for path in sorted(library_dir().glob("*.yaml")):
        spec = load_scenario(path).spec
        assert 10 * len(spec.events) <= limits.MAX_EVENTS
        assert 10 * len(spec.rules) <= limits.MAX_RULES
        assert 10 * sum(len(t.acts) for t in spec.threats.values()) <= limits.MAX_THREAT_ACTS
        assert 10 * sum(len(hand) for hand in spec.actions.values()) <= limits.MAX_CARDS
        assert 10 * max((len(hand) for hand in spec.actions.values()), default=0) <= limits.MAX_CARDS_PER_GOVERNMENT


def test_expression_nodes_counts_operands_operators_and_calls():
    assert expression_nodes("0.5") == 1
    assert expression_nodes("ROK.approval") == 2  # the attribute and its owner
    assert expression_nodes("max(0, DPRK.activity - 0.5)") == 7  # call, max, 0, -, attribute, DPRK, 0.5
    assert expression_nodes(0.25) == 1
