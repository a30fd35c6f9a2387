"""The SSH server with OpenSSH's own client (skipped where ``ssh`` is not installed)."""

from __future__ import annotations

import os
import select
import shutil
import signal
import struct
import subprocess
import time
from collections.abc import Iterator

import pyte
import pytest

from tests.serve.conftest import (
    PATIENCE,
    QUIT_KEY,
    TITLE_TEXT,
    RunningServer,
    running,
    wait_gone,
)

SSH = shutil.which("ssh")
pytestmark = pytest.mark.skipif(SSH is None, reason="OpenSSH client (ssh) not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running("ssh", tmp_path_factory.mktemp("openssh"), "--open") as srv:
        yield srv


def ssh_argv(server: RunningServer, *extra: str, program: str | None = None) -> list[str]:
    return [program or SSH or "ssh", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "BatchMode=yes", "-o", "IdentityAgent=none", *extra]


class PtyClient:
    """``ssh -tt`` on a pty of its own, as a player's terminal would run it."""

    def __init__(self, argv: list[str], cols: int = 100, rows: int = 30) -> None:
        import fcntl
        import termios

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM="xterm-256color")
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True)
        os.close(slave)
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()

    def wait_for(self, text: str, timeout: float = PATIENCE) -> None:
        deadline = time.monotonic() + timeout
        while text not in "\n".join(self.screen.display) and text.encode() not in self.raw:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} not on screen:\n" + "\n".join(self.screen.display)
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""
                assert data, f"ssh ended before {text!r}: {bytes(self.raw[-500:])!r}"
                self.raw += data
                self.stream.feed(data)

    def wait_exit(self, timeout: float = 30.0) -> int:
        """Wait for ssh to exit, reading the pty all the while: a client whose last output
        nobody reads blocks on the full pty and never exits."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            left = deadline - time.monotonic()
            assert left > 0, f"ssh still running after {timeout} s: {bytes(self.raw[-500:])!r}"
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # the pty closed: ssh is exiting
                    data = b""
                if data:
                    self.raw += data
                    self.stream.feed(data)
                else:
                    self.proc.wait(max(deadline - time.monotonic(), 0.1))
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(PATIENCE)
        os.close(self.master)


def test_openssh_plays_and_quits(server: RunningServer) -> None:
    mark = server.mark()
    client = PtyClient(ssh_argv(server, "-tt", "-p", str(server.port), "ada@127.0.0.1"))
    try:
        client.wait_for(TITLE_TEXT)
        pid = int(server.wait_for(r"start ada from \S+ pid (\d+)", start=mark).group(1))
        os.write(client.master, QUIT_KEY)
        assert client.wait_exit() == 0
        assert wait_gone(pid)
    finally:
        client.close()


def test_killing_the_openssh_client_ends_the_game(server: RunningServer) -> None:
    mark = server.mark()
    client = PtyClient(ssh_argv(server, "-tt", "-p", str(server.port), "bob@127.0.0.1"))
    try:
        client.wait_for(TITLE_TEXT)
        pid = int(server.wait_for(r"start bob from \S+ pid (\d+)", start=mark).group(1))
        client.proc.send_signal(signal.SIGKILL)
        assert wait_gone(pid)
    finally:
        client.close()


def test_openssh_commands_and_sftp_are_refused(server: RunningServer) -> None:
    out = subprocess.run(ssh_argv(server, "-p", str(server.port), "cy@127.0.0.1", "uname -a"),
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "commands are not allowed" in out.stderr
    out = subprocess.run(ssh_argv(server, "-p", str(server.port), "-s", "cy@127.0.0.1", "sftp"),
                         capture_output=True, text=True, timeout=30, input="")
    assert out.returncode != 0 and "subsystem request failed" in out.stderr
