"""How a run starts, restarts and goes back in time, driven through the app with Pilot."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

from textual.widgets import Input, OptionList, Select, Static

from playground.tui.screens.briefing import ShareCodeScreen
from playground.tui.screens.claim import ClaimReasonScreen
from playground.tui.screens.confirm import ConfirmScreen
from playground.tui.screens.debrief import DebriefScreen
from playground.tui.screens.params import ToolParamsScreen
from playground.tui.screens.play import PlayScreen
from playground.tui.widgets.cluster import ClusterGrid
from playground.tui.widgets.panels import LinksPanel
from playground.tui.widgets.toolbox import KnobPanel, Toolbox
from tests.tui.conftest import FakeClock, make_app, start, wait_until

SIZE = (120, 40)


async def test_a_keep_it_level_opens_and_restarts_paused_on_its_knobs(data_dir: Path) -> None:
    app = make_app(data_dir, autoplay=True)  # the real game's setting: levels start running
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "keep-lease")
        knobs = screen.query_one(KnobPanel)
        for _ in range(2):  # opening, then Ctrl+R: the same every time
            assert not screen.playing and screen.controller.now == 0
            assert knobs.has_focus and "set the knobs" in knobs.markup_text
            await pilot.press("space")
            assert screen.playing
            await pilot.press("ctrl+r")
        await pilot.press("enter")  # "go": restart with the knobs and run
        assert screen.playing and "restarted with" in knobs.markup_text


async def test_a_break_it_level_restarts_as_it_opened(data_dir: Path) -> None:
    app = make_app(data_dir, autoplay=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "first-cut")
        assert screen.playing and screen.query_one(ClusterGrid).has_focus
        await pilot.press("space")
        wall = FakeClock()
        screen.clock = wall  # real time now passes only when the test says so
        await pilot.press("ctrl+r")
        assert screen.playing and screen.controller.now == 0
        wall.now += 0.25
        await wait_until(pilot, lambda: screen.controller.now > 0, "the restarted run to play")
        await pilot.press("space")


async def test_a_rewound_screen_keeps_the_move_and_says_it_replays(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "sandbox")
        c = screen.controller
        await pilot.press(*(["right_square_bracket"] * 4), "p")
        await pilot.press("enter")  # the partition dialog's default groups
        assert len(c.session.player_actions) == 1
        moved_at = c.session.player_actions[0].tick
        await pilot.press(*(["right_square_bracket"] * 6))
        links = screen.query_one(LinksPanel)
        cut_text = links.markup_text
        assert "cut" in cut_text
        await pilot.press("home")
        assert c.now == 0 and "all" in links.markup_text
        toolbox = screen.query_one(Toolbox).markup_text
        assert f"t={moved_at}" in toolbox and "replays" in toolbox
        await pilot.press(*(["right_square_bracket"] * 6))
        assert isinstance(app.screen, PlayScreen) and links.markup_text == cut_text


async def test_claiming_unbreakable_asks_why_then_asks_first_and_no_keeps_playing(
        data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "two-faced")
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, ClaimReasonScreen)
        listed = app.screen.query_one(OptionList)
        assert [str(listed.get_option_at_index(i).prompt) for i in range(3)] == [
            f"{n}. {text}" for n, text in enumerate(screen.level.claim_reasons, start=1)]
        await pilot.press("escape")  # takes the claim back
        assert app.screen is screen and screen.controller.session.claim is None
        await pilot.press("exclamation_mark", "down", "enter")  # the second reason
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one(Static).render())
        assert "cannot be taken back" in question
        assert screen.level.claim_reasons[1] in question.replace("\n", " ")
        await pilot.press("enter")  # the focused answer is the safe one
        assert app.screen is screen and screen.controller.session.claim is None
        await pilot.press("exclamation_mark", "1", "escape")
        assert app.screen is screen and not screen.controller.finished
        await pilot.press("exclamation_mark", "3", "y")
        assert isinstance(app.screen, DebriefScreen)
        assert screen.controller.session.reason == 3
        assert screen.controller.outcome().state == "lost"  # it can be broken


async def test_leaving_mid_run_asks_first_but_not_before_anything_happened(
        data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "first-cut")
        await pilot.press("escape")  # nothing happened yet: leave at once
        assert not isinstance(app.screen, (PlayScreen, ConfirmScreen))
        screen = await start(pilot, "first-cut")
        await pilot.press("right_square_bracket", "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is screen and screen.controller.now > 0
        await pilot.press("escape", "y")
        assert not isinstance(app.screen, (PlayScreen, ConfirmScreen))


async def test_knobs_take_big_steps_ends_and_typed_values(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "keep-lease")
        c = screen.controller
        await pilot.press("down", "end")  # lease (ms): 50 to 1000 in steps of 50
        assert c.draft_knobs["lease_ms"] == 1000
        await pilot.press("home", "pageup")
        assert c.draft_knobs["lease_ms"] == 550
        await pilot.press("pagedown", "pagedown")
        assert c.draft_knobs["lease_ms"] == 50
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, ToolParamsScreen)
        box = dialog.query_one(Input)
        box.value = "99999"
        await pilot.press("enter")
        error = str(dialog.query_one("#params-error", Static).render())
        assert app.screen is dialog and "out of range" in error and "from" in error
        box.value = "300"
        await pilot.press("enter")
        assert app.screen is screen and c.draft_knobs["lease_ms"] == 300
        await pilot.press("up", "e")  # a knob with choices: picked from a list, not typed
        picker = app.screen
        assert isinstance(picker, ToolParamsScreen) and picker.query(Select)
        await pilot.press("down")  # opens the list
        await pilot.press("down", "enter")  # picks the next choice
        await pilot.press("enter")  # applies
        assert app.screen is screen and c.draft_knobs["clock"] != c.current_knobs()["clock"]


async def test_a_bad_share_code_stays_in_the_dialog_and_says_why(data_dir: Path) -> None:
    from playground.game.actionfile import Attempt

    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        app.open_briefing(app.campaign().get("two-faced"))
        await pilot.pause()
        await pilot.press("v")
        dialog = app.screen
        assert isinstance(dialog, ShareCodeScreen)
        box = dialog.query_one(Input)
        other = Attempt("first-cut", None, {}, ()).to_share_code()
        for code, words in (("DSP1-garbage", "not a share code"),
                            (other, "another level (first-cut)")):
            box.value = code
            await pilot.press("enter")
            assert app.screen is dialog, code
            assert words in str(dialog.query_one("#share-error", Static).render())
        await pilot.press("escape")
        assert not isinstance(app.screen, PlayScreen)



async def test_the_clock_keeps_running_when_the_game_is_paused_between_two_lines(
        data_dir: Path, monkeypatch) -> None:
    """On a loaded server a game can be paused between any two lines for longer than a frame.
    Textual's one-shot timer reads the time twice before it sleeps and drops its only tick
    when the second reading is past the deadline: a frame scheduled that way never came, and
    the game said "playing" and stood still (seen in the 5-minute browser run). Here every
    reading of a one-shot timer's clock stalls 40 ms, more than a frame: frames must still come."""
    import textual.timer

    real_time = textual.timer._time

    def stalled_clock() -> float:
        caller = sys._getframe(1).f_locals.get("self")
        if isinstance(caller, textual.timer.Timer) and caller._repeat == 0:
            time.sleep(0.04)  # a one-shot timer (a frame's) is paused between its readings
        return real_time.get_time()

    app = make_app(data_dir, autoplay=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "first-cut")
        await pilot.press("space")
        wall = FakeClock()
        screen.clock = wall  # real time now passes only when the test says so
        await pilot.press("space")
        monkeypatch.setattr(textual.timer, "_time",
                            SimpleNamespace(get_time=stalled_clock, sleep=real_time.sleep))
        for _ in range(5):  # five frames in a row, each after real time has passed
            before = screen.controller.now
            wall.now += 0.1
            await wait_until(pilot, lambda: screen.controller.now > before,  # noqa: B023
                             "the next frame")
        assert screen.playing
