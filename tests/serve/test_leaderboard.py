"""The leaderboard store: best runs, rankings, bad input, and many writers at once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.game.leaderboard import Leaderboard, record_if_configured
from tests.serve.conftest import ROOT


def test_best_run_is_kept_and_wins_counted(tmp_path: Path) -> None:
    board = Leaderboard(tmp_path / "lb.sqlite3")
    assert board.top() == [] and not board.exists()
    assert board.record("ada", "lvl-1", 500, 2, "A1")
    assert not board.record("ada", "lvl-1", 400, 3, "A2")  # lower score: not a new best
    assert board.record("ada", "lvl-1", 500, 3, "A3")  # same score, more stars: better
    assert board.record("bob", "lvl-1", 900, 1, "B1")
    assert board.record("bob", "lvl-2", 100, 1, "B2")
    level = board.top("lvl-1")
    assert [(r.rank, r.player, r.score, r.stars, r.share_code) for r in level] == \
        [(1, "bob", 900, 1, "B1"), (2, "ada", 500, 3, "A3")]
    overall = board.top()
    assert [(r.player, r.score, r.stars, r.levels, r.level) for r in overall] == \
        [("bob", 1000, 2, 2, None), ("ada", 500, 3, 1, None)]
    assert board.top(limit=1)[0].player == "bob"
    assert board.levels() == ["lvl-1", "lvl-2"]
    with sqlite3.connect(board.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT wins FROM best WHERE player='ada'").fetchone()[0] == 3


@pytest.mark.parametrize("args", [
    ("../x", "lvl", 1, 1, ""), ("ada", "", 1, 1, ""), ("ada", "lvl", -1, 1, ""),
    ("ada", "lvl", 1, 4, ""), ("ada", "lvl", True, 1, ""), ("ada", "lvl", 1, 1, "x" * 20000),
])
def test_bad_entries_are_refused(tmp_path: Path, args: tuple) -> None:
    with pytest.raises(ValueError):
        Leaderboard(tmp_path / "lb.sqlite3").record(*args)


def test_record_if_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lb.sqlite3"
    monkeypatch.delenv("PLAYGROUND_LEADERBOARD", raising=False)
    monkeypatch.delenv("PLAYGROUND_PLAYER", raising=False)
    assert record_if_configured("lvl", 10, 1, "c") is False  # not under a server: nothing
    assert not path.exists()
    monkeypatch.setenv("PLAYGROUND_LEADERBOARD", str(path))
    monkeypatch.setenv("PLAYGROUND_PLAYER", "ada")
    assert record_if_configured("lvl", 10, 1, "c") is True
    assert Leaderboard(path).top("lvl")[0].player == "ada"
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("PLAYGROUND_LEADERBOARD", str(tmp_path / "a-file" / "lb.sqlite3"))
    assert record_if_configured("lvl", 10, 1, "c") is False  # never raises into the game


WRITER = """
import sys, time
from pathlib import Path
from playground.game.leaderboard import Leaderboard
path, me, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
(go.parent / f"ready-{{me}}").touch()
while not go.exists():
    time.sleep(0.001)
board = Leaderboard(path)
for i in range({writes}):
    board.record(f"p{{me}}", f"level-{{i}}", i, i % 4, f"code-{{me}}-{{i}}")
    board.record("everyone", "shared", me * 1000 + i, 1, f"shared-{{me}}-{{i}}")
"""


def test_many_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    writers, writes = 8, 25
    path, go = tmp_path / "lb.sqlite3", tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER.format(writes=writes), str(path),
                               str(n), str(go)], env=env, stderr=subprocess.PIPE, text=True)
             for n in range(writers)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < writers:  # all started, waiting at the line
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), "\n".join(errors)
    assert not any("locked" in e for e in errors)
    board = Leaderboard(path)
    assert len(board.entries()) == writers * writes + 1
    for n in range(writers):
        rows = board.entries(f"p{n}")
        assert [(r.level, r.score, r.share_code) for r in rows] == sorted(
            (f"level-{i}", i, f"code-{n}-{i}") for i in range(writes))
    with sqlite3.connect(path) as conn:
        wins, best = conn.execute(
            "SELECT wins, score FROM best WHERE player='everyone'").fetchone()
    assert wins == writers * writes  # every write counted: none lost
    assert best == (writers - 1) * 1000 + writes - 1
