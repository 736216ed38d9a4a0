"""Play: game sessions, scoring views, story and after-action reports, briefings."""
