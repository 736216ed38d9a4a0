"""A whole class, end to end: two human teams and one computer team play a scenario to the report."""

from __future__ import annotations

from sim.engine.sources import SourceKind
from tests.ui.helpers import play_turn, start_game
from ui.theme import pygame


def test_a_class_plays_a_whole_scenario_to_the_exported_report(app, driver, baseline):
    match = start_game(app, baseline, humans=("USA", "ROK"), turns=16)
    for _ in range(16):
        assert driver.top.name == "turn"
        play_turn(driver)
    assert match.session.turn == 16 and match.session.finished
    # every human move was played by the human teams; Japan's by the computer
    moves = {f.source.owner for f in match.session.story.log if f.source.kind is SourceKind.ACTION}
    assert moves == {"USA", "ROK", "JPN"}
    driver.press(pygame.K_RETURN)  # the last turn leads to the debrief
    assert driver.top.name == "debrief"
    driver.press(pygame.K_x)  # export the after-action report
    exported = driver.top.exported
    assert exported and exported["html"].is_file() and exported["markdown"].is_file()
    report = exported["markdown"].read_text(encoding="utf-8")
    assert "human team" in report and "computer (objectives)" in report
    assert report.split("## The story, turn by turn")[1].count("### ") == 16  # the story, every quarter
    assert report.split("## Who chose what, turn by turn")[1].count("### ") >= 16  # the moves, every quarter
