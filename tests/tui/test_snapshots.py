"""SVG snapshots of every screen and of the play screen in the chapter's key situations.

Deterministic by construction: seeded levels, simulated time moved only by key presses (the
app's wall-clock timer never runs: ``autoplay=False``), an explicit theme, absolute CSS path.
Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import make_app, start, win_levels

SMALL = (80, 24)
LARGE = (120, 40)
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])


def jumps(n: int, big: bool = False) -> list[str]:
    """``n`` presses of ] (a 50th of the level) or } (a tenth)."""
    return [("right_curly_bracket" if big else "right_square_bracket")] * n


def opening(level_id: str):
    async def run_before(pilot) -> None:
        await start(pilot, level_id)

    return run_before


# ------------------------------------------------------------------ screens
def test_title(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), terminal_size=SMALL)


def test_campaign_map(snap_compare, data_dir: Path) -> None:
    win_levels(data_dir, "first-cut", stars=3)
    win_levels(data_dir, "clock-step", stars=1)
    assert snap_compare(make_app(data_dir), press=["c"], terminal_size=SMALL)


def test_briefing(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), press=["c", "enter"], terminal_size=SMALL)


def test_debrief(snap_compare, data_dir: Path) -> None:
    keys = [*jumps(3, big=True), *jumps(2), "3", "l", "c", "l", "c", *jumps(2, big=True)]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=SMALL,
                        run_before=opening("first-cut"))


def test_codex(snap_compare, data_dir: Path) -> None:
    win_levels(data_dir, "first-cut", "clock-step")
    assert snap_compare(make_app(data_dir), press=["x", "down"], terminal_size=SMALL)


def test_help(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), press=["f1"], terminal_size=SMALL)


def test_settings(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), press=["f2"], terminal_size=SMALL)


def test_sandbox_picker(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), press=["s"], terminal_size=SMALL)


def test_sandbox_play(snap_compare, data_dir: Path) -> None:
    keys = [*jumps(1), "2", "x", "enter", "4", "l", "c", *jumps(2)]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=SMALL,
                        run_before=opening("sandbox"))


def test_keep_level_knobs(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), press=["right", "down"], terminal_size=SMALL,
                        run_before=opening("keep-lease"))


# ------------------------------------------------------------------ the play screen
@SIZES
def test_play_at_start(snap_compare, data_dir: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(data_dir), terminal_size=size,
                        run_before=opening("lease-pause"))


@SIZES
def test_play_partition(snap_compare, data_dir: Path, size: tuple[int, int]) -> None:
    """The leader n3 cut off from both followers: it still believes it leads."""
    keys = [*jumps(3, big=True), *jumps(2), "3", "l", "c", "l", "c", *jumps(5)]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=size,
                        run_before=opening("first-cut"))


@SIZES
def test_play_frozen_lease_holder(snap_compare, data_dir: Path, size: tuple[int, int]) -> None:
    """n3 frozen mid-write: its lease has expired and n4 leads, but n3 does not know."""
    keys = [*jumps(3, big=True), *jumps(3), "3", "f", "enter", *jumps(2, big=True), *jumps(2)]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=size,
                        run_before=opening("lease-pause"))


@SIZES
def test_play_stepped_back_clock(snap_compare, data_dir: Path, size: tuple[int, int]) -> None:
    """n3 isolated, then its time-of-day clock stepped back 1000 ms (↶ on its card)."""
    keys = [*jumps(3, big=True), *jumps(2), "3", "l", "c", "l", "c", *jumps(2), "3", "t",
            "enter", *jumps(4)]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=size,
                        run_before=opening("clock-step"))


@SIZES
def test_play_byzantine_equivocation(snap_compare, data_dir: Path,
                                     size: tuple[int, int]) -> None:
    """The leader n3 lies (≠): followers store different values; back on the board."""
    keys = [*jumps(3, big=True), "3", "y", "enter", *jumps(1, big=True), "b"]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=size,
                        run_before=opening("two-faced"))


@SIZES
def test_play_split_brain_violation(snap_compare, data_dir: Path,
                                    size: tuple[int, int]) -> None:
    """Two leaders wrote: the violation row (!!) and its causes (◉) in the diagram."""
    keys = [*jumps(3, big=True), *jumps(2), "3", "l", "c", "l", "c", *jumps(2, big=True), "b"]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=size,
                        run_before=opening("first-cut"))
