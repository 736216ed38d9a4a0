"""Time-series inputs (``series:``), act severity as an expression and ``warmup:`` turns before the start."""

from __future__ import annotations

import numpy as np
import pytest

from sim import ScenarioError, TrilateralModel, UsageError, load_scenario
from sim.engine.warmup import restart_rows

R = 16


def load_text(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def problems(tmp_path, text):
    with pytest.raises(ScenarioError) as exc:
        load_text(tmp_path, text)
    return [(p.line, p.col, p.message) for p in exc.value.problems]


# A rule that copies an expression into JPN.crisis at the end of every turn (the outcomes phase
# runs after the domestic phase, which would otherwise let it fade). JPN.crisis is not in Japan's
# initial:, so it is not put back after warmup.
COPY_RULE = """
rules:
  - id: copy
    phase: outcomes
    effects:
      JPN.crisis: {{set: "{expr}"}}
"""


def crisis_by_turn(scenario, steps, **options):
    model = TrilateralModel(scenario, replications=4, seed=1, record=False, **options)
    row = scenario.layout.rows["JPN.crisis"]
    values = []
    for _ in range(steps):
        model.step()
        values.append(float(model.x[row, 0]))
    return values


# --------------------------------------------------------------------------------- series


def test_a_yearly_series_changes_an_effect_by_year_and_uses_its_default(tmp_path):
    text = """id: a
title: A
extends: baseline
series:
  launches:
    doc: launches per year
    by: year
    values: {2025: 10, 2026: 20}
    default: 5
""" + COPY_RULE.format(expr="launches / 100")
    scenario = load_text(tmp_path, text)
    # 2025Q1 is turn 1: four quarters of 2025, four of 2026, then the default.
    assert crisis_by_turn(scenario, 10) == pytest.approx([0.1] * 4 + [0.2] * 4 + [0.05] * 2)


def test_a_quarterly_series_changes_an_effect_by_quarter(tmp_path):
    text = """id: a
title: A
extends: baseline
series:
  shocks:
    by: quarter
    values: {2025Q2: 30, "2026Q1": 60}
    default: 1
""" + COPY_RULE.format(expr="shocks / 100")
    scenario = load_text(tmp_path, text)
    assert crisis_by_turn(scenario, 6) == pytest.approx([0.01, 0.3, 0.01, 0.01, 0.6, 0.01])


def test_a_series_is_tabulated_once_per_turn(tmp_path):
    text = """id: a
title: A
extends: baseline
warmup: 2
series:
  launches: {by: year, values: {2024: 1, 2025: 2, 2026: 3, 2027: 4, 2028: 5}}
"""
    series = load_text(tmp_path, text).series
    assert series.names == ("launches",)
    assert series.first_turn == -1
    assert [row[0] for row in series.table] == [1, 1] + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4


def test_a_series_needs_a_default_unless_every_turn_is_covered(tmp_path):
    found = problems(
        tmp_path,
        "id: a\ntitle: A\nextends: baseline\nwarmup: 4\nseries:\n  launches:\n    by: year\n"
        "    values: {2025: 1, 2026: 2, 2027: 3}\n",
    )
    assert len(found) == 1
    line, col, message = found[0]
    assert (line, col) == (6, 3)
    assert "series 'launches' has no value for 2024, 2028" in message
    assert "2024Q1 to 2028Q4, warmup included" in message


def test_series_problems_are_located_with_did_you_mean(tmp_path):
    text = """id: a
title: A
extends: baseline
series:
  launches:
    by: year
    values: {2025: 30, 2025Q3: 1}
    default: 0
  trilateral: {by: year, default: 1}
  seed: {by: quarter, values: {2025: 2}, default: 0}
  growth_DPRK: {by: year, default: 0}
  clip: {by: year, default: 0}
rules:
  - id: probe
    phase: cooperation
    when: "lanches > 5"
    effects:
      tie.ROK_JPN: 0.01
"""
    found = problems(tmp_path, text)
    expected = [
        (7, 24, "series.launches.values: key '2025Q3' is not a year like 2013 (the series is by: year)"),
        (9, 3, "series name 'trilateral' clashes with the state variable 'trilateral'"),
        (10, 3, "series name 'seed' clashes with the model option 'seed' of TrilateralModel"),
        (10, 32, "series.seed.values: key 2025 is not a quarter like 2019Q3 (the series is by: quarter)"),
        (11, 3, "series name 'growth_DPRK' clashes with the parameter 'growth_DPRK'"),
        (12, 3, "series name 'clip' clashes with the built-in name 'clip'"),
        (16, 12, "unknown name 'lanches' (did you mean 'launches'?)"),
    ]
    assert len(found) == len(expected), found
    for (line, col, message), (want_line, want_col, fragment) in zip(found, expected, strict=True):
        assert (line, col) == (want_line, want_col) and fragment in message, (line, col, message)


@pytest.mark.parametrize(
    ("body", "line", "col", "fragment"),
    [
        ("  s: {by: decade, default: 0}\n", 5, 11, "series.s.by: 'decade' is not one of: year, quarter"),
        ("  s: {by: year, values: {2025: six}, default: 0}\n", 5, 32, "series.s.values[2025]: expected a number"),
        ("  s: {by: year, values: {2025: .nan}, default: 0}\n", 5, 32, "expected a finite number"),
        ("  s: {by: year, default: true}\n", 5, 26, "series.s.default: expected a number"),
        ("  s: {values: {2025: 1}, default: 0}\n", 5, 6, "missing required key 'by' in series.s"),
    ],
)
def test_series_values_are_validated(tmp_path, body, line, col, fragment):
    found = problems(tmp_path, "id: a\ntitle: A\nextends: baseline\nseries:\n" + body)
    assert any((ln, c) == (line, col) and fragment in m for ln, c, m in found), found


def test_a_series_is_not_a_starting_value(tmp_path):
    found = problems(
        tmp_path,
        "id: a\ntitle: A\nextends: baseline\nseries:\n  s: {by: year, default: 0}\ninitial:\n  deterrence: s\n",
    )
    assert any("starting values may use parameters only, not s" in m for _, _, m in found), found


def test_a_run_longer_than_a_series_without_default_is_refused(tmp_path):
    text = (
        "id: a\ntitle: A\nextends: baseline\nseries:\n  s: {by: year, values: {2025: 1, 2026: 2, 2027: 3, 2028: 4}}\n"
    )
    scenario = load_text(tmp_path, text)
    TrilateralModel(scenario, turns=16)
    with pytest.raises(UsageError, match=r"s \(2029\)"):
        TrilateralModel(scenario, turns=17)


def test_a_run_longer_than_the_scenario_reads_the_default(tmp_path):
    text = "id: a\ntitle: A\nextends: baseline\nseries:\n  s: {by: year, values: {2025: 10}, default: 40}\n"
    scenario = load_text(tmp_path, text + COPY_RULE.format(expr="s / 100"))
    assert crisis_by_turn(scenario, 18, turns=18)[-3:] == pytest.approx([0.4] * 3)


# --------------------------------------------------------------------------------- severity

SEVERITY = """id: a
title: A
extends: baseline
parameters:
  sev: {{default: 0.3}}
threats:
  DPRK:
    acts:
      - {{id: missile_test, chance: 1, severity: {severity}}}
      - {{id: nuclear_test, chance: 0}}
      - {{id: cyber_theft, chance: 0}}
"""


def dprk_activity(scenario, **options):
    model = TrilateralModel(scenario, replications=4, seed=1, record=False, **options)
    model.step()
    assert model.x[scenario.layout.rows["DPRK.missile_test"]].all()
    return model.x[scenario.layout.rows["DPRK.activity"]]


def test_a_severity_expression_sets_activity_per_world_clipped_and_nan_as_zero(tmp_path):
    scenario = load_text(tmp_path, SEVERITY.format(severity='"sev"'))
    values = np.array([0.25, np.nan, 2.0, -1.0])
    assert dprk_activity(scenario, parameters={"sev": values}) == pytest.approx([0.25, 0.0, 1.0, 0.0])
    assert dprk_activity(scenario, parameters={"sev": 0.7}) == pytest.approx([0.7] * 4)


def test_a_severity_expression_reads_a_series(tmp_path):
    text = SEVERITY.format(severity='"clip(launches / 30, 0.1, 0.6)"')
    text += "series:\n  launches: {by: year, values: {2025: 6}, default: 0}\n"
    assert dprk_activity(load_text(tmp_path, text)) == pytest.approx([0.2] * 4)


def test_a_constant_severity_is_the_number_as_before(tmp_path):
    scenario = load_text(tmp_path, SEVERITY.format(severity="0.3"))
    act = scenario.acts["DPRK"][0]
    assert act.severity.constant == 0.3
    assert act.intensity(np.zeros((0, 4)), [], [], None) == 0.3
    assert (dprk_activity(scenario) == 0.3).all()


@pytest.mark.parametrize(
    ("severity", "col", "fragment"),
    [
        ("1.5", 49, "threats.DPRK.acts[missile_test].severity: should be less than or equal to 1, got 1.5"),
        ('"sevv * 2"', 50, "unknown name 'sevv' (did you mean 'sev'?)"),
    ],
)
def test_severity_problems_are_located(tmp_path, severity, col, fragment):
    found = problems(tmp_path, SEVERITY.format(severity=severity))
    assert any((line, c) == (9, col) and fragment in m for line, c, m in found), found


# --------------------------------------------------------------------------------- warmup

WARMUP = "id: w\ntitle: W\nextends: baseline\nwarmup: {warmup}\n"


def warm(tmp_path, warmup=8, extra="", name="w.yaml"):
    return load_text(tmp_path, WARMUP.format(warmup=warmup) + extra, name)


def test_warmup_zero_is_bit_identical_to_no_warmup(tmp_path, baseline):
    plain = TrilateralModel(baseline, replications=R, seed=5).run()
    zero = TrilateralModel(warm(tmp_path, 0), replications=R, seed=5).run()
    assert zero.warmup == 0
    for before, after in zip(plain.history, zero.history, strict=True):
        for name in before:
            assert np.array_equal(before[name], after[name]), name
    assert np.array_equal(plain.x, zero.x)


def test_the_turn_0_state_is_reached_with_warmup_and_the_scenarios_without(tmp_path, baseline):
    scenario = warm(tmp_path)
    x0, _ = baseline.initial_state([TrilateralModel(baseline).params[n] for n in baseline.parameter_names], R)
    layout = baseline.layout
    rows = layout.rows
    reached = [rows["institutionalization"], rows["deterrence"]]
    reached += [
        row for pair in ("USA_ROK", "USA_JPN", "ROK_JPN") for row in range(*layout.tie_rows(pair).indices(layout.size))
    ]
    without = TrilateralModel(baseline, replications=R, seed=2)
    assert np.array_equal(without.x[reached], x0[reached])
    model = TrilateralModel(scenario, replications=R, seed=2)
    assert model.warmup == 8 and model.turn == 0 and not model.warming_up
    for row in reached:
        assert not np.allclose(model.x[row], x0[row]), row
    for name in ("ROK.threat", "ROK.willingness"):
        assert not np.allclose(model.x[rows[name]], without.x[rows[name]]), name
    # the scenario's dated facts and starting values are put back
    put_back = ["ROK.approval", "ROK.polarization", "ROK.crisis", "USA.capital", "ROK.camp", "USA.transactionalism"]
    put_back += ["DPRK.capability", "DPRK.aggressiveness", "provocations", "events_fired", "DPRK.activity"]
    put_back += [name for name in rows if name.startswith(("fired.", "played."))]
    for name in put_back:
        assert np.array_equal(model.x[rows[name]], x0[rows[name]]), name
    assert set(restart_rows(scenario)) >= {rows[name] for name in put_back}
    assert np.array_equal(model.start_state, model.x)


def test_nothing_from_warmup_is_recorded(tmp_path):
    model = TrilateralModel(warm(tmp_path), replications=R, seed=3, record=True)  # an ensemble: ask for it
    assert len(model.history) == 1
    assert model.log == [] and model.elections == []
    assert model.state.recorder.turns == []
    assert len(model.datacollector.get_model_vars_dataframe()) == 1
    model.run()
    assert model.turn == 16 and len(model.history) == 17
    assert [record.turn for record in model.state.recorder.turns] == list(range(1, 17))
    assert model.log and min(firing.turn for firing in model.log) >= 1
    assert all(turn >= 1 for turn, _, _ in model.elections)


def test_same_seed_same_result_with_warmup(tmp_path):
    scenario = warm(tmp_path)
    first = TrilateralModel(scenario, replications=R, seed=9).run()
    second = TrilateralModel(scenario, replications=R, seed=9).run()
    assert np.array_equal(first.x, second.x)
    other = TrilateralModel(scenario, replications=R, seed=10).run()
    assert not np.array_equal(first.x, other.x)


def test_replication_k_alone_equals_it_inside_an_ensemble_with_warmup(tmp_path):
    scenario = warm(tmp_path)
    ensemble = TrilateralModel(scenario, replications=R, seed=4)
    alone = TrilateralModel(scenario, replication_ids=[11], seed=4)
    assert np.array_equal(ensemble.x[:, 11], alone.x[:, 0])
    ensemble.run()
    alone.run()
    assert np.array_equal(ensemble.x[:, 11], alone.x[:, 0])


def test_warmup_turns_are_the_quarters_before_the_start(tmp_path):
    # Warmup 4 before 2025Q1: turns -3..0 are 2024Q1..2024Q4 and the rules run in each; the last
    # one's values are left in the two crisis variables (neither is in its government's initial:).
    extra = "series:\n  s: {by: year, values: {2024: 7}, default: 0}\n"
    extra += COPY_RULE.format(expr="((year - 2020) * 10 + quarter) / 100 + s / 1000")
    extra += "      USA.crisis: {set: (turn + 10) / 100}\n"
    scenario = warm(tmp_path, 4, extra)
    model = TrilateralModel(scenario, replications=2, seed=1)
    rows = scenario.layout.rows
    assert model.x[rows["JPN.crisis"]] == pytest.approx([0.447] * 2)
    assert model.x[rows["USA.crisis"]] == pytest.approx([0.10] * 2)
    assert model.context == [0, 2025, 1, 0.0]


@pytest.mark.parametrize(
    ("dated", "plain"),
    [
        (
            "governments:\n  ROK: {elections: [2024Q4, 2025Q2]}\n",
            "governments:\n  ROK: {elections: [2025Q2]}\n",
        ),
    ],
    ids=["election"],
)
def test_elections_do_not_run_during_warmup(tmp_path, dated, plain):
    with_dated = TrilateralModel(warm(tmp_path, 4, dated, "a.yaml"), replications=R, seed=6)
    without = TrilateralModel(warm(tmp_path, 4, plain, "b.yaml"), replications=R, seed=6)
    assert np.array_equal(with_dated.x, without.x)
    # ... while the same election or script in turn 0 of a longer run does change the state
    shifted = dated.replace("2024Q4", "2025Q1")
    moved = TrilateralModel(warm(tmp_path, 4, shifted, "c.yaml"), replications=R, seed=6).run(1)
    still = TrilateralModel(warm(tmp_path, 4, plain, "d.yaml"), replications=R, seed=6).run(1)
    assert not np.array_equal(moved.x, still.x)


def test_a_script_for_a_warmup_quarter_is_refused_where_it_is_given(tmp_path):
    """Scripts belong to the scenario's own quarters: one dated in the warmup is a located error."""
    with pytest.raises(
        ScenarioError, match=r"a\.yaml:\d+:\d+: governments\.USA\.script\.2024Q4: 2024Q4 is before the start"
    ):
        warm(
            tmp_path, 4, "governments:\n  USA: {strategy: scripted, script: {2024Q4: [trilateral_summit]}}\n", "a.yaml"
        )


def test_warmup_is_at_most_200_turns(tmp_path):
    found = problems(tmp_path, WARMUP.format(warmup=201))
    assert found == [(4, 9, "warmup: should be less than or equal to 200")]
