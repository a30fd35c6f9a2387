"""``serve --room FILE``: the room file is checked like a level file, and a game in the room
opens only the room's levels and shows its message on the title screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from playground.game.campaign import load_campaign
from playground.game.room import Room, RoomError, load_room
from playground.game.roomenv import MESSAGE_ENV, OPEN_ENV
from tests.tui.conftest import CAMPAIGN, make_app

SIZE = (120, 40)


def room(tmp_path: Path, text: str) -> Room:
    path = tmp_path / "room.toml"
    path.write_text(text)
    return load_room(path, load_campaign())


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(RoomError) as caught:
        room(tmp_path, text)
    return str(caught.value)


def test_a_room_opens_a_list_of_levels_or_whole_sections(tmp_path: Path) -> None:
    campaign = load_campaign()
    assert room(tmp_path, 'levels = ["split-brain", "marzullo"]\n').levels == {
        "split-brain", "marzullo"}
    clocks = room(tmp_path, 'sections = ["Unreliable Clocks"]\n').levels
    assert clocks is not None and "marzullo" in clocks and "split-brain" not in clocks
    assert clocks == {i for i in campaign.order if campaign.get(i).chapter == "Unreliable Clocks"}
    assert room(tmp_path, 'open = "all"\n').levels == set(campaign.order)
    plain = room(tmp_path, 'message = "Today: clocks."\ntime-limit-minutes = 90\n')
    assert plain.levels is None  # the campaign, one level after another
    assert (plain.message, plain.time_limit) == ("Today: clocks.", 5400.0)
    assert plain.env() == {MESSAGE_ENV: "Today: clocks."}


def test_a_bad_room_file_names_its_line_and_field(tmp_path: Path) -> None:
    where = f"{tmp_path / 'room.toml'}:"
    assert problem(tmp_path, 'message = "hi"\nlevels = ["nope"]\n').startswith(
        f'{where}2: levels: unknown level "nope" (known: checkpoint-or-perish, ')
    assert problem(tmp_path, 'sections = ["Clocks"]\n').startswith(
        f'{where}1: sections: unknown section "Clocks" (known: Faults and Partial Failures, ')
    assert problem(tmp_path, '\nopen = "all"\nlevels = ["marzullo"]\n') == (
        f"{where}2: open: cannot be combined with sections or levels")
    assert problem(tmp_path, 'open = "some"\n') == (
        f'{where}1: open: must be "campaign" or "all", got "some"')
    assert problem(tmp_path, "time-limit-minutes = 0\n") == (
        f"{where}1: time-limit-minutes: must be more than 0")
    assert problem(tmp_path, "\n\nmotd = 1\n").startswith(f"{where}3: motd: unknown key")
    assert problem(tmp_path, "levels = [\n").startswith(f"{where}1: invalid TOML")


def test_serve_with_a_bad_room_file_says_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "room.toml"
    path.write_text('levels = ["split-brain"]\nmessage = 3\n')
    done = subprocess.run(
        [sys.executable, "-m", "playground.serve.cli", "serve", "web", "--port", "0",
         "--data-dir", str(tmp_path / "data"), "--room", str(path)],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"playground: {path}:2: message: must be text, got 3\n"


async def test_a_game_in_a_room_opens_only_its_levels_and_shows_its_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playground.tui.screens.briefing import BriefingScreen
    from playground.tui.screens.campaign import CampaignScreen

    # the room opens the test campaign's 3rd and 5th levels, not its first
    assert load_campaign(CAMPAIGN).order[2:5:2] == ("lease-pause", "two-faced")
    monkeypatch.setenv(OPEN_ENV, "lease-pause,two-faced")
    monkeypatch.setenv(MESSAGE_ENV, "Today: leases and lies.")
    app = make_app(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        shown = app.screen.query_one("#title-message").render()
        assert "Today: leases and lies." in str(shown)
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        screen.open_level("first-cut")  # open in a campaign, closed in this room
        await pilot.pause()
        assert app.screen is screen
        screen.open_level("two-faced")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen) and app.screen.level.id == "two-faced"
