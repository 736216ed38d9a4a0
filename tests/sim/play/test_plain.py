"""Plain-language cards: effects and conditions as sentences, author text, 0-100 levels and honest sources."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.lang.check_plain import plain_warnings
from sim.lang.scenario import load_scenario
from sim.play.match import Match
from sim.play.plain import _all_triggers, condition_text, effect_text, effects_text, when_text
from sim.play.plain_names import band, level, short_source, source_line, spendable
from sim.play.session import GameSettings

CODE = re.compile(r"[A-Za-z]+\.[A-Za-z_]+|\*|\b[a-z]+_[a-z_]+\b|==")


@pytest.fixture(scope="module")
def match() -> Match:
    return Match.start(GameSettings(scenario="baseline", shadows=0))


def test_constant_effects_read_as_direction_and_size(match):
    card = match.card("ROK", "missile_warning_sharing")
    assert match.card_effects(card) == [
        "Strengthens the Washington\u2013Seoul deterrence tie a little (+2)",
        "Strengthens the Seoul\u2013Tokyo deterrence tie a little (+4)",
    ]
    history = match.card_effects(match.card("JPN", "shrine_visit"))
    assert history == ["Stirs up the history dispute as felt in South Korea a lot (+15)"]


def test_expression_effects_are_evaluated_now_with_what_they_grow_with(match):
    texts = match.card_effects(match.card("USA", "rally_the_base"))
    approval = texts[0]
    assert approval.startswith("Wins you approval at home") and "now (+" in approval
    assert "more when your approval is low" in approval
    value = 0.06 * (1 - match.value("USA.approval"))
    assert f"(+{round(value * 100)})" in approval


def test_no_card_text_shows_model_code():
    for scenario in ("baseline", "korean-polarization", "trump2-transactional", "alliance-system"):
        game = Match.start(GameSettings(scenario=scenario, shadows=0))
        for gov in ("USA", "ROK", "JPN"):
            for card in game.cards(gov):
                for text in [*game.card_effects(card), game.condition(card)[0]]:
                    assert not CODE.search(text.replace("U.S.", "US")), (scenario, card.id, text)


def test_conditions_read_as_sentences(match):
    scenario = match.scenario
    rule = next(t for t in _all_triggers(scenario) if t.id == "progressive_tokyo_first")
    assert rule.when is not None
    phrase = condition_text(rule.when, scenario)
    assert phrase.readable and phrase.text == "Only while Seoul is governed by the Progressives (Democratic Party)"
    summit = next(t for t in _all_triggers(scenario) if t.id == "annual_summit")
    assert summit.when is not None
    assert condition_text(summit.when, scenario).text == (
        "Only in the third quarter of a year and while three-way cooperation is above 50"
    )


def test_author_plain_text_replaces_generated_text_and_silences_the_warning(tmp_path: Path):
    base = Path(__file__).parents[3] / "scenarios" / "baseline.yaml"
    text = (
        "id: plainy\ntitle: Plain\nextends: baseline\nactions:\n  ROK:\n"
        "    - id: talk\n      title: Talk\n      cost: 1\n      when: 'abs(ROK.approval - 0.5) > 0.1'\n"
        "      effects: {ROK.approval: 'ROK.approval * USA.approval * JPN.approval * ROK.polarization'}\n"
    )
    path = tmp_path / "plainy.yaml"
    path.write_text(text.replace("baseline", str(base)), encoding="utf-8")
    warnings = [w for w in plain_warnings(load_scenario(path)) if w.path == str(path)]
    assert [w.code for w in warnings] == ["plain", "plain"]
    assert all(str(w).startswith(f"{path}:") and "warning:" in str(w) for w in warnings)
    assert warnings[0].line == 9 and warnings[1].line == 10
    given = (
        text
        + "      plain: {effects: 'Wins you a little approval when things are calm.', when: 'Only in calm times.'}\n"
    )
    path.write_text(given.replace("baseline", str(base)), encoding="utf-8")
    scenario = load_scenario(path)
    assert [w for w in plain_warnings(scenario) if w.path == str(path)] == []
    card = next(c for c in scenario.actions["ROK"] if c.id == "talk")
    assert effects_text(card, scenario) == ["Wins you a little approval when things are calm."]
    assert when_text(card, scenario) == "Only in calm times."


def test_a_bare_plain_string_is_the_effects_text(tmp_path: Path):
    base = Path(__file__).parents[3] / "scenarios" / "baseline.yaml"
    path = tmp_path / "bare.yaml"
    path.write_text(
        f"id: bare\ntitle: Bare\nextends: {base}\nactions:\n  USA:\n"
        "    - {id: wave, title: Wave, cost: 1, effects: {tie.USA_ROK: 0.01}, plain: 'Waves at Seoul.'}\n",
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    card = next(c for c in scenario.actions["USA"] if c.id == "wave")
    assert effects_text(card, scenario) == ["Waves at Seoul."]
    assert effect_text(card.effects[0], scenario).text == "Strengthens all Washington\u2013Seoul ties slightly (+1)"


def test_levels_bands_and_spendable_capital():
    ties = [band(v) for v in (0.1, 0.394, 0.395, 0.544, 0.55, 0.69, 0.70, 1.0)]
    assert ties == ["strained", "strained", "fragile", "fragile", "working", "working", "strong", "strong"]
    assert [band(v, tie=False) for v in (0.2, 0.344, 0.35, 0.644, 0.65)] == ["low", "low", "medium", "medium", "high"]
    assert level(0.623) == "62 (working)" and level(0.623, tie=False) == "62 (medium)"
    assert spendable(0.955) == 0.9 and spendable(2.0) == 2.0 and spendable(1.49999) == 1.4


def test_sources_never_pass_a_paraphrase_off_as_an_essay(match):
    refs = [("Kuyoun Chung", "U.S.-ROK-Japan Trilateral Cooperation")]
    assert source_line("Chung", refs) == "Chung, U.S.-ROK-Japan Trilateral Cooperation"
    assert source_line("Sato", refs) == "after Sato's related work, as Trilat reads it (not a quotation)"
    assert source_line("Sato (title/context)", refs).startswith("Trilat's reading of the topic of Sato's essay")
    assert source_line("public record (Nov 23, 2016)") == "public record (Nov 23, 2016)"
    assert source_line("") == ""
    both = "E. Kim (context); public record (June 30, 2019)"
    assert source_line(both) == "after E. Kim's related work, as Trilat reads it (not a quotation); " + both[18:]
    assert short_source(both) == "after E. Kim's related work; public record (June 30, 2019)"
    assert match.essay("Watanabe").startswith("after Watanabe's related work")
    assert match.essay("Chung").startswith("Chung, ")


def test_validate_prints_plain_language_warnings_without_failing(capsys, tmp_path: Path):
    from sim.cli import main

    base = Path(__file__).parents[3] / "scenarios" / "baseline.yaml"
    path = tmp_path / "hard.yaml"
    path.write_text(
        f"id: hard\ntitle: Hard\nextends: {base}\nrules:\n  - id: odd\n    phase: outcomes\n"
        "    when: 'abs(ROK.approval - 0.5) > 0.1'\n    effects: {ROK.crisis: 0.01}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:7:11: warning: rules[odd]: the condition is too complex to say in plain words" in err
    assert "1 plain-language warning(s)" in err
    assert main(["validate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is True and [w["line"] for w in data["warnings"]] == [7]


def test_the_library_needs_no_plain_text_it_does_not_give():
    from sim.lang.check_plain import warnings_for
    from sim.lang.loading import library_ids

    assert [str(w) for ident in library_ids() for w in warnings_for(ident)] == []


def test_briefing_and_report_name_no_bare_author(tmp_path: Path):
    from sim.play.aar import build_markdown
    from sim.play.briefing import briefing

    text = briefing(load_scenario("history-2013"))
    assert "[public record" in text
    assert not re.search(r"\[(Sato|Watanabe|E\. Kim|Choi|Taylor|Jo|Govella)\]", text)
    match = Match.start(GameSettings(scenario="baseline", shadows=0, turns=2))
    for _ in range(2):
        match.resolve()
    report = build_markdown(match.session, {})
    cited = re.findall(r"\*\(([^)]*)\)\*", report)
    assert cited and all(c.startswith(("after ", "Chung", "public record", "Trilat's reading")) for c in cited), cited
