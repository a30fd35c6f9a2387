"""SVG snapshots of campaign act II: the map with both acts, an act II level mid-play, the
reason asked when claiming a level unbreakable, and a KEEP IT debrief with its histogram of
the key metric over the level's seeds (each at 80x24 and 120x40).

The test campaign's act II level ``timeout-ii`` (Unreliable Networks) opens once its act I
section (``first-cut``) is won. Update with ``pytest tests/tui/test_snapshots_acts.py
--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import judged_over_seeds, make_app, start, win_levels

SMALL = (80, 24)
LARGE = (120, 40)
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])


def opening(level_id: str, *keys: str):
    async def run_before(pilot) -> None:
        await start(pilot, level_id)
        await pilot.press(*keys)

    return run_before


def judged(timeout_ms: int):
    """timeout-ii run to its end with ``timeout_ms``, then judged over its 10 seeds."""

    async def run_before(pilot) -> None:
        await judged_over_seeds(pilot, "timeout-ii", timeout_ms=timeout_ms)
        body = pilot.app.screen.query_one("#debrief-body")
        histogram = pilot.app.screen.query_one("#seed-histogram")
        screen = pilot.app.screen
        for _ in range(100):  # until the histogram is laid out, the body scrolled to its end
            body.scroll_end(animate=False, immediate=True)
            await pilot.pause()  # ... and painted: its scrollbar once showed the top
            if histogram.region.height and body.scroll_y == body.max_scroll_y \
                    and not (screen._dirty_widgets or screen._layout_required
                             or screen._repaint_required):
                break

    return run_before


@SIZES
def test_map_with_both_acts(snap_compare, data_dir: Path, size: tuple[int, int]) -> None:
    win_levels(data_dir, "first-cut", stars=3)
    assert snap_compare(make_app(data_dir), press=["c"], terminal_size=size)


@SIZES
def test_act_two_level_mid_play(snap_compare, data_dir: Path, size: tuple[int, int]) -> None:
    win_levels(data_dir, "first-cut")
    keys = ["e", "ctrl+u", "3", "0", "0", "enter", "enter", *["right_curly_bracket"] * 4]
    assert snap_compare(make_app(data_dir), terminal_size=size,
                        run_before=opening("timeout-ii", *keys))


@SIZES
def test_reason_dialog(snap_compare, data_dir: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(data_dir), terminal_size=size,
                        run_before=opening("two-faced", "right_curly_bracket",
                                           "exclamation_mark", "down"))


@SIZES
def test_keep_debrief_with_its_seed_histogram(snap_compare, data_dir: Path,
                                              size: tuple[int, int]) -> None:
    """220 ms wins the level's seed 3 but not seeds 11 and 12: lost, with the histogram."""
    win_levels(data_dir, "first-cut")
    assert snap_compare(make_app(data_dir), terminal_size=size, run_before=judged(220))
