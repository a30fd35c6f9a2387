"""The instructor's room view as lines of text: who plays, where, for how long, how well.

Pure: rows in, lines out (no colours but reverse video for the chosen player), so the
instructor session only has to put them on the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

REVERSE, PLAIN = "\x1b[7m", "\x1b[0m"


@attrs.frozen
class RoomRow:
    """One player in the room."""

    player: str
    place: str  # "Split Brain", "campaign map", "starting"...
    on_it: float | None  # seconds on that place; None: not known yet
    stars: int
    wins: int
    screen: tuple[int, int]  # the player's terminal: columns, rows
    via: str = "ssh"  # "ssh", or "web": a game in a browser, on a web server


def clock(seconds: float | None) -> str:
    """``75`` -> ``1:15``, ``3725`` -> ``1:02:05``; unknown -> ``-``."""
    if seconds is None:
        return "-"
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fit(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut with ``…``."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[:width - 1] + "…"


@attrs.frozen
class RoomPicture:
    """Everything the room view shows besides the rows."""

    title: str
    status: str = ""  # the last thing that happened ("Sent to 3 players: ...")
    prompt: str = ""  # while typing a message or confirming: the line being edited
    keys: str = ("↑↓ choose   enter watch live   m message everyone   "
                 "o open next section   q quit")


def render_room(rows: Sequence[RoomRow], selected: int, picture: RoomPicture, width: int,
                height: int) -> list[str]:
    """The room view, ``height`` lines of at most ``width`` characters (the chosen row in
    reverse video)."""
    name_w = max(6, *(len(r.player) for r in rows)) if rows else 6
    head = (f"  {'player':<{name_w}}  {'on it':>7}  {'stars':>5}  {'wins':>4}  {'screen':>7}  "
            f"{'via':<3}  ")
    place_w = max(8, width - len(head))
    lines = [fit(picture.title, width), "", fit(head + "level / place", width)]
    body_h = max(1, height - len(lines) - 4)
    first = max(0, min(selected - body_h + 1, len(rows) - body_h))
    if not rows:
        lines.append("  (no one is playing now)")
    for index, row in enumerate(rows[first:first + body_h], start=first):
        cols, lines_ = row.screen
        text = (f"{'>' if index == selected else ' '} {row.player:<{name_w}}  "
                f"{clock(row.on_it):>7}  {row.stars:>5}  {row.wins:>4}  "
                f"{f'{cols}x{lines_}':>7}  {row.via:<3}  {fit(row.place, place_w)}")
        text = fit(text, width)
        lines.append(f"{REVERSE}{text}{PLAIN}" if index == selected else text)
    if len(rows) > first + body_h:
        lines.append(f"  … {len(rows) - first - body_h} more")
    lines += [""] * max(0, height - len(lines) - 3)
    lines += ["", fit(picture.prompt or picture.status, width), fit(picture.keys, width)]
    return lines[:height]
