"""SVG snapshots of the detail line: a cut card's whole text (80x24) and a clicked event-log
line's (120x40). Update with ``--snapshot-update`` and look at the SVGs."""

from __future__ import annotations

from pathlib import Path

from playground.game.debrief import describe_event
from playground.tui.widgets.eventlog import EventLog
from playground.tui.widgets.panels import DetailLine
from tests.tui.conftest import make_app, start


async def _cut_card(pilot) -> None:
    screen = await start(pilot, "sandbox")
    screen.action_seek(600)
    await pilot.press("3")
    await pilot.pause()
    assert screen.query_one(DetailLine).display


async def _clicked_event(pilot) -> None:
    screen = await start(pilot, "sandbox")
    await pilot.press("1", "l", "c")
    screen.action_seek(400)
    await pilot.pause()
    log = screen.query_one(EventLog)
    width = log.scrollable_content_region.width
    top = int(log.scroll_offset.y)
    row = next(i - top for i in range(top, min(len(log.lines), top + log.size.height))
               if len(describe_event(log.lines[i])) > width)
    await pilot.click(EventLog, offset=(10, row))
    await pilot.pause()
    assert screen.query_one(DetailLine).display


def test_detail_line_of_a_cut_card(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), terminal_size=(80, 24), run_before=_cut_card)


def test_detail_line_of_a_clicked_event(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), terminal_size=(120, 40),
                        run_before=_clicked_event)
