"""The pygame game (title, setup, turn, facilitator, replay and debrief scenes); built in a later issue."""
