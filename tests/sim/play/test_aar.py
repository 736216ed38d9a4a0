"""After-action reports: Markdown, HTML and charts from a game, and `trilat report SAVE`."""

from __future__ import annotations

from sim.cli import main
from sim.play.aar import build_markdown, markdown_to_html, write_report
from sim.play.session import GameSession, GameSettings
from sim.play.wording import describe_action


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
        "## Scores: raw change and contribution",
        "## Who chose what, turn by turn",
        "## Turning points",
        "## The story, turn by turn",
        "## Facilitator log",
        "## Debrief questions",
        "## Sources",
    ):
        assert heading in text, heading
    assert "Team Seoul" in text and "human team" in text
    assert "custom event 'Ferry disaster'" in text and "undid turn 4, 2025Q4" in text
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
    # A tie's colour means its level in the game: no tie line may wear a level's colour.
    from ui import theme

    level_colours = {"#{:02X}{:02X}{:02X}".format(*colour) for _, colour, _ in theme.TIE_LEVELS}
    assert not level_colours & {drawn[aar.label(f"tie.{pair}")] for pair in ("USA_ROK", "USA_JPN", "ROK_JPN")}


def test_report_says_who_chose_what_in_plain_words(tmp_path):
    session = GameSession(
        GameSettings(
            scenario="baseline",
            seed=5,
            shadows=20,
            turns=4,
            controllers={"ROK": "human", "USA": "human"},
            team_names={"ROK": "Team Seoul", "USA": "Blue"},
        ),
    )
    session.submit("ROK", ["missile_warning_sharing"])
    session.submit("USA", [])
    session.inject_custom("Drone over the DMZ", "A drone crosses the DMZ.", {"tie.ROK_JPN": -0.05})
    session.inject_event("jjoc_launch")
    session.set_parameter("us_transactionalism", 0.8)
    session.resolve()
    session.submit("ROK", [])
    session.submit("USA", [])
    session.resolve()
    session.end()
    text = build_markdown(session, {})
    assert "ended by the facilitator after turn 2 of 4" in text
    assert "### Turn 1, 2025Q1" in text and "### Turn 2, 2025Q2" in text
    moves = text.split("## Who chose what, turn by turn")[1].split("## The story")[0]
    assert "**Team Seoul (Republic of Korea, human team)**: Deepen missile-warning sharing" in moves
    assert "**Blue (United States, human team)**: passed" in moves
    assert "Japan (computer: objectives)" in moves
    # Plain names: injections by their titles, objectives in words, never raw keys.
    assert "white cell: Drone over the DMZ" in text or "Drone over the DMZ" in text
    assert "custom_1" not in text and "tie.USA_ROK" not in text
    assert "injected the event 'Japan's Joint Operations Command'" in text
    assert "raise the USA-ROK tie (weight 0.2)" in text
    assert "set the parameter us_transactionalism to 0.8 (How transactional" in text
    assert "raise the USA-ROK economic tie" in build_markdown(
        GameSession(GameSettings("trump2-transactional", shadows=0)), {}
    )
    # Scores with contributions, explained.
    scores = text.split("## Scores: raw change and contribution")[1].split("##")[0]
    assert "contribution" in scores and "default strategy" in scores
    # The facilitator log, in order: the custom event, the injection, the parameter, the end.
    log = text.split("## Facilitator log (in order)")[1].split("##")[0]
    order = [log.index(s) for s in ("Drone over the DMZ", "Joint Operations", "us_transactionalism", "ended the game")]
    assert order == sorted(order)
    assert "ended the game after turn 2, 2025Q2" in log


def test_undo_and_branch_notes_sit_in_order_in_the_facilitator_log(tmp_path):
    session = GameSession(GameSettings(scenario="baseline", seed=5, shadows=0))
    session.note("first")
    session.resolve()
    session.resolve()
    session.undo()
    session.note("after undo")
    session.resolve()
    branch = session.branch(1)
    branch.note("in the branch")
    lines = [describe_action(session.scenario, a) for a in branch.facilitator_actions()]
    assert lines == [
        "before turn 1, 2025Q1: note: first",
        "undid turn 2, 2025Q2 (1 command(s) dropped)",
        "branched a new game from the end of turn 1, 2025Q1",
        "before turn 2, 2025Q2: note: in the branch",
    ]
    lines = [describe_action(session.scenario, a) for a in session.facilitator_actions()]
    assert lines[-1] == "before turn 2, 2025Q2: note: after undo" and lines[1].startswith("undid turn 2")
