"""Team briefing packs and the facilitator's pack: no spoilers, real PDFs, safe writes."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from sim.errors import UsageError
from sim.lang.scenario import library_ids, load_scenario
from sim.play import handout_files
from sim.play.handout_files import packs, write_handouts
from sim.play.handouts import objective_text, teams
from sim.play.lesson import LESSON_MINUTES, lesson_plan

LIBRARY = library_ids()


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def pdf_text(path: Path) -> str:
    pdf = pdfium.PdfDocument(path)
    try:
        return _norm(" ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    finally:
        pdf.close()


def html_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return _norm(html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every shipped scenario's packs, written once for the module."""
    root = tmp_path_factory.mktemp("handouts")
    return {
        ident: (load_scenario(ident), root / ident, write_handouts(load_scenario(ident), root / ident))
        for ident in LIBRARY
    }


def _own(scenario, gov):
    spec = scenario.spec
    titles = {c.title for c in scenario.actions.get(gov, ())}
    says = {" ".join(c.say.split()) for c in scenario.actions.get(gov, ())}
    objectives = {objective_text(t.indicator, t.weight, gov) for t in spec.objectives.get(gov, [])}
    docs = {t.doc for t in spec.objectives.get(gov, [])}
    return titles | says | objectives | docs


def secrets_for(scenario, gov):
    """What must not appear in ``gov``'s pack: other teams' objectives and cards, claims, debrief, notes."""
    spec = scenario.spec
    own = {_norm(s) for s in _own(scenario, gov)}
    secret = set()
    for other in teams(scenario):
        if other != gov:
            secret |= {s for s in _own(scenario, other) if s}
    secret |= {c.claim for c in spec.signature} | set(spec.debrief)
    if spec.teacher_notes:
        secret.add(" ".join(spec.teacher_notes.split())[:120])
    # a secret that is part of the team's own text (another team's card title quoted in its own card) is no leak
    return {s for s in (_norm(x) for x in secret) if len(s) > 3 and not any(s in mine for mine in own)}


@pytest.mark.parametrize("ident", LIBRARY)
def test_a_teams_pack_holds_no_other_teams_secrets(written, ident):
    scenario, folder, _ = written[ident]
    for gov in teams(scenario):
        own_titles = [_norm(c.title) for c in scenario.actions.get(gov, ())]
        forbidden = secrets_for(scenario, gov)
        assert forbidden, "the test must look for something"
        for path in (folder / f"{gov.lower()}.html", folder / f"{gov.lower()}.pdf"):
            text = pdf_text(path) if path.suffix == ".pdf" else html_text(path)
            # the extraction works: the team's own cards are there
            assert own_titles and all(t in text for t in own_titles), path
            leaks = [s for s in forbidden if s in text]
            assert not leaks, f"{path}: {leaks[:3]}"


@pytest.mark.parametrize("ident", LIBRARY)
def test_file_names_and_non_blank_pdf_pages(written, ident):
    scenario, folder, paths = written[ident]
    stems = [g.lower() for g in teams(scenario)] + ["facilitator"]
    expected = {f"{s}.{ext}" for s in stems for ext in ("html", "pdf")}
    assert {p.name for p in paths} == expected
    assert {p.name for p in folder.iterdir()} == expected  # no temporary files left behind
    for stem in stems:
        pdf = pdfium.PdfDocument(folder / f"{stem}.pdf")
        assert len(pdf) >= 2
        for i in range(len(pdf)):
            pixels = np.asarray(pdf[i].render(scale=0.4).to_pil().convert("L"))
            inked = float(np.mean(pixels < 200))
            assert inked > 0.004, f"{stem}.pdf page {i + 1} is blank ({inked:.4f})"
        pdf.close()


def test_html_is_self_contained_and_printable(written):
    _, folder, _ = written["baseline"]
    page = (folder / "usa.html").read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r"(src|href)=\"?https?:", page)
    assert "@media print" in page and "page-break-after: always" in page
    assert page.count('class="card"') == len(load_scenario("baseline").actions["USA"])


def test_objectives_read_in_plain_words_not_code(written):
    scenario, folder, _ = written["baseline"]
    seen = ""
    for gov in teams(scenario):
        text = pdf_text(folder / f"{gov.lower()}.pdf")
        start = text.index("your objectives")
        section = text[start : text.index("you have", start)]
        for term in scenario.spec.objectives[gov]:
            assert _norm(objective_text(term.indicator, term.weight, gov)) in section
            assert "." not in term.indicator or _norm(term.indicator) not in section
        seen += text
    assert "keep the seoul–tokyo tie strong" in seen and "your approval at home" in seen


@pytest.mark.parametrize("ident", ["baseline", "korean-polarization", "trump2-transactional"])
def test_facilitator_pack_has_the_debrief_claims_notes_and_both_lesson_plans(written, ident):
    scenario, folder, _ = written[ident]
    spec = scenario.spec
    for path in (folder / "facilitator.pdf", folder / "facilitator.html"):
        text = pdf_text(path) if path.suffix == ".pdf" else html_text(path)
        for question in spec.debrief:
            assert _norm(question) in text, question
        for claim in spec.signature:
            assert _norm(claim.claim) in text
        assert _norm(spec.teacher_notes)[:100] in text
        assert "lesson plan: 60 minutes" in text and "lesson plan: 90 minutes" in text
        for gov in teams(scenario):
            for card in scenario.actions.get(gov, ()):
                assert _norm(card.title) in text


@pytest.mark.parametrize("minutes", LESSON_MINUTES)
def test_lesson_plan_minutes_add_up(minutes):
    for ident in LIBRARY:
        plan = lesson_plan(load_scenario(ident), minutes)
        assert sum(p.minutes for p in plan.phases) == minutes
        assert 1 <= plan.quarters <= load_scenario(ident).spec.turns
        assert plan.play_minutes >= minutes // 2


def test_lesson_plan_only_for_60_or_90_minutes(baseline):
    with pytest.raises(UsageError):
        lesson_plan(baseline, 45)


def test_teams_option_and_a_bad_team(tmp_path, baseline):
    paths = write_handouts(baseline, tmp_path, ["rok"], minutes=90)
    assert sorted(p.name for p in paths) == ["facilitator.html", "facilitator.pdf", "rok.html", "rok.pdf"]
    assert "90 minutes" in pdf_text(tmp_path / "rok.pdf")
    with pytest.raises(UsageError, match="no team 'CHN'"):
        packs(baseline, ["CHN"])


def test_a_link_planted_in_out_is_refused_and_nothing_is_written(tmp_path, baseline):
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "usa.pdf").symlink_to(target)
    with pytest.raises(UsageError, match="symbolic link"):
        write_handouts(baseline, out)
    assert target.read_text() == "precious"
    assert sorted(p.name for p in out.iterdir()) == ["usa.pdf"]
    linked = tmp_path / "linked"
    linked.symlink_to(out)
    with pytest.raises(UsageError, match="symbolic link"):
        write_handouts(baseline, linked)


def test_out_that_cannot_be_a_folder_is_a_clear_error(tmp_path, baseline):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        with pytest.raises(UsageError, match="file"):
            write_handouts(baseline, out)


def test_a_failure_while_rendering_leaves_no_file(tmp_path, baseline, monkeypatch):
    real = handout_files.to_pdf
    calls = []

    def flaky(doc):
        calls.append(doc.stem)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return real(doc)

    monkeypatch.setattr(handout_files, "to_pdf", flaky)
    with pytest.raises(RuntimeError):
        write_handouts(baseline, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not os.listdir(tmp_path / "out")
