"""Fair scores: what a team's play changed, against the same world played by the default strategy.

A team's raw score (:func:`sim.engine.scoring.objective_scores`) moves with everything that
happens in the game, including scripted windfalls such as a snap election that lifts a
government's approval whatever it plays. Its *contribution* removes them: the raw score minus
the score of the same government in counterfactual worlds where it followed the scenario's
default strategy while everything else stayed the same: the same seed and replication numbers
(so the same random draws, common random numbers), the same scenario events, the same
facilitator injections and adjustments, and the other teams' same moves. A windfall that lifts
both the played world and its counterfactual cancels out; so does the luck of the draws.

The story's contribution compares it with its own counterfactual (same replication); with
shadow worlds, each shadow world is compared with its own counterfactual too, and the middle
half of those paired differences says how much the contribution depends on luck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from sim.engine.layout import GOVERNMENTS
from sim.engine.model import TrilateralModel
from sim.engine.scoring import objective_scores
from sim.lang.schema import GovCode
from sim.play.commands import Choose
from sim.play.session import GameSession, apply_command


@dataclass(frozen=True)
class FairScore:
    """One team's score: the raw change of its objectives and the part its play made.

    Attributes:
        raw: 100 x the weighted change of the government's objectives in the story.
        baseline: the same in the story's counterfactual (the default strategy played instead).
        contribution: ``raw - baseline``: what the team's play changed.
        spread: the 25th and 75th percentiles of the paired contribution over the shadow worlds
            (None without shadow worlds).
        counterfactual: whether a counterfactual was run (False when the government played the
            scenario's default strategy, so its contribution is 0 by definition).
    """

    raw: float
    baseline: float
    contribution: float
    spread: tuple[float, float] | None
    counterfactual: bool


def default_strategy(session: GameSession, gov: str) -> str:
    """The scenario's own strategy for ``gov`` (what the counterfactual plays)."""
    return session.scenario.spec.governments[cast(GovCode, gov)].strategy


def counterfactual_model(session: GameSession, gov: str) -> TrilateralModel:
    """The game replayed with ``gov`` on its default strategy, everything else as played.

    The model carries the story's replication and the shadow worlds' replications, so world k
    of the counterfactual draws exactly the numbers world k of the game drew.
    """
    settings = session.settings
    strategies = {g: c for g, c in settings.controllers.items() if c and g != gov}
    story = settings.story_replication
    ids = np.arange(story, story + 1 + max(0, settings.shadows))
    model = TrilateralModel(
        session.scenario,
        seed=settings.seed,
        turns=settings.turns,
        strategies=strategies,
        parameters=settings.parameters,
        replication_ids=ids,
        record=False,
    )
    for command in session.log:
        if isinstance(command, Choose) and command.government == gov:
            continue  # the default strategy chooses for this government instead
        apply_command(model, command, session.planned_turns)
    return model


def fair_scores(session: GameSession) -> dict[str, FairScore]:
    """Every government's raw score and contribution in the story, in turn order."""
    raw_story = objective_scores(session.story)
    raw_shadows = objective_scores(session.shadows) if session.shadows is not None else None
    out: dict[str, FairScore] = {}
    for gov in GOVERNMENTS:
        raw = float(raw_story[gov][0])
        controller = session.settings.controller(gov)
        if not controller or controller == default_strategy(session, gov):
            spread = (0.0, 0.0) if raw_shadows is not None else None
            out[gov] = FairScore(raw, raw, 0.0, spread, counterfactual=False)
            continue
        baseline = objective_scores(counterfactual_model(session, gov))[gov]
        spread = None
        if raw_shadows is not None:
            paired = raw_shadows[gov] - baseline[1:]
            spread = (float(np.percentile(paired, 25)), float(np.percentile(paired, 75)))
        out[gov] = FairScore(raw, float(baseline[0]), raw - float(baseline[0]), spread, counterfactual=True)
    return out


SCORE_EXPLANATION = (
    "A team's raw change is 100 x the weighted change of its objectives over the game: it moves with "
    "everything that happened, including scripted events and luck. Its contribution is the raw change "
    "minus what the same government would have scored had it followed the scenario's default strategy "
    "in the same world: the same events, the same injections, the other teams' same moves and the same "
    "random draws. Windfalls and luck cancel out, so the contribution measures what the team's play changed."
)
"""The score explained in plain words (debrief, report and docs/game.md say the same)."""
