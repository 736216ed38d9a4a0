"""Model-level dynamics: how the pair ties move (phase ``cooperation``) and the outcomes phase.

Every coefficient is a scenario parameter (declared with default, range and doc in
``scenarios/defaults.yaml``); the equations and their sources are in ``docs/model.md``. Each
term is credited separately to the cause-and-effect record, so ``--explain`` shows, for example,
how much shared threat lifted the ROK-Japan tie and how much history salience pulled it down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine import politics
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
    "quasi_alliance_gain",
    "two_track",
    "upkeep_anchor",
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
    "upkeep_weight",
    "upkeep_per_inst",
    "upkeep_self",
    "upkeep_decay",
    "inst_lapse",
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
QUASI_ALLIANCE = behaviour("quasi-alliance pull")
MAINTAINED_INSTITUTIONS = behaviour("maintained institutions")
INSTITUTIONAL_UPKEEP = behaviour("institutional upkeep")
UPKEEP_FADES = behaviour("upkeep fades")
INSTITUTIONAL_LAPSE = behaviour("institutional lapse")


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


def initialize(model: TrilateralModel) -> None:
    """Set-up (not recorded): institutions start settled and kept up as their standing meetings keep them.

    ``inst_settled`` starts at the starting institutionalization (only later additions count as
    upkeep); ``upkeep`` starts at least at its level with no summits, upkeep_self * inst /
    (upkeep_self * inst + upkeep_decay), so a turn-1 dip is not an artefact of starting at 0.
    """
    x, P, rows = model.x, model.params, model.scenario.layout.rows
    inst = x[rows["institutionalization"]]
    x[rows["inst_settled"]] = inst
    standing = np.clip(P["upkeep_self"] * inst, 0.0, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.where(standing > 0, standing / (standing + P["upkeep_decay"]), 0.0)
    x[rows["upkeep"]] = np.maximum(x[rows["upkeep"]], level)


def _noise_stream(pair: str) -> int:
    from sim.engine.rng import stream_id

    return stream_id(f"tie-noise:{pair}")


_NOISE_STREAMS = {pair: _noise_stream(pair) for pair in PAIRS}


def cooperation(model: TrilateralModel) -> None:
    """Move every domain tie toward its own target; damp decreases by institutionalization.

    target_d = tie_base + shared_threat_gain * min(threat_i, threat_j)
             + willingness_gain * (min(willingness_i, willingness_j) - 0.5)
             - us_transactional_penalty * USA.transactionalism         (pairs with the USA)
             - hedging_penalty * mean(hedging_i, hedging_j)
             - spill_d * history_penalty * mean(history_salience) * mean(history_stance)   (ROK_JPN)
             + quasi_alliance_gain * min(ROK.abandonment, JPN.abandonment) * (1 - mean(history_salience))   (ROK_JPN)
             - polarization_penalty * w_camp * ROK.polarization          (ROK_JPN; w_camp: politics.polarization_weight)
             + inst_anchor * institutionalization
             + upkeep_anchor * upkeep_weight * institutionalization * (upkeep - 0.5)
    spill_d  = 1 - two_track * (1 - history_spillover_d)
    change_d = tie_adjust_rate * responsiveness_d * (target_d - tie_d)   (x (1 - inst_damping * inst) if < 0)
             + tie_noise * N(0, 1)   (one draw per pair and turn)
    """
    x, P, state, layout = model.x, model.params, model.state, model.scenario.layout
    if state.compiled and not state.recorder.enabled:
        _cooperation_compiled(model)
        return
    rows = layout.rows
    responsiveness = model.responsiveness[:, None]
    inst = x[rows["institutionalization"]]
    spill = 1.0 - P["two_track"] * (1.0 - model.history_spillover[:, None])

    def v(name: str) -> np.ndarray:
        return x[rows[name]]

    maintained = P["upkeep_anchor"] * P["upkeep_weight"] * inst * (v("upkeep") - 0.5)
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
            (MAINTAINED_INSTITUTIONS, maintained),
        ]
        history: np.ndarray | None = None
        if "USA" in (i, j):
            terms.append((US_TRANSACTIONALISM, -P["us_transactional_penalty"] * v("USA.transactionalism")))
        if pair == "ROK_JPN":
            salience = 0.5 * (v("ROK.history_salience") + v("JPN.history_salience"))
            stance = 0.5 * (v("ROK.history_stance") + v("JPN.history_stance"))
            history = -P["history_penalty"] * salience * stance
            shared_fear = np.minimum(v("ROK.abandonment"), v("JPN.abandonment"))
            terms.append((QUASI_ALLIANCE, P["quasi_alliance_gain"] * shared_fear * (1.0 - salience)))
            weight = politics.polarization_weight(model)  # issue 10: the camp in power shapes the penalty
            terms.append((KOREAN_POLARIZATION, -P["polarization_penalty"] * weight * v("ROK.polarization")))
        tie_rows = layout.tie_rows(pair)
        rate = P["tie_adjust_rate"] * responsiveness
        drivers = sum(term for _, term in terms)
        ties = x[tie_rows].copy()
        undamped = rate * (P["tie_base"] + drivers - ties)
        if history is not None:
            undamped = undamped + rate * spill * history
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
            if history is not None:
                recorder.add_mean(HISTORY_SALIENCE, tie_rows, _mean_product(rate * spill, history))
            recorder.add_mean(DRIFT, tie_rows, _mean_product(rate, P["tie_base"] - ties))
            recorder.add_mean(DAMPING, tie_rows, damping.mean(axis=1))
            recorder.add_mean(NOISE, tie_rows, np.full(len(responsiveness), np.mean(noise)))
            clipped = (new - ties) - total
            if np.any(clipped):
                recorder.add_mean(BOUNDS, tie_rows, clipped.mean(axis=1))
    state.refresh_ties(force=True)


def coefficient_matrix(model: TrilateralModel, names: tuple[str, ...]) -> np.ndarray:
    """The named coefficients as a kernel reads them (``kernels.coefficients``)."""
    from sim.engine import kernels

    return kernels.coefficients([model.params[name] for name in names], model.replications)


def _standard_normals(model: TrilateralModel) -> np.ndarray:
    """This turn's N(0, 1) tie noise draws, one row per pair (shape (3, R))."""
    return model.streams.normals(model.turn, [_NOISE_STREAMS[pair] for pair in PAIRS])


def _cooperation_compiled(model: TrilateralModel) -> None:
    """:func:`cooperation` with the record off on the compiled engine: one fused kernel, the same bits."""
    from sim.engine import kernels
    from sim.engine.kernels import dynamics as fused

    layout = model.scenario.layout
    rows = layout.rows
    members = np.array(
        [
            [rows[f"{gov}.{var}"] for var in fused.COOPERATION_MEMBER_VARIABLES for gov in PAIR_MEMBERS[pair]]
            for pair in PAIRS
        ],
        dtype=np.int64,
    )
    kinds = np.array([2 if pair == "ROK_JPN" else int("USA" in PAIR_MEMBERS[pair]) for pair in PAIRS], dtype=np.int64)
    kernels.load().cooperation_step(
        model.x,
        np.array([rows[name] for name in fused.COOPERATION_SHARED], dtype=np.int64),
        members,
        kinds,
        np.array([layout.tie_rows(pair).start for pair in PAIRS], dtype=np.int64),
        coefficient_matrix(model, fused.COOPERATION_SLOTS),
        np.asarray(model.responsiveness, dtype=np.float64),
        np.asarray(model.history_spillover, dtype=np.float64),
        np.ascontiguousarray(politics.polarization_weight(model), dtype=np.float64),
        _standard_normals(model),
    )
    model.state.refresh_ties(force=True)


def _outcomes_compiled(model: TrilateralModel) -> None:
    """:func:`outcomes` with the record off on the compiled engine: one fused kernel, the same bits."""
    from sim.engine import kernels
    from sim.engine.kernels import dynamics as fused

    layout, state = model.scenario.layout, model.state
    rows = layout.rows
    if "deterrence" in layout.domains:
        tie_rows = [rows[f"tie.{pair}.deterrence"] for pair in PAIRS]
    else:
        tie_rows = [rows[f"tie.{pair}"] for pair in PAIRS]
    for name in ("upkeep", "institutionalization", "deterrence"):
        state._touch(slice(rows[name], rows[name] + 1))  # as WorldState.apply does
    lo, hi = state.float_bounds
    kernels.load().outcomes_step(
        model.x,
        np.array([*(rows[name] for name in fused.OUTCOME_ROWS), *tie_rows], dtype=np.int64),
        coefficient_matrix(model, fused.OUTCOME_SLOTS),
        lo,
        hi,
    )


def _upkeep(model: TrilateralModel) -> None:
    """Upkeep rises with this turn's institutional investments and standing institutions, and fades.

    invest  = max(institutionalization - inst_settled, 0)   (what summits, cards, events and rules added)
    upkeep += (1 - upkeep) * clip(upkeep_per_inst * invest + upkeep_self * institutionalization, 0, 1)
              - upkeep_decay * upkeep
    """
    x, P, state, rows = model.x, model.params, model.state, model.scenario.layout.rows
    inst = x[rows["institutionalization"]]
    upkeep_row = slice(rows["upkeep"], rows["upkeep"] + 1)
    upkeep = x[upkeep_row][0]
    invest = np.maximum(inst - x[rows["inst_settled"]], 0.0)
    signal = np.clip(P["upkeep_per_inst"] * invest + P["upkeep_self"] * inst, 0.0, 1.0)
    state.apply_parts(
        upkeep_row,
        [(INSTITUTIONAL_UPKEEP, signal * (1.0 - upkeep)), (UPKEEP_FADES, -P["upkeep_decay"] * upkeep)],
    )


def outcomes(model: TrilateralModel) -> None:
    """Trilateral index, institutional upkeep and institutionalization, deterrence credibility.

    trilateral = weakest_weight * min(ties) + (1 - weakest_weight) * mean(ties)   (always current)
    upkeep: see _upkeep
    institutionalization += inst_build * max(trilateral - inst_threshold, 0) * (1 - inst)
                            * ((1 - upkeep_weight) + upkeep_weight * upkeep)
                          - inst_erosion * max(inst_threshold - trilateral, 0) * inst
                          - inst_lapse * upkeep_weight * (1 - upkeep) * inst
    deterrence += deterrence_rate * (clip(deterrence_base + deterrence_tie_gain * mean(deterrence-domain ties)
                  + deterrence_commitment_gain * (USA.commitment - 0.5)
                  - deterrence_threat_drag * DPRK.capability, 0, 1) - deterrence)
    """
    x, P, state, layout = model.x, model.params, model.state, model.scenario.layout
    if state.compiled and not state.recorder.enabled:
        _outcomes_compiled(model)
        return
    rows = layout.rows
    ties = state.pair_ties()
    # The trilateral index itself is kept up to date by WorldState.refresh_ties.
    new_index = x[rows["trilateral"]]

    _upkeep(model)
    upkeep = x[rows["upkeep"]]
    weight = P["upkeep_weight"]
    inst_row = slice(rows["institutionalization"], rows["institutionalization"] + 1)
    inst = x[inst_row][0]
    state.apply_parts(
        inst_row,
        [
            (
                INSTITUTION_BUILDING,
                P["inst_build"]
                * np.maximum(new_index - P["inst_threshold"], 0)
                * (1 - inst)
                * ((1.0 - weight) + weight * upkeep),
            ),
            (
                INSTITUTIONAL_EROSION,
                -P["inst_erosion"] * np.maximum(P["inst_threshold"] - new_index, 0) * inst,
            ),
            (INSTITUTIONAL_LAPSE, -P["inst_lapse"] * weight * (1.0 - upkeep) * inst),
        ],
    )
    x[rows["inst_settled"]] = x[inst_row][0]
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
