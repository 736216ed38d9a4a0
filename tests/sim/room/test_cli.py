"""``trilat host``: its arguments and one-line errors (exit 2, no traceback)."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.cli.parser import build_parser


def test_host_is_a_command_with_its_options():
    args = build_parser().parse_args(
        ["host", "baseline", "--port", "0", "--lan", "--headless", "--teams", "USA,ROK", "--minutes", "5"]
    )
    assert (args.command, args.scenario, args.port, args.lan, args.headless) == ("host", "baseline", 0, True, True)
    assert (args.teams, args.minutes) == ("USA,ROK", 5.0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["host", "--headless"], "host needs a SCENARIO"),
        (["host", "basline", "--headless"], "baseline"),
        (["host", "baseline", "--headless", "--teams", "USA,CHN"], "unknown government 'CHN'"),
        (["host", "--resume", "no-such-save.json", "--headless"], "no such save file"),
    ],
)
def test_bad_host_arguments_are_one_line_errors(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--saves", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_resuming_a_save_of_another_scenario_is_refused(capsys, tmp_path):
    from sim.play.session import GameSession, GameSettings

    save = GameSession(GameSettings("baseline", shadows=0, controllers={"USA": "human"})).save(tmp_path / "b.json")
    assert main(["host", "korean-polarization", "--resume", str(save), "--headless"]) == 2
    assert "is a game of 'baseline', not 'korean-polarization'" in capsys.readouterr().err


def test_a_taken_port_is_a_one_line_error(capsys, tmp_path):
    from sim.room.host import listen

    taken = listen(False, 0)
    try:
        port = str(taken.getsockname()[1])
        assert main(["host", "baseline", "--headless", "--shadows", "0", "--port", port, "--saves", str(tmp_path)]) == 2
    finally:
        taken.close()
    assert "cannot listen there" in capsys.readouterr().err


def test_a_taken_port_creates_no_game(tmp_path, capsys):
    from sim.room.host import listen

    taken = listen(False, 0)
    try:
        main(["host", "baseline", "--headless", "--port", str(taken.getsockname()[1]), "--saves", str(tmp_path)])
    finally:
        taken.close()
    assert list(tmp_path.iterdir()) == []
