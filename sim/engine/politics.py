"""Domestic politics and public opinion, second generation (issue 10).

History as domestic politics, the out-party's mobilization, polarization as a dynamic variable
and each public's view of its partners. Pure functions of the model's state, called by
:class:`agents.domestic.DomesticPolitics` (domestic phase) and by the cooperation dynamics (the
camp-dependent polarization penalty). The equations and their sources are in docs/model.md
(section 3.3, "Second generation"); every mechanism has one switch coefficient in
``scenarios/defaults.yaml`` (0 turns it off).

Sources: Draudt-Véjares's related work as summarised in ``essay-briefs.md`` (not her essay):
history grievances are mobilized by the camp in opposition, policy toward Japan swings with a
change of government, and polarization sharpens the divide; Chung (essay): the Democratic
Party's elite sees Japan differently from the South Korean public, which separates history from
strategic cooperation, and shared threat shapes how South Koreans perceive Japan (Chung, citing
Jeong 2023).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine import kernels
from sim.engine.layout import GOVERNMENTS, PAIR_MEMBERS, PAIRS, PROFILE_TRAITS

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.lang.scenario import Trigger

HISTORY_GOVERNMENTS: tuple[str, ...] = PAIR_MEMBERS["ROK_JPN"]
"""The governments whose domestic politics turns on Seoul-Tokyo history."""

HISTORY_SALIENCE_ROWS: tuple[str, ...] = tuple(f"{gov}.history_salience" for gov in HISTORY_GOVERNMENTS)
HISTORY_DOMAIN = "tie.ROK_JPN.history"
"""A card's history signal reads its effects on these rows (salience up, the history domain down)."""

POLARIZED_PAIR = "ROK_JPN"
POLARIZED_GOVERNMENT = "ROK"
"""The polarization penalty acts on the ROK-Japan tie, through South Korean polarization."""

_STANCE = PROFILE_TRAITS.index("history_stance")

COEFFICIENTS: tuple[str, ...] = (
    "history_politics",
    "history_pivot",
    "history_outflank",
    "out_party_mobilization",
    "mobilization_polarization",
    "salience_polarization",
    "threat_convergence",
    "polarization_noise",
    "election_polarization",
    "polarization_camp_gain",
    "elite_gap_cost",
    "view_rate",
    "view_history_loss",
    "view_threat_gain",
    "view_tie_gain",
    "support_view_gain",
)
"""The parameters this module reads (declared in ``scenarios/defaults.yaml``)."""


def partners(gov: str) -> tuple[str, ...]:
    """The two other governments, in ``GOVERNMENTS`` order."""
    return tuple(g for g in GOVERNMENTS if g != gov)


def view_name(gov: str, partner: str) -> str:
    """The state variable of ``gov``'s public's favourable view of ``partner`` (``ROK.view.JPN``)."""
    return f"{gov}.view.{partner}"


def pair_of(a: str, b: str) -> str:
    """The pair code of two governments (``pair_of("JPN", "ROK") == "ROK_JPN"``)."""
    for pair in PAIRS:
        if set(PAIR_MEMBERS[pair]) == {a, b}:
            return pair
    raise KeyError(f"no pair of {a} and {b}")


def _row(model: TrilateralModel, name: str) -> np.ndarray:
    return model.x[model.scenario.layout.rows[name]]


def _start(model: TrilateralModel, name: str) -> np.ndarray:
    return model.start_state[model.scenario.layout.rows[name]]


# ------------------------------------------------------------------------------ camps and mobilization


def _two_camp_kernels(model: TrilateralModel, gov: str) -> Any:
    """The compiled kernels where they apply (the compiled engine, a government of two camps), else None.

    They give the numpy code's bits (:mod:`sim.engine.kernels.domestic`, tests/sim/engine/
    test_compiled_domestic.py).
    """
    if getattr(model, "engine", "numpy") != "compiled" or len(model.profiles[gov]) != 2:
        return None
    return kernels.load()


def out_stance(model: TrilateralModel, gov: str) -> np.ndarray:
    """History stance of the camp out of power, per world (a one-camp government: its own camp's)."""
    fast = _two_camp_kernels(model, gov)
    if fast is not None:
        out = np.empty(model.replications)
        fast.out_stance_two(model.profiles[gov], _STANCE, model.applied_camp[gov], out)
        return out
    table = model.profiles[gov][:, _STANCE]
    # The same selection as np.choose(1 - camp, table), several times faster for large ensembles.
    camp = model.applied_camp[gov]
    if len(table) == 2:
        return np.where(camp == 1, table[0], table[1])
    return np.take_along_axis(table, (1 - camp)[None, :], axis=0)[0]


def mobilization(model: TrilateralModel, gov: str) -> np.ndarray:
    """How hard the out-party mobilizes history against the government, 0-1 per world.

    ``polarization * max(out-party stance - government stance, 0)``: a camp out of power that is
    more history-minded than the government attacks it as soft on the partner, the more so the
    more polarized the country. Zero outside Seoul and Tokyo.
    """
    if gov not in HISTORY_GOVERNMENTS:
        return np.zeros(model.replications)
    fast = _two_camp_kernels(model, gov)
    if fast is not None:
        out = np.empty(model.replications)
        rows = model.scenario.layout.rows
        polarization, stance = rows[f"{gov}.polarization"], rows[f"{gov}.history_stance"]
        fast.mobilization_two(model.x, polarization, stance, model.profiles[gov], _STANCE, model.applied_camp[gov], out)
        return out
    gap = np.maximum(out_stance(model, gov) - _row(model, f"{gov}.history_stance"), 0.0)
    return _row(model, f"{gov}.polarization") * gap


def polarization_weight(model: TrilateralModel) -> np.ndarray:
    """Multiplier of the polarization penalty on the ROK-Japan tie, per world (1 when switched off).

    ``max(1 + polarization_camp_gain * (stance in power - stance out of power), 0)`` for South
    Korea: polarization hurts the tie more when the more history-minded camp governs (it turns
    the divide into policy toward Japan) and less when the more pragmatic camp does.
    """
    gov = POLARIZED_GOVERNMENT
    gain = model.params["polarization_camp_gain"]
    fast = _two_camp_kernels(model, gov)
    if fast is not None and np.ndim(gain) == 0:
        out = np.empty(model.replications)
        stance = model.scenario.layout.rows[f"{gov}.history_stance"]
        fast.polarization_weight_two(
            model.x, stance, model.profiles[gov], _STANCE, model.applied_camp[gov], float(gain), out
        )
        return out
    gap = _row(model, f"{gov}.history_stance") - out_stance(model, gov)
    return np.maximum(1.0 + model.params["polarization_camp_gain"] * gap, 0.0)


# ------------------------------------------------------------------------------ history moves


def history_sign(target: str) -> float:
    """How an effect on ``target`` counts in a card's history signal: +1 a salience, -1 the history domain, else 0."""
    if target in HISTORY_SALIENCE_ROWS:
        return 1.0
    return -1.0 if target == HISTORY_DOMAIN else 0.0


def history_signal(model: TrilateralModel, card: Trigger) -> np.ndarray:
    """How much a card is a grievance move (> 0) or a reconciliation move (< 0), per world.

    The sum of the card's changes to the two history saliences minus its change to the
    ROK-Japan history domain, with its effect values evaluated in the current state (as the
    card would apply them now; a ``set`` counts as the change it would make). Effects on a whole
    pair tie are not history moves. Non-finite values count as 0.
    """
    x, p, c, draws = model.x, model.p, model.context, model.draws
    rows = model.scenario.layout.rows
    signal = np.zeros(model.replications)
    for effect in card.effects:
        sign = history_sign(effect.target)
        if not sign:
            continue
        value = np.asarray(effect.value(x, p, c, draws), dtype=np.float64)
        delta = value - x[rows[effect.target]] if effect.op == "set" else value
        signal = signal + sign * np.where(np.isfinite(delta), delta, 0.0)  # np.nan_to_num's numbers, quicker
    return signal


def history_lean(model: TrilateralModel, gov: str) -> np.ndarray:
    """How much the government's public rewards grievance moves, per world (< 0: it rewards reconciliation).

    ``history_stance - history_pivot + history_outflank * mobilization``: the base of the camp
    in power, plus the pressure of an out-party that mobilizes history.
    """
    P = model.params
    pivot, outflank = P["history_pivot"], P["history_outflank"]
    fast = _two_camp_kernels(model, gov) if gov in HISTORY_GOVERNMENTS else None
    if fast is not None and np.ndim(pivot) == 0 and np.ndim(outflank) == 0:
        out = np.empty(model.replications)
        rows = model.scenario.layout.rows
        polarization, stance = rows[f"{gov}.polarization"], rows[f"{gov}.history_stance"]
        profiles, camp = model.profiles[gov], model.applied_camp[gov]
        fast.history_lean_two(
            model.x, polarization, stance, profiles, _STANCE, camp, float(pivot), float(outflank), out
        )
        return out
    return _row(model, f"{gov}.history_stance") - pivot + outflank * mobilization(model, gov)


def history_payoff(model: TrilateralModel, gov: str, card: Trigger) -> np.ndarray:
    """The domestic payoff of a card for a government: its expected approval change, per world.

    ``history_politics * history_signal(card) * history_lean(gov)`` for Seoul and Tokyo, zero
    for Washington and for cards that are not history moves. The engine applies this payoff in
    the domestic phase after the card is played (the public reacts the next quarter), evaluated
    in the state of that phase; strategies call this function to value a card before playing it.
    """
    if gov not in HISTORY_GOVERNMENTS:
        return np.zeros(model.replications)
    return model.params["history_politics"] * history_signal(model, card) * history_lean(model, gov)


def history_payoffs(model: TrilateralModel, gov: str, cards: Sequence[Trigger]) -> list[np.ndarray]:
    """:func:`history_payoff` of each card, the government's lean computed once (the same bits)."""
    if gov not in HISTORY_GOVERNMENTS:
        return [np.zeros(model.replications) for _ in cards]
    coefficient, lean = model.params["history_politics"], history_lean(model, gov)
    return [coefficient * history_signal(model, card) * lean for card in cards]


def played_payoff(model: TrilateralModel, gov: str, played: np.ndarray) -> np.ndarray:
    """Summed domestic payoff of the cards ``gov`` played, given how often each was played (cards x worlds)."""
    total = np.zeros(model.replications)
    if gov not in HISTORY_GOVERNMENTS:
        return total
    if getattr(model, "engine", "numpy") == "compiled":
        return _played_payoff_compiled(model, gov, played, total)
    pairs = [(card, times) for card, times in zip(model.scenario.actions[gov], played, strict=True) if np.any(times)]
    payoffs = history_payoffs(model, gov, [card for card, _ in pairs])
    for (_, times), payoff in zip(pairs, payoffs, strict=True):
        total = total + times * payoff
    return total


def elite_gap(model: TrilateralModel, gov: str) -> np.ndarray:
    """Gap between the government's willingness to cooperate and the public's support, per world (0-1)."""
    return np.abs(_row(model, f"{gov}.willingness") - _row(model, f"{gov}.support"))


# ------------------------------------------------------------------------------ views of partners


def view_drivers(model: TrilateralModel, gov: str, partner: str) -> dict[str, np.ndarray]:
    """The drivers of one public's view of a partner, as deviations of its target from the start view.

    ``relations``: the pair tie's change since the start (summits, leaders' moves, agreements and
    disputes all move it); ``shared threat``: the change of the lower of the two threat
    perceptions; ``history``: minus the rise of the country's own history salience (ROK-Japan
    only). Each is already multiplied by its coefficient.
    """
    P = model.params
    pair = pair_of(gov, partner)
    tie = f"tie.{pair}"
    threat = np.minimum(_row(model, f"{gov}.threat"), _row(model, f"{partner}.threat"))
    threat0 = np.minimum(_start(model, f"{gov}.threat"), _start(model, f"{partner}.threat"))
    drivers = {
        "relations": P["view_tie_gain"] * (_row(model, tie) - _start(model, tie)),
        "shared threat": P["view_threat_gain"] * (threat - threat0),
    }
    if pair == "ROK_JPN":
        salience = f"{gov}.history_salience"
        drivers["history"] = -P["view_history_loss"] * (_row(model, salience) - _start(model, salience))
    return drivers


def mean_view_change(model: TrilateralModel, gov: str) -> np.ndarray:
    """Mean change, since the start, of the public's views of its two partners (per world)."""
    names = [view_name(gov, partner) for partner in partners(gov)]
    return sum((_row(model, n) - _start(model, n) for n in names), np.zeros(model.replications)) / len(names)


def _played_payoff_compiled(model: TrilateralModel, gov: str, played: np.ndarray, out: np.ndarray) -> np.ndarray:
    """:func:`played_payoff` as one kernel call (the same bits); the effect values are evaluated as there.

    Only the cards played in some world count, and of each only its effects on the history rows,
    evaluated in the same order as :func:`history_signal` evaluates them.
    """
    cards = model.scenario.actions[gov]
    played = np.ascontiguousarray(played, dtype=np.float64)
    chosen = np.flatnonzero(played.any(axis=1))  # np.any per row: NaN counts as played, as there
    if len(chosen) == 0:
        return out
    from sim.engine.valuation import _Numbers  # here: valuation imports this module

    x, p, c, draws = model.x, model.p, model.context, model.draws
    rows = model.scenario.layout.rows
    numbers = _Numbers(model.replications, ())
    starts, entry_rows, signs, sets, refs = [0], [], [], [], []
    for k in chosen:
        for effect in cards[k].effects:
            sign = history_sign(effect.target)
            if not sign:
                continue
            refs.append(numbers.ref(np.asarray(effect.value(x, p, c, draws), dtype=np.float64)))
            entry_rows.append(rows[effect.target])
            signs.append(sign)
            sets.append(effect.op == "set")
        starts.append(len(refs))
    vectors, scalars = numbers.tables()
    coefficient = np.ascontiguousarray(model.params["history_politics"], dtype=np.float64).reshape(-1)
    kernels.load().played_history_payoff(
        model.x,
        played,
        chosen.astype(np.int64),
        np.array(starts, dtype=np.int64),
        np.array(entry_rows, dtype=np.int64),
        np.array(signs, dtype=np.float64),
        np.array(sets, dtype=np.bool_),
        np.array(refs, dtype=np.int64),
        vectors,
        scalars,
        coefficient,
        np.ascontiguousarray(history_lean(model, gov), dtype=np.float64),
        out,
    )
    return out
