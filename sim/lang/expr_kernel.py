"""A second back end for checked expressions: per-world scalar code for numba kernels.

The input is never scenario text. It is the numpy code that :mod:`sim.lang.expr`'s whitelisting
compiler generated from an already checked tree (``Expression.code``), which this module parses
again and accepts only in the exact shapes that compiler emits: numbers, ``x[i]``/``p[i]``/``c[i]``
with integer indices, ``+ - *``, comparisons, the runtime helpers of
:mod:`sim.lang.expr_runtime` and ``r.uniform(stream)``/``r.normal(stream)`` with an integer
stream. Anything else is refused with :class:`KernelError`. The scalar code it returns contains
only names this module emits, numbers and indices.

Each construct keeps the numpy path's semantics for one world, bit for bit: the same IEEE
operations in the same order (safe division, NaN-propagating ``min``/``max``/``clip``, NaN-false
truth values, round half to even). Like numpy, every operand is evaluated (expressions are pure);
choices are helper calls rather than branches, which keeps numba's compile time low. The
functions that are not a single IEEE operation (``exp``, ``log``, ``sigmoid``, ``**``) and
``normal`` draws are *hoisted*: the kernel reads their value from an array that the numpy
runtime (:mod:`sim.engine.mathlib` underneath) computes before the kernel runs, from the same
pre-group state, so the results are identical by construction whatever implementation the
runtime uses. (Shipped scenarios use one of them, once: ``exp`` in a chance of history-2013.)
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

KERNEL_NAMES = frozenset(
    {"x", "w", "ps", "pm", "cv", "hz", "keys", "rep", "_kdiv", "_kmin", "_kmax", "_ktruth", "_kfloor"}
    | {"_kceil", "_kround", "_kabs", "_ksqrt", "_kuni", "_kone", "_knot", "_kand", "_kor", "_kpick"}
)
"""Every name the generated scalar code may contain (tests check generated code against it)."""

_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_UNARY = {"_abs": "_kabs", "_sqrt": "_ksqrt", "_floor": "_kfloor", "_ceil": "_kceil", "_round": "_kround"}
_HOISTED = frozenset({"_exp", "_log", "_sigmoid", "_pow"})
_MAX_INDEX = 1 << 20


class KernelError(Exception):
    """Generated numpy code outside the shapes the expression compiler emits (a bug, never user input)."""


@dataclass
class Slots:
    """What a group of translated expressions reads besides the state matrix.

    Attributes:
        params: parameter indices (into the model's ``p`` list), in slot order (``pm[j]``).
        keys: random streams of ``uniform`` draws, in slot order (``keys[k]``).
        hoisted: numpy code of hoisted sub-expressions, in slot order (``hz[h]``).
    """

    params: list[int] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)
    hoisted: list[str] = field(default_factory=list)

    def slot(self, table: list, item: object) -> int:
        """The slot of ``item`` in ``table``, adding it if new."""
        if item not in table:
            table.append(item)
        return table.index(item)


def _index(node: ast.AST) -> int:
    if not (isinstance(node, ast.Constant) and type(node.value) is int and 0 <= node.value < _MAX_INDEX):
        raise KernelError("expected a small non-negative integer index")
    return node.value


def _number(node: ast.Constant) -> str:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise KernelError("expected a finite number")
    return repr(float(value))


class _Translator:
    def __init__(self, slots: Slots) -> None:
        self.slots = slots

    def float_(self, node: ast.AST) -> str:
        """Scalar code of a float-valued node."""
        kind, code = self.node(node)
        return code if kind == "f" else f"_kone({code})"

    def truth(self, node: ast.AST) -> str:
        """Scalar code of a node's truth value (non-zero and not NaN)."""
        kind, code = self.node(node)
        return code if kind == "b" else f"_ktruth({code})"

    def node(self, node: ast.AST) -> tuple[str, str]:
        """("f", code) for a float, ("b", code) for a boolean."""
        if isinstance(node, ast.Constant):
            return "f", _number(node)
        if isinstance(node, ast.Subscript):
            return "f", self.subscript(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return "f", f"(-{self.float_(node.operand)})"
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            return "f", f"({self.float_(node.left)} {_ARITH[type(node.op)]} {self.float_(node.right)})"
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            left, right = self.float_(node.left), self.float_(node.comparators[0])
            return "b", f"({left} {_COMPARE[type(node.ops[0])]} {right})"
        if isinstance(node, ast.Call) and not node.keywords:
            return self.call(node)
        raise KernelError(f"unexpected construct {type(node).__name__}")

    def subscript(self, node: ast.Subscript) -> str:
        if not isinstance(node.value, ast.Name):
            raise KernelError("unexpected subscript")
        index = _index(node.slice)
        name = node.value.id
        if name == "x":
            return f"x[{index}, w]"
        if name == "p":
            return f"pm[{self.slots.slot(self.slots.params, index)}, w * ps]"
        if name == "c":
            return f"cv[{index}]"
        raise KernelError("unexpected subscript")

    def call(self, node: ast.Call) -> tuple[str, str]:
        func = node.func
        if isinstance(func, ast.Attribute):
            return "f", self.draw(node, func)
        if not isinstance(func, ast.Name):
            raise KernelError("unexpected call")
        name, args = func.id, node.args
        if name in _HOISTED:
            return "f", self.hoist(node)
        if name == "_num" and len(args) == 1 and isinstance(args[0], ast.Compare):
            return "b", self.truth(args[0])
        if name == "_truth" and len(args) == 1:
            return "b", self.truth(args[0])
        if name == "_not" and len(args) == 1:
            return "b", f"_knot({self.truth(args[0])})"
        if name in ("_and", "_or") and args:
            code = self.truth(args[0])
            for arg in args[1:]:
                code = f"_k{name[1:]}({code}, {self.truth(arg)})"
            return "b", code
        if name == "_where" and len(args) == 3:
            test, body, orelse = (self.truth(args[0]), self.float_(args[1]), self.float_(args[2]))
            return "f", f"_kpick({test}, {body}, {orelse})"
        if name == "_div" and len(args) == 2:
            return "f", f"_kdiv({self.float_(args[0])}, {self.float_(args[1])})"
        if name in ("_min", "_max") and len(args) >= 2:
            code = self.float_(args[0])
            for arg in args[1:]:
                code = f"_k{name[1:]}({code}, {self.float_(arg)})"
            return "f", code
        if name == "_mean" and args:
            total = self.float_(args[0])
            for arg in args[1:]:
                total = f"({total} + {self.float_(arg)})"
            return "f", f"({total} / {float(len(args))!r})"
        if name == "_clip" and len(args) == 3:
            value, lo, hi = (self.float_(arg) for arg in args)
            return "f", f"_kmin(_kmax({value}, {lo}), {hi})"
        if name in _UNARY and len(args) == 1:
            return "f", f"{_UNARY[name]}({self.float_(args[0])})"
        raise KernelError(f"unexpected call to {name}")

    def draw(self, node: ast.Call, func: ast.Attribute) -> str:
        if not (isinstance(func.value, ast.Name) and func.value.id == "r" and len(node.args) == 1):
            raise KernelError("unexpected method call")
        stream = node.args[0]
        if not (isinstance(stream, ast.Constant) and type(stream.value) is int and 0 <= stream.value < 1 << 64):
            raise KernelError("a stream is a 64-bit integer")
        if func.attr == "uniform":
            return f"_kuni(keys[{self.slots.slot(self.slots.keys, stream.value)}], rep[w])"
        if func.attr == "normal":
            return self.hoist(node)
        raise KernelError("unexpected draw")

    def hoist(self, node: ast.Call) -> str:
        # Check the hoisted tree too: it may only hold what this translator accepts.
        for arg in node.args:
            _Translator(Slots()).float_(arg)
        return f"hz[{self.slots.slot(self.slots.hoisted, ast.unparse(node))}, w]"


def _parse(code: str) -> ast.AST:
    try:
        return ast.parse(code, mode="eval").body
    except SyntaxError as exc:  # pragma: no cover - generated code always parses
        raise KernelError("generated code does not parse") from exc


def translate(code: str, slots: Slots) -> str:
    """Scalar code (for world ``w``) of an expression's generated numpy code, as a float."""
    return _Translator(slots).float_(_parse(code))


def translate_truth(code: str, slots: Slots) -> str:
    """Scalar code (for world ``w``) of an expression's truth value, as a boolean."""
    return _Translator(slots).truth(_parse(code))
