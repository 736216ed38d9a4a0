"""Many-objective search over levers: NSGA-II (pymoo) on robustness metrics over the uncertainties.

``trilat optimize EXPERIMENT --out DIR`` searches the experiment's levers for policies that do
well on the objectives of its ``optimize:`` block, each a robustness metric (mean, p5, p50, p95,
satisficing share) of an outcome's per-point statistic over the uncertainty sample. A policy is
evaluated on the experiment's whole uncertainty design, every scenario, with its replications
under common random numbers (run ``k`` of every point meets replication index ``k``), exactly as
a sweep of the experiment with that policy runs it. ``DIR`` gets ``evaluations.parquet`` (every
evaluated policy: lever values, objectives, whether it is on the Pareto front),
``pareto.parquet``, and ``replay.yaml``: the experiment with every evaluated policy under
``policies:`` (and, without a ``robustness:`` block, the first objective's outcome as its
robustness outcome), so that ``trilat sweep DIR/replay.yaml`` replays each of them run for run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.atomic import atomic_write, atomic_write_text
from sim.research.card_levers import label_value, value_label
from sim.research.experiment import Experiment, design_table, load_experiment
from sim.research.experiment_spec import Lever, Objective
from sim.research.levers import POLICY_COLUMN, Policy, make_policy
from sim.research.outcomes import point_statistic, run_outcomes, statistic_of
from sim.research.sweep.guard import make_folder
from sim.research.sweep.layout import SweepError
from sim.research.sweep.simulate import simulate

CHUNK_RUNS = 10_000
"""Runs per model when a policy is evaluated (whole design points)."""
DIGITS = 4
"""Decimals a numeric lever value is rounded to (so the replayed policy is the evaluated one)."""


def decode(levers: list[Lever], u: np.ndarray) -> dict[str, float | str]:
    """Lever values from unit coordinates: a category by its slice of [0, 1], a number in its range.

    A categorical lever (a strategy, a ban, a script) takes one of its listed values; a ban's
    value is given by its label (``none``, ``hedge_toward_china``, ``a+b``).
    """
    setting: dict[str, float | str] = {}
    for lever, x in zip(levers, u, strict=True):
        numeric = [float(v) for v in lever.values if isinstance(v, int | float)]
        if lever.kind != "parameter" or len(numeric) < 2:
            value = lever.values[min(int(x * len(lever.values)), len(lever.values) - 1)]
            setting[lever.name] = value_label(value) if isinstance(value, list) else value
        else:
            low, high = min(numeric), max(numeric)
            setting[lever.name] = round(low + float(x) * (high - low), DIGITS)
    return setting


def _policy(experiment: Experiment, name: str, setting: dict[str, float | str]) -> Policy:
    levers = {lever.name: lever for lever in experiment.spec.levers}
    return make_policy(name, {k: label_value(levers[k], v) for k, v in setting.items()}, levers)


def _metric(values: np.ndarray, objective: Objective) -> float:
    if objective.metric == "mean":
        return float(values.mean())
    if objective.metric == "satisficing":
        assert objective.threshold is not None
        meets = values >= objective.threshold if objective.direction == "maximize" else values <= objective.threshold
        return float(meets.mean())
    return float(np.percentile(values, float(objective.metric[1:])))


class Evaluator:
    """Evaluates policies of an experiment on its uncertainty design (common random numbers)."""

    def __init__(self, experiment: Experiment) -> None:
        self.experiment = experiment
        design = design_table(experiment)
        if POLICY_COLUMN in design.columns:
            design = design[design[POLICY_COLUMN] == experiment.policies[0].name]
        self.design = design
        self.outcomes = run_outcomes(experiment.spec.outcomes)
        self.names = [o.name for o in self.outcomes]

    def point_statistics(self, policy: Policy, name: str) -> np.ndarray:
        """The statistic of outcome (or indicator) ``name`` at every uncertainty point, all scenarios."""
        return self.all_statistics(policy, [name])[name]

    def all_statistics(self, policy: Policy, names: list[str]) -> dict[str, np.ndarray]:
        """Per-point statistics of several outcomes or indicators under ``policy``."""
        experiment, reps = self.experiment, self.experiment.spec.replications
        found: dict[str, list[np.ndarray]] = {name: [] for name in names}
        per_model = max(1, CHUNK_RUNS // reps)
        for scenario in experiment.scenarios:
            rows = self.design[self.design["scenario"] == scenario.id]
            values = rows[experiment.parameter_names].to_numpy(dtype=np.float64)
            for start in range(0, len(rows), per_model):
                block = values[start : start + per_model]
                parameters: dict[str, Any] = {**experiment.fixed, **policy.parameters}
                for j, parameter in enumerate(experiment.parameter_names):
                    parameters[parameter] = np.repeat(block[:, j], reps)
                indicators = [n for n in names if n not in self.names]
                recorded = simulate(
                    scenario,
                    seed=experiment.spec.seed,
                    replication_ids=np.tile(np.arange(reps, dtype=np.int64), len(block)),
                    turns=experiment.turns_of(scenario),
                    parameters=parameters,
                    indicators=indicators,
                    strategies=policy.strategies,
                    bans=policy.bans,
                    script=policy.script,
                    outcomes=self.outcomes,
                )
                for name in names:
                    if name in self.names:
                        assert recorded.outcomes is not None
                        spec = experiment.spec.outcomes[name]
                        runs = recorded.outcomes[self.names.index(name)].reshape(len(block), reps)
                        stat = point_statistic(runs, statistic_of(spec), spec.q, axis=1)
                    else:
                        stat = recorded.final[indicators.index(name)].reshape(len(block), reps).mean(axis=1)
                    found[name].append(np.asarray(stat, dtype=np.float64))
        return {name: np.concatenate(parts) for name, parts in found.items()}

    def objectives(self, policy: Policy) -> list[float]:
        """The policy's value of every objective of the experiment's ``optimize:`` block."""
        assert self.experiment.spec.optimize is not None
        chosen = self.experiment.spec.optimize.objectives
        stats = self.all_statistics(policy, list(dict.fromkeys(o.outcome for o in chosen)))
        return [_metric(stats[o.outcome], o) for o in chosen]


def pareto_mask(minimized: np.ndarray) -> np.ndarray:
    """Which rows are not dominated (every objective to be minimized)."""
    n = len(minimized)
    mask = np.ones(n, dtype=bool)
    for i in range(n):
        others = minimized[np.arange(n) != i]
        dominated = np.all(others <= minimized[i], axis=1) & np.any(others < minimized[i], axis=1)
        mask[i] = not dominated.any()
    return mask


@dataclass
class OptimizeResult:
    """Every evaluated policy (``evaluations``), the Pareto set, and the files written."""

    evaluations: pd.DataFrame
    pareto: pd.DataFrame
    files: list[Path]


def _objective_columns(objectives: list[Objective]) -> list[str]:
    return [f"{o.metric}({o.outcome})" for o in objectives]


def _search(experiment: Experiment, evaluator: Evaluator) -> list[dict[str, Any]]:
    """Run NSGA-II; return one record per distinct evaluated policy, in evaluation order."""
    from pymoo.algorithms.moo.nsga2 import NSGA2  # heavy: only for trilat optimize
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize

    spec = experiment.spec
    assert spec.optimize is not None
    levers, objectives = spec.levers, spec.optimize.objectives
    signs = np.array([-1.0 if o.direction == "maximize" else 1.0 for o in objectives])
    records: list[dict[str, Any]] = []
    cache: dict[tuple[Any, ...], list[float]] = {}
    generation = [0]

    class _Problem(Problem):
        def __init__(self) -> None:
            super().__init__(n_var=len(levers), n_obj=len(objectives), xl=0.0, xu=1.0)

        def _evaluate(self, x: np.ndarray, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            rows = []
            for u in x:
                setting = decode(levers, u)
                key = tuple(setting.values())
                if key not in cache:
                    name = f"e{len(records) + 1:04d}"
                    cache[key] = evaluator.objectives(_policy(experiment, name, setting))
                    records.append({"policy": name, "generation": generation[0], **setting, "values": cache[key]})
                rows.append(cache[key])
            generation[0] += 1
            out["F"] = np.asarray(rows) * signs

    minimize(
        _Problem(),
        NSGA2(pop_size=spec.optimize.population),
        ("n_gen", spec.optimize.generations),
        seed=spec.seed % (2**32),
        verbose=False,
    )
    return records


def _replay_spec(experiment: Experiment, table: pd.DataFrame) -> dict[str, Any]:
    """The experiment with every evaluated policy under ``policies:`` (scenario paths made absolute)."""
    spec = experiment.spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    spec["id"] = f"{experiment.id}-replay"
    spec["scenarios"] = [str(s.path.resolve()) for s in experiment.scenarios]
    spec["common_random_numbers"] = True
    levers = experiment.spec.levers
    spec["policies"] = {
        row["policy"]: {lever.name: label_value(lever, row[lever.name]) for lever in levers}
        for row in table.to_dict("records")
    }
    spec.pop("optimize", None)
    if "robustness" not in spec and experiment.spec.optimize is not None:
        first = experiment.spec.optimize.objectives[0]
        spec["robustness"] = {"outcome": first.outcome, "direction": first.direction}
    return spec


def optimize(experiment_path: str | Path, out_dir: str | Path, *, echo: bool = True) -> OptimizeResult:
    """Search the levers of an experiment for its Pareto set of policies; write the results.

    Raises:
        SweepError: for an experiment without an ``optimize:`` block.
    """
    experiment = load_experiment(experiment_path)
    spec = experiment.spec
    if spec.optimize is None:
        raise SweepError(f"{experiment.path}: no optimize: block (objectives to search the levers for)")
    out = Path(out_dir)
    make_folder(out)
    records = _search(experiment, Evaluator(experiment))
    columns = _objective_columns(spec.optimize.objectives)
    table = pd.DataFrame([{k: v for k, v in r.items() if k != "values"} for r in records])
    values = np.array([r["values"] for r in records])
    for j, column in enumerate(columns):
        table[column] = values[:, j]
    signs = np.array([-1.0 if o.direction == "maximize" else 1.0 for o in spec.optimize.objectives])
    table["pareto"] = pareto_mask(values * signs)
    for lever in spec.levers:  # categorical levers as text, numeric ones as numbers
        if lever.kind != "parameter":
            table[lever.name] = table[lever.name].astype(str)
    pareto = table[table["pareto"]].reset_index(drop=True)
    files = [out / "evaluations.parquet", out / "pareto.parquet", out / "replay.yaml"]
    atomic_write(files[0], lambda handle: table.to_parquet(handle, index=False), binary=True)
    atomic_write(files[1], lambda handle: pareto.to_parquet(handle, index=False), binary=True)
    atomic_write_text(files[2], yaml.safe_dump(_replay_spec(experiment, table), sort_keys=False))
    if echo:
        print(
            f"{len(table)} policies evaluated ({spec.optimize.generations} generations of {spec.optimize.population})"
        )
        print(f"Pareto set ({len(pareto)} policies):")
        print(pareto.drop(columns=["pareto"]).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        print(f"wrote {', '.join(str(f) for f in files)}")
        print(f"replay every evaluated policy: trilat sweep {files[2]} --out DIR")
    return OptimizeResult(table, pareto, files)
