"""Reading saves safely: special files by type, size before reading, nesting, numbers, schema; messages name the save."""

from __future__ import annotations

import json
import os
import threading

import pytest

from sim.errors import UsageError
from sim.play.save_file import MAX_DEPTH, MAX_SAVE_BYTES, read_save
from sim.play.save_schema import MAX_SHADOWS
from sim.play.session import GameSession, GameSettings, SaveError


@pytest.fixture(scope="module")
def real_save(tmp_path_factory):
    """The JSON of a real two-turn game with a human team, a note, a custom event and an undo."""
    folder = tmp_path_factory.mktemp("save")
    session = GameSession(GameSettings(scenario="baseline", turns=3, shadows=2, controllers={"ROK": "human"}))
    session.submit("ROK", [])
    session.note("a note")
    session.inject_custom("Storm", "A storm.", {"ROK.approval": -0.05})
    session.set_parameter("perception_rate", 0.3)
    session.resolve()
    session.submit("ROK", [])
    session.resolve()
    session.undo()
    return json.loads(session.save(folder / "game.json").read_text(encoding="utf-8"))


def write(tmp_path, data, name="game.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_a_real_save_validates_and_loads(tmp_path, real_save):
    path = write(tmp_path, real_save)
    save = read_save(path)
    assert save.settings.controllers == {"ROK": "human"} and len(save.history_notes) == 1
    assert GameSession.load(path, autosave=False).turn == 1


def test_an_old_save_without_the_scenario_texts_still_loads(tmp_path, real_save):
    old = json.loads(json.dumps(real_save))
    del old["scenario"]["files"]
    del old["settings"]["story_replication"]
    del old["history_notes"]
    assert GameSession.load(write(tmp_path, old), autosave=False).turn == 1


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["settings"].update(turns="abc"), "settings.turns: must be a valid integer, got 'abc'"),
        (lambda d: d["settings"].update(turns=True), "settings.turns: must be a valid integer"),
        (lambda d: d["settings"].update(turns=10**6), "settings.turns: must be less than or equal to 1000"),
        (lambda d: d["settings"].update(shadows=10**9), f"less than or equal to {MAX_SHADOWS}"),
        (lambda d: d["settings"].update(seed=-1), "settings.seed: must be greater than or equal to 0"),
        (lambda d: d["settings"].update(team_names=["a"]), "settings.team_names: must be a valid dictionary"),
        (lambda d: d["settings"].update(team_names={"XX": "a"}), "settings.team_names.XX"),
        (lambda d: d["settings"].update(team_names={"ROK": "a\nb"}), "settings.team_names.ROK"),
        (lambda d: d["settings"].update(team_names={"ROK": "x" * 101}), "at most 100 characters"),
        (lambda d: d["settings"].update(parameters={"perception_rate": "0.3"}), "must be a valid number"),
        (lambda d: d["settings"].update(bogus=1), "settings.bogus is not a field a save has"),
        (lambda d: d["log"].append({"turn": 1}), "has no 'kind'"),
        (lambda d: d["log"].append({"kind": "format_disk", "turn": 1}), "unknown command kind 'format_disk'"),
        (lambda d: d["log"].append({"kind": "note", "turn": 1, "text": "x" * 30_000}), "text: must have at most"),
        (lambda d: d["log"].append({"kind": "set_state", "turn": 1, "name": "x", "value": 1e308 * 10}), "finite"),
        (lambda d: d["log"].append({"kind": "choose", "turn": 1, "government": "USA", "cards": 7}), "cards"),
        (lambda d: d["scenario"]["files"].append({"path": "x", "text": "y" * (2 << 20)}), "scenario.files[2].text"),
        (lambda d: d["scenario"].update(content_hash="rm -rf /"), "scenario.content_hash"),
        (lambda d: d["history_notes"].append({"kind": "undo", "turn": 1}), "undo or branch note 2: at is missing"),
        (lambda d: d.update(version=2), "version 2 is newer than this Trilat understands (1)"),
        (lambda d: d.update(format="trilat-sav"), "not a Trilat save file"),
    ],
)
def test_a_malformed_save_is_named_with_what_is_wrong(tmp_path, real_save, change, fragment):
    data = json.loads(json.dumps(real_save))
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(SaveError) as caught:
        GameSession.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"seed": NaN}', "NaN is not a number a save may hold"),
        ('{"seed": -Infinity}', "-Infinity is not a number"),
        ('{"seed": 1e999}', "too large"),
        ('{"seed": ' + "9" * 5000 + "}", "an integer of 5,000 digits"),
        ("[" * 1_000_000 + "]" * 1_000_000, f"nested deeper than {MAX_DEPTH} levels"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
        ('{"a": 1,\n "b": }', ":2:7: damaged save (not valid JSON"),
        ("", ":1:1: damaged save (not valid JSON"),
    ],
)
def test_hostile_json_is_refused_without_a_crash(tmp_path, text, fragment):
    path = write(tmp_path, text)
    with pytest.raises(SaveError, match=".") as caught:
        read_save(path)
    assert str(caught.value).startswith(str(path)) and fragment in str(caught.value)


def test_bytes_that_are_not_utf8_are_located(tmp_path):
    path = tmp_path / "game.json"
    path.write_bytes(b'{\n  "a": "\xff"}')
    with pytest.raises(SaveError, match=r"game\.json:2:9: damaged save \(not UTF-8 text\)"):
        read_save(path)


def test_a_leading_byte_order_mark_is_fine(tmp_path, real_save):
    path = tmp_path / "game.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(real_save).encode())
    assert read_save(path).turn == 1


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "game.json"
    with path.open("wb") as handle:
        handle.truncate(3 << 30)  # sparse: 3 GiB that would take minutes and gigabytes to read
    with pytest.raises(SaveError, match=f"larger than a save can be \\({MAX_SAVE_BYTES:,} bytes\\)"):
        read_save(path)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: os.mkfifo(p), "is a named pipe, not a save file"),
        (lambda p: p.mkdir(), "is a folder, not a save file"),
        (lambda p: p.symlink_to("/dev/zero"), "is a device, not a save file"),
        (lambda p: p.symlink_to(p.parent / "nowhere"), "is a broken symbolic link"),
        (lambda p: None, "no such save file"),
    ],
)
def test_special_files_are_refused_by_type_without_blocking(tmp_path, make, fragment):
    path = tmp_path / "game.json"
    make(path)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            read_save(path)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # a blocked reader: unblock it by opening the pipe's other end
        with open(path, "wb"):
            pass
        pytest.fail("reading the save blocked")
    assert len(outcome) == 1 and isinstance(outcome[0], SaveError)
    assert str(outcome[0]) == f"{path}: {fragment}"


def test_a_recorded_scenario_path_that_is_a_device_is_refused(tmp_path, real_save):
    data = json.loads(json.dumps(real_save))
    data["scenario"]["path"] = "/dev/zero"
    with pytest.raises(SaveError, match="scenario.path '/dev/zero' is a device"):
        GameSession.load(write(tmp_path, data))


def test_a_valid_save_the_model_refuses_is_still_named(tmp_path, real_save):
    data = json.loads(json.dumps(real_save))
    data["settings"]["controllers"] = {"USA": "no_such_strategy"}
    path = write(tmp_path, data)
    with pytest.raises(SaveError, match="cannot be set up: unknown strategy 'no_such_strategy'") as caught:
        GameSession.load(path)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), "abc", 10**400])
def test_the_facilitator_cannot_set_a_non_finite_number(value):
    session = GameSession(GameSettings(scenario="baseline", turns=2, shadows=0))
    with pytest.raises(UsageError, match="must be a (finite )?number"):
        session.set_state("ROK.approval", value)
    with pytest.raises(UsageError, match="must be a (finite )?number"):
        session.set_parameter("perception_rate", value)
    assert session.log == []


def test_a_session_accepts_only_what_its_save_can_hold(tmp_path):
    with pytest.raises(UsageError, match="game settings: shadows: must be less than or equal to 100000"):
        GameSession(GameSettings(scenario="baseline", shadows=MAX_SHADOWS + 1))
    with pytest.raises(UsageError, match="team_names.ROK"):
        GameSession(GameSettings(scenario="baseline", team_names={"ROK": "x" * 200}))
    session = GameSession(GameSettings(scenario="baseline", turns=2, shadows=0), autosave=tmp_path / "g.json")
    with pytest.raises(UsageError, match="text: must have at most"):
        session.note("x" * 100_000)
    with pytest.raises(UsageError, match="effects"):
        session.inject_custom("t", "s", {"ROK.approval": float("nan")})
    session.note("fine")
    session.resolve()
    assert GameSession.load(tmp_path / "g.json", autosave=False).turn == 1


def test_replay_headless_checks_a_save_and_every_command_names_a_bad_one(tmp_path, real_save, capsys):
    from sim.cli import main

    good = write(tmp_path, real_save)
    assert main(["replay", str(good), "--headless"]) == 0
    assert capsys.readouterr().out.strip() == f"{good}: baseline, 1 of 3 turns replayed (seed 1, 2 shadow worlds)"
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "trilat-save", "seed": NaN}', encoding="utf-8")
    for argv in (
        ["replay", str(bad), "--headless"],
        ["report", str(bad)],
        ["play", "--resume", str(bad), "--headless"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"{bad}: damaged save (NaN is not a number a save may hold" in err and "Traceback" not in err


def test_a_broken_embedded_scenario_is_one_line_naming_the_save_and_the_copy(tmp_path, real_save):
    data = json.loads(json.dumps(real_save))
    data["scenario"]["files"][0]["text"] = "parameters:\n  a: {bogus: 1}\n  b: {bogus: 2}\n"
    path = write(tmp_path, data)
    with pytest.raises(SaveError) as caught:
        GameSession.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: damaged save (the scenario embedded in it has a problem in its copy of ")
    assert "defaults.yaml, line " in message and "more)" in message and "\n" not in message
