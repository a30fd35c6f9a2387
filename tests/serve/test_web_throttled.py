"""A browser on a slow machine keeps its game: headless Chromium with its CPU throttled 8x
(as a slow laptop) plays the sandbox at 16x and is not dropped.

The normal suite plays for a few dozen frames; ``make e2e`` sets
``PLAYGROUND_E2E_SLOW_SECONDS=300`` and ``PLAYGROUND_E2E_BROWSERS=3`` (three throttled browsers
at once, five minutes, each run restarted when it ends as a player would).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import attrs
import pytest

from tests.serve.conftest import RunningServer, running
from tests.serve.test_web_page import DevTools, chromium, needs_chromium, play_page
from tests.serve.test_web_slow import PLAY_SPEED, RESTART, keys_to_play

aiohttp = pytest.importorskip("aiohttp")

SLOW_SECONDS = float(os.environ.get("PLAYGROUND_E2E_SLOW_SECONDS", "0"))
BROWSERS = int(os.environ.get("PLAYGROUND_E2E_BROWSERS", "1"))
THROTTLE = 8  # times slower CPU
SHORT_RUN_FRAMES = 40
LOOK_EVERY = 2.0  # seconds between looks at the page
# Longest the run may take beyond SLOW_SECONDS (a very busy machine); a game that stopped
# sending frames (keys lost) fails here instead of hanging the suite.
RUN_TIMEOUT = 600
SILENT_LIMIT = 120  # seconds a playing game may send no frame at all


@attrs.frozen
class Played:
    """What one throttled browser got over its run."""

    seconds: float
    frames: int
    bytes: int
    acks: int
    restarts: int


async def press(page: DevTools, text: str) -> None:
    """Type as a player does: into the focused terminal."""
    for char in text:
        if char == "\r":
            for kind in ("rawKeyDown", "char", "keyUp"):
                await page.call("Input.dispatchKeyEvent", {
                    "type": kind, "key": "Enter", "code": "Enter", "text": "\r",
                    "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13})
        elif char == RESTART:  # ctrl+r
            for kind in ("rawKeyDown", "keyUp"):
                await page.call("Input.dispatchKeyEvent", {
                    "type": kind, "key": "r", "code": "KeyR", "modifiers": 2,
                    "windowsVirtualKeyCode": 82, "nativeVirtualKeyCode": 82})
        else:
            await page.call("Input.insertText", {"text": char})


async def play_throttled(server: RunningServer, player: str) -> Played:
    """One throttled browser plays the sandbox at 16x for the run, restarting it whenever it
    ends; its session must not end, nor go silent, while it plays."""
    base = f"http://127.0.0.1:{server.port}"
    mark = server.mark()
    async with aiohttp.ClientSession() as http:
        where, _ = await play_page(http, base, player)
        async with chromium(http, where) as page:
            await page.call("Network.enable")
            await page.call("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
            await page.wait_for("document.body.classList.contains('-first-byte')", 120)
            await page.wait_for("document.activeElement.className.includes('xterm-helper')",
                                120)  # typing before the terminal has the focus is lost
            await press(page, "s\r")
            started = time.monotonic()
            until = started + SLOW_SECONDS
            start_frames, start_bytes = page.frames_received, page.bytes_received
            last_frames, last_change = page.frames_received, started
            restarts = 0
            reached: int | None = None  # frames received when the screen first said 16x
            while (reached is None or page.frames_received - reached < SHORT_RUN_FRAMES
                   or time.monotonic() < until):
                assert not await page.evaluate("document.body.classList.contains('-closed')"), (
                    await page.evaluate("document.getElementById('end-reason').innerText"))
                if reached is None and f"playing {PLAY_SPEED}x" in page.text():
                    reached = page.frames_received
                keys = keys_to_play(page.text())  # the run over: restart it, as a player would
                if keys:
                    restarts += RESTART in keys
                    await press(page, keys)
                await page.pause(LOOK_EVERY)
                now = time.monotonic()
                if page.frames_received != last_frames:
                    last_frames, last_change = page.frames_received, now
                assert now - last_change < SILENT_LIMIT, (
                    f"no frame for {SILENT_LIMIT} s; the screen:\n{page.text()}")
                assert reached is not None or now - started < SILENT_LIMIT, (
                    f"not playing at {PLAY_SPEED}x after {SILENT_LIMIT} s:\n{page.text()}")
            log = server.log()[mark:]
            assert f" end {player} " not in log, log
            return Played(time.monotonic() - started, page.frames_received - start_frames,
                          page.bytes_received - start_bytes, page.acks_sent, restarts)


@needs_chromium
async def test_throttled_browsers_keep_their_games_at_16x(tmp_path: Path) -> None:
    with running("web", tmp_path) as server:
        results = await asyncio.wait_for(
            asyncio.gather(*(play_throttled(server, f"slow{n}") for n in range(BROWSERS))),
            SLOW_SECONDS + RUN_TIMEOUT)
        for n, played in enumerate(results):
            print(f"throttled browser {n} ({THROTTLE}x slower CPU): session kept "
                  f"{played.seconds:.0f} s, {played.frames} frames "
                  f"({played.frames / played.seconds:.1f}/s), "
                  f"{played.bytes / played.seconds / 1024:.1f} KiB/s, "
                  f"{played.restarts} restarts of the run")
            assert played.frames >= SHORT_RUN_FRAMES and played.acks > 0
