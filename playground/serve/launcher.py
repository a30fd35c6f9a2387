"""The first thing a session's process runs: make it a proper terminal job, then exec the game.

``python -m playground.serve.launcher [--ctty] [--memory-mb N] [--parent PID] -- ARGV...``

Run by the server in a new session (``setsid``), with the session's pty as fds 0-2. Doing this
here, rather than in a ``preexec_fn``, keeps ``fork`` in the (threaded) server safe. Steps:

1. signals the server may have changed or ignored go back to their defaults, and none is
   blocked, so the game dies of SIGHUP when its terminal hangs up;
2. ``--ctty``: the pty on fd 0 becomes the controlling terminal (TIOCSCTTY), so the job gets
   SIGWINCH on resize and SIGHUP when the master side closes;
3. ``--parent``: ask the kernel for SIGHUP if the server dies (PR_SET_PDEATHSIG), and give up
   at once if it is already gone;
4. ``--memory-mb``: cap the address space (RLIMIT_AS), and turn core dumps off;
5. ``exec`` the game, replacing this process (same pid, same process group).

Imports only the standard library, so the game starts with a clean interpreter.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import fcntl
import os
import resource
import signal
import sys
import termios
from collections.abc import Sequence

PR_SET_PDEATHSIG = 1
RESET_SIGNALS = ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGPIPE", "SIGTSTP", "SIGTTIN",
                 "SIGTTOU", "SIGCHLD", "SIGWINCH", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGXFSZ")


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="playground.serve.launcher")
    parser.add_argument("--ctty", action="store_true")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--parent", type=int, default=0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        parser.error("no command to run")
    return args


def _reset_signals() -> None:
    for name in RESET_SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGHUP), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the pty hangup still ends the game
    if os.getppid() != parent:  # the server died before the line above
        os._exit(1)


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    _reset_signals()
    if args.ctty:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    if args.parent:
        _die_with_parent(args.parent)
    _limit_memory(args.memory_mb)
    try:
        os.execvp(args.command[0], args.command)
    except OSError as exc:
        sys.stderr.write(f"playground: cannot start the game: {exc}\r\n")
        return 127
    return 127  # pragma: no cover - execvp does not return


if __name__ == "__main__":
    sys.exit(main())
