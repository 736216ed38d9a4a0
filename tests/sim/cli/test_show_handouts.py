"""``trilat show`` is safe for a projector by default; ``trilat handouts`` writes the packs or fails cleanly."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.lang.scenario import load_scenario


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _secrets(scenario, govs):
    spec = scenario.spec
    titles = [c.title for g in govs for c in scenario.actions.get(g, ())]
    docs = [t.doc for g in govs for t in spec.objectives.get(g, []) if t.doc]
    return [*titles, *docs, *(c.claim[:60] for c in spec.signature), *(q[:60] for q in spec.debrief)]


@pytest.mark.parametrize("ident", ["baseline", "korean-polarization", "trump2-transactional"])
def test_show_by_default_is_the_public_overview(capsys, ident):
    scenario = load_scenario(ident)
    code, out, _ = run_cli(capsys, "show", ident)
    assert code == 0
    flat = " ".join(out.split())
    assert scenario.spec.title in out and "The teams" in out and "--facilitator" in out
    leaks = [s for s in _secrets(scenario, ("USA", "ROK", "JPN")) if " ".join(s.split()) in flat]
    assert not leaks
    assert "For the teacher" not in out and "Debrief questions" not in out and "objectives (score" not in out


def test_show_team_is_that_teams_view_only(capsys):
    scenario = load_scenario("korean-polarization")
    code, out, _ = run_cli(capsys, "show", "korean-polarization", "--team", "rok")
    assert code == 0
    flat = " ".join(out.split())
    assert "Republic of Korea: team briefing" in out
    for card in scenario.actions["ROK"]:
        assert card.title in flat
    assert "Keep the Seoul–Tokyo tie strong" in flat
    leaks = [s for s in _secrets(scenario, ("USA", "JPN")) if " ".join(s.split()) in flat]
    assert not leaks


def test_show_facilitator_has_the_secrets(capsys):
    scenario = load_scenario("korean-polarization")
    code, out, _ = run_cli(capsys, "show", "korean-polarization", "--facilitator")
    flat = " ".join(out.split())
    assert code == 0
    assert all(" ".join(q.split()) in flat for q in scenario.spec.debrief)
    assert "What this scenario claims" in out and "For the teacher" in out


def test_show_bad_team_and_conflicting_views(capsys):
    code, _, err = run_cli(capsys, "show", "baseline", "--team", "CHN")
    assert code == 2 and "no team 'CHN'" in err and "USA, ROK, JPN" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["show", "baseline", "--team", "USA", "--facilitator"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("trump2", "'trump2-transactional'"),
        ("history", "'history-2013' or 'history-human-rights'"),
        ("baselin", "'baseline'"),
    ],
)
def test_show_unknown_id_suggests_library_ids(capsys, name, hint):
    code, out, err = run_cli(capsys, "show", name)
    assert code == 2 and not out
    assert f"did you mean {hint}?" in err and "Traceback" not in err


def test_handouts_writes_the_packs(capsys, tmp_path):
    code, out, err = run_cli(capsys, "handouts", "baseline", "--out", str(tmp_path / "packs"), "--teams", "USA", "JPN")
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "packs").iterdir())
    assert names == ["facilitator.html", "facilitator.pdf", "jpn.html", "jpn.pdf", "usa.html", "usa.pdf"]
    assert len(out.splitlines()) == 6 and "wrote 6 files" in err


@pytest.mark.parametrize(
    "args",
    [
        ("handouts", "nosuch", "--out", "{tmp}/x"),
        ("handouts", "baseline", "--out", "{tmp}/file/sub"),
        ("handouts", "baseline", "--out", "{tmp}/file"),
        ("handouts", "baseline", "--out", "{tmp}/x", "--teams", "XYZ"),
    ],
)
def test_handouts_errors_are_one_line_and_exit_2(capsys, tmp_path, args):
    (tmp_path / "file").write_text("not a folder")
    code, out, err = run_cli(capsys, *(a.format(tmp=tmp_path) for a in args))
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_handouts_minutes_must_be_60_or_90(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["handouts", "baseline", "--out", str(tmp_path), "--minutes", "45"])
    assert exit_info.value.code == 2
