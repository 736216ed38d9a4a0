"""Hostile saves and sweep folders: mutations of real ones."""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.redteam.cases_files import GOOD_EXP, fifo, sparse, write
from tests.redteam.harness import Case


@functools.cache
def template_save() -> dict[str, Any]:
    """A real save of a one-turn baseline game (built once per process)."""
    from sim.play.session import GameSession, GameSettings

    folder = Path(tempfile.mkdtemp(prefix="trilat-redteam-save-"))
    session = GameSession(GameSettings(scenario="baseline", turns=2, shadows=0), autosave=folder / "game.json")
    session.resolve()
    path = session.save(folder / "game.json")
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def template_sweep() -> Path:
    """A real, finished two-point sweep (built once per process)."""
    from sim.research.sweep import run_sweep

    folder = Path(tempfile.mkdtemp(prefix="trilat-redteam-sweep-"))
    (folder / "exp.yaml").write_text(GOOD_EXP, encoding="utf-8")
    run_sweep(folder / "exp.yaml", folder / "sweep", progress=False)
    return folder


def save_with(mutate: Callable[[dict[str, Any]], Any]):
    """A setup writing game.json: the template save after ``mutate`` (which may return a replacement)."""

    def setup(box: Path) -> None:
        data = json.loads(json.dumps(template_save()))
        replaced = mutate(data)
        text = replaced if isinstance(replaced, str) else json.dumps(data if replaced is None else replaced)
        (box / "game.json").write_text(text, encoding="utf-8")

    return setup


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        keys = path.split(".")
        target = data
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = keys[-1]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is ...:
            del target[last]
        else:
            target[last] = value

    return mutate


SAVE_MUTATIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "turns-text": _set("settings.turns", "abc"),
    "teams-list": _set("settings.team_names", ["a", "b"]),
    "controllers-number": _set("settings.controllers", 5),
    "seed-text": _set("settings.seed", "abc"),
    "seed-nan": lambda d: json.dumps(d).replace('"seed": 1', '"seed": NaN'),
    "seed-5000-digits": lambda d: json.dumps(d).replace('"seed": 1', '"seed": ' + "9" * 5000),
    "shadows-billion": _set("settings.shadows", 1_000_000_000),
    "shadows-negative": _set("settings.shadows", -4),
    "command-without-kind": lambda d: d["log"].append({"turn": 1}),
    "command-unknown-kind": lambda d: d["log"].append({"kind": "format_disk"}),
    "command-cards-number": lambda d: d["log"].append({"kind": "choose", "gov": "USA", "cards": 7}),
    "log-not-list": _set("log", {"a": 1}),
    "no-settings": _set("settings", ...),
    "no-scenario": _set("scenario", ...),
    "scenario-path-devzero": _set("scenario.path", "/dev/zero"),
    "deep-array": lambda d: "[" * 1_000_000 + "]" * 1_000_000,
    "top-level-list": lambda d: [d],
    "not-json": lambda d: "this is not json {",
    "empty": lambda d: "",
    "huge-string": lambda d: json.dumps({**d, "padding": "x" * (60 << 20)}),
    "team-name-escape": _set("settings.team_names", {"ROK": "\x1b[2J\x07"}),
    "seed-beyond-64-bits": _set("settings.seed", 2**64),
    "set-state-overflow": lambda d: json.dumps(d).replace(
        '"log": [', '"log": [{"kind": "set_state", "turn": 0, "name": "ROK.approval", "value": 1e999}, '
    ),
    "command-turn-huge": lambda d: d["log"].append({"kind": "resolve", "turn": 10**6}),
    "embedded-text-huge": lambda d: d["scenario"]["files"][0].update(text="#" * (4 << 20)),
    "content-hash-shell": _set("scenario.content_hash", "$(touch pwned)"),
    "version-future": _set("version", 99),
}

SAVE_COMMANDS = {
    "report": ("report", "{box}/game.json", "--out", "{box}/report"),
    "replay": ("replay", "{box}/game.json", "--headless"),
    "resume": ("play", "--resume", "{box}/game.json", "--headless", "--auto", "--turns", "1", "--shadows", "0"),
}

SAVE_CASES = [
    Case(f"save-{name}-{command}", argv, save_with(mutate), names="game.json", may_change=("report",))
    for name, mutate in SAVE_MUTATIONS.items()
    for command, argv in SAVE_COMMANDS.items()
    if command == "report"
    or name in ("turns-text", "command-without-kind", "seed-nan", "deep-array", "shadows-billion")
]
SAVE_CASES += [
    Case("save-fifo", ("report", "{box}/game.json"), fifo("game.json"), names="game.json"),
    Case("save-devzero", ("report", "/dev/zero"), names="/dev/zero"),
    Case("save-sparse-3gb", ("report", "{box}/game.json"), sparse("game.json", 3 << 30), names="game.json"),
    Case("save-directory", ("report", "{box}/game.json"), lambda box: (box / "game.json").mkdir(), names="game.json"),
    Case("save-fifo-replay", ("replay", "{box}/game.json", "--headless"), fifo("game.json"), names="game.json"),
    Case(
        "save-fifo-resume",
        ("play", "--resume", "{box}/game.json", "--headless", "--auto"),
        fifo("game.json"),
        names="game.json",
    ),
    Case("save-devzero-replay", ("replay", "/dev/zero", "--headless"), names="/dev/zero"),
    Case(
        "save-link-to-devzero",
        ("report", "{box}/game.json"),
        lambda box: (box / "game.json").symlink_to("/dev/zero"),
        names="game.json",
    ),
    Case(
        "save-dangling-link",
        ("report", "{box}/game.json"),
        lambda box: (box / "game.json").symlink_to(box / "gone.json"),
        names="game.json",
    ),
]


def sweep_with(change: Callable[[Path], None]):
    """A setup copying the template sweep into the sandbox, then ``change(sweep folder)``."""

    def setup(box: Path) -> None:
        source = template_sweep()
        shutil.copy(source / "exp.yaml", box / "exp.yaml")
        shutil.copytree(source / "sweep", box / "sweep")
        change(box / "sweep")

    return setup


def _manifest(edit: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        path = folder / "manifest.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        replaced = edit(data)
        text = replaced if isinstance(replaced, str) else json.dumps(data if replaced is None else replaced)
        path.write_text(text, encoding="utf-8")

    return change


def _parts(action: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        for part in sorted(folder.rglob("*.parquet")):
            action(part)

    return change


def flip_data_page(part: Path) -> None:
    """Flip four bytes inside the last column chunk's data of ``part``; its footer stays valid."""
    import pyarrow.parquet as pq

    group = pq.read_metadata(part).row_group(0)
    chunk = group.column(group.num_columns - 1)
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    data = bytearray(part.read_bytes())
    for k in range(4):
        data[start + chunk.total_compressed_size // 2 + k] ^= 0x5A
    part.write_bytes(bytes(data))


SWEEP_CHANGES: dict[str, Callable[[Path], None]] = {
    "manifest-missing": lambda f: (f / "manifest.json").unlink(),
    "manifest-garbage": _manifest(lambda d: "garbage{"),
    "manifest-no-experiment": _manifest(lambda d: d.pop("experiment")),
    "manifest-no-chunks": _manifest(lambda d: d.pop("chunks", None)),
    "manifest-chunks-string": _manifest(lambda d: d.__setitem__("chunks", "many")),
    "manifest-list": _manifest(lambda d: [d]),
    "manifest-fifo": lambda f: ((f / "manifest.json").unlink(), os.mkfifo(f / "manifest.json")),
    "manifest-sparse": lambda f: ((f / "manifest.json").unlink(), sparse("manifest.json", 3 << 30)(f)),
    "parts-truncated": _parts(lambda p: p.write_bytes(p.read_bytes()[:40])),
    "parts-garbage": _parts(lambda p: p.write_bytes(b"garbage" * 10)),
    "parts-deleted": _parts(lambda p: p.unlink()),
    "parts-flipped-data-page": _parts(flip_data_page),
    "manifest-seed-nan": _manifest(lambda d: json.dumps(d).replace('"seed": 1', '"seed": NaN')),
    "manifest-seed-5000-digits": _manifest(lambda d: json.dumps(d).replace('"seed": 1', '"seed": ' + "9" * 5000)),
    "manifest-deep": _manifest(lambda d: json.dumps(d)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    "manifest-count-bool": _manifest(lambda d: d.__setitem__("replications", True)),
    "manifest-total-mismatch": _manifest(lambda d: d["runs"].__setitem__("total", 5)),
    "manifest-design-traversal": _manifest(lambda d: d["design"].__setitem__("file", "../../outside/precious.txt")),
    "manifest-directory": lambda f: ((f / "manifest.json").unlink(), (f / "manifest.json").mkdir()),
    "chunks-garbage": lambda f: (f / "chunks.parquet").write_bytes(b"garbage" * 10),
    "chunks-fifo": lambda f: ((f / "chunks.parquet").unlink(), os.mkfifo(f / "chunks.parquet")),
    "design-deleted": lambda f: (f / "design.parquet").unlink(),
    "analysis-is-file": lambda f: (shutil.rmtree(f / "analysis", ignore_errors=True), (f / "analysis").write_text("x")),
}

SWEEP_COMMANDS = {
    "analyze": ("analyze", "{box}/sweep"),
    "from-sweep": ("run", "--from-sweep", "{box}/sweep", "--run", "0"),
    "resume": ("sweep", "{box}/exp.yaml", "--out", "{box}/sweep", "--quiet"),
}

SWEEP_CASES = [
    Case(f"sweep-{name}-{command}", argv, sweep_with(change), names="sweep", may_change=("sweep/analysis",))
    for name, change in SWEEP_CHANGES.items()
    for command, argv in SWEEP_COMMANDS.items()
    if not (name.startswith("parts-") and command == "resume")  # resume re-runs lost parts: a success
    and not (name == "analysis-is-file" and command != "analyze")  # only analyze uses analysis/: others succeed
]


def _larger(old: str, new: str) -> Callable[[Path], None]:
    """A change writing ``exp2.yaml`` beside the sweep: its experiment with ``old`` replaced by ``new``."""

    def change(folder: Path) -> None:
        text = (folder.parent / "exp.yaml").read_text(encoding="utf-8")
        (folder.parent / "exp2.yaml").write_text(text.replace(old, new), encoding="utf-8")

    return change


EXTEND = ("sweep", "{box}/exp2.yaml", "--out", "{box}/sweep", "--quiet", "--extend")
SWEEP_CASES += [
    Case("sweep-extend-seed", EXTEND, sweep_with(_larger("seed: 1", "seed: 2")), names="'seed'"),
    Case("sweep-extend-fewer", EXTEND, sweep_with(_larger("replications: 2", "replications: 1")), names="replications"),
    Case("sweep-extend-levels", EXTEND, sweep_with(_larger("levels: 2", "levels: 3")), names="'levels'"),
    Case(
        "sweep-extend-nothing",
        ("sweep", "{box}/exp.yaml", "--out", "{box}/none", "--extend"),
        write("exp.yaml", GOOD_EXP),
        names="none",
    ),
]
