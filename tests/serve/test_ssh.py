"""The SSH server end to end, with asyncssh's client against a server process on a free
loopback port: the game, its terminal and environment, cleanup, and everything refused."""

from __future__ import annotations

import asyncio
import fcntl
import os
import struct
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serve.conftest import (
    PATIENCE,
    QUIT_KEY,
    TITLE_TEXT,
    RunningServer,
    Terminal,
    asyncssh,
    await_gone,
    connect,
    proc_env,
    proc_stat,
    proc_state,
    running,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running("ssh", tmp_path_factory.mktemp("ssh-open"), "--open") as srv:
        yield srv


def pty_size(pid: int) -> tuple[int, int]:
    """(cols, rows) of the game's terminal, read from its own fd 0."""
    fd = os.open(f"/proc/{pid}/fd/0", os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    finally:
        os.close(fd)
    return cols, rows


async def test_game_on_its_own_terminal_keys_resize_quit(server: RunningServer) -> None:
    mark = server.mark()
    async with await connect(server.port, "ada") as conn:
        term = await Terminal.open(conn, 100, 30, env={"FOO": "bar", "LD_PRELOAD": "/x.so"})
        await term.wait_for(TITLE_TEXT)
        pid = await server.session_pid("ada", mark)

        env = proc_env(pid)
        assert env["TERM"] == "xterm-256color" and env["COLORTERM"] == "truecolor"
        assert env["PLAYGROUND_PLAYER"] == "ada"
        assert env["PLAYGROUND_LEADERBOARD"] == str(server.data_dir / "leaderboard.sqlite3")
        assert env["PLAYGROUND_DATA_DIR"] == str(server.data_dir)
        assert "FOO" not in env and "LD_PRELOAD" not in env  # client env never passes
        # its fair share of the machine, in the file the server keeps up to date
        share = float(Path(env["PLAYGROUND_FRAME_BUDGET_FILE"]).read_text())
        assert 0 < share <= 1

        stat = proc_stat(pid)  # session leader, with the pty as controlling terminal
        assert int(stat[5]) == pid and int(stat[6]) != 0 and int(stat[7]) == pid
        limits = Path(f"/proc/{pid}/limits").read_text()
        assert f"{1024 * 1024 * 1024}" in next(li for li in limits.splitlines()
                                               if li.startswith("Max address space"))
        assert pty_size(pid) == (100, 30)

        term.send(b"\x1b[B\x1b[A\r")  # keys reach the game (Enter: on into the campaign)
        await term.wait_for("CAMPAIGN")
        assert proc_state(pid) not in (None, "Z")

        term.resize(120, 40)
        deadline = time.monotonic() + PATIENCE  # a failure deadline, not a measurement
        while pty_size(pid) != (120, 40) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert pty_size(pid) == (120, 40)
        # the game redraws for the new size: its footer reaches the new last row
        await term.wait_until(lambda: term.screen.display[39].strip(), "a redraw at 120x40")

        term.send(QUIT_KEY)
        await term.read_to_end()
        await asyncio.wait_for(term.process.wait(), 10)
        assert term.process.exit_status == 0
    assert await await_gone(pid)
    await server.await_line(rf"end ada pid {pid} \(quit, exit 0", start=mark)


async def test_abrupt_disconnect_ends_the_game(server: RunningServer) -> None:
    mark = server.mark()
    conn = await connect(server.port, "bea")
    term = await Terminal.open(conn)
    await term.wait_for(TITLE_TEXT)
    pid = await server.session_pid("bea", mark)
    conn.abort()  # the TCP connection just goes: no channel close, no SSH disconnect
    assert await await_gone(pid, 10), f"game {pid} still there: {proc_state(pid)}"
    await server.await_line(rf"end bea pid {pid} \(disconnected", start=mark)
    assert pid not in server.children()


async def test_commands_subsystems_and_forwarding_are_refused(server: RunningServer) -> None:
    mark = server.mark()
    async with await connect(server.port, "cat") as conn:
        result = await conn.run("cat /etc/passwd", timeout=15)
        assert result.exit_status == 1
        assert "commands are not allowed" in result.stderr
        assert "root:" not in result.stdout

        result = await conn.run("id", term_type="xterm", timeout=15)  # ssh -t host cmd
        assert result.exit_status == 1

        result = await conn.run(timeout=15)  # a shell without a pty
        assert result.exit_status == 1
        assert "needs a terminal" in result.stderr

        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.start_sftp_client()
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.open_connection("127.0.0.1", server.port)  # ssh -L
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 9)  # ssh -R
    # the server may log a refusal just after the client heard it: wait for the lines
    await server.await_line("refused subsystem 'sftp'", start=mark)
    await server.await_line("refused port forwarding", start=mark)
    log = server.log().splitlines()[mark:]
    assert not any(line.split()[1:3] == ["start", "cat"] for line in log)


async def test_agent_forwarding_is_refused(server: RunningServer, tmp_path: Path) -> None:
    """``ssh -A``: the game never gets a way to the player's keys."""
    contacts = 0

    async def fake_agent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal contacts
        contacts += 1
        writer.close()

    sock = tmp_path / "agent.sock"
    agent = await asyncio.start_unix_server(fake_agent, path=str(sock))
    mark = server.mark()
    try:
        async with await connect(server.port, "dan", agent_path=str(sock),
                                 agent_forwarding=True) as conn:
            before = contacts  # the client may ask its own agent for keys while logging in
            term = await Terminal.open(conn)
            await term.wait_for(TITLE_TEXT)
            pid = await server.session_pid("dan", mark)
            env = proc_env(pid)
            assert "SSH_AUTH_SOCK" not in env
            assert not any(key.startswith("SSH_") for key in env)
            term.send(QUIT_KEY)
            await term.read_to_end()
            assert contacts == before  # the server never opened an agent channel back
    finally:
        agent.close()
        await agent.wait_closed()


class _BannerClient(asyncssh.SSHClient):
    banners: list[str] = []

    def auth_banner_received(self, msg: str, lang: str) -> None:
        _BannerClient.banners.append(msg)


@pytest.mark.parametrize("name", ["../etc", "-rf", "a" * 33, "bob smith", "ädmin"])
async def test_odd_player_names_are_refused_with_a_reason(server: RunningServer,
                                                          name: str) -> None:
    _BannerClient.banners.clear()
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server.port, name, client_factory=_BannerClient)
    assert any("cannot be a player name" in b for b in _BannerClient.banners)


async def test_one_game_per_player_name(server: RunningServer) -> None:
    mark = server.mark()
    async with await connect(server.port, "dee") as first:
        term = await Terminal.open(first)
        await term.wait_for(TITLE_TEXT)
        pid = await server.session_pid("dee", mark)
        async with await connect(server.port, "dee") as second:
            other = await Terminal.open(second)
            await other.read_to_end()
            assert "already playing" in other.text()
            assert other.process.exit_status == 1
        assert proc_state(pid) not in (None, "Z")
        term.send(QUIT_KEY)
        await term.read_to_end()
    assert await await_gone(pid)
