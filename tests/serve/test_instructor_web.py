"""A browser player is in the instructor's room view too: a web server and an SSH server
sharing a data dir, a player in the browser (a websocket client drawing into a terminal
emulator, as the page does), and the instructor over SSH."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from playground.game.campaign import load_campaign
from playground.game.progress import Progress
from playground.serve.roomview import NO_LIVE_VIEW
from tests.serve.conftest import TITLE_TEXT, RunningServer, Terminal, connect, running
from tests.serve.test_instructor import PLAYERS, ROOM_TEXT, TEACHER, row, secret
from tests.serve.test_web_slow import SlowBrowser, browser_game

aiohttp = pytest.importorskip("aiohttp")


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[tuple[SlowBrowser, RunningServer]]:
    """cleo's game in a browser on a web server whose data dir an SSH server shares; cleo has
    won the first level with two stars."""
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
            yield cleo, ssh


async def test_the_instructor_sees_a_browser_player_move_and_is_told_why_not_live(
        browser: tuple[SlowBrowser, RunningServer]) -> None:
    cleo, ssh = browser
    conn = await connect(ssh.port, "instructor", password=TEACHER)
    try:
        teacher = await Terminal.open(conn, 120, 36)
        await teacher.wait_for(ROOM_TEXT)
        await teacher.wait_until(lambda: "title screen" in row(teacher, "cleo"),
                                 "cleo on her title screen")
        fields = row(teacher, "cleo").split()
        on_it, stars, wins, screen, via = fields[fields.index("cleo") + 1:][:5]
        assert (stars, wins, screen, via) == ("2", "1", "110x35", "web")
        assert on_it.count(":") == 1  # minutes:seconds on her title screen
        assert NO_LIVE_VIEW in row(teacher, "cleo")
        assert "Workshop room: 1 playing" in teacher.text()

        await cleo.key("c")  # to the campaign map
        await cleo.draw_until("CAMPAIGN")
        await teacher.wait_until(lambda: "campaign map" in row(teacher, "cleo"),
                                 "cleo on the map")

        teacher.send(b"\r")  # watch her: she plays in a browser
        await teacher.wait_for("cleo plays in a browser")
        assert ROOM_TEXT in teacher.text()  # still the room view

        await cleo.key("\x11")  # ctrl+q: she quits; her row goes
        await teacher.wait_until(lambda: not row(teacher, "cleo"), "cleo gone from the room")
    finally:
        conn.close()
