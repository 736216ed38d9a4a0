"""After-action report of a game: Markdown, a self-contained HTML page and PNG charts.

``write_report(session, folder)`` is what the game's "Export report" button and
``trilat report SAVE`` call. The report gives the final indicators with the range of the shadow
worlds, each team's score against its objectives, the turning points and their causes, the
story turn by turn, every facilitator action (including undone turns and branches) and the
scenario's debrief questions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.atomic import atomic_savefig, atomic_write_text, output_folder
from sim.engine.indicators import HEADLINE, hex_colour, label
from sim.engine.layout import GOVERNMENTS
from sim.engine.sources import SourceKind
from sim.errors import UsageError
from sim.play.commands import Choose
from sim.play.fairscore import SCORE_EXPLANATION, fair_scores
from sim.play.match import Match
from sim.play.plain_names import reference_line, short_source
from sim.play.report_markup import markdown_to_html, md
from sim.play.session import GameSession
from sim.play.wording import describe_action, government_name, objective_words, turn_label

CHARTS = {
    "cooperation": ("Cooperation", ["trilateral", "tie.USA_ROK", "tie.USA_JPN", "tie.ROK_JPN"]),
    "institutions": ("Institutions and deterrence", ["institutionalization", "deterrence"]),
    "politics": ("Domestic approval", ["USA.approval", "ROK.approval", "JPN.approval"]),
}
TURNING_POINTS = 4
TIE_STYLES = {"tie.USA_ROK": "--", "tie.USA_JPN": "-.", "tie.ROK_JPN": ":"}
"""Line styles of the ties in the report's charts (their registry colours are greys)."""


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _chart(session: GameSession, names: list[str], title: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenario = session.scenario
    turns = list(range(session.turn + 1))
    labels = ["start"] + [scenario.quarter_label(t) for t in turns[1:]]
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    for name in names:
        colour = hex_colour(name)  # the game's colours (indicator registry)
        fan = session.fan(name)
        if "p5" in fan:
            ax.fill_between(turns, fan["p5"], fan["p95"], color=colour, alpha=0.12, linewidth=0)
            ax.fill_between(turns, fan["p25"], fan["p75"], color=colour, alpha=0.22, linewidth=0)
        style = TIE_STYLES.get(name, "-")  # the ties are greys: told apart by their dashes
        ax.plot(turns, fan["story"], color=colour, linewidth=2.2, linestyle=style, label=label(name))
    ax.set_title(title + (" (bands: 50% and 90% of the shadow worlds)" if session.shadows is not None else ""))
    ax.set_ylim(0, 1)
    step = max(1, len(turns) // 8)
    ax.set_xticks(turns[::step], labels[::step], rotation=30, ha="right")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8, ncols=2)
    fig.tight_layout()
    atomic_savefig(fig, path)
    plt.close(fig)
    return path


def turning_points(session: GameSession, count: int = TURNING_POINTS) -> list[dict[str, Any]]:
    """The turns in which the trilateral index moved most, with their largest causes (plain names)."""
    story = session.story
    match = Match(session)
    changes = []
    for turn in range(1, story.turn + 1):
        delta = float(story.history[turn]["trilateral"][0] - story.history[turn - 1]["trilateral"][0])
        changes.append((abs(delta), turn, delta))
    points: list[dict[str, Any]] = []
    for _, turn, delta in sorted(changes, reverse=True)[:count]:
        info = story.explain(turn)["trilateral"]
        points.append(
            {
                "turn": turn,
                "quarter": session.scenario.quarter_label(turn),
                "change": delta,
                "causes": [(match.source_label(source), value) for source, value in info["parts"][:4]],
                "events": [e.title for e in story.log if e.turn == turn and e.in_story],
            }
        )
    return sorted(points, key=lambda p: p["turn"])


def played_summary(session: GameSession) -> str:
    """``4 of 4 turns played`` or ``ended by the facilitator after turn 2 of 4``."""
    played, planned = session.turn, session.planned_turns
    if session.ended_early:
        return f"ended by the facilitator after turn {played} of {planned}"
    return f"{played} of {planned} turns played"


def team_label(session: GameSession, gov: str) -> str:
    """``Team Seoul (Republic of Korea, human team)`` or ``Japan (computer: objectives)``."""
    settings, spec = session.settings, session.scenario.spec
    controller = settings.controller(gov) or spec.governments[gov].strategy  # type: ignore[index]
    who = "human team" if controller == "human" else f"computer: {controller}"
    name = government_name(session.scenario, gov)
    team = settings.team_names.get(gov, "")
    return f"{team} ({name}, {who})" if team else f"{name} ({who})"


def moves_by_turn(session: GameSession, turn: int) -> dict[str, str]:
    """What each government did in ``turn``: the cards it played (and a team's chosen cards that did not take)."""
    story, scenario = session.story, session.scenario
    played: dict[str, list[str]] = {g: [] for g in GOVERNMENTS}
    for entry in story.log:
        if entry.turn == turn and entry.in_story and entry.source.kind is SourceKind.ACTION:
            played.setdefault(entry.source.owner, []).append(entry.title)
    out = {}
    for gov in GOVERNMENTS:
        chosen = next(
            (e.cards for e in session.log if isinstance(e, Choose) and e.turn == turn - 1 and e.government == gov),
            None,
        )
        text = "; ".join(played[gov]) or "passed (no card played)"
        if chosen is not None:
            titles = {card.id: card.title or card.id for card in scenario.actions.get(gov, ())}
            missed = [titles.get(c, c) for c in chosen if titles.get(c, c) not in played[gov]]
            if missed:
                text += f" (chosen but did not take effect: {'; '.join(missed)})"
        out[gov] = text
    return out


def _teams_section(session: GameSession) -> list[str]:
    scenario, settings = session.scenario, session.settings
    rows = []
    for gov in _governments(session):
        controller = settings.controller(gov) or scenario.spec.governments[gov].strategy  # type: ignore[index]
        who = "human team" if controller == "human" else f"computer ({controller})"
        objectives = "; ".join(objective_words(scenario, gov)) or "none"
        row = [settings.team_names.get(gov, "") or "-", government_name(scenario, gov), who, objectives]
        rows.append([md(cell) for cell in row])
    return ["", "## Teams", "", *_table(["team", "government", "played by", "objectives"], rows)]


def _scores_section(session: GameSession) -> list[str]:
    rows = []
    for gov, score in fair_scores(session).items():
        if gov not in session.scenario.spec.governments:
            continue
        spread = f"{_points(score.spread[0])} to {_points(score.spread[1])}" if score.spread else ""
        default = _points(score.baseline) if score.counterfactual else "(played the default)"
        rows.append(
            [md(team_label(session, gov)), _points(score.raw), default, f"**{_points(score.contribution)}**", spread]
        )
    header = ["team", "raw change", "default play would score", "contribution", "middle half of shadow worlds"]
    return ["", "## Scores: raw change and contribution", "", *_table(header, rows), "", SCORE_EXPLANATION]


def _moves_section(session: GameSession) -> list[str]:
    scenario, story = session.scenario, session.story
    out = ["", "## Who chose what, turn by turn", ""]
    for turn in range(1, story.turn + 1):
        out.append(f"### {md(_cap(turn_label(scenario, turn)))}")
        out.append("")
        moves = moves_by_turn(session, turn)
        out += [f"- **{md(team_label(session, gov))}**: {md(moves[gov])}" for gov in _governments(session)]
        happened = [
            e.title for e in story.log if e.turn == turn and e.in_story and e.source.kind is not SourceKind.ACTION
        ]
        if happened:
            out.append(f"- What else happened: {md('; '.join(happened))}")
        out.append("")
    return out


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _points(value: float) -> str:
    """A score to one decimal, signed, without a "-0.0"."""
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def _governments(session: GameSession) -> list[str]:
    return sorted(session.scenario.spec.governments, key=GOVERNMENTS.index)


def build_markdown(session: GameSession, charts: dict[str, Path]) -> str:
    """The report as Markdown (charts referenced by file name)."""
    scenario, story, settings = session.scenario, session.story, session.settings
    spec = scenario.spec
    out: list[str] = [f"# After-action report: {md(spec.title)}", ""]
    out.append(
        f"Scenario `{md(spec.id)}`, seed {md(settings.seed)}, {played_summary(session)} "
        f"({md(scenario.quarter_label(1))} to {md(scenario.quarter_label(max(story.turn, 1)))}); "
        f"{md(settings.shadows)} shadow worlds."
    )
    out += [f"Note: {md(notice)}" for notice in session.notices]
    out += _teams_section(session)
    out += _scores_section(session)

    out += ["", "## Final indicators", ""]
    first, last = story.history[0], story.history[-1]
    rows = []
    for name in [*HEADLINE, *(f"{g}.approval" for g in GOVERNMENTS)]:
        fan = session.fan(name)
        spread = f"{fan['p5'][-1]:.2f} to {fan['p95'][-1]:.2f}" if "p5" in fan else ""
        a, b = float(first[name][0]), float(last[name][0])
        rows.append([md(label(name)), f"{a:.2f}", f"{b:.2f}", f"{b - a:+.2f}", spread])
    out += _table(["indicator", "start", "end", "change", "90% of shadow worlds"], rows)

    out += ["", "## Charts", ""]
    out += [
        "Colours are the game's (one palette, the indicator registry): the United States blue, "
        "the Republic of Korea green, Japan purple, the trilateral index black; the three ties are "
        "dashed greys, as in the game's chart, because in the game a tie's colour says its level "
        "(vermillion strained, orange fragile, sky blue working, blue strong).",
        "",
    ]
    for key, path in charts.items():
        out += [f"![{md(CHARTS[key][0])}]({path.name})", ""]

    out += ["## Turning points", ""]
    for point in turning_points(session):
        causes = "; ".join(f"{md(source)} {value:+.3f}" for source, value in point["causes"])
        out.append(f"- **{md(_cap(turn_label(scenario, point['turn'])))}**: trilateral index {point['change']:+.3f}.")
        if point["events"]:
            out.append(f"  What happened: {md(', '.join(point['events']))}.")
        out.append(f"  Largest causes: {causes}.")

    out += _moves_section(session)

    out += ["## The story, turn by turn", ""]
    for turn in range(1, story.turn + 1):
        out.append(f"### {md(_cap(turn_label(scenario, turn)))}")
        for entry in (e for e in story.log if e.turn == turn and e.in_story):
            cite = f" *({md(short_source(entry.citation))})*" if entry.citation else ""
            out.append(f"- {md(entry.say or entry.title)}{cite}")
        out.append("")

    out += ["## Facilitator log (in order)", ""]
    actions = session.facilitator_actions()
    out += [f"- {md(describe_action(scenario, a))}" for a in actions] if actions else ["No facilitator actions."]

    if spec.debrief:
        out += ["", "## Debrief questions", ""]
        out += [f"{i}. {md(q)}" for i, q in enumerate(spec.debrief, 1)]
    if spec.sources:
        out += ["", "## Sources", ""]
        out += [f"- {md(reference_line(s.author, s.title, s.note))}" for s in spec.sources]
    return "\n".join(out) + "\n"


def write_report(session: GameSession, folder: Path | str) -> dict[str, Any]:
    """Write report.md, report.html and the PNG charts into ``folder``; return their paths.

    Every file is written atomically through :mod:`sim.atomic`: a symbolic link planted in the
    folder under one of the report's names is replaced, never written through.

    Raises:
        UsageError: the folder is a file, a special file or a link, or cannot be written (one line).
    """
    folder = output_folder(folder)
    page_title = f"After-action report: {session.scenario.title}"
    try:
        charts = {key: _chart(session, names, title, folder / f"{key}.png") for key, (title, names) in CHARTS.items()}
        markdown = build_markdown(session, charts)
        md_path = atomic_write_text(folder / "report.md", markdown)
        html_path = atomic_write_text(folder / "report.html", markdown_to_html(markdown, page_title))
    except OSError as exc:
        raise UsageError(f"{folder}: cannot write the report ({exc.strerror or exc})") from None
    return {"markdown": md_path, "html": html_path, "charts": list(charts.values())}
