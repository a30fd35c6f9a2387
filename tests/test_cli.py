"""The `playground` command's basic contract."""

from __future__ import annotations

import subprocess
import sys

from playground import __version__


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True,
                          text=True, timeout=60)


def test_version() -> None:
    out = run("version")
    assert out.returncode == 0 and out.stdout.strip() == f"playground {__version__}"


def test_unknown_command_exits_2_with_one_line_error() -> None:
    out = run("fly")
    assert out.returncode == 2
    assert "invalid choice: 'fly'" in out.stderr
    assert "Traceback" not in out.stderr
