"""The headless commands: levels, run, verify, check-level (run in-process on a test campaign)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from playground.cli import main
from playground.game.actionfile import Attempt
from playground.sim import Action
from tests.game.fixtures import BREAK_LEVEL, KEEP_LEVEL

SOLUTION = Attempt("split", None, {}, (Action.make(50, "lie", "a", strategy="equivocate",
                                                   values=["x", "y"]),))


def write_campaign(folder: Path) -> Path:
    """The two-level test campaign and its reference solutions in ``folder``."""
    (folder / "solutions").mkdir(parents=True)
    (folder / "split.toml").write_text(BREAK_LEVEL)
    (folder / "keep-it.toml").write_text(KEEP_LEVEL)
    (folder / "campaign.toml").write_text('order = ["split", "keep-it"]\n')
    (folder / "solutions" / "split.toml").write_text(SOLUTION.to_toml())
    (folder / "solutions" / "keep-it.toml").write_text(
        Attempt("keep-it", None, {"durable": True}).to_toml())
    return folder


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The solver records of the test campaign's levels, written once (verify needs them)."""
    folder = write_campaign(tmp_path_factory.mktemp("records") / "levels")
    for level_id in ("split", "keep-it"):
        with contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            main(["solve", str(folder / f"{level_id}.toml"), "--write", "--budget", "150",
                  "--seeds", "1", "--workers", "1"])
    return sorted((folder / "solutions").glob("*.solver.json"))


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: list[Path]) -> Path:
    folder = write_campaign(tmp_path / "levels")
    for record in records:
        shutil.copy(record, folder / "solutions")
    monkeypatch.setenv("PLAYGROUND_LEVELS_DIR", str(folder))
    return folder


def test_levels_json_lists_the_campaign(campaign: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["levels", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["mode"]) for r in rows] == [("split", "break"), ("keep-it", "keep")]
    assert rows[0]["chapter"] == "Knowledge, Truth, and Lies"
    assert rows[0]["section"] == "Byzantine Faults" and rows[0]["title"]
    assert [r["act"] for r in rows] == [1, 1]


def test_an_act_two_level_before_act_one_is_refused(campaign: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    (campaign / "split.toml").write_text(BREAK_LEVEL.replace("ticks = 500", "ticks = 500\nact = 2"))
    assert main(["levels", "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert "campaign.toml:1: order: keep-it (act 1) comes after split (act 2)" in err
    (campaign / "campaign.toml").write_text('order = ["keep-it", "split"]\n')
    assert main(["levels", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["act"]) for r in rows] == [("keep-it", 1), ("split", 2)]


def test_an_act_that_does_not_exist_names_the_line(campaign: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "split.toml"
    bad.write_text(BREAK_LEVEL.replace("ticks = 500", "ticks = 500\nact = 3"))
    assert main(["check-level", str(bad)]) == 2
    line = BREAK_LEVEL.splitlines().index("ticks = 500") + 2
    assert f"split.toml:{line}: act: must be 1" in capsys.readouterr().err


def test_run_with_actions_and_share_code_agree(campaign: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "split", "--actions", str(campaign / "solutions" / "split.toml"),
                 "--json", "--trace", str(tmp_path / "t.jsonl")]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["outcome"] == "won" and first["violations"][0]["invariant"] == "one-value"
    lines = (tmp_path / "t.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["kind"] == "start"
    assert main(["run", "split", "--share", first["share_code"], "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["trace_sha256"] == first["trace_sha256"]
    assert main(["run", "split", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["outcome"] == "lost"
    assert main(["run", "split", "--trace-format", "shiviz", "--trace",
                 str(tmp_path / "s.log")]) == 1
    assert (tmp_path / "s.log").read_text().startswith("(?<host>")


def test_verify_passes_and_catches_a_bad_solution(campaign: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    assert main(["verify", "--json", "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["ok"] and {r["level"] for r in report["levels"]} == {"split", "keep-it"}
    assert err == ""  # no progress bar with --json
    assert main(["verify", "--json", "--workers", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == report
    (campaign / "solutions" / "split.toml").write_text(Attempt("split").to_toml())
    assert main(["verify", "--json", "--workers", "1"]) == 1
    report = json.loads(capsys.readouterr().out)
    bad = next(r for r in report["levels"] if r["level"] == "split")
    assert any("does not win" in p for p in bad["problems"])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_verify_on_a_terminal_shows_a_progress_bar(campaign: Path, capsys: pytest.CaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["verify", "--workers", "1"]) == 0
    assert "2 of 2 levels verified" in capsys.readouterr().out
    shown = terminal.getvalue()
    assert "verifying" in shown and "6/6" in shown  # two levels, three runs each


@pytest.mark.parametrize("args", [
    ["verify", "--workers", "0"],
    ["verify", "--workers", "two"],
    ["verify", "--cluster", "tcp://127.0.0.1:9"],
])
def test_bad_verify_arguments_are_one_line_and_exit_2(campaign: Path,
                                                      capsys: pytest.CaptureFixture,
                                                      args: list[str]) -> None:
    try:
        code = main(args)
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and "Traceback" not in err
    assert args[-1] in err


@pytest.mark.parametrize("args", [
    ["run", "nope"],
    ["run", "split", "--seed", "x"],
    ["run", "split", "--share", "DSP2-garbage"],
    ["check-level", "/no/such/file.toml"],
])
def test_bad_input_is_one_line_and_exit_2(campaign: Path, capsys: pytest.CaptureFixture,
                                          args: list[str]) -> None:
    if "--seed" in args:  # argparse's own refusal
        with pytest.raises(SystemExit) as info:
            main(args)
        code = info.value.code
    else:
        code = main(args)
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and "Traceback" not in err


def test_check_level_names_file_and_line(campaign: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BREAK_LEVEL.replace("ticks = 500", "ticks = -1"))
    assert main(["check-level", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    line = BREAK_LEVEL.splitlines().index("ticks = 500") + 1
    assert err == f"playground: {bad}:{line}: ticks: must be between 1 and 600000"
    assert main(["check-level", str(campaign / "split.toml")]) == 0


def test_an_action_file_for_another_level_is_refused(campaign: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:
    other = tmp_path / "other.toml"
    other.write_text(Attempt("keep-it", None, {"durable": True}).to_toml())
    assert main(["run", "split", "--actions", str(other)]) == 2
    assert "not 'split'" in capsys.readouterr().err
