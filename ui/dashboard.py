"""The dashboard of one turn: map of the ties, government panels, chart with fan, event feed, "why?".

The turn screen and the replay viewer both show a :class:`Dashboard`. It reads the game
through :class:`sim.play.match.Match` for the turn it is showing (``view_turn``: the state after that
many turns), prepares everything it draws in :meth:`Dashboard.refresh` and
:meth:`Dashboard.layout`, and draws without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.engine.indicators import colour, short_label
from sim.engine.layout import GOVERNMENTS, PAIRS, THREAT_ACTORS
from sim.engine.sources import SourceKind
from sim.play.match import GOV_CITIES, HEADLINE, THREAT_NAMES, Match, firing_kind, label
from sim.play.plain_names import level, meaning, points
from ui import theme
from ui.charts import (
    GOVERNMENT_ROWS,
    ROW_LABELS,
    ChartView,
    GovernmentView,
    MapView,
    draw_causes,
    draw_chart,
    draw_government,
    draw_legend_note,
    draw_map,
    firing_chip,
    government_layout,
    map_positions,
    tie_width,
)
from ui.input import Action, Intent, key
from ui.scenes.common import ButtonSpec, button_row
from ui.theme import Fonts, pygame
from ui.widgets import Region, Segment, Widget, draw_bar, draw_chip, draw_panel, draw_text, draw_wrapped

INDEX_ROWS = ("trilateral", "institutionalization", "deterrence")
NUMBER_KEYS = (pygame.K_1, pygame.K_2, pygame.K_3, pygame.K_4, pygame.K_5, pygame.K_6)
CLICK_HINT = "Click (or press its number) to see why it changed."


@dataclass
class FeedOp:
    """One thing to draw in the feed, at a y relative to the feed's top."""

    kind: str
    x: int
    y: int
    text: str
    role: str = "small"
    color: tuple[int, int, int] = theme.TEXT
    bold: bool = False


class Dashboard:
    """Everything about one turn of a game, laid out in a rectangle.

    Args:
        match: the game.
        fonts: the app's fonts.
        view_turn: the turn to show (default: the latest).
    """

    def __init__(self, match: Match, fonts: Fonts, view_turn: int | None = None) -> None:
        self.match = match
        self.fonts = fonts
        self.view_turn = match.turn if view_turn is None else view_turn
        self.selected = "trilateral"
        self.feed_offset = 0
        self.rects: dict[str, pygame.Rect] = {}
        self.feed_ops: list[FeedOp] = []
        self.feed_height = 0
        self._fan_key: tuple[int, str] | None = None
        self._fan: dict[str, list[float]] = {}
        self.refresh()

    # ------------------------------------------------------------------ data

    def follow(self) -> None:
        """Show the latest turn."""
        self.view_turn = self.match.turn

    def step(self, delta: int) -> None:
        """Show an earlier or later turn."""
        self.view_turn = max(0, min(self.match.turn, self.view_turn + delta))
        self.feed_offset = 0

    def refresh(self) -> None:
        """Read the game for the turn on show."""
        match = self.match
        self.view_turn = max(0, min(match.turn, self.view_turn))
        t = self.view_turn
        before = max(0, t - 1)
        self.values = {name: match.value(name, t) for name in HEADLINE}
        self.previous = {name: match.value(name, before) for name in HEADLINE} if t >= 1 else dict(self.values)
        firings = match.feed(t) if t >= 1 else []
        acts: dict[str, list[str]] = {}
        for firing in firings:
            if firing_kind(firing) is SourceKind.ACT:
                acts.setdefault(firing.source.owner, []).append(firing.title)
        self.map_view = MapView(
            ties={p: self.values[f"tie.{p}"] for p in PAIRS},
            tie_changes={p: self.values[f"tie.{p}"] - self.previous[f"tie.{p}"] for p in PAIRS},
            activity={a: match.value(f"{a}.activity", t) for a in THREAT_ACTORS},
            acts=acts,
            names={**GOV_CITIES, **THREAT_NAMES},
            selected=self.selected,
        )
        self.governments = {}
        for gov in GOVERNMENTS:
            levels = {v: match.value(f"{gov}.{v}", t) for v in ("approval", "polarization", "threat")}
            values: dict[str, float | None] = {**levels, "capital": match.capital(gov) if t == match.turn else None}
            changes = {v: levels[v] - match.value(f"{gov}.{v}", before) for v in levels} if t >= 1 else {}
            self.governments[gov] = GovernmentView(
                code=gov,
                name=match.gov_title(gov),
                team=match.team_name(gov),
                controller=match.controller_label(gov),
                camp=f"In power: {match.camp(gov, t)}",
                values=values,
                capital_max=match.capital_max(),
                changes=changes,
            )
        key_ = (match.revision, self.selected)
        if self._fan_key != key_:
            self._fan = match.fan(self.selected)
            self._fan_key = key_
        history = match.story.history
        shown = HEADLINE if self.selected in HEADLINE else (*HEADLINE, self.selected)
        self.chart_view = ChartView(
            turns=match.turns,
            lines={name: [float(h[name][0]) for h in history] for name in shown},
            labels={name: short_label(name) if name in HEADLINE else label(name) for name in shown},
            selected=self.selected,
            fan=self._fan,
            quarters=[match.quarter(i) for i in range(match.turns + 1)],
            upto=t if t < match.turn else None,
        )
        self.why_total, self.why_parts = match.why(self.selected, t)

    # ------------------------------------------------------------------ layout

    def layout(self, area: pygame.Rect) -> list[Widget]:
        """Place the parts in ``area``; return the clickable regions."""
        fonts = self.fonts
        gap = fonts.s(10)
        left_w = round(area.width * 0.46)
        map_h = round(area.height * 0.55)
        r: dict[str, pygame.Rect] = {}
        r["map"] = pygame.Rect(area.left, area.top, left_w, map_h)
        strip_h = fonts.line_height("small") + fonts.s(22)
        r["index"] = pygame.Rect(area.left, r["map"].bottom + gap, left_w, strip_h)
        gov_top = r["index"].bottom + gap
        gov_w = (left_w - 2 * gap) // 3
        for i, gov in enumerate(GOVERNMENTS):
            r[gov] = pygame.Rect(area.left + i * (gov_w + gap), gov_top, gov_w, area.bottom - gov_top)
        right = pygame.Rect(area.left + left_w + gap, area.top, area.width - left_w - gap, area.height)
        chart_h = round(area.height * 0.45)
        r["chart_panel"] = pygame.Rect(right.left, right.top, right.width, chart_h)
        buttons_h = fonts.s(28)
        r["chips"] = pygame.Rect(right.left + fonts.s(8), right.top + fonts.s(8), right.width - fonts.s(16), buttons_h)
        legend_h = fonts.line_height("tiny") + fonts.s(4)
        r["chart"] = pygame.Rect(
            right.left + fonts.s(4),
            r["chips"].bottom + fonts.s(6),
            right.width - fonts.s(8),
            chart_h - buttons_h - legend_h - fonts.s(20),
        )
        r["legend"] = pygame.Rect(right.left + fonts.s(40), r["chart"].bottom + fonts.s(2), right.width, legend_h)
        low_top = r["chart_panel"].bottom + gap
        feed_w = round(right.width * 0.54)
        r["feed_panel"] = pygame.Rect(right.left, low_top, feed_w, area.bottom - low_top)
        r["why_panel"] = pygame.Rect(
            right.left + feed_w + gap, low_top, right.width - feed_w - gap, area.bottom - low_top
        )
        title_h = fonts.line_height("heading") + fonts.s(12)
        r["feed"] = pygame.Rect(
            r["feed_panel"].left + fonts.s(10),
            r["feed_panel"].top + title_h,
            feed_w - fonts.s(20),
            r["feed_panel"].height - title_h - fonts.s(8),
        )
        self.rects = r
        self._prepare_feed()
        return self._widgets()

    def index_rows(self) -> dict[str, pygame.Rect]:
        """Cells of the trilateral index, institutionalization and deterrence (the strip under the map)."""
        box = self.rects["index"]
        pad = self.fonts.s(8)
        width = (box.width - pad) // len(INDEX_ROWS)
        return {
            name: pygame.Rect(
                box.left + pad + i * width, box.top + self.fonts.s(5), width - pad, box.height - self.fonts.s(10)
            )
            for i, name in enumerate(INDEX_ROWS)
        }

    def _widgets(self) -> list[Widget]:
        fonts, match, r = self.fonts, self.match, self.rects
        widgets: list[Widget] = []
        pos = map_positions(r["map"])
        for gov in GOVERNMENTS:
            radius = fonts.s(26)
            tip = (
                f"{match.gov_title(gov)} ({match.controller_label(gov)}). In power: {match.camp(gov, self.view_turn)}."
            )
            widgets.append(
                Region(
                    (pos[gov][0] - radius, pos[gov][1] - radius, 2 * radius, 2 * radius),
                    None,
                    tooltip=tip,
                    focusable=False,
                    name=f"node_{gov}",
                )
            )
        for actor in THREAT_ACTORS:
            activity = self.map_view.activity.get(actor, 0.0)
            acts = ", ".join(self.map_view.acts.get(actor, [])) or "no acts this turn"
            tip = f"{THREAT_NAMES[actor]}: how serious this turn's acts were, {level(activity, tie=False)} ({acts})."
            widgets.append(
                Region(
                    (pos[actor][0] - fonts.s(30), pos[actor][1] - fonts.s(16), fonts.s(60), fonts.s(32)),
                    None,
                    tooltip=tip,
                    focusable=False,
                    name=f"node_{actor}",
                )
            )
        for pair in PAIRS:
            a, b = pair.split("_")
            name = f"tie.{pair}"
            tie_level = self.values[name]
            tip = (
                f"{label(name)} {level(tie_level)}: how well the two governments work together, from 0 to 100. "
                f"Width and colour show the level. {CLICK_HINT}"
            )
            widgets.append(
                Segment(
                    pos[a],
                    pos[b],
                    max(fonts.s(12), tie_width(tie_level, fonts)),
                    Action(Intent.SELECT, name),
                    tooltip=tip,
                    name=f"link_{pair}",
                )
            )
        for name, rect in self.index_rows().items():
            tip = f"{label(name)}: {meaning(name) or match.doc(name)} {CLICK_HINT}"
            widgets.append(Region(rect, Action(Intent.SELECT, name), tooltip=tip, name=f"index_{name}"))
        for gov in GOVERNMENTS:
            parts = government_layout(r[gov], fonts)
            for row in GOVERNMENT_ROWS:
                variable = f"{gov}.{row}"
                tip = f"{ROW_LABELS[row]} ({gov}): {meaning(variable) or match.doc(variable)}"
                if row in ("approval", "polarization", "threat"):
                    tip += f" {CLICK_HINT.replace(' (or press its number)', '')}"
                    widgets.append(
                        Region(
                            parts[row],
                            Action(Intent.SELECT, variable),
                            tooltip=tip,
                            focusable=False,
                            name=f"{gov}_{row}",
                        )
                    )
                else:
                    widgets.append(
                        Region(
                            parts[row],
                            None,
                            tooltip=tip + " Cards cost capital; it comes back each quarter.",
                            focusable=False,
                            name=f"{gov}_{row}",
                        )
                    )
        specs = [
            ButtonSpec(
                f"{i + 1} {short_label(name)}",
                Action(Intent.SELECT, name),
                key(NUMBER_KEYS[i]),
                name=f"chip_{name}",
                selected=name == self.selected,
                tooltip=f"{label(name)}: {meaning(name) or match.doc(name) + '.'} Press {i + 1} or click: chart it.",
                show_key=False,
            )
            for i, name in enumerate(HEADLINE)
        ]
        widgets += button_row(fonts, specs, r["chips"], "left", role="small")
        widgets.append(Region(r["feed"], Action(Intent.FEED), focusable=False, name="feed"))
        return widgets

    def _prepare_feed(self) -> None:
        fonts, match = self.fonts, self.match
        width = self.rects["feed"].width
        ops: list[FeedOp] = []
        y = 0
        small_h, tiny_h = fonts.line_height("small"), fonts.line_height("tiny")
        for turn in range(self.view_turn, 0, -1):
            ops.append(FeedOp("header", 0, y, f"{match.quarter(turn)}  (turn {turn})", "body", theme.BLUE, True))
            y += fonts.line_height("body") + fonts.s(2)
            entries = match.feed(turn)
            if not entries:
                ops.append(FeedOp("text", 0, y, "A quiet quarter: no events.", "small", theme.MUTED))
                y += small_h
            for firing in entries:
                chip, chip_color = firing_chip(firing.source)
                ops.append(FeedOp("chip", 0, y, chip, "tiny", chip_color))
                chip_w = fonts.width(chip, "tiny", True) + fonts.s(14)
                for line in fonts.wrap(firing.title or firing.label, width - chip_w, "small", True):
                    ops.append(FeedOp("text", chip_w, y, line, "small", theme.TEXT, True))
                    y += small_h
                if firing.say:
                    for line in fonts.wrap(firing.say, width - fonts.s(8), "small"):
                        ops.append(FeedOp("text", fonts.s(8), y, line, "small", theme.TEXT))
                        y += small_h
                source = match.essay(firing.citation)
                if source:
                    for line in fonts.wrap(f"Source: {source}", width - fonts.s(8), "tiny"):
                        ops.append(FeedOp("text", fonts.s(8), y, line, "tiny", theme.MUTED))
                        y += tiny_h
                y += fonts.s(6)
            y += fonts.s(4)
        ops.append(FeedOp("header", 0, y, "Start: the briefing", "body", theme.BLUE, True))
        y += fonts.line_height("body") + fonts.s(2)
        for line in fonts.wrap(match.scenario.spec.summary.strip(), width, "small"):
            ops.append(FeedOp("text", 0, y, line, "small", theme.TEXT))
            y += small_h
        self.feed_ops = ops
        self.feed_height = y
        self.clamp_feed()

    def clamp_feed(self) -> None:
        """Keep the feed's scroll offset in range."""
        room = self.rects.get("feed", pygame.Rect(0, 0, 0, 0)).height
        self.feed_offset = max(0, min(self.feed_offset, self.feed_height - room))

    # ------------------------------------------------------------------ intents

    def handle(self, action: Action) -> bool:
        """Handle a dashboard action (choose an indicator, scroll the feed); True if it was one."""
        if action.intent is Intent.SELECT:
            self.selected = action.value
            self.refresh()
            return True
        if action.intent is Intent.SCROLL:
            self.feed_offset += int(action.value) * self.fonts.line_height("small")
            self.clamp_feed()
            return True
        return action.intent is Intent.FEED

    # ------------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface) -> None:
        """Draw every part."""
        fonts, r = self.fonts, self.rects
        draw_map(surface, fonts, r["map"], self.map_view)
        self._draw_index(surface)
        for gov in GOVERNMENTS:
            draw_government(surface, fonts, r[gov], self.governments[gov])
        draw_panel(surface, fonts, r["chart_panel"])
        draw_chart(surface, fonts, r["chart"], self.chart_view)
        draw_legend_note(surface, fonts, r["legend"].topleft, self.match.settings.shadows)
        self._draw_feed(surface)
        self._draw_why(surface)

    def _draw_index(self, surface: pygame.Surface) -> None:
        fonts = self.fonts
        box = self.rects["index"]
        pygame.draw.rect(surface, theme.WHITE, box, border_radius=fonts.s(6))
        pygame.draw.rect(surface, theme.PANEL_EDGE, box, width=1, border_radius=fonts.s(6))
        for name, rect in self.index_rows().items():
            value = self.values[name]
            change = value - self.previous[name]
            selected = name == self.selected
            title = "Trilateral index" if name == "trilateral" else short_label(name)
            draw_text(surface, fonts, title, rect.topleft, "small", theme.TEXT, bold=True)
            text = f"{points(value)}" + (f" ({change * 100:+.1f})" if self.view_turn >= 1 else "")
            draw_text(surface, fonts, text, rect.topright, "tiny", theme.TEXT, bold=selected, anchor="topright")
            bar = pygame.Rect(rect.left, rect.top + fonts.line_height("small") + fonts.s(1), rect.width, fonts.s(6))
            # The index's bar shows its level's colour; the others their registry colour.
            draw_bar(surface, bar, value, theme.tie_color(value) if name == "trilateral" else colour(name))
            if selected:
                pygame.draw.rect(
                    surface, theme.BLACK, rect.inflate(fonts.s(6), fonts.s(4)), width=2, border_radius=fonts.s(3)
                )

    def _draw_feed(self, surface: pygame.Surface) -> None:
        fonts, r = self.fonts, self.rects
        title = "What happened" if self.view_turn >= 1 else "Briefing"
        draw_panel(surface, fonts, r["feed_panel"], title)
        area = r["feed"]
        clip = surface.get_clip()
        surface.set_clip(area)
        offset = self.feed_offset
        for op in self.feed_ops:
            y = area.top + op.y - offset
            if y > area.bottom or y < area.top - fonts.s(40):
                continue
            if op.kind == "chip":
                draw_chip(surface, fonts, op.text, (area.left + op.x, y + fonts.s(2)), op.color)
            else:
                draw_text(surface, fonts, op.text, (area.left + op.x, y), op.role, op.color, op.bold)
        surface.set_clip(clip)
        if self.feed_height > area.height:
            track = pygame.Rect(r["feed_panel"].right - fonts.s(6), area.top, fonts.s(3), area.height)
            pygame.draw.rect(surface, theme.PANEL_EDGE, track)
            share = area.height / self.feed_height
            thumb_h = max(fonts.s(20), round(track.height * share))
            thumb_y = track.top + round(
                (track.height - thumb_h) * self.feed_offset / max(1, self.feed_height - area.height)
            )
            pygame.draw.rect(surface, theme.MUTED, (track.left, thumb_y, track.width, thumb_h))

    def _draw_why(self, surface: pygame.Surface) -> None:
        fonts = self.fonts
        panel = self.rects["why_panel"]
        inner = draw_panel(surface, fonts, panel, "Why did this change?")
        name, t = self.selected, self.view_turn
        y = inner.top
        head = f"{label(name)} in {self.match.quarter(t)}" if t >= 1 else label(name)
        y = draw_wrapped(surface, fonts, head, inner, "small", theme.TEXT, True)
        if t < 1:
            draw_text(surface, fonts, "No turn played yet.", (inner.left, y + fonts.s(4)), "small", theme.MUTED)
            return
        before = self.match.value(name, t - 1)
        after = self.match.value(name, t)
        total_text = f"{points(before)} \u2192 {points(after)} of 100  (change {self.why_total * 100:+.1f})"
        color = theme.POSITIVE if self.why_total > 0 else theme.NEGATIVE
        y = draw_text(surface, fonts, total_text, (inner.left, y + 2), "small", color, True).bottom + fonts.s(6)
        area = pygame.Rect(inner.left, y, inner.width, inner.bottom - y)
        if not self.why_parts:
            draw_text(surface, fonts, "Nothing moved it this turn.", area.topleft, "small", theme.MUTED)
            return
        draw_causes(surface, fonts, area, self.why_parts, "tiny")

    def describe(self) -> dict[str, Any]:
        """What is on show (for tests and screenshots' captions)."""
        return {
            "turn": self.view_turn,
            "selected": self.selected,
            "ties": dict(self.map_view.ties),
            "why": self.why_parts,
        }
