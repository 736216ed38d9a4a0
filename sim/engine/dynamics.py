"""Model-level dynamics: how the pair ties move (phase ``cooperation``) and the outcomes phase.

Every coefficient is a scenario parameter (declared with default, range and doc in
``scenarios/defaults.yaml``); the equations and their sources are in ``docs/model.md``. Each
term is credited separately to the cause-and-effect record, so ``--explain`` shows, for example,
how much shared threat lifted the ROK-Japan tie and how much history salience pulled it down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.layout import PAIR_MEMBERS, PAIRS
from sim.engine.sources import BOUNDS, Source, behaviour
from sim.engine.state import elementwise_sum

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel

COOPERATION_COEFFICIENTS = (
    "tie_base",
    "shared_threat_gain",
    "willingness_gain",
    "us_transactional_penalty",
    "hedging_penalty",
    "history_penalty",
    "polarization_penalty",
    "inst_anchor",
    "tie_adjust_rate",
    "inst_damping",
    "tie_noise",
)
OUTCOME_COEFFICIENTS = (
    "weakest_weight",
    "inst_build",
    "inst_threshold",
    "inst_erosion",
    "deterrence_base",
    "deterrence_tie_gain",
    "deterrence_commitment_gain",
    "deterrence_threat_drag",
    "deterrence_rate",
)


# The behaviour terms credited in the cause-and-effect record (built once, not per turn).
SHARED_THREAT = behaviour("shared threat")
WILLINGNESS = behaviour("willingness")
HEDGING = behaviour("hedging")
INSTITUTIONAL_ANCHOR = behaviour("institutional anchor")
US_TRANSACTIONALISM = behaviour("U.S. transactionalism")
HISTORY_SALIENCE = behaviour("history salience")
KOREAN_POLARIZATION = behaviour("Korean polarization")
DRIFT = behaviour("drift toward base level")
DAMPING = behaviour("institutional damping")
NOISE = behaviour("noise")
INSTITUTION_BUILDING = behaviour("institution building")
INSTITUTIONAL_EROSION = behaviour("institutional erosion")
DETERRENCE_CREDIBILITY = behaviour("deterrence credibility")


def _mean_product(rate: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per-row mean over worlds of ``rate * values`` (rate: (D, 1) or (D, R); values: (R,) or (D, R))."""
    if rate.shape[-1] == 1 and np.ndim(values) == 1:
        return rate[:, 0] * np.mean(values)
    return np.mean(rate * values, axis=-1)


def required_parameters() -> dict[str, str]:
    """Every parameter the built-in behaviour reads, mapped to what reads it."""
    from agents import DomesticPolitics, Government, ThreatActor
    from sim.engine import bargaining

    needed: dict[str, str] = {}
    for owner, names in (
        ("ThreatActor", ThreatActor.COEFFICIENTS),
        ("DomesticPolitics", DomesticPolitics.COEFFICIENTS),
        ("Government", Government.COEFFICIENTS),
        ("cooperation dynamics", COOPERATION_COEFFICIENTS),
        ("outcomes", OUTCOME_COEFFICIENTS),
        ("bargaining", bargaining.COEFFICIENTS),
    ):
        for name in names:
            needed.setdefault(name, owner)
    return needed


def _noise_stream(pair: str) -> int:
    from sim.engine.rng import stream_id

    return stream_id(f"tie-noise:{pair}")


_NOISE_STREAMS = {pair: _noise_stream(pair) for pair in PAIRS}


def cooperation(model: TrilateralModel) -> None:
    """Move every domain tie toward its pair's target; damp decreases by institutionalization.

    target = tie_base + shared_threat_gain * min(threat_i, threat_j)
             + willingness_gain * (min(willingness_i, willingness_j) - 0.5)
             - us_transactional_penalty * USA.transactionalism         (pairs with the USA)
             - hedging_penalty * mean(hedging_i, hedging_j)
             - history_penalty * mean(history_salience) * mean(history_stance)   (ROK_JPN)
             - polarization_penalty * ROK.polarization                   (ROK_JPN)
             + inst_anchor * institutionalization
    change_d = tie_adjust_rate * responsiveness_d * (target - tie_d)   (x (1 - inst_damping * inst) if < 0)
             + tie_noise * N(0, 1)   (one draw per pair and turn)
    """
    x, P, state, layout = model.x, model.params, model.state, model.scenario.layout
    rows = layout.rows
    responsiveness = model.responsiveness[:, None]
    inst = x[rows["institutionalization"]]

    def v(name: str) -> np.ndarray:
        return x[rows[name]]

    for pair in PAIRS:
        i, j = PAIR_MEMBERS[pair]
        terms: list[tuple[Source, np.ndarray]] = [
            (SHARED_THREAT, P["shared_threat_gain"] * np.minimum(v(f"{i}.threat"), v(f"{j}.threat"))),
            (
                WILLINGNESS,
                P["willingness_gain"] * (np.minimum(v(f"{i}.willingness"), v(f"{j}.willingness")) - 0.5),
            ),
            (HEDGING, -P["hedging_penalty"] * 0.5 * (v(f"{i}.hedging") + v(f"{j}.hedging"))),
            (INSTITUTIONAL_ANCHOR, P["inst_anchor"] * inst),
        ]
        if "USA" in (i, j):
            terms.append((US_TRANSACTIONALISM, -P["us_transactional_penalty"] * v("USA.transactionalism")))
        if pair == "ROK_JPN":
            salience = 0.5 * (v("ROK.history_salience") + v("JPN.history_salience"))
            stance = 0.5 * (v("ROK.history_stance") + v("JPN.history_stance"))
            terms.append((HISTORY_SALIENCE, -P["history_penalty"] * salience * stance))
            terms.append((KOREAN_POLARIZATION, -P["polarization_penalty"] * v("ROK.polarization")))
        tie_rows = layout.tie_rows(pair)
        ties = x[tie_rows].copy()
        rate = P["tie_adjust_rate"] * responsiveness
        drivers = sum(term for _, term in terms)
        undamped = rate * (P["tie_base"] + drivers - ties)
        damping = np.where(undamped < 0, -P["inst_damping"] * inst * undamped, 0.0)
        noise = P["tie_noise"] * model.streams.normal(model.turn, _NOISE_STREAMS[pair])
        total = undamped + damping + noise
        new = np.clip(ties + total, 0.0, 1.0)
        x[tie_rows] = new
        recorder = state.recorder
        if recorder.enabled:
            # Means over worlds of each term's share of the change, computed on (R,) vectors.
            for source, term in terms:
                recorder.add_mean(source, tie_rows, _mean_product(rate, term))
            recorder.add_mean(DRIFT, tie_rows, _mean_product(rate, P["tie_base"] - ties))
            recorder.add_mean(DAMPING, tie_rows, damping.mean(axis=1))
            recorder.add_mean(NOISE, tie_rows, np.full(len(responsiveness), np.mean(noise)))
            clipped = (new - ties) - total
            if np.any(clipped):
                recorder.add_mean(BOUNDS, tie_rows, clipped.mean(axis=1))
    state.refresh_ties()


def outcomes(model: TrilateralModel) -> None:
    """Trilateral index, institutionalization ratchet, deterrence credibility.

    trilateral = weakest_weight * min(ties) + (1 - weakest_weight) * mean(ties)   (always current)
    institutionalization += inst_build * max(trilateral - inst_threshold, 0) * (1 - inst)
                          - inst_erosion * max(inst_threshold - trilateral, 0) * inst
    deterrence += deterrence_rate * (clip(deterrence_base + deterrence_tie_gain * mean(deterrence-domain ties)
                  + deterrence_commitment_gain * (USA.commitment - 0.5)
                  - deterrence_threat_drag * DPRK.capability, 0, 1) - deterrence)
    """
    x, P, state, layout = model.x, model.params, model.state, model.scenario.layout
    rows = layout.rows
    ties = state.pair_ties()
    # The trilateral index itself is kept up to date by WorldState.refresh_ties.
    new_index = x[rows["trilateral"]]

    inst_row = slice(rows["institutionalization"], rows["institutionalization"] + 1)
    inst = x[inst_row][0]
    state.apply_parts(
        inst_row,
        [
            (
                INSTITUTION_BUILDING,
                P["inst_build"] * np.maximum(new_index - P["inst_threshold"], 0) * (1 - inst),
            ),
            (
                INSTITUTIONAL_EROSION,
                -P["inst_erosion"] * np.maximum(P["inst_threshold"] - new_index, 0) * inst,
            ),
        ],
    )
    det_row = slice(rows["deterrence"], rows["deterrence"] + 1)
    if "deterrence" in layout.domains:
        det_ties = elementwise_sum(x[rows[f"tie.{p}.deterrence"]] for p in PAIRS) / 3.0
    else:
        det_ties = elementwise_sum(ties) / 3.0
    target = np.clip(
        P["deterrence_base"]
        + P["deterrence_tie_gain"] * det_ties
        + P["deterrence_commitment_gain"] * (x[rows["USA.commitment"]] - 0.5)
        - P["deterrence_threat_drag"] * x[rows["DPRK.capability"]],
        0.0,
        1.0,
    )
    state.apply(det_row, P["deterrence_rate"] * (target - x[det_row][0]), DETERRENCE_CREDIBILITY)
