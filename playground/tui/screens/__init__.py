"""The game's screens: title, campaign map, briefing, play, debrief, sandbox, codex, help,
settings, and the small dialogs they open."""
