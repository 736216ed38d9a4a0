"""``trilat list``, ``show``, ``handouts``, ``validate``, ``new`` and ``schema``: the library and the language."""

from __future__ import annotations

import argparse
import json
import sys

from sim.cli import jsonout
from sim.cli.parser import EXIT_USAGE


def command_list(args: argparse.Namespace) -> int:
    from sim.lang.listing import library_listing

    rows = library_listing()  # kept on disk while the files and the code are unchanged (sim.lang.listing)
    if args.json:
        print(jsonout.dumps(rows, indent=2))
        return 0
    width = max(len(str(r["id"])) for r in rows) if rows else 2
    for r in rows:
        print(f"{r['id']:<{width}}  {r['title']}  ({r['turns']} turns from {r['start']})  {r['source']}")
    return 0


def command_validate(args: argparse.Namespace) -> int:
    from sim.lang.check_plain import plain_warnings
    from sim.lang.scenario import load_paths

    loaded = load_paths(args.paths)
    results = [(target, found) for target, found, _ in loaded]
    problems = [problem for _, found in results for problem in found]
    # Each scenario is compiled once: the plain-language check reads the one just loaded.
    found_warnings = [
        warning for _, _, scenario in loaded if scenario is not None for warning in plain_warnings(scenario)
    ]
    warnings = list({str(w): w for w in found_warnings}.values())  # a file extended by many is warned about once
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
                    "warnings": [
                        {"file": p.path, "line": p.line, "col": p.col, "code": p.code, "message": p.message}
                        for p in warnings
                    ],
                },
                indent=2,
            )
        )
    else:
        for problem in [*problems, *warnings]:
            print(problem, file=sys.stderr)
        bad = sum(1 for _, found in results if found)
        summary = f"{len(results)} file(s) checked: {len(results) - bad} valid, {bad} with problems"
        if warnings:
            summary += f", {len(warnings)} plain-language warning(s)"
        print(summary, file=sys.stderr)
    return 0 if not problems else EXIT_USAGE


def command_new(args: argparse.Namespace) -> int:
    from sim.lang.starter import write_starter

    path = write_starter(args.name, extends=args.extends, folder=args.dir, force=args.force)
    print(f"wrote {path}; try: trilat run {path}")
    return 0


def command_show(args: argparse.Namespace) -> int:
    from sim.lang.scenario import load_scenario
    from sim.play.briefing import briefing, overview

    scenario = load_scenario(args.scenario)
    if args.facilitator:
        print(briefing(scenario))
    elif args.team:
        from sim.play.handout_packs import packs
        from sim.play.handout_render import to_text

        print(to_text(packs(scenario, [args.team], handout=False)[0]))
    else:
        print(overview(scenario))
    if args.check:
        from sim.research.signature import check_signature

        results = check_signature(scenario)
        print("\nSignature check (2,000 worlds, fixed seed; each claim, then its ablation twin)")
        for result in results:
            print(f"  {result}")
        if not results:
            print("  (no signature)")
        return 0 if all(r.ok for r in results) else 1
    return 0


def command_handouts(args: argparse.Namespace) -> int:
    from sim.lang.scenario import load_scenario
    from sim.play.handout_files import write_handouts

    scenario = load_scenario(args.scenario)
    written = write_handouts(scenario, args.out, args.teams, args.minutes)
    for path in written:
        print(path)
    print(f"wrote {len(written)} files: give each team only its own pack; facilitator.* is for you", file=sys.stderr)
    return 0


def command_schema(args: argparse.Namespace) -> int:
    from sim.lang.schema import json_schema

    print(jsonout.dumps(json_schema(), indent=2, sort_keys=True))
    return 0
