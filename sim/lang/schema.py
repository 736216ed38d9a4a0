"""The scenario file format as pydantic models (validation and JSON Schema).

Expressions are kept as text (or numbers) here; :mod:`sim.lang.scenario` compiles them against the
scenario's symbol table once the whole file, including ``extends:``, has been validated.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from sim.engine.layout import GOVERNMENT_VARIABLES, PROFILE_TRAITS, view_variables
from sim.engine.layout import MODEL_OPTIONS as MODEL_OPTIONS
from sim.lang.calendar import parse_quarter

# Variables a scenario may set at the start; the others are recomputed before turn 1
# (threat perceptions, willingness, hedging) or come from the camp in power (profile traits).
GOVERNMENT_INITIAL = tuple(
    name
    for name, spec in GOVERNMENT_VARIABLES.items()
    if spec.writable
    and name not in PROFILE_TRAITS
    and name not in ("camp", "willingness", "hedging")
    and not name.startswith("threat")
)


def government_initial(gov: str) -> tuple[str, ...]:
    """The starting variables one government may set: :data:`GOVERNMENT_INITIAL` and its views of its partners."""
    return GOVERNMENT_INITIAL + view_variables(gov)


STRATEGY_NAMES = (
    "human",
    "objectives",
    "passive",
    "random",
    "reciprocal",
    "scripted",
    "threat_driven",
    "transactional",
)
"""The computer strategies a government may name (sorted); a test checks it equals ``agents.STRATEGIES``.

Kept here as a plain list so that the scenario language does not import the agents.
"""

Expr = str | float | int
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
GovCode = Literal["USA", "ROK", "JPN"]
ThreatCode = Literal["DPRK", "CHN", "RUS"]
PairCode = Literal["USA_ROK", "USA_JPN", "ROK_JPN"]
PhaseName = Literal["threats", "events", "domestic", "decisions", "cooperation", "outcomes"]
Stance = Literal["cooperative", "competitive", "domestic", "neutral"]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]


def json_schema() -> dict:
    """The JSON Schema of scenario files (for editors; ``trilat schema`` prints it)."""
    schema = ScenarioSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Trilat scenario"
    # A file gives only what it adds or changes (extends: supplies the rest), so the editor schema
    # requires nothing but id and title; the merged scenario is checked by trilat itself.
    schema["required"] = ["id", "title"]
    for definition in schema.get("$defs", {}).values():
        definition.pop("required", None)
    return schema


class Strict(BaseModel):
    """Base: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(Strict):
    """An essay (or public record) a scenario, rule or event draws on."""

    author: str
    title: str
    note: str = ""


class ParameterSpec(Strict):
    """A named, sweepable parameter (also a slider in the game)."""

    default: float = Field(allow_inf_nan=False)
    range: tuple[Finite, Finite] | None = None
    doc: str = ""


class DomainSpec(Strict):
    """A cooperation domain: its weight in the pair tie and how fast it follows the pair's drivers."""

    weight: float = Field(gt=0, le=1e6, allow_inf_nan=False)
    responsiveness: float = Field(default=1.0, ge=0, le=5)
    history_spillover: float = Field(default=1.0, ge=0, le=1)
    doc: str = ""


class Profile(Strict):
    """A leadership profile: the traits a camp brings to government."""

    label: str = ""
    transactionalism: Expr = 0.3
    commitment: Expr = 0.7
    multilateralism: Expr = 0.6
    history_stance: Expr = 0.3
    dovishness: Expr = 0.0


class LeaderSpec(Strict):
    """A named leader: one of the government's camps, with traits that override the camp's profile."""

    camp: Identifier
    label: str = ""
    transactionalism: Expr | None = None
    commitment: Expr | None = None
    multilateralism: Expr | None = None
    history_stance: Expr | None = None
    dovishness: Expr | None = None


class GovernmentSpec(Strict):
    """A government, its domestic politics, its computer strategy, its script and its leaders.

    ``script`` maps a quarter to the cards played that quarter, whatever the strategy (except
    a human team's); ``leader`` is in power at the start (its camp is then the camp in power)
    and ``leader_changes`` maps a quarter to the leader who takes office then.
    """

    name: str = ""
    strategy: str = "threat_driven"
    camps: dict[Identifier, Profile] = Field(min_length=1, max_length=2)
    in_power: Identifier | None = None
    elections: list[str] = []
    exposure: dict[ThreatCode, Unit] = {}
    initial: dict[str, Expr] = {}
    script: dict[str, list[Identifier]] = {}
    leaders: dict[Identifier, LeaderSpec] = {}
    leader: Identifier | None = None
    leader_changes: dict[str, Identifier] = {}

    @property
    def starting_camp(self) -> str:
        """The camp in power at the start: the starting leader's if one is named, else ``in_power``."""
        if self.leader is not None and self.leader in self.leaders:
            return self.leaders[self.leader].camp
        return self.in_power or ""


class PlainText(Strict):
    """Plain-language text an author gives for a card, rule, event or act (shown instead of generated text).

    ``effects`` says what it does, ``when`` when it can happen (its condition); either may be
    left out, and the generated sentence is shown for that part.
    """

    effects: str = Field(default="", max_length=400)
    when: str = Field(default="", max_length=200)


Plain = Annotated[str, Field(max_length=400)] | PlainText
"""``plain: "text"`` (the effects) or ``plain: {effects: "...", when: "..."}``."""


# An effect is ``target: expr`` (added to the target) or ``target: {set: expr}`` / ``{add: expr}``.
EffectValue = Expr | dict[Literal["add", "set"], Expr]


class ThreatAct(Strict):
    """Something a threat actor may do in a turn (missile test, cyber theft, gray-zone incident ...)."""

    id: Identifier
    title: str = ""
    chance: Expr
    severity: Expr
    effects: dict[str, EffectValue] = {}
    say: str = ""
    source: str = ""
    plain: Plain | None = None
    disabled: StrictBool = False


class ThreatSpec(Strict):
    """A threat actor and its repertoire."""

    name: str = ""
    initial: dict[str, Expr] = {}
    acts: list[ThreatAct] = []


class RuleSpec(Strict):
    """A scenario rule: in its phase, where ``when`` holds, with probability ``chance``, apply effects."""

    id: Identifier
    title: str = ""
    phase: PhaseName
    when: Expr | None = None
    chance: Expr | None = None
    effects: dict[str, EffectValue] = {}
    say: str = ""
    source: str = ""
    plain: Plain | None = None
    disabled: StrictBool = False


class EventSpec(Strict):
    """A scheduled (``at``) or stochastic (``chance``) event in the events phase."""

    id: Identifier
    title: str = ""
    at: str | None = None
    when: Expr | None = None
    chance: Expr | None = None
    once: StrictBool = True
    effects: dict[str, EffectValue] = {}
    say: str = ""
    source: str = ""
    plain: Plain | None = None
    disabled: StrictBool = False


class ActionSpec(Strict):
    """A card a government can play: costs political capital, applies effects in the decisions phase."""

    id: Identifier
    title: str = ""
    cost: float = Field(ge=0, le=100)
    stance: Stance = "neutral"
    when: Expr | None = None
    effects: dict[str, EffectValue] = {}
    say: str = ""
    source: str = ""
    doc: str = ""
    plain: Plain | None = None
    disabled: StrictBool = False


class ObjectiveTerm(Strict):
    """One weighted indicator in a government's objectives (negative weight: less is better)."""

    indicator: str
    weight: float = Field(ge=-5, le=5)
    doc: str = ""


MAX_ABLATIONS = 8
"""The most parameters one signature claim's ablation may set."""


class PresetSpec(Strict):
    """A named set of parameter values a facilitator applies in one step (``maximal Trump``)."""

    title: str = ""
    doc: str = ""
    values: dict[Identifier, float] = Field(min_length=1)


MAX_PRESETS = 12


class SignatureClaim(Strict):
    """A checkable claim of how this scenario differs from another (by default the baseline).

    ``margin`` is an absolute difference of means, ``margin_sd`` one in units of the spread
    between worlds (the pooled standard deviation of the indicator in the two ensembles); a
    claim must clear both. ``ablate`` names the mechanism the claim relies on as parameter
    values that switch it off: with them, the claim must fail (its ablation twin).
    """

    claim: str
    indicator: str
    compare: Literal["lower", "higher"]
    than: str = "baseline"
    margin: float = Field(default=0.0, ge=0, le=1)
    margin_sd: float = Field(default=0.0, ge=0, le=10)
    mechanism: str = ""
    ablate: dict[Identifier, Number] = Field(default={}, max_length=MAX_ABLATIONS)
    source: str = ""


MAX_WARMUP = 200
"""The most turns a scenario may run before its start (``warmup:``)."""

MAX_SERIES_VALUES = 4000
"""The most values one ``series:`` entry may list."""


class SeriesSpec(Strict):
    """A named exogenous input: one number per year or per quarter, read in expressions by its name.

    Keys are checked (and turned into turns) by :mod:`sim.lang.build_series`: years such as
    ``2013`` for ``by: year``, quarter labels such as ``2019Q3`` for ``by: quarter``.
    """

    doc: str = ""
    by: Literal["year", "quarter"]
    values: dict[int | float | str, Number] = Field(default={}, max_length=MAX_SERIES_VALUES)
    default: Number | None = None


ScenarioId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=64)]


class ScenarioSpec(Strict):
    """A whole scenario after ``extends:`` has been merged."""

    id: ScenarioId
    title: str
    summary: str = ""
    sources: list[SourceRef] = []
    extends: str | None = None
    abstract: StrictBool = False
    start: str
    turns: int = Field(gt=0, le=400)
    warmup: int = Field(default=0, ge=0, le=MAX_WARMUP)
    debrief: list[str] = []
    teacher_notes: str = ""
    minutes: int = Field(default=60, ge=10, le=600)
    parameters: dict[Identifier, ParameterSpec] = {}
    series: dict[Identifier, SeriesSpec] = {}
    domains: dict[Identifier, DomainSpec] = Field(min_length=1)
    ties: dict[PairCode, Expr | dict[str, Expr]]
    initial: dict[Literal["institutionalization", "deterrence"], Expr] = {}
    governments: dict[GovCode, GovernmentSpec]
    threats: dict[ThreatCode, ThreatSpec] = {}
    rules: list[RuleSpec] = []
    events: list[EventSpec] = []
    actions: dict[GovCode, list[ActionSpec]] = {}
    objectives: dict[GovCode, list[ObjectiveTerm]] = {}
    presets: dict[Identifier, PresetSpec] = Field(default={}, max_length=MAX_PRESETS)
    signature: list[SignatureClaim] = Field(default=[], max_length=3)

    @field_validator("start")
    @classmethod
    def _start_quarter(cls, value: str) -> str:
        parse_quarter(value)
        return value

    @model_validator(mode="after")
    def _complete(self) -> ScenarioSpec:
        missing = [g for g in ("USA", "ROK", "JPN") if g not in self.governments]
        if missing:
            raise ValueError(f"governments missing: {', '.join(missing)}")
        missing_ties = [p for p in ("USA_ROK", "USA_JPN", "ROK_JPN") if p not in self.ties]
        if missing_ties:
            raise ValueError(f"ties missing: {', '.join(missing_ties)}")
        return self
