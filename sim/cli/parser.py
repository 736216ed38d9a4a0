"""The ``trilat`` argument parser: every subcommand, its options and one-line argument errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.engine.limits import MAX_REPLICATIONS, MAX_SHADOWS

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


LARGEST_INTEGER = 2**62
"""No integer argument (seeds, counts, ids) may exceed this."""


def _integer_at_least(lowest: int, what: str, highest: int = LARGEST_INTEGER) -> Any:
    """An argparse type: an integer from ``lowest`` to ``highest``, with a one-line error naming ``what``."""

    def parse(text: str) -> int:
        shown = text if len(text) <= 24 else f"{text[:12]}... ({len(text)} characters)"
        if len(text.strip().lstrip("+-")) > 20:
            raise argparse.ArgumentTypeError(f"expected a {what} of at most 2**62, got '{shown}'")
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {what}, got '{shown}'") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"expected a {what}, got {value}")
        if value > highest:
            limit = "2**62" if highest == LARGEST_INTEGER else f"{highest:,}"
            raise argparse.ArgumentTypeError(f"expected a {what} of at most {limit}, got {value}")
        return value

    return parse


positive_int = _integer_at_least(1, "positive integer")
non_negative_int = _integer_at_least(0, "non-negative integer")
shadow_count = _integer_at_least(0, "number of shadow worlds", MAX_SHADOWS)
ensemble_size = _integer_at_least(1, "number of runs", MAX_REPLICATIONS)


def _seconds(text: str) -> float:
    """A positive, finite number of seconds (at most an hour)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text[:40]!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"expected seconds in (0, 3600], got {text[:40]!r}")
    return value


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    return name.strip(), value.strip()


def _add_scenario_settings(command: argparse.ArgumentParser) -> None:
    """``--set NAME=VALUE`` and ``--strategy GOV=NAME``, shared by the commands that run a scenario."""
    command.add_argument(
        "--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE", help="set a scenario parameter"
    )
    command.add_argument(
        "--strategy",
        type=_assignment,
        action="append",
        default=[],
        metavar="GOV=NAME",
        help="strategy of a computer government, e.g. USA=transactional",
    )


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
    run.add_argument("--runs", type=positive_int, default=1, metavar="R", help="number of replications (default 1)")
    run.add_argument(
        "--seed", type=non_negative_int, default=DEFAULT_SEED, metavar="S", help=f"seed (default {DEFAULT_SEED})"
    )
    run.add_argument("--turns", type=positive_int, metavar="T", help="number of turns (default: the scenario's)")
    run.add_argument("--replication", type=non_negative_int, metavar="K", help="run only replication K of the ensemble")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    run.add_argument("--explain", action="store_true", help="show, turn by turn, what moved each indicator")
    run.add_argument(
        "--top", type=positive_int, default=6, metavar="N", help="causes shown per indicator with --explain"
    )
    _add_scenario_settings(run)
    run.add_argument("--from-sweep", metavar="DIR", help="reproduce one run of a sweep (with --run ID)")
    run.add_argument(
        "--run", dest="run_id", type=non_negative_int, metavar="ID", help="with --from-sweep: the run's id"
    )

    sweep = sub.add_parser("sweep", help="run an experiment's parameter sweep into a Parquet dataset")
    sweep.add_argument("experiment", metavar="EXPERIMENT", help="experiment file (see docs/experiments.md)")
    sweep.add_argument("--out", required=True, metavar="DIR", help="output folder; re-run the command to resume")
    sweep.add_argument("--workers", type=positive_int, default=1, metavar="N", help="worker processes (default 1)")
    sweep.add_argument(
        "--dask", metavar="ADDRESS", help="'local' for a Dask LocalCluster, or a scheduler address tcp://host:8786"
    )
    sweep.add_argument(
        "--dask-timeout",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="seconds to wait for a Dask scheduler to answer (default 10)",
    )
    sweep.add_argument(
        "--chunk", type=positive_int, metavar="RUNS", help="runs per chunk of a new sweep (default 20000)"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument(
        "--engine",
        choices=("auto", "numpy", "compiled"),
        default="auto",
        help="model engine: auto (compiled kernels when each worker has 500,000+ runs, or 50,000+ when they are "
        "in the kernel cache), numpy or compiled; the results are identical",
    )
    sweep.add_argument(
        "--dry-run", action="store_true", help="print runs, chunks, estimated time and disk; run nothing"
    )
    sweep.add_argument(
        "--allow-code-change",
        action="store_true",
        help="resume a sweep written by other model code, in a new segment recorded in the manifest",
    )
    sweep.add_argument(
        "--extend",
        action="store_true",
        help="grow the stored sweep in DIR to EXPERIMENT's larger samples/replications, running only the new runs",
    )

    analyze = sub.add_parser("analyze", help="summaries, sensitivity indices, scenario discovery and plots")
    analyze.add_argument("dir", metavar="DIR", help="a sweep's output folder")
    analyze.add_argument("--output", metavar="NAME", help="output to study (default: the experiment's, trilateral)")
    analyze.add_argument("--outcome", metavar="TEST", help="outcome of interest, e.g. 'trilateral < 0.4'")
    analyze.add_argument("--no-plots", action="store_true", help="do not write PNG plots")
    _add_analyze_options(analyze)

    optimize = sub.add_parser("optimize", help="search an experiment's levers for a Pareto set of robust policies")
    optimize.add_argument("experiment", metavar="EXPERIMENT", help="experiment file with levers and optimize:")
    optimize.add_argument("--out", required=True, metavar="DIR", help="output folder (evaluations, Pareto set)")

    compare = sub.add_parser("compare", help="score a model variable against an observed yearly series")
    compare.add_argument("scenario", metavar="SCENARIO", help="library id or path to a YAML file")
    compare.add_argument(
        "--observed", required=True, metavar="FILE.csv", help="observed series: a CSV file with columns year,value"
    )
    compare.add_argument(
        "--variable", required=True, metavar="NAME", help="state variable or indicator to compare, e.g. tie.ROK_JPN"
    )
    compare.add_argument("--runs", type=positive_int, default=1000, metavar="R", help="number of worlds (default 1000)")
    compare.add_argument(
        "--seed", type=non_negative_int, default=DEFAULT_SEED, metavar="S", help=f"seed (default {DEFAULT_SEED})"
    )
    _add_scenario_settings(compare)
    compare.add_argument("--json", action="store_true", help="print every figure as one JSON object")

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
    play.add_argument("--turns", type=positive_int, metavar="N", help="with --headless: turns to play (default 4)")
    play.add_argument("--screenshots", metavar="DIR", help="with --headless: PNG folder (default screenshots)")
    play.add_argument(
        "--seed", type=non_negative_int, metavar="S", help=f"with --headless: seed (default {DEFAULT_SEED})"
    )
    play.add_argument("--shadows", type=shadow_count, metavar="N", help="with --headless: shadow worlds (default 300)")

    host = sub.add_parser("host", help="host a game: teams play from their own phones or laptops (browser)")
    host.add_argument("scenario", nargs="?", metavar="SCENARIO", help="library id or path (or --resume SAVE)")
    host.add_argument("--port", type=non_negative_int, default=8000, metavar="N", help="port (default 8000)")
    host.add_argument("--lan", action="store_true", help="listen on the local network (default: this computer only)")
    host.add_argument("--headless", action="store_true", help="no window: only the server and the game")
    host.add_argument("--resume", metavar="SAVE", help="continue a saved game (pending moves and team links included)")
    host.add_argument("--teams", metavar="GOVS", help="governments played by teams, e.g. USA,ROK (default all three)")
    host.add_argument("--minutes", type=float, metavar="M", help="countdown per move phase (default 8)")
    host.add_argument("--seed", type=non_negative_int, metavar="S", help=f"seed (default {DEFAULT_SEED})")
    host.add_argument("--turns", type=positive_int, metavar="T", help="number of turns (default: the scenario's)")
    host.add_argument("--shadows", type=non_negative_int, metavar="N", help="shadow worlds (default 300)")
    host.add_argument("--saves", metavar="DIR", help="folder for autosaves (default ~/.trilat/saves)")
    host.add_argument("--fullscreen", action="store_true", help="open the window full screen (projectors)")

    replay = sub.add_parser("replay", help="step through a saved game (or one run of a sweep) in the window")
    replay.add_argument("save", nargs="?", metavar="SAVE", help="a save file (autosaves are in ~/.trilat/saves)")
    replay.add_argument("--from-sweep", metavar="DIR", help="replay run ID of this sweep (with --run ID)")
    replay.add_argument("--run", dest="run_id", type=non_negative_int, metavar="ID", help="with --from-sweep: run id")
    replay.add_argument(
        "--headless", action="store_true", help="no window: replay the save to check it, and say what it holds"
    )

    report = sub.add_parser("report", help="write the after-action report of a saved game")
    report.add_argument("save", metavar="SAVE", help="a save file")
    report.add_argument(
        "--out", metavar="DIR", help="folder for report.md, report.html and charts (default: beside the save)"
    )

    show = sub.add_parser("show", help="print a scenario's public overview (--team, --facilitator: more)")
    show.add_argument("scenario", metavar="SCENARIO", help="library id or path")
    view = show.add_mutually_exclusive_group()
    view.add_argument("--team", metavar="GOV", help="one team's briefing: its objectives and cards (USA, ROK, JPN)")
    view.add_argument(
        "--facilitator", action="store_true", help="everything: every team's cards, claims, debrief, teacher notes"
    )
    show.add_argument(
        "--check", action="store_true", help="also check the scenario's signature claims (2,000 worlds; for teachers)"
    )

    handouts = sub.add_parser("handouts", help="write printable team briefings and a facilitator's pack (HTML, PDF)")
    handouts.add_argument("scenario", metavar="SCENARIO", help="library id or path")
    handouts.add_argument("--out", required=True, metavar="DIR", help="folder to write usa.pdf, usa.html, ... into")
    handouts.add_argument(
        "--teams", nargs="+", default=[], metavar="GOV", help="only these teams' packs (default: every team)"
    )
    handouts.add_argument(
        "--minutes", type=int, choices=(60, 90), default=60, help="length of the class for the lesson plan (default 60)"
    )

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
    bench.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    bench.add_argument(
        "--repeats",
        type=positive_int,
        default=3,
        metavar="N",
        help="timings per CPU-time and start-up figure; the median is kept (default 3)",
    )
    bench.add_argument("--runs", type=ensemble_size, default=10_000, metavar="R", help="ensemble size (default 10000)")
    bench.add_argument("--seconds", type=float, default=3.0, metavar="S", help="time budget of the one-at-a-time loop")
    bench.add_argument("--scenario", default="baseline", help="scenario to measure (default baseline)")
    bench.add_argument("--sweep", action="store_true", help="measure sweep runs/s with 1 and 2 workers instead")
    bench.add_argument(
        "--sweep-runs",
        type=positive_int,
        default=1_000_000,
        metavar="N",
        help="runs per sweep with --sweep (default 1000000, about a minute)",
    )
    return parser


def _share(text: str) -> float:
    """A number in (0, 1), for ``--min-mass``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got '{text}'") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value:g}")
    return value


def _add_analyze_options(analyze: argparse.ArgumentParser) -> None:
    """Scenario discovery, trajectory and exploratory options of ``trilat analyze``."""
    found = analyze.add_argument_group("scenario discovery")
    found.add_argument(
        "--box", type=non_negative_int, metavar="N", help="PRIM: box N of the peeling trajectory (default: best)"
    )
    found.add_argument("--boxes", type=positive_int, default=1, metavar="K", help="PRIM: up to K boxes in sequence")
    found.add_argument(
        "--resample", type=non_negative_int, default=0, metavar="R", help="PRIM: stability over R bootstraps of runs"
    )
    found.add_argument("--cart", action="store_true", help="also grow a CART tree (scikit-learn)")
    found.add_argument(
        "--min-mass", type=_share, default=0.05, metavar="M", help="smallest share of runs in a box (default 0.05)"
    )
    paths = analyze.add_argument_group("trajectories (needs per-turn records)")
    paths.add_argument("--trajectories", metavar="VAR[,VAR]", help="fan charts and typical paths of these variables")
    paths.add_argument("--by", metavar="GROUP", help="group runs by scenario, policy, box, all, or a parameter")
    paths.add_argument("--event", metavar="COND", help="time to the first turn COND holds, e.g. 'tie.ROK_JPN < 0.4'")
    paths.add_argument(
        "--clusters", type=non_negative_int, default=4, metavar="K", help="typical paths to find (default 4; 0: none)"
    )
    paths.add_argument(
        "--max-runs", type=positive_int, default=20_000, metavar="N", help="read about N runs (default 20000)"
    )
    analyze.add_argument(
        "--explore", action="store_true", help="feature scores, dimensional stacking, pairs plot (grid/LHS/MC)"
    )
