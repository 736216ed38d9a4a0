"""``trilat sweep``, ``analyze``, ``optimize``, ``compare``, ``bench``: sweeps, analysis, search, validation, speed."""

from __future__ import annotations

import argparse

from sim.cli import jsonout
from sim.errors import UsageError


def command_sweep(args: argparse.Namespace) -> int:
    from sim.research.sweep import run_sweep

    if args.dry_run and args.extend:
        raise UsageError("--dry-run cannot be combined with --extend yet: extend, then --dry-run shows what is left")
    if args.dry_run:
        from sim.research.sweep.dryrun import dry_run

        print(dry_run(args.experiment, args.out, workers=args.workers, chunk_runs=args.chunk, engine=args.engine))
        return 0
    summary = run_sweep(
        args.experiment,
        args.out,
        workers=args.workers,
        dask=args.dask,
        dask_timeout=args.dask_timeout,
        progress=not args.quiet,
        chunk_runs=args.chunk,
        allow_code_change=args.allow_code_change,
        extend=args.extend,
        engine=args.engine,
    )
    print(summary)
    return 0 if summary.complete else 1


def command_analyze(args: argparse.Namespace) -> int:
    from sim.research.analysis import DiscoveryOptions, PathOptions, analyze

    discovery = DiscoveryOptions(
        box=args.box, boxes=args.boxes, resamples=args.resample, cart=args.cart, min_mass=args.min_mass
    )
    paths = None
    if args.trajectories is not None:
        variables = [v.strip() for v in args.trajectories.split(",") if v.strip()]
        paths = PathOptions(variables, by=args.by, event=args.event, clusters=args.clusters, max_runs=args.max_runs)
    elif args.event is not None or args.by is not None:
        from sim.errors import UsageError

        raise UsageError("--event and --by go with --trajectories VAR[,VAR...]")
    analyze(
        args.dir,
        plots=not args.no_plots,
        output=args.output,
        outcome=args.outcome,
        discovery=discovery,
        trajectories=paths,
        explore=args.explore,
    )
    return 0


def command_optimize(args: argparse.Namespace) -> int:
    from sim.research.optimize import optimize

    optimize(args.experiment, args.out)
    return 0


def command_compare(args: argparse.Namespace) -> int:
    from sim.cli.run import parameter_values, strategy_choices, with_progress
    from sim.lang.scenario import load_scenario
    from sim.research.validation import check_variable, format_report, run_validation

    scenario = load_scenario(args.scenario)
    parameters = parameter_values(scenario, args.set)
    strategies = strategy_choices(args.strategy)
    check_variable(scenario, args.variable)
    result = with_progress(
        args.runs,
        scenario.turns,
        lambda progress: run_validation(
            scenario,
            args.observed,
            args.variable,
            runs=args.runs,
            seed=args.seed,
            parameters=parameters,
            strategies=strategies,
            progress=progress,
        ),
        quiet=False,
    )
    if args.json:
        print(jsonout.dumps(result.to_dict()))
    else:
        print(format_report(result))
    return 0


def command_bench(args: argparse.Namespace) -> int:
    from sim.bench import print_bench, run_bench

    if args.sweep:
        from sim.research.sweep import bench_sweep, print_bench_sweep

        results = bench_sweep(args.sweep_runs, (1, 2), scenario=args.scenario, progress=not (args.json or args.quiet))
        if args.json:
            print(jsonout.dumps(results, indent=2))
        else:
            print_bench_sweep(results)
        return 0

    results = run_bench(
        args.scenario, ensemble_runs=args.runs, seconds=args.seconds, repeats=args.repeats, quiet=args.quiet
    )
    from ui.app import measure_frames  # the game's frame rate (the engine itself never imports the UI)

    results["ui_frames"] = measure_frames(args.scenario)
    if args.json:
        print(jsonout.dumps(results, indent=2))
    else:
        print_bench(results)
    return 0
