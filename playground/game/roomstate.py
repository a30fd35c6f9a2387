"""What flows between a workshop server and its games, as small JSON files in the room folder.

``<data dir>/room/players/<player>.json``: a game's status (where the player is, since when,
stars and wins), written by the game whenever it changes and read by the server for the
instructor's room view. ``<data dir>/room/state.json``: the instructor's broadcasts and the
sections opened for the room, written by the server and read by every game (so a player who
reconnects finds the sections still open).

Every file is written atomically and read defensively: a missing, half-written or nonsense
file reads as "nothing known", so neither a crashed game nor a stray file can stop the other
side.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import attrs

from playground.game.progress import PLAYER_NAME
from playground.game.storage import atomic_write_text

STATE_NAME = "state.json"
PLAYERS_DIR = "players"
MAX_MESSAGES = 20  # broadcasts kept in the state file
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
