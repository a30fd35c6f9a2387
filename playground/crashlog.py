"""What the CLI does with a bug: the traceback goes to a crash log in the data dir.

The player sees one line saying where the log is (exit status 70, ``EX_SOFTWARE``); the log
holds the version, the command line and the traceback for a bug report.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from playground import __version__
from playground.game.storage import data_dir

CRASH_STATUS = 70
CRASH_FOLDER = "crashes"


def write_crash_log(exc: BaseException, argv: Sequence[str]) -> Path:
    """Write ``exc``'s traceback to a new file under the data dir; return its path."""
    folder = data_dir() / CRASH_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(exc))
    path.write_text(f"playground {__version__}\ncommand: playground {' '.join(argv)}\n\n{text}",
                    encoding="utf-8")
    return path


def report_crash(exc: BaseException, argv: Sequence[str]) -> int:
    """Log a bug and say where in one line on stderr; the traceback itself if logging fails."""
    try:
        path = write_crash_log(exc, argv)
    except OSError as log_error:
        traceback.print_exception(exc, file=sys.stderr)
        print(f"playground: internal error (could not write a crash log: "
              f"{log_error.strerror or log_error})", file=sys.stderr)
        return CRASH_STATUS
    print(f"playground: internal error: {type(exc).__name__}: {_first_line(exc)} "
          f"(a bug; the details are in {path})", file=sys.stderr)
    return CRASH_STATUS


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines() or ["no message"]
    return lines[0] + (" …" if len(lines) > 1 else "")
