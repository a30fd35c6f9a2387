"""A browser player is in the instructor's room view too: a web server and an SSH server
sharing a data dir, a player in the browser (a websocket client drawing into a terminal
emulator, as the page does), and the instructor over SSH."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from playground.game.campaign import load_campaign
from playground.game.progress import Progress
from tests.serve.conftest import TITLE_TEXT, RunningServer, Terminal, connect, running
from tests.serve.test_instructor import PLAYERS, ROOM_TEXT, TEACHER, row, secret
from tests.serve.test_web_slow import SlowBrowser, browser_game

aiohttp = pytest.importorskip("aiohttp")


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[
        tuple[SlowBrowser, RunningServer, RunningServer]]:
    """cleo's game in a browser on a web server whose data dir an SSH server shares; cleo has
    won the first level with two stars. Yields her browser, the SSH server, the web server."""
    progress = Progress.load("cleo", tmp_path / "data")
    progress.record(load_campaign().order[0], True, 2, 100, "")
    progress.save()
    with running("web", tmp_path / "data") as web, \
            running("ssh", tmp_path / "data",
                    "--password-file", str(secret(tmp_path, "players", PLAYERS)),
                    "--instructor-password-file", str(secret(tmp_path, "teacher", TEACHER))
                    ) as ssh:
        async with aiohttp.ClientSession() as http, \
                browser_game(http, f"http://127.0.0.1:{web.port}", "cleo", 110, 35) as cleo:
            await cleo.draw_until(TITLE_TEXT)
            yield cleo, ssh, web


async def test_the_instructor_sees_a_browser_player_move_and_watches_her_live(
        browser: tuple[SlowBrowser, RunningServer, RunningServer], tmp_path: Path) -> None:
    cleo, ssh, _ = browser
    feeds = tmp_path / "data" / "room" / "web"
    conn = await connect(ssh.port, "instructor", password=TEACHER)
    try:
        teacher = await Terminal.open(conn, 120, 36)
        await teacher.wait_for(ROOM_TEXT)
        await teacher.wait_until(lambda: "title screen" in row(teacher, "cleo"),
                                 "cleo on her title screen")
        fields = row(teacher, "cleo").split()
        on_it, stars, wins, screen, via, *place = fields[fields.index("cleo") + 1:]
        assert (stars, wins, screen, via, place) == ("2", "1", "110x35", "web",
                                                      ["title", "screen"])
        assert on_it.count(":") == 1  # minutes:seconds on her title screen
        assert "Workshop room: 1 playing" in teacher.text()
        [feed] = feeds.glob("*.sock")  # her game's live feed, for this user only
        assert feed.stat().st_mode & 0o777 == 0o600

        # A web server that offers no feed here: enter says so and stays in the room view.
        hidden = feed.rename(tmp_path / "elsewhere.sock")
        teacher.send(b"\r")
        await teacher.wait_for("cleo plays in a browser, but their web server offers no live view")
        assert ROOM_TEXT in teacher.text()
        hidden.rename(feed)

        # The live view: her whole title screen at once, though it has not changed.
        teacher.send(b"\r")
        await teacher.wait_until(lambda: TITLE_TEXT in teacher.text()
                                 and ROOM_TEXT not in teacher.text(), "cleo's title, live")
        # Nothing the instructor types reaches her game: "x" would open her codex, and
        # neither does what anyone writes into the feed.
        teacher.send(b"x")
        await poke_feed(feed, b"x")
        await cleo.key("c")  # she goes to the campaign map, from her title screen
        await cleo.draw_until("CAMPAIGN")
        await teacher.wait_until(lambda: "CAMPAIGN" in teacher.text(), "cleo's map, live")
        assert "CODEX" not in cleo.text() + teacher.text()
        first = load_campaign().get(load_campaign().order[0]).title
        await cleo.key("\r")  # the first level's briefing
        await teacher.wait_until(lambda: first in teacher.text(), f"cleo on {first}, live")
        assert ROOM_TEXT not in teacher.text()

        await cleo.key("\x11")  # ctrl+q: she quits; the live view ends and says so
        await teacher.wait_for("cleo's game ended.")
        assert ROOM_TEXT in teacher.text()
        assert not list(feeds.glob("*.sock"))
        await teacher.wait_until(lambda: not row(teacher, "cleo"), "cleo gone from the room")
    finally:
        conn.close()


async def test_the_live_view_ends_cleanly_when_the_web_server_stops(
        browser: tuple[SlowBrowser, RunningServer, RunningServer], tmp_path: Path) -> None:
    _, ssh, web = browser
    conn = await connect(ssh.port, "instructor", password=TEACHER)
    try:
        teacher = await Terminal.open(conn, 120, 36)
        await teacher.wait_until(lambda: "title screen" in row(teacher, "cleo"),
                                 "cleo on her title screen")
        teacher.send(b"\r")
        await teacher.wait_until(lambda: TITLE_TEXT in teacher.text()
                                 and ROOM_TEXT not in teacher.text(), "cleo's title, live")
        assert await asyncio.to_thread(web.stop) == 0
        await teacher.wait_for("cleo's game ended.")
        assert ROOM_TEXT in teacher.text()
        assert not list((tmp_path / "data" / "room" / "web").glob("*.sock"))
        for trouble in ("Traceback", "Exception", "never retrieved"):
            assert trouble not in web.log(), web.log()
    finally:
        conn.close()


async def poke_feed(feed: Path, keys: bytes) -> None:
    """Write ``keys`` into a live feed as a watcher could, and read until its first bytes."""
    reader, writer = await asyncio.open_unix_connection(str(feed))
    try:
        writer.write(keys)
        await writer.drain()
        assert await reader.read(1)  # the repaint it asked for
    finally:
        writer.close()
