"""The instructor's SSH session: the room view, a live view of one player's game, a message
to everyone, and opening the next section for the room.

Nothing here runs a game: the room view is drawn by the server itself from the sessions it
runs and the status files their games write (:mod:`playground.game.roomstate`), refreshed
every second. The live view copies the chosen player's game output to the instructor as it is
drawn (a browser player's from their web server's live feed, :mod:`.livefeed`); the
instructor's keys go nowhere but here (``q`` or ``esc`` goes back to the room).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncssh
import attrs

from playground.game.roomstate import RoomState, browser_games, read_status
from playground.serve.livefeed import MAX_WATCHERS, feed_path, watch_feed
from playground.serve.roomview import RoomPicture, RoomRow, render_room

if TYPE_CHECKING:
    from playground.game.campaign import Campaign
    from playground.serve.common import ServeConfig
    from playground.serve.ssh import GameSession, WorkshopSSH

INSTRUCTOR_NAME = "instructor"
REFRESH = 1.0  # seconds between redraws of the room view
MAX_MESSAGE = 200
MAX_BEHIND = 4 * 1024 * 1024  # bytes of live view the instructor's link may lag, then stop
ENTER = b"\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"  # alternate screen, no cursor, cleared
# What a watched game may have switched on in the instructor's terminal: off again.
MODES_OFF = (b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l"
             b"\x1b[?1004l\x1b[<u\x1b[0m")
LEAVE = MODES_OFF + b"\x1b[?1049l\x1b[?25h\r\n"
UP, DOWN = (b"\x1b[A", b"\x1bOA", b"k"), (b"\x1b[B", b"\x1bOB", b"j")
BACK = (b"q", b"Q", b"\x1b", b"\x03")
TOO_SLOW = "The live view stopped: your connection could not keep up."


def split_keys(data: bytes) -> list[bytes]:
    """Keystrokes in what a terminal sent: an escape sequence (an arrow, a mouse report) is
    one key, a lone escape another, and so is each character."""
    keys: list[bytes] = []
    text = data.decode("utf-8", "replace")
    i = 0
    while i < len(text):
        if text[i] == "\x1b" and i + 1 < len(text) and text[i + 1] in "[O":
            j = i + 2
            while j < len(text) and not "@" <= text[j] <= "~":
                j += 1
            keys.append(text[i:j + 1].encode())
            i = j + 1
        else:
            keys.append(text[i].encode())
            i += 1
    return keys


@attrs.define
class LiveView:
    """The game the instructor watches: whose, how to stop copying it, and whether its
    server ended it."""

    player: str
    stop: Callable[[], object]
    ended: Callable[[], bool]


class RoomDesk:
    """What the instructor can do to the room, kept in the room's state file."""

    def __init__(self, room_dir: Path, campaign: Campaign | None,
                 room_levels: frozenset[str] | None) -> None:
        self.room_dir = room_dir
        self.campaign = campaign
        self.room_levels = room_levels

    def broadcast(self, text: str) -> str:
        state = RoomState.load(self.room_dir)
        message = state.broadcast(text)
        state.save(self.room_dir)
        return message.text

    def next_section(self) -> str | None:
        from playground.game.room import next_section

        if self.campaign is None:
            return None
        return next_section(self.campaign, self.room_levels,
                            RoomState.load(self.room_dir).sections)

    def open_section(self, section: str) -> None:
        state = RoomState.load(self.room_dir)
        if section not in state.sections:
            state.sections.append(section)
            state.save(self.room_dir)


def room_desk(config: ServeConfig) -> RoomDesk:
    """The desk of the room ``config`` serves (its open levels come from ``--room``)."""
    from playground.errors import PlaygroundError
    from playground.game.campaign import load_campaign
    from playground.game.roomenv import OPEN_ENV

    try:
        campaign: Campaign | None = load_campaign()
    except (PlaygroundError, OSError, ValueError):
        campaign = None  # the games say what is wrong; the room view works without sections
    value = config.room_env.get(OPEN_ENV)
    levels = frozenset(value.split(",")) if value is not None else None
    return RoomDesk(config.room_dir, campaign, levels)


class InstructorSession(asyncssh.SSHServerSession):
    """One instructor terminal: the room view, or a live view of one player's game."""

    def __init__(self, server: WorkshopSSH, desk: RoomDesk) -> None:
        self.server = server
        self.desk = desk
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.size = (80, 24)
        self.has_pty = False
        self.selected = 0
        self.players: list[str] = []
        self.status = ""
        self.typing: str | None = None  # the message being typed, if any
        self.confirm: str | None = None  # the section waiting for y/n, if any
        self.watching: LiveView | None = None
        self.refresher: asyncio.Task[Any] | None = None
        self.closed = False

    # -- channel ------------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Any) -> bool:
        from playground.serve.common import clamp_size

        self.has_pty = True
        self.size = clamp_size(term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        from playground.serve.common import clamp_size

        self.size = clamp_size(width, height)
        if self.watching is None:
            self._write(b"\x1b[2J")
            self.draw()

    def session_started(self) -> None:
        if not self.has_pty:
            if self.chan is not None:
                self.chan.write_stderr(b"The room view needs a terminal: ssh -t ...\r\n")
                self.chan.exit(1)
            return
        self.server.log("instructor: room view opened")
        self._write(ENTER)
        self.draw()
        self.refresher = self.server.spawn_task(self._refresh(), "room view")

    def connection_lost(self, exc: Exception | None) -> None:
        if self.has_pty:
            self.server.log("instructor: room view closed")
        self.closed = True
        self._stop_watching()
        if self.refresher is not None:
            self.refresher.cancel()

    def eof_received(self) -> bool:
        return False

    async def _refresh(self) -> None:
        while not self.closed:
            await asyncio.sleep(REFRESH)
            watched = self.watching
            if watched is not None and watched.ended():
                self._stop_watching()  # the game was ended by the server (idle, time...)
                self.status = f"{watched.player}'s game ended."
                self._write(MODES_OFF + ENTER)
            if self.watching is None:
                self.draw()

    def _write(self, data: bytes) -> None:
        if self.chan is not None and not self.closed:
            try:
                self.chan.write(data)
            except (OSError, asyncssh.Error):
                self.closed = True

    # -- the room view --------------------------------------------------------------------

    def sessions(self) -> dict[str, GameSession]:
        """The games running now, by player."""
        return {s.player: s for s in self.server.active}

    def games(self) -> dict[str, tuple[tuple[int, int], str]]:
        """Everyone playing now, by player: their screen size and how they play (``ssh`` on
        this server, ``web`` in a browser on a web server sharing the data dir)."""
        games = {game.player: (game.screen, "web") for game in browser_games(self.desk.room_dir)}
        games.update((s.player, (s.size, "ssh")) for s in self.server.active)
        return games

    def rows(self) -> list[RoomRow]:
        now = time.time()
        room_dir = self.desk.room_dir
        rows = []
        for player, (size, via) in sorted(self.games().items()):
            status = read_status(room_dir, player)
            if status is None:
                rows.append(RoomRow(player, "starting", None, 0, 0, size, via))
            else:
                rows.append(RoomRow(player, status.place, now - status.since if status.since
                                    else None, status.stars, status.wins, size, via))
        return rows

    def draw(self) -> None:
        rows = self.rows()
        self.players = [r.player for r in rows]
        self.selected = max(0, min(self.selected, len(rows) - 1))
        prompt = ""
        if self.typing is not None:
            prompt = f"Message to everyone (enter sends, esc cancels): {self.typing}█"
        elif self.confirm is not None:
            prompt = f"Open the section {self.confirm} for the whole room? y/n"
        title = (f"Workshop room: {len(rows)} playing   {time.strftime('%H:%M:%S')}   "
                 f"(the room view refreshes every second)")
        lines = render_room(rows, self.selected, RoomPicture(title, self.status, prompt),
                            *self.size)
        self._write(b"\x1b[H" + "\x1b[K\r\n".join(lines).encode() + b"\x1b[K\x1b[J")

    def data_received(self, data: bytes, datatype: Any) -> None:
        for key in split_keys(data):
            if self.closed:
                return
            if self.watching is not None:
                if key in BACK:
                    self._stop_watching()
                    self.status = "Back from the live view."
                    self._write(MODES_OFF + ENTER)
                    self.draw()
                continue  # nothing the instructor types reaches the player's game
            if self.typing is not None:
                self._type(key)
            elif self.confirm is not None:
                self._confirm(key)
            else:
                self._command(key)
            if not self.closed and self.watching is None:
                self.draw()

    def _command(self, data: bytes) -> None:
        if data in UP:
            self.selected = max(0, self.selected - 1)
        elif data in DOWN:
            self.selected = min(len(self.players) - 1, self.selected + 1)
        elif data in (b"\r", b"\n", b"w"):
            self._watch()
        elif data == b"m":
            self.typing = ""
        elif data == b"o":
            section = self.desk.next_section()
            if section is None:
                self.status = "Every section is already open for the room."
            else:
                self.confirm = section
        elif data in (b"q", b"\x03", b"\x04"):
            self._quit()

    def _type(self, data: bytes) -> None:
        assert self.typing is not None
        if data in (b"\x1b", b"\x03"):
            self.typing = None
            self.status = "Message not sent."
        elif data in (b"\r", b"\n"):
            text, self.typing = self.typing.strip(), None
            if text:
                try:
                    sent = self.desk.broadcast(text)
                except OSError as exc:
                    self.status = f"Not sent: cannot write the room's state ({exc.strerror})."
                    return
                self.status = f"Sent to {len(self.players)} playing: {sent}"
                self.server.log(f"instructor: message to everyone: {sent}")
        elif data in (b"\x7f", b"\x08"):
            self.typing = self.typing[:-1]
        elif not data.startswith(b"\x1b"):
            text = data.decode("utf-8", "ignore")
            if text.isprintable():
                self.typing = (self.typing + text)[:MAX_MESSAGE]

    def _confirm(self, data: bytes) -> None:
        section, self.confirm = self.confirm, None
        if data in (b"y", b"Y") and section is not None:
            try:
                self.desk.open_section(section)
            except OSError as exc:
                self.status = f"Not opened: cannot write the room's state ({exc.strerror})."
                return
            self.status = f"Opened {section} for the room."
            self.server.log(f"instructor: opened the section {section}")
        else:
            self.status = "Nothing opened."

    def _quit(self) -> None:
        self.closed = True
        if self.refresher is not None:
            self.refresher.cancel()
        if self.chan is not None:
            with contextlib.suppress(OSError, asyncssh.Error):
                self.chan.write(LEAVE)
                self.chan.exit(0)

    # -- the live view --------------------------------------------------------------------

    def _watch(self) -> None:
        if not self.players:
            self.status = "No one is playing now."
            return
        player = self.players[self.selected]
        session = self.sessions().get(player)
        if session is None:
            self._watch_browser(player)
            return
        child = session.child
        if child is None or child.returncode is not None:
            self.status = f"{player} is not playing now."
            return
        session.watchers.add(self._on_game_output)
        self._enter_live_view(LiveView(
            player, lambda: session.watchers.discard(self._on_game_output),
            lambda: session not in self.server.active))
        # A resize to the same size: the game repaints its whole screen for the new viewer.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGWINCH)

    def _watch_browser(self, player: str) -> None:
        """The live view of ``player``'s game in a browser, read from the feed their web server
        offers in the room folder (the web server repaints the game for us)."""
        room_dir = self.desk.room_dir
        game = next((g for g in browser_games(room_dir) if g.player == player), None)
        if game is None:
            self.status = f"{player} is not playing now."
            return
        path = feed_path(room_dir, game.server, game.pid)
        if not path.exists():
            self.status = (f"{player} plays in a browser, but their web server offers no live "
                           "view of it here (another data dir, or the game is ending).")
            return

        received = [0]

        def on_output(data: bytes) -> None:
            if self.watching is not view:
                return
            received[0] += len(data)
            if data:
                self._on_game_output(data)
            elif not path.exists():
                self._leave_live_view(f"{player}'s game ended.")
            elif received[0]:  # the game goes on: the web server dropped us
                self._leave_live_view(TOO_SLOW)
            else:  # turned away at once
                self._leave_live_view(f"{player}'s game already has {MAX_WATCHERS} live "
                                      "views: leave one to open another.")

        async def copy() -> None:
            try:
                await watch_feed(path, on_output)
            except OSError as exc:
                if self.watching is view:
                    self._leave_live_view(f"Could not open the live view of {player}'s game: "
                                          f"{exc.strerror or exc}.")

        task = self.server.spawn_task(copy(), f"live view of {player}")
        view = LiveView(player, task.cancel, task.done)
        self._enter_live_view(view)

    def _enter_live_view(self, view: LiveView) -> None:
        self.watching = view
        self.server.log(f"instructor: watching {view.player}")
        self._write(ENTER)

    def _on_game_output(self, data: bytes) -> None:
        watched = self.watching
        if watched is None:
            return
        behind = self.chan.get_write_buffer_size() if self.chan is not None else 0
        if data and behind < MAX_BEHIND:
            self._write(data)
            return
        self._leave_live_view(f"{watched.player}'s game ended." if not data else TOO_SLOW)

    def _leave_live_view(self, status: str) -> None:
        self._stop_watching()
        self.status = status
        self._write(MODES_OFF + ENTER)
        self.draw()

    def _stop_watching(self) -> None:
        if self.watching is not None:
            self.watching.stop()
            self.server.log(f"instructor: stopped watching {self.watching.player}")
            self.watching = None
