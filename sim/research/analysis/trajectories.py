"""Trajectory analytics from a sweep's per-turn records: fan charts, time to event, typical paths.

Per-turn records exist when the experiment keeps them (``outputs: {keep_trajectories: true}``,
stored in ``trajectories/``) or records turns as rows (``outputs: {at: every}`` or a list of
turns, in ``parts/``). :func:`read_trajectories` loads one or more variables for at most
``max_runs`` runs (every k-th run, so memory stays bounded); :func:`fan_table` gives percentile
bands per group and turn; :func:`time_to_event` the first turn at which a condition (compiled by
the scenario expression compiler) holds, with runs in which it never holds counted as censored;
:func:`cluster_paths` groups standardized trajectories with k-means into a few typical paths,
each with the run nearest its centre, replayable with ``trilat run --from-sweep DIR --run ID``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.errors import did_you_mean
from sim.lang.expr import ExprError, Expression, Symbols, compile_expression
from sim.research.analysis.parts import PartReader
from sim.research.sweep import PARTS, TRAJECTORIES, Manifest, SweepError

BANDS = (5.0, 25.0, 50.0, 75.0, 95.0)
DEFAULT_MAX_RUNS = 20_000


@dataclass
class Trajectories:
    """Per-turn values of some variables for a sample of a sweep's runs.

    Attributes:
        variables: the variables, in ``values`` order.
        turns: the recorded turns.
        run_ids: each run's id (the ``--run`` of ``trilat run --from-sweep``).
        point_ids: each run's design point.
        values: shape (runs, variables, turns); NaN where a run has no record for a turn.
        stride: every ``stride``-th run was kept.
    """

    variables: list[str]
    turns: np.ndarray
    run_ids: np.ndarray
    point_ids: np.ndarray
    values: np.ndarray
    stride: int

    def series(self, variable: str) -> np.ndarray:
        """One variable's values, shape (runs, turns)."""
        return self.values[:, self.variables.index(variable), :]


def _source(manifest: Manifest, out_dir: Path) -> str:
    if manifest.keep_trajectories:
        return TRAJECTORIES
    if all(s.recorded_turns is not None and len(s.recorded_turns) > 1 for s in manifest.scenarios):
        return PARTS
    raise SweepError(
        f"{out_dir} keeps no per-turn records: set 'outputs: {{at: every}}' or 'keep_trajectories: true' "
        "in the experiment file and run the sweep again"
    )


def read_trajectories(
    out_dir: str | Path,
    manifest: Manifest,
    variables: list[str],
    max_runs: int = DEFAULT_MAX_RUNS,
    parts: PartReader | None = None,
) -> Trajectories:
    """Read the per-turn values of ``variables`` for every k-th run (at most about ``max_runs`` runs).

    ``parts`` reads the per-turn records (default: a new reader, which checks the parts first);
    a part that cannot be read is named, skipped and counted there.

    Raises:
        SweepError: when the sweep kept no per-turn records, a variable was not recorded, or no
            chunk has finished.
    """
    out = Path(out_dir)
    kind = _source(manifest, out)
    for name in variables:
        if name not in manifest.indicators:
            raise SweepError(f"'{name}' was not recorded in {out}{did_you_mean(name, manifest.indicators)}")
    stride = max(1, -(-manifest.total_runs // max(1, max_runs)))
    parts = parts if parts is not None else PartReader.open(out, manifest)
    frames = []
    for chunk in parts.chunks(key=lambda c: c.first_run):
        names = parts.schema_names(chunk, kind)
        run_column = "run" if names is not None and "run" in names else "replication"
        table = parts.read(chunk, ["point_id", run_column, "turn", *variables], kind) if names is not None else None
        if table is None:
            continue
        if stride > 1:
            table = table.filter(pa.array(table[run_column].to_numpy() % stride == 0))
        frames.append(table.to_pandas().rename(columns={run_column: "run"}))
    if not frames:
        raise SweepError(f"{out}: no finished results to analyze yet")
    frame = pd.concat(frames, ignore_index=True)
    turns = np.unique(frame["turn"].to_numpy())
    run_ids, row = np.unique(frame["run"].to_numpy(), return_inverse=True)
    column = np.searchsorted(turns, frame["turn"].to_numpy())
    values = np.full((len(run_ids), len(variables), len(turns)), np.nan)
    for j, name in enumerate(variables):
        values[row, j, column] = frame[name].to_numpy(dtype=np.float64)
    points = np.zeros(len(run_ids), dtype=np.int64)
    points[row] = frame["point_id"].to_numpy()
    return Trajectories(list(variables), turns, run_ids, points, values, stride)


def fan_table(trajectories: Trajectories, groups: np.ndarray, variable: str) -> pd.DataFrame:
    """Percentile bands (p5, p25, p50, p75, p95) and mean of ``variable`` per group and turn."""
    series = trajectories.series(variable)
    rows = []
    for group in pd.unique(groups):
        block = series[groups == group]
        with warnings.catch_warnings():  # a turn that no run of the group reached gives NaN bands
            warnings.simplefilter("ignore", RuntimeWarning)
            bands = np.nanpercentile(block, BANDS, axis=0)
            means = np.nanmean(block, axis=0)
        for t, turn in enumerate(trajectories.turns):
            rows.append(
                {
                    "variable": variable,
                    "group": str(group),
                    "turn": int(turn),
                    "runs": int(np.isfinite(block[:, t]).sum()),
                    "mean": float(means[t]),
                    **{f"p{int(q)}": float(bands[k, t]) for k, q in enumerate(BANDS)},
                }
            )
    return pd.DataFrame(rows)


def compile_condition(text: str, recorded: list[str]) -> tuple[Expression, list[str]]:
    """Compile an event condition over recorded variables and ``turn``; return it and the variables it reads.

    The expression's state rows are the positions in ``recorded``.

    Raises:
        SweepError: for a condition that does not compile, with the column of the problem.
    """
    symbols = Symbols(state={name: j for j, name in enumerate(recorded)}, params={}, context={"turn": 0})
    try:
        expression = compile_expression(text, symbols, "analyze:event")
    except ExprError as exc:
        raise SweepError(f"--event '{text}': column {exc.offset + 1}: {exc.message}") from None
    if expression.random:
        raise SweepError(f"--event '{text}': a condition cannot draw random numbers")
    return expression, [name for name in recorded if name in expression.names]


def first_turn(trajectories: Trajectories, condition: str) -> np.ndarray:
    """Per run, the first recorded turn at which ``condition`` holds (NaN: it never does, censored).

    Raises:
        SweepError: for a condition that does not compile or reads a variable not loaded.
    """
    expression, names = compile_condition(condition, trajectories.variables)
    runs = len(trajectories.run_ids)
    rows = [trajectories.variables.index(name) for name in names]
    first = np.full(runs, np.nan)
    for t, turn in enumerate(trajectories.turns):
        state = trajectories.values[:, :, t].T
        held = np.broadcast_to(np.asarray(expression(state, [], [float(turn)], None)) != 0, (runs,))
        observed = np.isfinite(state[rows]).all(axis=0)
        new = held & observed & np.isnan(first)
        first[new] = turn
    return first


def time_to_event(trajectories: Trajectories, first: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Kaplan-Meier table per group and turn: runs at risk, events, survival and cumulative share.

    A run in which the condition never holds is censored at its last recorded turn.
    """
    last = np.array([trajectories.turns[np.isfinite(v).any(axis=0)].max() for v in trajectories.values])
    rows = []
    for group in pd.unique(groups):
        mine = groups == group
        event_turn, censor_turn = first[mine], last[mine]
        survival = 1.0
        for turn in trajectories.turns:
            at_risk = int((np.isnan(event_turn) & (censor_turn >= turn) | (event_turn >= turn)).sum())
            events = int((event_turn == turn).sum())
            if at_risk:
                survival *= 1.0 - events / at_risk
            rows.append(
                {
                    "group": str(group),
                    "turn": int(turn),
                    "at_risk": at_risk,
                    "events": events,
                    "censored": int((np.isnan(event_turn) & (censor_turn == turn)).sum()),
                    "survival": survival,
                    "cumulative": 1.0 - survival,
                }
            )
    return pd.DataFrame(rows)


def event_summary(first: np.ndarray, groups: np.ndarray, table: pd.DataFrame) -> pd.DataFrame:
    """Per group: runs, events, censored runs, median time to event (Kaplan-Meier), mean among events."""
    rows = []
    for group in pd.unique(groups):
        mine = first[groups == group]
        curve = table[table["group"] == str(group)]
        below = curve[curve["survival"] <= 0.5]
        rows.append(
            {
                "group": str(group),
                "runs": len(mine),
                "events": int(np.isfinite(mine).sum()),
                "censored": int(np.isnan(mine).sum()),
                "median_turn": float(below["turn"].iloc[0]) if len(below) else float("nan"),
                "mean_turn_of_events": float(np.nanmean(mine)) if np.isfinite(mine).any() else float("nan"),
            }
        )
    return pd.DataFrame(rows)


@dataclass
class Clusters:
    """Typical paths: k-means labels per run, centres, and the run nearest each centre."""

    labels: np.ndarray
    representatives: np.ndarray
    """Index (into the runs) of the run nearest each cluster's centre."""
    table: pd.DataFrame


def cluster_paths(
    trajectories: Trajectories, variables: list[str], k: int = 4, seed: int = 0, out_dir: str | Path = "DIR"
) -> Clusters:
    """Cluster standardized trajectories with k-means; each cluster gets its representative run.

    Each variable is standardized over all runs and turns (one mean and sd per variable, so a
    path's shape over time is kept), the turns of all variables are laid side by side, and
    scikit-learn's k-means (10 starts, seeded) groups the runs.

    Returns:
        Labels per run, the representative run of each cluster (nearest its centre), and a table:
        cluster, runs, share, representative run id and design point, mean final value per
        variable, and the command that replays the representative.
    """
    from sklearn.cluster import KMeans  # heavy: only when clustering

    blocks = []
    for name in variables:
        series = trajectories.series(name)
        sd = float(np.nanstd(series)) or 1.0
        blocks.append(np.nan_to_num((series - np.nanmean(series)) / sd))
    features = np.hstack(blocks)
    k = max(1, min(k, len(features)))
    model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(features)
    labels = model.labels_
    distance = np.linalg.norm(features - model.cluster_centers_[labels], axis=1)
    order = np.argsort(-np.bincount(labels, minlength=k), kind="stable")
    relabel = np.empty(k, dtype=np.int64)
    relabel[order] = np.arange(k)
    labels = relabel[labels]
    representatives = np.empty(k, dtype=np.int64)
    rows = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        rep = int(members[np.argmin(distance[members])])
        representatives[c] = rep
        run_id = int(trajectories.run_ids[rep])
        row: dict[str, Any] = {"cluster": c + 1, "runs": len(members), "share": len(members) / len(labels)}
        row |= {"representative_run": run_id, "point_id": int(trajectories.point_ids[rep])}
        for name in variables:
            final = trajectories.series(name)[members]
            row[f"{name}:final_mean"] = float(np.nanmean([r[np.isfinite(r)][-1] for r in final]))
        row["replay"] = f"trilat run --from-sweep {out_dir} --run {run_id}"
        rows.append(row)
    return Clusters(labels, representatives, pd.DataFrame(rows))
