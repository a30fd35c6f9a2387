"""A served game's link to the workshop room (see :mod:`playground.game.roomstate`).

Once a second: tell the server where the player is (only when that changed), and pick up
what the instructor did: a broadcast becomes a toast on whatever screen is showing (and the
title screen shows the latest one, so a player who starts after it still reads it), a section
opened for the room becomes open on the campaign map.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from playground.game.roomstate import (
    STATE_NAME,
    Broadcast,
    PlayerStatus,
    RoomState,
    write_status,
)

if TYPE_CHECKING:
    from playground.tui.app import PlaygroundApp

PERIOD = 1.0  # seconds between looks
#: what a screen without a level is called in the instructor's room view
PLACES = {"TitleScreen": "title screen", "CampaignScreen": "campaign map",
          "SandboxScreen": "sandbox", "CodexScreen": "codex", "HelpScreen": "help",
          "SettingsScreen": "settings", "LeaderboardScreen": "leaderboard"}


class RoomLink:
    """Status out, broadcasts and opened sections in, for one game in a workshop room."""

    def __init__(self, app: PlaygroundApp, room_dir: Path) -> None:
        self.app = app
        self.room_dir = room_dir
        self.state = RoomState.load(room_dir)
        self.seen = self.state.last_number  # broadcasts before this game started: not shown
        self.stamp: tuple[int, int] | None = None  # the first look shows the latest message
        self.status: PlayerStatus | None = None

    @property
    def sections(self) -> list[str]:
        """The sections the instructor has opened for the room."""
        return self.state.sections

    def latest(self) -> Broadcast | None:
        """The instructor's latest message, while it is recent (see ``LATEST_KEPT``)."""
        return self.state.latest()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            info = (self.room_dir / STATE_NAME).stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    def tick(self) -> None:
        # A full disk or a vanished folder must not stop the game: the room view goes stale.
        with contextlib.suppress(OSError):
            self._send_status()
        self._receive()

    def where(self) -> tuple[str, str]:
        """(place in words, level id or "") of the screen the player is on."""
        for screen in reversed(self.app.screen_stack):
            level = getattr(screen, "level", None)
            if level is not None and getattr(level, "id", None):
                return level.title, level.id
            if (name := type(screen).__name__) in PLACES:
                return PLACES[name], ""
        return "title screen", ""

    def _send_status(self) -> None:
        place, level = self.where()
        records = self.app.progress.levels.values()
        stars = sum(r.stars for r in records)
        wins = sum(1 for r in records if r.won)
        old = self.status
        since = old.since if old is not None and (old.place, old.level) == (place, level) \
            else time.time()
        status = PlayerStatus(self.app.player, place, level, since, stars, wins)
        if status != old:
            write_status(self.room_dir, status)
            self.status = status

    def _receive(self) -> None:
        stamp = self._stamp()
        if stamp == self.stamp:
            return
        self.stamp = stamp
        old_sections = set(self.state.sections)
        self.state = RoomState.load(self.room_dir)
        for message in self.state.newer_than(self.seen):
            self.app.notify(message.text, title="From the instructor", timeout=20)
        self.seen = max(self.seen, self.state.last_number)
        from playground.tui.screens.title import TitleScreen

        if isinstance(self.app.screen, TitleScreen):
            self.app.screen.show_broadcast()
        if added := [s for s in self.state.sections if s not in old_sections]:
            self.app.notify(f"Now open for the room: {', '.join(added)}. See the campaign map.",
                            title="New levels", timeout=20)
            from playground.tui.screens.campaign import CampaignScreen

            if isinstance(self.app.screen, CampaignScreen):
                self.app.screen.fill()  # the map on screen unlocks them at once
