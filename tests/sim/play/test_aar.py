"""After-action reports: Markdown, HTML and charts from a game, and `trilat report SAVE`."""

from __future__ import annotations

from sim.cli import main
from sim.play.aar import markdown_to_html, write_report
from sim.play.session import GameSession, GameSettings


def played_game(tmp_path, turns=4):
    session = GameSession(
        GameSettings(
            scenario="baseline", seed=5, shadows=30, controllers={"ROK": "human"}, team_names={"ROK": "Team Seoul"}
        ),
        autosave=tmp_path / "game.json",
    )
    for turn in range(turns):
        session.submit("ROK", [])
        if turn == 1:
            session.inject_custom("Ferry disaster", "A ferry sinks; Tokyo sends help.", {"tie.ROK_JPN": 0.05})
        session.resolve()
    session.undo()
    session.submit("ROK", [])
    session.resolve()
    return session


def test_report_has_every_section_and_charts(tmp_path):
    session = played_game(tmp_path)
    paths = write_report(session, tmp_path / "out")
    text = paths["markdown"].read_text(encoding="utf-8")
    for heading in (
        "## Teams",
        "## Final indicators",
        "## Scores against objectives",
        "## Turning points",
        "## The story, turn by turn",
        "## Facilitator log",
        "## Debrief questions",
        "## Sources",
    ):
        assert heading in text, heading
    assert "Team Seoul" in text and "human team" in text
    assert "custom event 'Ferry disaster'" in text and "undid turn 4" in text
    assert "90% of shadow worlds" in text
    assert len(paths["charts"]) == 3
    for chart in paths["charts"]:
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 5000
        assert f"]({chart.name})" in text
    page = paths["html"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and 'src="cooperation.png"' in page


def test_markdown_to_html_escapes_text():
    page = markdown_to_html("# T\n\n- a <script>alert(1)</script> **b**\n", "t")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<strong>b</strong>" in page


def test_trilat_report_from_a_save(tmp_path, capsys):
    played_game(tmp_path)
    assert main(["report", str(tmp_path / "game.json"), "--out", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "report.html").is_file()
    assert "wrote" in capsys.readouterr().out


def test_trilat_report_refuses_a_bad_save_cleanly(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "damaged save" in err and "Traceback" not in err


def test_report_charts_draw_each_indicator_in_the_games_colour(tmp_path, monkeypatch):
    import matplotlib.axes

    from sim.engine.indicators import hex_colour
    from sim.play import aar

    drawn: dict[str, str] = {}
    original = matplotlib.axes.Axes.plot

    def plot(self, *args, **kwargs):
        drawn[kwargs["label"]] = kwargs["color"]
        return original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "plot", plot)
    session = played_game(tmp_path, turns=2)
    write_report(session, tmp_path / "out")
    expected = {aar.label(name): hex_colour(name) for _, names in aar.CHARTS.values() for name in names}
    assert drawn == expected
    assert drawn["USA approval"] == "#0072B2" and drawn["ROK approval"] == "#009E73"  # the game's blue and green
