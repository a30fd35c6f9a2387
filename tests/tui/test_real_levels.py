"""SVG snapshots of the real campaign (``levels/``): its map, and the play screen of five
levels at the moment their lesson shows, each run with its reference solution
(``levels/solutions/<id>.toml``) and seeked to a fixed tick with the clock paused.

Update with ``pytest tests/tui/test_real_levels.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.game.actionfile import load_attempt
from playground.tui.screens.debrief import DebriefScreen
from playground.tui.screens.play import PlayScreen
from tests.tui.conftest import make_app

LEVELS = Path(__file__).resolve().parents[2] / "levels"
SOLUTIONS = LEVELS / "solutions"

SMALL = (80, 24)
LARGE = (120, 40)
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])


def real_app(data_dir: Path):
    return make_app(data_dir, levels_dir=LEVELS)


def solved_at(level_id: str, tick: int):
    """Open ``level_id`` with its reference solution and show the run at ``tick``; if the
    run was won on the way, leave the debrief for the board (as the player would)."""

    async def run_before(pilot) -> None:
        app = pilot.app
        code = load_attempt(SOLUTIONS / f"{level_id}.toml").to_share_code()
        app.start_level(app.campaign().get(level_id), replace=False, share_code=code)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PlayScreen)
        assert screen.share_problem is None
        screen.action_seek(tick)
        await pilot.pause()
        if isinstance(app.screen, DebriefScreen):
            await pilot.press("b")
            await pilot.pause()
        assert app.screen is screen
        assert screen.controller.now == tick

    return run_before


def test_real_campaign_map(snap_compare, data_dir: Path) -> None:
    assert snap_compare(real_app(data_dir), press=["c"], terminal_size=LARGE)


@SIZES
def test_real_split_brain_violation(snap_compare, data_dir: Path,
                                    size: tuple[int, int]) -> None:
    """Partitioned [n3, n1] / [n2, n4, n5] with a quorum of 2: both sides commit; the
    violation (tick 1214) is flagged in the diagram."""
    assert snap_compare(real_app(data_dir), terminal_size=size,
                        run_before=solved_at("split-brain", 1300))


@SIZES
def test_real_gc_pause_frozen_holder(snap_compare, data_dir: Path,
                                     size: tuple[int, int]) -> None:
    """client-1 frozen at 601 for 2000 ms: its lease has expired and client-2 holds the lock."""
    assert snap_compare(real_app(data_dir), terminal_size=size,
                        run_before=solved_at("gc-pause", 1500))


@SIZES
def test_real_negative_elapsed_clock_step(snap_compare, data_dir: Path,
                                          size: tuple[int, int]) -> None:
    """client-1's time-of-day clock stepped back 2000 ms at tick 500."""
    assert snap_compare(real_app(data_dir), terminal_size=size,
                        run_before=solved_at("negative-elapsed", 600))


@SIZES
def test_real_three_generals_forgery(snap_compare, data_dir: Path,
                                     size: tuple[int, int]) -> None:
    """Lieutenant n3 forges n1's order to n2: n2 retreats against a loyal commander."""
    assert snap_compare(real_app(data_dir), terminal_size=size,
                        run_before=solved_at("three-generals", 400))


@SIZES
def test_real_stale_read_partition(snap_compare, data_dir: Path,
                                   size: tuple[int, int]) -> None:
    """Partitioned [c1, n1] / [c2, n2, n3] at tick 1200."""
    assert snap_compare(real_app(data_dir), terminal_size=size,
                        run_before=solved_at("stale-read-partition", 1300))
