"""The debrief: final indicators, team scores, turning points and their causes, debrief questions, report export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.engine.layout import GOVERNMENTS
from sim.errors import TrilatError
from sim.play.fairscore import SCORE_EXPLANATION, FairScore
from sim.play.match import HEADLINE, Match, TurningPoint, label
from sim.play.plain_names import plain_label, points
from ui import theme
from ui.charts import ChartView, draw_chart, draw_legend_note
from ui.input import Action, Intent, key
from ui.scene import Scene, SceneId
from ui.scenes.common import ButtonSpec, draw_footer, draw_header, footer_buttons, footer_height, header_height
from ui.theme import Fonts, pygame
from ui.widgets import Region, Widget, draw_panel, draw_text, draw_wrapped

if TYPE_CHECKING:
    from ui.app import App

TABLE = (*HEADLINE, *(f"{g}.{v}" for v in ("approval", "polarization", "threat") for g in GOVERNMENTS))
CHART_SHORT = {"trilateral": "Trilateral", "tie.USA_ROK": "USA-ROK", "tie.USA_JPN": "USA-JPN", "tie.ROK_JPN": "ROK-JPN"}
NO_EXPORTER = (
    "The report exporter (sim.play.aar) is not installed in this version of Trilat: "
    "update it, then run `trilat report SAVE`."
)


def score_note(score: FairScore) -> str:
    """The line under a team's contribution: its raw change and what the default play would have scored."""
    if not score.counterfactual:
        return f"raw change {score.raw:+.1f}; the default strategy (no contribution)"
    return f"raw change {score.raw:+.1f}, default play would score {score.baseline:+.1f}"


def report_folder(match: Match) -> Path:
    """Where the report goes: beside the autosave (``<save>-report``), else in the current folder."""
    path = match.session.autosave_path
    if path is not None:
        return path.with_name(f"{path.stem}-report")
    return Path.cwd() / f"trilat-{match.scenario.id}-report"


class DebriefScene(Scene):
    """The end of the game (or wherever the facilitator ended it)."""

    scene_id = SceneId.DEBRIEF

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.exported: dict[str, Any] | None = None
        self.export_message = ""
        self.points_shown = 0

    @property
    def match(self) -> Match:
        """The game."""
        return self.app.require_match()

    def refresh(self) -> None:
        match = self.match
        self.fair = match.fair_scores()
        self.scores = {gov: score.contribution for gov, score in self.fair.items()}
        self.points = match.turning_points(5, 3)
        history = match.story.history
        self.chart = ChartView(
            turns=match.turn,
            lines={name: [float(h[name][0]) for h in history] for name in CHART_SHORT},
            labels=CHART_SHORT,
            selected="trilateral",
            fan=match.fan("trilateral"),
            quarters=[match.quarter(i) for i in range(match.turn + 1)],
        )

    def columns(self, size: tuple[int, int]) -> list[pygame.Rect]:
        """Three columns between header and footer."""
        fonts = self.fonts
        pad = fonts.s(10)
        top = header_height(fonts) + pad
        height = size[1] - top - footer_height(fonts) - pad
        widths = (0.31, 0.38)
        first = pygame.Rect(pad, top, round(size[0] * widths[0]), height)
        second = pygame.Rect(first.right + pad, top, round(size[0] * widths[1]), height)
        third = pygame.Rect(second.right + pad, top, size[0] - second.right - 2 * pad, height)
        return [first, second, third]

    def score_rows(self, size: tuple[int, int]) -> dict[str, pygame.Rect]:
        """Where each team's score is (for tooltips)."""
        fonts = self.fonts
        first = self.columns(size)[0]
        row_h = fonts.line_height("heading") + fonts.line_height("tiny") + fonts.s(8)
        top = first.bottom - 3 * row_h - fonts.s(10)
        return {
            g: pygame.Rect(first.left + fonts.s(10), top + i * row_h, first.width - fonts.s(20), row_h)
            for i, g in enumerate(GOVERNMENTS)
        }

    def build(self, size: tuple[int, int]) -> list[Widget]:
        widgets: list[Widget] = []
        for gov, rect in self.score_rows(size).items():
            terms = ", ".join(f"{label(i)} x{w:g}" for i, w in self.match.scenario.objectives.get(gov, ()))
            tip = f"{SCORE_EXPLANATION} {gov}'s objectives: {terms or 'none in this scenario'}."
            widgets.append(Region(rect, None, tooltip=tip, focusable=False, name=f"score_{gov}"))
        left = [ButtonSpec("Back to the game", Action(Intent.BACK), key(pygame.K_ESCAPE))]
        right = [
            ButtonSpec("Title screen", Action(Intent.TITLE), key(pygame.K_t)),
            ButtonSpec("Replay this game", Action(Intent.REPLAY), key(pygame.K_p)),
            ButtonSpec(
                "Export report",
                Action(Intent.EXPORT),
                key(pygame.K_x),
                "primary",
                tooltip=f"Markdown, HTML and PNG charts in {report_folder(self.match)}",
            ),
        ]
        return widgets + footer_buttons(self.fonts, size, right, left)

    def on_action(self, action: Action) -> None:
        intent = action.intent
        if intent is Intent.BACK:
            self.app.stack.pop()
        elif intent is Intent.TITLE:
            self.app.to_title()
        elif intent is Intent.REPLAY:
            self.app.start_replay(self.match.session)
        elif intent in (Intent.EXPORT, Intent.CONFIRM):
            self.export()

    def export(self) -> None:
        """Write the after-action report with ``sim.play.aar.write_report`` (if this version has it)."""
        try:
            # Imported here on purpose: the exporter is an optional part of the install; without it
            # the button gives a message instead of the game failing to start.
            from sim.play.aar import write_report
        except ImportError as exc:
            missing = getattr(exc, "name", "") or ""
            self.export_message = NO_EXPORTER if missing in ("sim.play.aar", "") else f"Cannot export: {exc}"
            self.app.toast(self.export_message, 8)
            return
        folder = report_folder(self.match)
        try:
            self.match.autosave()
            self.exported = write_report(self.match.session, folder)
        except (TrilatError, OSError, ValueError) as exc:
            self.export_message = f"Export failed: {exc}"
            self.app.toast(self.export_message, 8)
            return
        html = self.exported.get("html") if isinstance(self.exported, dict) else None
        self.export_message = f"Report written to {folder}" + (
            f" (open {Path(html).name} in a browser)" if html else ""
        )
        self.app.toast(self.export_message, 8)

    # ------------------------------------------------------------------ drawing

    def draw_scene(self, surface: pygame.Surface) -> None:
        fonts, match = self.fonts, self.match
        played = match.turn
        span = f"{match.quarter(1)} to {match.quarter(played)}" if played else "no turns"
        teams = ", ".join(f"{match.team_name(g)} ({'team' if match.is_human(g) else 'computer'})" for g in GOVERNMENTS)
        session = match.session
        if session.ended_early:
            what = f"ended by the facilitator after turn {played} of {session.planned_turns}"
        else:
            what = f"{played} of {session.planned_turns} turns played"
        draw_header(
            surface,
            fonts,
            f"Debrief: {match.scenario.title}",
            f"{what} ({span}); {teams}",
            f"seed {match.settings.seed}",
        )
        draw_footer(surface, fonts)
        first, second, third = self.columns(surface.get_size())
        self._draw_indicators(surface, first)
        self._draw_turning_points(surface, second)
        self._draw_questions(surface, third)

    def _draw_indicators(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, match = self.fonts, self.match
        inner = draw_panel(surface, fonts, rect, "Final indicators")
        cols = (inner.right - fonts.s(110), inner.right - fonts.s(55), inner.right)
        y = inner.top
        for text, x in zip(("start", "final", "change"), cols, strict=True):
            draw_text(surface, fonts, text, (x, y), "tiny", theme.MUTED, True, "topright")
        y += fonts.line_height("tiny")
        for name in TABLE:
            start, final = match.value(name, 0), match.value(name, match.turn)
            name_rect = pygame.Rect(inner.left, y, cols[0] - inner.left - fonts.s(40), inner.height)
            draw_text(surface, fonts, f"{points(start)}", (cols[0], y), "small", theme.MUTED, anchor="topright")
            draw_text(surface, fonts, f"{points(final)}", (cols[1], y), "small", theme.TEXT, True, "topright")
            moved = points(final) - points(start)  # the change in the points shown, so 63 -> 69 reads +6
            color = theme.POSITIVE if moved > 0 else theme.NEGATIVE if moved < 0 else theme.MUTED
            shown = f"{moved:+d}" if moved else "0"
            draw_text(surface, fonts, shown, (cols[2], y), "small", color, True, "topright")
            y = draw_wrapped(surface, fonts, plain_label(name), name_rect, "small", theme.TEXT)
        rows = self.score_rows(surface.get_size())
        top = min(r.top for r in rows.values())
        draw_text(
            surface,
            fonts,
            "Team scores: contribution",
            (inner.left, top - fonts.line_height("heading") - fonts.s(4)),
            "heading",
            theme.TEXT,
            True,
        )
        biggest = max([abs(v) for v in self.scores.values()] + [1.0])
        for gov, row in rows.items():
            score = self.scores.get(gov, 0.0)
            color = theme.GOVERNMENT_COLORS[gov]
            name_role = "body" if fonts.width(match.team_name(gov), "body", True) <= row.width // 2 else "small"
            name_rect = pygame.Rect(row.left, row.top, row.width // 2, fonts.line_height("heading"))
            draw_wrapped(surface, fonts, match.team_name(gov), name_rect, name_role, color, True)
            draw_text(surface, fonts, f"{score:+.1f}", (row.right, row.top), "heading", theme.TEXT, True, "topright")
            bar_w = round((row.width // 4) * abs(score) / biggest)
            mid = row.left + row.width * 5 // 8
            bar = pygame.Rect(mid if score >= 0 else mid - bar_w, row.top + fonts.s(6), max(1, bar_w), fonts.s(10))
            pygame.draw.rect(surface, theme.POSITIVE if score >= 0 else theme.NEGATIVE, bar)
            pygame.draw.line(surface, theme.MUTED, (mid, row.top + fonts.s(2)), (mid, row.top + fonts.s(20)))
            note = score_note(self.fair[gov])
            if not match.scenario.objectives.get(gov):
                note = "no objectives in this scenario"
            draw_text(surface, fonts, note, (row.left, row.top + fonts.line_height("heading")), "tiny", theme.MUTED)

    def _draw_turning_points(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts = self.fonts
        chart_h = round(rect.height * 0.40)
        chart_panel = pygame.Rect(rect.left, rect.top, rect.width, chart_h)
        inner = draw_panel(surface, fonts, chart_panel, "Trilateral index and ties")
        legend_h = fonts.line_height("tiny") + fonts.s(2)
        if self.match.turn >= 1:
            draw_chart(
                surface, fonts, pygame.Rect(inner.left, inner.top, inner.width, inner.height - legend_h), self.chart
            )
            draw_legend_note(
                surface,
                fonts,
                (inner.left + fonts.s(30), inner.bottom - legend_h + fonts.s(2)),
                self.match.settings.shadows,
            )
        panel = pygame.Rect(
            rect.left, chart_panel.bottom + fonts.s(10), rect.width, rect.height - chart_h - fonts.s(10)
        )
        inner = draw_panel(surface, fonts, panel, "Turning points and their causes")
        if not self.points:
            draw_text(surface, fonts, "No turns played.", (inner.left, inner.top), "small", theme.MUTED)
            return
        self.points_shown = draw_turning_points(surface, fonts, inner, self.points)

    def _draw_questions(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        fonts, match = self.fonts, self.match
        inner = draw_panel(surface, fonts, rect, "Debrief questions")
        y = inner.top
        questions = match.scenario.spec.debrief or [
            "What moved the trilateral index most, and could the teams have changed it?"
        ]
        for n, question in enumerate(questions, 1):
            area = pygame.Rect(inner.left + fonts.s(22), y, inner.width - fonts.s(22), inner.bottom - y - fonts.s(70))
            draw_text(surface, fonts, f"{n}.", (inner.left, y), "body", theme.BLUE, True)
            y = draw_wrapped(surface, fonts, question, area, "body", theme.TEXT) + fonts.s(6)
        message = (
            self.export_message or "Export report (X): Markdown, HTML and PNG charts, with every facilitator action."
        )
        area = pygame.Rect(inner.left, inner.bottom - fonts.s(64), inner.width, fonts.s(64))
        pygame.draw.line(
            surface, theme.PANEL_EDGE, (inner.left, area.top - fonts.s(4)), (inner.right, area.top - fonts.s(4))
        )
        draw_wrapped(surface, fonts, message, area, "small", theme.BLUE if self.exported else theme.MUTED, max_lines=3)


def _point_lines(fonts: Fonts, point: TurningPoint, width: int) -> list[tuple[str, str, bool, int]]:
    """A turning point's lines as (text, role, bold, indent): its head, then one wrapped line per cause."""
    indent = fonts.s(16)
    head = f"turn {point.turn}, {point.quarter}  {label(point.indicator)}  {point.change * 100:+.1f}"
    lines = [(line, "small", True, 0) for line in fonts.wrap(head, width, "small", True)]
    for source, value in point.causes:
        for line in fonts.wrap(f"{source} {value * 100:+.1f}", width - indent, "tiny"):
            lines.append((line, "tiny", False, indent))
    return lines


def draw_turning_points(surface: pygame.Surface, fonts: Fonts, inner: pygame.Rect, points: list[TurningPoint]) -> int:
    """Whole turning points that fit in ``inner`` (never one cut in half); a last line counts the rest.

    Returns:
        How many turning points were drawn.
    """
    y, shown = inner.top, 0
    note_h = fonts.line_height("tiny")
    for i, point in enumerate(points):
        lines = _point_lines(fonts, point, inner.width)
        height = sum(fonts.line_height(role) for _, role, _, _ in lines)
        room = inner.bottom - (note_h if i < len(points) - 1 else 0)
        if y + height > room:
            break
        color = theme.POSITIVE if point.change > 0 else theme.NEGATIVE
        for text, role, bold, indent in lines:
            ink = color if bold else theme.TEXT
            y = draw_text(surface, fonts, text, (inner.left + indent, y), role, ink, bold).bottom
        y += fonts.s(4)
        shown += 1
    if shown < len(points):
        rest = len(points) - shown
        more = f"{rest} more turning point{'s' if rest != 1 else ''} in the exported report (X)"
        draw_text(surface, fonts, more, (inner.left, inner.bottom - note_h), "tiny", theme.MUTED)
    return shown
