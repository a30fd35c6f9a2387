"""Errors in player- or author-supplied files, always shown as ``FILE:LINE: message``."""

from __future__ import annotations

from pathlib import Path

from playground.errors import PlaygroundError


class GameFileError(PlaygroundError, ValueError):
    """A level, action or save file that cannot be used. ``str()`` is the one-line message."""

    def __init__(self, path: str | Path | None, line: int | None, message: str) -> None:
        self.path = str(path) if path is not None else "<input>"
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class LevelError(GameFileError):
    """A level file that is not valid."""


class ActionFileError(GameFileError):
    """An action file (or share code) that is not valid."""
