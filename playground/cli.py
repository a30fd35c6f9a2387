"""The ``playground`` command.

Sub-commands grow with the game: ``play`` starts the terminal game; ``version`` prints the
version. Bad arguments exit with status 2 and a one-line message (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from playground import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playground",
        description="The Distributed Systems Playground: break and defend a simulated cluster.",
    )
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("play", help="play the game in this terminal (the default)")
    sub.add_parser("version", help="print the version")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    command = args.command or "play"
    if command == "version":
        print(f"playground {__version__}")
        return 0
    from playground.tui.app import run_app

    return run_app()


if __name__ == "__main__":
    sys.exit(main())
