"""The scenario expression language: parse once, check against a whitelist, compile to numpy.

Expressions look like Python (``0.3 * ROK.polarization + max(0, DPRK.activity - 0.5)``) but only
the constructs listed in ``docs/scenario-language.md`` exist: numbers, dotted names of state and
parameters, arithmetic (``+ - * / **``), comparisons, ``and``/``or``/``not``, ``a if c else b``,
and calls to the whitelisted functions in :data:`FUNCTIONS`. Everything else is rejected with the
column of the offending construct. The checked syntax tree is translated node by node into a
small Python function over numpy arrays; scenario text never reaches ``eval`` directly.

Numeric conventions (documented for scenario authors): ``x / 0`` is 0; ``sqrt`` and ``log``
clamp their argument into their domain; ``exp`` clamps its argument to [-50, 50]; an effect value
that is still NaN or infinite is treated as 0 by the engine.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.engine.rng import stream_id
from sim.errors import did_you_mean
from sim.lang.expr_runtime import RUNTIME

MAX_EXPRESSION_LENGTH = 2000
MAX_DEPTH = 40
MAX_LITERAL_EXPONENT = 16.0
MAX_LITERAL = 1e12


class ExprError(Exception):
    """A problem in an expression; ``offset`` is the 0-based column inside the expression text."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class FunctionSpec:
    """A whitelisted function: its arity and the numpy code it becomes."""

    min_args: int
    max_args: int | None
    doc: str


FUNCTIONS: dict[str, FunctionSpec] = {
    "min": FunctionSpec(2, None, "smallest of the arguments, element by element"),
    "max": FunctionSpec(2, None, "largest of the arguments, element by element"),
    "mean": FunctionSpec(1, None, "arithmetic mean of the arguments"),
    "clip": FunctionSpec(3, 3, "clip(x, lo, hi): x limited to [lo, hi]"),
    "abs": FunctionSpec(1, 1, "absolute value"),
    "sqrt": FunctionSpec(1, 1, "square root (negative arguments count as 0)"),
    "exp": FunctionSpec(1, 1, "e to the power x (x clamped to [-50, 50])"),
    "log": FunctionSpec(1, 1, "natural logarithm (arguments below 1e-12 count as 1e-12)"),
    "sigmoid": FunctionSpec(1, 1, "logistic function 1 / (1 + exp(-x))"),
    "floor": FunctionSpec(1, 1, "largest integer not above x"),
    "ceil": FunctionSpec(1, 1, "smallest integer not below x"),
    "round": FunctionSpec(1, 1, "nearest integer (halves to even)"),
    "uniform": FunctionSpec(2, 2, "uniform(lo, hi): a random number per world, drawn anew each turn"),
    "normal": FunctionSpec(2, 2, "normal(mean, sd): a random number per world, drawn anew each turn"),
}

_RANDOM_FUNCTIONS = {"uniform", "normal"}


_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
_CMPOPS: dict[type, str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}


def _same_level(inner: ast.operator, outer: ast.operator) -> bool:
    additive = (ast.Add, ast.Sub)
    if isinstance(inner, additive) and isinstance(outer, additive):
        return True
    return isinstance(inner, ast.Mult) and isinstance(outer, ast.Mult)


_OPERATOR_SYMBOLS: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
}

_FORBIDDEN_HINTS: dict[type, str] = {
    ast.Lambda: "lambdas are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Subscript: "subscripts ([...]) are not part of the language",
    ast.List: "lists are not part of the language",
    ast.Tuple: "tuples are not part of the language",
    ast.Dict: "dicts are not part of the language",
    ast.Set: "sets are not part of the language",
    ast.Await: "await is not allowed",
    ast.Starred: "starred arguments are not allowed",
}


@dataclass(frozen=True)
class Symbols:
    """The names an expression may use, and where each lives at run time.

    ``state`` maps a state name (``ROK.polarization``) to its row in the state matrix,
    ``params`` a parameter name to its slot in the parameter list, and ``context`` a
    per-turn scalar (``turn``, ``year``, ``quarter``) to its slot in the context list.
    """

    state: Mapping[str, int]
    params: Mapping[str, int]
    context: Mapping[str, int]

    def all_names(self) -> list[str]:
        """Every name, for suggestions."""
        return [*self.state, *self.params, *self.context]


@dataclass
class Expression:
    """A checked, compiled expression.

    Attributes:
        source: the text as written.
        names: the state, parameter and context names it reads.
        constant: its value when it reads no names and draws no random numbers, else None.
        random: whether it draws random numbers.
    """

    source: str
    names: frozenset[str]
    constant: float | None
    random: bool
    code: str = field(repr=False)
    _fn: Callable[..., Any] = field(repr=False)

    def __call__(self, x: np.ndarray, p: list[Any], c: list[Any], r: Any) -> Any:
        """Evaluate over the state matrix ``x``, parameters ``p``, context ``c`` and draws ``r``."""
        return self._fn(x, p, c, r)

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled functions do not pickle; recompile from the checked tree's code instead.
        return (_rebuild, (self.source, self.names, self.constant, self.random, self.code))


def _rebuild(source: str, names: frozenset[str], constant: float | None, random: bool, code: str) -> Expression:
    return Expression(source, names, constant, random, code, _make_function(code))


def _make_function(code: str) -> Callable[..., Any]:
    namespace = dict(RUNTIME)
    # ``code`` was generated by _Compiler from a whitelisted tree, never copied from the file.
    exec(compile(f"def _f(x, p, c, r):\n    return {code}\n", "<expr>", "exec"), namespace)  # noqa: S102
    return namespace["_f"]


def _dotted_name(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _Compiler:
    def __init__(self, symbols: Symbols, site: str, text: str | None = None) -> None:
        self.symbols = symbols
        self.site = site
        self.text = text
        self.names: set[str] = set()
        self.random_calls = 0

    def fail(self, node: ast.AST, message: str) -> ExprError:
        return ExprError(message, getattr(node, "col_offset", 0))

    def _operator_column(self, node: ast.BinOp, symbol: str) -> int:
        """Column of a binary operator: the first occurrence of its symbol after the left operand."""
        start = getattr(node.left, "end_col_offset", None)
        if start is None or self.text is None:
            return node.col_offset
        found = self.text.find(symbol, start)
        return found if found >= 0 else node.col_offset

    def compile(self, node: ast.AST, depth: int = 0) -> tuple[str, float | None]:
        """Return (python code, constant value or None)."""
        if depth > MAX_DEPTH:
            raise self.fail(node, f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            hint = _FORBIDDEN_HINTS.get(type(node), f"'{type(node).__name__}' is not allowed")
            raise self.fail(node, hint)
        return method(node, depth + 1)

    def visit_Constant(self, node: ast.Constant, depth: int) -> tuple[str, float | None]:
        value = node.value
        if isinstance(value, bool):
            value = float(value)
        if not isinstance(value, int | float):
            kind = "strings" if isinstance(value, str) else f"{type(value).__name__} values"
            raise self.fail(node, f"{kind} are not allowed in expressions")
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value) or abs(value) > MAX_LITERAL:
            shown = repr(node.value)
            shown = shown if len(shown) <= 24 else f"{shown[:12]}...({len(shown)} characters)"
            raise self.fail(node, f"number {shown} is too large (limit {MAX_LITERAL:g})")
        return repr(value), value

    def _underscore_column(self, node: ast.AST) -> int:
        """Column of the first dotted part that starts with '_' (e.g. in ROK.__class__)."""
        column: int = getattr(node, "col_offset", 0)
        chain = []
        while isinstance(node, ast.Attribute):
            chain.append(node)
            node = node.value
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return node.col_offset
        for attribute in reversed(chain):
            if attribute.attr.startswith("_") and attribute.end_col_offset is not None:
                return attribute.end_col_offset - len(attribute.attr)
        return column

    def visit_Name(self, node: ast.Name, depth: int) -> tuple[str, float | None]:
        return self._name(node, node.id)

    def visit_Attribute(self, node: ast.Attribute, depth: int) -> tuple[str, float | None]:
        name = _dotted_name(node)
        if name is None:
            raise self.fail(node, "attribute access is only allowed on state names like ROK.approval")
        return self._name(node, name)

    def _name(self, node: ast.AST, name: str) -> tuple[str, float | None]:
        if any(part.startswith("_") for part in name.split(".")):
            raise ExprError(f"names starting with '_' are not allowed: '{name}'", self._underscore_column(node))
        symbols = self.symbols
        self.names.add(name)
        if name in symbols.state:
            return f"x[{symbols.state[name]}]", None
        if name in symbols.params:
            return f"p[{symbols.params[name]}]", None
        if name in symbols.context:
            return f"c[{symbols.context[name]}]", None
        if name in FUNCTIONS:
            raise self.fail(node, f"'{name}' is a function: call it as {name}(...)")
        raise self.fail(node, f"unknown name '{name}'{did_you_mean(name, symbols.all_names())}")

    def visit_UnaryOp(self, node: ast.UnaryOp, depth: int) -> tuple[str, float | None]:
        code, const = self.compile(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return f"(-{code})", None if const is None else -const
        if isinstance(node.op, ast.UAdd):
            return code, const
        if isinstance(node.op, ast.Not):
            return f"_not({code})", None if const is None else float(not const)
        raise self.fail(node, "operator '~' is not part of the language")

    def visit_BinOp(self, node: ast.BinOp, depth: int) -> tuple[str, float | None]:
        # A left-associative chain (a + b - c + ...) is one level deep, not one per term.
        chained = isinstance(node.left, ast.BinOp) and _same_level(node.left.op, node.op)
        left, lconst = self.compile(node.left, depth - 1 if chained else depth)
        right, rconst = self.compile(node.right, depth)
        if type(node.op) in _BINOPS:
            op = _BINOPS[type(node.op)]
            if chained and left.startswith("(") and left.endswith(")"):
                left = left[1:-1]  # keep the generated code flat, like the source
            value = None
            if lconst is not None and rconst is not None:
                value = {"+": lconst + rconst, "-": lconst - rconst, "*": lconst * rconst}[op]
                self._check_folded(node, value)
            return f"({left} {op} {right})", value
        if isinstance(node.op, ast.Div):
            value = None
            if lconst is not None and rconst is not None:
                value = 0.0 if rconst == 0 else lconst / rconst
                self._check_folded(node, value)
            return f"_div({left}, {right})", value
        if isinstance(node.op, ast.Pow):
            if rconst is not None and abs(rconst) > MAX_LITERAL_EXPONENT:
                raise self.fail(node.right, f"exponent {rconst:g} is too large (limit {MAX_LITERAL_EXPONENT:g})")
            value = None
            if lconst is not None and rconst is not None:
                try:
                    value = float(lconst**rconst)
                except (OverflowError, ZeroDivisionError, TypeError):
                    raise self.fail(node, "power is too large or undefined") from None
                self._check_folded(node, value)
            return f"_pow({left}, {right})", value
        symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
        raise ExprError(f"operator '{symbol}' is not part of the language", self._operator_column(node, symbol))

    def _check_folded(self, node: ast.AST, value: float) -> None:
        if not math.isfinite(value) or abs(value) > MAX_LITERAL:
            raise self.fail(node, "constant result is too large")

    def visit_BoolOp(self, node: ast.BoolOp, depth: int) -> tuple[str, float | None]:
        parts = [self.compile(value, depth) for value in node.values]
        func = "_and" if isinstance(node.op, ast.And) else "_or"
        value = None
        if all(const is not None for _, const in parts):
            consts = [bool(const) for _, const in parts]
            value = float(all(consts) if func == "_and" else any(consts))
        return f"{func}({', '.join(code for code, _ in parts)})", value

    def visit_Compare(self, node: ast.Compare, depth: int) -> tuple[str, float | None]:
        operands = [self.compile(node.left, depth)]
        for comparator in node.comparators:
            operands.append(self.compile(comparator, depth))
        pieces = []
        for i, op in enumerate(node.ops):
            if type(op) not in _CMPOPS:
                what = {ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}.get(type(op), "?")
                raise self.fail(node, f"comparison '{what}' is not part of the language")
            pieces.append(f"({operands[i][0]} {_CMPOPS[type(op)]} {operands[i + 1][0]})")
        code = f"_num{pieces[0]}" if len(pieces) == 1 else f"_and({', '.join(pieces)})"
        return code, None

    def visit_IfExp(self, node: ast.IfExp, depth: int) -> tuple[str, float | None]:
        test, _ = self.compile(node.test, depth)
        body, _ = self.compile(node.body, depth)
        orelse, _ = self.compile(node.orelse, depth)
        return f"_where(_truth({test}), {body}, {orelse})", None

    def visit_Call(self, node: ast.Call, depth: int) -> tuple[str, float | None]:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only the whitelisted functions can be called")
        name = node.func.id
        if name.startswith("_"):
            raise self.fail(node, f"names starting with '_' are not allowed: '{name}'")
        spec = FUNCTIONS.get(name)
        if spec is None:
            allowed = ", ".join(sorted(FUNCTIONS))
            hint = did_you_mean(name, FUNCTIONS)
            raise self.fail(node, f"unknown function '{name}'{hint}; allowed: {allowed}")
        if node.keywords:
            raise self.fail(node.keywords[0], f"{name}() takes no keyword arguments")
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            want = (
                str(spec.min_args)
                if spec.max_args == spec.min_args
                else f"at least {spec.min_args}"
                if spec.max_args is None
                else f"{spec.min_args} to {spec.max_args}"
            )
            noun = "argument" if want == "1" else "arguments"
            raise self.fail(node, f"{name}() takes {want} {noun}, got {count}")
        args = [self.compile(arg, depth) for arg in node.args]
        codes = [code for code, _ in args]
        if name in _RANDOM_FUNCTIONS:
            stream = stream_id(f"{self.site}#{self.random_calls}")
            self.random_calls += 1
            a, b = codes
            if name == "uniform":
                return f"({a} + ({b} - {a}) * r.uniform({stream}))", None
            return f"({a} + {b} * r.normal({stream}))", None
        return f"_{name}({', '.join(codes)})", None


def compile_expression(source: Any, symbols: Symbols, site: str = "") -> Expression:
    """Parse, check and compile an expression.

    Args:
        source: the expression text (numbers are accepted too).
        symbols: the names it may use.
        site: a stable label for where the expression sits (e.g. ``rule:summit/chance``),
            which names the random streams of ``uniform``/``normal`` calls.

    Raises:
        ExprError: with the column of the problem inside the text.
    """
    if isinstance(source, bool):
        source = "1" if source else "0"
    if isinstance(source, int | float):
        text = repr(float(source))
    elif isinstance(source, str):
        text = source
    else:
        raise ExprError(f"expected an expression (text or number), got {type(source).__name__}")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExprError(f"expression is too long ({len(text)} characters; limit {MAX_EXPRESSION_LENGTH})")
    stripped = text.strip()
    if not stripped:
        raise ExprError("empty expression")
    lead = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(stripped.replace("\n", " "), mode="eval")
    except SyntaxError as exc:
        if not exc.offset:  # Python reports no position when the text ends too early
            raise ExprError("syntax error: the expression ends too early", lead + len(stripped)) from None
        offset = exc.offset - 1 + lead
        raise ExprError(f"syntax error: {exc.msg}", offset) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expression is nested too deeply or is malformed", lead) from None
    compiler = _Compiler(symbols, site, stripped.replace("\n", " "))
    try:
        code, const = compiler.compile(tree.body)
    except ExprError as exc:
        exc.offset += lead
        raise
    except RecursionError:
        raise ExprError("expression is nested too deeply", lead) from None
    is_random = compiler.random_calls > 0
    return Expression(
        source=text,
        names=frozenset(compiler.names),
        constant=None if is_random else const,
        random=is_random,
        code=code,
        _fn=_make_function(code),
    )
