"""The game page in the browser: it fetches nothing from outside the server, takes keyboard
focus as soon as the game appears, and says why a session ended (checked in headless Chromium
through its DevTools protocol when the OS has Chromium)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pyte
import pytest

from tests.serve.conftest import RunningServer, running

aiohttp = pytest.importorskip("aiohttp")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running("web", tmp_path_factory.mktemp("page"), "--idle-timeout", "4") as srv:
        yield srv


class _Links(HTMLParser):
    """Every address the page makes the browser fetch: src and href attributes and the url()s
    of its inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += re.findall(r"""url\(["']?([^"')]+)""", data)


async def play_page(http: aiohttp.ClientSession, base: str, player: str) -> tuple[str, str]:
    """The game page's address and text, after the name form."""
    answer = await http.post(f"{base}/play", data={"player": player}, allow_redirects=False)
    where = base + answer.headers["Location"]
    return where, await (await http.get(where)).text()


async def test_the_game_page_fetches_nothing_from_outside_the_server(
        server: RunningServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as http:
        where, page = await play_page(http, base, "local")
        links = _Links()
        links.feed(page)
        assert any(url.endswith(".ttf") for url in links.urls)  # the fonts are ours
        assert any(url.endswith("textual.js") for url in links.urls)
        for url in links.urls:
            absolute = urljoin(where, url)
            assert urlsplit(absolute).netloc == urlsplit(base).netloc, url
            answer = await http.get(absolute)
            assert answer.status == 200, url


class DevTools:
    """One page of a headless Chromium, driven over its DevTools websocket. With the Network
    domain enabled it counts the game's websocket frames (received, their bytes, and acks
    sent) and draws what they carry into a terminal emulator, so a test can read the screen."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.frames_received = 0
        self.bytes_received = 0
        self.acks_sent = 0
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)

    def text(self) -> str:
        """The game's screen as the page's frames drew it (Network domain enabled)."""
        return "\n".join(self.screen.display)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params or {}})
        while True:
            message = self._note(json.loads((await self.ws.receive()).data))
            if message.get("id") == self.next_id:
                return message.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate",
                                 {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")  # None while the page navigates

    async def pause(self, seconds: float) -> None:
        """Let ``seconds`` pass, counting the events that arrive meanwhile."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    self._note(json.loads((await self.ws.receive()).data))

    def _note(self, message: dict[str, Any]) -> dict[str, Any]:
        method = message.get("method")
        if method == "Network.webSocketCreated":  # the game's socket: ?width=W&height=H
            size = parse_qs(urlsplit(message["params"]["url"]).query)
            self._resize(size.get("width", ["80"])[0], size.get("height", ["24"])[0])
        elif method == "Network.webSocketFrameReceived":
            response = message["params"]["response"]
            self.frames_received += 1
            if response.get("opcode") == 2:  # a frame of the screen (base64)
                data = base64.b64decode(response.get("payloadData", ""))
                self.bytes_received += len(data)
                self.stream.feed(data)
        elif method == "Network.webSocketFrameSent":
            payload = message["params"]["response"].get("payloadData", "")
            self.acks_sent += payload.startswith('["ack"')
            if payload.startswith('["resize"'):
                size = json.loads(payload)[1]
                self._resize(size.get("width", 80), size.get("height", 24))
        return message

    def _resize(self, cols: object, rows: object) -> None:
        self.screen.resize(int(str(rows)), int(str(cols)))

    async def wait_for(self, expression: str, timeout: float = 60) -> Any:
        """The expression's value once it is truthy (polled: the page changes by itself)."""
        async def poll() -> Any:
            while not (value := await self.evaluate(expression)):
                await self.pause(0.2)
            return value
        return await asyncio.wait_for(poll(), timeout)


@contextlib.asynccontextmanager
async def chromium(http: aiohttp.ClientSession, url: str) -> AsyncIterator[DevTools]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "--window-size=1200,800", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            async def port() -> int:
                while not port_file.exists() or not port_file.read_text().strip():
                    await asyncio.sleep(0.1)
                return int(port_file.read_text().split()[0])
            devtools = f"http://127.0.0.1:{await asyncio.wait_for(port(), 60)}"
            async def page_socket() -> str:
                while True:
                    targets = await (await http.get(devtools + "/json/list")).json()
                    pages = [t for t in targets if t.get("type") == "page"]
                    if pages:
                        return str(pages[0]["webSocketDebuggerUrl"])
                    await asyncio.sleep(0.1)
            ws_url = await asyncio.wait_for(page_socket(), 30)
            async with http.ws_connect(ws_url, max_msg_size=0) as ws:
                yield DevTools(ws)
        finally:
            await _end_process_group(proc)


async def _end_process_group(proc: subprocess.Popen[bytes]) -> None:
    """End Chromium and its helpers (they write to the profile until they are gone)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(30)
    deadline = asyncio.get_running_loop().time() + 30
    while _live_members(proc.pid):
        assert asyncio.get_running_loop().time() < deadline, "Chromium's helpers did not end"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # helpers that outlived the browser
        await asyncio.sleep(0.05)


def _live_members(group: int) -> list[int]:
    """Processes of ``group`` that are still running (zombies do not write files)."""
    live = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == group and fields[0] != "Z":
            live.append(int(entry.name))
    return live


@contextlib.asynccontextmanager
async def game_in_chromium(http: aiohttp.ClientSession, base: str,
                           player: str) -> AsyncIterator[DevTools]:
    """``player``'s game page in headless Chromium, once the game has drawn."""
    where, _ = await play_page(http, base, player)
    async with chromium(http, where) as page:
        await page.wait_for("document.body.classList.contains('-first-byte')")
        yield page


@needs_chromium
async def test_the_page_takes_keyboard_focus_when_the_game_appears_and_says_why_it_ended(
        server: RunningServer) -> None:
    """No click: the terminal's input has the focus once the title is drawn; when the idle
    limit ends the game, the page says so and how to go on."""
    base = f"http://127.0.0.1:{server.port}"
    mark = server.mark()
    async with aiohttp.ClientSession() as http, game_in_chromium(http, base, "focus") as page:
        focused = await page.wait_for("document.activeElement.className")
        assert "xterm-helper-textarea" in focused
        assert (await page.evaluate("document.activeElement.closest('#terminal') !== null"))
        # nothing pressed: the idle limit (4 s) ends the game
        await page.wait_for("document.body.classList.contains('-closed')")
        shown = await page.evaluate("document.querySelector('.closed-dialog').innerText")
    assert "No key pressed for 4 s" in shown
    assert "Reload the page to continue" in shown
    await server.await_line(r"end focus pid \d+ \(idle,", start=mark)


@needs_chromium
async def test_the_page_says_the_connection_was_lost_when_the_server_vanishes(
        tmp_path: Path) -> None:
    with running("web", tmp_path) as server:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http, game_in_chromium(http, base, "lost") as page:
            server.proc.send_signal(signal.SIGKILL)  # no close frame: a network gone
            await page.wait_for("document.body.classList.contains('-closed')")
            shown = await page.evaluate(
                "document.querySelector('.closed-dialog').innerText")
    assert "The connection to the server was lost." in shown
    assert "Reload the page to continue" in shown


@needs_chromium
async def test_a_reload_mid_game_starts_a_new_game_and_says_the_run_was_lost(
        tmp_path: Path) -> None:
    """The reloaded page gets a new game (not refused as "already playing") and says that a
    level in progress starts over."""
    with running("web", tmp_path) as server:
        await reload_mid_game(server)


async def reload_mid_game(server: RunningServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    mark = server.mark()
    async with aiohttp.ClientSession() as http, game_in_chromium(http, base, "again") as page:
        first = await server.session_pid("again", start=mark)
        await page.evaluate("location.reload()")
        await page.wait_for("document.body.classList.contains('-reloaded')"
                            " && document.body.classList.contains('-first-byte')")
        note = await page.evaluate("document.getElementById('reload-note').innerText")
        assert not await page.evaluate("document.body.classList.contains('-closed')")
        again = await server.await_line(rf"start again from \S+ pid (?!{first}\b)(\d+)",
                                        start=mark)
    assert "a level you were in the middle of starts over" in " ".join(note.split())
    assert int(again.group(1)) != first
    assert "refused again" not in server.log()
