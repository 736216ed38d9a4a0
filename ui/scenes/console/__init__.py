"""The facilitator's (white cell's) console, one key away (F2) and hidden from the teams.

One class per tab, each in its own module: inject a scenario event (:mod:`.events`); write a
custom event with a title, a narrative and one or more effects (:mod:`.custom`); adjust
parameters within their declared ranges and set state variables (:mod:`.values`); and the game
itself: pause, undo the last turn, branch from an earlier turn, end the game, add a note
(:mod:`.game`). The scene (:mod:`.shell`) holds the tabs and hands each action to the tab on
show. Every action goes through the game session, so it is logged, autosaved and in the report.
"""

from ui.scenes.console.shell import ConsoleScene

__all__ = ["ConsoleScene"]
