"""``playground leaderboard --watch``: the projector view of the room's standings and each
level's score histogram, refreshed as wins are recorded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from playground.game.leaderboard import Leaderboard
from playground.tui.projector import ProjectorApp, histogram, histogram_text


def test_a_histogram_counts_every_score_once_in_ranges_of_equal_width() -> None:
    scores = [100, 180, 200, 200, 590]
    counts = histogram(scores, bins=5)
    assert counts == [(100, 198, 2), (199, 297, 2), (298, 396, 0), (397, 495, 0),
                      (496, 590, 1)]
    assert histogram([300, 300]) == [(300, 300, 2)]
    assert histogram([]) == []


def test_a_level_histogram_reads_as_bars_with_their_counts() -> None:
    text = histogram_text("gc-pause", [100, 180, 200, 200, 590])
    lines = text.splitlines()
    assert lines[0] == "gc-pause  (5 players)"
    assert lines[1].split() == ["100-198", "█" * 24, "2"]  # the tallest bar is full width
    assert lines[3].split() == ["298-396", "·", "0"]
    assert lines[5].split() == ["496-590", "█" * 12, "1"]


async def test_the_projector_shows_a_new_win_and_quits_on_q(tmp_path: Path) -> None:
    board = Leaderboard(tmp_path / "leaderboard.sqlite3")
    board.record("ada", "gc-pause", 500, 2, "A1")
    app = ProjectorApp(board.path, every=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        def names() -> list[str]:
            return [str(s.render()).split("\n")[0] for s in app.query(".name")]

        while names() != ["ada"]:
            await pilot.pause(0.05)
        board.record("bea", "gc-pause", 900, 3, "B1")  # a win while the class watches
        board.record("bea", "split-brain", 300, 1, "B2")
        while names() != ["bea", "ada"]:
            await pilot.pause(0.05)
        histograms = [str(s.render()) for s in app.query(".histogram")]
        assert histograms[0].startswith("gc-pause  (2 players)")
        assert histograms[1].startswith("split-brain  (1 player)")
        await pilot.press("q")
    assert app.return_code == 0


@pytest.mark.parametrize("args, message", [
    (["--watch", "--json"], "drop --json"),
    (["--watch", "--every", "0"], "--every: must be 0.5 to 3600 seconds, not 0"),
    (["--watch", "--every", "soon"], "--every: not a number of seconds: soon"),
])
def test_bad_watch_arguments_give_one_line_and_exit_2(args: list[str], message: str,
                                                       tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "playground.serve.cli", "leaderboard",
                           "--data-dir", str(tmp_path), *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
