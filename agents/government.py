"""Government: Washington, Seoul and Tokyo perceive threats, decide how far to cooperate, and play cards.

Sources: Chung, "U.S.-ROK-Japan Trilateral Cooperation: Past, Present, and Future" (shared threat
perception is the key factor sustaining cooperation; a transactional, bilateral U.S. approach
could push the allies toward unilateral strategies); Chun, "Navigating Uncertainty: Risk
Management in U.S.-ROK-Japan Trilateral Cooperation" (hedging against defection); Taylor, "The
Second Trump Administration and the U.S. Indo-Pacific Military Alliance System" (related work:
China's economic leverage limits Seoul's regional commitments); the alliance-security-dilemma
literature (Snyder: fear of abandonment and fear of entrapment) for the two sources of hedging.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import mesa
import numpy as np

from agents.context import DecisionContext, StateView, own_ties
from agents.schedule import strategy_for_turn
from sim.engine import kernels
from sim.engine.layout import THREAT_ACTORS
from sim.engine.required_parameters import GOVERNMENT_COEFFICIENTS
from sim.engine.rng import stream_id
from sim.engine.scoring import card_values, domestic_payoffs, partner_reactions, sensitivity
from sim.engine.sources import behaviour
from sim.engine.state import elementwise_sum
from sim.engine.triggers import evaluate_all, run_triggers
from sim.engine.valuation import ValuationPlan, build_plan, plan_key, value_cards

if TYPE_CHECKING:
    from agents.strategies import Strategy
    from sim.engine.model import TrilateralModel
    from sim.lang.scenario import Trigger


class Government(mesa.Agent):
    """One of the three governments (phase ``decisions``).

    Each turn it (1) updates its perception of each threat actor toward the actor's
    exposure-weighted capability x aggressiveness plus the perceived (habituated) severity of
    this turn's acts, the North Korean signal discounted by the dovishness of the camp in power,
    and combines them into an overall threat perception; (2) moves its hedging toward the fear
    of abandonment a transactional, less committed U.S. creates (for the U.S. itself:
    retrenchment), the fear of entrapment in a U.S.-China conflict and China's economic
    leverage; (3) sets its willingness to cooperate from threat, alliance commitment,
    transactionalism, public support and hedging; (4) lets its strategy (in a quarter the
    scenario's ``script:`` lists, the script: :mod:`agents.schedule`) choose action cards
    within its political capital, pays for them and applies their effects; a move that lowers a
    pair tie costs approval in proportion to institutionalization.
    """

    COEFFICIENTS: ClassVar[tuple[str, ...]] = GOVERNMENT_COEFFICIENTS
    model: TrilateralModel  # set by mesa.Agent; declared so the type checker knows the model's type

    def __init__(self, model: TrilateralModel, code: str, strategy: Strategy) -> None:
        super().__init__(model)
        self.code = code
        self.strategy = strategy
        self._strategy_stream = stream_id(f"strategy:{code}")
        self.last_choice: np.ndarray = np.zeros((0, model.replications), dtype=bool)
        self._valuation_plan: ValuationPlan | None = None
        self._sensitivity_programs: dict[Any, Any] = {}  # scoring.sensitivity's program, made once
        # Row indices the compiled perception and assessment kernels read (worked out on first use).
        self._perceive_rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._assess_rows: np.ndarray | None = None

    def _row(self, var: str) -> int:
        return self.model.scenario.layout.rows[f"{self.code}.{var}"]

    def _rows(self, var: str) -> slice:
        row = self._row(var)
        return slice(row, row + 1)

    def value(self, var: str) -> np.ndarray:
        """This government's variable ``var`` across worlds (e.g. ``approval``)."""
        return self.model.x[self._row(var)]

    def initialize(self) -> None:
        """Start from perceptions and hedging in equilibrium with the initial state (not recorded)."""
        self.perceive(rate=1.0)
        self.assess(hedging_rate=1.0)

    def perceive(self, rate: float | None = None) -> None:
        """Update threat perceptions (per actor and overall); ``rate`` overrides ``perception_rate``."""
        model = self.model
        if model.state.compiled and not model.state.recorder.enabled:
            self._perceive_compiled(rate)
            return
        x, P, state, layout = model.x, model.params, model.state, model.scenario.layout
        exposure = model.scenario.exposure[self.code]
        combined = np.ones(model.replications)
        source = behaviour("threat perception", self.code)
        for a, actor in enumerate(THREAT_ACTORS):
            capability = x[layout.rows[f"{actor}.capability"]]
            aggressiveness = x[layout.rows[f"{actor}.aggressiveness"]]
            alignment = x[layout.rows[f"{actor}.alignment"]]
            impact = x[layout.rows[f"{actor}.impact"]]
            signal = exposure[a] * np.clip(
                capability * aggressiveness + P["act_signal_gain"] * impact + P["alignment_gain"] * alignment,
                0.0,
                1.0,
            )
            if actor == "DPRK":
                # The camp in power reads the North through its own lens (camp trait ``dovishness``).
                signal = signal * (1.0 - P["camp_lens_gain"] * self.value("dovishness"))
            rows = self._rows(f"threat_{actor}")
            speed = P["perception_rate"] if rate is None else rate
            state.apply(rows, speed * (signal - x[rows][0]), source)
            combined *= 1.0 - x[rows][0]
        state.set(f"{self.code}.threat", 1.0 - combined, source)

    def _perceive_compiled(self, rate: float | None) -> None:
        """:meth:`perceive` as one kernel (``kernels.perceive_threats``; record off; the same bits)."""
        model = self.model
        P, rows = model.params, model.scenario.layout.rows
        speed = P["perception_rate"] if rate is None else rate
        coefficients = kernels.coefficients(
            [P["act_signal_gain"], P["alignment_gain"], P["camp_lens_gain"], speed], model.replications
        )
        if self._perceive_rows is None:
            self._perceive_rows = (
                np.array(
                    [
                        [rows[f"{actor}.{var}"] for var in ("capability", "aggressiveness", "impact", "alignment")]
                        for actor in THREAT_ACTORS
                    ],
                    dtype=np.int64,
                ),
                np.array([rows[f"{self.code}.threat_{actor}"] for actor in THREAT_ACTORS], dtype=np.int64),
                np.asarray(model.scenario.exposure[self.code], dtype=np.float64),
            )
        actor_rows, threat_rows, exposure = self._perceive_rows
        lo, hi = model.state.float_bounds
        kernels.load().perceive_threats(
            model.x,
            actor_rows,
            threat_rows,
            exposure,
            THREAT_ACTORS.index("DPRK"),
            rows[f"{self.code}.dovishness"],
            rows[f"{self.code}.threat"],
            coefficients,
            lo,
            hi,
            np.empty(model.replications),
        )

    def fears(self) -> tuple[np.ndarray, np.ndarray]:
        """This government's fear of abandonment and of entrapment, per world.

        For Seoul and Tokyo, abandonment is U.S. transactionalism x (1 - U.S. commitment) and
        entrapment is the exposure to China x China's aggressiveness x U.S. commitment (the more
        committed the patron in a rivalry, the likelier the ally is drawn in). For the USA,
        "abandonment" is its own retrenchment (transactionalism x (1 - multilateralism)) and
        entrapment is 0.
        """
        model = self.model
        x, rows = model.x, model.scenario.layout.rows
        if self.code == "USA":
            retrenchment = self.value("transactionalism") * (1.0 - self.value("multilateralism"))
            return retrenchment, np.zeros(model.replications)
        commitment = x[rows["USA.commitment"]]
        abandonment = x[rows["USA.transactionalism"]] * (1.0 - commitment)
        china = THREAT_ACTORS.index("CHN")
        entrapment = model.scenario.exposure[self.code][china] * x[rows["CHN.aggressiveness"]] * commitment
        return abandonment, entrapment

    def assess(self, hedging_rate: float | None = None) -> None:
        """Move hedging, then set willingness to cooperate (``hedging_rate`` overrides the parameter)."""
        model = self.model
        if model.state.compiled and not model.state.recorder.enabled:
            self._assess_compiled(hedging_rate)
            return
        x, P, state = model.x, model.params, model.state
        code = self.code
        abandonment, entrapment = self.fears()
        source = behaviour("hedging", code)
        state.set(f"{code}.abandonment", np.clip(abandonment, 0.0, 1.0), source)
        state.set(f"{code}.entrapment", np.clip(entrapment, 0.0, 1.0), source)
        hedging = self._rows("hedging")
        target = np.clip(
            P["hedging_gain"] * abandonment
            + P["entrapment_gain"] * entrapment
            + P["leverage_gain"] * self.value("china_leverage"),
            0.0,
            1.0,
        )
        speed = P["hedging_rate"] if hedging_rate is None else hedging_rate
        state.apply(hedging, speed * (target - x[hedging][0]), source)
        willingness = (
            P["willingness_base"]
            + P["threat_gain"] * self.value("threat")
            + P["commitment_gain"] * (self.value("commitment") - 0.5)
            - P["transactional_drag"] * self.value("transactionalism")
            + P["support_gain"] * (self.value("support") - 0.5)
            - P["hedging_drag"] * self.value("hedging")
        )
        state.set(f"{code}.willingness", np.clip(willingness, 0.0, 1.0), behaviour("willingness", code))

    def _assess_compiled(self, hedging_rate: float | None) -> None:
        """:meth:`assess` as one kernel (``kernels.assess_hedging``; record off; the same bits)."""
        model = self.model
        P, rows, code = model.params, model.scenario.layout.rows, self.code
        values = [P[name] for name in ("hedging_gain", "entrapment_gain", "leverage_gain")]
        values.append(P["hedging_rate"] if hedging_rate is None else hedging_rate)
        drivers = ("willingness_base", "threat_gain", "commitment_gain", "transactional_drag", "support_gain")
        values += [P[name] for name in (*drivers, "hedging_drag")]
        if self._assess_rows is None:
            own = ("abandonment", "entrapment", "hedging", "willingness", "china_leverage", "threat", "commitment")
            restraint = "USA.multilateralism" if code == "USA" else "USA.commitment"
            self._assess_rows = np.array(
                [
                    *(rows[f"{code}.{var}"] for var in (*own, "transactionalism", "support")),
                    rows["USA.transactionalism"],
                    rows[restraint],
                    rows["CHN.aggressiveness"],
                ],
                dtype=np.int64,
            )
        lo, hi = model.state.float_bounds
        china = float(model.scenario.exposure[code][THREAT_ACTORS.index("CHN")])
        kernels.load().assess_hedging(
            model.x, self._assess_rows, code == "USA", china, kernels.coefficients(values, model.replications), lo, hi
        )

    def decide(self) -> None:
        """Perceive, assess, then choose and play action cards."""
        self.perceive()
        self.assess()
        self.play()

    def decision_context(self) -> DecisionContext:
        """What this government's strategy may see this turn (its cards, their availability, the state ...)."""
        model = self.model
        code = self.code
        cards = model.scenario.actions[code]
        available = evaluate_all(model, cards)
        banned = model.bans.get(code)
        if banned:  # the model's bans= option: a banned card is never available (a new array, not in place)
            available = available & ~np.array([card.id in banned for card in cards])[:, None]
        costs = np.array([card.cost for card in cards])
        available.flags.writeable = False
        costs.flags.writeable = False
        streams, turn, stream = model.streams, model.turn, self._strategy_stream

        def draw(slot: int) -> np.ndarray:
            return streams.uniform(turn, stream, slot)

        def draw_block(slots: int, scale: float) -> np.ndarray:
            return streams.uniform_block(turn, stream, slots, scale)

        def jitter_keys(slots: int) -> tuple[np.ndarray, np.ndarray]:
            return streams.replications, streams.block_keys(turn, stream, slots)

        weights: dict[int, float | np.ndarray] = {}

        def objective_weights() -> dict[int, float | np.ndarray]:
            # Computed at most once per decision, and only if a strategy asks for values.
            if not weights:
                weights.update(sensitivity(model, code, self._sensitivity_programs))
            return weights

        if model.state.compiled:
            # One kernel call values every card for all three parts (the same bits), at most once.
            parts: list[np.ndarray] = []

            def valued(part: int) -> np.ndarray:
                if not parts:
                    parts.extend(self._value_cards(cards, objective_weights()))
                return parts[part]

            def valuer() -> np.ndarray:
                return valued(0)

            def domestic_valuer() -> np.ndarray:
                return valued(1)

            def reactor() -> np.ndarray:
                return valued(2)

        else:

            def valuer() -> np.ndarray:
                return card_values(model, code, cards, objective_weights())

            def domestic_valuer() -> np.ndarray:
                return domestic_payoffs(model, code, cards)

            def reactor() -> np.ndarray:
                return partner_reactions(model, code, cards, objective_weights())

        return DecisionContext(
            code=code,
            turn=turn,
            card_ids=tuple(card.id for card in cards),
            stances=tuple(card.stance for card in cards),
            available=available,
            costs=costs,
            state=StateView(model.scenario.layout.rows, model.x),
            tie_change=self._tie_change_last_turn(),
            objectives=tuple(model.scenario.objectives.get(code, ())),
            script=frozenset(() if model.warming_up else model.scripts[code].get(turn, ())),
            submitted=frozenset(model.pending_choices.get(code, ())),
            draw=draw,
            valuer=valuer,
            domestic_valuer=domestic_valuer,
            reactor=reactor,
            draw_block=draw_block,
            compiled=model.engine == "compiled",
            jitter_keys=jitter_keys if model.state.compiled else None,
        )

    def _value_cards(
        self, cards: Sequence[Trigger], weights: dict[int, float | np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Card values, domestic payoffs and reactions through one kernel call (``sim.engine.valuation``)."""
        model = self.model
        key = plan_key(model, weights)
        if self._valuation_plan is None or self._valuation_plan.key != key:
            self._valuation_plan = build_plan(model, self.code, cards, weights)
        return value_cards(model, self.code, cards, weights, self._valuation_plan)

    def _tie_change_last_turn(self) -> np.ndarray:
        """Mean change of this government's two ties over the previous turn (0 on turn 1)."""
        history = self.model.history
        if len(history) < 2:
            return np.zeros(self.model.replications)
        now, before = history[-1], history[-2]
        first, second = (now[t] - before[t] for t in own_ties(self.code))
        return (first + second) / 2.0

    def play(self) -> None:
        """Let the strategy choose cards, pay their cost and apply their effects."""
        model = self.model
        cards = model.scenario.actions[self.code]
        R = model.replications
        if not cards:
            self.last_choice = np.zeros((0, R), dtype=bool)
            return
        context = self.decision_context()
        costs = context.costs
        strategy = strategy_for_turn(self.strategy, context.turn, model.scripts[self.code])
        # Whatever a strategy returns, a world never spends more capital than it has.
        if model.state.compiled:
            shape = context.available.shape
            chosen = np.array(np.broadcast_to(strategy.choose(context), shape), dtype=bool, order="C")
            spent = np.empty(R)
            kernels.load().pay(chosen, context.available, costs, self.value("capital"), spent)
        else:
            chosen = np.asarray(strategy.choose(context), dtype=bool) & context.available
            capital = self.value("capital").copy()
            for i in range(len(cards)):
                affordable = chosen[i] & (capital >= costs[i] - 1e-9)
                chosen[i] = affordable
                capital -= costs[i] * affordable
            spent = elementwise_sum(cost * row for cost, row in zip(costs, chosen, strict=True))
        model.state.apply(self._rows("capital"), -spent, behaviour("spends political capital", self.code))
        # Availability (``when:``) was checked before paying; do not check it again after.
        ties_before = model.state.pair_ties()
        run_triggers(model, cards, masks=chosen, conditions=False)
        self._defection_cost(ties_before)
        self.last_choice = chosen

    def _defection_cost(self, ties_before: np.ndarray) -> None:
        """A move that lowers pair ties costs approval in proportion to institutionalization.

        approval -= defection_cost * institutionalization * (sum of the falls of the three pair ties)
        """
        model = self.model
        state = model.state
        if state.compiled and not state.recorder.enabled:
            approval = self._rows("approval")
            state._touch(approval)  # as state.apply does
            lo, hi = state.float_bounds
            kernels.load().defection_cost(
                model.x,
                state.pair_tie_rows,
                np.ascontiguousarray(ties_before),
                model.scenario.layout.rows["institutionalization"],
                np.ascontiguousarray(model.params["defection_cost"], dtype=np.float64).reshape(-1),
                approval.start,
                lo,
                hi,
                np.empty(model.replications),
            )
            return
        if state.compiled:
            fall = np.empty(model.replications)
            rows = state.pair_tie_rows
            if not kernels.load().tie_falls(model.x, rows, np.ascontiguousarray(ties_before), fall):
                return
        else:
            fall = elementwise_sum(np.maximum(ties_before - model.state.pair_ties(), 0.0))
            if not fall.any():
                return
        inst = model.x[model.scenario.layout.rows["institutionalization"]]
        cost = model.params["defection_cost"] * inst * fall
        model.state.apply(self._rows("approval"), -cost, behaviour("defection cost", self.code))
