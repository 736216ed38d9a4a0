"""``--json`` output is strict JSON: no NaN or Infinity tokens."""

from __future__ import annotations

import json
import math

import numpy as np

from sim.cli import jsonout


def test_non_finite_numbers_become_null_with_a_note(capsys):
    text = jsonout.dumps({"a": math.nan, "b": [1.5, np.float64("inf"), {"c": -math.inf}], "d": "NaN"})
    assert json.loads(text, parse_constant=lambda token: (_ for _ in ()).throw(ValueError(token))) == {
        "a": None,
        "b": [1.5, None, {"c": None}],
        "d": "NaN",
    }
    assert "3 undefined numbers" in capsys.readouterr().err


def test_finite_output_is_unchanged_and_silent(capsys):
    value = {"x": [0.1, 2, True, None, "s"]}
    assert jsonout.dumps(value, indent=1) == json.dumps(value, indent=1)
    assert capsys.readouterr().err == ""


def test_integer_arguments_are_bounded_in_one_line(capsys):
    from sim.cli import main

    def run_cli(capsys, *args):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    for args, words in [
        (["run", "baseline", "--seed", "9" * 5000], "at most 2**62"),
        (["run", "baseline", "--replication", str(2**63)], "at most 2**62"),
        (["play", "baseline", "--headless", "--auto", "--shadows", "100000000"], "at most 100,000"),
        (["run", "baseline", "--turns", "100000"], "turns is at most 1000"),
    ]:
        code, _, err = run_cli(capsys, *args)
        assert code == 2, args
        assert words in err and "Traceback" not in err, (args, err)
