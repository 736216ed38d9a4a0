"""Compiling one file's expressions and effects against its state layout and symbol table.

A :class:`Compiler` is built with everything it needs (the file's :class:`Diagnostics`, the
:class:`~sim.engine.layout.Layout` and the :class:`~sim.lang.expr.Symbols`); it compiles
expressions, starting values and effects, and records each problem at its place in the file.
The section builders (:mod:`sim.lang.build_state`, :mod:`sim.lang.build_triggers`) and the
raw-expression scan use it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

from sim.engine.layout import GOVERNMENTS, Layout
from sim.engine.limits import MAX_EXPRESSION_NODES, MAX_SCENARIO_NODES
from sim.engine.rng import stream_id
from sim.errors import did_you_mean
from sim.lang import schema
from sim.lang.compiled import Effect, PlainWords
from sim.lang.diagnostics import Diagnostics
from sim.lang.expr import MAX_EXPRESSION_LENGTH, ExprError, Expression, Symbols, compile_expression

CONTEXT_NAMES = ("turn", "year", "quarter")
"""Names of the turn context an expression may read."""

TriggerSpec = schema.RuleSpec | schema.EventSpec | schema.ThreatAct | schema.ActionSpec
"""A rule, event, threat act or action card as written in the file."""


def make_layout(
    spec: schema.ScenarioSpec,
) -> Layout:
    """The state layout of a validated scenario (its domains, acts, counters and cards)."""
    act_ids = {str(a): tuple(x.id for x in t.acts if not x.disabled) for a, t in spec.threats.items()}
    counters = tuple(r.id for r in spec.rules if not r.disabled) + tuple(e.id for e in spec.events if not e.disabled)
    domains = {name: d.weight for name, d in spec.domains.items()}
    cards = tuple(f"{gov}.{card.id}" for gov, items in spec.actions.items() for card in items if not card.disabled)
    governments = {str(gov): g for gov, g in spec.governments.items()}
    leaders = {
        gov: len(governments[gov].leaders) for gov in GOVERNMENTS if gov in governments and governments[gov].leaders
    }
    return Layout.build(domains, act_ids, counters, cards, leaders)


def make_symbols(layout: Layout, parameters: Iterable[str], series: Iterable[str] = ()) -> Symbols:
    """The names expressions may read: state rows, parameters (in order) and the turn context.

    The turn context is ``turn``, ``year``, ``quarter`` and then each series (``series:``) in
    file order: a series is a number per turn, the same in every world.
    """
    return Symbols(
        state=dict(layout.rows),
        params={name: i for i, name in enumerate(parameters)},
        context={name: i for i, name in enumerate((*CONTEXT_NAMES, *series))},
    )


def trigger_site(kind: str, ident: str, owner: str = "") -> str:
    """The site of a trigger, its label (``act:DPRK.id``): random streams are derived from it."""
    return f"{kind}:{owner}.{ident}" if owner else f"{kind}:{ident}"


def expression_nodes(source: Any) -> int:
    """Nodes of an expression's graph: its operands, operators and calls (a number is one node).

    Counted on the parsed text before it is compiled, so an oversized graph costs no compiling;
    text that does not parse (or is too long) counts as one node, and the compiler reports it.
    """
    if not isinstance(source, str) or len(source) > MAX_EXPRESSION_LENGTH:
        return 1
    try:
        tree = ast.parse(source.strip().replace("\n", " "), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 1
    return sum(isinstance(node, ast.expr) for node in ast.walk(tree))


class Compiler:
    """Compiles expressions and effects of one file, recording located problems.

    It also keeps the scenario's expression graph bounded: one expression may have at most
    ``MAX_EXPRESSION_NODES`` nodes, all of them together at most ``MAX_SCENARIO_NODES`` (YAML
    aliases can repeat one expression at many sites); past that, nothing more is compiled.

    Args:
        diagnostics: where problems go (and the tree their positions are looked up in).
        layout: the state layout (effect targets and their rows).
        symbols: the names expressions may read.
    """

    def __init__(self, diagnostics: Diagnostics, layout: Layout, symbols: Symbols) -> None:
        self.diagnostics = diagnostics
        self.layout = layout
        self.symbols = symbols
        self.nodes = 0
        """Nodes of every expression compiled so far."""

    def expr(self, source: Any, loc: tuple[Any, ...], site: str) -> Expression | None:
        """The compiled expression at ``loc`` (None, with a problem recorded, if it is wrong)."""
        if self.nodes > MAX_SCENARIO_NODES:
            return None  # reported once, where the budget ran out
        nodes = expression_nodes(source)
        if nodes > MAX_EXPRESSION_NODES:
            message = f"expression has {nodes:,} nodes once compiled; at most {MAX_EXPRESSION_NODES:,} are allowed"
            self.diagnostics.at(loc, message, "limit")
            return None
        self.nodes += nodes
        if self.nodes > MAX_SCENARIO_NODES:
            self.diagnostics.at(  # at the key: the site itself, not the anchor an alias points to
                loc,
                f"the scenario's expressions have more than {MAX_SCENARIO_NODES:,} nodes in all once compiled "
                f"(this one brings them to {self.nodes:,}; at most {MAX_SCENARIO_NODES:,} are allowed): "
                "use fewer or shorter expressions (a YAML alias repeats its expression at every use)",
                "limit",
                key=True,
            )
            return None
        try:
            return compile_expression(source, self.symbols, site)
        except ExprError as exc:
            self.diagnostics.expression_error(loc, exc)
            return None

    def param_expr(self, source: Any, loc: tuple[Any, ...], site: str) -> Expression | None:
        """An expression evaluated once at the start: it may use parameters only."""
        compiled = self.expr(source, loc, site)
        if compiled is None:
            return None
        other = sorted(compiled.names - set(self.symbols.params))
        if other or compiled.random:
            what = ", ".join(other) if other else "random functions"
            text = compiled.source
            offset = max(text.find(other[0]) if other else text.find("uniform" if "uniform" in text else "normal"), 0)
            self.diagnostics.expression(loc, f"starting values may use parameters only, not {what}", offset)
            return None
        return compiled

    def unit_expr(self, source: Any, loc: tuple[Any, ...], site: str) -> Expression | None:
        """A starting value in [0, 1] (a leadership trait)."""
        compiled = self.param_expr(source, loc, site)
        if compiled is not None and compiled.constant is not None and not 0 <= compiled.constant <= 1:
            name = ".".join(str(p) for p in loc)
            self.diagnostics.at(loc, f"{name} must be in [0, 1], got {compiled.constant:g}", "range")
        return compiled

    def bounded_expr(self, source: Any, rows: slice, loc: tuple[Any, ...]) -> Expression | None:
        """A starting value of state ``rows``: parameters only, a constant within the rows' bounds."""
        compiled = self.param_expr(source, loc, "initial")
        if compiled is None:
            return None
        lo, hi = self.layout.lo[rows.start], self.layout.hi[rows.start]
        if compiled.constant is not None and not lo <= compiled.constant <= hi:
            name = ".".join(str(p) for p in loc)
            self.diagnostics.at(loc, f"{name} must be in [{lo:g}, {hi:g}], got {compiled.constant:g}", "range")
        return compiled

    def severity(self, source: Any, loc: tuple[Any, ...], site: str) -> Expression | None:
        """An act's severity: a number in [0, 1], or an expression (clipped to [0, 1] each turn)."""
        compiled = self.expr(source, loc, site)
        if compiled is not None and compiled.constant is not None and not 0.0 <= compiled.constant <= 1.0:
            bound = "less than or equal to 1" if compiled.constant > 1 else "greater than or equal to 0"
            where = self.diagnostics.where(loc)
            self.diagnostics.at(loc, f"{where}: should be {bound}, got {compiled.constant:g}", "range")
        return compiled

    def chance(self, source: Any, loc: tuple[Any, ...], site: str) -> Expression | None:
        """A chance expression; a constant one must be a probability."""
        compiled = self.expr(source, loc, site)
        if compiled is not None and compiled.constant is not None and not 0.0 <= compiled.constant <= 1.0:
            self.diagnostics.at(loc, f"chance must be a probability in [0, 1], got {compiled.constant:g}", "range")
        return compiled

    def effects(self, effects: Mapping[str, Any], loc: tuple[Any, ...], site: str) -> tuple[Effect, ...]:
        """The compiled effects at ``loc`` (``target: value``, ``{add: value}`` or ``{set: value}``)."""
        out = []
        layout = self.layout
        for target, value in effects.items():
            if target not in layout.writable:
                why = (
                    "is computed by the model and cannot be changed"
                    if target in layout.rows
                    else "is not a state variable"
                )
                message = f"effect target '{target}' {why}{did_you_mean(target, layout.targets())}"
                self.diagnostics.at((*loc, target), message, "target", key=True)
                continue
            op, source, vloc = "add", value, (*loc, target)
            if isinstance(value, dict):
                if len(value) != 1:
                    message = f"effect on '{target}' must be a value, {{add: value}} or {{set: value}}"
                    self.diagnostics.at((*loc, target), message, "effect")
                    continue
                op, source = next(iter(value.items()))
                vloc = (*loc, target, op)
            compiled = self.expr(source, vloc, f"{site}/{target}")
            if compiled is not None:
                out.append(Effect(target, layout.target_rows(target), op, compiled))
        return tuple(out)

    def trigger_fields(self, kind: str, item: TriggerSpec, loc: tuple[Any, ...], owner: str = "") -> dict[str, Any]:
        """The fields every compiled trigger has (id, title, condition, chance, effects, text, stream)."""
        site = trigger_site(kind, item.id, owner)
        when = getattr(item, "when", None)
        chance = getattr(item, "chance", None)
        compiled_chance = None if chance is None else self.chance(chance, (*loc, "chance"), f"{site}/chance")
        return {
            "id": item.id,
            "title": item.title or item.id.replace("_", " "),
            "when": None if when is None else self.expr(when, (*loc, "when"), f"{site}/when"),
            "chance": compiled_chance,
            "effects": self.effects(item.effects, (*loc, "effects"), site),
            "say": item.say,
            "source": item.source,
            "stream": stream_id(site),
            "plain": _plain(getattr(item, "plain", None)),
        }


def _plain(given: str | schema.PlainText | None) -> PlainWords | None:
    """An author's ``plain:`` text as :class:`~sim.lang.compiled.PlainWords` (a bare string is the effects)."""
    if given is None:
        return None
    if isinstance(given, schema.PlainText):
        return PlainWords(effects=given.effects, when=given.when)
    return PlainWords(effects=given)
