"""A browser that reads slowly is never dropped, and still gets the latest screen: frames wait
for it and merge instead of queueing.

The normal suite reads slowly for a few dozen frames. ``make e2e`` sets
``PLAYGROUND_E2E_SLOW_SECONDS=300``: five minutes of 16x play, the level restarted whenever its
run ends (the sandbox pauses at 60 simulated seconds and draws nothing more until then).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
from collections.abc import AsyncIterator, Iterator

import pyte
import pytest

from playground.tui.stepper import SPEEDS
from tests.serve.conftest import TITLE_TEXT, RunningServer, running

aiohttp = pytest.importorskip("aiohttp")

SLOW_SECONDS = float(os.environ.get("PLAYGROUND_E2E_SLOW_SECONDS", "0"))
SLOW_READ = 0.25  # seconds the slow browser takes to draw each frame
SHORT_RUN_FRAMES = 30
PLAY_SPEED = 16
FRAME_WAIT = 120  # seconds a playing game may take to send a frame (a very busy machine)
# Frames a slow browser may draw between pressing a key and seeing its effect: the frames
# already on their way (a couple), then merged screens as the game gets to the key. A server
# that queued every frame would have a hundred or more of them in the way.
MOST_FRAMES_TO_SEE_A_KEY = 25
RUN_SHOWN = re.compile(r"(playing|paused) (\d+)x")  # the play screen's status bar
RESTART = "\x12"  # ctrl+r: the play screen's restart


def keys_to_play(screen: str, speed: int = PLAY_SPEED) -> str:
    """The keys that make the play screen showing ``screen`` play at ``speed``: ctrl+r if
    its run is over (the sandbox stops, paused, at its end), then ``+`` or ``-`` to the speed
    (a restart keeps the speed). Nothing if it already plays so, or is not the play screen."""
    shown = RUN_SHOWN.search(screen)
    if shown is None:
        return ""
    keys = RESTART if shown.group(1) == "paused" else ""
    steps = SPEEDS.index(speed) - SPEEDS.index(int(shown.group(2)))
    return keys + ("+" * steps if steps > 0 else "-" * -steps)


def speed_shown(screen: str) -> int | None:
    shown = RUN_SHOWN.search(screen)
    return int(shown.group(2)) if shown else None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running("web", tmp_path_factory.mktemp("web-slow")) as srv:
        yield srv


class SlowBrowser:
    """A websocket client that draws into a terminal emulator and acknowledges each frame as
    our page does, taking ``delay`` seconds per frame."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, cols: int, rows: int) -> None:
        self.ws = ws
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.delay = 0.0
        self.frames = 0
        self.bytes = 0
        self.restarts = 0

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def draw_one(self) -> None:
        """Draw the next frame; fail (instead of hanging) if none comes in ``FRAME_WAIT``."""
        try:
            data = await asyncio.wait_for(self._next_frame(), FRAME_WAIT)
        except TimeoutError:
            raise AssertionError(f"no frame for {FRAME_WAIT} s (the session went silent); "
                                 f"the screen:\n{self.text()}") from None
        self.stream.feed(data)
        self.frames += 1
        self.bytes += len(data)
        if self.delay:
            await asyncio.sleep(self.delay)
        await self.ws.send_json(["ack", 1])

    async def _next_frame(self) -> bytes:
        while True:
            message = await self.ws.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                return bytes(message.data)
            if message.type == aiohttp.WSMsgType.TEXT:
                assert json.loads(message.data)[0] != "end", message.data
                continue
            raise AssertionError(f"the session was dropped: {message.type.name} "
                                 f"{message.extra or ''}")

    async def draw_until(self, text: str, most_frames: int | None = None) -> int:
        """Draw frames until ``text`` shows; how many it took."""
        start = self.frames
        while text not in self.text():
            if most_frames is not None:
                assert self.frames - start < most_frames, (
                    f"{text!r} not shown after {most_frames} frames:\n{self.text()}")
            await self.draw_one()
        return self.frames - start

    async def key(self, keys: str) -> None:
        await self.ws.send_json(["stdin", keys])

    async def keep_playing(self) -> None:
        """If the run ended (or the speed is off), restart it at 16x and draw until it plays:
        a game whose run is over legitimately draws nothing more."""
        keys = keys_to_play(self.text())
        if keys:
            self.restarts += RESTART in keys
            await self.key(keys)
            await self.draw_until(f"playing {PLAY_SPEED}x", MOST_FRAMES_TO_SEE_A_KEY)


@contextlib.asynccontextmanager
async def browser_game(http: aiohttp.ClientSession, base: str, player: str, cols: int = 120,
                       rows: int = 40) -> AsyncIterator[SlowBrowser]:
    """``player``'s game, signed in by the name form, in a browser of ``cols`` x ``rows``
    (drawing at full speed until its ``delay`` is set)."""
    answer = await http.post(f"{base}/play", data={"player": player}, allow_redirects=False)
    token = answer.headers["Location"].rsplit("/", 1)[1]
    url = f"ws{base.removeprefix('http')}/ws/{token}?width={cols}&height={rows}"
    async with http.ws_connect(url, headers={"Origin": base}) as ws:
        yield SlowBrowser(ws, cols, rows)


async def test_a_slow_browser_stays_and_sees_the_latest_screen(server: RunningServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    mark = server.mark()
    async with aiohttp.ClientSession() as http, browser_game(http, base, "slow") as browser:
        await browser.draw_until(TITLE_TEXT)
        await browser.key("s\r")  # the sandbox: five Raft nodes
        await browser.draw_until("playing 4x")
        await browser.keep_playing()

        browser.delay = SLOW_READ
        started, first_frame, first_bytes = time.monotonic(), browser.frames, browser.bytes
        until = started + SLOW_SECONDS
        while browser.frames - first_frame < SHORT_RUN_FRAMES or time.monotonic() < until:
            await browser.keep_playing()
            await browser.draw_one()
        seconds = time.monotonic() - started
        frames = browser.frames - first_frame
        print(f"slow reader at {PLAY_SPEED}x: session kept {seconds:.0f} s, {frames} frames "
              f"({frames / seconds:.1f}/s), "
              f"{(browser.bytes - first_bytes) / seconds / 1024:.1f} KiB/s, "
              f"{browser.restarts} restarts of the run")

        await browser.keep_playing()
        await browser.key("-")
        start = browser.frames
        while speed_shown(browser.text()) != 4:  # playing, or paused if the run just ended
            assert browser.frames - start < MOST_FRAMES_TO_SEE_A_KEY, (
                f"4x not shown after {MOST_FRAMES_TO_SEE_A_KEY} frames:\n{browser.text()}")
            await browser.draw_one()
    ended = await server.await_line(r"end slow pid \d+ \(([^,]+),", start=mark)
    assert ended.group(1) == "closed"  # by the browser, not lost

