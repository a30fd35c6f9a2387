"""``playground check-level``: a level file is checked as ``run`` and the game load it, then
played once with no player actions, so whatever only running reveals (a scripted command the
protocol does not have, or without the arguments it needs) is reported too, at its line."""

from __future__ import annotations

from pathlib import Path

from playground.game.errors import GameFileError, LevelError
from playground.game.level import Level, load_level
from playground.game.reader import Reader, read_text
from playground.game.session import Session
from playground.sim import SimError


def check_level_file(path: str | Path) -> Level:
    """The checked level; raises :class:`LevelError` (``FILE:LINE: field: message``)."""
    level = load_level(path)
    session = Session(level)
    try:
        session.run_to_end()
    except SimError as exc:
        tick = session.now
        raise _at_script_line(level, Path(path), tick,
                              f"{exc} (at tick {tick}, running the level with no player "
                              "actions)") from None
    return level


def _at_script_line(level: Level, path: Path, tick: int, message: str) -> GameFileError:
    """The error at the scripted action of ``tick`` (a command if there is one), or at the
    protocol when no scripted action explains it."""
    reader = Reader(path, read_text(path, LevelError), LevelError)
    due = [i for i, action in enumerate(level.script) if action.tick == tick]
    commands = [i for i in due if level.script[i].tool == "command"]
    if commands or due:
        return reader.fail(("script", (commands or due)[0]), message)
    return reader.fail(("protocol",), message)
