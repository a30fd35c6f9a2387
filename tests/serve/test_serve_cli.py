"""``serve`` and ``leaderboard`` on the command line: wiring, one-line errors, output."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from playground.game.leaderboard import Leaderboard
from playground.serve.cli import add_parsers, dispatch, main


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize(("argv", "message"), [
    (["serve"], "choose what to serve"),
    (["serve", "ssh", "--port", "0"], "choose how players log in"),
    (["serve", "ssh", "--open", "--port", "99999"], "port must be"),
    (["serve", "ssh", "--open", "--password-file", "x"], "exclude each other"),
    (["serve", "ssh", "--open", "--authorized-keys", "x"], "exclude each other"),
    (["serve", "ssh", "--open", "--max-sessions", "0"], "at least 1"),
    (["serve", "ssh", "--open", "--memory-mb", "10"], "at least 64"),
    (["serve", "ssh", "--open", "--idle-timeout", "soon"], "not a number"),
    (["serve", "ssh", "--open", "--frame-budget", "lots"], "'auto' or a percentage"),
    (["serve", "web", "--frame-budget", "150"], "0 (unpaced) to 100"),
    (["serve", "web", "--host", "0.0.0.0"], "--password-file"),
    (["serve", "gopher"], "invalid choice"),
    (["leaderboard", "--limit", "-1"], "0 (no limit) or more"),
])
def test_bad_arguments_exit_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                            argv: list[str], message: str) -> None:
    assert message in one_line_error(capsys, argv)


def test_bad_settings_exit_2_with_one_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "pw"
    empty.write_text("\n")
    for argv in (["serve", "ssh", "--password-file", str(tmp_path / "missing")],
                 ["serve", "ssh", "--password-file", str(empty)],
                 ["serve", "ssh", "--authorized-keys", str(tmp_path / "missing"),
                  "--data-dir", str(tmp_path / "d")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("playground: ") and err.count("\n") == 1


def test_wiring_into_another_parser() -> None:
    parser = argparse.ArgumentParser(prog="playground")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("play")
    add_parsers(sub)
    assert dispatch(parser.parse_args(["play"])) is None
    args = parser.parse_args(["serve", "ssh", "--open", "--port", "2300"])
    assert (args.command, args.serve_mode, args.port, args.open) == ("serve", "ssh", 2300, True)
    args = parser.parse_args(["serve", "web"])
    assert args.port == 8000 and args.host == "127.0.0.1"
    assert args.frame_budget is None  # auto: a fair share
    assert parser.parse_args(["serve", "web", "--frame-budget", "5%"]).frame_budget == 0.05
    assert parser.parse_args(["serve", "web", "--frame-budget", "0"]).frame_budget == 0


def test_leaderboard_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", "--data-dir", str(tmp_path)]) == 0
    assert "No leaderboard yet" in capsys.readouterr().out
    assert main(["leaderboard", "--json", "--data-dir", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == []
    board = Leaderboard(tmp_path / "leaderboard.sqlite3")
    board.record("ada", "alpha", 700, 2, "SHARE-1")
    board.record("bob", "alpha", 650, 3, "SHARE-2")
    assert main(["leaderboard", "--data-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["1", "ada", "1", "2", "700"]
    assert main(["leaderboard", "--db", str(board.path), "--level", "alpha"]) == 0
    out = capsys.readouterr().out
    assert "SHARE-1" in out and "**." in out
    assert main(["leaderboard", "--json", "--db", str(board.path), "--level", "alpha"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["player"] for r in rows] == ["ada", "bob"] and rows[1]["share_code"] == "SHARE-2"


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_leaderboard_of_an_unknown_level_is_an_error(tmp_path: Path, extra: list[str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    Leaderboard(tmp_path / "leaderboard.sqlite3").record("ada", "alpha", 700, 2, "SHARE-1")
    assert main(["leaderboard", "--data-dir", str(tmp_path), "--level", "NO-SUCH-LEVEL",
                 *extra]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith("playground: --level: unknown level 'NO-SUCH-LEVEL' (levels: ")
    assert out.err.count("\n") == 1 and "split-brain" in out.err
    assert main(["leaderboard", "--data-dir", str(tmp_path), "--level", "split-brain"]) == 0
    assert capsys.readouterr().out == "No wins recorded yet for level 'split-brain'.\n"


def test_leaderboard_of_a_file_that_is_not_one_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n" * 20)
    assert main(["leaderboard", "--db", str(notes)]) == 2
    err = capsys.readouterr().err
    assert err == f"playground: {notes}: not a leaderboard database (file is not a database)\n"
