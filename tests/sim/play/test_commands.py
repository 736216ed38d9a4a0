"""Session commands: typed records with one JSON mapping that is the save format's."""

from __future__ import annotations

import json

import pytest

from sim.play.commands import (
    COMMAND_KINDS,
    COMMANDS,
    ApplyPreset,
    Branch,
    Choose,
    CommandKind,
    Custom,
    End,
    Inject,
    Note,
    Reopen,
    Resolve,
    SetParameter,
    SetState,
    Undo,
    command_from_json,
    command_to_json,
    note_from_json,
    note_to_json,
)

EXAMPLES = [
    (
        Choose(0, "USA", ["rally_the_base"]),
        {"kind": "choose", "turn": 0, "government": "USA", "cards": ["rally_the_base"]},
    ),
    (Inject(1, "history_flareup"), {"kind": "inject", "turn": 1, "event": "history_flareup"}),
    (
        Custom(2, "custom_1", "Collision", "Boats collide.", {"tie.ROK_JPN": -0.05}),
        {
            "kind": "custom",
            "turn": 2,
            "id": "custom_1",
            "title": "Collision",
            "say": "Boats collide.",
            "effects": {"tie.ROK_JPN": -0.05},
        },
    ),
    (
        SetParameter(3, "us_transactionalism", 0.7),
        {"kind": "set_parameter", "turn": 3, "name": "us_transactionalism", "value": 0.7},
    ),
    (SetState(3, "ROK.approval", 0.4), {"kind": "set_state", "turn": 3, "name": "ROK.approval", "value": 0.4}),
    (Resolve(4), {"kind": "resolve", "turn": 4}),
    (Note(5, "paused"), {"kind": "note", "turn": 5, "text": "paused"}),
    (End(6), {"kind": "end", "turn": 6}),
    (Reopen(6), {"kind": "reopen", "turn": 6}),
    (
        ApplyPreset(2, "maximal_trump", {"tariff_pressure": 1.0}),
        {"kind": "preset", "turn": 2, "name": "maximal_trump", "values": {"tariff_pressure": 1.0}},
    ),
]


@pytest.mark.parametrize(("command", "data"), EXAMPLES, ids=[c.kind.value for c, _ in EXAMPLES])
def test_commands_round_trip_through_the_save_format(command, data):
    assert command_to_json(command) == data
    # Same keys in the same order: a save written now is byte-identical to one written before.
    assert json.dumps(command_to_json(command)) == json.dumps(data)
    assert command_from_json(json.loads(json.dumps(data))) == command
    assert command.kind == data["kind"]


def test_every_command_kind_has_a_record_and_an_example():
    assert set(COMMAND_KINDS) == {c.kind.value for c, _ in EXAMPLES}
    assert all(cls.KIND is kind for kind, cls in COMMANDS.items())


def test_facilitator_commands_are_marked():
    facilitator = {c.kind for c, _ in EXAMPLES if c.FACILITATOR}
    assert facilitator == {
        CommandKind.INJECT,
        CommandKind.CUSTOM,
        CommandKind.SET_PARAMETER,
        CommandKind.SET_STATE,
        CommandKind.NOTE,
        CommandKind.END,
        CommandKind.REOPEN,
        CommandKind.PRESET,
    }


def test_history_notes_round_trip():
    undo = Undo(3, "2026-01-01T00:00:00+00:00", [Inject(2, "history_flareup"), Resolve(2)])
    data = {
        "kind": "undo",
        "turn": 3,
        "dropped": [{"kind": "inject", "turn": 2, "event": "history_flareup"}, {"kind": "resolve", "turn": 2}],
        "at": "2026-01-01T00:00:00+00:00",
    }
    assert json.dumps(note_to_json(undo)) == json.dumps(data)
    assert note_from_json(data) == undo
    branch = Branch(1, "2026-01-01T00:00:00+00:00")
    assert json.dumps(note_to_json(branch)) == json.dumps({"kind": "branch", "turn": 1, "at": branch.at})
    assert note_from_json(note_to_json(branch)) == branch


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "explode", "turn": 0}, ValueError),
        ({"kind": "inject", "turn": 0}, KeyError),
        ({"kind": "undo", "turn": 0, "at": "x"}, ValueError),
        (["inject"], TypeError),
    ],
)
def test_malformed_commands_are_refused(data, error):
    with pytest.raises(error):
        command_from_json(data)
