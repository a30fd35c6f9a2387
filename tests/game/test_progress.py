"""Progress saves: atomic, per player, corrupt saves set aside, unlocking."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from playground.game.progress import Progress
from playground.game.storage import atomic_write_text


def test_record_saves_best_and_reloads(tmp_path: Path) -> None:
    progress = Progress.load("ada", tmp_path)
    assert progress.record("l1", True, 2, 700, "DSP1-a")
    assert not progress.record("l1", True, 1, 500, "DSP1-b")  # worse: nothing changes
    assert progress.record("l1", True, 3, 650, "DSP1-c")  # more stars: kept
    again = Progress.load("ada", tmp_path)
    rec = again.levels["l1"]
    assert (rec.won, rec.stars, rec.best_score, rec.solution) == (True, 3, 700, "DSP1-c")
    assert Progress.load("bob", tmp_path).levels == {}


def test_a_lost_run_does_not_unlock(tmp_path: Path) -> None:
    progress = Progress.load("ada", tmp_path)
    progress.record("l1", False, 0, 0, "DSP1-x")
    assert progress.unlocked(["l1", "l2", "l3"]) == {"l1"}
    progress.record("l1", True, 1, 100, "DSP1-y")
    assert progress.unlocked(["l1", "l2", "l3"]) == {"l1", "l2"}


def test_corrupt_save_is_set_aside_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "progress" / "ada.json"
    path.parent.mkdir(parents=True)
    path.write_text("{ not json")
    progress = Progress.load("ada", tmp_path)
    assert progress.levels == {}
    assert progress.warning and "could not be read" in progress.warning
    assert (tmp_path / "progress" / "ada.json.corrupt-1").read_text() == "{ not json"
    progress.record("l1", True, 1, 10, "DSP1-z")
    assert json.loads(path.read_text())["levels"]["l1"]["won"] is True


def test_atomic_write_leaves_the_old_file_if_writing_fails(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    target = tmp_path / "save.json"
    atomic_write_text(target, "old")

    def boom(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["save.json"]


def test_bad_player_names_are_refused(tmp_path: Path) -> None:
    for name in ("../etc", "", "a b", "x" * 40):
        with pytest.raises(ValueError, match="bad player name"):
            Progress.load(name, tmp_path)


def test_an_act_two_section_opens_when_its_act_one_section_is_won(tmp_path: Path) -> None:
    """Act I opens one level after another; a section's act II levels open, in turn, only
    once every act I level of that section is won, whatever happens in other sections."""
    order = ["net-1", "net-2", "clock-1", "net-ii-1", "net-ii-2", "clock-ii-1"]
    sections = {"net-1": (1, "net"), "net-2": (1, "net"), "clock-1": (1, "clock"),
                "net-ii-1": (2, "net"), "net-ii-2": (2, "net"), "clock-ii-1": (2, "clock")}
    progress = Progress.load("ada", tmp_path)
    assert progress.unlocked(order, sections) == {"net-1"}
    progress.record("net-1", True, 1, 100, "DSP2-a")
    assert progress.unlocked(order, sections) == {"net-1", "net-2"}
    progress.record("net-2", True, 1, 100, "DSP2-b")  # the whole act I network section
    assert progress.unlocked(order, sections) == {"net-1", "net-2", "clock-1", "net-ii-1"}
    progress.record("net-ii-1", True, 1, 100, "DSP2-c")
    assert "net-ii-2" in progress.unlocked(order, sections)
    assert "clock-ii-1" not in progress.unlocked(order, sections)
    progress.record("clock-1", True, 1, 100, "DSP2-d")
    assert progress.unlocked(order, sections) == set(order)
