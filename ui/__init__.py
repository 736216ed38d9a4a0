"""The pygame game window of Trilat.

A scene stack (title, picker, setup, turn, secret moves, resolution, facilitator console, debrief,
replay), one input layer turning events into intents, widgets, charts and a colour-blind-safe theme.

Entry points for the CLI are in :mod:`ui.app`: ``run_game``, ``run_headless`` and ``run_replay``.
The UI changes a game only through :class:`sim.play.session.GameSession`; the engine never imports the UI.
"""
