"""DomesticPolitics: approval, polarization, public support, history salience, crises and elections.

Sources: Draudt-Véjares, "Beyond Historical Memory: South Korean Domestic Polarization and
U.S.-ROK-Japan Trilateral Cooperation" (polarization and a change of government swing Seoul's
policy toward Japan); Chung (the December 2024 martial law and impeachment, and a public that
separates history from strategic cooperation); Choi, "How to Consolidate U.S.-ROK-Japan
Cooperation under the New Leadership Changes" (new leaders in all three capitals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import mesa
import numpy as np

from agents import leadership
from sim.engine import kernels, politics
from sim.engine.kernels import domestic as fused
from sim.engine.layout import PROFILE_TRAITS
from sim.engine.required_parameters import DOMESTIC_POLITICS_COEFFICIENTS
from sim.engine.rng import stream_id
from sim.engine.sources import Source, behaviour

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel


class DomesticPolitics(mesa.Agent):
    """The domestic politics behind one government (phase ``domestic``).

    Approval reverts toward ``approval_anchor`` and is eroded by a crisis; polarization and
    history salience revert toward their starting values, polarization rising with a crisis;
    public support for trilateral cooperation follows threat perception, history salience and
    polarization; crises fade; at the end of the turn, political capital regenerates with
    approval (``replenish``). In an election
    quarter the camp in power loses with a probability that rises as approval falls; when the
    camp changes (by election, or an event that sets ``camp``), the new camp's leadership
    profile replaces the old one.

    Second generation (issue 10, :mod:`sim.engine.politics`): last quarter's history moves pay
    or cost approval according to the base of the camp in power and the out-party's
    mobilization; the out-party mobilizes history (salience) and polarization; polarization has
    its own shocks and rises with elections and changes of leadership; a gap between the
    government's willingness and public support costs approval; each public's view of each
    partner country follows history salience, shared threat and the pair's relations, with
    inertia, and feeds public support.
    """

    COEFFICIENTS: ClassVar[tuple[str, ...]] = DOMESTIC_POLITICS_COEFFICIENTS

    def __init__(self, model: TrilateralModel, code: str) -> None:
        super().__init__(model)
        self.code = code
        self._election_stream = stream_id(f"election:{code}")
        self._noise_stream = stream_id(f"approval-noise:{code}")
        self._polarization_stream = stream_id(f"polarization-noise:{code}")
        self._played_seen = np.zeros((len(model.scenario.actions[code]), model.replications))
        self._fused = _FusedRows(model, code) if model.engine == "compiled" else None

    def _rows(self, var: str) -> slice:
        row = self.model.scenario.layout.rows[f"{self.code}.{var}"]
        return slice(row, row + 1)

    def step(self) -> None:
        """Run this government's domestic politics for one turn.

        On the compiled engine with the record off, one kernel does the arithmetic
        (:func:`sim.engine.kernels.domestic.domestic_step`, the same bits as the code here).
        """
        model = self.model
        if self._fused is not None and not model.state.recorder.enabled:
            self._step_fused(self._fused)
            return
        x, P, state = model.x, model.params, model.state
        code = self.code
        r = {v: self._rows(v) for v in ("approval", "polarization", "history_salience", "support", "crisis", "capital")}
        crisis = x[r["crisis"]]
        approval = x[r["approval"]]
        noise = model.streams.normal(model.turn, self._noise_stream) * P["approval_noise"]
        mobilization = politics.mobilization(model, code)
        state.apply_parts(
            r["approval"],
            [
                (
                    behaviour("domestic: approval drift", code),
                    P["approval_reversion"] * (P["approval_anchor"] - approval),
                ),
                (behaviour("domestic: crisis", code), -P["crisis_approval_cost"] * crisis),
                (behaviour("domestic: noise", code), noise),
                *self._opinion_approval_parts(),
            ],
        )
        state.apply_parts(
            r["polarization"],
            [
                (
                    behaviour("domestic: polarization drift", code),
                    P["polarization_reversion"] * (model.start_state[r["polarization"]] - x[r["polarization"]]),
                ),
                (behaviour("domestic: crisis", code), P["crisis_polarization"] * crisis),
                *self._polarization_parts(mobilization),
            ],
        )
        state.apply_parts(
            r["history_salience"],
            [
                (
                    behaviour("domestic: history salience fades", code),
                    P["salience_reversion"] * (model.start_state[r["history_salience"]] - x[r["history_salience"]]),
                ),
                (behaviour("domestic: out-party mobilizes history", code), P["out_party_mobilization"] * mobilization),
            ],
        )
        self._views()
        threat = x[self._rows("threat")]
        target = (
            P["support_base"]
            + P["support_threat_gain"] * threat
            - P["support_history_loss"] * x[r["history_salience"]]
            - P["support_polarization_loss"] * x[r["polarization"]]
            + P["support_view_gain"] * politics.mean_view_change(model, code)
        )
        state.apply(
            r["support"],
            P["support_rate"] * (np.clip(target, 0, 1) - x[r["support"]]),
            behaviour("domestic: public support", code),
        )
        state.apply(r["crisis"], -P["crisis_decay"] * crisis, behaviour("domestic: crisis fades", code))
        self._elections()
        self._election_polarization()

    # --------------------------------------------------- second generation: politics and opinion (issue 10)

    def _opinion_approval_parts(self) -> list[tuple[Source, np.ndarray]]:
        """Approval terms of the second generation: the payoff of history moves and the elite-public gap.

        The history moves are the cards this government played since its last domestic step (read
        from the ``played.G.<card>`` counters), judged by the camp in power's base and the
        out-party's mobilization (:func:`sim.engine.politics.history_payoff`).
        """
        model, code, P = self.model, self.code, self.model.params
        cards = model.scenario.actions[code]
        counts = np.array([model.x[card.counter_row] for card in cards if card.counter_row is not None])
        payoff = np.zeros(model.replications)
        if len(counts) == len(cards) and len(cards):
            payoff = self._played_payoff(counts)
        gap = -P["elite_gap_cost"] * politics.elite_gap(model, code)
        return [
            (behaviour("domestic: history politics", code), payoff),
            (behaviour("domestic: elite-public gap", code), gap),
        ]

    def _played_payoff(self, counts: np.ndarray) -> np.ndarray:
        """The payoff of the cards played since the last domestic step, given the counters now (cards x worlds)."""
        payoff = politics.played_payoff(self.model, self.code, counts - self._played_seen)
        self._played_seen = counts
        return payoff

    def _step_fused(self, fused_rows: _FusedRows) -> None:
        """:meth:`step` on the compiled engine, record off: one kernel up to the elections (the same bits).

        The elections, a change of camp or leader and the campaign polarization that follows
        them run as in :meth:`step` in a quarter that has them; otherwise the kernel also applies
        the campaign polarization of a change of leadership earlier in the turn.
        """
        model, code, f = self.model, self.code, fused_rows
        x, state, turn = model.x, model.state, model.turn
        payoff = f.zeros if f.counter_rows is None else self._played_payoff(x[f.counter_rows])
        camp = model.applied_camp[code]
        tail = not model.warming_up and (turn in model.scenario.election_turns[code] or _leader_due(model, code))
        campaign = not tail and f.kernels.camp_unchanged(x, f.camp_row, camp)
        out_stance = politics.out_stance(model, code) if f.stance_mode == fused.GIVEN else f.zeros
        for rows in f.changed:
            state._touch(rows)
        lo, hi = state.float_bounds
        noise, shock = model.streams.normals(turn, (self._noise_stream, self._polarization_stream))
        f.kernels.domestic_step(
            x,
            model.start_state,
            lo,
            hi,
            f.rows,
            f.view_history,
            f.step_coefficients.matrix(model.params, model.replications),
            noise,
            shock,
            np.ascontiguousarray(payoff, dtype=np.float64),
            f.stance_mode,
            model.profiles[code],
            _STANCE,
            camp,
            np.ascontiguousarray(out_stance, dtype=np.float64),
            campaign,
            f.scratch,
        )
        if not campaign:
            self._elections()
            self._election_polarization()

    def _polarization_parts(self, mobilization: np.ndarray) -> list[tuple[Source, np.ndarray]]:
        """Polarization terms of the second generation.

        Its own shocks, the out-party's mobilization, history salience above its start (history
        is a partisan cleavage) and threat above its start (outside pressure narrows the camps'
        differences).
        """
        model, P, code = self.model, self.model.params, self.code
        shock = model.streams.normal(model.turn, self._polarization_stream) * P["polarization_noise"]
        salience, threat = self._rows("history_salience"), self._rows("threat")
        x, start = model.x, model.start_state
        return [
            (behaviour("domestic: polarization shocks", code), shock),
            (behaviour("domestic: out-party mobilization", code), P["mobilization_polarization"] * mobilization),
            (
                behaviour("domestic: history divides", code),
                P["salience_polarization"] * (x[salience][0] - start[salience][0]),
            ),
            (
                behaviour("domestic: threat narrows the divide", code),
                -P["threat_convergence"] * (x[threat][0] - start[threat][0]),
            ),
        ]

    def _election_polarization(self) -> None:
        """A quarter with an election or a change of leadership polarizes (after the election step)."""
        model = self.model
        held = (
            not model.warming_up  # elections belong to dated quarters: none during warmup
            and model.turn in model.scenario.election_turns[self.code]
            and len(model.scenario.camp_names[self.code]) > 1
        )
        changed = model.x[self._rows("turnover")][0] > 0
        campaign = np.where(held | changed, model.params["election_polarization"], 0.0)
        model.state.apply(self._rows("polarization"), campaign, behaviour("domestic: election polarization", self.code))

    def _views(self) -> None:
        """Each public's view of each partner moves, with inertia, toward its start value plus its drivers."""
        model, code = self.model, self.code
        rate = model.params["view_rate"]
        for partner in politics.partners(code):
            rows = self._rows(f"view.{partner}")
            view = model.x[rows][0]
            parts = [(behaviour(f"view of {partner}: drift", code), rate * (model.start_state[rows][0] - view))]
            for driver, term in politics.view_drivers(model, code, partner).items():
                parts.append((behaviour(f"view of {partner}: {driver}", code), rate * term))
            model.state.apply_parts(rows, parts)

    def replenish(self) -> None:
        """End of turn: political capital regenerates with approval, for the next turn's moves.

        Regenerating at the end of the turn means a team sees, when it chooses, exactly the
        capital it can spend.
        """
        model = self.model
        x, P = model.x, model.params
        capital_rows, approval_rows = self._rows("capital"), self._rows("approval")
        f = self._fused
        if f is not None and not model.state.recorder.enabled:
            model.state._touch(capital_rows)
            lo, hi = model.state.float_bounds
            coefficients = f.replenish_coefficients.matrix(P, model.replications)
            f.kernels.replenish(x, capital_rows.start, approval_rows.start, coefficients, lo, hi)
            return
        capital = x[capital_rows]
        regen = np.minimum(P["capital_regen"] * (0.5 + x[approval_rows]), np.maximum(P["capital_max"] - capital, 0))
        model.state.apply(capital_rows, regen, behaviour("domestic: political capital", self.code))

    def _elections(self) -> None:
        model = self.model
        x, P = model.x, model.params
        code = self.code
        camp_row = self._rows("camp")
        if model.warming_up:  # no elections during warmup: they belong to dated quarters
            self.apply_camp_change()
            return
        if model.turn in model.scenario.election_turns[code] and len(model.scenario.camp_names[code]) > 1:
            approval = x[self._rows("approval")][0]
            p_lose = np.clip(P["turnover_base"] + P["turnover_approval_gain"] * (0.5 - approval), 0.02, 0.98)
            lose = model.streams.uniform(model.turn, self._election_stream) < p_lose
            flipped = np.where(lose, 1.0 - x[camp_row][0], x[camp_row][0])
            model.state.apply(camp_row, flipped - x[camp_row][0], behaviour("election", code))
            model.note_election(code, lose)
        elif model.turn in model.scenario.election_turns[code]:
            model.note_election(code, np.zeros(model.replications, dtype=bool))
        self.apply_camp_change()
        leadership.scheduled_change(model, code)

    def apply_camp_change(self) -> None:
        """Where the camp in power differs from the one whose profile is applied, switch profiles."""
        model = self.model
        x, P, state = model.x, model.params, model.state
        code = self.code
        f = self._fused
        if f is not None and f.kernels.camp_unchanged(x, f.camp_row, model.applied_camp[code]):
            return  # the quick exact check: every world's camp row is the applied camp
        camp = x[self._rows("camp")][0].round().astype(int)
        changed = camp != model.applied_camp[code]
        if not changed.any():
            return
        turnover_row = self._rows("turnover")
        x[turnover_row] = np.maximum(x[turnover_row], changed)
        table = model.profiles[code]
        source = behaviour("leadership change", code)
        for t, trait in enumerate(PROFILE_TRAITS):
            rows = self._rows(trait)
            new = np.choose(camp, table[:, t])
            state.apply(rows, np.where(changed, new - x[rows][0], 0.0), source)
        approval = self._rows("approval")
        state.apply(approval, np.where(changed, P["honeymoon_approval"] - x[approval][0], 0.0), source)
        crisis = self._rows("crisis")
        state.apply(crisis, np.where(changed, -x[crisis][0], 0.0), source)
        model.applied_camp[code] = camp
        leadership.camp_changed(model, code, changed)


_STANCE = PROFILE_TRAITS.index("history_stance")


def _leader_due(model: TrilateralModel, code: str) -> bool:
    """Whether a named leader of ``code`` is scheduled to take office this turn."""
    table = model.scenario.leaders.get(code)
    return table is not None and model.turn in table.changes


class _Coefficients:
    """Parameters as a kernel's coefficient matrix (one column when all are scalars, else one per world)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._values: list[Any] | None = None
        self._matrix = np.zeros((len(names), 1))

    def matrix(self, params: dict[str, Any], replications: int) -> np.ndarray:
        """The matrix for the parameters' current values (rebuilt when one was replaced)."""
        values = [params[name] for name in self.names]
        cached = self._values
        if cached is not None and all(a is b for a, b in zip(values, cached, strict=True)):
            return self._matrix
        matrix = kernels.coefficients(values, replications)
        # Scalars cannot change in place: reuse the matrix while the parameters are the same objects.
        # An array may be changed in place: then rebuild every time.
        self._values = values if matrix.shape[1] == 1 else None
        self._matrix = matrix
        return matrix


class _FusedRows:
    """What the domestic kernels need of one government that does not change during a run."""

    def __init__(self, model: TrilateralModel, code: str) -> None:
        rows = model.scenario.layout.rows
        names = [f"{code}.{var}" for var in fused.ROWS]
        view_history = []
        for partner in politics.partners(code):
            pair = politics.pair_of(code, partner)
            names += [politics.view_name(code, partner), f"tie.{pair}", f"{partner}.threat"]
            view_history.append(1 if pair == "ROK_JPN" else 0)  # as politics.view_drivers
        self.kernels = kernels.load()
        self.rows = np.array([rows[name] for name in names], dtype=np.int64)
        self.view_history = np.array(view_history, dtype=np.int64)
        changed = [*(f"{code}.{var}" for var in fused.ROWS[:5]), names[len(fused.ROWS)], names[len(fused.ROWS) + 3]]
        self.changed = [slice(rows[name], rows[name] + 1) for name in changed]
        self.camp_row = rows[f"{code}.camp"]
        self.zeros = np.zeros(model.replications)
        self.scratch = np.empty((3, model.replications))
        if code not in politics.HISTORY_GOVERNMENTS:
            self.stance_mode = fused.NO_MOBILIZATION
        else:
            self.stance_mode = fused.TWO_CAMPS if len(model.profiles[code]) == 2 else fused.GIVEN
        cards = model.scenario.actions[code]
        counters = [card.counter_row for card in cards if card.counter_row is not None]
        history_moves = code in politics.HISTORY_GOVERNMENTS and bool(cards) and len(counters) == len(cards)
        # Washington's payoff is always 0: its counters need not be read.
        self.counter_rows = np.array(counters, dtype=np.int64) if history_moves else None
        self.step_coefficients = _Coefficients(fused.COEFFICIENTS)
        self.replenish_coefficients = _Coefficients(fused.REPLENISH_COEFFICIENTS)
