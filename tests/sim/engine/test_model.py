"""TrilateralModel: a real Mesa model, deterministic, ensemble-consistent, explainable."""

from __future__ import annotations

import inspect
import pickle

import mesa
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import DomesticPolitics, Government, ThreatActor
from sim import INDICATORS, ScenarioError, TrilateralModel, UsageError
from sim.engine.explain import EXPLAINED
from sim.engine.sources import SourceKind, behaviour


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a, b, equal_nan=True)


def test_model_is_a_mesa_model_with_registered_agents(baseline):
    model = TrilateralModel(baseline, seed=1)
    assert isinstance(model, mesa.Model)
    assert sorted(a.code for a in model.agents_by_type[Government]) == ["JPN", "ROK", "USA"]
    assert sorted(a.code for a in model.agents_by_type[DomesticPolitics]) == ["JPN", "ROK", "USA"]
    assert sorted(a.code for a in model.agents_by_type[ThreatActor]) == ["CHN", "DPRK", "RUS"]
    assert len(model.agents) == 9


def test_a_finished_model_is_freed_and_its_shared_scenario_keeps_no_reference_to_it(baseline):
    import gc
    import weakref

    model = TrilateralModel(baseline, replications=4, seed=1, turns=2).run()
    assert model.scenario is baseline and not hasattr(baseline, "model")  # Mesa's setter would add it
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None


def test_run_advances_quarters_and_stops(baseline):
    model = TrilateralModel(baseline, seed=1)
    model.run()
    assert model.turn == 16 and not model.running
    assert len(model.history) == 17
    assert model.steps == 16
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 17 and set(INDICATORS) <= set(frame.columns)


def test_every_variable_is_an_array_over_replications(baseline):
    model = TrilateralModel(baseline, seed=3, replications=57)
    model.run(2)
    assert model.x.shape[1] == 57
    for values in model.final().values():
        assert values.shape == (57,)
        assert np.all(np.isfinite(values))


def test_same_seed_same_result_and_different_seed_differs(baseline):
    a = TrilateralModel(baseline, seed=11, replications=200).run().final()
    b = TrilateralModel(baseline, seed=11, replications=200).run().final()
    c = TrilateralModel(baseline, seed=12, replications=200).run().final()
    assert all(same(a[k], b[k]) for k in INDICATORS)
    assert not same(a["tie.ROK_JPN"], c["tie.ROK_JPN"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], print_blob=False)
@given(size=st.integers(1, 300), data=st.data())
def test_replication_k_is_bit_identical_alone_and_in_any_ensemble(baseline, size, data):
    k = data.draw(st.integers(0, size - 1))
    ensemble = TrilateralModel(baseline, seed=5, replications=size, record=False).run()
    alone = TrilateralModel(baseline, seed=5, replication_ids=[k], record=False).run()
    for name in INDICATORS:
        for turn in range(len(alone.history)):
            assert same(ensemble.history[turn][name][k : k + 1], alone.history[turn][name]), (name, turn)
    assert same(ensemble.x[:, k], alone.x[:, 0])  # every state variable, not just the indicators


def test_replication_order_does_not_matter(baseline):
    ids = np.array([9, 2, 5, 0])
    shuffled = TrilateralModel(baseline, seed=8, replication_ids=ids, record=False).run().final()
    ordered = TrilateralModel(baseline, seed=8, replications=10, record=False).run().final()
    for name in INDICATORS:
        assert same(shuffled[name], ordered[name][ids])


def test_cause_record_sums_to_each_indicator_change_in_one_run(baseline):
    model = TrilateralModel(baseline, seed=2)
    model.run()
    for turn in range(1, model.turn + 1):
        for name, info in model.explain(turn).items():
            before = model.history[turn - 1][name][0]
            after = model.history[turn][name][0]
            assert sum(v for _, v in info["parts"]) == pytest.approx(after - before, abs=1e-9), (turn, name)
            assert info["total"] == pytest.approx(after - before, abs=1e-12)
    assert set(model.explain(1)) == set(EXPLAINED)


def test_cause_record_names_rules_events_actions_and_behaviour(baseline):
    model = TrilateralModel(baseline, seed=2)
    model.run()
    sources = {s for turn in range(1, 17) for info in model.explain(turn).values() for s, _ in info["parts"]}
    kinds = {s.kind for s in sources}
    assert {SourceKind.EVENT, SourceKind.ACTION, SourceKind.RULE} <= kinds
    assert behaviour("shared threat") in sources
    assert behaviour("U.S. transactionalism") in sources
    assert "behaviour: U.S. transactionalism" in {s.label for s in sources}


def test_cause_record_of_an_ensemble_is_the_mean_over_worlds(baseline):
    model = TrilateralModel(baseline, seed=4, replications=300, record=True)
    model.run(3)
    info = model.explain(3)["tie.ROK_JPN"]
    change = np.mean(model.history[3]["tie.ROK_JPN"] - model.history[2]["tie.ROK_JPN"])
    assert sum(v for _, v in info["parts"]) == pytest.approx(change, abs=1e-9)


def test_record_defaults_to_on_for_one_world_and_off_for_an_ensemble(baseline):
    assert TrilateralModel(baseline, seed=1).state.recorder.enabled
    ensemble = TrilateralModel(baseline, seed=1, replications=2).run(1)
    assert not ensemble.state.recorder.enabled
    with pytest.raises(UsageError, match="record=False"):
        ensemble.explain(1)


def test_parameters_are_a_mapping_and_are_range_checked(baseline):
    model = TrilateralModel(baseline, seed=1, parameters={"us_transactionalism": 0.9})
    assert model.params["us_transactionalism"] == 0.9
    with pytest.raises(UsageError, match="outside its range"):
        TrilateralModel(baseline, seed=1, parameters={"us_transactionalism": 1.5})
    with pytest.raises(UsageError, match="did you mean 'us_transactionalism'"):
        TrilateralModel(baseline, seed=1, parameters={"us_transactionalizm": 0.5})
    with pytest.raises(UsageError, match="must be a number"):
        TrilateralModel(baseline, seed=1, parameters={"us_transactionalism": "high"})


def test_parameters_as_keyword_arguments_still_work_for_batch_run(baseline):
    by_keyword = TrilateralModel(baseline, seed=1, replications=3, us_transactionalism=0.9).run(2).final()
    by_mapping = TrilateralModel(baseline, seed=1, replications=3, parameters={"us_transactionalism": 0.9}).run(2)
    assert by_mapping.params["us_transactionalism"] == 0.9
    assert all(same(by_keyword[k], by_mapping.final()[k]) for k in INDICATORS)
    with pytest.raises(UsageError, match="did you mean 'us_transactionalism'"):
        TrilateralModel(baseline, seed=1, us_transactionalizm=0.5)
    with pytest.raises(UsageError, match="did you mean 'replications'"):
        TrilateralModel(baseline, seed=1, replication=5)


def test_a_parameter_given_both_ways_is_a_usage_error(baseline):
    with pytest.raises(UsageError, match="'us_transactionalism' given both in parameters= and as a keyword"):
        TrilateralModel(baseline, seed=1, parameters={"us_transactionalism": 0.2}, us_transactionalism=0.8)


def test_a_scenario_with_parameters_named_like_options_is_refused_where_they_are_declared(tmp_path):
    # The bug of issue 9: with such a scenario, TrilateralModel(s, seed=3, record=0.9) turned
    # recording on with 0.9 and left the parameter 'record' at its default. Now the scenario is
    # a located validation error, and the model keeps options and parameters apart anyway.
    path = tmp_path / "clash.yaml"
    path.write_text(
        "id: clash\ntitle: Clash\nextends: baseline\nparameters:\n"
        "  seed: {default: 0.2, range: [0, 1]}\n"
        "  record: {default: 0.3, range: [0, 1]}\n",
        encoding="utf-8",
    )
    from sim import load_scenario

    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert f"{path}:5:3: parameter name 'seed' clashes with the model option 'seed'" in str(caught.value)
    assert f"{path}:6:3: parameter name 'record' clashes with the model option 'record'" in str(caught.value)


def test_parameters_go_in_their_mapping_and_options_stay_options(baseline):
    model = TrilateralModel(
        baseline, seed=3, record=False, turns=2, parameters={"us_transactionalism": 0.9, "history_flare_chance": 0.0}
    )
    assert (model.params["us_transactionalism"], model.params["history_flare_chance"]) == (0.9, 0.0)
    assert model.seed == 3 and model.turns == 2
    assert model.state.recorder.enabled is False
    default = TrilateralModel(baseline, seed=3)
    assert default.params["us_transactionalism"] == baseline.parameter_defaults["us_transactionalism"]
    assert default.state.recorder.enabled is True
    with pytest.raises(UsageError, match="record must be True, False or None, got 0.9"):
        TrilateralModel(baseline, seed=3, record=0.9)


def test_option_names_are_the_keyword_only_arguments():
    from sim.engine.model import MODEL_OPTIONS

    signature = inspect.signature(TrilateralModel.__init__)
    keyword_only = [p.name for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert list(MODEL_OPTIONS) == keyword_only


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"record": 1}, "record"),
        ({"record": "yes"}, "record"),
        ({"engine": "fast"}, "engine"),
        ({"engine": None}, "engine"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"rng": "7"}, "seed"),
        ({"turns": 2.5}, "turns"),
        ({"turns": 0}, "turns"),
        ({"turns": True}, "turns"),
        ({"replications": 2.0}, "replications"),
        ({"replication_ids": [0.5, 1.5]}, "replication_ids"),
        ({"replication_ids": []}, "replication_ids"),
        ({"strategies": ["passive"]}, "strategies"),
        ({"strategies": {"USA": 3}}, "strategy for USA"),
        ({"parameters": [("us_transactionalism", 0.5)]}, "parameters"),
        ({"parameters": {1: 0.5}}, "parameters"),
    ],
)
def test_bad_option_values_are_usage_errors_naming_the_option(baseline, options, named):
    with pytest.raises(UsageError, match=named):
        TrilateralModel(baseline, **options)


def test_parameters_may_differ_per_replication(baseline):
    values = np.array([0.0, 1.0] * 50)
    mixed = TrilateralModel(
        baseline, seed=6, replications=100, parameters={"us_transactionalism": values}, record=False
    ).run()
    low = TrilateralModel(baseline, seed=6, replications=100, parameters={"us_transactionalism": 0.0}, record=False)
    assert same(mixed.final()["tie.USA_ROK"][::2], low.run().final()["tie.USA_ROK"][::2])


def test_human_choices_are_played_and_unknown_cards_refused(baseline):
    model = TrilateralModel(baseline, seed=1, strategies={"JPN": "human", "ROK": "passive", "USA": "passive"})
    model.choose("JPN", ["shuttle_diplomacy"])
    model.step()
    played = [e.label for e in model.log if e.source.kind is SourceKind.ACTION]
    assert played == ["action:JPN.shuttle_diplomacy"]
    with pytest.raises(UsageError, match="did you mean 'shuttle_diplomacy'"):
        model.choose("JPN", ["shuttle_diplomasy"])


def test_bad_arguments_are_usage_errors(baseline):
    with pytest.raises(UsageError):
        TrilateralModel(baseline, seed=-1)
    with pytest.raises(UsageError):
        TrilateralModel(baseline, replications=0)
    with pytest.raises(UsageError):
        TrilateralModel(baseline, strategies={"PRC": "passive"})


def test_model_without_seed_draws_one_and_reports_it(baseline):
    model = TrilateralModel(baseline)
    again = TrilateralModel(baseline, seed=model.seed)
    assert same(model.run().final()["trilateral"], again.run().final()["trilateral"])


def test_compiled_scenario_pickles(baseline):
    clone = pickle.loads(pickle.dumps(baseline))
    a = TrilateralModel(baseline, seed=9, replications=20).run().final()
    b = TrilateralModel(clone, seed=9, replications=20).run().final()
    assert all(same(a[k], b[k]) for k in INDICATORS)


def test_mesa_batch_run_returns_main_indicators():
    results = mesa.batch_run(
        TrilateralModel,
        parameters={"scenario": "baseline", "us_transactionalism": [0.1, 0.9]},
        rng=[1, 2, 3],
        max_steps=16,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 6
    for row in results:
        assert row["Step"] == 16
        for name in ("trilateral", "tie.USA_ROK", "tie.ROK_JPN", "institutionalization"):
            assert 0.0 <= row[name] <= 1.0
    low = np.mean([r["tie.USA_ROK"] for r in results if r["us_transactionalism"] == 0.1])
    high = np.mean([r["tie.USA_ROK"] for r in results if r["us_transactionalism"] == 0.9])
    assert low > high


def test_chunk_size_does_not_change_results(baseline):
    from sim.engine.runner import run_ensemble

    seen = []
    small = run_ensemble(baseline, runs=250, seed=3, chunk=37, progress=seen.append)
    large = run_ensemble(baseline, runs=250, seed=3, chunk=1000)
    for name in INDICATORS:
        assert same(small.final[name], large.final[name])
    assert sum(seen) == 250 * baseline.turns  # one call per chunk and turn, with the chunk's size


def test_objective_scores_are_weighted_changes(baseline):
    from sim.engine.scoring import objective_scores

    model = TrilateralModel(baseline, seed=3, replications=5).run()
    rows = baseline.layout.rows
    expected = sum(w * (model.x[rows[n]] - model.start_state[rows[n]]) for n, w in baseline.objectives["ROK"])
    assert np.allclose(objective_scores(model)["ROK"], 100 * expected)


def test_cards_played_are_counted_and_readable_in_expressions(tmp_path):
    from sim import load_scenario

    path = tmp_path / "counted.yaml"
    path.write_text(
        "id: counted\ntitle: Counted\nextends: baseline\nrules:\n"
        "  - id: third_rally\n    phase: outcomes\n    when: 'played.USA.rally_the_base >= 3'\n"
        "    once: true\n    effects: {USA.polarization: 0.05}\n    say: x\n    source: y\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="once"):  # rules have no once:, events do
        load_scenario(path)
    path.write_text(path.read_text(encoding="utf-8").replace("    once: true\n", ""), encoding="utf-8")
    scenario = load_scenario(path)
    model = TrilateralModel(scenario, seed=1, replications=4, strategies={"USA": "human"})
    for _ in range(3):
        model.choose("USA", ["rally_the_base"])
        model.step()
    assert np.all(model.x[scenario.layout.rows["played.USA.rally_the_base"]] == 3)
    assert np.all(model.x[scenario.layout.rows["fired.third_rally"]] == 1)


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("name", ["two_track", "defection_cost"])
def test_a_swept_coefficient_runs_and_each_world_is_its_run_alone(engine, name):
    """Once crashed per world (a sweep): two_track in the card valuation (shapes (R,) and (domains,)),
    defection_cost in its on/off test (the truth value of an array); 0 is among the values."""
    values = np.array([0.0, 0.3, 1.0, 0.3, 0.7])
    options = {"seed": 4, "turns": 4, "record": False, "engine": engine}
    swept = TrilateralModel("baseline", replications=len(values), parameters={name: values}, **options)
    swept.run()
    for k, value in enumerate(values):
        alone = TrilateralModel("baseline", replication_ids=[k], parameters={name: float(value)}, **options)
        alone.run()
        assert np.array_equal(swept.x[:, k].view(np.uint64), alone.x[:, 0].view(np.uint64)), (engine, k)
