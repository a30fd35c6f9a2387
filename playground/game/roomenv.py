"""The environment variables through which a workshop server tells a game process about its room.

Kept apart from :mod:`playground.game.room` and :mod:`playground.game.roomstate` so the title
screen can read them without importing those modules (and what they import) before its first
frame.
"""

from __future__ import annotations

ROOM_DIR_ENV = "PLAYGROUND_ROOM_DIR"
"""The room folder shared with the server (:mod:`playground.game.roomstate`)."""

OPEN_ENV = "PLAYGROUND_OPEN_LEVELS"
"""``all``, or the open level ids separated by commas."""

MESSAGE_ENV = "PLAYGROUND_MESSAGE"
"""The instructor's message of the day, shown on the title screen."""
