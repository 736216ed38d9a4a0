"""How the console, the debrief and the report word turns, objectives and facilitator actions.

One wording for every place a facilitator or a sponsor reads: a turn is "turn 3, 2025Q3" (the
turn being played, counted from 1, with its quarter); an event or injection goes by its title;
an objective by the indicator's label in words; a parameter by its name and its doc.
"""

from __future__ import annotations

from sim.engine import indicators
from sim.lang.scenario import Scenario
from sim.play.commands import (
    ApplyPreset,
    Branch,
    Custom,
    End,
    FacilitatorAction,
    Inject,
    Note,
    Reopen,
    SetParameter,
    SetState,
    Undo,
)

GOVERNMENT_NAMES = {"USA": "United States", "ROK": "Republic of Korea", "JPN": "Japan"}


def turn_label(scenario: Scenario, turn: int) -> str:
    """``turn 3, 2025Q3`` for a turn counted from 1; ``the start`` for turn 0."""
    return f"turn {turn}, {scenario.quarter_label(turn)}" if turn >= 1 else "the start"


def government_name(scenario: Scenario, gov: str) -> str:
    """The government's name in the scenario (``Republic of Korea``)."""
    spec = scenario.spec.governments.get(gov)  # type: ignore[call-overload]
    return (spec.name if spec is not None and spec.name else "") or GOVERNMENT_NAMES.get(gov, gov)


def indicator_words(name: str) -> str:
    """An indicator in words (``the USA-ROK tie``, ``ROK approval``)."""
    if name.startswith("tie.") and name.count(".") == 2:
        _, pair, domain = name.split(".")
        return f"the {pair.replace('_', '-')} {domain.replace('_', ' ')} tie"
    text = indicators.label(name) if name in indicators.REGISTRY else name
    if text == name and "." in name:
        who, var = name.split(".", 1)
        text = f"{who} {var.replace('_', ' ').replace('.', ' ')}"
    return f"the {text}" if text.endswith(("tie", "index", "credibility")) else text


def objective_words(scenario: Scenario, gov: str) -> list[str]:
    """Each of a government's objectives in words: ``raise the USA-ROK tie (weight 0.2)``, with its doc."""
    out = []
    for term in scenario.spec.objectives.get(gov, []):  # type: ignore[call-overload]
        verb = "raise" if term.weight >= 0 else "lower"
        text = f"{verb} {indicator_words(term.indicator)} (weight {abs(term.weight):g})"
        out.append(f"{text}: {term.doc.rstrip('.')}" if term.doc else text)
    return out


def event_title(scenario: Scenario, ident: str) -> str:
    """A scenario event's title (its id if it has none or is unknown)."""
    for event in scenario.events:
        if event.id == ident:
            return event.title or ident
    return ident


def preset_title(scenario: Scenario, ident: str) -> str:
    """A preset's title (its id if it has none, or if the scenario no longer defines it)."""
    preset = scenario.spec.presets.get(ident)
    return preset.title if preset is not None and preset.title else ident


def describe_action(scenario: Scenario, action: FacilitatorAction, docs: bool = True) -> str:
    """One line for a facilitator action, starting with the turn it belongs to.

    Args:
        scenario: the scenario played.
        action: a command of the facilitator's, or an undo or branch note.
        docs: follow a parameter's name with its doc (the report; the console has no room).
    """
    before = f"before {turn_label(scenario, action.turn + 1)}"
    if isinstance(action, Inject):
        return f"{before}: injected the event '{event_title(scenario, action.event)}'"
    if isinstance(action, Custom):
        effects = ", ".join(f"{indicator_words(k)} {_signed(v)}" for k, v in action.effects.items())
        say = f": {action.say}" if action.say else ""
        return f"{before}: a custom event '{action.title}' ({effects}){say}"
    if isinstance(action, SetParameter):
        spec = scenario.spec.parameters.get(action.name)
        doc = f" ({spec.doc.rstrip('.')})" if docs and spec is not None and spec.doc else ""
        return f"{before}: set the parameter {action.name} to {action.value:g}{doc}"
    if isinstance(action, ApplyPreset):
        values = ", ".join(f"{name} {value:g}" for name, value in action.values.items())
        return f"{before}: applied the preset '{preset_title(scenario, action.name)}' ({values})"
    if isinstance(action, SetState):
        return f"{before}: set {indicator_words(action.name)} to {action.value:g} in every world"
    if isinstance(action, Note):
        return f"{before}: note: {action.text}"
    if isinstance(action, End):
        return f"ended the game after {turn_label(scenario, action.turn)}"
    if isinstance(action, Reopen):
        return f"reopened the game after {turn_label(scenario, action.turn)}: play continues"
    if isinstance(action, Undo):
        return f"undid {turn_label(scenario, action.turn)} ({len(action.dropped)} command(s) dropped)"
    if isinstance(action, Branch):
        return f"branched a new game from the end of {turn_label(scenario, action.turn)}"
    return f"{before}: {action.kind}"


def _signed(value: object) -> str:
    return f"{value:+g}" if isinstance(value, int | float) else str(value)
