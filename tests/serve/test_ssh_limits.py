"""Limits, shutdown and the leaderboard, end to end. The game is ``fake_game.py`` (fast to
start): until the TUI records wins itself, it stands in for "a player wins a level"."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.serve.conftest import (
    PATIENCE,
    ROOT,
    Terminal,
    await_gone,
    connect,
    fake_game_command,
    proc_state,
    running,
)


async def test_max_sessions_refuses_politely_then_admits(tmp_path: Path) -> None:
    with running("ssh", tmp_path, "--open", "--max-sessions", "2", "--per-address", "0",
                 "--game-command", fake_game_command()) as server:
        conns, terms = [], []
        for name in ("ada", "bob"):
            conn = await connect(server.port, name)
            term = await Terminal.open(conn)
            await term.wait_for(f"FAKE GAME for {name}")
            conns.append(conn)
            terms.append(term)
        async with await connect(server.port, "cy") as conn:
            refused = await Terminal.open(conn)
            await refused.read_to_end()
            assert "server is full" in refused.text()
            assert refused.process.exit_status == 1

        terms[0].send(b"q")  # a place frees up
        await terms[0].read_to_end()
        await server.await_line(r"end ada pid")
        async with await connect(server.port, "cy") as conn:
            term = await Terminal.open(conn)
            await term.wait_for("FAKE GAME for cy")
            term.send(b"q")
            await term.read_to_end()
        for conn in conns:
            conn.close()


async def test_idle_timeout_and_session_limit_end_games(tmp_path: Path) -> None:
    # The idle timeout outlasts a loaded machine starting the game (2 s once did not) and
    # the typist's stalls between keys; the cap comes after it.
    with running("ssh", tmp_path, "--open", "--idle-timeout", "8", "--max-session", "12",
                 "--game-command", fake_game_command()) as server:
        async with await connect(server.port, "idler") as c1, \
                await connect(server.port, "typist") as c2:
            idle = await Terminal.open(c1)
            busy = await Terminal.open(c2)
            await idle.wait_for("FAKE GAME")
            await busy.wait_for("FAKE GAME")
            idle_pid = await server.session_pid("idler")
            busy_pid = await server.session_pid("typist")
            deadline = time.monotonic() + 60  # a failure deadline, not a measurement
            while not busy.process.stdout.at_eof():
                assert time.monotonic() < deadline, "the session cap never ended the game"
                with contextlib.suppress(OSError):  # keeps it from idling out (a key every 0.3 s
                    # leaves a stalled machine 7.7 s to spare), not from the cap
                    busy.send(b"x")
                await busy.read_some(0.3)
                await idle.read_some(0.01)
            await idle.read_to_end()
            assert "No key pressed for 8 s" in idle.text()
            assert "Time is up" in busy.text()
            assert await await_gone(idle_pid) and await await_gone(busy_pid)
            await server.await_line(r"end idler pid \d+ \(idle")
            ended = await server.await_line(r"end typist pid \d+ \(time limit, exit -?\d+, (\d+) s")
            assert int(ended.group(1)) >= 12  # the cap, never sooner (a lower bound only)


async def test_stopping_the_server_ends_every_game(tmp_path: Path) -> None:
    with running("ssh", tmp_path, "--open", "--game-command", fake_game_command()) as server:
        terms, pids = [], []
        for name in ("ann", "ben"):
            conn = await connect(server.port, name)
            term = await Terminal.open(conn)
            await term.wait_for("FAKE GAME")
            terms.append(term)
            pids.append(await server.session_pid(name))
        code = await asyncio.to_thread(server.stop)
        assert code == 0
        for term in terms:
            await term.read_to_end()
            assert "shutting down" in term.text()
        for pid in pids:
            assert await await_gone(pid), proc_state(pid)
        assert "stopped" in server.log()


def leaderboard(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "playground.serve.cli", "leaderboard",
                           "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          timeout=30, env=env, cwd=ROOT)


async def test_a_won_level_appears_on_the_leaderboard(tmp_path: Path) -> None:
    with running("ssh", tmp_path, "--open", "--memory-mb", "128",
                 "--game-command", fake_game_command()) as server:
        assert json.loads(leaderboard(tmp_path, "--json").stdout)["rows"] == []
        async with await connect(server.port, "grace") as conn:
            term = await Terminal.open(conn)
            await term.wait_for("FAKE GAME for grace")
            term.send(b"w")
            await term.wait_for("WON first-steps recorded=True")
            term.send(b"w")  # the same run again is not a new best
            await term.wait_for("recorded=False")
            term.send(b"m")  # and the memory cap holds
            await term.wait_for("MemoryError: capped")
            term.send(b"q")
            await term.read_to_end()
    out = json.loads(leaderboard(tmp_path, "--json").stdout)
    assert [(r["player"], r["score"], r["stars"], r["levels"]) for r in out["rows"]] == \
        [("grace", 870, 3, 1)]
    out = json.loads(leaderboard(tmp_path, "--json", "--level", "first-steps").stdout)
    assert out["rows"][0]["share_code"] == "FAKE-SHARE-CODE"
    table = leaderboard(tmp_path).stdout
    assert "grace" in table and "870" in table


async def test_connection_flood_from_one_address_is_cut_off(tmp_path: Path) -> None:
    # --per-address 1 allows 1 + 4 connections still logging in; the next is dropped at once.
    with running("ssh", tmp_path, "--open", "--max-sessions", "1", "--per-address", "1",
                 "--game-command", fake_game_command()) as server:
        held = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(5)]
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        data = await asyncio.wait_for(reader.read(), PATIENCE)  # to EOF: the server hung up
        assert data.startswith(b"SSH-2.0-") or data == b""
        await server.await_line(r"dropped connection from 127\.0\.0\.1: too many connections")
        for _, w in [*held, (reader, writer)]:
            w.close()
