"""At 80x24 nothing that matters falls off: the status bar keeps the action count, the footer
keeps ``esc Leave``, every briefing shows its Par line without scrolling, and the sandbox
(9 nodes) keeps at least 8 rows of space-time diagram."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.protocols.registry import get_protocol
from playground.tui.screens.briefing import BriefingScreen
from playground.tui.screens.play import PlayScreen
from playground.tui.screens.sandbox import sandbox_level
from playground.tui.widgets.spacetime import SpaceTime
from tests.tui.conftest import make_app
from tests.tui.test_words import CAMPAIGN, LEVELS, screen_text

SMALL = (80, 24)
#: The level whose title leaves the status bar the least room.
LONGEST_TITLE = max(CAMPAIGN.levels, key=lambda level: len(level.title))
SHOWN_TICK = 100  # early enough that no level has ended


async def open_at(pilot, level, tick: int) -> PlayScreen:
    """Start ``level`` and show ``tick``."""
    pilot.app.start_level(level, replace=False)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PlayScreen)
    screen.action_seek(tick)
    await pilot.pause()
    return screen


async def test_status_bar_and_footer_keep_the_action_count_and_leave(data_dir: Path) -> None:
    app = make_app(data_dir, levels_dir=LEVELS)
    async with app.run_test(size=SMALL) as pilot:
        await open_at(pilot, LONGEST_TITLE, SHOWN_TICK)
        lines = screen_text(app).splitlines()
        assert "actions 0" in lines[0]
        assert f"t={SHOWN_TICK}/{LONGEST_TITLE.ticks}ms" in lines[0]
        assert "…" in lines[0]  # the title gave way, and says so
        assert "esc Leave" in lines[-1]


@pytest.mark.parametrize("level", CAMPAIGN.levels, ids=lambda level: level.id)
async def test_every_briefing_shows_its_par_line(level, data_dir: Path) -> None:
    if not level.par:
        pytest.skip("no par in this level")
    app = make_app(data_dir, levels_dir=LEVELS)
    async with app.run_test(size=SMALL) as pilot:
        app.push_screen(BriefingScreen(level))
        await pilot.pause()
        text = screen_text(app)
    assert any(line.strip().startswith("Par") for line in text.splitlines()), text


@pytest.mark.parametrize("protocol", ["raft", "failure_detector"])
async def test_a_nine_node_sandbox_keeps_eight_rows_of_diagram(protocol: str,
                                                               data_dir: Path) -> None:
    level = sandbox_level(get_protocol(protocol), 9)
    app = make_app(data_dir, levels_dir=LEVELS)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_at(pilot, level, level.ticks // 3)  # cards full of beliefs
        diagram = screen.query_one(SpaceTime)
        assert diagram.size.height >= 8 + 1  # a header and eight rows of time
