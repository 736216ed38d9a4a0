"""Hand-built decision contexts for strategy tests: no model, only what a strategy may see."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from agents.context import CONTEXT_PARTS, DecisionContext

CODE = "ROK"
STANCES = ("cooperative", "competitive", "domestic", "neutral")
OWN_VARIABLES = ("threat", "approval", "willingness", "transactionalism", "polarization", "hedging")


def frozen(values: np.ndarray | Sequence[float], dtype: type = np.float64) -> np.ndarray:
    """A read-only copy, as the government hands arrays to a strategy."""
    array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


def draws_from(table: np.ndarray | Sequence[Sequence[float]]) -> Callable[[int], np.ndarray]:
    """A ``draw(slot)`` that returns fixed draws: row ``slot`` of ``table`` (cards x worlds)."""
    fixed = np.asarray(table, dtype=np.float64)
    return lambda slot: fixed[slot].copy()


def seeded_draws(seed: int, worlds: int) -> Callable[[int], np.ndarray]:
    """A ``draw(slot)`` giving uniform draws that depend on ``seed`` and the slot only."""
    return lambda slot: np.random.default_rng([seed, slot]).random(worlds)


def no_draws(slot: int) -> np.ndarray:
    """A ``draw`` for strategies declared non-stochastic: drawing is a failure."""
    raise AssertionError(f"a strategy declared non-stochastic drew random numbers (slot {slot})")


def context(
    *,
    card_ids: Sequence[str],
    stances: Sequence[str],
    available: np.ndarray,
    costs: Sequence[float],
    state: Mapping[str, Sequence[float] | np.ndarray],
    tie_change: Sequence[float] | np.ndarray,
    objectives: tuple[tuple[str, float], ...] = (),
    values: np.ndarray | None = None,
    domestic: np.ndarray | None = None,
    reactions: np.ndarray | None = None,
    script: frozenset[str] = frozenset(),
    submitted: frozenset[str] = frozenset(),
    draw: Callable[[int], np.ndarray] | None = None,
    turn: int = 2,
) -> DecisionContext:
    """A decision context for government ``ROK`` from plain values (cards x worlds where it applies)."""
    worlds = np.shape(available)[1]
    shape = (len(card_ids), worlds)
    card_values = frozen(np.zeros(shape) if values is None else values)
    domestic_payoff = frozen(np.zeros(shape) if domestic is None else domestic)
    reaction_values = frozen(np.zeros(shape) if reactions is None else reactions)
    return DecisionContext(
        code=CODE,
        turn=turn,
        card_ids=tuple(card_ids),
        stances=tuple(stances),
        available=frozen(available, dtype=bool),
        costs=frozen(costs),
        state={name: frozen(v) for name, v in state.items()},
        tie_change=frozen(tie_change),
        objectives=objectives,
        script=script,
        submitted=submitted,
        draw=draw if draw is not None else draws_from(np.zeros((len(card_ids), worlds))),
        valuer=lambda: card_values,
        domestic_valuer=lambda: domestic_payoff,
        reactor=lambda: reaction_values,
    )


def random_context(seed: int, *, cards: int = 8, worlds: int = 24, draw_seed: int = 0) -> DecisionContext:
    """A random context; the same ``seed`` gives the same context, ``draw_seed`` picks the draws."""
    rng = np.random.default_rng(seed)
    ids = [f"card{i}" for i in range(cards)]
    state = {f"{CODE}.{var}": rng.random(worlds) for var in OWN_VARIABLES}
    state[f"{CODE}.capital"] = rng.uniform(0.0, 6.0, worlds)
    state["tie.ROK_JPN"] = rng.random(worlds)
    return context(
        card_ids=ids,
        stances=[STANCES[i] for i in rng.integers(0, len(STANCES), cards)],
        available=rng.random((cards, worlds)) < 0.8,
        costs=rng.choice([0.5, 1.0, 2.0, 3.0], cards),
        state=state,
        tie_change=rng.normal(0.0, 0.02, worlds),
        objectives=(("tie.ROK_JPN", 1.0),) if rng.random() < 0.7 else (),
        values=rng.normal(0.0, 0.05, (cards, worlds)),
        domestic=rng.normal(0.0, 0.2, (cards, worlds)),
        reactions=rng.normal(0.0, 0.02, (cards, worlds)),
        script=frozenset(rng.choice(ids, 3, replace=False)),
        submitted=frozenset(rng.choice(ids, 3, replace=False)),
        draw=seeded_draws(draw_seed, worlds),
    )


def vary(ctx: DecisionContext, part: str, seed: int) -> DecisionContext:
    """The same context with one part (see ``CONTEXT_PARTS``) changed and everything else kept."""
    assert part in CONTEXT_PARTS
    rng = np.random.default_rng(10_000 + seed)
    cards, worlds = ctx.available.shape
    capital = f"{CODE}.capital"
    if part == "stances":
        return replace(ctx, stances=tuple(STANCES[(STANCES.index(s) + 1) % len(STANCES)] for s in ctx.stances))
    if part == "costs":
        return replace(ctx, costs=frozen(rng.choice([0.5, 1.0, 2.0, 3.0], cards)))
    if part == "capital":
        return replace(ctx, state={**ctx.state, capital: frozen(rng.uniform(0.0, 6.0, worlds))})
    if part == "state":
        others = {name: frozen(rng.random(worlds)) for name in ctx.state if name != capital}
        return replace(ctx, state={**others, capital: ctx.state[capital]})
    if part == "tie_change":
        return replace(ctx, tie_change=frozen(-ctx.tie_change + rng.normal(0.0, 0.02, worlds)))
    if part == "objectives":
        return replace(ctx, objectives=() if ctx.objectives else (("tie.ROK_JPN", 1.0),))
    if part == "card_values":
        values = frozen(rng.normal(0.0, 0.05, (cards, worlds)))
        return replace(ctx, valuer=lambda: values)
    if part == "domestic_payoff":
        payoff = frozen(rng.normal(0.0, 0.2, (cards, worlds)))
        return replace(ctx, domestic_valuer=lambda: payoff)
    if part == "reactions":
        reactions = frozen(rng.normal(0.0, 0.02, (cards, worlds)))
        return replace(ctx, reactor=lambda: reactions)
    ids = list(ctx.card_ids)
    other = frozenset(rng.choice(ids, 3, replace=False))
    return replace(ctx, **{part: other})


def chosen_ids(choice: np.ndarray, ctx: DecisionContext) -> list[set[str]]:
    """The ids of the chosen cards, world by world."""
    choice = np.asarray(choice)
    return [{ctx.card_ids[i] for i in np.flatnonzero(choice[:, w])} for w in range(choice.shape[1])]


TABLE_CARDS = ("summit", "tariff", "rally", "study")
"""The four cards of the decision tables: one per stance, in this order."""


def table_context(
    *,
    tie_change: Sequence[float] = (0.01, -0.02, -0.005),
    objectives: tuple[tuple[str, float], ...] = (("tie.ROK_JPN", 1.0),),
    draw: Callable[[int], np.ndarray] | None = None,
    capital: Sequence[float] = (3.0, 2.0, 1.0),
) -> DecisionContext:
    """Three worlds, four cards (summit 2, tariff 1, rally 1, study 1 capital), fixed values.

    World 0: high threat, approval 0.6, capital 3. World 1: low threat, approval 0.2, capital 2,
    tariff unavailable. World 2: like world 0 but capital 1 and rally unavailable. The script
    lists summit and rally; the human team submitted tariff and study. Rally has a domestic
    payoff of 0.04 (approval) in every world; the partner's expected reaction adds 0.012 to
    tariff's value in worlds 0 and 1 and 0.025 in world 2. Draws are 0 unless ``draw`` is given.
    """
    return context(
        card_ids=TABLE_CARDS,
        stances=STANCES,
        available=np.array([[True, True, True], [True, False, True], [True, True, False], [True, True, True]]),
        costs=[2.0, 1.0, 1.0, 1.0],
        state={
            f"{CODE}.capital": list(capital),
            f"{CODE}.threat": [0.8, 0.1, 0.8],
            f"{CODE}.approval": [0.6, 0.2, 0.6],
            f"{CODE}.willingness": [0.6, 0.2, 0.6],
            f"{CODE}.transactionalism": [0.2, 0.9, 0.5],
        },
        tie_change=tie_change,
        objectives=objectives,
        values=np.array([[0.03, 0.0, 0.03], [-0.01, 0.02, -0.01], [0.004, 0.01, 0.004], [0.006, -0.01, 0.006]]),
        domestic=np.array([[0.0] * 3, [0.0] * 3, [0.04] * 3, [0.0] * 3]),
        reactions=np.array([[0.0] * 3, [0.012, 0.012, 0.025], [0.0] * 3, [0.0] * 3]),
        script=frozenset({"summit", "rally"}),
        submitted=frozenset({"tariff", "study"}),
        draw=draw,
    )
