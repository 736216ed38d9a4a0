"""Pure drawing of the game's pictures: the map of Northeast Asia, fan charts, cause bars, government panels.

Each picture has a layout function (where things are, for a rectangle) and a draw function
that takes plain data. Scenes use the layout functions to place their clickable regions and
the draw functions to paint; neither touches the game.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sim.engine.sources import Source, SourceKind
from sim.play.plain_names import level, spendable
from sim.play.plain_names import points as score_points
from ui import theme
from ui.theme import Color, Fonts, pygame
from ui.widgets import draw_bar, draw_chip, draw_text, draw_wrapped

Pos = tuple[int, int]

# ------------------------------------------------------------------------------------ the map

NODE_POSITIONS: dict[str, tuple[float, float]] = {
    "RUS": (0.52, 0.10),
    "CHN": (0.13, 0.52),
    "DPRK": (0.385, 0.30),
    "ROK": (0.385, 0.66),
    "JPN": (0.66, 0.64),
    "USA": (0.90, 0.20),
}
"""Where each actor sits on the schematic map, as fractions of the map's rectangle."""

NAME_SIDES = {"USA": "above", "ROK": "left", "JPN": "right", "DPRK": "below", "CHN": "below", "RUS": "below"}
"""Where each actor's name goes, so names stay clear of the ties and their labels."""

TIE_LABEL_AT: dict[str, tuple[float, int]] = {"USA_ROK": (0.52, 0), "USA_JPN": (0.3, 0), "ROK_JPN": (0.55, 1)}
"""Where each tie's label sits: the fraction of the way from its first to its second member, and
whether it is pushed below the line (1) or not (0)."""

LAND: tuple[tuple[tuple[float, float], ...], ...] = (
    # the Asian mainland with the Korean peninsula
    (
        (0.0, 0.0),
        (0.80, 0.0),
        (0.78, 0.06),
        (0.66, 0.12),
        (0.55, 0.17),
        (0.47, 0.20),
        (0.45, 0.28),
        (0.47, 0.40),
        (0.46, 0.55),
        (0.44, 0.72),
        (0.39, 0.80),
        (0.33, 0.76),
        (0.31, 0.62),
        (0.33, 0.50),
        (0.30, 0.40),
        (0.24, 0.38),
        (0.20, 0.50),
        (0.24, 0.60),
        (0.17, 0.70),
        (0.14, 0.85),
        (0.08, 1.0),
        (0.0, 1.0),
    ),
    # Hokkaido, Honshu, Shikoku and Kyushu (schematic)
    ((0.76, 0.17), (0.84, 0.14), (0.83, 0.25), (0.77, 0.27)),
    (
        (0.74, 0.30),
        (0.78, 0.33),
        (0.77, 0.48),
        (0.73, 0.62),
        (0.65, 0.74),
        (0.57, 0.78),
        (0.56, 0.73),
        (0.63, 0.66),
        (0.69, 0.52),
        (0.72, 0.38),
    ),
    ((0.60, 0.78), (0.65, 0.77), (0.64, 0.82), (0.60, 0.82)),
    ((0.52, 0.79), (0.56, 0.80), (0.55, 0.89), (0.51, 0.88)),
)


def map_positions(rect: pygame.Rect) -> dict[str, Pos]:
    """Pixel position of each actor on a map drawn in ``rect``."""
    return {
        code: (rect.left + round(fx * rect.width), rect.top + round(fy * rect.height))
        for code, (fx, fy) in NODE_POSITIONS.items()
    }


def tie_width(level: float, fonts: Fonts) -> int:
    """Line width of a tie at ``level`` (thin when strained, thick when strong)."""
    return fonts.s(3 + 20 * max(0.0, min(1.0, level)))


@dataclass
class MapView:
    """What the map shows for one turn."""

    ties: dict[str, float]
    tie_changes: dict[str, float]
    activity: dict[str, float]
    acts: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    selected: str = ""


PAIR_ENDS = {"USA_ROK": ("USA", "ROK"), "USA_JPN": ("USA", "JPN"), "ROK_JPN": ("ROK", "JPN")}


def draw_map(surface: pygame.Surface, fonts: Fonts, rect: pygame.Rect, view: MapView) -> None:
    """The schematic map: land, the three ties (width and colour = level, with numbers), the actors."""
    pygame.draw.rect(surface, theme.SEA, rect, border_radius=fonts.s(6))
    clip = surface.get_clip()
    surface.set_clip(rect)
    for polygon in LAND:
        points = [(rect.left + fx * rect.width, rect.top + fy * rect.height) for fx, fy in polygon]
        pygame.draw.polygon(surface, theme.LAND, points)
        pygame.draw.polygon(surface, theme.mix(theme.LAND, theme.MUTED, 0.3), points, width=1)
    surface.set_clip(clip)
    pos = map_positions(rect)
    pacific = (rect.left + round(0.9 * rect.width), rect.top + round(0.62 * rect.height))
    draw_text(surface, fonts, "Pacific", pacific, "small", theme.mix(theme.SEA, theme.MUTED, 0.6), anchor="center")
    for pair, (a, b) in PAIR_ENDS.items():
        level = view.ties.get(pair, 0.0)
        width = tie_width(level, fonts)
        color = theme.tie_color(level)
        if view.selected == f"tie.{pair}":
            pygame.draw.line(surface, theme.BLACK, pos[a], pos[b], width + fonts.s(6))
        pygame.draw.line(surface, color, pos[a], pos[b], width)
    for code in ("RUS", "CHN", "DPRK"):
        _draw_threat(surface, fonts, pos[code], code, view)
    for code in ("USA", "ROK", "JPN"):
        _draw_government_node(surface, fonts, pos[code], code, view)
    for pair, (a, b) in PAIR_ENDS.items():
        share, below = TIE_LABEL_AT[pair]
        first, second = a, b
        mid = (
            round(pos[first][0] + share * (pos[second][0] - pos[first][0])),
            round(pos[first][1] + share * (pos[second][1] - pos[first][1])) + below * fonts.s(32),
        )
        _draw_tie_label(surface, fonts, mid, pair, view.ties.get(pair, 0.0), view.tie_changes.get(pair, 0.0))
    _draw_tie_legend(surface, fonts, rect)


def _draw_government_node(surface: pygame.Surface, fonts: Fonts, at: Pos, code: str, view: MapView) -> None:
    radius = fonts.s(25)
    color = theme.GOVERNMENT_COLORS[code]
    pygame.draw.circle(surface, theme.WHITE, at, radius + fonts.s(3))
    pygame.draw.circle(surface, color, at, radius)
    draw_text(surface, fonts, code, at, "body", theme.WHITE, bold=True, anchor="center")
    name = view.names.get(code, code)
    side = NAME_SIDES.get(code, "below")
    gap = radius + fonts.s(5)
    if side == "left":
        draw_text(surface, fonts, name, (at[0] - gap, at[1]), "small", theme.TEXT, bold=True, anchor="midright")
    elif side == "above":
        draw_text(
            surface, fonts, name, (at[0], at[1] - gap + fonts.s(2)), "small", theme.TEXT, bold=True, anchor="midbottom"
        )
    elif side == "right":
        draw_text(surface, fonts, name, (at[0] + gap, at[1]), "small", theme.TEXT, bold=True, anchor="midleft")
    else:
        draw_text(
            surface, fonts, name, (at[0], at[1] + gap - fonts.s(2)), "small", theme.TEXT, bold=True, anchor="midtop"
        )


def _draw_threat(surface: pygame.Surface, fonts: Fonts, at: Pos, code: str, view: MapView) -> None:
    activity = view.activity.get(code, 0.0)
    if activity > 0:
        burst = fonts.s(28 + 30 * min(1.0, activity))
        glow = pygame.Surface((2 * burst, 2 * burst), pygame.SRCALPHA)
        pygame.draw.circle(glow, (*theme.VERMILLION, 70), (burst, burst), burst)
        pygame.draw.circle(glow, (*theme.VERMILLION, 200), (burst, burst), burst, width=fonts.s(3))
        surface.blit(glow, (at[0] - burst, at[1] - burst))
    text = fonts.render(code, "body", theme.WHITE, bold=True)
    box = text.get_rect(center=at).inflate(fonts.s(16), fonts.s(10))
    pygame.draw.rect(surface, theme.THREAT_COLOR, box, border_radius=fonts.s(5))
    surface.blit(text, text.get_rect(center=at))
    y = box.bottom + fonts.s(2)
    name = view.names.get(code, code)
    y = draw_text(surface, fonts, name, (at[0], y), "small", theme.TEXT, bold=True, anchor="midtop").bottom
    bounds = surface.get_clip()
    for act in view.acts.get(code, [])[:2]:
        rendered = fonts.render(act, "tiny", theme.VERMILLION, bold=True)
        rect = rendered.get_rect(midtop=(at[0], y))
        rect.left = max(rect.left, bounds.left + fonts.s(4))
        surface.blit(rendered, rect)
        y = rect.bottom


def _draw_tie_label(surface: pygame.Surface, fonts: Fonts, at: Pos, pair: str, level: float, change: float) -> None:
    first = fonts.render(f"{pair.replace('_', '-')} {score_points(level)}", "small", theme.TEXT, bold=True)
    trend = f" ({change * 100:+.1f})" if abs(change) >= 0.0005 else ""
    second = fonts.render(f"{theme.tie_word(level)}{trend}", "tiny", theme.MUTED)
    width = max(first.get_width(), second.get_width()) + fonts.s(10)
    height = first.get_height() + second.get_height() + fonts.s(4)
    box = pygame.Rect(0, 0, width, height)
    box.center = at
    pygame.draw.rect(surface, theme.WHITE, box, border_radius=fonts.s(4))
    pygame.draw.rect(surface, theme.tie_color(level), box, width=fonts.s(2), border_radius=fonts.s(4))
    surface.blit(first, first.get_rect(midtop=(box.centerx, box.top + fonts.s(2))))
    surface.blit(second, second.get_rect(midtop=(box.centerx, box.top + fonts.s(2) + first.get_height())))


def _draw_tie_legend(surface: pygame.Surface, fonts: Fonts, rect: pygame.Rect) -> None:
    x = rect.right - fonts.s(8)
    y = rect.bottom - fonts.s(8)
    items = list(reversed(theme.TIE_LEVELS))
    for bound, color, word in items:
        text = fonts.render(word, "tiny", theme.TEXT)
        tr = text.get_rect(bottomright=(x, y))
        surface.blit(text, tr)
        level = min(bound - 0.05, 0.9)
        pygame.draw.line(
            surface,
            color,
            (tr.left - fonts.s(30), tr.centery),
            (tr.left - fonts.s(6), tr.centery),
            tie_width(level, fonts) // 2 + 1,
        )
        y = tr.top - fonts.s(2)
    draw_text(surface, fonts, "ties", (x, y), "tiny", theme.MUTED, bold=True, anchor="bottomright")


def firing_chip(source: Source) -> tuple[str, Color]:
    """The chip (text, colour) for a feed entry: ``USA move``, ``DPRK threat``, ``event``, ``white cell`` ..."""
    kind, who = source.kind, source.owner
    if kind is SourceKind.ACTION and who in theme.GOVERNMENT_COLORS:
        return f"{who} move", theme.GOVERNMENT_COLORS[who]
    if kind is SourceKind.ACT:
        return f"{who} threat", theme.KIND_COLORS[kind]
    return theme.KIND_NAMES.get(kind, kind.value), theme.KIND_COLORS.get(kind, theme.FAINT)


# ------------------------------------------------------------------------------------ fan chart


@dataclass
class ChartView:
    """What the chart shows: lines per indicator, the selected one's fan, the span of turns."""

    turns: int
    lines: dict[str, list[float]]
    labels: dict[str, str]
    selected: str
    fan: dict[str, list[float]]
    quarters: list[str]
    upto: int | None = None


def chart_area(rect: pygame.Rect, fonts: Fonts) -> pygame.Rect:
    """The plotting area inside a chart rectangle (room for axes and end labels)."""
    return pygame.Rect(
        rect.left + fonts.s(34),
        rect.top + fonts.s(8),
        rect.width - fonts.s(34) - fonts.s(92),
        rect.height - fonts.s(8) - fonts.s(22),
    )


def _value_range(view: ChartView) -> tuple[float, float]:
    values = [v for line in view.lines.values() for v in line]
    values += [v for key in ("p5", "p95") for v in view.fan.get(key, [])]
    if not values:
        return 0.0, 1.0
    lo, hi = max(0.0, min(values) - 0.05), min(1.0, max(values) + 0.05)
    lo, hi = int(lo * 10) / 10, min(1.0, int(hi * 10 + 0.999) / 10)
    if hi - lo < 0.3:
        mid = (lo + hi) / 2
        lo, hi = max(0.0, mid - 0.15), min(1.0, mid + 0.15)
    return lo, hi


def draw_chart(surface: pygame.Surface, fonts: Fonts, rect: pygame.Rect, view: ChartView) -> None:
    """Indicators over the turns; the selected one bold with its fan (p5-p95 and p25-p75 bands)."""
    area = chart_area(rect, fonts)
    lo, hi = _value_range(view)
    span = max(1, view.turns)

    def xy(turn: int, value: float) -> tuple[float, float]:
        return (area.left + area.width * turn / span, area.bottom - area.height * (value - lo) / (hi - lo))

    pygame.draw.rect(surface, theme.WHITE, area)
    steps = round((hi - lo) / 0.1)
    for i in range(steps + 1):
        value = lo + i * 0.1
        y = xy(0, value)[1]
        pygame.draw.line(surface, theme.mix(theme.WHITE, theme.PANEL_EDGE, 0.6), (area.left, y), (area.right, y))
        draw_text(
            surface,
            fonts,
            f"{score_points(value)}",
            (area.left - fonts.s(4), round(y)),
            "tiny",
            theme.MUTED,
            anchor="midright",
        )
    every = max(1, round(span / max(1, area.width / fonts.s(64))))
    for turn in range(0, span + 1, every):
        x = xy(turn, lo)[0]
        pygame.draw.line(surface, theme.PANEL_EDGE, (x, area.bottom), (x, area.bottom + fonts.s(3)))
        text = view.quarters[turn] if turn < len(view.quarters) else str(turn)
        draw_text(surface, fonts, text, (round(x), area.bottom + fonts.s(4)), "tiny", theme.MUTED, anchor="midtop")
    pygame.draw.rect(surface, theme.PANEL_EDGE, area, width=1)
    upto = view.upto
    fan = {k: v[: upto + 1] if upto is not None else v for k, v in view.fan.items()}
    if "p5" in fan and len(fan["p5"]) >= 2:
        layer = pygame.Surface(area.size, pygame.SRCALPHA)
        offset = (-area.left, -area.top)
        for low, high, color, alpha in (("p5", "p95", theme.FAN_OUTER, 70), ("p25", "p75", theme.FAN_INNER, 80)):
            top = [xy(t, v) for t, v in enumerate(fan[high])]
            bottom = [xy(t, v) for t, v in enumerate(fan[low])][::-1]
            points = [(x + offset[0], y + offset[1]) for x, y in top + bottom]
            pygame.draw.polygon(layer, (*color, alpha), points)
        surface.blit(layer, area.topleft)
        median = [xy(t, v) for t, v in enumerate(fan["p50"])]
        pygame.draw.lines(surface, theme.FAN_INNER, False, median, 1)
    label_slots: list[tuple[float, str, Color, bool]] = []
    end_x = float(area.left)
    for name, values in view.lines.items():
        values = values[: upto + 1] if upto is not None else values
        if not values:
            continue
        selected = name == view.selected
        color = theme.TEXT if selected else theme.FAINT
        points = [xy(t, v) for t, v in enumerate(values)]
        if len(points) >= 2:
            pygame.draw.lines(surface, color, False, points, fonts.s(4) if selected else fonts.s(2))
        pygame.draw.circle(surface, color, points[-1], fonts.s(4) if selected else fonts.s(3))
        label_slots.append((points[-1][1], view.labels.get(name, name), color, selected))
        end_x = max(end_x, points[-1][0])
    _draw_end_labels(surface, fonts, area, label_slots, round(end_x))
    if upto is not None:
        x = xy(upto, lo)[0]
        pygame.draw.line(surface, theme.ORANGE, (x, area.top), (x, area.bottom), 2)


def _draw_end_labels(
    surface: pygame.Surface, fonts: Fonts, area: pygame.Rect, slots: list[tuple[float, str, Color, bool]], x: int
) -> None:
    """Labels just right of the lines' ends, spread so they do not overlap."""
    height = fonts.line_height("tiny")
    placed: list[float] = []
    for y, text, color, selected in sorted(slots):
        y = max(y, placed[-1] + height if placed else area.top)
        placed.append(y)
        draw_text(
            surface, fonts, text, (area.right + fonts.s(6), round(y)), "tiny", color, bold=selected, anchor="midleft"
        )


def draw_legend_note(surface: pygame.Surface, fonts: Fonts, at: Pos, shadows: int) -> pygame.Rect:
    """The fan's key: what the bands mean."""
    x, y = at
    box = pygame.Rect(x, y, fonts.s(14), fonts.s(10))
    pygame.draw.rect(surface, theme.mix(theme.WHITE, theme.FAN_OUTER, 0.3), box)
    x = draw_text(surface, fonts, "90% of replays", (box.right + 4, y - 2), "tiny", theme.MUTED).right + fonts.s(10)
    box = pygame.Rect(x, y, fonts.s(14), fonts.s(10))
    pygame.draw.rect(surface, theme.mix(theme.WHITE, theme.FAN_INNER, 0.35), box)
    x = draw_text(surface, fonts, "50%", (box.right + 4, y - 2), "tiny", theme.MUTED).right + fonts.s(10)
    pygame.draw.line(surface, theme.TEXT, (x, y + 5), (x + fonts.s(16), y + 5), 3)
    return draw_text(
        surface, fonts, f"this game  ({shadows} replays with other luck)", (x + fonts.s(20), y - 2), "tiny", theme.MUTED
    )


# ------------------------------------------------------------------------------------ causes


def draw_causes(
    surface: pygame.Surface,
    fonts: Fonts,
    rect: pygame.Rect,
    parts: Sequence[tuple[str, float]],
    role: str = "small",
) -> int:
    """Two-sided bars of contributions in points of 0-100 (blue up, vermillion down); returns rows drawn.

    Labels wrap (never cut); causes that do not fit are summed up in one last line.
    """
    if not parts:
        return 0
    line_h = fonts.line_height(role)
    biggest = max(abs(v) for _, v in parts) or 1.0
    label_w = round(rect.width * 0.52)
    number_w = fonts.width("+00.0", role) + fonts.s(6)
    bar_left = rect.left + label_w + number_w
    center = bar_left + (rect.width - label_w - number_w) // 2
    half = (rect.width - label_w - number_w) // 2 - 2
    y, shown = rect.top, 0
    for i, (source, value) in enumerate(parts):
        lines = fonts.wrap(source, label_w - fonts.s(6), role)
        row_h = len(lines) * line_h + fonts.s(4)
        room = rect.bottom - (line_h if i < len(parts) - 1 else 0)
        if y + row_h > room:
            break
        for j, line in enumerate(lines):
            draw_text(surface, fonts, line, (rect.left, y + j * line_h), role, theme.TEXT)
        color = theme.POSITIVE if value > 0 else theme.NEGATIVE
        number = f"{value * 100:+.1f}"
        draw_text(surface, fonts, number, (bar_left - fonts.s(6), y), role, color, True, "topright")
        length = round(half * abs(value) / biggest)
        bar = pygame.Rect(center if value > 0 else center - length, y + fonts.s(3), max(1, length), line_h - fonts.s(4))
        pygame.draw.rect(surface, color, bar)
        pygame.draw.line(surface, theme.MUTED, (center, y), (center, y + row_h - fonts.s(2)))
        y += row_h
        shown += 1
    if shown < len(parts):
        rest = len(parts) - shown
        draw_text(surface, fonts, f"and {rest} smaller causes", (rect.left, y), "tiny", theme.MUTED)
    return shown


# ------------------------------------------------------------------------------------ governments


GOVERNMENT_ROWS = ("approval", "polarization", "threat", "capital")
ROW_SHORT = {"polarization": "Division", "threat": "Threat", "capital": "Capital"}
"""Shorter row labels for a narrow government panel."""

ROW_LABELS = {
    "approval": "Approval",
    "polarization": "Division at home",
    "threat": "Threat felt",
    "capital": "Political capital",
}


@dataclass
class GovernmentView:
    """What a government's panel shows."""

    code: str
    name: str
    team: str
    controller: str
    camp: str
    values: Mapping[str, float | None]
    capital_max: float
    changes: Mapping[str, float] = field(default_factory=dict)


def government_layout(rect: pygame.Rect, fonts: Fonts) -> dict[str, pygame.Rect]:
    """Rects of a government panel's parts: ``header`` and one per row of :data:`GOVERNMENT_ROWS`."""
    pad = fonts.s(8)
    header_h = fonts.line_height("body") + 3 * fonts.line_height("tiny") + fonts.s(4)  # the camp may take two lines
    out = {"header": pygame.Rect(rect.left + pad, rect.top + pad, rect.width - 2 * pad, header_h)}
    y = rect.top + pad + header_h + fonts.s(2)
    row_h = max(fonts.s(26), (rect.bottom - pad - y) // len(GOVERNMENT_ROWS))
    for name in GOVERNMENT_ROWS:
        out[name] = pygame.Rect(rect.left + pad, y, rect.width - 2 * pad, row_h)
        y += row_h
    return out


def draw_government(surface: pygame.Surface, fonts: Fonts, rect: pygame.Rect, view: GovernmentView) -> None:
    """A government's panel: name, team, camp in power, and bars for approval, polarization, threat, capital."""
    color = theme.GOVERNMENT_COLORS[view.code]
    radius = fonts.s(6)
    pygame.draw.rect(surface, theme.PANEL, rect, border_radius=radius)
    pygame.draw.rect(surface, color, (rect.left, rect.top, rect.width, fonts.s(5)), border_radius=radius)
    pygame.draw.rect(surface, theme.PANEL_EDGE, rect, width=1, border_radius=radius)
    parts = government_layout(rect, fonts)
    header = parts["header"]
    chip = draw_chip(surface, fonts, view.code, (header.left, header.top + fonts.s(2)), color, "small")
    name_w = header.right - chip.right - fonts.s(6)
    name_role = "small" if fonts.width(view.team, "small", True) <= name_w else "tiny"
    name_rect = pygame.Rect(chip.right + fonts.s(6), header.top + fonts.s(2), name_w, fonts.line_height("body"))
    draw_wrapped(surface, fonts, view.team, name_rect, name_role, theme.TEXT, bold=True)
    y = header.top + fonts.line_height("body") + fonts.s(2)
    below = pygame.Rect(header.left, y, header.width, header.bottom - y)
    camp_lines = len(fonts.wrap(view.camp, header.width, "tiny"))
    y = draw_wrapped(surface, fonts, view.camp, below, "tiny", theme.TEXT)
    if camp_lines < 3:
        draw_wrapped(
            surface,
            fonts,
            view.controller,
            pygame.Rect(header.left, y, header.width, header.bottom - y),
            "tiny",
            theme.MUTED,
        )
    for row in GOVERNMENT_ROWS:
        area = parts[row]
        value = view.values.get(row)
        label_h = fonts.line_height("tiny")
        if value is None:
            draw_text(surface, fonts, ROW_LABELS[row], (area.left, area.top), "tiny", theme.MUTED)
            draw_text(surface, fonts, "-", (area.right, area.top), "tiny", theme.MUTED, anchor="topright")
            continue
        hi = view.capital_max if row == "capital" else 1.0
        text = f"{spendable(value):g} / {hi:g}" if row == "capital" else level(value, tie=False)
        change = view.changes.get(row, 0.0)
        if abs(change) >= 0.005:
            text += f" ({change:+.1f})" if row == "capital" else f" ({score_points(change):+d})"
        name = ROW_LABELS[row]
        if fonts.width(name, "tiny") + fonts.width(text, "tiny", True) + fonts.s(6) > area.width:
            name = ROW_SHORT.get(row, name)  # a shorter label rather than text drawn over text
        draw_text(surface, fonts, name, (area.left, area.top), "tiny", theme.MUTED)
        draw_text(surface, fonts, text, (area.right, area.top), "tiny", theme.TEXT, bold=True, anchor="topright")
        bar_h = max(fonts.s(6), min(fonts.s(10), area.height - label_h - fonts.s(4)))
        bar = pygame.Rect(area.left, area.top + label_h + 1, area.width, bar_h)
        bar_color = {"approval": theme.BLUE, "polarization": theme.ORANGE, "threat": theme.VERMILLION}.get(row, color)
        draw_bar(surface, bar, value, bar_color, 0.0, hi)
