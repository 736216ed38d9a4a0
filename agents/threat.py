"""ThreatActor: North Korea, China and Russia, whose acts drive the three governments' threat perception.

Sources: Chung, "U.S.-ROK-Japan Trilateral Cooperation: Past, Present, and Future" (shared threat
perception toward North Korea and China, and the growing alignment of China, North Korea and
Russia, sustain trilateral cooperation); So Jeong Kim on the DPRK cyber threat; Watanabe on
gray-zone pressure at sea; Shin-ae Lee's related work (cooperation rises and falls with
Pyongyang's provocations: bursts and lulls) for reversion, engagement and habituation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from sim.engine.required_parameters import THREAT_ACTOR_COEFFICIENTS
from sim.engine.sources import behaviour

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel


class ThreatActor(mesa.Agent):
    """One external threat actor; all its variables are arrays over the ensemble's worlds.

    Each turn (phase ``threats``) its capability grows toward 1 at rate ``growth_<CODE>``; its
    aggressiveness reverts toward its starting level and diplomatic ``engagement`` (which then
    fades) wears it down; then it may carry out each act in its scenario repertoire with the
    act's ``chance``. The act flags (``DPRK.missile_test`` ...) are 1 for the turn, ``activity``
    is the summed severity (capped at 1), ``impact`` the summed severity as perceived after
    habituation to each act kind, and the model's ``provocations`` counter adds the number of
    acts. Habituation to an act kind grows each time it recurs and fades in quiet quarters.
    """

    COEFFICIENTS: ClassVar[tuple[str, ...]] = THREAT_ACTOR_COEFFICIENTS
    model: TrilateralModel  # set by mesa.Agent; declared so the type checker knows the model's type

    def __init__(self, model: TrilateralModel, code: str) -> None:
        super().__init__(model)
        self.code = code
        rows = model.scenario.layout.rows
        self._habituation_rows = [rows[f"{code}.{act.id}.habituation"] for act in model.scenario.acts[code]]

    def __getattr__(self, name: str) -> np.ndarray:
        # Read-only access to this actor's state rows, e.g. actor.capability.
        model: TrilateralModel | None = self.__dict__.get("model")
        if model is not None:
            rows = model.scenario.layout.rows
            key = f"{self.__dict__.get('code')}.{name}"
            if key in rows:
                return model.x[rows[key]]
        raise AttributeError(name)

    def _slice(self, var: str) -> slice:
        row = self.model.scenario.layout.rows[f"{self.code}.{var}"]
        return slice(row, row + 1)

    def initialize(self) -> None:
        """Set-up (not recorded): start habituation to every act kind at ``habituation_start``."""
        model = self.model
        for row in self._habituation_rows:
            model.x[row] = model.params["habituation_start"]

    def _temper(self) -> None:
        """Aggressiveness reverts toward its starting level and is worn down by engagement, which fades."""
        model = self.model
        x, P, state = model.x, model.params, model.state
        aggressiveness, engagement = self._slice("aggressiveness"), self._slice("engagement")
        state.apply_parts(
            aggressiveness,
            [
                (
                    behaviour("aggressiveness reverts", self.code),
                    P["aggression_reversion"] * (model.start_state[aggressiveness] - x[aggressiveness]),
                ),
                (behaviour("engagement", self.code), -P["engagement_gain"] * x[engagement] * x[aggressiveness]),
            ],
        )
        state.apply(engagement, -P["engagement_decay"] * x[engagement], behaviour("engagement fades", self.code))

    def _drift(self) -> None:
        """Capability grows toward 1, then aggressiveness and engagement temper (:meth:`_temper`)."""
        model, code = self.model, self.code
        row = model.scenario.layout.rows[f"{code}.capability"]
        if model.state.compiled and not model.state.recorder.enabled:
            self._drift_compiled(row)
            return
        growth = model.params[f"growth_{code}"]
        model.state.apply(slice(row, row + 1), growth * (1.0 - model.x[row]), behaviour("capability growth", code))
        self._temper()

    def _drift_compiled(self, capability_row: int) -> None:
        """Capability growth and :meth:`_temper` as one kernel (``kernels.threat_drift``; the same bits, record off)."""
        from sim.engine import kernels

        model, code = self.model, self.code
        state, P = model.state, model.params
        aggressiveness, engagement = self._slice("aggressiveness"), self._slice("engagement")
        for rows in (slice(capability_row, capability_row + 1), aggressiveness, engagement):
            state._touch(rows)  # as state.apply does
        names = (f"growth_{code}", "aggression_reversion", "engagement_gain", "engagement_decay")
        lo, hi = state.float_bounds
        kernels.load().threat_drift(
            model.x,
            model.start_state,
            capability_row,
            aggressiveness.start,
            engagement.start,
            kernels.coefficients([P[name] for name in names], model.replications),
            lo,
            hi,
        )

    def act(self) -> None:
        """Grow capability, temper aggressiveness, then roll this turn's acts."""
        from sim.engine.triggers import run_triggers

        model = self.model
        layout = model.scenario.layout
        code = self.code
        P = model.params
        self._drift()

        acts = model.scenario.acts[code]
        activity = np.zeros(model.replications)
        impact = np.zeros(model.replications)
        count = np.zeros(model.replications)
        # Severities are read in the state the acts' chances see, before any act's effects.
        severities = [act.intensity(model.x, model.p, model.context, model.draws) for act in acts]
        fired_all = run_triggers(model, acts)
        if model.state.compiled:
            self._acts_compiled(severities, fired_all)
            return
        for act, intensity, habit_row, fired in zip(acts, severities, self._habituation_rows, fired_all, strict=True):
            model.x[act.flag_row] = fired
            severity = intensity * fired
            activity += severity
            count += fired
            habituation = model.x[habit_row]
            # The act is perceived with the habituation it found; then habituation moves.
            impact += severity * (1.0 - P["habituation_gain"] * habituation)
            model.x[habit_row] = np.where(
                fired > 0,
                habituation + P["habituation_build"] * (1.0 - habituation),
                habituation * (1.0 - P["habituation_decay"]),
            )
        model.x[layout.rows[f"{code}.activity"]] = np.minimum(activity, 1.0)
        model.x[layout.rows[f"{code}.impact"]] = np.minimum(impact, 1.0)
        model.x[layout.rows["provocations"]] += count

    def _acts_compiled(self, severities: list, fired_all: list[np.ndarray]) -> None:
        """The act loop of :meth:`act` as one kernel (``kernels.threat_acts``; the same bits)."""
        from sim.engine import kernels

        model = self.model
        rows, P, R = model.scenario.layout.rows, model.params, model.replications
        acts = model.scenario.acts[self.code]
        intensity = np.empty((len(acts), R))
        fired = np.zeros((len(acts), R), dtype=bool)
        for a, (severity, mask) in enumerate(zip(severities, fired_all, strict=True)):
            intensity[a] = severity
            fired[a] = mask
        coefficients = np.empty((3, R))
        for k, name in enumerate(("habituation_gain", "habituation_build", "habituation_decay")):
            coefficients[k] = P[name]
        kernels.load().threat_acts(
            model.x,
            np.array([act.flag_row for act in acts], dtype=np.int64),
            np.array(self._habituation_rows, dtype=np.int64),
            intensity,
            fired,
            coefficients,
            rows[f"{self.code}.activity"],
            rows[f"{self.code}.impact"],
            rows["provocations"],
        )
