"""``--room FILE``: what an instructor opens for the room, checked like a level file.

A room file (TOML), every key optional::

    open = "all"                       # "campaign" (default: one level after another) or
                                       # "all" (every level open from the start)
    sections = ["Unreliable Clocks"]   # or: only these chapter sections' levels ...
    levels = ["split-brain"]           # ... and/or only these levels (not with ``open``)
    time-limit-minutes = 90            # a game lasts at most this long (--max-session)
    message = "Today: clocks. Start with Negative Elapsed."  # on the title screen

The game learns what is open through its environment (:data:`OPEN_ENV`, :data:`MESSAGE_ENV`),
so a game process never reads the instructor's file itself.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from playground.game.errors import GameFileError
from playground.game.outline import OUTLINE
from playground.game.reader import Reader, parse_toml, read_text
from playground.game.roomenv import MESSAGE_ENV, OPEN_ENV

if TYPE_CHECKING:  # the title screen imports this module: no levels or protocols before it
    from playground.game.campaign import Campaign

MAX_MESSAGE = 200  # characters: one line on the title screen
KEYS = frozenset({"open", "sections", "levels", "time-limit-minutes", "message"})


class RoomError(GameFileError):
    """A room file that is not valid."""


@attrs.frozen
class Room:
    #: the open levels; ``None``: the campaign opens them one after another
    levels: frozenset[str] | None = None
    time_limit: float = 0.0  # seconds; 0: the server's --max-session
    message: str = ""

    def env(self) -> dict[str, str]:
        """What a game process is told about the room."""
        env = {MESSAGE_ENV: self.message} if self.message else {}
        if self.levels is not None:
            env[OPEN_ENV] = ",".join(sorted(self.levels))
        return env


def load_room(path: Path, campaign: Campaign) -> Room:
    """The room in ``path``. Raises :class:`RoomError` naming the file, line and field."""
    text = read_text(path, RoomError)
    data = parse_toml(text, path, RoomError)
    reader = Reader(path, text, RoomError)
    reader.check_keys(data, (), KEYS)
    order = campaign.order
    opened = reader.get(data, (), "open", str, "campaign",
                        check=lambda v: None if v in ("campaign", "all") else
                        f'must be "campaign" or "all", got "{v}"')
    chosen: set[str] = set()
    for key, known, pick in (
            ("sections", [section for section, _ in OUTLINE],
             lambda name: {i for i in order if campaign.get(i).chapter == name}),
            ("levels", list(order), lambda name: {name})):
        names = reader.get(data, (), key, list, [])
        if key in data and not names:
            raise reader.fail((key,), "must name at least one")
        for name in names:
            if name not in known:
                raise reader.fail((key,), f'unknown {key[:-1]} "{name}" (known: '
                                          f'{", ".join(known)})')
            chosen |= pick(name)
    if chosen and "open" in data:
        raise reader.fail(("open",), "cannot be combined with sections or levels")
    minutes = reader.get(data, (), "time-limit-minutes", (int, float), 0,
                         check=lambda v: None if v > 0 else "must be more than 0")
    message = reader.get(data, (), "message", str, "",
                         check=lambda v: "must be one line" if "\n" in v else
                         f"must be at most {MAX_MESSAGE} characters" if len(v) > MAX_MESSAGE
                         else None)
    levels = frozenset(chosen) if chosen else frozenset(order) if opened == "all" else None
    return Room(levels=levels, time_limit=minutes * 60.0, message=message.strip())


def open_levels(order: Sequence[str], unlocked: set[str],
                environ: dict[str, str] | None, opened: Set[str] = frozenset()) -> set[str]:
    """The levels a player may open: the room's (from the game's environment) or, without a
    room, those the campaign has unlocked; and either way the levels the instructor has
    ``opened`` since."""
    value = (environ or {}).get(OPEN_ENV)
    if value is None:
        return unlocked | set(opened)
    return {level_id for level_id in value.split(",") if level_id in order} | opened


def section_levels(campaign: Campaign, sections: Sequence[str]) -> set[str]:
    """The campaign's levels in these chapter sections."""
    wanted = set(sections)
    return {i for i in campaign.order if campaign.get(i).chapter in wanted}


def next_section(campaign: Campaign, room_levels: Set[str] | None,
                 opened: Sequence[str]) -> str | None:
    """The first chapter section (in the book's order) that the room has not opened whole:
    what "open the next section" opens. ``room_levels``: the room file's open levels (None:
    the campaign's order, where only the instructor's sections count as opened)."""
    for section, _ in OUTLINE:
        levels = section_levels(campaign, [section])
        if not levels or section in opened:
            continue
        if room_levels is None or not levels <= room_levels:
            return section
    return None
