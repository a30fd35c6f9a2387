"""The one root of every "bad input" error the playground raises.

Anything derived from :class:`PlaygroundError` is the user's or author's input being wrong (a
level or action file, a share code, an argument, a setting): the CLI prints ``str(exc)`` as one
line and exits with status 2. Any other exception is a bug (crash log, exit status 70).

This module imports nothing, so every layer (the engine included) may derive from it.
"""

from __future__ import annotations


class PlaygroundError(Exception):
    """Bad input; ``str()`` is the one-line message for the user."""
