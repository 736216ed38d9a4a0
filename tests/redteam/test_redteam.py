"""The red team: every hostile input is refused cleanly by the real command (issue 13).

A case passes when ``trilat`` exits non-zero (not a crash), prints no traceback, names the file
or argument at fault in a short message, stays within the memory cap and the timeout, writes
nothing outside its sandbox and loses nothing already there. The cases are listed in
``cases_files.py`` (scenarios, experiments, arguments) and ``cases_results.py`` (saves, sweep
folders); ``test_the_red_team_is_large`` keeps the count honest.
"""

from __future__ import annotations

import pytest

from tests.redteam.cases_files import ARGUMENT_CASES, EXPERIMENT_CASES, SCENARIO_CASES
from tests.redteam.cases_results import SAVE_CASES, SWEEP_CASES
from tests.redteam.harness import Case, judge, run_case

ALL_CASES: list[Case] = SCENARIO_CASES + EXPERIMENT_CASES + ARGUMENT_CASES + SAVE_CASES + SWEEP_CASES


def test_the_red_team_is_large():
    from tests.redteam.test_damaged_results import DAMAGED_CASES  # run by their own tests, with more checks
    from tests.redteam.test_report_text import REPORT_CASES

    names = [case.name for case in [*ALL_CASES, *REPORT_CASES, *DAMAGED_CASES]]
    assert len(names) == len(set(names))
    assert len(names) >= 100, len(names)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.name)
def test_a_hostile_input_is_refused_cleanly(case, tmp_path):
    box = tmp_path / "box"
    outside = tmp_path / "outside"
    box.mkdir()
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me", encoding="utf-8")
    code, _, err = run_case(case, box, outside)
    judge(case, code, err)
