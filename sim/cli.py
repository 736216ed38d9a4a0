"""The ``trilat`` command line: run, list, show, validate, new, schema, play, replay, report, sweep, analyze, bench.

Every user error (bad scenario file, bad argument) is printed as one line per problem,
``path:line:col: message`` for files, with exit code 2 and no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from sim.engine.layout import GOVERNMENTS
from sim.errors import TrilatError, UsageError

EXIT_USAGE = 2
DEFAULT_SEED = 1
PROGRESS_DELAY_S = 1.0
"""A progress bar appears only for ensembles that take longer than this."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"trilat: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _integer_at_least(lowest: int, what: str) -> Any:
    """An argparse type: an integer >= ``lowest``, with a one-line error naming ``what``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {what}, got '{text}'") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"expected a {what}, got {value}")
        return value

    return parse


_positive_int = _integer_at_least(1, "positive integer")
_non_negative_int = _integer_at_least(0, "non-negative integer")


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    return name.strip(), value.strip()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="trilat", description="U.S.-ROK-Japan trilateral cooperation: simulation game and research tool."
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run a scenario: one story, or an ensemble with a summary")
    run.add_argument(
        "scenario", nargs="?", metavar="SCENARIO", help="library id (e.g. baseline) or path to a YAML file"
    )
    run.add_argument("--runs", type=_positive_int, default=1, metavar="R", help="number of replications (default 1)")
    run.add_argument(
        "--seed", type=_non_negative_int, default=DEFAULT_SEED, metavar="S", help=f"seed (default {DEFAULT_SEED})"
    )
    run.add_argument("--turns", type=_positive_int, metavar="T", help="number of turns (default: the scenario's)")
    run.add_argument(
        "--replication", type=_non_negative_int, metavar="K", help="run only replication K of the ensemble"
    )
    run.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    run.add_argument("--explain", action="store_true", help="show, turn by turn, what moved each indicator")
    run.add_argument(
        "--top", type=_positive_int, default=6, metavar="N", help="causes shown per indicator with --explain"
    )
    run.add_argument(
        "--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE", help="set a scenario parameter"
    )
    run.add_argument(
        "--strategy",
        type=_assignment,
        action="append",
        default=[],
        metavar="GOV=NAME",
        help="strategy of a computer government, e.g. USA=transactional",
    )
    run.add_argument("--from-sweep", metavar="DIR", help="reproduce one run of a sweep (with --run ID)")
    run.add_argument(
        "--run", dest="run_id", type=_non_negative_int, metavar="ID", help="with --from-sweep: the run's id"
    )

    sweep = sub.add_parser("sweep", help="run an experiment's parameter sweep into a Parquet dataset")
    sweep.add_argument("experiment", metavar="EXPERIMENT", help="experiment file (see docs/experiments.md)")
    sweep.add_argument("--out", required=True, metavar="DIR", help="output folder; re-run the command to resume")
    sweep.add_argument("--workers", type=_positive_int, default=1, metavar="N", help="worker processes (default 1)")
    sweep.add_argument(
        "--dask", metavar="ADDRESS", help="'local' for a Dask LocalCluster, or a scheduler address tcp://host:8786"
    )
    sweep.add_argument(
        "--chunk", type=_positive_int, metavar="RUNS", help="runs per chunk of a new sweep (default 10000)"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    analyze = sub.add_parser("analyze", help="summaries, sensitivity indices, scenario discovery and plots")
    analyze.add_argument("dir", metavar="DIR", help="a sweep's output folder")
    analyze.add_argument("--output", metavar="NAME", help="output to study (default: the experiment's, trilateral)")
    analyze.add_argument("--outcome", metavar="TEST", help="outcome of interest, e.g. 'trilateral < 0.4'")
    analyze.add_argument("--no-plots", action="store_true", help="do not write PNG plots")

    lst = sub.add_parser("list", help="list the scenario library")
    lst.add_argument("--json", action="store_true", help="print JSON")

    sub.add_parser("schema", help="print the JSON Schema of scenario files")

    play = sub.add_parser("play", help="open the game window (classes and workshops)")
    play.add_argument(
        "scenario", nargs="?", metavar="SCENARIO", help="scenario to start with (default: pick in the window)"
    )
    play.add_argument("--resume", metavar="SAVE", help="continue a saved game")
    play.add_argument("--saves", metavar="DIR", help="folder for autosaves (default ~/.trilat/saves)")
    play.add_argument("--fullscreen", action="store_true", help="open full screen (projectors)")
    play.add_argument("--headless", action="store_true", help="no window: play with computer teams, save screenshots")
    play.add_argument(
        "--auto",
        action="store_true",
        help="with --headless (required): every team's moves are chosen automatically (the USA's through "
        "the secret-move screen, so it is captured)",
    )
    play.add_argument("--turns", type=_positive_int, metavar="N", help="with --headless: turns to play (default 4)")
    play.add_argument("--screenshots", metavar="DIR", help="with --headless: PNG folder (default screenshots)")
    play.add_argument(
        "--seed", type=_non_negative_int, metavar="S", help=f"with --headless: seed (default {DEFAULT_SEED})"
    )
    play.add_argument(
        "--shadows", type=_non_negative_int, metavar="N", help="with --headless: shadow worlds (default 300)"
    )

    replay = sub.add_parser("replay", help="step through a saved game (or one run of a sweep) in the window")
    replay.add_argument("save", nargs="?", metavar="SAVE", help="a save file (autosaves are in ~/.trilat/saves)")
    replay.add_argument("--from-sweep", metavar="DIR", help="replay run ID of this sweep (with --run ID)")
    replay.add_argument("--run", dest="run_id", type=_non_negative_int, metavar="ID", help="with --from-sweep: run id")

    report = sub.add_parser("report", help="write the after-action report of a saved game")
    report.add_argument("save", metavar="SAVE", help="a save file")
    report.add_argument(
        "--out", metavar="DIR", help="folder for report.md, report.html and charts (default: beside the save)"
    )

    show = sub.add_parser("show", help="print a scenario's whole briefing")
    show.add_argument("scenario", metavar="SCENARIO", help="library id or path")
    show.add_argument("--check", action="store_true", help="also check the scenario's signature (2,000 worlds)")

    validate = sub.add_parser("validate", help="check scenario files (a folder: every *.yaml in it)")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the library)")
    validate.add_argument("--json", action="store_true", help="print the problems as JSON")

    new = sub.add_parser("new", help="write a commented starter scenario NAME.yaml")
    new.add_argument("name", metavar="NAME", help="scenario id and file name")
    new.add_argument("--extends", default="baseline", help="scenario to build on (default baseline)")
    new.add_argument("--dir", default=".", help="folder to write into (default: here)")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")

    bench = sub.add_parser("bench", help="measure ensemble speed against one-at-a-time runs")
    bench.add_argument("--json", action="store_true", help="print JSON")
    bench.add_argument("--runs", type=_positive_int, default=10_000, metavar="R", help="ensemble size (default 10000)")
    bench.add_argument("--seconds", type=float, default=3.0, metavar="S", help="time budget of the one-at-a-time loop")
    bench.add_argument("--scenario", default="baseline", help="scenario to measure (default baseline)")
    bench.add_argument("--sweep", action="store_true", help="measure sweep runs/s with 1 and 2 workers instead")
    bench.add_argument(
        "--sweep-runs",
        type=_positive_int,
        default=1_000_000,
        metavar="N",
        help="runs per sweep with --sweep (default 1000000, about a minute)",
    )
    return parser


def _parameters(scenario: Any, assignments: list[tuple[str, str]]) -> dict[str, float]:
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


def _strategies(assignments: list[tuple[str, str]]) -> dict[str, str]:
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


def _command_run(args: argparse.Namespace) -> int:
    from sim.engine.runner import run_ensemble
    from sim.lang.scenario import load_scenario
    from sim.play.report import print_ensemble, print_story, story_json

    if args.from_sweep is not None or args.run_id is not None:
        return _from_sweep(args)
    if args.scenario is None:
        raise UsageError("run needs a SCENARIO (or --from-sweep DIR --run ID)")
    scenario = load_scenario(args.scenario)
    parameters = _parameters(scenario, args.set)
    strategies = _strategies(args.strategy)
    if args.replication is not None:
        if args.runs > 1 and args.replication >= args.runs:
            raise UsageError(f"--replication {args.replication} is not in an ensemble of {args.runs} runs")
        return _single(args, scenario, parameters, strategies, [args.replication])
    if args.runs == 1:
        return _single(args, scenario, parameters, strategies, [0])
    if args.explain:
        from sim.engine.model import TrilateralModel

        model = TrilateralModel(
            scenario, seed=args.seed, replications=args.runs, turns=args.turns, strategies=strategies, **parameters
        )
        model.run()
        if args.json:
            print(json.dumps(story_json(model, explain=True, top=args.top, story=False)))
        else:
            print_story(model, explain=True, top=args.top, story=False)
        return 0
    result = _with_progress(
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
        print(json.dumps(_ensemble_json(result)))
    else:
        print_ensemble(result)
    return 0


def _with_progress(total: int, turns: int, job: Any, quiet: bool) -> Any:
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


def _single(args: argparse.Namespace, scenario: Any, parameters: dict, strategies: dict, ids: list[int]) -> int:
    from sim.engine.model import TrilateralModel
    from sim.play.report import print_story, story_json

    model = TrilateralModel(
        scenario, seed=args.seed, replication_ids=ids, turns=args.turns, strategies=strategies, **parameters
    )
    model.run()
    if args.json:
        print(json.dumps(story_json(model, explain=args.explain, top=args.top)))
    else:
        print_story(model, explain=args.explain, top=args.top)
    return 0


def _ensemble_json(result: Any) -> dict[str, Any]:
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


def _from_sweep(args: argparse.Namespace) -> int:
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
        }
        print(json.dumps(record))
    else:
        print_story(check.model, explain=args.explain, top=args.top)
        if check.exact:
            print(f"\nrun {args.run_id} of {args.from_sweep}: every stored value reproduced exactly")
        else:
            print(f"\nrun {args.run_id} of {args.from_sweep}: {len(check.mismatches)} stored value(s) differ:")
            for line in check.mismatches:
                print(f"  {line}")
    return 0 if check.exact else 1


def _command_sweep(args: argparse.Namespace) -> int:
    from sim.research.sweep import run_sweep

    summary = run_sweep(
        args.experiment,
        args.out,
        workers=args.workers,
        dask=args.dask,
        progress=not args.quiet,
        chunk_runs=args.chunk,
    )
    print(summary)
    return 0 if summary.complete else 1


def _command_analyze(args: argparse.Namespace) -> int:
    from sim.research.analysis import analyze

    analyze(args.dir, plots=not args.no_plots, output=args.output, outcome=args.outcome)
    return 0


def _command_list(args: argparse.Namespace) -> int:
    from sim.lang.scenario import library_ids, load_scenario

    rows = []
    for ident in library_ids():
        scenario = load_scenario(ident)
        spec = scenario.spec
        first = spec.sources[0] if spec.sources else None
        rows.append(
            {
                "id": spec.id,
                "title": spec.title,
                "turns": spec.turns,
                "start": spec.start,
                "source": f'{first.author}, "{first.title}"' if first else "",
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["id"]) for r in rows) if rows else 2
    for r in rows:
        print(f"{r['id']:<{width}}  {r['title']}  ({r['turns']} turns from {r['start']})  {r['source']}")
    return 0


def _command_validate(args: argparse.Namespace) -> int:
    from sim.lang.scenario import validate_paths

    results = validate_paths(args.paths)
    problems = [problem for _, found in results for problem in found]
    if args.json:
        print(
            json.dumps(
                {
                    "valid": not problems,
                    "files": [{"path": str(path), "valid": not found} for path, found in results],
                    "problems": [
                        {"file": p.path, "line": p.line, "col": p.col, "code": p.code, "message": p.message}
                        for p in problems
                    ],
                },
                indent=2,
            )
        )
    else:
        for problem in problems:
            print(problem, file=sys.stderr)
        bad = sum(1 for _, found in results if found)
        print(f"{len(results)} file(s) checked: {len(results) - bad} valid, {bad} with problems", file=sys.stderr)
    return 0 if not problems else EXIT_USAGE


def _command_new(args: argparse.Namespace) -> int:
    from sim.lang.starter import write_starter

    path = write_starter(args.name, extends=args.extends, folder=args.dir, force=args.force)
    print(f"wrote {path}; try: trilat run {path}")
    return 0


def _command_play(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ui import app

    headless_only = [f"--{n}" for n in ("turns", "screenshots", "seed", "shadows") if getattr(args, n) is not None]
    if args.headless:
        if not args.scenario:
            raise UsageError("--headless needs a SCENARIO")
        if not args.auto:
            raise UsageError("--headless needs --auto: without a window, nobody can choose the moves")
        from sim.lang.scenario import load_scenario

        load_scenario(args.scenario)  # located errors before any window work
        turns = args.turns or 4
        folder = Path(args.screenshots or "screenshots")
        shots = app.run_headless(
            args.scenario,
            turns=turns,
            screenshots=folder,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            shadows=300 if args.shadows is None else args.shadows,
        )
        print(f"played {turns} turn{'s' if turns > 1 else ''} of {args.scenario}; {len(shots)} screenshots in {folder}")
        return 0
    if headless_only:
        raise UsageError(
            f"{', '.join(headless_only)} only apply with --headless; in the window, the setup screen sets them"
        )
    if args.resume:
        from sim.play.session import GameSession

        GameSession.load(args.resume, autosave=False)  # a clear error now for a bad save
    return app.run_game(
        args.scenario,
        resume=Path(args.resume) if args.resume else None,
        saves_dir=Path(args.saves) if args.saves else None,
        fullscreen=args.fullscreen,
    )


def _command_replay(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.play.session import GameSession, session_for_sweep_run
    from ui import app

    if (args.from_sweep is None) != (args.run_id is None):
        raise UsageError("--from-sweep DIR and --run ID go together")
    if args.from_sweep is not None:
        if args.save:
            raise UsageError("give either SAVE or --from-sweep DIR --run ID")
        session = session_for_sweep_run(args.from_sweep, args.run_id)
        save = session.save(Path(args.from_sweep) / "replays" / f"run-{args.run_id}.json")
        print(f"run {args.run_id} of {args.from_sweep} saved as {save}")
        return app.run_replay(save)
    if not args.save:
        raise UsageError("replay needs a SAVE (or --from-sweep DIR --run ID)")
    GameSession.load(args.save, autosave=False)  # a clear error now for a bad save
    return app.run_replay(Path(args.save))


def _command_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.play.aar import write_report
    from sim.play.session import GameSession

    save = Path(args.save)
    session = GameSession.load(save, autosave=False)
    folder = Path(args.out) if args.out else save.with_suffix("").with_name(save.stem + "-report")
    paths = write_report(session, folder)
    print(f"wrote {paths['markdown']}, {paths['html']} and {len(paths['charts'])} charts")
    return 0


def _command_show(args: argparse.Namespace) -> int:
    from sim.lang.scenario import load_scenario
    from sim.play.briefing import briefing

    scenario = load_scenario(args.scenario)
    print(briefing(scenario))
    if args.check:
        from sim.research.signature import check_signature

        results = check_signature(scenario)
        print("\nSignature check (2,000 worlds, fixed seed)")
        for result in results:
            print(f"  {result}")
        if not results:
            print("  (no signature)")
        return 0 if all(r.holds for r in results) else 1
    return 0


def _command_schema(args: argparse.Namespace) -> int:
    from sim.lang.schema import json_schema

    print(json.dumps(json_schema(), indent=2, sort_keys=True))
    return 0


def _command_bench(args: argparse.Namespace) -> int:
    from sim.bench import print_bench, run_bench

    if args.sweep:
        from sim.research.sweep import bench_sweep, print_bench_sweep

        results = bench_sweep(args.sweep_runs, (1, 2), scenario=args.scenario, progress=not args.json)
        if args.json:
            print(json.dumps(results, indent=2))
        else:
            print_bench_sweep(results)
        return 0

    results = run_bench(args.scenario, ensemble_runs=args.runs, seconds=args.seconds)
    from ui.app import measure_frames  # the game's frame rate (the engine itself never imports the UI)

    results["ui_frames"] = measure_frames(args.scenario)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_bench(results)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``trilat`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from sim import __version__

        print(f"trilat {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    commands = {
        "run": _command_run,
        "list": _command_list,
        "bench": _command_bench,
        "schema": _command_schema,
        "validate": _command_validate,
        "new": _command_new,
        "show": _command_show,
        "play": _command_play,
        "replay": _command_replay,
        "report": _command_report,
        "sweep": _command_sweep,
        "analyze": _command_analyze,
    }
    try:
        return commands[args.command](args)
    except TrilatError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
