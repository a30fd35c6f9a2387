"""A stand-in for the game in server tests: a raw-mode terminal program that wins a level.

Keys: ``w`` records a won level with ``record_if_configured`` (as the TUI does when a level
is won), ``m`` tries to take 512 MB, ``q`` quits with status 0.
"""

from __future__ import annotations

import os
import sys
import termios
import tty

from playground.game.leaderboard import record_if_configured


def say(text: str) -> None:
    os.write(1, (text + "\r\n").encode())


def main() -> int:
    fd = sys.stdin.fileno()
    raw = os.isatty(fd)
    old = termios.tcgetattr(fd) if raw else None
    if raw:
        tty.setraw(fd)
    try:
        say(f"FAKE GAME for {os.environ.get('PLAYGROUND_PLAYER')}")
        while True:
            key = os.read(fd, 1)
            if not key or key == b"q":
                say("bye")
                return 0
            if key == b"m":
                try:
                    hog = bytearray(512 * 1024 * 1024)
                    say(f"allocated {len(hog)} bytes")
                except MemoryError:
                    say("MemoryError: capped")
            if key == b"w":
                improved = record_if_configured("first-steps", 870, 3, "FAKE-SHARE-CODE")
                say(f"WON first-steps recorded={improved}")
    finally:
        if old is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)


if __name__ == "__main__":
    sys.exit(main())
