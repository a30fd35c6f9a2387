"""What flows between a workshop server and its games, as small JSON files in the room folder.

``<data dir>/room/players/<player>.json``: a game's status (where the player is, since when,
stars and wins), written by the game whenever it changes and read by the server for the
instructor's room view. ``<data dir>/room/web/<player>.json``: a game the web server runs for
a browser (its process and screen size), so the SSH server's room view lists browser players
too. ``<data dir>/room/state.json``: the instructor's broadcasts and the
sections opened for the room, written by the server and read by every game (so a player who
reconnects finds the sections still open).

Every file is written atomically and read defensively: a missing, half-written or nonsense
file reads as "nothing known", so neither a crashed game nor a stray file can stop the other
side.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import attrs

from playground.game.progress import PLAYER_NAME
from playground.game.storage import atomic_write_text

STATE_NAME = "state.json"
PLAYERS_DIR = "players"
BROWSERS_DIR = "web"
MAX_MESSAGES = 20  # broadcasts kept in the state file
#: How long the instructor's latest message stays on the title screen of a game that starts
#: after it (unless a newer one replaces it): a workshop's length, so a room reused the next
#: day with the same data dir does not greet players with yesterday's message.
LATEST_KEPT = 3 * 3600
MAX_STATUS_BYTES = 4096


def _read_json(path: Path, limit: int = 1 << 20) -> dict[str, Any]:
    """The JSON object in ``path``; ``{}`` if it is missing, too big or not an object."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
        data = json.loads(raw) if len(raw) <= limit else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _number(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else default


def _text(value: Any, limit: int = 200) -> str:
    return value[:limit] if isinstance(value, str) else ""


@attrs.frozen
class PlayerStatus:
    """Where one player is: ``place`` in words (a level's title, "campaign map"...),
    ``level`` its id if it is a level, ``since`` when they got there (epoch seconds)."""

    player: str
    place: str
    level: str = ""
    since: float = 0.0
    stars: int = 0
    wins: int = 0

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, player: str, data: dict[str, Any]) -> PlayerStatus:
        return cls(player=player, place=_text(data.get("place")), level=_text(data.get("level")),
                   since=_number(data.get("since")), stars=int(_number(data.get("stars"))),
                   wins=int(_number(data.get("wins"))))


def status_path(room_dir: Path, player: str) -> Path:
    return room_dir / PLAYERS_DIR / f"{player}.json"


def write_status(room_dir: Path, status: PlayerStatus) -> None:
    atomic_write_text(status_path(room_dir, status.player), json.dumps(status.to_dict()) + "\n")


def read_status(room_dir: Path, player: str) -> PlayerStatus | None:
    """``player``'s last status, or None if there is none (or it cannot be read)."""
    if not PLAYER_NAME.match(player):
        return None
    data = _read_json(status_path(room_dir, player), MAX_STATUS_BYTES)
    return PlayerStatus.from_dict(player, data) if data else None


@attrs.frozen
class BrowserGame:
    """A game the web server runs for a browser: its process, the web server's, and the
    browser's terminal size (columns, rows)."""

    player: str
    pid: int
    server: int
    screen: tuple[int, int]


def browser_path(room_dir: Path, player: str) -> Path:
    return room_dir / BROWSERS_DIR / f"{player}.json"


def write_browser_game(room_dir: Path, game: BrowserGame) -> None:
    data = {"pid": game.pid, "server": game.server, "screen": list(game.screen)}
    atomic_write_text(browser_path(room_dir, game.player), json.dumps(data) + "\n")


def remove_browser_game(room_dir: Path, player: str, pid: int) -> None:
    """Forget ``player``'s browser game ``pid`` (not a newer game of theirs that replaced it)."""
    path = browser_path(room_dir, player)
    if _number(_read_json(path, MAX_STATUS_BYTES).get("pid")) == pid:
        path.unlink(missing_ok=True)


def browser_games(room_dir: Path) -> list[BrowserGame]:
    """The browser games running now, by player name; a file left by a web server that died
    (its game or itself gone) is skipped."""
    games = []
    for path in sorted((room_dir / BROWSERS_DIR).glob("*.json")):
        player, data = path.stem, _read_json(path, MAX_STATUS_BYTES)
        pid, server = int(_number(data.get("pid"))), int(_number(data.get("server")))
        screen = data.get("screen")
        if not (PLAYER_NAME.match(player) and process_running(pid) and process_running(server)):
            continue
        if not (isinstance(screen, list) and len(screen) == 2
                and all(isinstance(n, int) for n in screen)):
            screen = [0, 0]
        games.append(BrowserGame(player, pid, server, (screen[0], screen[1])))
    return games


def process_running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: the signal said it exists
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


@attrs.frozen
class Broadcast:
    """A one-line message from the instructor to everyone; ``number`` counts up from 1."""

    number: int
    text: str
    at: float


@attrs.define
class RoomState:
    """The instructor's broadcasts (newest last) and the sections opened for the room."""

    broadcasts: list[Broadcast] = attrs.field(factory=list)
    sections: list[str] = attrs.field(factory=list)

    @classmethod
    def load(cls, room_dir: Path) -> RoomState:
        data = _read_json(room_dir / STATE_NAME)
        state = cls()
        raw = data.get("broadcasts")
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, dict) and (text := _text(item.get("text"))):
                state.broadcasts.append(Broadcast(int(_number(item.get("number"))), text,
                                                  _number(item.get("at"))))
        raw = data.get("sections")
        state.sections = [s for s in raw if isinstance(s, str)] if isinstance(raw, list) else []
        return state

    def save(self, room_dir: Path) -> None:
        data = {"broadcasts": [attrs.asdict(b) for b in self.broadcasts[-MAX_MESSAGES:]],
                "sections": self.sections}
        atomic_write_text(room_dir / STATE_NAME, json.dumps(data, indent=1) + "\n")

    @property
    def last_number(self) -> int:
        return max((b.number for b in self.broadcasts), default=0)

    def broadcast(self, text: str) -> Broadcast:
        message = Broadcast(self.last_number + 1, " ".join(text.split()), time.time())
        self.broadcasts.append(message)
        return message

    def newer_than(self, number: int) -> list[Broadcast]:
        return [b for b in self.broadcasts if b.number > number]

    def latest(self, now: float | None = None) -> Broadcast | None:
        """The newest broadcast, if it is less than :data:`LATEST_KEPT` seconds old: what a
        player who starts a game now still sees."""
        newest = max(self.broadcasts, key=lambda b: b.number, default=None)
        now = time.time() if now is None else now
        return newest if newest is not None and now - newest.at < LATEST_KEPT else None
