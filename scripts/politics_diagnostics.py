"""The eight diagnostics of issue 10, measured on 2,000-world ensembles (seed 1).

Run from a checkout: ``python scripts/politics_diagnostics.py [--json]``. Each figure is the one
the issue quotes, computed the same way, so a model change can be compared with the numbers the
second-generation model was built to fix. It prints what it measured and never asserts anything
(the stylized-fact tests under tests/ are the assertions).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from sim import TrilateralModel, load_scenario
from sim.lang.scenario import library_ids

WORLDS, SEED = 2000, 1


def _row(model: TrilateralModel, name: str) -> np.ndarray:
    return model.x[model.scenario.layout.rows[name]]


def _has(model: TrilateralModel, name: str) -> bool:
    return name in model.scenario.layout.rows


def _step_all(model: TrilateralModel, watch: list[str], by: str | None = None) -> dict[str, Any]:
    """Step to the end; per watched counter, the increments per world and turn (and the grouping row)."""
    increments: dict[str, list[np.ndarray]] = {name: [] for name in watch if _has(model, name)}
    groups: list[np.ndarray] = []
    while model.running:
        before = {name: _row(model, name).copy() for name in increments}
        group = _row(model, by).copy() if by else None
        model.step()
        for name in increments:
            increments[name].append(_row(model, name) - before[name])
        if group is not None:
            groups.append(group)
    return {"increments": increments, "groups": groups}


def history_politics() -> dict[str, Any]:
    """1. Grievance/shrine/reconciliation plays per quarter by camp in power."""
    out: dict[str, Any] = {}
    model = TrilateralModel(load_scenario("baseline"), replications=WORLDS, seed=SEED)
    for gov, cards in (
        ("ROK", ["ROK.raise_history_grievance", "ROK.separate_history_track"]),
        ("JPN", ["JPN.shrine_visit", "JPN.history_statement"]),
    ):
        model = TrilateralModel(load_scenario("baseline"), replications=WORLDS, seed=SEED)
        stepped = _step_all(model, [f"played.{c}" for c in cards], by=f"{gov}.camp")
        camps = np.array(stepped["groups"])
        for card in cards:
            inc = np.array(stepped["increments"].get(f"played.{card}", []))
            if inc.size == 0:
                continue
            for camp in (0, 1):
                mask = camps == camp
                out[f"{card} per quarter, camp {camp}"] = float(inc[mask].mean()) if mask.any() else None
    return out


def transactional(setting: float) -> dict[str, Any]:
    """2/3/8. Card plays and ties at a given U.S. transactionalism."""
    model = TrilateralModel(
        load_scenario("baseline"), replications=WORLDS, seed=SEED, parameters={"us_transactionalism": setting}
    )
    capital: list[np.ndarray] = [_row(model, "USA.capital").copy()]
    while model.running:
        model.step()
        capital.append(_row(model, "USA.capital").copy())
    changes = np.diff(np.array(capital), axis=0)
    a, b = changes[:-1].ravel(), changes[1:].ravel()
    lag1 = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float("nan")
    played = {
        card: float(_row(model, f"played.{card}").mean())
        for card in (
            "USA.burden_sharing_ultimatum",
            "USA.tariff_threat",
            "USA.deterrence_reassurance",
            "ROK.investment_pledge",
            "ROK.hedge_toward_china",
        )
        if _has(model, f"played.{card}")
    }
    return {
        "played per 16 quarters": played,
        "tie.ROK_JPN": float(_row(model, "tie.ROK_JPN").mean()),
        "tie.USA_ROK p95": float(np.percentile(_row(model, "tie.USA_ROK"), 95)),
        "USA capital lag-1 autocorrelation of changes": lag1,
    }


def spillover() -> dict[str, float]:
    """4. What a history flare-up does to each ROK-Japan domain."""
    finals = {}
    for chance in (0.0, 0.5):
        model = TrilateralModel(
            load_scenario("baseline"), replications=WORLDS, seed=SEED, parameters={"history_flare_chance": chance}
        ).run()
        finals[chance] = {
            d: float(_row(model, f"tie.ROK_JPN.{d}").mean()) for d in ("history", "deterrence", "exercises")
        }
    return {domain: finals[0.5][domain] - finals[0.0][domain] for domain in finals[0.0]}


def across_library() -> dict[str, Any]:
    """5/6/7. Polarization, perceived threat and institutionalization across the library."""
    rows = {}
    for ident in library_ids():
        scenario = load_scenario(ident)
        model = TrilateralModel(scenario, replications=WORLDS, seed=SEED, record=False)
        start_inst = float(_row(model, "institutionalization").mean())
        model.run()
        rows[ident] = {
            "ROK.polarization": float(_row(model, "ROK.polarization").mean()),
            "JPN.polarization mean": float(_row(model, "JPN.polarization").mean()),
            "JPN.polarization sd": float(_row(model, "JPN.polarization").std()),
            "ROK.threat": float(_row(model, "ROK.threat").mean()),
            "institutionalization rose": float(_row(model, "institutionalization").mean()) > start_inst,
        }
    return rows


def threat_and_institutions() -> dict[str, Any]:
    """6/7. Perceived threat by DPRK aggressiveness; a passive quiet baseline; institutional start."""
    out: dict[str, Any] = {}
    base = load_scenario("baseline")
    for level in (0.3, 0.6, 0.9):
        model = TrilateralModel(base, replications=WORLDS, seed=SEED, record=False)
        _row(model, "DPRK.aggressiveness")[:] = level
        model.run()
        out[f"ROK.threat at DPRK aggressiveness {level}"] = float(_row(model, "ROK.threat").mean())
    passive = {gov: "passive" for gov in ("USA", "ROK", "JPN")}
    model = TrilateralModel(base, replications=WORLDS, seed=SEED, turns=48, strategies=passive, record=False)
    start = {n: float(_row(model, n).mean()) for n in ("tie.ROK_JPN", "institutionalization")}
    model.run()
    out["passive 48 quarters (events as scheduled)"] = {n: (start[n], float(_row(model, n).mean())) for n in start}
    finals = {}
    for inst in (0.25, 0.6):
        model = TrilateralModel(base, replications=WORLDS, seed=SEED, record=False)
        _row(model, "institutionalization")[:] = inst
        model.state.refresh_ties()
        model.run()
        finals[inst] = float(_row(model, "trilateral").mean())
    out["final trilateral, institutionalization 0.6 minus 0.25"] = finals[0.6] - finals[0.25]
    return out


def main() -> None:
    """Print every diagnostic (text, or one JSON object)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {
        "1 history politics (baseline)": history_politics(),
        "2/3/8 transactionalism 0": transactional(0.0),
        "2/3/8 transactionalism 0.5": transactional(0.5),
        "2/3/8 transactionalism 1": transactional(1.0),
        "4 flare-up 0.5 vs 0 (domain change)": spillover(),
        "5/6/7 library": across_library(),
        "6/7 threat and institutions": threat_and_institutions(),
    }
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for section, values in results.items():
        print(f"== {section}")
        for key, value in values.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
