"""A browser on a slow machine keeps its game: headless Chromium with its CPU throttled 8x
(as a slow laptop) plays the sandbox at 16x and is not dropped.

The normal suite plays for a few dozen frames; ``make e2e`` sets
``PLAYGROUND_E2E_SLOW_SECONDS=300`` and ``PLAYGROUND_E2E_BROWSERS=3`` (three throttled browsers
at once, five minutes).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from tests.serve.conftest import RunningServer, running
from tests.serve.test_web_page import DevTools, chromium, needs_chromium, play_page

aiohttp = pytest.importorskip("aiohttp")

SLOW_SECONDS = float(os.environ.get("PLAYGROUND_E2E_SLOW_SECONDS", "0"))
BROWSERS = int(os.environ.get("PLAYGROUND_E2E_BROWSERS", "1"))
THROTTLE = 8  # times slower CPU
SHORT_RUN_FRAMES = 40


async def press(page: DevTools, text: str) -> None:
    """Type as a player does: into the focused terminal."""
    for char in text:
        if char == "\r":
            for kind in ("rawKeyDown", "char", "keyUp"):
                await page.call("Input.dispatchKeyEvent", {
                    "type": kind, "key": "Enter", "code": "Enter", "text": "\r",
                    "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13})
        else:
            await page.call("Input.insertText", {"text": char})


async def play_throttled(server: RunningServer, player: str) -> tuple[int, int]:
    """Frames received and acknowledged by one throttled browser over the run; its session
    must not end while it plays."""
    base = f"http://127.0.0.1:{server.port}"
    mark = server.mark()
    async with aiohttp.ClientSession() as http:
        where, _ = await play_page(http, base, player)
        async with chromium(http, where) as page:
            await page.call("Network.enable")
            await page.call("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
            await page.wait_for("document.body.classList.contains('-first-byte')", 120)
            await press(page, "s\r")
            await asyncio.sleep(0)  # the keys go as the player types them
            for _ in range(2):
                await press(page, "+")
            until = time.monotonic() + SLOW_SECONDS
            start = page.frames_received
            while page.frames_received - start < SHORT_RUN_FRAMES or time.monotonic() < until:
                assert not await page.evaluate("document.body.classList.contains('-closed')"), (
                    await page.evaluate("document.getElementById('end-reason').innerText"))
                await page.pause(2.0)
            log = server.log()[mark:]
            assert f" end {player} " not in log, log
            return page.frames_received, page.acks_sent


@needs_chromium
async def test_throttled_browsers_keep_their_games_at_16x(tmp_path: Path) -> None:
    with running("web", tmp_path) as server:
        results = await asyncio.gather(*(play_throttled(server, f"slow{n}")
                                         for n in range(BROWSERS)))
        for received, acked in results:
            assert received >= SHORT_RUN_FRAMES and acked > 0
