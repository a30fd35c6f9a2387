"""A browser that reads slowly is never dropped, and still gets the latest screen: frames wait
for it and merge instead of queueing.

The normal suite reads slowly for a few dozen frames. ``make e2e`` sets
``PLAYGROUND_E2E_SLOW_SECONDS=300``: five minutes of 16x play, the level restarted whenever it
ends.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator

import pyte
import pytest

from tests.serve.conftest import TITLE_TEXT, RunningServer, running

aiohttp = pytest.importorskip("aiohttp")

SLOW_SECONDS = float(os.environ.get("PLAYGROUND_E2E_SLOW_SECONDS", "0"))
SLOW_READ = 0.25  # seconds the slow browser takes to draw each frame
SHORT_RUN_FRAMES = 30
# Frames a slow browser may draw between pressing a key and seeing its effect: the frames
# already on their way (a couple), then merged screens as the game gets to the key. A server
# that queued every frame would have a hundred or more of them in the way.
MOST_FRAMES_TO_SEE_A_KEY = 25


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

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def draw_one(self) -> None:
        while True:
            message = await self.ws.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                break
            if message.type == aiohttp.WSMsgType.TEXT:
                assert json.loads(message.data)[0] != "end", message.data
                continue
            raise AssertionError(f"the session was dropped: {message.type.name} "
                                 f"{message.extra or ''}")
        self.stream.feed(message.data)
        self.frames += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        await self.ws.send_json(["ack", 1])

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


async def test_a_slow_browser_stays_and_sees_the_latest_screen(server: RunningServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    mark = server.mark()
    async with aiohttp.ClientSession() as http:
        answer = await http.post(f"{base}/play", data={"player": "slow"},
                                 allow_redirects=False)
        token = answer.headers["Location"].rsplit("/", 1)[1]
        url = f"ws://127.0.0.1:{server.port}/ws/{token}?width=120&height=40"
        async with http.ws_connect(url, headers={"Origin": base}) as ws:
            browser = SlowBrowser(ws, 120, 40)
            await asyncio.wait_for(browser.draw_until(TITLE_TEXT), 60)
            await browser.key("s\r")  # the sandbox: five Raft nodes
            await asyncio.wait_for(browser.draw_until("playing 4x"), 60)
            await browser.key("+")
            await asyncio.wait_for(browser.draw_until("playing 16x"), 60)

            browser.delay = SLOW_READ
            until = time.monotonic() + SLOW_SECONDS
            drawn = 0
            while drawn < SHORT_RUN_FRAMES or time.monotonic() < until:
                await asyncio.wait_for(browser.draw_one(), 120)
                drawn += 1
                if "playing 16x" not in browser.text() and drawn % 40 == 0:
                    await restart_level(browser)

            await browser.key("-")
            await asyncio.wait_for(browser.draw_until("playing 4x", MOST_FRAMES_TO_SEE_A_KEY),
                                   120)
    ended = await server.await_line(r"end slow pid \d+ \(([^,]+),", start=mark)
    assert ended.group(1) == "closed"  # by the browser, not lost


async def restart_level(browser: SlowBrowser) -> None:
    """The sandbox ended (or paused): start it again at 16x (retry on the debrief screen,
    ctrl+r on the play screen)."""
    await browser.key("r" if "Retry" in browser.text() else "\x12")
    await browser.key("+")
