"""The web server end to end: pages, the name form, and a game over the websocket."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pyte
import pytest

from playground.serve.common import MAX_COLS, MAX_ROWS
from tests.serve.conftest import (
    PATIENCE,
    TITLE_TEXT,
    RunningServer,
    await_gone,
    proc_state,
    running,
)

aiohttp = pytest.importorskip("aiohttp")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running("web", tmp_path_factory.mktemp("web")) as srv:
        yield srv


async def login(session: aiohttp.ClientSession, base: str, player: str,
                **fields: str) -> aiohttp.ClientResponse:
    return await session.post(f"{base}/play", data={"player": player, **fields},
                              allow_redirects=False)


async def game_page(session: aiohttp.ClientSession, base: str, player: str) -> tuple[str, str]:
    """Sign ``player`` in by the name form: the game page's address and the websocket
    address the page names."""
    where = (await login(session, base, player)).headers["Location"]
    page = await (await session.get(base + where)).text()
    match = re.search(r'data-session-websocket-url="([^"]+)"', page)
    assert match, page
    return where, match.group(1)


CURSOR_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


async def test_front_page_and_name_form(server: RunningServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as http:
        page = await http.get(base + "/")
        assert page.status == 200 and 'name="player"' in await page.text()
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        bad = await login(http, base, "<script>")
        assert bad.status == 400 and "<script>" not in await bad.text()
        good = await login(http, base, "ada")
        assert good.status == 303 and good.headers["Location"].startswith("/play/ada.")
        forged = await http.get(base + "/play/ada.9999999999.AAAA", allow_redirects=False)
        assert forged.status == 303 and forged.headers["Location"] == "/"
        static = await http.get(base + "/static/js/textual.js")
        assert static.status == 200


async def test_a_browser_session_gets_frames_and_its_game_goes_with_it(
        server: RunningServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    mark = server.mark()
    async with aiohttp.ClientSession() as http:
        where, ws_url = await game_page(http, base, "bea")
        assert ws_url == f"ws://127.0.0.1:{server.port}/ws/{where.rsplit('/', 1)[1]}"

        with pytest.raises(aiohttp.WSServerHandshakeError):  # another site's page
            await http.ws_connect(ws_url, headers={"Origin": "http://evil.example"})
        with pytest.raises(aiohttp.WSServerHandshakeError):  # a token we did not sign
            await http.ws_connect(ws_url[:-4] + "AAAA")

        screen = pyte.Screen(100, 30)
        stream = pyte.ByteStream(screen)
        replies: list[object] = []
        async with http.ws_connect(ws_url + "?width=100&height=30",
                                   headers={"Origin": base}) as ws:
            async def read_until(done: Callable[[], object]) -> None:
                """Frames go to the screen, text messages to ``replies``."""
                while not done():
                    message = await ws.receive()
                    if message.type == aiohttp.WSMsgType.TEXT:
                        replies.append(json.loads(message.data))
                    else:
                        assert message.type == aiohttp.WSMsgType.BINARY, message
                        stream.feed(message.data)

            await asyncio.wait_for(read_until(lambda: TITLE_TEXT in "\n".join(screen.display)),
                                   20)
            match = await server.await_line(r"start bea from \S+ pid (\d+) 100x30 \(web",
                                            start=mark)
            pid = int(match.group(1))
            await ws.send_json(["ping", "x"])
            await asyncio.wait_for(read_until(lambda: ["pong", "x"] in replies), PATIENCE)
            await ws.send_str("not json")  # ignored: the connection and the game go on
            await ws.send_json(["ping", 7])
            await asyncio.wait_for(read_until(lambda: ["pong", 7] in replies), PATIENCE)
            await ws.send_json(["stdin", "\x1b[B"])
            assert proc_state(pid) not in (None, "Z"), server.log()
            # Clamped: the game redraws for 500x200 and never addresses a cell beyond it. The
            # raw cursor moves are read instead of emulating a 500x200 terminal, which falls
            # behind the game's frames on a busy machine.
            await ws.send_json(["resize", {"width": 10**6, "height": 10**6}])
            corners: list[tuple[int, int]] = []

            async def read_moves_until_bottom() -> None:
                while not any(row > MAX_ROWS // 2 for row, _ in corners):
                    message = await ws.receive()
                    if message.type == aiohttp.WSMsgType.BINARY:
                        corners.extend((int(r), int(c)) for r, c in
                                       CURSOR_MOVE.findall(message.data))

            await asyncio.wait_for(read_moves_until_bottom(), 90)
            assert max(r for r, _ in corners) <= MAX_ROWS
            assert max(c for _, c in corners) <= MAX_COLS
        assert await await_gone(pid)
        await server.await_line(rf"end bea pid {pid}", start=mark)


async def test_web_password(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("open sesame 123\n")
    secret.chmod(0o600)
    with running("web", tmp_path / "data", "--password-file", str(secret)) as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http:
            assert 'name="password"' in await (await http.get(base + "/")).text()
            wrong = await login(http, base, "ada", password="open sesame")
            assert wrong.status == 403
            right = await login(http, base, "ada", password="open sesame 123")
            assert right.status == 303


async def test_an_idle_browser_game_is_ended(tmp_path: Path) -> None:
    with running("web", tmp_path, "--idle-timeout", "2") as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http:
            _, ws_url = await game_page(http, base, "ida")
            async with http.ws_connect(ws_url + "?width=100&height=30",
                                       headers={"Origin": base}) as ws:
                match = await server.await_line(r"start ida from \S+ pid (\d+)")
                pid = int(match.group(1))
                started = asyncio.get_running_loop().time()
                closed = None
                while closed is None:  # frames arrive; no key is ever pressed
                    message = await asyncio.wait_for(ws.receive(), PATIENCE)
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                        closed = message
                waited = asyncio.get_running_loop().time() - started
            assert closed.extra == "idle"
            assert 1.5 < waited < 12
            assert await await_gone(pid)
            await server.await_line(rf"end ida pid {pid} \(idle")


async def test_a_browser_that_stops_reading_for_a_while_keeps_its_game(
        server: RunningServer) -> None:
    """A busy browser (a slow laptop drawing a big screen) reads nothing for longer than a
    pong deadline would allow (aiohttp's heartbeat dropped such a client after 22.5 s); its
    game goes on and answers as soon as it reads again."""
    base = f"http://127.0.0.1:{server.port}"
    mark = server.mark()
    async with aiohttp.ClientSession() as http:
        _, ws_url = await game_page(http, base, "slow")
        async with http.ws_connect(ws_url + "?width=100&height=30", headers={"Origin": base},
                                   autoping=True) as ws:
            replies: list[object] = []

            async def read_until(done: Callable[[], object]) -> None:
                while not done():
                    message = await ws.receive()
                    assert message.type in (aiohttp.WSMsgType.TEXT,
                                            aiohttp.WSMsgType.BINARY), message
                    if message.type == aiohttp.WSMsgType.TEXT:
                        replies.append(json.loads(message.data))

            await ws.send_json(["ping", "first"])
            await asyncio.wait_for(read_until(lambda: ["pong", "first"] in replies), 30)
            pid = int((await server.await_line(r"start slow from \S+ pid (\d+)",
                                               start=mark)).group(1))
            # A full redraw of the biggest screen, then nothing read for 30 s.
            await ws.send_json(["resize", {"width": MAX_COLS, "height": MAX_ROWS}])
            await asyncio.sleep(30)  # the point of the test: a client silent this long
            await ws.send_json(["ping", "after"])
            await asyncio.wait_for(read_until(lambda: ["pong", "after"] in replies), 30)
            assert proc_state(pid) not in (None, "Z")
        assert await await_gone(pid)
        line = await server.await_line(rf"end slow pid {pid} \(([^,]+),", start=mark)
        assert line.group(1) == "closed"


async def test_sigterm_stops_cleanly_with_games_running_and_ended(tmp_path: Path) -> None:
    with running("web", tmp_path) as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http:
            for player in ("eve", "fay"):  # eve's game ends before the server; fay's does not
                _, ws_url = await game_page(http, base, player)
                ws = await http.ws_connect(ws_url + "?width=80&height=24",
                                           headers={"Origin": base})
                pid = await server.session_pid(player)
                if player == "eve":
                    await ws.close()
                    assert await await_gone(pid)
                    await server.await_line(rf"end eve pid {pid}")
            # fay's game's live view socket (the instructor's); eve's went with her game
            assert [p.name for p in (tmp_path / "room" / "web").glob("*.sock")] == [
                f"{server.proc.pid}-{pid}.sock"]
            assert server.stop() == 0
            await ws.close()
    assert not list((tmp_path / "room" / "web").glob("*.sock"))  # gone with the server
    log = server.log()
    assert "stopping: ending 1 game\n" in log + "\n" and "stopped" in log
    assert "Exception ignored" not in log and "Event loop is closed" not in log, log


async def _ignore(*args: object) -> None:
    return None


async def test_stopping_a_game_whose_output_was_never_drained_ends_it_and_its_pipes() -> None:
    from playground.serve.web import GameAppService

    flood = "import sys, time; sys.stdout.write('x' * 3_000_000); sys.stdout.flush(); " \
            "time.sleep(60)"  # more than the reader takes in one line: it gives up
    fds_before = set(os.listdir("/proc/self/fd"))
    service = GameAppService([sys.executable, "-c", flood], env=dict(os.environ),
                             cwd=str(Path.cwd()), grace=1.0, write_bytes=_ignore,
                             write_str=_ignore, close=_ignore, download_manager=None)
    await service.start(80, 24)
    pid = service.pid
    assert pid is not None
    await service.stop()
    assert await await_gone(pid)
    assert set(os.listdir("/proc/self/fd")) <= fds_before  # every pipe to the game closed
