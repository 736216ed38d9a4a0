"""Declared resource limits of a model run, checked before anything is allocated.

Every limit is named in the message that refuses it, so a user learns what to change. The
memory estimate is deliberately simple (measured per replication on the baseline: a fixed part
per state row and a part per recorded turn) and errs on the side of refusing only what clearly
cannot fit.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.errors import UsageError

MAX_REPLICATIONS = 10_000_000
"""Replications one model carries at once (sweeps split larger designs into chunks)."""

MAX_TURNS = 1_000
"""Turns one run may play (250 years of quarters)."""

MAX_SHADOWS = 100_000
"""Most shadow worlds a game carries (the fan needs hundreds, not millions)."""

MAX_REPLICATION_ID = 2**62
"""Largest replication index (the counter-based streams take 64-bit counters)."""

BYTES_PER_ROW = 8 * 6
"""Bytes per state row and replication: the state and the working copies of a turn."""

BYTES_PER_TURN = 512
"""Bytes per replication and recorded turn (history snapshots and the cause record), measured."""


def available_memory() -> int | None:
    """Memory the machine can give now (``MemAvailable``), else physical memory, else None."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def estimate_bytes(rows: int, replications: int, turns: int, record: bool = True) -> int:
    """A rough upper estimate of a run's memory."""
    per_replication = rows * BYTES_PER_ROW + (turns + 1) * (BYTES_PER_TURN if record else BYTES_PER_TURN // 2)
    return replications * per_replication


def check_run_fits(rows: int, replications: int, turns: int, record: bool = True, what: str = "replications") -> None:
    """Refuse a run whose turns exceed MAX_TURNS or whose memory estimate exceeds what the machine has.

    Raises:
        UsageError: naming the limit or the estimate and the memory available.
    """
    if turns > MAX_TURNS:
        raise UsageError(f"turns is at most {MAX_TURNS} (got {turns})")
    need = estimate_bytes(rows, replications, turns, record)
    have = available_memory()
    if have is not None and need > 0.8 * have:
        raise UsageError(
            f"{replications} {what} x {turns} turns need about {need / 2**30:.1f} GiB of memory; "
            f"this machine has {have / 2**30:.1f} GiB available: use fewer {what} or turns "
            "(a sweep splits large designs into chunks)"
        )


def check_ensemble_fits(runs: int, values_per_run: int) -> None:
    """Refuse an ensemble whose collected results (``values_per_run`` floats per run) cannot fit in memory.

    Raises:
        UsageError: naming the estimate and the memory available.
    """
    need = runs * values_per_run * 8 * 2
    have = available_memory()
    if have is not None and need > 0.8 * have:
        raise UsageError(
            f"{runs:,} runs keep about {need / 2**30:.1f} GiB of results; this machine has "
            f"{have / 2**30:.1f} GiB available: use fewer runs, or a sweep, which writes results to disk in chunks"
        )


# ----------------------------------------------------------------------------------- scenarios
# Checked when a scenario is validated (sim/lang/checks.py, sim/lang/compiler.py), each well above
# the largest shipped scenario (measured: 50 events, 11 rules, 9 threat acts, 30 cards, at most 10
# per government, 745 expression nodes in all and 34 in one expression). The text limits of a
# scenario file live beside their readers: 1 MiB per file, 200,000 YAML nodes with aliases
# expanded, 64 levels of nesting (sim/lang/yamlio.py); 2,000 characters and 40 levels of nesting
# per expression (sim/lang/expr.py).

MAX_EVENTS = 2_000
"""Events in one scenario, its whole ``extends:`` chain merged."""

MAX_RULES = 1_000
"""Rules in one scenario."""

MAX_RULES_PER_PHASE = 500
"""Rules in one phase of the turn (each phase evaluates its rules every turn)."""

MAX_THREAT_ACTS = 500
"""Threat acts in one scenario, all threat actors together."""

MAX_CARDS = 1_000
"""Cards (``actions:``) in one scenario, all governments together."""

MAX_CARDS_PER_GOVERNMENT = 300
"""Cards one government may hold (its hand is drawn from them every turn)."""

MAX_EXPRESSION_NODES = 1_500
"""Nodes (operands, operators, calls) in one compiled expression."""

MAX_SCENARIO_NODES = 100_000
"""Nodes of all compiled expressions of one scenario together (its whole expression graph).

YAML aliases let one expression of up to 2,000 characters be used at any number of sites, each
compiled on its own, so the text limits alone do not bound the graph.
"""

MAX_EXTENDS_DEPTH = 32
"""Files in one scenario's ``extends:`` chain, itself and ``defaults`` included (shipped: at most 3)."""
