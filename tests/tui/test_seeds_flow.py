"""A KEEP IT level over several seeds, played: the verdict runs in a worker while the play
screen stays live, the debrief says which seeds lost, and p replays a losing seed."""

from __future__ import annotations

from pathlib import Path

from playground.tui.screens.debrief import DebriefScreen
from playground.tui.screens.play import PlayScreen
from playground.tui.widgets.seeds import SeedHistogram
from tests.tui.conftest import judged_over_seeds, make_app, win_levels

SIZE = (120, 40)


async def test_a_setting_that_wins_one_seed_loses_the_level_and_a_losing_seed_replays(
        data_dir: Path) -> None:
    win_levels(data_dir, "first-cut")
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await judged_over_seeds(pilot, "timeout-ii", timeout_ms=220)
        assert screen.controller.outcome().state == "won"  # on the level's own seed
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen) and debrief.seeds is not None
        lost = [run.seed for run in debrief.seeds.lost]
        assert lost and screen.level.seed not in lost
        assert debrief.debrief.state == "lost" and debrief.debrief.points == 0
        histogram = str(debrief.query_one(SeedHistogram).render())
        assert f"won on {10 - len(lost)} of 10 seeds" in histogram
        assert f"replay seed {lost[0]}" in histogram
        assert not app.progress.levels["timeout-ii"].won
        await pilot.press("p")
        assert app.screen is screen and isinstance(screen, PlayScreen)
        assert screen.controller.session.seed == lost[0]
        assert screen.controller.session.knobs == {"timeout_ms": 220}
        screen.controller.advance_to(screen.level.ticks)
        assert screen.controller.outcome().state == "lost"  # the losing seed, watched


async def test_a_setting_that_holds_on_every_seed_wins_and_opens_nothing_to_replay(
        data_dir: Path) -> None:
    win_levels(data_dir, "first-cut")
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await judged_over_seeds(pilot, "timeout-ii", timeout_ms=300)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen) and debrief.debrief.won
        assert "held on all 10 seeds" in str(debrief.query_one(SeedHistogram).render())
        assert app.progress.levels["timeout-ii"].won
        await pilot.press("p")  # nothing lost: no replay
        assert app.screen is debrief


async def test_act_two_is_locked_until_its_act_one_section_is_won(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        order = app.campaign().order
        assert "timeout-ii" not in app.open_levels(order)
        assert "win every act I level of Unreliable Networks" in app.why_locked(
            app.campaign().get("timeout-ii"))
        win_levels(data_dir, "first-cut")
        app._progress = None  # read the save again
        assert "timeout-ii" in app.open_levels(order)
        await pilot.pause()
