"""The live feed of a browser game (the web server's side of the instructor's live view): what
watchers get, the one that cannot keep up dropped without holding up the game, the socket's
mode and lifetime, and sockets left by a killed server cleaned up."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from playground.serve.livefeed import (
    MAX_BEHIND,
    MAX_WATCHERS,
    LiveFeed,
    clean_stale_feeds,
    feed_path,
)

CHUNK = b"\x1b[H" + b"x" * (64 * 1024 - 3)  # one big frame


class Watcher:
    """A watcher that reads everything it is sent, as fast as it comes."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.got = bytearray()
        self.ended = asyncio.Event()
        self.task = asyncio.ensure_future(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while data := await reader.read(65536):
                self.got += data
        finally:
            self.ended.set()


async def wait_until(done: Callable[[], bool], what: str) -> None:
    """Let the event loop run until ``done()`` (no clock: each turn lets sockets move)."""
    for _ in range(100000):
        if done():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{what} never happened")


async def test_a_watcher_that_cannot_keep_up_is_dropped_and_the_others_go_on(
        tmp_path: Path) -> None:
    joins: list[int] = []

    async def repaint() -> None:
        joins.append(len(joins))

    path = feed_path(tmp_path / "room", 4242, 17)
    feed = LiveFeed(repaint)
    await feed.open(path)
    assert path.name == "4242-17.sock" and path.stat().st_mode & 0o777 == 0o600
    try:
        fast_reader, fast_writer = await asyncio.open_unix_connection(str(path))
        fast = Watcher(fast_reader)
        _, slow_writer = await asyncio.open_unix_connection(str(path))  # never reads
        await wait_until(lambda: len(feed.watchers) == 2 and len(joins) == 2,
                         "both watchers joined, each asking for a repaint")
        fast_writer.write(b"keys go nowhere")  # read and ignored: it goes on watching
        await fast_writer.drain()

        offered = 0
        while feed.dropped == 0:
            feed.offer(CHUNK)  # never waits, whoever is behind
            offered += len(CHUNK)
            assert offered < 4 * MAX_BEHIND, "the slow watcher was never dropped"
            await wait_until(lambda n=offered: len(fast.got) == n,
                             "the fast watcher kept up")
        assert offered > MAX_BEHIND  # dropped for being behind, not at once
        assert len(feed.watchers) == 1
        feed.offer(b"after")
        offered += len(b"after")
        await wait_until(lambda: len(fast.got) == offered, "the fast watcher still served")
        assert fast.got.endswith(CHUNK + b"after")

        await feed.close()
        await fast.ended.wait()
        assert not path.exists()
        slow_writer.close()
    finally:
        await feed.close()


async def test_stale_sockets_of_a_killed_server_are_removed_at_start(tmp_path: Path) -> None:
    room = tmp_path / "room"
    live = LiveFeed(asyncio.sleep)  # a server still running (this test's parent process)
    await live.open(feed_path(room, os.getppid(), 5))
    try:
        gone = feed_path(room, 2**22 + 1, 5)  # above Linux's largest pid: not running
        gone.touch()
        mine = feed_path(room, os.getpid(), 6)  # a server long gone that had our pid
        mine.touch()
        assert clean_stale_feeds(room) == sorted([gone, mine])
        assert live.path is not None and live.path.exists()
        assert not gone.exists() and not mine.exists()
    finally:
        await live.close()


async def test_a_watcher_beyond_the_most_is_turned_away_with_nothing(tmp_path: Path) -> None:
    feed = LiveFeed(asyncio.sleep)
    await feed.open(feed_path(tmp_path / "room", 4242, 18))
    try:
        assert feed.path is not None
        links = [await asyncio.open_unix_connection(str(feed.path))
                 for _ in range(MAX_WATCHERS + 1)]  # (the writers too: they must stay open)
        watchers = [Watcher(reader) for reader, _ in links]
        one_more = watchers.pop()
        await one_more.ended.wait()
        await wait_until(lambda: len(feed.watchers) == MAX_WATCHERS, "every other one joined")
        feed.offer(b"frame")
        await wait_until(lambda: all(w.got == b"frame" for w in watchers), "the first ones served")
        assert one_more.got == b"" and len(feed.watchers) == MAX_WATCHERS
    finally:
        await feed.close()
