"""``playground`` in a real pseudo-terminal: keys in, the screen read back with pyte.

This is the game as a player (or an SSH session) runs it: its own process, a tty, the real
driver and wall-clock timer. It goes from the title to a level, pauses, steps, cuts a link
and quits.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte
import pytest

from tests.tui.conftest import CAMPAIGN

LAUNCH = Path(__file__).resolve().parent / "launch.py"
COLS, ROWS = 100, 30

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32",
                                reason="needs a POSIX pseudo-terminal")


class Terminal:
    """A child process on a pty, its output fed to a pyte screen."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        pid, fd = os.forkpty()
        if pid == 0:  # the child: become the game
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    return
                if not data:
                    return
                self.stream.feed(data)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 60.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.1)
            if predicate(self.text()):
                return self.text()
        raise AssertionError(f"timed out; the screen shows:\n{self.text()}")

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> int | None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self.pump(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return None


def test_keys_into_a_level_and_the_screen_read_back(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL")}
    env.update({"PLAYGROUND_LEVELS_DIR": str(CAMPAIGN), "PLAYGROUND_DATA_DIR": str(tmp_path),
                "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS)})
    term = Terminal([sys.executable, str(LAUNCH), "play"], env)
    try:
        term.wait_for(lambda s: "P  L  A  Y  G  R  O  U  N  D" in s and "levels won" in s)
        term.press(b"c")
        term.wait_for(lambda s: "CAMPAIGN" in s and "The first cut" in s)
        term.press(b"\r")
        term.wait_for(lambda s: "Goal" in s and "Your tools" in s)
        term.press(b"\r")
        term.wait_for(lambda s: "BREAK IT" in s and "1 n1" in s and "TOOLS" in s)
        term.press(b" ")  # it started playing: pause
        screen = term.wait_for(lambda s: "paused" in s)
        assert "3 n3" in screen and "links: all 3 pairs up" in screen
        term.press(b"}}}")
        term.wait_for(lambda s: "t=" in s and "/3000ms" in s and "leader" in s)
        term.press(b"3lc")
        screen = term.wait_for(lambda s: "n3→n1 cut; n1→n3 cut" in s)
        assert "actions 1" in screen
        term.press(b"\x11")  # Ctrl+Q
    finally:
        code = term.close()
    assert code == 0
