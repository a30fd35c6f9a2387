"""Every end of a browser session says why, to the page (an ``["end", sentence]`` message and
the close frame's reason) and in the server's log, end to end with a websocket client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.serve.conftest import TITLE_TEXT, await_gone, running
from tests.serve.test_web_slow import SlowBrowser, browser_game

aiohttp = pytest.importorskip("aiohttp")

# A browser that vanishes without a close frame (a laptop lid shut, a network gone): a client
# process killed once its game has drawn.
VANISHING_CLIENT = """
import asyncio, sys, aiohttp
async def main():
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(sys.argv[1], headers={"Origin": sys.argv[2]}) as ws:
            while (await ws.receive()).type != aiohttp.WSMsgType.BINARY:
                pass
            print("drawing", flush=True)
            await asyncio.Event().wait()
asyncio.run(main())
"""


async def websocket_url(http: aiohttp.ClientSession, base: str, player: str) -> str:
    """The game's websocket for a player signed in by the name form (the page itself may
    already say the server is full)."""
    answer = await http.post(f"{base}/play", data={"player": player}, allow_redirects=False)
    token = answer.headers["Location"].rsplit("/", 1)[1]
    return f"ws{base.removeprefix('http')}/ws/{token}?width=80&height=24"


@contextlib.asynccontextmanager
async def game_socket(http: aiohttp.ClientSession, base: str,
                      player: str) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """``player``'s game websocket, opened as our page opens it."""
    async with http.ws_connect(await websocket_url(http, base, player),
                               headers={"Origin": base}) as ws:
        yield ws


async def ending(ws: aiohttp.ClientWebSocketResponse, timeout: float = 60) -> tuple[str, int, str]:
    """What the page is told when the session ends: the sentence, the close code and reason
    (frames before it are read and dropped, as a browser would draw them)."""
    sentence = ""

    async def read() -> tuple[str, int, str]:
        nonlocal sentence
        while True:
            message = await ws.receive()
            if message.type == aiohttp.WSMsgType.TEXT:
                kind, data = json.loads(message.data)
                if kind == "end":
                    sentence = data
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                code = message.data if message.type == aiohttp.WSMsgType.CLOSE else ws.close_code
                return sentence, int(code or 0), str(message.extra or "")
    return await asyncio.wait_for(read(), timeout)


async def first_frame(ws: aiohttp.ClientWebSocketResponse) -> None:
    async def read() -> None:
        while (message := await ws.receive()).type != aiohttp.WSMsgType.BINARY:
            assert message.type == aiohttp.WSMsgType.TEXT, f"ended before a frame: {message}"
    await asyncio.wait_for(read(), 60)


async def test_refusals_a_lost_connection_and_a_stopping_server_are_each_explained(
        tmp_path: Path) -> None:
    with running("web", tmp_path, "--max-sessions", "2") as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http:
            async with game_socket(http, base, "ada") as ada:
                await first_frame(ada)
                async with game_socket(http, base, "ada") as again:
                    sentence, code, reason = await ending(again)
                assert "ada is already playing in another session" in sentence
                assert (code, reason) == (1013, "refused")
                await server.await_line(r"refused ada from \S+: ada is already playing")

                # a browser that vanishes: its game ends, logged as a lost connection
                gone = subprocess.Popen(
                    [sys.executable, "-c", VANISHING_CLIENT,
                     await websocket_url(http, base, "gus"), base],
                    stdout=subprocess.PIPE, text=True)
                assert gone.stdout is not None
                assert await asyncio.to_thread(gone.stdout.readline) == "drawing\n"
                gus = await server.session_pid("gus")
                gone.kill()
                gone.wait()
                assert await await_gone(gus, 20)
                await server.await_line(rf"end gus pid {gus} \(connection lost,")

                async with game_socket(http, base, "bea") as bea:
                    await first_frame(bea)
                    async with game_socket(http, base, "cy") as cy:
                        sentence, code, reason = await ending(cy)
                    assert "the workshop server is full (2 games are running)" in sentence
                    assert (code, reason) == (1013, "refused")

                    server.proc.send_signal(signal.SIGTERM)
                    for ws in (ada, bea):
                        sentence, code, reason = await ending(ws)
                        assert sentence == "The workshop server is stopping."
                        assert (code, reason) == (1001, "server stopping")
            await asyncio.to_thread(server.proc.wait, 30)
        for player in ("ada", "bea"):
            await server.await_line(rf"end {player} pid \d+ \(server stopping,")


async def test_the_time_limit_is_explained(tmp_path: Path) -> None:
    with running("web", tmp_path, "--max-session", "3") as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http, game_socket(http, base, "tim") as ws:
            sentence, code, reason = await ending(ws)
        assert sentence == "Time is up: games last at most 3 s on this server."
        assert (code, reason) == (1000, "time limit")
        await server.await_line(r"end tim pid \d+ \(time limit,")


async def test_a_game_that_quits_says_so(tmp_path: Path) -> None:
    with running("web", tmp_path) as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http, game_socket(http, base, "quin") as ws:
            await first_frame(ws)
            await ws.send_json(["stdin", "\x11"])  # ctrl+q
            sentence, code, reason = await ending(ws)
        assert sentence == "The game ended."
        assert (code, reason) == (1000, "game ended")
        await server.await_line(r"end quin pid \d+ \(game ended,")


async def test_a_new_game_right_after_closing_the_last_waits_for_it_instead_of_refusing(
        tmp_path: Path) -> None:
    """As a reload does: the old socket is closed and the new one opened at once, while the
    old game is still ending."""
    with running("web", tmp_path) as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http:
            async with game_socket(http, base, "rita") as old:
                await first_frame(old)
            async with game_socket(http, base, "rita") as new:
                await first_frame(new)
        log = server.log()
        assert len(re.findall(r"start rita from", log)) == 2, log
        assert "refused rita" not in log



async def test_sigterm_mid_game_ends_every_game_as_server_stopping_without_a_traceback(
        tmp_path: Path) -> None:
    """Three browsers playing the sandbox (frames streaming) when the server gets SIGTERM:
    each is told the server is stopping, each game is logged so, and the log holds no
    traceback (no "Exception ignored ... Event loop is closed" from a game's pipes)."""
    players = ("ann", "ben", "col")
    with running("web", tmp_path) as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http, contextlib.AsyncExitStack() as stack:
            browsers = [await stack.enter_async_context(browser_game(http, base, player))
                        for player in players]
            await asyncio.wait_for(asyncio.gather(*(playing_sandbox(b) for b in browsers)),
                                   120)
            server.proc.send_signal(signal.SIGTERM)
            endings = await asyncio.gather(*(ending(b.ws) for b in browsers))
        assert await asyncio.to_thread(server.proc.wait, 30) == 0
    assert endings == [("The workshop server is stopping.", 1001, "server stopping")] * 3
    log = server.log()
    for player in players:
        assert re.search(rf"end {player} pid \d+ \(server stopping,", log), log
    assert "stopping: ending 3 games" in log and "stopped" in log
    for trouble in ("Traceback", "Exception ignored", "Event loop is closed",
                    "never retrieved"):
        assert trouble not in log, log


async def playing_sandbox(browser: SlowBrowser) -> None:
    """Open the sandbox and wait until it plays (its frames then stream on)."""
    await browser.draw_until(TITLE_TEXT)
    await browser.key("s\r")
    await browser.draw_until("playing 4x")
