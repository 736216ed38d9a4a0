"""ThreatActor: North Korea, China and Russia, whose acts drive the three governments' threat perception.

Sources: Chung, "U.S.-ROK-Japan Trilateral Cooperation: Past, Present, and Future" (shared threat
perception toward North Korea and China, and the growing alignment of China, North Korea and
Russia, sustain trilateral cooperation); So Jeong Kim on the DPRK cyber threat; Watanabe on
gray-zone pressure at sea.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from sim.engine.sources import behaviour

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel


class ThreatActor(mesa.Agent):
    """One external threat actor; all its variables are arrays over the ensemble's worlds.

    Each turn (phase ``threats``) its capability grows toward 1 at rate ``growth_<CODE>`` and it
    may carry out each act in its scenario repertoire with the act's ``chance``. The act flags
    (``DPRK.missile_test`` ...) are 1 for the turn, ``activity`` is the summed severity (capped
    at 1), and the model's ``provocations`` counter adds the number of acts.
    """

    COEFFICIENTS: ClassVar[tuple[str, ...]] = ("growth_DPRK", "growth_CHN", "growth_RUS")
    model: TrilateralModel  # set by mesa.Agent; declared so the type checker knows the model's type

    def __init__(self, model: TrilateralModel, code: str) -> None:
        super().__init__(model)
        self.code = code

    def __getattr__(self, name: str) -> np.ndarray:
        # Read-only access to this actor's state rows, e.g. actor.capability.
        model: TrilateralModel | None = self.__dict__.get("model")
        if model is not None:
            rows = model.scenario.layout.rows
            key = f"{self.__dict__.get('code')}.{name}"
            if key in rows:
                return model.x[rows[key]]
        raise AttributeError(name)

    def act(self) -> None:
        """Grow capability, then roll this turn's acts."""
        from sim.engine.triggers import run_triggers

        model = self.model
        state = model.state
        layout = model.scenario.layout
        code = self.code
        row = layout.rows[f"{code}.capability"]
        capability = model.x[row]
        growth = model.params[f"growth_{code}"]
        state.apply(slice(row, row + 1), growth * (1.0 - capability), behaviour("capability growth", code))

        acts = model.scenario.acts[code]
        activity = np.zeros(model.replications)
        count = np.zeros(model.replications)
        # Severities are read in the state the acts' chances see, before any act's effects.
        severities = [act.intensity(model.x, model.p, model.context, model.draws) for act in acts]
        fired_all = run_triggers(model, acts)
        for act, severity, fired in zip(acts, severities, fired_all, strict=True):
            model.x[act.flag_row] = fired
            activity += severity * fired
            count += fired
        model.x[layout.rows[f"{code}.activity"]] = np.minimum(activity, 1.0)
        model.x[layout.rows["provocations"]] += count
