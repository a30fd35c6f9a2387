"""The live view of a browser game: the web server offers each game's screen output on a Unix
socket in the room folder, and the SSH server's instructor session reads it.

``<data dir>/room/web/<web server pid>-<game pid>.sock`` (mode 0600: the same user runs both
servers), next to the game's ``<player>.json`` (:mod:`playground.game.roomstate`), which names
both pids. A watcher that connects gets every byte the game writes from then on (the ANSI the
page's terminal draws), and the game is asked to repaint its whole screen. Nothing a watcher
sends reaches the game: the server reads it only to notice the watcher leave. The game and its
page never wait for a watcher: output goes into the watcher's socket buffer at once, and a
watcher with more than :data:`MAX_BEHIND` bytes unsent is dropped. The socket goes when the
game ends or the server stops; one left by a killed server goes when a web server starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from playground.game.roomstate import BROWSERS_DIR, process_running

MAX_BEHIND = 4 * 1024 * 1024  # bytes a watcher may have unsent, then it is dropped
MAX_WATCHERS = 8  # at once, per game
READ_CHUNK = 64 * 1024
SUFFIX = ".sock"


def feed_path(room_dir: Path, server: int, game: int) -> Path:
    """Where web server ``server`` offers the live feed of its game ``game``."""
    return room_dir / BROWSERS_DIR / f"{server}-{game}{SUFFIX}"


def clean_stale_feeds(room_dir: Path) -> list[Path]:
    """Remove the sockets of web servers that are gone (killed before they could), and any
    with this process's pid (a server long gone that had it); returns what was removed."""
    removed = []
    for path in sorted((room_dir / BROWSERS_DIR).glob(f"*{SUFFIX}")):
        server = path.stem.split("-", 1)[0]
        if server.isdigit() and (int(server) == os.getpid()
                                 or not process_running(int(server))):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


class LiveFeed:
    """One game's output offered to watchers on a Unix socket: :meth:`open`, :meth:`offer`
    what the game writes, :meth:`close` when it ends. ``on_join`` is awaited when a watcher
    connects (the web server makes the game repaint its screen)."""

    def __init__(self, on_join: Callable[[], Awaitable[None]]) -> None:
        self.path: Path | None = None
        self.on_join = on_join
        self.watchers: set[asyncio.StreamWriter] = set()
        self.dropped = 0  # watchers dropped for falling behind
        self._server: asyncio.AbstractServer | None = None
        self._serving: dict[asyncio.Task[Any], asyncio.StreamReader] = {}  # per watcher

    async def open(self, path: Path) -> None:
        """Listen at ``path`` (OSError if it cannot: no live view of this game)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.fchmod(sock.fileno(), 0o600)  # Linux: the socket file is born 0600
            sock.bind(str(path))
            self.path = path
            os.chmod(path, 0o600)
            self._server = await asyncio.start_unix_server(self._serve, sock=sock)
        except BaseException:
            sock.close()
            if self.path is not None:
                self.path.unlink(missing_ok=True)
                self.path = None
            raise

    def offer(self, data: bytes) -> None:
        """Give ``data`` to every watcher without waiting; drop those too far behind."""
        for writer in list(self.watchers):
            transport = writer.transport
            if transport.is_closing():
                self.watchers.discard(writer)
            elif transport.get_write_buffer_size() + len(data) > MAX_BEHIND:
                self.watchers.discard(writer)
                self.dropped += 1
                transport.abort()
            else:
                writer.write(data)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self.watchers) >= MAX_WATCHERS or self._server is None:
            writer.close()
            return
        task = asyncio.current_task()
        if task is not None:
            self._serving[task] = reader
        self.watchers.add(writer)
        try:
            with contextlib.suppress(Exception):  # a game already ending draws nothing more
                await self.on_join()
            while await reader.read(READ_CHUNK):
                pass  # read-only: what a watcher sends goes nowhere
        except (OSError, asyncio.CancelledError):
            # Cancelled only when the loop ends under it: a cancelled handler would be logged
            # as an error by the stream server.
            pass
        finally:
            self.watchers.discard(writer)
            writer.close()
            if task is not None:
                self._serving.pop(task, None)

    async def close(self) -> None:
        """Stop offering: the socket file goes first (so a watcher told "ended" finds it gone),
        then every watcher gets what was sent and an end of file."""
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self.watchers):
            writer.close()
        self.watchers.clear()
        serving = list(self._serving.items())
        for _, reader in serving:
            reader.feed_eof()  # stop reading what the watcher might still send
        await asyncio.gather(*(task for task, _ in serving), return_exceptions=True)


async def watch_feed(path: Path, on_output: Callable[[bytes], None]) -> None:
    """Copy the live feed at ``path`` to ``on_output`` until it ends, then call
    ``on_output(b"")``; OSError if it cannot connect."""
    reader, writer = await asyncio.open_unix_connection(str(path))
    try:
        while data := await reader.read(READ_CHUNK):
            on_output(data)
    except OSError:
        pass  # reset by the server (it dropped us): the caller tells why from the path
    finally:
        writer.close()
    on_output(b"")
