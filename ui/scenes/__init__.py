"""The game's screens: title, picker, setup, turn, cover and move, resolution, console, debrief, replay."""
