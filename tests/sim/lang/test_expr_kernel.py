"""Security of the kernel back end: scenario text reaches generated kernels only as checked, re-emitted code."""

from __future__ import annotations

import io
import keyword
import re
import tokenize

import pytest
from hypothesis import given, settings

from sim.engine.kernels.triggers import generate, group_key
from sim.engine.rng import stream_id
from sim.lang.compiled import Effect, Rule
from sim.lang.expr import ExprError, compile_expression
from sim.lang.expr_kernel import KERNEL_NAMES, KernelError, Slots, translate
from tests.sim.lang.test_security import ESCAPES, SYMBOLS, expressions

SCAFFOLD_NAMES = {
    "_group",
    "shape",
    "values",
    "vals",
    "fired",
    "masks",
    "modes",
    "anyf",
    "conditions",
    "range",
    "_kfin",
    "_kprob",
    "n",
    "ms",
    "free",
}
ALLOWED = KERNEL_NAMES | SCAFFOLD_NAMES | set(keyword.kwlist)
NUMBERED_LOCALS = re.compile(r"(?:on|mk|a|f)\d+")
"""The generator's per-trigger locals (``on3``, ``mk3``, ``a3``, ``f3``)."""


def names_in(source: str) -> set[str]:
    """Every identifier in generated source (and no string literal may appear)."""
    names = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        assert token.type != tokenize.STRING, token.string
        if token.type == tokenize.NAME and not NUMBERED_LOCALS.fullmatch(token.string):
            names.add(token.string)
    return names


def kernel_source(*texts: str) -> str:
    """The generated kernel of one rule whose condition, chance and effect are the given texts."""
    when, chance, value = (compile_expression(text, SYMBOLS, f"k/{i}") for i, text in enumerate(texts))
    effect = Effect(target="ROK.approval", rows=slice(0, 1), op="add", value=value)
    rule = Rule(
        id="k",
        title="k",
        phase="outcomes",
        when=when,
        chance=chance,
        effects=(effect,),
        say="",
        source="",
        stream=stream_id("k"),
    )
    return generate(group_key([rule]))[0]


@pytest.mark.parametrize("text", ESCAPES)
def test_hostile_expressions_are_refused_before_any_kernel_is_generated(text):
    with pytest.raises(ExprError):
        kernel_source("1", "1", text)


HOSTILE_CODE = [
    "__import__('os').system('echo pwned')",
    "x.__class__",
    "x[0].__class__",
    "_exp.__globals__",
    "r.system(1)",
    "q.uniform(1)",
    "r.uniform('a')",
    "r.uniform(-1)",
    "r.uniform(x[0])",
    "p[0](1)",
    "x[w]",
    "x[-1]",
    "x[1.5]",
    "x[0:2]",
    "x[True]",
    "y[0]",
    "lambda: 0",
    "open('f')",
    "'text'",
    "b'bytes'",
    "None",
    "1e400",
    "1j",
    "_where(1, 2)",
    "_num(x[0])",
    "_clip(1, 2)",
    "_div(1)",
    "_system(1)",
    "_min(1, y=2)",
    "[1][0]",
    "x[0] @ x[1]",
    "x[0] // 2",
    "not x[0]",
    "x[0] if x[1] else x[2]",
    "(x[0] < x[1] < x[2])",
    "x[0] is x[1]",
    "f'{x}'",
]


@pytest.mark.parametrize("code", HOSTILE_CODE)
def test_the_translator_accepts_only_what_the_checker_emits(code):
    with pytest.raises(KernelError):
        translate(code, Slots())


@settings(max_examples=200, deadline=None)
@given(expressions(), expressions(), expressions())
def test_generated_kernels_contain_only_emitted_names_numbers_and_indices(when, chance, value):
    source = kernel_source(when, chance, value)
    assert names_in(source) <= ALLOWED, names_in(source) - ALLOWED
    assert "__" not in source
    compile(source, "<kernel>", "exec")  # and it is valid Python


def test_every_shipped_scenario_generates_clean_kernels():
    from sim.lang.scenario import library_ids, load_scenario

    for scenario_id in library_ids():
        scenario = load_scenario(scenario_id)
        groups = [*scenario.rules.values(), scenario.events, *scenario.acts.values(), *scenario.actions.values()]
        for group in groups:
            if group:
                source, _ = generate(group_key(group))
                assert names_in(source) <= ALLOWED
                assert not re.search(r"[\"']", source)
