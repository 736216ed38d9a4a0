"""Card valuation on the numpy path: the same numbers as the plain row-by-row sums."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import scoring
from sim.engine.model import TrilateralModel
from sim.lang.scenario import load_scenario


def row_by_row(model: TrilateralModel, cards, weights) -> np.ndarray:
    """``scoring._weighted_changes`` as it was written before its rows were taken together."""
    x, p, c, draws = model.x, model.p, model.context, model.draws
    lo, hi = model.scenario.layout.lo, model.scenario.layout.hi
    values = np.zeros((len(cards), model.replications))
    for i, card in enumerate(cards):
        for effect in card.effects:
            rows = [r for r in range(effect.rows.start, effect.rows.stop) if r in weights]
            if not rows:
                continue
            value = np.asarray(effect.value(x, p, c, draws), dtype=np.float64)
            value = np.where(np.isfinite(value), value, np.nan)
            for row in rows:
                target = value if effect.op == "set" else x[row] + value
                delta = np.clip(target, lo[row], hi[row]) - x[row]
                values[i] += weights[row] * delta
    return np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)


@pytest.mark.parametrize("ident", ["baseline", "korean-polarization", "economic-security", "trump2-transactional"])
def test_weighted_changes_of_every_card_are_the_row_by_row_numbers(ident):
    scenario = load_scenario(ident)
    model = TrilateralModel(scenario, seed=5, replications=7, engine="numpy")
    rng = np.random.default_rng(3)
    layout = scenario.layout
    for turn in range(3):
        model.step()
        # Push some rows to their bounds, so that clipping matters, and use per-world weights.
        rows = rng.choice(layout.size, size=20, replace=False)
        model.x[rows] = np.where(rng.random((20, 7)) < 0.5, layout.lo[rows, None], layout.hi[rows, None])
        for gov, cards in scenario.actions.items():
            weights = scoring.sensitivity(model, gov)
            weights = {row: w * (1.0 + 0.1 * rng.random(7)) if turn else w for row, w in weights.items()}
            every_row = {row: 0.5 for card in cards for e in card.effects for row in range(e.rows.start, e.rows.stop)}
            for chosen in (weights, every_row):
                got = scoring._weighted_changes(model, cards, chosen)
                assert got.tobytes() == row_by_row(model, cards, chosen).tobytes()
