"""DomesticPolitics: approval, polarization, public support, history salience, crises and elections.

Sources: Draudt-Véjares, "Beyond Historical Memory: South Korean Domestic Polarization and
U.S.-ROK-Japan Trilateral Cooperation" (polarization and a change of government swing Seoul's
policy toward Japan); Chung (the December 2024 martial law and impeachment, and a public that
separates history from strategic cooperation); Choi, "How to Consolidate U.S.-ROK-Japan
Cooperation under the New Leadership Changes" (new leaders in all three capitals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from agents import leadership
from sim.engine.layout import PROFILE_TRAITS
from sim.engine.rng import stream_id
from sim.engine.sources import behaviour

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
    """

    COEFFICIENTS: ClassVar[tuple[str, ...]] = (
        "approval_anchor",
        "approval_reversion",
        "approval_noise",
        "crisis_approval_cost",
        "polarization_reversion",
        "crisis_polarization",
        "salience_reversion",
        "support_rate",
        "support_base",
        "support_threat_gain",
        "support_history_loss",
        "support_polarization_loss",
        "crisis_decay",
        "capital_regen",
        "capital_max",
        "turnover_base",
        "turnover_approval_gain",
        "honeymoon_approval",
    )

    def __init__(self, model: TrilateralModel, code: str) -> None:
        super().__init__(model)
        self.code = code
        self._election_stream = stream_id(f"election:{code}")
        self._noise_stream = stream_id(f"approval-noise:{code}")

    def _rows(self, var: str) -> slice:
        row = self.model.scenario.layout.rows[f"{self.code}.{var}"]
        return slice(row, row + 1)

    def step(self) -> None:
        """Run this government's domestic politics for one turn."""
        model = self.model
        x, P, state = model.x, model.params, model.state
        code = self.code
        r = {v: self._rows(v) for v in ("approval", "polarization", "history_salience", "support", "crisis", "capital")}
        crisis = x[r["crisis"]]
        approval = x[r["approval"]]
        noise = model.streams.normal(model.turn, self._noise_stream) * P["approval_noise"]
        state.apply_parts(
            r["approval"],
            [
                (
                    behaviour("domestic: approval drift", code),
                    P["approval_reversion"] * (P["approval_anchor"] - approval),
                ),
                (behaviour("domestic: crisis", code), -P["crisis_approval_cost"] * crisis),
                (behaviour("domestic: noise", code), noise),
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
            ],
        )
        state.apply(
            r["history_salience"],
            P["salience_reversion"] * (model.start_state[r["history_salience"]] - x[r["history_salience"]]),
            behaviour("domestic: history salience fades", code),
        )
        threat = x[self._rows("threat")]
        target = (
            P["support_base"]
            + P["support_threat_gain"] * threat
            - P["support_history_loss"] * x[r["history_salience"]]
            - P["support_polarization_loss"] * x[r["polarization"]]
        )
        state.apply(
            r["support"],
            P["support_rate"] * (np.clip(target, 0, 1) - x[r["support"]]),
            behaviour("domestic: public support", code),
        )
        state.apply(r["crisis"], -P["crisis_decay"] * crisis, behaviour("domestic: crisis fades", code))
        self._elections()

    def replenish(self) -> None:
        """End of turn: political capital regenerates with approval, for the next turn's moves.

        Regenerating at the end of the turn means a team sees, when it chooses, exactly the
        capital it can spend.
        """
        model = self.model
        x, P = model.x, model.params
        capital_rows, approval_rows = self._rows("capital"), self._rows("approval")
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
