"""Networked play: the host's web server, team tokens and each team's private view (``trilat host``)."""
