"""Bad input exits 2 with one line; a bug exits 70 and leaves its traceback in a crash log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground import cli
from playground.errors import PlaygroundError
from playground.game.errors import GameFileError
from playground.game.session import Refused
from playground.protocols.registry import KnobError
from playground.serve.common import ConfigError
from playground.sim.errors import SimError
from playground.tui.tools import FieldError


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize("error", [SimError, KnobError, GameFileError, Refused, FieldError,
                                   ConfigError, cli.UsageError])
def test_every_bad_input_error_shares_one_root(error: type) -> None:
    assert issubclass(error, PlaygroundError)


def _plant(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    def broken(args: object) -> int:
        raise exc
    monkeypatch.setattr(cli, "cmd_levels", broken)


def test_bad_input_is_one_line_and_exit_2(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _plant(monkeypatch, GameFileError("x.toml", 3, "ticks: must be between 1 and 600000"))
    assert cli.main(["levels"]) == 2
    err = capsys.readouterr().err
    assert err == "playground: x.toml:3: ticks: must be between 1 and 600000\n"
    assert not (data_dir / "crashes").exists()


@pytest.mark.parametrize("bug", [ValueError("math domain error"), KeyError("n9"),
                                 ZeroDivisionError("division by zero")])
def test_a_bug_writes_a_crash_log_and_exits_70(bug: Exception, data_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _plant(monkeypatch, bug)
    assert cli.main(["levels"]) == 70
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "internal error" in err and "Traceback" not in err
    logs = sorted((data_dir / "crashes").glob("crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    text = logs[0].read_text()
    assert "Traceback" in text and type(bug).__name__ in text and "in broken" in text
    assert "command: playground levels" in text


def test_a_bug_still_shows_its_traceback_when_no_log_can_be_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(blocker))
    _plant(monkeypatch, ValueError("planted"))
    assert cli.main(["levels"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: planted" in err
    assert "could not write a crash log" in err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `playground levels | head` once head has exited
    try:
        out = subprocess.run([sys.executable, "-m", "playground", "levels"], stdout=write_end,
                             stderr=subprocess.PIPE, text=True, timeout=60,
                             env={**os.environ, "PLAYGROUND_DATA_DIR": str(tmp_path)})
    finally:
        os.close(write_end)
    assert out.stderr == ""
    assert out.returncode == 141
    assert not (tmp_path / "crashes").exists()


def test_a_bad_player_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["play", "--player", "ada lovelace"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'ada lovelace' is not a player name (1 to 32 letters" in err
