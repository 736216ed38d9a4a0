"""Readable names for causes in reports, typed sources and firings, and the indicator registry."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim import TrilateralModel
from sim.engine import indicators, sources
from sim.engine.explain import EXPLAINED, readable_source
from sim.engine.model import INDICATORS
from sim.engine.sources import Source, SourceKind, behaviour

ROOT = Path(__file__).resolve().parents[3]


def test_readable_sources(baseline):
    assert readable_source(baseline, behaviour("shared threat")) == "shared threat"
    assert readable_source(baseline, behaviour("hedging", "USA")) == "USA hedging"
    assert readable_source(baseline, Source(SourceKind.ACTION, "shuttle_diplomacy", "JPN")) == (
        "JPN move: Shuttle diplomacy with Seoul"
    )
    assert readable_source(baseline, Source(SourceKind.ACT, "missile_test", "DPRK")) == "DPRK: Ballistic missile launch"
    assert readable_source(baseline, Source(SourceKind.EVENT, "freedom_edge")) == "event: Freedom Edge exercise"
    assert readable_source(baseline, Source(SourceKind.RULE, "annual_summit")) == "rule: Annual trilateral summit"
    assert readable_source(baseline, Source(SourceKind.INJECT, "custom_1")) == "white cell: custom_1"
    assert readable_source(baseline, sources.BOUNDS) == "bounds"


def test_source_labels_are_the_canonical_text_forms():
    assert Source(SourceKind.ACT, "missile_test", "DPRK").label == "act:DPRK.missile_test"
    assert Source(SourceKind.RULE, "annual_summit").label == "rule:annual_summit"
    assert behaviour("domestic: noise", "ROK").label == "behaviour: ROK domestic: noise"
    assert behaviour("domestic: noise", "ROK").bare_label == "ROK domestic: noise"
    assert sources.facilitator("set ROK.approval").label == "facilitator: set ROK.approval"
    assert sources.WEAKEST_LINK.label == "weakest link changed"
    assert sources.election("USA").label == "election:USA"
    assert sources.BOUNDS.label == "bounds"


def test_firings_and_records_carry_kind_owner_and_id(baseline):
    model = TrilateralModel(baseline, seed=2)
    model.run()
    triggers = {
        t.cause: t
        for t in (
            *(r for rules in baseline.rules.values() for r in rules),
            *baseline.events,
            *(a for acts in baseline.acts.values() for a in acts),
            *(c for cards in baseline.actions.values() for c in cards),
        )
    }
    acts = [f for f in model.log if f.source.kind is SourceKind.ACT]
    assert acts, "expected threat acts in 16 turns of the baseline"
    for firing in model.log:
        assert isinstance(firing.source, Source)
        if firing.source.kind is SourceKind.ELECTION:
            assert firing.source.owner in ("USA", "ROK", "JPN")
            continue
        trigger = triggers[firing.source]
        assert (firing.source.kind.value, firing.source.owner, firing.source.id) == (
            trigger.kind,
            trigger.owner,
            trigger.id,
        )
        assert firing.label == firing.source.label
        assert firing.citation == trigger.source
    for act in acts:
        assert act.source.owner in ("DPRK", "CHN", "RUS")
    for record in model.state.recorder.turns:
        assert all(isinstance(source, Source) for source in record.changes)
    # Readable causes come from the typed fields: an action's reads "<owner> move: <card title>".
    parts = [s for turn in range(1, 17) for info in model.explain(turn).values() for s, _ in info["parts"]]
    for source in parts:
        text = readable_source(baseline, source)
        if source.kind is SourceKind.ACTION:
            card = next(c for c in baseline.actions[source.owner] if c.id == source.id)
            assert text == f"{source.owner} move: {card.title or card.id}"
        elif source.kind is SourceKind.BEHAVIOUR:
            assert text == (f"{source.owner} {source.id}" if source.owner else source.id)


LABEL_PARSING = ('split(":"', 'partition(":"', 'removeprefix("behaviour', 'startswith("behaviour')
LABEL_PREFIXES = ("act:", "action:", "event:", "rule:", "inject:", "election:", "behaviour:")


def _parses_labels(path: Path) -> list[str]:
    """Calls that take a label apart: ``.split(":")``, ``.partition(":")``, ``.startswith("act:")`` ..."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        method, text = node.func.attr, first.value
        if method in ("split", "partition", "rpartition") and text == ":":
            found.append(f"{path}:{node.lineno}: .{method}({text!r})")
        elif method in ("startswith", "removeprefix") and text.startswith(LABEL_PREFIXES):
            found.append(f"{path}:{node.lineno}: .{method}({text!r})")
    return found


def test_no_module_parses_labels_to_recover_kind_owner_or_id():
    offenders = [
        hit
        for folder in ("sim", "agents", "ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for hit in _parses_labels(path)
    ]
    assert offenders == []


def test_the_check_for_label_parsing_would_catch_it(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('kind = label.split(":")[0]\nshort = label.removeprefix("behaviour: ")\n', encoding="utf-8")
    assert len(_parses_labels(bad)) == 2


def test_the_registry_has_every_recorded_indicator(baseline):
    model = TrilateralModel(baseline, seed=1, turns=1)
    assert tuple(model.history[0]) == INDICATORS == indicators.NAMES
    assert set(EXPLAINED) <= set(indicators.REGISTRY)
    assert set(indicators.HEADLINE) <= set(indicators.REGISTRY)
    for name, entry in indicators.REGISTRY.items():
        assert entry.name == name and name in baseline.layout.rows
        assert entry.label and entry.short and entry.unit
        assert all(0 <= c <= 255 for c in entry.colour) and len(entry.colour) == 3
        assert entry.hex_colour == "#{:02X}{:02X}{:02X}".format(*entry.colour)


def test_labels_are_the_ones_reports_always_printed():
    assert indicators.label("trilateral") == "trilateral index"
    assert indicators.label("tie.ROK_JPN") == "ROK-JPN tie"
    assert indicators.label("deterrence") == "deterrence credibility"
    assert indicators.label("USA.approval") == "USA approval"
    assert indicators.label("events_fired") == "events fired"
    assert indicators.label("tie.USA_ROK.deterrence") == "tie USA ROK deterrence"  # not an indicator
    assert [indicators.short_label(n) for n in indicators.HEADLINE] == [
        "Trilateral",
        "USA-ROK",
        "USA-JPN",
        "ROK-JPN",
        "Institutions",
        "Deterrence",
    ]


def test_report_charts_use_the_games_colours():
    pytest.importorskip("pygame")
    from sim.play import aar
    from ui import theme

    for gov in ("USA", "ROK", "JPN"):
        assert indicators.colour(f"{gov}.approval") == theme.GOVERNMENT_COLORS[gov]
    assert theme.GOVERNMENT_COLORS == {"USA": theme.BLUE, "ROK": theme.GREEN, "JPN": theme.PURPLE}
    assert indicators.colour("institutionalization") == theme.GREEN
    assert indicators.colour("deterrence") == theme.PURPLE
    charted = {name for _, names in aar.CHARTS.values() for name in names}
    assert charted <= set(indicators.REGISTRY)
    assert indicators.hex_colour("USA.approval") == "#0072B2"
