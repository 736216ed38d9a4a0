"""TrilateralModel: the Mesa model of U.S.-ROK-Japan cooperation, run over an ensemble of worlds.

One model instance carries R replications ("worlds") at once: every state variable is a numpy
row over the worlds, the agents act on whole rows, and scenario rules are compiled to numpy
once. R=1 is the single story a class plays; R=10,000 is a researcher's ensemble. Replication k
gets the same random numbers whatever the ensemble size, so its trajectory is bit-identical
when run alone (``replication_ids=[k]``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from agents import DomesticPolitics, Government, ThreatActor, make_strategy
from agents.schedule import merge_scripts, resolve_bans
from agents.strategies import Strategy
from sim.engine import bargaining, dynamics, indicators, kernels, sources, warmup
from sim.engine.explain import Contribution, contributions
from sim.engine.history import KeptHistory, Snapshot, as_keep, new_history
from sim.engine.layout import GOVERNMENTS, PHASES, THREAT_ACTORS
from sim.engine.layout import MODEL_OPTIONS as ALL_MODEL_OPTIONS
from sim.engine.limits import check_run_fits
from sim.engine.options import (
    as_record,
    as_replication_ids,
    as_seed,
    as_turns,
    parameter_values,
    strategy_choices,
)
from sim.engine.rng import CounterRNG
from sim.engine.sources import Source
from sim.engine.state import WorldState, elementwise_sum
from sim.engine.triggers import Firing, run_triggers
from sim.errors import UsageError, did_you_mean
from sim.lang.compiled import Event, Trigger
from sim.lang.compiled_scenario import Scenario

INDICATORS: tuple[str, ...] = indicators.NAMES
"""Indicators recorded every turn (means for the datacollector, full arrays in ``history``)."""


class _Draws:
    """The per-turn random-draw accessor handed to compiled expressions (``uniform``/``normal``)."""

    def __init__(self, model: TrilateralModel) -> None:
        self.model = model

    def uniform(self, stream: int) -> np.ndarray:
        return self.model.streams.uniform(self.model.turn, stream)

    def normal(self, stream: int) -> np.ndarray:
        return self.model.streams.normal(self.model.turn, stream)


MODEL_OPTIONS: tuple[str, ...] = tuple(name for name in ALL_MODEL_OPTIONS if name != "scenario")
"""The model's keyword-only options: the scenario language's reserved names less the positional
``scenario``. A scenario parameter may not take one of these names (a located validation error)."""


class TrilateralModel(mesa.Model):
    """The trilateral cooperation model (a real :class:`mesa.Model`).

    Model options are keyword arguments (their names are :data:`MODEL_OPTIONS`); scenario
    parameters go in ``parameters=``, so a scenario parameter may share a name with an option
    (``TrilateralModel(s, seed=3, parameters={"seed": 0.2})``).

    Args:
        scenario: a library id (``"baseline"``), a path, or an already loaded :class:`Scenario`.
        replications: number of worlds R carried at once (ignored if ``replication_ids`` is given).
        seed: the counter-based seed; ``rng`` (an int) is accepted as Mesa's name for it. If
            neither is given a random seed is drawn and kept in ``model.seed``.
        turns: number of turns to run (default: the scenario's); ``running`` turns False after.
        replication_ids: explicit replication indices to carry (e.g. ``[4711]``).
        strategies: per-government strategy names or instances overriding the scenario's.
        record: keep the cause-and-effect record (slower); True, False, or None (the default):
            on for a single world (R = 1), off for an ensemble.
        engine: ``"auto"`` (the default: the compiled numba engine when numba is installed and
            the ensemble is big enough for compiling to pay, see :func:`sim.engine.kernels.resolve`;
            else numpy), ``"numpy"`` or ``"compiled"``; both give bit-identical results.
            Resolved into ``model.engine`` (``"numpy"`` or ``"compiled"``); without numba,
            ``"compiled"`` falls back to numpy with a notice.
        keep: which past turns' indicators ``history`` keeps: ``"all"`` (the default; the game,
            reports and ``explain`` read them), ``"final"`` (an ensemble that reads only the
            final state) or a list of turns (0 = the start); see :mod:`sim.engine.history`.
            Results are identical whatever is kept.
        bans: per government, card ids it never plays in any world or turn
            (``{"ROK": ["hedge_toward_china"]}``), whether its strategy or the scenario's
            script would choose them; a human team submitting one is refused.
        script: per government, scripted moves by turn number or quarter label
            (``{"USA": {3: ["tariff_threat"], "2026Q1": []}}``), added to the scenario's
            ``script:`` (a quarter listed here replaces the scenario's moves for it).
        parameters: scenario parameter values by name, scalars or arrays of shape (R,).
        **swept: scenario parameter values as keyword arguments. This exists only for
            ``mesa.batch_run``, which passes every swept name as a keyword; a name that is a
            model option can only be given in ``parameters=``. Giving a parameter both ways is
            an error.

    Raises:
        UsageError: for a bad option value, an unknown parameter or one outside its range.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario = "baseline",
        *,
        replications: int = 1,
        seed: int | None = None,
        rng: int | None = None,
        turns: int | None = None,
        replication_ids: Sequence[int] | np.ndarray | None = None,
        strategies: Mapping[str, str | Strategy] | None = None,
        record: bool | None = None,
        engine: str = "auto",
        keep: str | Sequence[int] = "all",
        bans: Mapping[str, Sequence[str]] | None = None,
        script: Mapping[str, Mapping[int | str, Sequence[str]]] | None = None,
        parameters: Mapping[str, Any] | None = None,
        **swept: Any,
    ) -> None:
        if seed is not None and rng is not None:
            raise UsageError("pass either seed or rng, not both")
        chosen = seed if seed is not None else rng
        self.seed = secrets.randbits(62) if chosen is None else as_seed(chosen)
        super().__init__(rng=self.seed)
        self.scenario: Scenario = scenario if isinstance(scenario, Scenario) else _load(scenario)
        spec = self.scenario
        if spec.facts.abstract:
            raise UsageError(f"scenario '{spec.id}' is abstract (shared defaults); run a scenario that extends it")
        kept_turns = as_keep(keep)  # checked early; used when the history starts
        self.replication_ids = as_replication_ids(replications, replication_ids)
        self.replications = len(self.replication_ids)
        self.turns = as_turns(turns, spec.turns)
        record = as_record(record, self.replications)
        self.engine = kernels.resolve(engine, self.replications)
        compiled = self.engine == "compiled"
        check_run_fits(len(spec.layout.rows), self.replications, self.turns + spec.warmup, record)
        chosen_strategies = strategy_choices(spec, strategies)
        self.bans = resolve_bans(spec, bans)
        self.scripts = merge_scripts(spec, script, self.turns, self.bans)
        self.streams = CounterRNG(self.seed, self.replication_ids, compiled=compiled)
        self.draws = _Draws(self)
        self.params = self._resolve_parameters(parameter_values(parameters, swept))
        self.p = [self.params[name] for name in spec.parameter_names]
        self.parameter_version = 0  # raised by set_parameter (what is made from the parameters is made again)
        self.warmup = spec.warmup
        self.warming_up = False
        gaps = spec.series.gaps(1 - self.warmup, self.turns)
        if gaps:
            raise UsageError(
                f"series without a default have no value in a turn this run plays: {', '.join(gaps)}; "
                f"run at most {spec.turns} turns or give the series a default"
            )
        self.turn = 0
        self._label: tuple[int, str] = (0, spec.quarter_label(0))
        self.context: list[Any] = [0, *spec.start, *spec.series.row(1)]
        x0, self.profiles = spec.initial_state(self.p, self.replications)
        self.state = WorldState(spec.layout, x0, self.replications, record=record, compiled=compiled)
        self.x = self.state.x
        self.state.weakest_weight = self.params["weakest_weight"]
        self.state.refresh_ties(force=True)
        self.responsiveness = np.array(spec.facts.responsiveness)
        self.history_spillover = np.array(spec.facts.history_spillover)
        self.applied_camp = {g: np.full(self.replications, spec.camp_start[g]) for g in GOVERNMENTS}
        self.pending_choices: dict[str, tuple[str, ...]] = {}
        self.injections: list[Trigger] = []
        self._adjustments: list[tuple[Source, slice, np.ndarray]] = []
        self.log: list[Firing] = []
        self.elections: list[tuple[int, str, float]] = []

        for code in THREAT_ACTORS:
            ThreatActor(self, code)
        for code in GOVERNMENTS:
            DomesticPolitics(self, code)
        for code in GOVERNMENTS:
            Government(self, code, make_strategy(chosen_strategies[code]))
        self.governments = {a.code: a for a in self.agents_by_type[Government]}
        self.agents_by_type[ThreatActor].do("initialize")
        self.agents_by_type[Government].do("initialize")
        dynamics.initialize(self)
        self.start_state = self.x.copy()

        self._indicator_rows = [spec.layout.rows[name] for name in INDICATORS]
        self._run_warmup()
        self._means: np.ndarray | None = None  # the indicators' means while the datacollector collects
        block = self.x[self._indicator_rows]
        self.history: list[Snapshot] | KeptHistory = new_history(kept_turns, self._snapshot(block))
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_collected_mean, index=i, name=name) for i, name in enumerate(INDICATORS)}
        )
        self._collect(block)

    @property
    def scenario(self) -> Scenario:
        """The compiled scenario this model runs."""
        return self._scenario

    @scenario.setter
    def scenario(self, scenario: Scenario) -> None:
        # Mesa's setter also writes ``scenario.model = self``: a compiled scenario is shared by every
        # model built from it (a sweep worker's chunks, a game's shadow runs), so that back-reference
        # would keep the last model, and all its worlds' state, alive after the model is done.
        self._scenario = scenario

    # ----------------------------------------------------------------------------- set-up

    def _resolve_parameters(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        spec = self.scenario
        values: dict[str, Any] = dict(spec.parameter_defaults)
        for name, value in overrides.items():
            if name not in values:
                hint = did_you_mean(name, [*values, *MODEL_OPTIONS])
                raise UsageError(f"unknown parameter '{name}' for scenario '{spec.id}'{hint}")
            try:
                arr: float | np.ndarray = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                raise UsageError(f"parameter '{name}' must be a number or an array of numbers, got {value!r}") from None
            if np.ndim(arr) == 0:
                arr = float(arr)
            elif np.shape(arr) != (self.replications,):
                raise UsageError(f"parameter '{name}' must be a number or an array of {self.replications} values")
            declared = spec.facts.parameter_ranges[name]
            if declared is not None:
                lo, hi = declared
                if np.any(np.asarray(arr) < lo) or np.any(np.asarray(arr) > hi) or not np.all(np.isfinite(arr)):
                    raise UsageError(f"parameter '{name}'={value!r} is outside its range [{lo:g}, {hi:g}]")
            values[name] = arr
        return values

    # ----------------------------------------------------------------------------- running

    def choose(self, government: str, action_ids: Iterable[str]) -> None:
        """Submit a human team's cards for the next turn (played in every world that can afford them)."""
        if government not in GOVERNMENTS:
            raise UsageError(f"unknown government '{government}'{did_you_mean(government, GOVERNMENTS)}")
        known = {card.id for card in self.scenario.actions[government]}
        ids = tuple(action_ids)
        for ident in ids:
            if ident not in known:
                raise UsageError(f"unknown action '{ident}' for {government}{did_you_mean(ident, known)}")
            if ident in self.bans.get(government, ()):
                raise UsageError(f"{government} may not play '{ident}': this model bans it (bans=)")
        self.pending_choices[government] = ids

    def inject(self, event: str | Event) -> None:
        """Queue an event (a scenario event id, or a trigger from ``scenario.compile_injection``).

        It fires, in every world, in the events phase of the next turn, whatever its schedule,
        condition or chance in the scenario.
        """
        trigger = self.scenario.event(event) if isinstance(event, str) else event
        self.injections.append(replace(trigger, when=None, chance=None, at_turn=None, once=False))

    def set_parameter(self, name: str, value: float) -> None:
        """Change a scenario parameter from now on (checked against its declared range)."""
        resolved = self._resolve_parameters({name: value})
        self.params[name] = resolved[name]
        self.p[self.scenario.parameter_names.index(name)] = resolved[name]
        self.parameter_version += 1

    def set_state(self, name: str, value: float) -> None:
        """Set a writable state variable in every world (within its bounds), e.g. ``ROK.approval``."""
        layout = self.scenario.layout
        if name not in layout.writable:
            raise UsageError(f"'{name}' cannot be set{did_you_mean(name, layout.writable)}")
        rows = layout.target_rows(name)
        old = self.x[rows].copy()
        self.x[rows] = np.clip(float(value), layout.lo[rows, None], layout.hi[rows, None])
        self.state.refresh_ties(force=True)
        # Credited in the next turn's cause-and-effect record, so its parts still add up.
        self._adjustments.append((sources.facilitator(f"set {name}"), rows, self.x[rows] - old))

    def step(self) -> None:
        """Play one turn (one quarter) through the six phases."""
        if self.turn >= self.turns:
            self.running = False
            return
        self._begin_turn(self.turn + 1)
        self.state.recorder.begin_turn(self.turn)
        for source, rows, change in self._adjustments:
            self.state.recorder.add(source, rows, change)
        self._adjustments = []
        for phase in PHASES:
            self._run_phase(phase)
        if self.state.recorder.enabled:
            self.state.recorder.turns[-1].index_weights = self.state.index_weights().mean(axis=1)
        self.pending_choices = {}
        block = self.x[self._indicator_rows]  # one copy; the snapshot holds views into it
        self.history.append(self._snapshot(block))
        self._collect(block)
        if self.turn >= self.turns:
            self.running = False

    def _begin_turn(self, turn: int) -> None:
        """Enter ``turn``: its calendar and series in the context; act flags, activity and turnover at 0."""
        self.turn = turn
        year, quarter = self.scenario.quarter_of(turn)
        self.context[:] = [turn, year, quarter, *self.scenario.series.row(turn)]
        layout = self.scenario.layout
        for actor in THREAT_ACTORS:
            self.x[layout.rows[f"{actor}.activity"]] = 0.0
            for act in layout.acts[actor]:
                self.x[layout.rows[f"{actor}.{act}"]] = 0.0
        for gov in GOVERNMENTS:
            self.x[layout.rows[f"{gov}.turnover"]] = 0.0

    def _run_warmup(self) -> None:
        """Run the ``warmup`` turns before turn 1 (numbered ``1 - warmup`` to 0), unrecorded, then restart.

        Behaviours, threat acts, rules and undated events run; dated events, scripts and
        elections do not (``warming_up`` is True meanwhile). Nothing is recorded; at the end
        :func:`sim.engine.warmup.restart` resets the bookkeeping and the scenario's dated facts.
        """
        if not self.warmup:
            return
        start = self.x.copy()
        recorder = self.state.recorder
        recording, recorder.enabled = recorder.enabled, False
        self.warming_up = True
        self.history = [self._snapshot()]  # the last two turns, for strategies that read the last change
        for turn in range(1 - self.warmup, 1):
            self._begin_turn(turn)
            for phase in PHASES:
                self._run_phase(phase)
            self.history = [self.history[-1], self._snapshot()]
        self.warming_up = False
        recorder.enabled = recording
        warmup.restart(self, start)

    def _run_phase(self, phase: str) -> None:
        if phase == "threats":
            self.agents_by_type[ThreatActor].do("act")
        elif phase == "events":
            self._run_events()
        elif phase == "domestic":
            self.agents_by_type[DomesticPolitics].do("step")
        elif phase == "decisions":
            self.agents_by_type[Government].do("decide")
            bargaining.settle(self)
        elif phase == "cooperation":
            dynamics.cooperation(self)
        elif phase == "outcomes":
            dynamics.outcomes(self)
            self.agents_by_type[DomesticPolitics].do("replenish")
        rules = self.scenario.rules[phase]
        if rules:
            run_triggers(self, rules)
            if phase in ("events", "domestic"):
                # A rule may have changed who is in power: apply the new leaders' profiles now.
                self.agents_by_type[DomesticPolitics].do("apply_camp_change")

    def _run_events(self) -> None:
        events = self.scenario.events
        if not events and not self.injections:
            return
        R = self.replications
        masks: list[np.ndarray | None] = []
        for event in events:
            if event.at_turn is not None:
                masks.append(np.full(R, event.at_turn == self.turn and not self.warming_up))
            else:
                masks.append(None)
        fired = run_triggers(self, events, masks) if events else []
        if self.injections:
            fired += run_triggers(self, self.injections)
            self.injections = []
        if fired:
            self.x[self.scenario.layout.rows["events_fired"]] += elementwise_sum(f.astype(np.float64) for f in fired)
        self.agents_by_type[DomesticPolitics].do("apply_camp_change")

    def run(self, turns: int | None = None) -> TrilateralModel:
        """Run the remaining turns (or ``turns`` more); return self."""
        target = self.turns if turns is None else min(self.turns, self.turn + turns)
        while self.turn < target:
            self.step()
        return self

    # ----------------------------------------------------------------------------- records

    def log_firing(self, trigger: Trigger, fired: np.ndarray, source: Source | None = None) -> None:
        """Add a narrative entry for a trigger that fired in at least one world.

        ``source`` is the trigger's typed source when the caller has it already.
        """
        worlds = int(np.count_nonzero(fired) if fired.dtype == np.bool_ else fired.sum())
        if worlds == 0:
            return
        self.log.append(
            Firing(
                turn=self.turn,
                quarter=self._quarter_label(),
                phase=trigger.phase,
                source=trigger.cause if source is None else source,
                title=trigger.title,
                say=trigger.say,
                citation=trigger.source,
                worlds=worlds,
                in_story=bool(fired[0]),
            )
        )

    def note_election(self, government: str, lost: np.ndarray) -> None:
        """Record an election: the share of worlds in which the camp in power lost."""
        self.elections.append((self.turn, government, float(np.mean(lost))))
        camp_names = self.scenario.camp_names[government]
        if len(camp_names) > 1:
            say = f"{government} election: the camp in power " + ("loses." if lost[0] else "holds on.")
            self.log.append(
                Firing(
                    turn=self.turn,
                    quarter=self._quarter_label(),
                    phase="domestic",
                    source=sources.election(government),
                    title=f"{government} election",
                    say=say,
                    citation="",
                    worlds=self.replications,
                    in_story=True,
                )
            )

    def _quarter_label(self) -> str:
        """The current turn's quarter label (``2025Q3``), worked out once per turn."""
        cached = self._label
        if cached[0] != self.turn:
            cached = self._label = (self.turn, self.scenario.quarter_label(self.turn))
        return cached[1]

    def _collect(self, block: np.ndarray) -> None:
        """Collect the indicators' means (the datacollector) from ``block``, a copy of their rows now.

        One reduction for all of them; each mean has the bits of ``np.mean`` of its row.
        """
        self._means = np.add.reduce(block, axis=1) / self.replications
        try:
            self.datacollector.collect(self)
        finally:
            self._means = None

    def _snapshot(self, block: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Each indicator's values: rows of ``block`` (the indicator rows, copied once), taken now if None."""
        values = self.x[self._indicator_rows] if block is None else block  # the dict holds views into it
        return dict(zip(INDICATORS, values, strict=True))

    def indicator(self, name: str, turn: int = -1) -> np.ndarray:
        """Values of an indicator (or any state variable) per world, at a recorded turn (default: now)."""
        if turn == -1 or turn == self.turn:
            if name not in self.scenario.layout.rows:
                raise UsageError(f"unknown indicator '{name}'{did_you_mean(name, self.scenario.layout.rows)}")
            return self.x[self.scenario.layout.rows[name]].copy()
        if name not in INDICATORS:
            raise UsageError(f"only {', '.join(INDICATORS)} are kept for past turns")
        return self.history[turn][name]

    def final(self) -> dict[str, np.ndarray]:
        """Current value of every indicator per world."""
        return {name: self.indicator(name) for name in INDICATORS}

    def explain(self, turn: int | None = None, top: int | None = None) -> dict[str, Contribution]:
        """Contributions to each indicator during a turn: ``{indicator: {"total": change, "parts": [...]}}``.

        ``parts`` is a list of ``(Source, change)`` pairs.

        Changes are exact for one world and the mean over worlds for an ensemble; they sum to
        the indicator's change over the turn. Pair ties sum their domains with the domain weights.
        """
        return contributions(self, turn if turn is not None else self.turn, top)


def _load(name: str | Path) -> Scenario:
    """A scenario named by library id or path, loaded and checked (the front end is imported here, not at start-up)."""
    from sim.lang.scenario import load_scenario

    return load_scenario(name)


def _collected_mean(model: TrilateralModel, index: int, name: str) -> float:
    """The model's datacollector reporter: the mean its collection computed, else :func:`indicator_mean`."""
    means = model._means
    return indicator_mean(model, name) if means is None else float(means[index])


def indicator_mean(model: TrilateralModel, name: str) -> float:
    """The mean of an indicator over the model's worlds (the datacollector's reporter)."""
    return float(np.mean(model.x[model.scenario.layout.rows[name]]))
