"""Readable names for causes in reports."""

from __future__ import annotations

from sim.engine.explain import readable_source


def test_readable_sources(baseline):
    assert readable_source(baseline, "behaviour: shared threat") == "shared threat"
    assert readable_source(baseline, "action:JPN.shuttle_diplomacy") == "JPN move: Shuttle diplomacy with Seoul"
    assert readable_source(baseline, "act:DPRK.missile_test") == "DPRK: Ballistic missile launch"
    assert readable_source(baseline, "event:freedom_edge") == "event: Freedom Edge exercise"
    assert readable_source(baseline, "rule:annual_summit") == "rule: Annual trilateral summit"
    assert readable_source(baseline, "inject:custom_1") == "white cell: custom_1"
    assert readable_source(baseline, "bounds") == "bounds"
