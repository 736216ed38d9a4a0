"""``trilat run``: one story, an ensemble summary, or one stored run of a sweep reproduced exactly."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.cli import jsonout
from sim.cli.parser import PROGRESS_DELAY_S
from sim.engine.layout import GOVERNMENTS
from sim.errors import UsageError


def parameter_values(scenario: Any, assignments: list[tuple[str, str]]) -> dict[str, float]:
    values = {}
    for name, text in assignments:
        try:
            values[name] = float(text)
        except ValueError:
            raise UsageError(f"--set {name}={text}: value must be a number") from None
        if name not in scenario.parameter_defaults:
            from sim.errors import did_you_mean

            raise UsageError(
                f"--set {name}: no such parameter in '{scenario.id}'{did_you_mean(name, scenario.parameter_defaults)}"
            )
    return values


def strategy_choices(assignments: list[tuple[str, str]]) -> dict[str, str]:
    from agents.strategies import STRATEGIES
    from sim.errors import did_you_mean

    out = {}
    for gov, name in assignments:
        if gov not in GOVERNMENTS:
            raise UsageError(f"--strategy {gov}={name}: unknown government{did_you_mean(gov, GOVERNMENTS)}")
        if name not in STRATEGIES:
            raise UsageError(
                f"--strategy {gov}={name}: unknown strategy{did_you_mean(name, STRATEGIES)}; "
                f"available: {', '.join(sorted(STRATEGIES))}"
            )
        out[gov] = name
    return out


def command_run(args: argparse.Namespace) -> int:
    from sim.engine.memory import retain_freed_memory
    from sim.engine.runner import run_ensemble
    from sim.lang import kept
    from sim.play.report import print_ensemble, print_story, story_json

    if args.from_sweep is not None or args.run_id is not None:
        return from_sweep(args)
    if args.scenario is None:
        raise UsageError("run needs a SCENARIO (or --from-sweep DIR --run ID)")
    scenario = kept.load(args.scenario)  # the kept compiled copy when the files are unchanged (sim.lang.kept)
    parameters = parameter_values(scenario, args.set)
    strategies = strategy_choices(args.strategy)
    if args.runs > 1:
        retain_freed_memory()  # an ensemble's temporaries reuse freed memory (sim.engine.memory)
    if args.replication is not None:
        if args.runs > 1 and args.replication >= args.runs:
            raise UsageError(f"--replication {args.replication} is not in an ensemble of {args.runs} runs")
        return single_run(args, scenario, parameters, strategies, [args.replication])
    if args.runs == 1:
        return single_run(args, scenario, parameters, strategies, [0])
    if args.explain:
        from sim.engine.model import TrilateralModel

        model = TrilateralModel(
            scenario,
            seed=args.seed,
            replications=args.runs,
            turns=args.turns,
            strategies=strategies,
            parameters=parameters,
            record=True,
        )
        model.run()
        if args.json:
            print(jsonout.dumps(story_json(model, explain=True, top=args.top, story=False)))
        else:
            print_story(model, explain=True, top=args.top, story=False)
        return 0
    result = with_progress(
        args.runs,
        args.turns or scenario.turns,
        lambda progress: run_ensemble(
            scenario,
            runs=args.runs,
            seed=args.seed,
            turns=args.turns,
            parameters=parameters,
            strategies=strategies,
            progress=progress,
        ),
        quiet=False,
    )
    if args.json:
        print(jsonout.dumps(ensemble_json(result)))
    else:
        print_ensemble(result)
    return 0


def with_progress(total: int, turns: int, job: Any, quiet: bool) -> Any:
    """Run ``job(progress)`` with a progress bar on stderr that appears after one second."""
    from tqdm import tqdm

    with tqdm(
        total=total,
        unit="run",
        delay=PROGRESS_DELAY_S,
        file=sys.stderr,
        disable=True if quiet else None,
        leave=False,
        bar_format="{l_bar}{bar}| {n:.0f}/{total} runs [{elapsed}<{remaining}]",
    ) as bar:
        # The runner reports each turn of a chunk; a run is done after ``turns`` of them.
        return job(lambda runs_in_chunk: bar.update(runs_in_chunk / turns))


def single_run(args: argparse.Namespace, scenario: Any, parameters: dict, strategies: dict, ids: list[int]) -> int:
    from sim.engine.model import TrilateralModel
    from sim.play.report import print_story, story_json

    # The story and the final table read the narrative log and the indicators, not the
    # cause-and-effect record: it is kept only for --explain (about 15% of a one-story run).
    model = TrilateralModel(
        scenario,
        seed=args.seed,
        replication_ids=ids,
        turns=args.turns,
        strategies=strategies,
        parameters=parameters,
        record=bool(args.explain),
    )
    model.run()
    if args.json:
        print(jsonout.dumps(story_json(model, explain=args.explain, top=args.top)))
    else:
        print_story(model, explain=args.explain, top=args.top)
    return 0


def ensemble_json(result: Any) -> dict[str, Any]:
    return {
        "scenario": result.scenario.id,
        "title": result.scenario.title,
        "seed": result.seed,
        "runs": result.runs,
        "turns": result.turns,
        "first_replication": int(result.replication_ids[0]),
        "final": {name: values.tolist() for name, values in result.final.items()},
        "summary": result.summary(),
        "scores": {gov: values.tolist() for gov, values in result.scores.items()},
    }


def policy_line(name: str, bans: dict[str, tuple[str, ...]], script: dict[str, dict[str, tuple[str, ...]]]) -> str:
    """``policy NAME`` with the card bans and scripted moves it applied (for ``--from-sweep``)."""
    parts = [f"{gov} never plays {', '.join(cards)}" for gov, cards in sorted(bans.items())]
    for gov, moves in sorted(script.items()):
        shown = "; ".join(f"{q}: {', '.join(c) or 'nothing'}" for q, c in sorted(moves.items()))
        parts.append(f"{gov} scripted {shown}")
    return f"policy {name}" + (f" ({'; '.join(parts)})" if parts else "")


def from_sweep(args: argparse.Namespace) -> int:
    """``trilat run --from-sweep DIR --run ID``: replay one stored run and check it is exact."""
    from sim.play.report import print_story, story_json
    from sim.research.sweep import verify_run

    if args.from_sweep is None or args.run_id is None:
        raise UsageError("--from-sweep DIR and --run ID go together")
    if args.scenario is not None or args.set or args.strategy or args.replication is not None or args.runs != 1:
        raise UsageError(
            "--from-sweep takes the scenario, parameters, seed and replication from the sweep; "
            "drop SCENARIO, --set, --strategy, --replication and --runs"
        )
    check = verify_run(args.from_sweep, args.run_id)
    if args.json:
        record = story_json(check.model, explain=args.explain, top=args.top)
        record["sweep"] = {
            "dir": args.from_sweep,
            "run": args.run_id,
            "exact": check.exact,
            "mismatches": check.mismatches,
            "policy": check.policy,
            "bans": {gov: list(cards) for gov, cards in check.bans.items()},
            "script": {gov: {q: list(c) for q, c in moves.items()} for gov, moves in check.script.items()},
        }
        print(jsonout.dumps(record))
    else:
        print_story(check.model, explain=args.explain, top=args.top)
        if check.policy is not None:
            print(f"\n{policy_line(check.policy, check.bans, check.script)}")
        if check.exact:
            print(f"\nrun {args.run_id} of {args.from_sweep}: every stored value reproduced exactly")
        else:
            print(f"\nrun {args.run_id} of {args.from_sweep}: {len(check.mismatches)} stored value(s) differ:")
            for line in check.mismatches:
                print(f"  {line}")
    return 0 if check.exact else 1
