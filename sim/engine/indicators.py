"""The indicator registry: every recorded indicator's name, labels, unit, group and colour.

One place for what the model records every turn (:data:`NAMES`, in recording order), what
``--explain`` explains (:data:`EXPLAINED`), the CLI reports' headline (:data:`HEADLINE`), the
labels every report and screen prints (:func:`label`, :func:`short_label`) and the colours the
game and the after-action report's charts draw them in (:func:`colour`, :func:`hex_colour`). The
colours are the colour-blind-safe Okabe-Ito palette, which the game's theme takes from here.
This module imports neither pygame nor the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from sim.engine.layout import GOVERNMENTS, PAIRS, THREAT_ACTORS, view_variables

Color = tuple[int, int, int]
"""An RGB colour, 0-255 per channel."""

# The Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008).
BLACK: Color = (0, 0, 0)
ORANGE: Color = (230, 159, 0)
SKY: Color = (86, 180, 233)
GREEN: Color = (0, 158, 115)
YELLOW: Color = (240, 228, 66)
BLUE: Color = (0, 114, 178)
VERMILLION: Color = (213, 94, 0)
PURPLE: Color = (204, 121, 167)
GREY: Color = (70, 70, 70)
"""Threat actors (not an Okabe-Ito colour: a neutral dark grey)."""
FAINT: Color = (160, 158, 150)
"""Counts that are never charted."""

OWNER_COLORS: MappingProxyType[str, Color] = MappingProxyType(
    {"USA": BLUE, "ROK": GREEN, "JPN": PURPLE, **dict.fromkeys(THREAT_ACTORS, GREY)}
)
"""The colour of each government (USA blue, ROK green, JPN purple) and threat actor."""

PAIR_COLORS: MappingProxyType[str, Color] = MappingProxyType(
    {"USA_ROK": (45, 45, 45), "USA_JPN": (105, 105, 105), "ROK_JPN": (150, 150, 150)}
)
"""The colour of each pair tie's line in the report's charts: greys, as the game draws the ties'
lines in its chart, because in the game a tie's colour says its level (vermillion strained,
orange fragile, sky working, blue strong) and a tie drawn in orange would read as "fragile"."""


class Group(StrEnum):
    """What an indicator measures."""

    COOPERATION = "cooperation"
    INSTITUTIONS = "institutions"
    GOVERNMENT = "government"
    THREAT = "threat"
    COUNT = "count"
    OPINION = "opinion"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One recorded indicator.

    Attributes:
        name: the state variable's name (``tie.USA_ROK``, ``ROK.approval``).
        label: how reports and screens name it (``USA-ROK tie``, ``ROK approval``).
        short: a short label for charts and buttons (``USA-ROK``).
        unit: what its values are (``0-1``, ``points``, ``count``).
        group: what it measures.
        colour: the RGB colour its line is drawn in.
        explained: whether ``--explain`` reports its causes.
        owner: the government or threat actor it belongs to (``""`` if none).
    """

    name: str
    label: str
    short: str
    unit: str
    group: Group
    colour: Color
    explained: bool = False
    owner: str = ""

    @property
    def hex_colour(self) -> str:
        """The colour as ``#RRGGBB`` (for matplotlib and HTML)."""
        return "#{:02X}{:02X}{:02X}".format(*self.colour)


_GOVERNMENT_VARIABLES = (
    ("approval", "0-1", True),
    ("polarization", "0-1", True),
    ("threat", "0-1", True),
    ("hedging", "0-1", False),
    ("camp", "camp", False),
    ("capital", "points", False),
)


def _default_label(name: str) -> str:
    return name.replace(".", " ").replace("_", " ")


def _registry() -> tuple[Indicator, ...]:
    ties = tuple(
        Indicator(
            f"tie.{pair}",
            f"{pair.replace('_', '-')} tie",
            pair.replace("_", "-"),
            "0-1",
            Group.COOPERATION,
            PAIR_COLORS[pair],
            explained=True,
        )
        for pair in PAIRS
    )
    government = tuple(
        Indicator(
            f"{gov}.{var}",
            f"{gov} {var}",
            f"{gov} {var}",
            unit,
            Group.GOVERNMENT,
            OWNER_COLORS[gov],
            explained=explained,
            owner=gov,
        )
        for gov in GOVERNMENTS
        for var, unit, explained in _GOVERNMENT_VARIABLES
    )
    threats = tuple(
        Indicator(f"{a}.activity", f"{a} activity", f"{a} activity", "0-1", Group.THREAT, GREY, owner=a)
        for a in THREAT_ACTORS
    )
    return (
        *ties,
        Indicator("trilateral", "trilateral index", "Trilateral", "0-1", Group.COOPERATION, BLACK, explained=True),
        Indicator(
            "institutionalization", "institutionalization", "Institutions", "0-1", Group.INSTITUTIONS, GREEN, True
        ),
        Indicator("deterrence", "deterrence credibility", "Deterrence", "0-1", Group.INSTITUTIONS, PURPLE, True),
        *government,
        *threats,
        Indicator("provocations", "provocations", "provocations", "count", Group.COUNT, GREY),
        Indicator("events_fired", _default_label("events_fired"), "events fired", "count", Group.COUNT, FAINT),
        *_views(),
    )


def _views() -> tuple[Indicator, ...]:
    """Each public's favourable view of each partner country (``ROK.view.JPN``), in the public's colour."""
    return tuple(
        Indicator(
            f"{gov}.{view}",
            f"{gov} view of {view[5:]}",
            f"{gov} on {view[5:]}",
            "0-1",
            Group.OPINION,
            OWNER_COLORS[gov],
            explained=True,
            owner=gov,
        )
        for gov in GOVERNMENTS
        for view in view_variables(gov)
    )


REGISTRY: MappingProxyType[str, Indicator] = MappingProxyType({i.name: i for i in _registry()})
"""Every recorded indicator by name, in recording order."""

NAMES: tuple[str, ...] = tuple(REGISTRY)
"""Indicators recorded every turn, in order (the model's ``INDICATORS``)."""

EXPLAINED: tuple[str, ...] = tuple(name for name, i in REGISTRY.items() if i.explained)
"""Indicators ``--explain`` reports, in display order."""

HEADLINE: tuple[str, ...] = (
    "trilateral",
    "tie.USA_ROK",
    "tie.USA_JPN",
    "tie.ROK_JPN",
    "institutionalization",
    "deterrence",
)
"""The headline indicators, in the order reports list them and the game's keys 1-6 chart them."""


def label(name: str) -> str:
    """A readable label for an indicator (``USA.approval`` -> ``USA approval``), or any variable."""
    indicator = REGISTRY.get(name)
    return indicator.label if indicator is not None else _default_label(name)


def short_label(name: str) -> str:
    """A short label for charts and buttons (``tie.USA_ROK`` -> ``USA-ROK``), else the label."""
    indicator = REGISTRY.get(name)
    return indicator.short if indicator is not None else label(name)


def colour(name: str) -> Color:
    """The colour an indicator is drawn in (the game's colours: USA blue, ROK green, JPN purple ...)."""
    return REGISTRY[name].colour


def hex_colour(name: str) -> str:
    """The colour of an indicator as ``#RRGGBB``."""
    return REGISTRY[name].hex_colour
