"""``trilat sweep``, ``analyze`` and ``bench``: research sweeps, their analysis and speed measurements."""

from __future__ import annotations

import argparse
import json


def command_sweep(args: argparse.Namespace) -> int:
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


def command_analyze(args: argparse.Namespace) -> int:
    from sim.research.analysis import analyze

    analyze(args.dir, plots=not args.no_plots, output=args.output, outcome=args.outcome)
    return 0


def command_bench(args: argparse.Namespace) -> int:
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
