"""The expression language: what compiles, how it evaluates over worlds, and what is refused."""

from __future__ import annotations

import numpy as np
import pytest

from sim.lang.expr import ExprError, Symbols, compile_expression

SYMBOLS = Symbols(
    state={"ROK.polarization": 0, "tie.ROK_JPN": 1, "DPRK.missile_test": 2},
    params={"gain": 0},
    context={"turn": 0, "year": 1, "quarter": 2},
)
X = np.array([[0.2, 0.8, 0.5], [0.5, 0.4, 0.9], [1.0, 0.0, 1.0]])
P = [2.0]
C = [3, 2025, 3]


def ev(text):
    return compile_expression(text, SYMBOLS, "test")(X, P, C, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("gain * ROK.polarization", [0.4, 1.6, 1.0]),
        ("max(ROK.polarization, tie.ROK_JPN)", [0.5, 0.8, 0.9]),
        ("min(0.3, ROK.polarization, 1)", [0.2, 0.3, 0.3]),
        ("clip(ROK.polarization * 2, 0, 1)", [0.4, 1.0, 1.0]),
        ("ROK.polarization > 0.4 and DPRK.missile_test", [False, False, True]),
        ("not DPRK.missile_test or quarter == 3", [True, True, True]),
        ("0.1 < ROK.polarization < 0.6", [True, False, True]),
        ("1 if tie.ROK_JPN > 0.6 else -1", [-1.0, -1.0, 1.0]),
        ("mean(1, 2, 3)", 2.0),
        ("abs(-2) + sqrt(-4) + turn", 5.0),
        ("ROK.polarization / 0", [0.0, 0.0, 0.0]),
        ("2 ** 3", 8.0),
        ("year - 2000", 25.0),
    ],
)
def test_evaluates_over_worlds(text, expected):
    assert np.allclose(np.asarray(ev(text), dtype=float), np.asarray(expected, dtype=float))


def test_constants_are_folded_and_names_recorded():
    expr = compile_expression("0.5 * 2", SYMBOLS)
    assert expr.constant == 1.0 and not expr.names
    expr = compile_expression("gain + tie.ROK_JPN", SYMBOLS)
    assert expr.constant is None and expr.names == {"gain", "tie.ROK_JPN"}


@pytest.mark.parametrize(
    ("text", "offset", "fragment"),
    [
        ("ROK.polarizaton > 0.5", 0, "did you mean 'ROK.polarization'"),
        ("0.5 + gian", 6, "did you mean 'gain'"),
        ("__import__('os')", 0, "starting with '_'"),
        ("ROK.__class__", 4, "starting with '_'"),
        ("open('x')", 0, "unknown function 'open'"),
        ("(lambda: 1)()", 0, ""),
        ("[x for x in y]", 0, "comprehensions"),
        ("'text'", 0, "strings are not allowed"),
        ("f'{gain}'", 0, "f-strings"),
        ("(y := 1)", 1, "assignment"),
        ("tie[0]", 0, "subscripts"),
        ("9**9**9", 3, "too large"),
        ("2 ** 100", 5, "exponent"),
        ("max(1)", 0, "takes at least 2"),
        ("clip(1, 2)", 0, "takes 3"),
        ("max(x=1, y=2)", 4, "keyword"),
        ("gain +", 6, "syntax error"),
        ("1e300 * 10", 0, "too large"),
        ("", 0, "empty"),
    ],
)
def test_refused_with_column(text, offset, fragment):
    with pytest.raises(ExprError) as exc:
        compile_expression(text, SYMBOLS)
    assert fragment in exc.value.message
    assert exc.value.offset == offset


def test_long_and_deep_expressions_are_refused_quickly():
    with pytest.raises(ExprError, match="too long"):
        compile_expression("1+" * 1500 + "1", SYMBOLS)
    with pytest.raises(ExprError, match="nested"):
        compile_expression("abs(" * 100 + "1" + ")" * 100, SYMBOLS)


def test_random_functions_draw_per_world_and_site():
    class Draws:
        def uniform(self, stream):
            return np.full(3, (stream % 1000) / 1000)

        def normal(self, stream):
            return np.zeros(3)

    a = compile_expression("uniform(0, 1)", SYMBOLS, "site-a")
    b = compile_expression("uniform(0, 1)", SYMBOLS, "site-b")
    assert a.random and a.constant is None
    assert not np.array_equal(a(X, P, C, Draws()), b(X, P, C, Draws()))
    assert np.allclose(compile_expression("normal(0.5, 2)", SYMBOLS, "s")(X, P, C, Draws()), 0.5)


def test_truth_values_are_numbers():
    assert np.allclose(ev("(ROK.polarization > 0.4) + (tie.ROK_JPN > 0.3)"), [1.0, 2.0, 2.0])
    assert np.allclose(ev("-(ROK.polarization > 0.4)"), [0.0, -1.0, -1.0])
    assert np.allclose(ev("(ROK.polarization > 0.4) - DPRK.missile_test"), [-1.0, 1.0, -0.0])


@pytest.mark.parametrize(("text", "symbol"), [("1 >> 2", ">>"), ("3 // 2", "//"), ("3 % 2", "%"), ("1 & 2", "&")])
def test_operators_outside_the_language_are_named_as_written(text, symbol):
    with pytest.raises(ExprError, match=f"operator '{symbol}' is not part of the language"):
        compile_expression(text, SYMBOLS)
