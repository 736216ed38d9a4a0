"""Text and JSON renderings of a run: the turn-by-turn story, cause and effect, final tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine.explain import contributions
from sim.engine.indicators import EXPLAINED, HEADLINE, label
from sim.engine.scoring import objective_scores
from sim.engine.sources import SourceKind
from sim.play.plain_names import short_source

if TYPE_CHECKING:
    from sim.engine.model import TrilateralModel
    from sim.engine.runner import EnsembleResult

__all__ = ["HEADLINE", "KIND_TAGS", "label", "print_ensemble", "print_final_table", "print_story", "story_json"]

KIND_TAGS: dict[SourceKind, str] = {
    SourceKind.RULE: "rule",
    SourceKind.EVENT: "event",
    SourceKind.ACT: "threat",
    SourceKind.ACTION: "move",
    SourceKind.ELECTION: "election",
}
"""The tag the text story prints before each kind of entry (other kinds print their own name)."""


def _explain_lines(model: TrilateralModel, turn: int, top: int) -> list[str]:
    lines = []
    for name, info in contributions(model, turn).items():
        if abs(info["total"]) < 5e-4:
            continue
        parts = ", ".join(f"{s.bare_label} {v:+.3f}" for s, v in info["parts"][:top])
        more = len(info["parts"]) - top
        tail = f", ... {more} more" if more > 0 else ""
        lines.append(f"    why {label(name)} {info['total']:+.3f}: {parts}{tail}")
    return lines


def print_story(model: TrilateralModel, explain: bool = False, top: int = 6, story: bool = True) -> None:
    """Print the turn-by-turn story of world 0 (and, with ``explain``, what moved each indicator)."""
    scenario = model.scenario
    world = int(model.replication_ids[0])
    runs = model.replications
    header = f"{scenario.title} ({scenario.id}) - seed {model.seed}"
    header += f", replication {world}" if runs == 1 else f", {runs} worlds (explanations are means over worlds)"
    print(header)
    print("=" * len(header))
    by_turn: dict[int, list[Any]] = {}
    for entry in model.log:
        by_turn.setdefault(entry.turn, []).append(entry)
    for turn in range(1, model.turn + 1):
        before, after = model.history[turn - 1], model.history[turn]
        change = float(np.mean(after["trilateral"] - before["trilateral"]))
        print(
            f"\n{scenario.quarter_label(turn)} (turn {turn})"
            f"  trilateral {np.mean(after['trilateral']):.3f} ({change:+.3f})"
        )
        if story:
            for entry in by_turn.get(turn, []):
                if runs == 1 and not entry.in_story:
                    continue
                kind = KIND_TAGS.get(entry.source.kind, entry.source.kind.value)
                text = entry.say or entry.title
                cite = f"  [{short_source(entry.citation)}]" if entry.citation else ""
                print(f"  {kind:<8} {text}{cite}")
        ties = "  ".join(f"{label(n)} {np.mean(after[n]):.2f}" for n in HEADLINE[1:4])
        print(f"  {'state':<8} {ties}")
        if explain:
            for line in _explain_lines(model, turn, top):
                print(line)
    print()
    print_final_table(model)


def print_final_table(model: TrilateralModel) -> None:
    """Start, final and change of every headline and government indicator."""
    first, last = model.history[0], model.history[-1]
    names = [*HEADLINE, *(n for n in EXPLAINED if n not in HEADLINE)]
    print(f"{'indicator':<26}{'start':>8}{'final':>8}{'change':>9}")
    for name in names:
        a, b = float(np.mean(first[name])), float(np.mean(last[name]))
        print(f"{label(name):<26}{a:>8.3f}{b:>8.3f}{b - a:>+9.3f}")
    print(f"{'threat acts':<26}{'':>8}{float(np.mean(last['provocations'])):>8.1f}")
    print(f"{'scenario events':<26}{'':>8}{float(np.mean(last['events_fired'])):>8.1f}")
    scores = objective_scores(model)
    if any(model.scenario.objectives.get(g) for g in scores):
        print("\nObjective scores (100 x weighted change of each capital's objectives)")
        for gov, values in scores.items():
            terms = ", ".join(f"{name} {weight:+g}" for name, weight in model.scenario.objectives.get(gov, ()))
            print(f"  {gov}  {float(np.mean(values)):+7.2f}   ({terms})")


def story_json(
    model: TrilateralModel, explain: bool = False, top: int | None = None, story: bool = True
) -> dict[str, Any]:
    """A JSON-ready record of a run: final values per world, summary, story and trajectories."""
    from sim.engine.runner import summarize

    final = {name: values.tolist() for name, values in model.final().items()}
    summary = {name: summarize(values) for name, values in model.final().items()}
    out: dict[str, Any] = {
        "scenario": model.scenario.id,
        "title": model.scenario.title,
        "seed": model.seed,
        "runs": model.replications,
        "replications": model.replication_ids.tolist(),
        "turns": model.turn,
        "final": final,
        "summary": summary,
        "trajectory": {name: [float(np.mean(h[name])) for h in model.history] for name in model.history[0]},
        "scores": {gov: values.tolist() for gov, values in objective_scores(model).items()},
    }
    if story:
        out["story"] = [
            {
                "turn": e.turn,
                "quarter": e.quarter,
                "phase": e.phase,
                "id": e.label,
                "title": e.title,
                "say": e.say,
                "source": e.citation,
                "worlds": e.worlds,
            }
            for e in model.log
            if model.replications > 1 or e.in_story
        ]
    if explain:
        out["explain"] = {
            str(turn): {
                name: {
                    "total": info["total"],
                    "parts": [[s.label, v] for s, v in (info["parts"][:top] if top else info["parts"])],
                }
                for name, info in contributions(model, turn).items()
            }
            for turn in range(1, model.turn + 1)
        }
    return out


def print_ensemble(result: EnsembleResult) -> None:
    """Per indicator mean, p5, p50, p95 over the ensemble's final values."""
    scenario = result.scenario
    print(f"{scenario.title} ({scenario.id}) - {result.runs} runs, seed {result.seed}, {result.turns} turns")
    print(f"final quarter: {scenario.quarter_label(result.turns)}\n")
    from sim.engine.runner import summarize

    def row(name: str, stats: dict[str, float], digits: int) -> str:
        return f"{name:<26}" + "".join(f"{stats[k]:>8.{digits}f}" for k in ("mean", "p5", "p50", "p95"))

    print(f"{'indicator':<26}{'mean':>8}{'p5':>8}{'p50':>8}{'p95':>8}")
    for name, stats in result.summary().items():
        print(row(label(name), stats, 3))
    if any(scenario.objectives.get(gov) for gov in result.scores):
        print("\nObjective scores (100 x weighted change of each capital's objectives)")
        for gov, values in result.scores.items():
            print(row(gov, summarize(values), 2))
