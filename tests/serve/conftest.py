"""Helpers for the workshop-server tests: servers started as real processes on free loopback
ports, SSH clients that read the screen through a terminal emulator, and /proc checks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyte
import pytest

asyncssh = pytest.importorskip("asyncssh")

ROOT = Path(__file__).resolve().parents[2]
FAKE_GAME = Path(__file__).with_name("fake_game.py")
TITLE_TEXT = "Break and defend"  # the title screen's tagline (old placeholder and new TUI)
QUIT_KEY = b"\x11"  # ctrl+q: Textual's quit, whatever the game's own bindings
#: How long a wait for something that must happen may take before the test fails. Generous:
#: a machine shared by several test runs takes seconds to start a game; a passing test never
#: waits this long.
PATIENCE = 60.0


class RunningServer:
    """A ``playground serve ...`` process, its log, and its children."""

    def __init__(self, proc: subprocess.Popen[str], data_dir: Path) -> None:
        self.proc = proc
        self.data_dir = data_dir
        self.lines: list[str] = []
        self.port = 0
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.lines.append("<exit>")
            self._cond.notify_all()

    def wait_for(self, pattern: str, timeout: float = PATIENCE, start: int = 0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    if (m := rx.search(line)) is not None:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1] == "<exit>"):
                    raise AssertionError(f"no log line matching {pattern!r}:\n"
                                         + "\n".join(self.lines))
                self._cond.wait(left)

    async def await_line(self, pattern: str, timeout: float = PATIENCE,
                         start: int = 0) -> re.Match[str]:
        return await asyncio.to_thread(self.wait_for, pattern, timeout, start)

    async def session_pid(self, player: str, start: int = 0) -> int:
        """The pid of ``player``'s game, from the server's "start" log line."""
        match = await self.await_line(rf"start {re.escape(player)} from \S+ pid (\d+)",
                                      start=start)
        return int(match.group(1))

    def mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def log(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def children(self) -> list[int]:
        return children_of(self.proc.pid)

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError("the server did not stop on SIGTERM:\n" + self.log()) from None


def start_server(mode: str, data_dir: Path, *args: str) -> RunningServer:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    env.pop("PLAYGROUND_LEADERBOARD", None)
    env.pop("PLAYGROUND_PLAYER", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground.serve.cli", "serve", mode, "--host", "127.0.0.1",
         "--port", "0", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    server = RunningServer(proc, data_dir)
    try:
        server.port = int(server.wait_for(r"listening on (?:http://)?127\.0\.0\.1:(\d+)")
                          .group(1))
    except BaseException:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def running(mode: str, data_dir: Path, *args: str) -> Iterator[RunningServer]:
    server = start_server(mode, data_dir, *args)
    try:
        yield server
    finally:
        server.stop()


def fake_game_command() -> str:
    return f"{sys.executable} {FAKE_GAME}"


# -- /proc -----------------------------------------------------------------------------------


def proc_state(pid: int) -> str | None:
    """The process's state letter ('R', 'S', 'Z' for a zombie...), None once reaped."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()[0]


def proc_stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return ["", "", *text.rsplit(")", 1)[1].split()]  # index = field number - 1 in proc(5)


def proc_env(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def children_of(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(p) for p in (task / "children").read_text().split()]
    return sorted(out)


def wait_gone(pid: int, timeout: float = PATIENCE) -> bool:
    """True once the process is reaped (a zombie is not gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc_state(pid) is None:
            return True
        time.sleep(0.05)
    return False


async def await_gone(pid: int, timeout: float = PATIENCE) -> bool:
    return await asyncio.to_thread(wait_gone, pid, timeout)


# -- SSH clients -------------------------------------------------------------------------------


async def connect(port: int, username: str = "ada", **kwargs: Any) -> Any:
    kwargs.setdefault("client_keys", None)
    kwargs.setdefault("agent_path", None)
    return await asyncssh.connect("127.0.0.1", port, username=username, known_hosts=None,
                                  config=None, connect_timeout=15, **kwargs)


class Terminal:
    """The player's side of a game session: bytes in, a pyte screen out."""

    def __init__(self, process: Any, cols: int, rows: int) -> None:
        self.process = process
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.received = 0
        self.raw = bytearray()

    @classmethod
    async def open(cls, conn: Any, cols: int = 100, rows: int = 30,
                   term: str = "xterm-256color", **kwargs: Any) -> Terminal:
        process = await conn.create_process(term_type=term, term_size=(cols, rows),
                                            encoding=None, **kwargs)
        return cls(process, cols, rows)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def read_some(self, timeout: float) -> bytes:
        try:
            data = await asyncio.wait_for(self.process.stdout.read(65536), timeout)
        except TimeoutError:
            return b""
        self.received += len(data)
        self.raw += data
        self.stream.feed(data)
        return data

    async def wait_for(self, text: str, timeout: float = PATIENCE) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text() and text.encode() not in self.raw:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not on screen:\n{self.text()}")
            if not await self.read_some(min(left, 0.5)) and self.process.stdout.at_eof():
                raise AssertionError(f"session ended before {text!r}:\n{self.text()}")

    async def wait_until(self, done: Callable[[], object], what: str,
                         timeout: float = 20.0) -> None:
        """Read until ``done()`` is true (the screen shows what the test waits for)."""
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{what} never happened:\n{self.text()}")
            if not await self.read_some(min(left, 0.5)) and self.process.stdout.at_eof():
                raise AssertionError(f"session ended before {what}:\n{self.text()}")

    async def read_to_end(self, timeout: float = PATIENCE) -> None:
        deadline = time.monotonic() + timeout
        while not self.process.stdout.at_eof():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("session did not end:\n" + self.text())
            await self.read_some(min(left, 0.5))

    def send(self, data: bytes) -> None:
        self.process.stdin.write(data)

    def resize(self, cols: int, rows: int) -> None:
        self.process.change_terminal_size(cols, rows)
        self.screen.resize(rows, cols)
