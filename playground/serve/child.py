"""A session's game process: spawned on its own pty, resized, and always reaped.

The process runs ``playground.serve.launcher`` (which makes the pty its controlling terminal,
resets signals and caps memory) and then the game, in a new session and process group. Ending
it: SIGHUP (and SIGCONT, in case it is stopped) to the whole group, a grace period, then
SIGKILL to the group, and ``wait`` until the process is reaped: no orphans, no zombies. (No
signal is sent once it is reaped: its pid, and so its group id, may belong to someone else.)
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import termios
from collections.abc import Callable

READ_CHUNK = 65536


def set_winsize(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class PtyChild:
    """A game process on a pty. Output arrives through ``on_output`` (bytes; ``b""`` once at
    end of output); input goes through :meth:`write`."""

    def __init__(self, process: asyncio.subprocess.Process, master_fd: int) -> None:
        self.process = process
        self.pid = process.pid
        self.master_fd = master_fd
        self._loop = asyncio.get_running_loop()
        self._on_output: Callable[[bytes], None] | None = None
        self._reading = False
        self._pending = bytearray()  # input the pty could not take yet
        self._writing = False
        self._closed = False
        self._terminating: asyncio.Task[int] | None = None

    @classmethod
    async def spawn(cls, argv: list[str], env: dict[str, str], cols: int, rows: int,
                    cwd: str | None = None) -> PtyChild:
        master, slave = os.openpty()  # both non-inheritable (O_CLOEXEC)
        try:
            set_winsize(slave, cols, rows)
            attrs = termios.tcgetattr(slave)
            attrs[0] |= getattr(termios, "IUTF8", 0)
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            process = await asyncio.create_subprocess_exec(
                *argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                start_new_session=True, close_fds=True)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        return cls(process, master)

    # -- output -------------------------------------------------------------------------

    def start_reading(self, on_output: Callable[[bytes], None]) -> None:
        self._on_output = on_output
        self.resume_reading()

    def pause_reading(self) -> None:
        if self._reading and not self._closed:
            self._loop.remove_reader(self.master_fd)
        self._reading = False

    def resume_reading(self) -> None:
        if not self._reading and not self._closed and self._on_output is not None:
            self._loop.add_reader(self.master_fd, self._read_ready)
            self._reading = True

    def _read_ready(self) -> None:
        try:
            data = os.read(self.master_fd, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError as exc:  # EIO: every slave fd is closed (the game is gone)
            if exc.errno not in (errno.EIO, errno.EBADF):
                raise
            data = b""
        if not data:
            self.pause_reading()
            self._close_master()
        if self._on_output is not None:
            self._on_output(data)

    # -- input --------------------------------------------------------------------------

    def write(self, data: bytes) -> int:
        """Queue keystrokes for the game; returns how many bytes are still waiting."""
        if self._closed:
            return 0
        self._pending += data
        self._flush()
        return len(self._pending)

    def _flush(self) -> None:
        while self._pending and not self._closed:
            try:
                sent = os.write(self.master_fd, self._pending)
            except BlockingIOError:
                break
            except OSError:
                self._pending.clear()
                break
            del self._pending[:sent]
        want = bool(self._pending) and not self._closed
        if want and not self._writing:
            self._loop.add_writer(self.master_fd, self._flush)
            self._writing = True
        elif not want and self._writing:
            if not self._closed:
                self._loop.remove_writer(self.master_fd)
            self._writing = False

    @property
    def pending_input(self) -> int:
        return len(self._pending)

    # -- size and end -------------------------------------------------------------------

    def resize(self, cols: int, rows: int) -> None:
        """Set the pty's size; the kernel sends SIGWINCH to the game."""
        if not self._closed:
            with contextlib.suppress(OSError):
                set_winsize(self.master_fd, cols, rows)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    async def wait(self) -> int:
        return await self.process.wait()

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def terminate(self, grace: float = 2.0) -> asyncio.Task[int]:
        """End the game (idempotent): SIGHUP the group, wait ``grace`` s, SIGKILL, reap."""
        if self._terminating is None:
            self._terminating = asyncio.ensure_future(self._terminate(grace))
        return self._terminating

    async def _terminate(self, grace: float) -> int:
        if self.process.returncode is None:
            self._signal_group(signal.SIGHUP)
            self._signal_group(signal.SIGCONT)
            try:
                await asyncio.wait_for(asyncio.shield(self.process.wait()), grace)
            except TimeoutError:
                self._signal_group(signal.SIGKILL)
        code = await self.process.wait()
        self.close()
        return code

    def close(self) -> None:
        """Stop watching the pty and close it (the game, if alive, gets SIGHUP)."""
        self.pause_reading()
        if self._writing:
            self._loop.remove_writer(self.master_fd)
            self._writing = False
        self._close_master()

    def _close_master(self) -> None:
        if not self._closed:
            self._closed = True
            if self._writing:
                self._loop.remove_writer(self.master_fd)
                self._writing = False
            self._pending.clear()
            os.close(self.master_fd)
