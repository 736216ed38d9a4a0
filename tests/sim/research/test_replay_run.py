"""A researcher replays run K of a sweep as a game: the story is the stored run, bit for bit."""

from __future__ import annotations

import numpy as np

from sim.play.session import GameSession, session_for_sweep_run
from sim.research.sweep import reproduce, run_sweep

EXPERIMENT = """
id: replay-check
title: Replay check
scenarios: [baseline]
parameters:
  us_transactionalism: {values: [0.2, 0.9]}
sampler: grid
replications: 6
seed: 4
"""


def test_a_sweep_run_replays_as_a_game(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    run_sweep(path, tmp_path / "out", progress=False)
    session = session_for_sweep_run(tmp_path / "out", 9, shadows=5)
    model = reproduce(tmp_path / "out", 9)
    assert session.finished and session.turn == model.turn
    assert np.array_equal(session.story.x, model.x)
    assert session.story.params["us_transactionalism"] == 0.9  # run 9 is in the second design point
    saved = session.save(tmp_path / "run-9.json")
    again = GameSession.load(saved, autosave=False)
    assert np.array_equal(again.story.x, model.x)
