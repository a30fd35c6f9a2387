"""One browser's link to its game: frames paced by what the browser has taken, and whether
the browser is still there.

The game's output goes into an :class:`~playground.serve.frames.Outbox` at once (the game is
never held up by a slow browser); one sender sends what the browser still needs whenever the
browser is ready for more. Ready means: the previous send has drained into the socket, and, for
a page that acknowledges what it has drawn (ours sends ``["ack", 1]`` per frame), fewer than
:data:`WINDOW` frames are still undrawn. Meanwhile new frames merge in the outbox, so a slow
browser skips intermediate screens instead of queueing them, and the latest screen always
arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from typing import Any

from aiohttp import web

from playground.serve.frames import Outbox

STALL_LIMIT = 60.0  # seconds a browser may take nothing while a frame waits for it
WINDOW = 2  # frames a browser that acknowledges may have sent to it but not yet drawn
OUTBOX_LIMIT = 1 << 20  # bytes waiting before the game's output waits for the browser
#: Set to 1 to send every byte the game writes, unpaced (benchmarks/web_load.py's baseline).
SEND_ALL_ENV = "PLAYGROUND_WEB_SEND_ALL"


class Liveness:
    """Whether a browser is still there, judged by progress rather than by a pong deadline.

    A browser busy drawing (a slow laptop, a throttled tab) reads its socket late, and a pong
    queued behind the frames it has not read yet comes late too. So a session is lost only when
    a frame has waited ``STALL_LIMIT`` seconds for the browser to take it while the browser sent
    nothing either.
    """

    def __init__(self, websocket: web.WebSocketResponse) -> None:
        self.websocket = websocket
        self.last_progress = time.monotonic()
        self.waiting_since: float | None = None  # a send not yet taken by the browser
        self._pings: set[asyncio.Task[None]] = set()

    def heard(self) -> None:
        self.last_progress = time.monotonic()

    async def send_bytes(self, data: bytes) -> None:
        await self._send(self.websocket.send_bytes(data))

    async def send_str(self, data: str) -> None:
        await self._send(self.websocket.send_str(data))

    async def _send(self, sending: Any) -> None:
        if self.waiting_since is None:
            self.waiting_since = time.monotonic()
        try:
            await sending
        finally:
            self.waiting_since = None
            self.last_progress = time.monotonic()

    def stalled(self, now: float) -> bool:
        return (self.waiting_since is not None and now - self.waiting_since > STALL_LIMIT
                and now - self.last_progress > STALL_LIMIT)

    def ping(self) -> None:
        """A keepalive ping, sent without waiting (it queues behind any unread frames)."""
        if self.websocket.closed:
            return
        task = asyncio.ensure_future(self.websocket.ping())
        self._pings.add(task)
        task.add_done_callback(self._ping_done)

    def _ping_done(self, task: asyncio.Task[None]) -> None:
        self._pings.discard(task)
        if not task.cancelled():
            task.exception()  # a ping on a closing socket: the pump sees the close


class FramePacer:
    """Sends a game's frames to one browser no faster than it takes them (see the module)."""

    def __init__(self, liveness: Liveness, send_all: bool | None = None) -> None:
        if send_all is None:
            send_all = os.environ.get(SEND_ALL_ENV, "") == "1"
        self.liveness = liveness
        self.outbox = Outbox(send_all)
        self.unpaced = send_all
        self.sent = 0  # frames sent
        self.acked: int | None = None  # frames the page says it drew; None: it never says
        self._changed = asyncio.Event()  # new output or an ack
        self._taken = asyncio.Event()  # the outbox was emptied
        self._sender: asyncio.Task[None] | None = None

    async def write(self, data: bytes) -> None:
        """What the game wrote (textual-serve's ``write_bytes``). Returns at once unless an
        outbox full of output nobody could merge is waiting for the browser."""
        if self.unpaced:
            await self.liveness.send_bytes(data)
            return
        if self._sender is not None and self._sender.done():
            return  # the socket failed: nobody to send to, and the session is ending
        self.outbox.put(data)
        self._changed.set()
        if self._sender is None:
            self._sender = asyncio.ensure_future(self._send_forever())
            self._sender.add_done_callback(self._sender_done)
        while self.outbox.size > OUTBOX_LIMIT and not self._sender.done():
            self._taken.clear()
            await self._taken.wait()

    def _sender_done(self, task: asyncio.Task[None]) -> None:
        self._taken.set()  # a writer waiting on a full outbox must not wait for it
        if not task.cancelled():
            # A send on a closing socket failed: the pump sees the close and ends the session.
            # Taken here, or a server stopping mid-frame logs "Task exception was never
            # retrieved" when the task is collected.
            task.exception()

    def ack(self, frames: int) -> None:
        """The page drew ``frames`` more frames."""
        self.acked = (self.acked or 0) + max(0, frames)
        self._changed.set()

    def forget(self) -> None:
        """The browser's screen may have changed by itself (it resized): resend every row."""
        self.outbox.forget()

    def _ready(self) -> bool:
        return self.acked is None or self.sent - self.acked < WINDOW

    async def _send_forever(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            if not self._ready():
                continue
            data = self.outbox.take()
            self._taken.set()  # a writer waiting on a full outbox may go on
            if data:
                self.sent += 1
                await self.liveness.send_bytes(data)

    async def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._sender
