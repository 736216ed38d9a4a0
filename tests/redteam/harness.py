"""The red team's harness: run one hostile input through the real ``trilat`` command and judge the result.

Each case runs ``python -m sim.cli ...`` in a fresh process under an address-space cap and a
timeout, in a sandbox folder. A case passes when the command refuses cleanly: a non-zero exit
that is not a crash or a kill, no traceback, a short message that names the file or argument,
bounded time and memory, no file written outside the sandbox, and nothing already in the
sandbox lost or changed unless the case says it may be.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP = 3 * 2**30
TIMEOUT_S = 60
MAX_MESSAGE_LINES = 12


@dataclass(frozen=True)
class Case:
    """One hostile input.

    Attributes:
        name: a short id (the pytest id).
        argv: the ``trilat`` arguments; ``{box}`` is replaced by the sandbox folder.
        setup: prepares files in the sandbox (gets the sandbox path).
        names: text the error message must contain (the file or the argument at fault).
        may_change: sandbox paths (relative) the command may create or change.
    """

    name: str
    argv: tuple[str, ...]
    setup: Callable[[Path], None] = lambda box: None
    names: str = ""
    may_change: tuple[str, ...] = field(default_factory=tuple)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def snapshot(folder: Path) -> dict[str, str]:
    """Path -> content digest (or link target) of everything under ``folder``."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.stat().st_size < 50_000_000 else "big"
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = "special"
    return out


def run_case(case: Case, box: Path, outside: Path) -> tuple[int, str, str]:
    """Run ``case`` in ``box``; return (exit code, stdout, stderr). ``outside`` is watched for writes."""
    case.setup(box)
    before, before_outside = snapshot(box), snapshot(outside)
    argv = [arg.replace("{box}", str(box)) for arg in case.argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(box / "home"), "SDL_VIDEODRIVER": "dummy"}
    env["SDL_AUDIODRIVER"] = "dummy"
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", *argv],
        cwd=box,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIMEOUT_S,
        preexec_fn=_limit,
        check=False,
    )
    after, after_outside = snapshot(box), snapshot(outside)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    allowed = {p for p in changed if any(p == m or p.startswith(m.rstrip("/") + "/") for m in case.may_change)}
    allowed |= {p for p in changed if p == "home" or p.startswith("home/")}
    lost = sorted(changed - allowed)
    assert not lost, f"{case.name}: changed or lost in the sandbox: {lost[:5]}"
    assert before_outside == after_outside, f"{case.name}: wrote outside its sandbox"
    return done.returncode, done.stdout, done.stderr


def judge(case: Case, code: int, err: str) -> None:
    """Assert a clean refusal."""
    assert code not in (0, 1) and code > 0, f"{case.name}: exit {code}\n{err[-2000:]}"
    assert "Traceback" not in err, f"{case.name}: traceback\n{err[-3000:]}"
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, f"{case.name}: no message"
    assert len(lines) <= MAX_MESSAGE_LINES, f"{case.name}: {len(lines)} lines of message\n{err[:2000]}"
    if case.names:
        assert case.names in err, f"{case.name}: message does not name {case.names!r}:\n{err[:1000]}"
