"""Cards, rules and events in plain language: effects and conditions as sentences students can read.

Effects become sentences with a direction word and a size (``Strengthens the Seoul-Tokyo security
tie a little (+4)``); an effect computed from an expression is evaluated on the current state
where one is given, with what it grows with (``more when your approval is low``). Conditions are
phrased from the compiled expression's syntax tree (``Only while Seoul is governed by the
Progressives``). Text a scenario author gives as ``plain:`` replaces the generated text. Where the
generated text would be unreadable, :func:`unreadable` says so for the language validator.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.lang.compiled import Effect, Trigger
from sim.lang.expr import Expression
from sim.play.plain_names import ACTORS, CITIES, noun, points, size_word, verbs, when_high

MAX_NAMES = 3
"""The most state variables an effect's expression may read and still be phrased readably."""

MAX_NODES = 45
"""The most syntax-tree nodes an expression may have and still be phrased readably."""

_FLIP = {ast.Lt: ast.GtE, ast.LtE: ast.Gt, ast.Gt: ast.LtE, ast.GtE: ast.Lt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


@dataclass(frozen=True)
class Phrase:
    """Generated text and whether it reads well (False: the validator suggests a ``plain:`` text)."""

    text: str
    readable: bool = True


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tree(expression: Expression) -> ast.expr:
    """The syntax tree of an already checked expression (its text parsed again, never evaluated)."""
    return ast.parse(expression.source.strip().replace("\n", " "), mode="eval").body


def _nodes(tree: ast.AST) -> int:
    return sum(1 for _ in ast.walk(tree))


# ------------------------------------------------------------------------------------ effects


def _scale(scenario: Any, target: str) -> float:
    """The upper bound of a target's first row (1 for 0-1 variables, more for capital and counts)."""
    layout = scenario.layout
    return float(layout.hi[layout.rows[target]]) if target in layout.rows else 1.0


def _amount(change: float, scale: float) -> tuple[str, str]:
    """(size word, amount) of a change: points on the 0-100 scale for 0-1 variables, else the number."""
    if scale <= 1.0:
        return size_word(change), f"{points(change):+d}" if abs(points(change)) >= 1 else f"{change * 100:+.1f}"
    return ("slightly" if abs(change) < 1 else "clearly"), f"{change:+g}"


def _sentence(target: str, change: float, scale: float, viewer: str | None, now: bool = False) -> str:
    words = verbs(target, viewer)
    size, amount = _amount(change, scale)
    verb = words.up if change > 0 else words.down
    whole = words.name in verb or verb.endswith("at home")
    head = verb if whole else f"{verb} {words.name}"
    return _capital(f"{head} {size}{' now' if now else ''} ({amount})")


def _evaluate(expression: Expression, state: Any, x: np.ndarray | None = None) -> float | None:
    try:
        value = expression(state.x if x is None else x, state.p, state.context, state.draws)
        out = float(np.asarray(value, dtype=np.float64).reshape(-1)[0])
    except Exception:  # noqa: BLE001 - a description only; the engine decides at resolution
        return None
    return out if np.isfinite(out) else None


def _dependencies(expression: Expression, scenario: Any, state: Any, value: float, viewer: str | None) -> list[str]:
    """What the effect's size grows with, by nudging each state variable it reads (``more when ...``)."""
    layout = scenario.layout
    out = []
    for name in sorted(expression.names):
        row = layout.rows.get(name)
        if row is None:
            continue  # a parameter or the calendar: fixed during a turn
        lo, hi = float(layout.lo[row]), float(layout.hi[row])
        step = 0.1 if hi <= 1.0 else 1.0
        up, down = state.x.copy(), state.x.copy()
        up[row] = np.clip(up[row] + step, lo, hi)
        down[row] = np.clip(down[row] - step, lo, hi)
        high, low = _evaluate(expression, state, up), _evaluate(expression, state, down)
        if high is None or low is None or abs(high - low) < 1e-9:
            continue
        grows = (high - low) * (1.0 if value >= 0 else -1.0) > 0
        out.append(_grows_with(name, grows, scenario, viewer))
    return out


def _grows_with(name: str, grows: bool, scenario: Any, viewer: str | None) -> str:
    head, _, var = name.partition(".")
    if var == "camp" and head in scenario.camp_names:
        return f"more while {_governed(scenario, head, 1 if grows else 0)}"
    if head in ACTORS and var in scenario.layout.acts.get(head, ()):
        verb = "carries out" if grows else "does not carry out"
        return f"more in a turn when {ACTORS[head]} {verb} '{_trigger_title(scenario, var)}'"
    if head in ("fired", "played"):
        what = _trigger_title(scenario, var.split(".")[-1])
        return f"more after '{what}' has happened" if grows else f"more until '{what}' happens"
    return f"more when {when_high(name, grows, viewer)}"


def effect_text(effect: Effect, scenario: Any, viewer: str | None = None, state: Any = None) -> Phrase:
    """One effect as a sentence.

    Args:
        effect: the compiled effect.
        scenario: the compiled scenario (its layout, camps and triggers name things).
        viewer: the government whose team reads it (``your approval``), or None.
        state: the story model (``x``, ``p``, ``context``, ``draws``) to evaluate expressions on, or None.
    """
    target, value = effect.target, effect.value
    scale = _scale(scenario, target)
    readable = not unreadable(value)
    if effect.op == "set":
        shown = value.constant if value.constant is not None else (_evaluate(value, state) if state else None)
        if shown is None:
            return Phrase(_capital(f"resets {noun(target, viewer)}"), readable)
        amount = f"{points(shown)} of 100" if scale <= 1.0 else f"{shown:g}"
        return Phrase(_capital(f"sets {noun(target, viewer)} to {amount}"), readable)
    if value.constant is not None:
        if value.constant == 0:
            return Phrase(_capital(f"leaves {noun(target, viewer)} as it is"))
        return Phrase(_sentence(target, value.constant, scale, viewer))
    if value.random:
        return Phrase(_capital(f"moves {noun(target, viewer)} by a chance amount"), readable)
    now = _evaluate(value, state) if state is not None else None
    if now is None:
        return Phrase(_capital(f"changes {noun(target, viewer)} by an amount that depends on the situation"), False)
    depends = _dependencies(value, scenario, state, now, viewer)[:2]
    tail = f"; {' and '.join(depends)}" if depends else ""
    if abs(now) < 5e-4:
        could = f" (it can {' or '.join(d.removeprefix('more ') for d in depends)})" if depends else ""
        return Phrase(_capital(f"does not change {noun(target, viewer)} now{could}"), readable)
    return Phrase(_sentence(target, now, scale, viewer, now=bool(depends)) + tail, readable)


def effect_brief(effect: Effect, scenario: Any, viewer: str | None = None, state: Any = None) -> str:
    """One effect in a few words for a crowded card: ``+4 Seoul-Tokyo deterrence tie`` (``now`` if computed)."""
    target, value = effect.target, effect.value
    name = noun(target, viewer).removeprefix("the ").split(" (")[0]
    scale = _scale(scenario, target)
    shown = value.constant
    if shown is None and state is not None and not value.random:
        shown = _evaluate(value, state)
    if shown is None:
        return f"\u00b1 {name}"
    if effect.op == "set":
        return f"= {points(shown) if scale <= 1.0 else f'{shown:g}'} {name}"
    amount = _amount(shown, scale)[1]
    return f"{amount} {name}{' now' if value.constant is None else ''}"


def briefs_text(trigger: Trigger, scenario: Any, viewer: str | None = None, state: Any = None) -> list[str]:
    """A trigger's effects in a few words each (:func:`effect_brief`); the author's ``plain:`` text when given."""
    given = plain_of(trigger, "effects")
    if given:
        return [given]
    return [effect_brief(effect, scenario, viewer, state) for effect in trigger.effects]


def unreadable(expression: Expression) -> bool:
    """Whether generated text for this expression would be hard to read (too many variables or too long)."""
    if expression.constant is not None:
        return False
    state_names = [n for n in expression.names if "." in n]
    return len(state_names) > MAX_NAMES or _nodes(_tree(expression)) > MAX_NODES


# ------------------------------------------------------------------------------------ conditions


def _governed(scenario: Any, gov: str, index: int) -> str:
    names = scenario.camp_names[gov]
    name = names[min(len(names) - 1, max(0, index))]
    profile = scenario.spec.governments[gov].camps.get(name)
    label = (profile.label if profile is not None else "") or name.replace("_", " ")
    article = "the " if label.split(" (")[0].endswith("s") else ""
    return f"{CITIES.get(gov, gov)} is governed by {article}{label}"


def _trigger_title(scenario: Any, ident: str) -> str:
    for trigger in _all_triggers(scenario):
        if trigger.id == ident:
            return trigger.title
    return ident.replace("_", " ")


def _all_triggers(scenario: Any) -> Iterator[Trigger]:
    for rules in scenario.rules.values():
        yield from rules
    yield from scenario.events
    for acts in scenario.acts.values():
        yield from acts
    for cards in scenario.actions.values():
        yield from cards


class _Conditions:
    """Phrases a condition's syntax tree; records whether every part could be phrased."""

    def __init__(self, scenario: Any, viewer: str | None) -> None:
        self.scenario = scenario
        self.viewer = viewer
        self.readable = True

    def unknown(self) -> str:
        self.readable = False
        return "when the scenario's conditions for it are met"

    def phrase(self, node: ast.expr, negate: bool = False) -> str:
        if isinstance(node, ast.BoolOp):
            conjunction = isinstance(node.op, ast.And) != negate
            merged = None if negate or conjunction else self.acts_either(node.values)
            if merged is not None:
                return merged
            parts = [self.phrase(value, negate) for value in node.values]
            if conjunction:
                nested = [isinstance(v, ast.BoolOp) and isinstance(v.op, ast.Or) != negate for v in node.values]
                parts = [
                    f"either {p}" if inner and not p.startswith("in a turn when") else p
                    for p, inner in zip(parts, nested, strict=True)
                ]
                return ", and ".join(parts) if any(nested) else " and ".join(parts)
            return " or ".join(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.phrase(node.operand, not negate)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _FLIP:
            op = _FLIP[type(node.ops[0])]() if negate else node.ops[0]
            return self.compare(node.left, op, node.comparators[0])
        if isinstance(node, ast.Constant):
            return "always" if bool(node.value) != negate else "never"
        if _name(node) is not None:
            return self.compare(node, ast.LtE() if negate else ast.Gt(), ast.Constant(0))
        return self.unknown()

    def acts_either(self, values: list[ast.expr]) -> str | None:
        """``in a turn when North Korea carries out 'A' or 'B'`` for an ``or`` of one actor's acts."""
        names = [_name(value) for value in values]
        actors = {name.partition(".")[0] for name in names if name is not None}
        if None in names or len(actors) != 1:
            return None
        actor = actors.pop()
        acts = self.scenario.layout.acts.get(actor, ())
        ids = [str(name).partition(".")[2] for name in names]
        if actor not in ACTORS or not all(ident in acts for ident in ids):
            return None
        titles = " or ".join(f"'{_trigger_title(self.scenario, ident)}'" for ident in ids)
        return f"in a turn when {ACTORS[actor]} carries out {titles}"

    def compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> str:
        name, number = _name(left), _number(right)
        if name is None or number is None:
            name, number = _name(right), _number(left)
            if name is None or number is None:
                return self.aggregate(left, op, right)
            op = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE}.get(type(op), type(op))()
        return self.named(name, op, number)

    def aggregate(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> str:
        """``while the weakest of the three exercises ties is above 70`` (min, max or mean of ties)."""
        number = _number(right)
        if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add) and number is not None:
            return self.total(left, op, number)
        if not isinstance(left, ast.Call) or not isinstance(left.func, ast.Name) or number is None:
            return self.unknown()
        names = [_name(arg) for arg in left.args]
        domains = {str(n).split(".")[-1] for n in names if n is not None and n.startswith("tie.") and n.count(".") == 2}
        which = {"min": "the weakest", "max": "the strongest", "mean": "the average"}.get(left.func.id)
        if None in names or len(domains) != 1 or which is None or type(op) not in _OP_WORDS:
            return self.unknown()
        domain = domains.pop().replace("_", " ")
        return f"while {which} of the {domain} ties is {_OP_WORDS[type(op)]} {points(number)}"

    def total(self, left: ast.BinOp, op: ast.cmpop, number: float) -> str:
        """``while Seoul's hedging and Tokyo's hedging together are above 60`` (a sum of 0-1 variables)."""
        names = [_name(left.left), _name(left.right)]
        layout = self.scenario.layout
        if None in names or type(op) not in _OP_WORDS or not all(n in layout.rows for n in names):
            return self.unknown()
        if any(layout.hi[layout.rows[str(n)]] > 1 for n in names):
            return self.unknown()
        nouns = " and ".join(noun(str(n), self.viewer) for n in names)
        return f"while {nouns} together are {_OP_WORDS[type(op)]} {points(number)}"

    def named(self, name: str, op: ast.cmpop, number: float) -> str:  # noqa: C901 - one case per kind of name
        scenario = self.scenario
        head, _, rest = name.partition(".")
        holds_at_one = _holds(op, number, 1.0)
        holds_at_zero = _holds(op, number, 0.0)
        if rest == "camp" and head in scenario.camp_names:
            if holds_at_one != holds_at_zero:
                return f"while {_governed(scenario, head, 1 if holds_at_one else 0)}"
        if name == "turn":
            return _turn_phrase(scenario, op, number)
        if name == "quarter":
            quarters = [_ORDINAL[q] for q in range(1, 5) if _holds(op, number, float(q))]
            return f"in the {' or '.join(quarters)} quarter of a year" if quarters else "never"
        if name == "year":
            return _year_phrase(op, number)
        if rest == "turnover" and head in CITIES and holds_at_one != holds_at_zero:
            return f"in a turn when {CITIES[head]}'s leadership {'changes' if holds_at_one else 'stays'}"
        if head in ("fired", "played"):
            what = _trigger_title(scenario, rest.split(".")[-1])
            if isinstance(op, ast.GtE | ast.Gt) and number >= 1:
                times = int(number) + (1 if isinstance(op, ast.Gt) else 0)
                return f"after '{what}' has happened at least {times} times"
            if holds_at_one and not holds_at_zero:
                return f"after '{what}' has happened"
            if holds_at_zero and not holds_at_one:
                return f"as long as '{what}' has not happened"
        if head in ACTORS and rest in scenario.layout.acts.get(head, ()):
            act = _trigger_title(scenario, rest)
            if holds_at_one and not holds_at_zero:
                return f"in a turn when {ACTORS[head]} carries out '{act}'"
            if holds_at_zero and not holds_at_one:
                return f"in a turn when {ACTORS[head]} does not carry out '{act}'"
        if name in scenario.spec.series and holds_at_one and not holds_at_zero:
            doc = scenario.spec.series[name].doc
            return f"in a quarter the historical record marks ({doc})" if doc else "in a quarter the record marks"
        if name in scenario.layout.rows and type(op) in _OP_WORDS:
            shown = f"{points(number)}" if scenario.layout.hi[scenario.layout.rows[name]] <= 1 else f"{number:g}"
            what = noun(name, self.viewer)
            if what.startswith("all ") and what.endswith(" ties"):
                what = f"the overall {what[4:-1]}"
            return f"while {what} is {_OP_WORDS[type(op)]} {shown}"
        return self.unknown()


_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth"}
_OP_WORDS: dict[type, str] = {
    ast.Gt: "above",
    ast.GtE: "at least",
    ast.Lt: "below",
    ast.LtE: "at most",
    ast.Eq: "exactly",
    ast.NotEq: "not",
}


def _holds(op: ast.cmpop, number: float, value: float) -> bool:
    checks = {
        ast.Gt: value > number,
        ast.GtE: value >= number,
        ast.Lt: value < number,
        ast.LtE: value <= number,
        ast.Eq: value == number,
        ast.NotEq: value != number,
    }
    return checks.get(type(op), False)


def _year_phrase(op: ast.cmpop, number: float) -> str:
    year = int(number)
    words = {ast.Eq: f"in {year}", ast.NotEq: f"outside {year}", ast.Gt: f"after {year}", ast.GtE: f"from {year} on"}
    return words.get(type(op), f"before {year}" if isinstance(op, ast.Lt) else f"up to {year}")


def _turn_phrase(scenario: Any, op: ast.cmpop, number: float) -> str:
    turn = int(number)
    first = {ast.Gt: turn + 1, ast.GtE: turn}.get(type(op))
    last = {ast.Lt: turn - 1, ast.LtE: turn}.get(type(op))
    if first is not None:
        return f"from turn {first} ({scenario.quarter_label(first)}) on" if first >= 1 else "always"
    if last is not None:
        return f"up to turn {last} ({scenario.quarter_label(last)})" if last >= 1 else "never"
    if isinstance(op, ast.Eq) and turn >= 1:
        return f"in turn {turn} ({scenario.quarter_label(turn)})"
    return f"except in turn {turn}"


def _name(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    return None


def condition_text(expression: Expression, scenario: Any, viewer: str | None = None) -> Phrase:
    """A condition as a sentence (``Only while Seoul is governed by the Progressives``)."""
    phrases = _Conditions(scenario, viewer)
    clause = phrases.phrase(_tree(expression))
    if _nodes(_tree(expression)) > MAX_NODES:
        phrases.readable = False
    text = _capital(clause) if clause in ("always", "never") else _capital(f"only {clause}")
    return Phrase(text, phrases.readable)


# ------------------------------------------------------------------------------------ triggers


def plain_of(trigger: Trigger, part: str = "effects") -> str:
    """The author's ``plain:`` text for a trigger's ``effects`` or ``when`` (``""`` if none given)."""
    plain = getattr(trigger, "plain", None)
    if plain is None:
        return ""
    return str(getattr(plain, part, "") or "")


def effects_text(trigger: Trigger, scenario: Any, viewer: str | None = None, state: Any = None) -> list[str]:
    """A trigger's effects as sentences; the author's ``plain:`` text instead, when given."""
    given = plain_of(trigger, "effects")
    if given:
        return [given]
    return [effect_text(effect, scenario, viewer, state).text for effect in trigger.effects]


def when_text(trigger: Trigger, scenario: Any, viewer: str | None = None) -> str:
    """A trigger's condition as a sentence (``""`` if it has none); the author's ``plain:`` text when given."""
    if trigger.when is None:
        return ""
    return plain_of(trigger, "when") or condition_text(trigger.when, scenario, viewer).text
