"""Hostile scenario files, experiment files and command-line arguments."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from pathlib import Path

from tests.redteam.harness import Case

HEAD = "id: evil\ntitle: Evil\nextends: baseline\n"


def write(name: str, text: str | bytes):
    """A setup that writes ``name`` in the sandbox."""

    def setup(box: Path) -> None:
        path = box / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return setup


def fifo(name: str):
    def setup(box: Path) -> None:
        os.mkfifo(box / name)

    return setup


def listener(port: int, reply: bytes | None) -> None:
    """Serve one connection on 127.0.0.1:``port`` for 20 s: send ``reply`` (None: say nothing)."""
    server = socket.create_server(("127.0.0.1", port))
    server.settimeout(20)

    def serve() -> None:
        with server:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                if reply is not None:
                    conn.sendall(reply)
                conn.settimeout(20)
                with contextlib.suppress(OSError):
                    conn.recv(1)

    threading.Thread(target=serve, daemon=True).start()


def link(name: str, target: str):
    def setup(box: Path) -> None:
        (box / name).symlink_to(target)

    return setup


def folder(name: str):
    def setup(box: Path) -> None:
        (box / name).mkdir()

    return setup


def sparse(name: str, size: int):
    def setup(box: Path) -> None:
        with open(box / name, "wb") as handle:
            handle.truncate(size)

    return setup


def rule(when: str = "1 > 0", effect: str = "0") -> str:
    return (
        HEAD
        + f'rules:\n  - id: r\n    title: r\n    phase: cooperation\n    when: "{when}"\n'
        + f'    effects:\n      ROK.approval: "{effect}"\n'
    )


SCENARIO_TEXTS: dict[str, str | bytes] = {
    "empty": "",
    "binary": b"\x00\x01\x02\xff" * 100,
    "latin1": "id: \xe9v\xefl\n".encode("latin-1"),
    "list_top": "- a\n- b\n",
    "scalar_top": "just text\n",
    "no_title": "id: evil\nextends: baseline\n",
    "tab_indent": HEAD + "parameters:\n\tx: 1\n",
    "duplicate_key": HEAD + "title: again\n",
    "python_tag": HEAD + "x: !!python/object/apply:os.system ['echo pwned']\n",
    "alias_bomb": "a: &a [x,x,x,x,x,x,x,x,x]\n"
    + "".join(f"{n}: &{n} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
    "deep_mapping": HEAD + "x: " + "{a: " * 400 + "1" + "}" * 400 + "\n",
    "deep_list": HEAD + "x: " + "[" * 5000 + "]" * 5000 + "\n",
    "int_5000_digits": HEAD + "parameters:\n  x: {default: " + "9" * 5000 + ", range: [0, 1]}\n",
    "huge_hex": HEAD + "parameters:\n  x: {default: 0x" + "f" * 400 + ", range: [0, 1]}\n",
    "float_overflow": HEAD + "parameters:\n  x: {default: 1e400, range: [0, 1]}\n",
    "nan_default": HEAD + "parameters:\n  x: {default: .nan, range: [0, 1]}\n",
    "inf_range": HEAD + "parameters:\n  x: {default: 0.5, range: [0, .inf]}\n",
    "inf_effect": HEAD + "events:\n  - id: e\n    title: e\n    at: 2025Q2\n    effects: {ROK.approval: .inf}\n",
    "nan_initial": HEAD + "governments:\n  ROK:\n    initial: {approval: .nan}\n",
    "weights_overflow": HEAD + "domains:\n  history: {weight: 1e308}\n  security: {weight: 1e308}\n",
    "negative_weight": HEAD + "domains:\n  history: {weight: -1}\n",
    "expr_import": rule(when="__import__('os').system('id')"),
    "expr_dunder": rule(when="ROK.__class__.__mro__"),
    "expr_lambda": rule(when="(lambda: 1)()"),
    "expr_pow": rule(when="10 ** 400 > 0"),
    "expr_bigint": rule(effect="9" * 400 + " * 0"),
    "expr_parens": rule(when="(" * 300 + "1" + ")" * 300),
    "expr_uniform": rule(when="uniform(" * 60 + "0, 1" + ", 1)" * 60 + " > 0"),
    "expr_long": rule(when=" + ".join(["1"] * 3000)),
    "expr_unknown_name": rule(when="ROK.aproval > 0"),
    "expr_string": rule(when="'a' * 10"),
    "unknown_key": HEAD + "ruels: []\n",
    "bad_turns": HEAD + "turns: many\n",
    "zero_turns": HEAD + "turns: 0\n",
    "huge_turns": HEAD + "turns: 100000000\n",
    "bad_start": HEAD + "start: 2025Q9\n",
    "extends_cycle": "id: evil\ntitle: Evil\nextends: evil.yaml\n",
    "extends_devzero": "id: evil\ntitle: Evil\nextends: /dev/zero\n",
    "extends_dir": "id: evil\ntitle: Evil\nextends: /tmp\n",
    "extends_missing": "id: evil\ntitle: Evil\nextends: ./nowhere.yaml\n",
    "bad_effect_target": HEAD + "events:\n  - id: e\n    title: e\n    at: 2025Q2\n    effects: {ROK.nothing: 1}\n",
    "unknown_government": HEAD + "governments:\n  PRK: {}\n",
    "event_loop_chance": HEAD + "events:\n  - id: e\n    title: e\n    chance: 2\n    effects: {ROK.approval: 1}\n",
}

ROOT_HEAD = "id: evil\ntitle: Evil\n"  # extends the defaults: no events, rules or cards of its own
LONG = "+".join(["ROK.approval"] * 150)  # 1,949 characters, 449 nodes: within every per-expression limit


def items(count: int, item: str, indent: int = 2) -> str:
    """``count`` one-line list items indented by ``indent`` (``{i}`` in ``item`` becomes the index)."""
    return "".join(" " * indent + "- " + item.replace("{i}", str(i)) + "\n" for i in range(count))


def aliased_events(count: int) -> str:
    """``count`` events whose effect is one long expression, written once and aliased at every other event."""
    first = f'  - {{id: e0, title: e, at: 2025Q2, effects: {{ROK.approval: &long "{LONG}"}}}}\n'
    rest = "".join(
        f"  - {{id: e{i}, title: e, at: 2025Q2, effects: {{ROK.approval: *long}}}}\n" for i in range(1, count)
    )
    return ROOT_HEAD + "events:\n" + first + rest


EVENT = "{id: e{i}, title: e, at: 2025Q2, effects: {ROK.approval: 0.001}}"
RULE = "{id: r{i}, title: r, phase: cooperation, effects: {ROK.approval: 0.001}}"
CARD = "{id: c{i}, title: c, cost: 1, effects: {ROK.approval: 0.001}}"
ACT = "{id: a{i}, title: a, chance: 0.01, severity: 0.5, effects: {DPRK.activity: 0.001}}"
LIMIT_TEXTS: dict[str, tuple[str, str]] = {
    "events-5001": (
        ROOT_HEAD + "events:\n" + items(5001, EVENT),
        "evil.yaml:2004:5: scenario has 5,001 events; at most 2,000 are allowed",
    ),
    "rules-3000": (
        ROOT_HEAD + "rules:\n" + items(3000, RULE),
        "evil.yaml:1004:5: scenario has 3,000 rules; at most 1,000 are allowed",
    ),
    "rules-one-phase-600": (
        ROOT_HEAD + "rules:\n" + items(600, RULE),
        "evil.yaml:504:5: scenario has 600 rules in phase 'cooperation'; at most 500 are allowed",
    ),
    "threat-acts-2000": (
        ROOT_HEAD + "threats:\n  DPRK:\n    acts:\n" + items(2000, ACT, indent=6),
        "scenario has 2,006 threat acts (all actors together); at most 500 are allowed",
    ),
    "cards-3000": (
        ROOT_HEAD
        + "actions:\n"
        + "".join(
            f"  {gov}:\n" + items(1000, CARD.replace("c{i}", gov + "{i}"), indent=4) for gov in ("USA", "ROK", "JPN")
        ),
        "scenario has 3,000 cards (all governments together); at most 1,000 are allowed",
    ),
    "cards-one-government-400": (
        ROOT_HEAD + "actions:\n  ROK:\n" + items(400, CARD, indent=4),
        "evil.yaml:305:7: government ROK has 400 cards; at most 300 are allowed",
    ),
    "expr-graph-aliases": (aliased_events(400), "nodes in all once compiled"),
    "expr-graph-one-expression": (
        ROOT_HEAD
        + "events:\n"
        + items(1, "{id: e, title: e, at: 2025Q2, effects: {ROK.approval: '" + "+".join(["1*1"] * 495) + "'}}"),
        "expression has 1,979 nodes once compiled; at most 1,500 are allowed",
    ),
}

SCENARIO_CASES = [
    Case(f"scenario-{name}", ("show", "{box}/evil.yaml"), write("evil.yaml", text), names="evil.yaml")
    for name, text in SCENARIO_TEXTS.items()
]
SCENARIO_CASES += [
    Case(f"validate-{name}", ("validate", "{box}/evil.yaml"), write("evil.yaml", text), names="evil.yaml")
    for name, text in list(SCENARIO_TEXTS.items())[:8]
]
SCENARIO_CASES += [
    Case("scenario-too-big", ("show", "{box}/big.yaml"), write("big.yaml", HEAD + "#" * (2 << 20)), names="big.yaml"),
    Case("scenario-fifo", ("show", "{box}/pipe.yaml"), fifo("pipe.yaml"), names="pipe.yaml"),
    Case("scenario-devzero", ("show", "/dev/zero"), names="/dev/zero"),
    Case("scenario-directory", ("show", "{box}/folder.yaml"), folder("folder.yaml"), names="folder.yaml"),
    Case(
        "scenario-dangling-link",
        ("show", "{box}/gone.yaml"),
        link("gone.yaml", "/nonexistent/x.yaml"),
        names="gone.yaml",
    ),
    Case("scenario-sparse-3gb", ("show", "{box}/sparse.yaml"), sparse("sparse.yaml", 3 << 30), names="sparse.yaml"),
    Case("run-unknown-scenario", ("run", "no-such-scenario"), names="no-such-scenario"),
]
SCENARIO_CASES += [
    Case(f"limit-{name}", ("validate", "{box}/evil.yaml"), write("evil.yaml", text), names=message)
    for name, (text, message) in LIMIT_TEXTS.items()
]
SCENARIO_CASES += [
    Case(
        "limit-events-run",
        ("run", "{box}/evil.yaml"),
        write("evil.yaml", LIMIT_TEXTS["events-5001"][0]),
        names="evil.yaml",
    ),
    Case(
        "limit-expr-graph-run", ("run", "{box}/evil.yaml"), write("evil.yaml", aliased_events(5000)), names="evil.yaml"
    ),
]


def siblings_of_a_broken_parent(box: Path) -> None:
    """Two files extending one broken parent: each is refused, the parse error not cached away (issue 14)."""
    write("parent.yaml", "id: parent\ntitle: Parent\nturns: [\n")(box)
    for name in ("a", "b"):
        write(f"{name}.yaml", f"id: {name}\ntitle: {name}\nextends: parent.yaml\n")(box)


SCENARIO_CASES += [
    Case("validate-siblings-broken-parent", ("validate", "{box}"), siblings_of_a_broken_parent, names="parent.yaml"),
    Case(
        "validate-nul-in-parent",
        ("validate", "{box}/evil.yaml"),
        write("evil.yaml", HEAD + "x: \x00\n"),
        names="evil.yaml",
    ),
]


def long_extends_chain(box: Path) -> None:
    """``evil.yaml`` at the end of a chain of 1,200 files each extending the next."""
    for k in range(1200):
        parent = f"c{k + 1}.yaml" if k < 1199 else "baseline"
        write(f"c{k}.yaml", f"id: c{k}\ntitle: c{k}\nextends: {parent}\n")(box)
    write("evil.yaml", "id: evil\ntitle: Evil\nextends: c0.yaml\n")(box)


SCENARIO_CASES += [
    Case(
        "extends-chain-1200-validate", ("validate", "{box}/evil.yaml"), long_extends_chain, names="extends: the chain"
    ),
    Case("extends-chain-1200-run", ("run", "{box}/evil.yaml"), long_extends_chain, names="extends: the chain"),
]

EXP_HEAD = "id: x\ntitle: x\nscenarios: [baseline]\n"
LEVER_HEAD = EXP_HEAD + "uncertainties: {us_transactionalism: [0.5]}\nsampler: grid\nreplications: 2\n"
EXPERIMENTS: dict[str, str] = {
    "empty": "",
    "not_mapping": "- 1\n",
    "unknown_scenario": "id: x\ntitle: x\nscenarios: [nowhere]\nparameters: {us_transactionalism: {}}\nsamples: 4\n",
    "unknown_parameter": EXP_HEAD + "parameters: {no_such: {}}\nsamples: 4\n",
    "bad_sampler": EXP_HEAD + "parameters: {us_transactionalism: {}}\nsampler: magic\nsamples: 4\n",
    "huge_design": EXP_HEAD + "parameters: {us_transactionalism: {}}\nsamples: 1000000000000\nreplications: 1000\n",
    "negative_replications": EXP_HEAD + "parameters: {us_transactionalism: {}}\nsamples: 4\nreplications: -3\n",
    "nan_range": EXP_HEAD + "parameters: {us_transactionalism: {range: [.nan, 1]}}\nsamples: 4\n",
    "out_of_range": EXP_HEAD + "parameters: {us_transactionalism: {range: [0, 7]}}\nsamples: 4\n",
    "int_5000_digits": EXP_HEAD + "parameters: {us_transactionalism: {}}\nsamples: " + "9" * 5000 + "\n",
    "deep_yaml": EXP_HEAD + "x: " + "[" * 3000 + "]" * 3000 + "\n",
    "bad_outcome": EXP_HEAD
    + "parameters: {us_transactionalism: {}}\nsamples: 4\nanalysis: {outcome: \"__import__('os')\"}\n",
    "ban_unknown_card": LEVER_HEAD + "levers: [{name: b, ban: ROK, values: [[no_such_card]]}]\n",
    "ban_number": LEVER_HEAD + "levers: [{name: b, ban: ROK, values: [0.5]}]\n",
    "ban_nested_list": LEVER_HEAD + "levers: [{name: b, ban: ROK, values: [[[hedge_toward_china]]]}]\n",
    "ban_code": LEVER_HEAD + "levers: [{name: b, ban: ROK, values: [[\"__import__('os')\"]]}]\n",
    "ban_unknown_government": LEVER_HEAD + "levers: [{name: b, ban: PRK, values: [[]]}]\n",
    "ban_huge_list": LEVER_HEAD + "levers: [{name: b, ban: ROK, values: [[" + ", ".join(["c"] * 5000) + "]]}]\n",
    "script_no_moves": LEVER_HEAD + "levers: [{name: s, script: USA, values: [a]}]\n",
    "script_bad_quarter": LEVER_HEAD + "levers: [{name: s, script: USA, moves: {a: {2025Q7: [tariff_threat]}}}]\n",
    "script_far_quarter": LEVER_HEAD + "levers: [{name: s, script: USA, moves: {a: {9999Q1: [tariff_threat]}}}]\n",
    "script_int_quarter": LEVER_HEAD + "levers: [{name: s, script: USA, moves: {a: {3: [tariff_threat]}}}]\n",
    "script_moves_list": LEVER_HEAD + "levers: [{name: s, script: USA, moves: [tariff_threat]}]\n",
    "script_unknown_set": LEVER_HEAD
    + "levers: [{name: s, script: USA, moves: {a: {}}}]\npolicies: {p: {s: nowhere}}\n",
    "ban_and_script_clash": LEVER_HEAD
    + "levers: [{name: b, ban: USA, values: [[tariff_threat]]}, "
    + "{name: s, script: USA, moves: {a: {2025Q2: [tariff_threat]}}}]\n",
    "ban_policy_mapping": LEVER_HEAD
    + "levers: [{name: b, ban: ROK, values: [[]]}]\npolicies: {p: {b: {hedge_toward_china: true}}}\n",
}
EXPERIMENT_CASES = [
    Case(
        f"experiment-{name}",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out"),
        write("exp.yaml", text),
        names="exp.yaml",
    )
    for name, text in EXPERIMENTS.items()
]
EXPERIMENT_CASES += [
    Case("experiment-fifo", ("sweep", "{box}/exp.yaml", "--out", "{box}/out"), fifo("exp.yaml"), names="exp.yaml"),
    Case(
        "experiment-directory", ("sweep", "{box}/exp.yaml", "--out", "{box}/out"), folder("exp.yaml"), names="exp.yaml"
    ),
]

GOOD_EXP = EXP_HEAD + "parameters: {us_transactionalism: {}}\nsampler: grid\nlevels: 2\nreplications: 2\nseed: 1\n"
ARGUMENT_CASES = [
    Case("arg-runs-zero", ("run", "baseline", "--runs", "0"), names="--runs"),
    Case("arg-runs-negative", ("run", "baseline", "--runs", "-5"), names="--runs"),
    Case("arg-runs-text", ("run", "baseline", "--runs", "abc"), names="--runs"),
    Case("arg-runs-float", ("run", "baseline", "--runs", "1e12"), names="--runs"),
    Case("arg-runs-huge", ("run", "baseline", "--runs", "1000000000000"), names="runs"),
    Case("arg-runs-digits", ("run", "baseline", "--runs", "9" * 5000), names="--runs"),
    Case("arg-turns-huge", ("run", "baseline", "--turns", "1000000000"), names="turns"),
    Case("arg-seed-nan", ("run", "baseline", "--seed", "nan"), names="--seed"),
    Case("arg-seed-negative", ("run", "baseline", "--seed", "-1"), names="--seed"),
    Case("arg-replication-2p63", ("run", "baseline", "--replication", str(2**63)), names="--replication"),
    Case("arg-set-nan", ("run", "baseline", "--set", "us_transactionalism=nan"), names="us_transactionalism"),
    Case("arg-set-inf", ("run", "baseline", "--set", "us_transactionalism=1e400"), names="us_transactionalism"),
    Case("arg-set-unknown", ("run", "baseline", "--set", "no_such=1"), names="no_such"),
    Case("arg-set-no-equals", ("run", "baseline", "--set", "us_transactionalism"), names="--set"),
    Case("arg-strategy-unknown", ("run", "baseline", "--strategy", "USA=nope"), names="nope"),
    Case("arg-strategy-government", ("run", "baseline", "--strategy", "PRK=default"), names="PRK"),
    Case("arg-shadows-huge", ("play", "baseline", "--headless", "--auto", "--shadows", "100000000"), names="--shadows"),
    Case("arg-top-zero", ("run", "baseline", "--explain", "--top", "0"), names="--top"),
    Case("arg-bench-runs-huge", ("bench", "--runs", "1000000000000"), names="runs"),
    Case(
        "arg-compare-missing",
        ("compare", "baseline", "--observed", "{box}/none.csv", "--variable", "tie.ROK_JPN"),
        names="none.csv",
    ),
    Case(
        "arg-compare-binary",
        ("compare", "baseline", "--observed", "{box}/o.csv", "--variable", "tie.ROK_JPN"),
        write("o.csv", b"\x00\xff" * 50),
        names="o.csv",
    ),
    Case(
        "arg-compare-nan",
        ("compare", "baseline", "--observed", "{box}/o.csv", "--variable", "tie.ROK_JPN"),
        write("o.csv", "year,value\n2025,nan\n2026,0.5\n2027,0.4\n"),
        names="o.csv",
    ),
    Case(
        "arg-compare-unknown-variable",
        ("compare", "baseline", "--observed", "{box}/o.csv", "--variable", "tie.NOPE"),
        write("o.csv", "year,value\n2025,0.4\n2026,0.5\n2027,0.4\n"),
        names="tie.NOPE",
    ),
    Case(
        "arg-out-devnull",
        ("sweep", "{box}/exp.yaml", "--out", "/dev/null/x"),
        write("exp.yaml", GOOD_EXP),
        names="/dev/null/x",
    ),
    Case(
        "arg-out-proc",
        ("sweep", "{box}/exp.yaml", "--out", "/proc/trilat"),
        write("exp.yaml", GOOD_EXP),
        names="/proc/trilat",
    ),
    Case(
        "arg-out-long-name",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/" + "x" * 300),
        write("exp.yaml", GOOD_EXP),
        names="x" * 40,
    ),
    Case(
        "arg-out-is-file",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/exp.yaml"),
        write("exp.yaml", GOOD_EXP),
        names="exp.yaml",
    ),
    Case(
        "arg-dask-not-url",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "not a url"),
        write("exp.yaml", GOOD_EXP),
        names="not a url",
        may_change=("out",),
    ),
    Case(
        "arg-dask-http",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "http://127.0.0.1:9/"),
        write("exp.yaml", GOOD_EXP),
        names="http://127.0.0.1:9/",
        may_change=("out",),
    ),
    Case(
        "arg-dask-closed-port",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "tcp://127.0.0.1:9"),
        write("exp.yaml", GOOD_EXP),
        names="127.0.0.1:9",
        may_change=("out",),
    ),
    Case(
        "arg-dask-bad-ipv6",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "tcp://[zz::1]:8786"),
        write("exp.yaml", GOOD_EXP),
        names="tcp://[zz::1]:8786",
    ),
    Case(
        "arg-dask-timeout-nan",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "tcp://127.0.0.1:9", "--dask-timeout", "nan"),
        write("exp.yaml", GOOD_EXP),
        names="--dask-timeout",
    ),
    Case(
        "arg-dask-silent-listener",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "tcp://127.0.0.1:47913", "--dask-timeout", "1"),
        lambda box: (write("exp.yaml", GOOD_EXP)(box), listener(47913, None)),
        names="127.0.0.1:47913",
        may_change=("out",),
    ),
    Case(
        "arg-dask-garbage-listener",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "tcp://127.0.0.1:47914", "--dask-timeout", "2"),
        lambda box: (write("exp.yaml", GOOD_EXP)(box), listener(47914, b"\xff" * 4096)),
        names="127.0.0.1:47914",
        may_change=("out",),
    ),
    Case(
        "arg-dask-tls-plain-silent-listener",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "tls://127.0.0.1:47915", "--dask-timeout", "1"),
        lambda box: (write("exp.yaml", GOOD_EXP)(box), listener(47915, None)),
        names="tls://127.0.0.1:47915",
        may_change=("out",),
    ),
    Case(
        "arg-dask-tls-plain-garbage-listener",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "tls://127.0.0.1:47916", "--dask-timeout", "2"),
        lambda box: (write("exp.yaml", GOOD_EXP)(box), listener(47916, b"HTTP/1.1 400 Bad Request\r\n\r\n")),
        names="tls://127.0.0.1:47916",
        may_change=("out",),
    ),
    Case(
        "arg-dask-tls-closed-port",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--dask", "tls://127.0.0.1:9"),
        write("exp.yaml", GOOD_EXP),
        names="tls://127.0.0.1:9",
        may_change=("out",),
    ),
    Case(
        "arg-sweep-chunk-too-many",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out", "--chunk", "1"),
        write("exp.yaml", GOOD_EXP.replace("replications: 2", "replications: 2000000")),
        names="--chunk",
    ),
    Case(
        "arg-out-lock-file-link",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/out"),
        lambda box: (
            write("exp.yaml", GOOD_EXP)(box),
            (box / "out").mkdir(),
            (box / "out" / ".trilat-sweep.lock").symlink_to("/etc/passwd"),
        ),
        names=".trilat-sweep.lock",
    ),
    Case("arg-resume-missing-save", ("play", "--resume", "{box}/none.json", "--headless", "--auto"), names="none.json"),
    Case("arg-report-missing-save", ("report", "{box}/none.json"), names="none.json"),
    Case("arg-unknown-command", ("frobnicate",), names="frobnicate"),
]
