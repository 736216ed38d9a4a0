"""The scenario library: every shipped scenario validates, runs, meets its signature, and is distinct.

Signatures are checked on 2,000-world ensembles with a fixed seed (sim.research.signature), so a claim
that stops holding after a model change fails here; so does a claim that still holds with the
mechanism it names switched off (its ablation twin).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim import INDICATORS, TrilateralModel, library_ids, load_scenario
from sim.research.signature import SIGNATURE_RUNS, SIGNATURE_SEED, EnsembleMeans, check_signature

LIBRARY = library_ids()
WORLDS = 2000


@pytest.fixture(scope="module")
def ensemble_means():
    """One cache of ensemble means shared by the library's checks (each ensemble runs once)."""
    return EnsembleMeans()


@pytest.fixture(scope="module")
def finals(ensemble_means):
    """Final-turn means of every indicator, per scenario (2,000 worlds, fixed seed)."""
    return {ident: ensemble_means(load_scenario(ident), SIGNATURE_RUNS, SIGNATURE_SEED) for ident in LIBRARY}


@pytest.mark.parametrize("ident", LIBRARY)
def test_scenario_has_a_complete_briefing(ident):
    spec = load_scenario(ident).spec
    assert spec.id == ident, "the id must match the file name"
    sentences = [s for s in re.split(r"[.?!]\s+(?=[A-Z])", spec.summary.strip()) if s.strip()]
    assert 2 <= len(sentences) <= 5, "summary: 2-4 sentences"
    assert spec.sources and all(source.author and source.title for source in spec.sources)
    assert 3 <= len(spec.debrief) <= 5
    assert spec.teacher_notes.strip()
    assert spec.turns >= 4


@pytest.mark.parametrize("ident", LIBRARY)
def test_scenario_gives_every_team_choices_and_objectives(ident):
    scenario = load_scenario(ident)
    for gov in ("USA", "ROK", "JPN"):
        assert len(scenario.actions[gov]) >= 6, f"{gov} needs at least six action cards"
        assert scenario.objectives[gov], f"{gov} needs objectives"
    for rule in [*sum(scenario.rules.values(), []), *scenario.events]:
        assert rule.say, f"{rule.label} needs narrative text"
        assert rule.source, f"{rule.label} needs a source"


@pytest.mark.parametrize("ident", LIBRARY)
def test_scenario_runs_one_story_and_an_ensemble(ident):
    scenario = load_scenario(ident)
    story = TrilateralModel(scenario, seed=1, turns=16).run()
    assert story.turn == 16
    ensemble = TrilateralModel(scenario, seed=1, replications=WORLDS, turns=16, record=False).run()
    for name, values in ensemble.final().items():
        assert values.shape == (WORLDS,) and np.all(np.isfinite(values)), name


# Scenarios whose remaining claim still has no mechanism switch that makes it fail (issue 10, item 6):
# their claims hold, but nothing shows they hold because of the mechanism they name.
WITHOUT_TWIN: set[str] = set()


@pytest.mark.parametrize("ident", [i for i in LIBRARY if i != "baseline"])
def test_scenario_meets_its_signature(ident, ensemble_means):
    scenario = load_scenario(ident)
    results = check_signature(scenario, means=ensemble_means)
    assert 1 <= len(results) <= 3, "a signature has one to three claims"
    failed = [str(r) for r in results if not r.holds]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize(
    "ident",
    [
        pytest.param(i, marks=pytest.mark.xfail(strict=True, reason="no ablation twin yet")) if i in WITHOUT_TWIN else i
        for i in LIBRARY
        if i != "baseline"
    ],
)
def test_each_signature_claim_fails_without_its_mechanism(ident, ensemble_means):
    """The ablation twin: with the mechanism the claim names switched off, the claim must fail."""
    results = check_signature(load_scenario(ident), means=ensemble_means)
    for claim, result in zip(load_scenario(ident).spec.signature, results, strict=True):
        assert claim.ablate and claim.mechanism, f"{result.claim}: name the mechanism and its switch (ablate:)"
        assert claim.margin_sd > 0, f"{result.claim}: state the margin relative to the spread between worlds"
        assert result.twin is not None and not result.twin.holds, str(result)
        assert result.ok


def test_no_two_scenarios_produce_the_same_final_distribution(finals):
    keys = [k for k in INDICATORS if k not in ("provocations", "events_fired")]
    vectors = {ident: np.array([finals[ident][k] for k in keys]) for ident in LIBRARY}
    for i, a in enumerate(LIBRARY):
        for b in LIBRARY[i + 1 :]:
            assert np.max(np.abs(vectors[a] - vectors[b])) > 0.005, f"{a} and {b} end up the same"


def test_the_library_has_at_least_twelve_scenarios():
    assert len(LIBRARY) >= 12


def test_teacher_notes_never_recommend_a_play_flag_the_window_refuses():
    """``trilat play`` takes --turns/--seed/--shadows only with --headless: notes must not advise them bare."""
    import re

    from sim import library_ids
    from sim.lang.scenario import load_scenario

    for ident in library_ids():
        notes = load_scenario(ident).spec.teacher_notes or ""
        flat = " ".join(notes.split())
        outside = re.sub(r"`trilat (run|sweep|compare|experiment)[^`]*`", "", flat)
        plays = re.findall(r"`trilat play[^`]*`", outside)
        bare = re.sub(r"`[^`]*`", "", outside)
        assert not re.search(r"--(turns|seed|shadows)\b", bare), (ident, bare)
        assert all("--headless" in cmd for cmd in plays if re.search(r"--(turns|seed|shadows)\b", cmd)), ident
