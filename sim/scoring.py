"""Objectives: each government's weighted indicators, its team's score, and their sensitivities.

A scenario gives each government a list of weighted indicators (``objectives:``). A team's
score is 100 x the weighted change of those indicators from the start to the end of the game,
so a score of +5 means the indicators it cares about moved, on balance, by 0.05 in its favour.
Computer governments with the ``objectives`` strategy play the cards whose direct effects raise
this weighted sum the most for the political capital they cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.layout import GOVERNMENTS, PAIR_MEMBERS, PAIRS

if TYPE_CHECKING:
    from sim.model import TrilateralModel

SCORE_SCALE = 100.0


def objective_scores(model: TrilateralModel) -> dict[str, np.ndarray]:
    """Each government's score per world: 100 x sum of weight x (now - start)."""
    rows = model.scenario.layout.rows
    scores = {}
    for gov in GOVERNMENTS:
        total = np.zeros(model.replications)
        for indicator, weight in model.scenario.objectives.get(gov, ()):
            row = rows[indicator]
            total = total + weight * (model.x[row] - model.start_state[row])
        scores[gov] = SCORE_SCALE * total
    return scores


def sensitivity(model: TrilateralModel, gov: str) -> np.ndarray:
    """d(objective)/d(state row) for one government, one value per state row.

    A pair tie is the domain-weighted mean of its domains; the trilateral index is credited to
    the pair ties with their mean weight in the index across worlds (a linear approximation).
    """
    layout = model.scenario.layout
    out = np.zeros(layout.size)
    objectives = model.scenario.objectives.get(gov, ())
    if not objectives:
        return out
    index_weights = model.state.index_weights().mean(axis=1)
    for indicator, weight in objectives:
        if indicator == "trilateral":
            for k, pair in enumerate(PAIRS):
                _add_pair(model, out, pair, weight * index_weights[k])
        elif indicator.startswith("tie.") and indicator.count(".") == 1:
            _add_pair(model, out, indicator[4:], weight)
        else:
            out[layout.rows[indicator]] += weight
    return out


INDIRECT_HORIZON = 3.0
"""Turns over which a change in a tie's drivers is counted when valuing a card."""


def _add_pair(model: TrilateralModel, out: np.ndarray, pair: str, weight: float) -> None:
    """Sensitivity of a pair tie: its domains directly, and its drivers through the tie target.

    The drivers' coefficients come from the cooperation equation (docs/model.md); a change in a
    driver moves the tie by about tie_adjust_rate x coefficient per turn, counted over a short
    horizon. Only the sign and rough size matter for choosing cards.
    """
    layout, P, x = model.scenario.layout, model.params, model.x
    rows = layout.rows
    out[layout.tie_rows(pair)] += weight * layout.domain_weights
    i, j = PAIR_MEMBERS[pair]
    scale = weight * float(np.mean(P["tie_adjust_rate"])) * INDIRECT_HORIZON

    def driver(name: str, coefficient: float) -> None:
        out[rows[name]] += scale * coefficient

    driver("institutionalization", float(np.mean(P["inst_anchor"])))
    for gov in (i, j):
        driver(f"{gov}.hedging", -0.5 * float(np.mean(P["hedging_penalty"])))
    if "USA" in (i, j):
        driver("USA.transactionalism", -float(np.mean(P["us_transactional_penalty"])))
    if pair == "ROK_JPN":
        stance = 0.5 * float(np.mean(x[rows["ROK.history_stance"]] + x[rows["JPN.history_stance"]]))
        salience = 0.5 * float(np.mean(x[rows["ROK.history_salience"]] + x[rows["JPN.history_salience"]]))
        for gov in ("ROK", "JPN"):
            driver(f"{gov}.history_salience", -0.5 * float(np.mean(P["history_penalty"])) * stance)
            driver(f"{gov}.history_stance", -0.5 * float(np.mean(P["history_penalty"])) * salience)
        driver("ROK.polarization", -float(np.mean(P["polarization_penalty"])))
