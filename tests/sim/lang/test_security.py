"""Security of the expression sandbox and the YAML loader: scenario files come from strangers."""

from __future__ import annotations

import contextlib
import re
import signal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.lang.expr import FUNCTIONS, MAX_EXPRESSION_LENGTH, ExprError, Symbols, compile_expression
from sim.lang.yamlio import parse_yaml

SYMBOLS = Symbols(state={"ROK.approval": 0, "tie.ROK_JPN": 1}, params={"gain": 0}, context={"turn": 0})

ESCAPES = [
    "().__class__.__bases__[0].__subclasses__()",
    "ROK.__class__",
    "ROK.approval.__class__.__mro__",
    "__import__('os').system('echo pwned')",
    "__builtins__",
    "open('/etc/passwd').read()",
    "eval('1+1')",
    "exec('x=1')",
    "getattr(ROK, 'approval')",
    "globals()",
    "locals()['x']",
    "vars()",
    "compile('1', 'x', 'eval')",
    "type(1)",
    "(1).real",
    "'abc'.upper()",
    "'a' * 10**9",
    "[1] * 10**9",
    "{}.keys()",
    "lambda: 0",
    "[c for c in ()]",
    "(x := 5)",
    "f'{1}'",
    "x[0]",
    "p[0]",
    "r.uniform(1)",
    "_div(1, 0)",
    "__import__",
    "import os",
    "yield 1",
    "await x",
    "*gain",
    "1 if 2",
]


@pytest.mark.parametrize("text", ESCAPES)
def test_escape_attempts_are_refused(text):
    with pytest.raises(ExprError):
        compile_expression(text, SYMBOLS)


@contextlib.contextmanager
def hang_guard(seconds: float = 20.0):
    """Fail (instead of hanging the suite) if the body computes without end: a guard, not a timing."""

    def give_up(signum, frame):
        raise TimeoutError(f"still computing after {seconds} s: the input was not refused up front")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "text",
    ["9**9**9", "10 ** 400", "2 ** 17", "1e13", "1e200 * 1e200", "99999999999999999999", "9" * 400, "0x" + "f" * 400],
)
def test_huge_numbers_are_refused_at_load_time(text):
    with hang_guard(), pytest.raises(ExprError, match="too large"):
        compile_expression(text, SYMBOLS)


def test_deep_nesting_and_long_expressions_are_refused_quickly():
    cases = [
        "-" * 500 + "1",
        "abs(" * 300 + "1" + ")" * 300,
        "(" * 1000 + "1" + ")" * 1000,
        "1 + " * (MAX_EXPRESSION_LENGTH // 4 + 1) + "1",
        "not " * 300 + "1",
    ]
    for text in cases:
        with hang_guard(), pytest.raises(ExprError):
            compile_expression(text, SYMBOLS)


ALLOWED_IDENTIFIERS = (
    {"x", "p", "c", "r", "uniform", "normal"}
    | {f"_{name}" for name in FUNCTIONS}
    | {
        "_div",
        "_pow",
        "_and",
        "_or",
        "_not",
        "_num",
        "_where",
        "_truth",
    }
)

atoms = st.sampled_from(["ROK.approval", "tie.ROK_JPN", "gain", "turn", "0.5", "2", "1e3"])


def expressions(depth: int = 3):
    if depth == 0:
        return atoms
    sub = expressions(depth - 1)
    return st.one_of(
        atoms,
        st.builds(
            lambda a, op, b: f"({a} {op} {b})", sub, st.sampled_from(["+", "-", "*", "/", "<", ">=", "and", "or"]), sub
        ),
        st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(["min", "max"]), sub, sub),
        st.builds(lambda a: f"(not {a})", sub),
        st.builds(lambda a, b, c: f"({a} if {b} else {c})", sub, sub, sub),
    )


@settings(max_examples=200, deadline=None)
@given(expressions())
def test_generated_code_uses_only_whitelisted_identifiers(text):
    compiled = compile_expression(text, SYMBOLS, "fuzz")
    identifiers = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"\d+\.\d+(e[+-]?\d+)?", "", compiled.code)))
    assert identifiers <= ALLOWED_IDENTIFIERS, identifiers - ALLOWED_IDENTIFIERS
    assert "__" not in compiled.code


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_either_compiles_or_is_an_expression_error(text):
    try:
        compile_expression(text, SYMBOLS, "fuzz")
    except ExprError:
        pass


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "a: !!python/name:os.system\n",
        "a: !!python/object/new:os.system [echo]\n",
        "!!python/module:os\n",
    ],
)
def test_yaml_python_tags_are_refused(text):
    with pytest.raises(ScenarioError, match="YAML"):
        parse_yaml(text, "evil.yaml")


def test_billion_laughs_is_refused_quickly():
    lines = ["a: &a ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol']"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with hang_guard(), pytest.raises(ScenarioError, match="expands to more than"):
        parse_yaml("\n".join(lines), "lol.yaml")


def test_scenario_text_never_reaches_eval_unchecked(monkeypatch):
    """The only exec in the engine compiles code generated from a checked tree."""
    import sim.lang.expr

    seen = []
    real_compile = compile

    def spy(source, *args, **kwargs):
        seen.append(source)
        return real_compile(source, *args, **kwargs)

    monkeypatch.setattr(sim.lang.expr, "compile", spy, raising=False)
    compile_expression("ROK.approval + gain * 2", SYMBOLS, "spy")
    assert seen and all("ROK.approval" not in source and "gain" not in source for source in seen)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: " + "9" * 5000, r"evil\.yaml:1:4: integer literal is too long \(5000 characters; limit 40\)"),
        ("x: 0x" + "f" * 400, r"evil\.yaml:1:4: integer literal is too long"),
        ("x: " + "{a: " * 400 + "1" + "}" * 400, r"evil\.yaml:1:\d+: YAML is nested more than 64 levels deep"),
        ("x: " + "[" * 400 + "1" + "]" * 400, r"evil\.yaml:1:\d+: YAML is nested more than 64 levels deep"),
    ],
)
def test_oversized_integers_and_deep_yaml_are_located_errors(text, message):
    with hang_guard(), pytest.raises(ScenarioError) as caught:
        parse_yaml(text, "evil.yaml")
    assert re.fullmatch(message + ".*", str(caught.value).splitlines()[0]), str(caught.value)


def test_a_deeply_nested_scenario_is_refused_before_it_is_merged(tmp_path):
    from sim.lang.scenario import load_scenario

    path = tmp_path / "deep.yaml"
    path.write_text("id: a\ntitle: a\nextends: baseline\nx: " + "{a: " * 400 + "1" + "}" * 400 + "\n", encoding="utf-8")
    with hang_guard(), pytest.raises(ScenarioError, match="nested more than 64 levels"):
        load_scenario(path)


def test_domain_weights_cannot_overflow_to_infinity(tmp_path):
    from sim.lang.scenario import load_scenario

    path = tmp_path / "weights.yaml"
    path.write_text(
        "id: a\ntitle: a\nextends: baseline\ndomains:\n  history: {weight: 1e308}\n  security: {weight: 1e308}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"weights\.yaml:5:\d+: domains\.history\.weight"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp: tmp / "folder", "is a directory, not a scenario file"),
        (lambda tmp: __import__("pathlib").Path("/dev/zero"), "is a device, not a scenario file"),
        (lambda tmp: tmp / "dangling.yaml", "is a broken symbolic link"),
    ],
)
def test_extends_says_what_a_non_file_is(tmp_path, make, words):
    from sim.lang.scenario import load_scenario

    (tmp_path / "folder").mkdir()
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    target = make(tmp_path)
    path = tmp_path / "child.yaml"
    path.write_text(f"id: a\ntitle: a\nextends: {target}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(words)):
        load_scenario(path)
