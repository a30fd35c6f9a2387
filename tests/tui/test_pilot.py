"""Every interaction, driven through the app with Pilot (keys and mouse)."""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.command import CommandList

from playground.game.actionfile import parse_share_code
from playground.game.campaign import load_campaign
from playground.game.leaderboard import LEADERBOARD_ENV, PLAYER_ENV, Leaderboard
from playground.game.progress import Progress
from playground.sim import FROZEN
from playground.tui.app import PlaygroundApp
from playground.tui.screens.briefing import BriefingModal, BriefingScreen, ShareCodeScreen
from playground.tui.screens.campaign import CampaignScreen
from playground.tui.screens.codex import CodexScreen
from playground.tui.screens.debrief import DebriefScreen
from playground.tui.screens.help import HelpScreen
from playground.tui.screens.params import ToolParamsScreen
from playground.tui.screens.play import PlayScreen
from playground.tui.screens.sandbox import SandboxScreen
from playground.tui.screens.settings import SettingsScreen
from playground.tui.screens.title import TitleScreen
from playground.tui.widgets.cluster import ClusterGrid
from playground.tui.widgets.panels import LinksPanel, Scrubber, StatusBar
from playground.tui.widgets.spacetime import SpaceTime
from playground.tui.widgets.toolbox import KnobPanel, Toolbox
from tests.tui.conftest import CAMPAIGN, FakeClock, make_app, start, wait_until, win_levels

SIZE = (120, 40)


def highlighted_command(app: PlaygroundApp) -> str | None:
    """The command the palette would run on Enter, if it is open and lists one."""
    lists = app.screen.query(CommandList)
    if not lists or lists.first().highlighted is None:
        return None
    command_list = lists.first()
    prompt = str(command_list.get_option_at_index(command_list.highlighted).prompt)
    return prompt.splitlines()[0]  # its title; its keys are on the next line


def jump(n: int) -> list[str]:
    return ["right_square_bracket"] * n


async def test_title_menu_keys_open_screens(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("c")
        assert isinstance(app.screen, CampaignScreen)
        await pilot.press("escape", "s")
        assert isinstance(app.screen, SandboxScreen)
        await pilot.press("escape", "x")
        assert isinstance(app.screen, CodexScreen)
        await pilot.press("escape", "l")
        assert type(app.screen).__name__ == "LeaderboardScreen"
        await pilot.press("escape", "f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "f2")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape", "down", "enter")
        assert isinstance(app.screen, SandboxScreen)


async def test_map_locks_levels_and_opens_briefing_then_play(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        screen.open_level("lease-pause")  # locked: nothing opens
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("enter")
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level.id == "first-cut"
        await pilot.press("enter")
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CampaignScreen)


async def test_selecting_by_number_arrows_mouse_and_links(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "lease-pause")
        c = screen.controller
        await pilot.press("3")
        assert c.selection == "n3"
        await pilot.press("right")
        assert c.selection == "n4"
        await pilot.press("up")
        assert c.selection == "n1"
        await pilot.press("l")
        assert c.selection == "n1<->n2"
        await pilot.press("d")
        assert c.selection == "n1->n2"
        grid = screen.query_one(ClusterGrid)
        plan = grid.plan()
        await pilot.click(ClusterGrid, offset=(plan.card_width + 3, 2))
        assert c.selection == "n2"
        diagram = screen.query_one(SpaceTime)
        from playground.tui.diagram import Geometry

        geometry = Geometry.of(diagram.size.width, 5)
        await pilot.click(SpaceTime, offset=(int(geometry.x(4)), 3))
        assert c.selection == "n5"
        await pilot.press("9")
        assert "no node 9" in (screen.message or "")


async def test_every_tool_applies_from_its_key(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "sandbox")
        c = screen.controller
        world = lambda: c.world  # noqa: E731

        async def tool(key: str, *extra: str) -> None:
            await pilot.press(key)
            if isinstance(app.screen, ToolParamsScreen):
                await pilot.press(*extra, "enter")
            assert isinstance(app.screen, PlayScreen), app.screen
            assert screen.message_ok, screen.message

        await pilot.press("1", "l")  # n1<->n2
        await tool("c")
        assert world().links[("n1", "n2")].cut and world().links[("n2", "n1")].cut
        await tool("h")
        assert not world().links[("n1", "n2")].cut
        await tool("o")
        assert world().links[("n1", "n2")].holding
        await tool("r")
        assert not world().links[("n1", "n2")].holding
        await tool("w")
        assert world().links[("n1", "n2")].spec.latency.base == 200
        await tool("p")
        assert world().links[("n1", "n2")].cut and not world().links[("n2", "n3")].cut
        await pilot.press("2")
        await tool("f")
        assert world().nodes["n2"].status == FROZEN
        await tool("u")
        assert world().nodes["n2"].status == "running"
        await tool("x")
        assert world().nodes["n2"].status == "crashed"
        await tool("v")
        assert world().nodes["n2"].status == "running"
        before = world().clock_readings("n2")["offset"]
        await tool("t")
        assert world().clock_readings("n2")["offset"] == before - 500
        await tool("g")
        assert world().nodes["n2"].clock.drift_ppm == 200
        await tool("m")
        assert world().nodes["n2"].clock.rate_ppm == 200
        await tool("y")
        assert world().nodes["n2"].lie is not None
        await tool("e")
        assert world().nodes["n2"].lie is None
        assert len(c.session.player_actions) == 15


async def test_refusals_are_explained_in_the_toolbox(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "two-faced")
        await pilot.press("c")  # not in this toolbox
        assert not screen.message_ok and "toolbox" in screen.message
        assert "toolbox" in screen.query_one(Toolbox).markup_text
        await pilot.press("3", "y", "enter")
        assert screen.message_ok
        await pilot.press("y")  # budget spent: refused without a dialog
        assert isinstance(app.screen, PlayScreen)
        assert "No lies left: this level allows 1" in screen.message
        await pilot.press("escape")
        screen = await start(pilot, "lease-pause")
        await pilot.press("3", "f")
        dialog = app.screen
        assert isinstance(dialog, ToolParamsScreen)
        dialog.query_one("#param-duration").value = "9000"
        await pilot.press("enter")
        assert app.screen is dialog  # stays open and says why
        assert "at most 1500" in str(dialog.query_one("#params-error").render())
        await pilot.press("escape")
        assert isinstance(app.screen, PlayScreen) and not screen.controller.session.player_actions
        await pilot.press("escape")
        screen = await start(pilot, "keep-it")
        await pilot.press("c")
        assert "KEEP IT" in screen.message


async def test_speed_play_pause_and_the_timer(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "first-cut")
        assert screen.speed == 4 and not screen.playing
        await pilot.press("plus")
        assert screen.speed == 16
        await pilot.press("plus", "plus")
        assert screen.speed == 64 and "64x" in screen.query_one(StatusBar).text
        await pilot.press("minus")
        assert screen.speed == 16
        wall = FakeClock()
        screen.clock = wall
        await pilot.press("space")
        assert screen.playing
        wall.now += 0.5  # half a real second at 16x: 400 ticks
        await wait_until(pilot, lambda: screen.controller.now > 0, "the clock to run")
        assert screen.controller.now == 400
        await pilot.press("space")
        assert not screen.playing
        wall.now += 1.0
        screen._frame()  # a frame already due when the key came does nothing
        assert screen.controller.now == 400
        await pilot.press("space")  # the second spent paused is not made up for
        wall.now += 0.25
        await wait_until(pilot, lambda: screen.controller.now > 400, "the clock to run again")
        assert screen.controller.now == 600


async def test_step_tick_and_next_event(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "first-cut")
        c = screen.controller
        await pilot.press("full_stop")
        assert c.now == 1
        trace = len(c.world.trace)
        await pilot.press("n")
        assert c.now > 1 and len(c.world.trace) > trace
        assert f"t={c.now}/" in screen.query_one(StatusBar).text


async def test_rewind_and_fork(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "first-cut")
        c = screen.controller
        await pilot.press(*jump(10), "3", "l", "c", *jump(5))
        assert c.now > 900 and len(c.session.player_actions) == 1
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert c.in_past and "past" in screen.query_one(StatusBar).text
        await pilot.press("home")
        assert c.now == 0
        await pilot.press(*jump(2), "l", "c")  # acting in the past forks
        assert "forked" in screen.message
        assert [a.tick for a in c.session.player_actions] == [121]
        assert not c.in_past
        scrubber = screen.query_one(Scrubber)
        await pilot.click(Scrubber, offset=(scrubber.size.width - 6, 0))
        assert c.now > 2500


async def test_win_saves_progress_and_opens_the_next_level(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "first-cut")
        await pilot.press(*jump(16), "3", "l", "c", "l", "c", *jump(12))
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen) and debrief.debrief.won
        assert debrief.debrief.causes and debrief.improved
        saved = json.loads((data_dir / "progress" / "local.json").read_text())
        assert saved["levels"]["first-cut"]["won"] is True
        assert saved["levels"]["first-cut"]["solution"].startswith("DSP2-")
        await pilot.press("b")
        assert app.screen is screen and "WON" in screen.query_one(StatusBar).text
        screen.controller._reported = None
        screen.after_change()
        await pilot.pause()
        await pilot.press("n")
        assert isinstance(app.screen, BriefingScreen) and app.screen.level.id == "clock-step"


@pytest.fixture
def served_board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The leaderboard a server hands its games, with the game played as "ada"."""
    board_path = tmp_path / "leaderboard.sqlite3"
    monkeypatch.setenv(LEADERBOARD_ENV, str(board_path))
    monkeypatch.setenv(PLAYER_ENV, "ada")
    return board_path


async def test_a_win_under_a_server_goes_on_the_leaderboard(
        data_dir: Path, served_board: Path) -> None:
    board_path = served_board
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "first-cut")
        await pilot.press(*jump(16), "3", "l", "c", "l", "c", *jump(12))
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen) and debrief.debrief.won
        [row] = Leaderboard(board_path).top("first-cut")
        assert (row.player, row.score, row.stars) == (
            "ada", debrief.debrief.points, debrief.debrief.stars)
        assert parse_share_code(row.share_code or "").actions  # the winning run, replayable


async def test_a_loss_under_a_server_stays_off_the_leaderboard(
        data_dir: Path, served_board: Path) -> None:
    board_path = served_board
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "two-faced")
        await pilot.press(*(["right_curly_bracket"] * 10))  # to the end, doing nothing
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen) and debrief.debrief.state == "lost"
        assert Leaderboard(board_path).top("two-faced") == []


async def test_lose_by_running_out_of_time_and_by_a_wrong_claim(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "two-faced")
        await pilot.press("right_curly_bracket", *(["right_curly_bracket"] * 9))
        assert isinstance(app.screen, DebriefScreen) and app.screen.debrief.state == "lost"
        await pilot.press("r")
        assert app.screen is screen and screen.controller.now == 0
        await pilot.press("exclamation_mark", "2", "y")
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen) and debrief.debrief.state == "lost"
        assert "claim was wrong" in debrief.debrief.reason
        await pilot.press("m")
        progress = Progress.load("local", data_dir)
        assert not progress.levels.get("two-faced") or not progress.levels["two-faced"].won


async def test_keep_level_knobs_by_keys(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "keep-lease")
        knobs = screen.query_one(KnobPanel)
        assert knobs.has_focus
        await pilot.press("right")
        assert screen.controller.draft_knobs["clock"] == "mono"
        assert "*" in knobs.markup_text
        await pilot.press("enter")
        assert screen.controller.session.knobs == {"clock": "mono", "lease_ms": 200}
        await pilot.press(*(["right_curly_bracket"] * 10))
        assert isinstance(app.screen, DebriefScreen) and app.screen.debrief.won


async def test_hints_are_progressive(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "first-cut")
        level = screen.level
        for i in range(3):
            await pilot.press("i")
            assert screen.hint.endswith(level.hints[i])
        await pilot.press("i")
        assert screen.controller.hints_shown == 3
        await pilot.press("b")
        assert isinstance(app.screen, BriefingModal)
        await pilot.press("escape")
        assert app.screen is screen


async def test_links_panel_lists_cuts_and_clicks_select(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "sandbox")
        await pilot.press("1", "l", "d", "c", "4")
        panel = screen.query_one(LinksPanel)
        assert "n1 ─╳→ n2 cut (one way)" in panel.markup_text
        await pilot.click(LinksPanel, offset=(2, 0))
        assert screen.controller.selection == "n1->n2"


async def test_palette_runs_play_commands(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "first-cut")
        titles = [c.title for c in screen.palette_commands()]
        assert "Speed 64x" in titles and "Tool: cut link (select a target)" in titles
        await pilot.press("ctrl+p")
        await pilot.press(*"speed 64x")
        await wait_until(pilot, lambda: highlighted_command(app) == "Speed 64x",
                         "'Speed 64x' highlighted in the palette")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.speed == 64, "the speed set to 64x")


async def test_settings_change_theme_colour_and_are_saved(data_dir: Path) -> None:
    app = make_app(data_dir, theme=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        assert isinstance(app.screen, SettingsScreen)
        from textual.widgets import Switch

        await pilot.click(Switch)
        assert not app.colour
        app.theme = "nord"
        await pilot.pause()
        await pilot.press("escape")
    saved = json.loads((data_dir / "progress" / "local.json").read_text())["settings"]
    assert saved["colour"] is False and saved["theme"] == "nord"
    again = make_app(data_dir, theme=None)
    async with again.run_test(size=(80, 24)):
        assert again.theme == "nord" and not again.colour


async def test_codex_lists_met_concepts(data_dir: Path) -> None:
    win_levels(data_dir, "first-cut")
    app = make_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        codex = app.screen
        assert isinstance(codex, CodexScreen)
        assert "concept:lease" in codex.entries
        await pilot.press("down")
        assert "Unreliable Networks" in str(codex.query_one("#codex-detail").render())


async def test_share_code_replays_a_run(data_dir: Path) -> None:
    campaign = load_campaign(CAMPAIGN)
    from playground.game.actionfile import Attempt
    from playground.sim import Action

    code = Attempt("two-faced", None, {}, (Action.make(600, "lie", "n3",
                                                       strategy="equivocate"),)).to_share_code()
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        app.open_briefing(campaign.get("two-faced"))
        await pilot.pause()
        await pilot.press("v")
        assert isinstance(app.screen, ShareCodeScreen)
        app.screen.query_one("#share-input").value = code
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, PlayScreen)
        assert [a.tool for a in screen.controller.session.player_actions] == ["lie"]


async def test_sandbox_screen_builds_a_level_for_a_protocol(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        sandbox = app.screen
        assert isinstance(sandbox, SandboxScreen)
        ids = list(sandbox.choices)
        assert ids[0] == "level:sandbox" and "protocol:tui-lease" in ids
        index = ids.index("protocol:tui-lease")
        sandbox.query_one("#sandbox-list").highlighted = index
        await pilot.click("#size-9")
        await pilot.press("enter")
        play = app.screen
        assert isinstance(play, PlayScreen) and len(play.level.nodes) == 9
        assert play.level.mode == "sandbox"
