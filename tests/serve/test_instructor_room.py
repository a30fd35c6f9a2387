"""The room's files and the room view without a server: a game that crashed mid-write or a
stray file reads as "nothing known"; the next section follows the book; rows fit the screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playground.game.campaign import load_campaign
from playground.game.outline import OUTLINE
from playground.game.room import next_section, section_levels
from playground.game.roomstate import (
    LATEST_KEPT,
    BrowserGame,
    PlayerStatus,
    RoomState,
    browser_games,
    read_status,
    remove_browser_game,
    status_path,
    write_browser_game,
    write_status,
)
from playground.serve.instructor import split_keys
from playground.serve.roomview import RoomPicture, RoomRow, clock, render_room


def test_a_status_survives_the_trip_and_a_broken_one_reads_as_unknown(tmp_path: Path) -> None:
    status = PlayerStatus("ada", "Split Brain", "split-brain", 1000.0, 7, 3)
    write_status(tmp_path, status)
    assert read_status(tmp_path, "ada") == status
    for broken in ('{"place": "Split', "[1, 2]", "", '{"stars": "many"}'):
        status_path(tmp_path, "bob").write_text(broken)
        got = read_status(tmp_path, "bob")
        assert got is None or (got.stars, got.place) == (0, "")
    assert read_status(tmp_path, "../ada") is None  # never a path outside the room


def test_browser_games_are_listed_while_their_processes_run(tmp_path: Path) -> None:
    """A game the web server runs is listed while it and its server run; one left behind by
    a web server that was killed, or ended by a newer game of the same player, is not."""
    here = os.getpid()
    gone = subprocess.Popen([sys.executable, "-c", ""])
    gone.wait()
    write_browser_game(tmp_path, BrowserGame("ada", here, here, (120, 40)))
    write_browser_game(tmp_path, BrowserGame("bob", gone.pid, here, (80, 24)))
    write_browser_game(tmp_path, BrowserGame("cleo", here, gone.pid, (80, 24)))
    (tmp_path / "web" / "dan.json").write_text("{not json")
    assert browser_games(tmp_path) == [BrowserGame("ada", here, here, (120, 40))]
    remove_browser_game(tmp_path, "ada", gone.pid)  # an older game of ada's ending
    assert [game.player for game in browser_games(tmp_path)] == ["ada"]
    remove_browser_game(tmp_path, "ada", here)
    assert browser_games(tmp_path) == []


def test_broadcasts_count_up_and_a_broken_state_is_an_empty_room(tmp_path: Path) -> None:
    state = RoomState.load(tmp_path)
    assert (state.broadcasts, state.sections) == ([], [])
    state.broadcast("  Pause:   look at the projector ")
    state.sections.append("Unreliable Clocks")
    state.save(tmp_path)
    again = RoomState.load(tmp_path)
    again.broadcast("Back to work")
    assert [(b.number, b.text) for b in again.broadcasts] == [
        (1, "Pause: look at the projector"), (2, "Back to work")]
    assert [b.text for b in again.newer_than(1)] == ["Back to work"]
    assert again.sections == ["Unreliable Clocks"]
    (tmp_path / "state.json").write_text('{"broadcasts": 3, "sections": [1, "x"]')
    assert RoomState.load(tmp_path).sections == []


def test_the_latest_message_stays_until_a_newer_one_or_the_end_of_a_workshop(
        tmp_path: Path) -> None:
    state = RoomState.load(tmp_path)
    assert state.latest() is None
    first = state.broadcast("Start with Split Brain")
    assert state.latest(first.at + 60) == first
    newer = state.broadcast("Pause")
    assert state.latest(newer.at + 60) == newer
    state.save(tmp_path)
    assert RoomState.load(tmp_path).latest(newer.at + LATEST_KEPT - 1) == newer
    assert RoomState.load(tmp_path).latest(newer.at + LATEST_KEPT + 1) is None


def test_the_next_section_is_the_first_the_room_has_not_opened_whole() -> None:
    campaign = load_campaign()
    first, second, third = (section for section, _ in OUTLINE[:3])
    assert next_section(campaign, None, []) == first  # the campaign: nothing opened yet
    assert next_section(campaign, None, [first]) == second
    whole_first = frozenset(section_levels(campaign, [first]))
    assert next_section(campaign, whole_first, []) == second
    part = frozenset(list(whole_first)[:1])
    assert next_section(campaign, part, []) == first
    assert next_section(campaign, whole_first, [second]) == third
    everything = [section for section, _ in OUTLINE]
    assert next_section(campaign, None, everything) is None


def test_the_room_view_shows_each_player_in_words_and_cuts_with_an_ellipsis() -> None:
    rows = [RoomRow("ada", "Split Brain", 192.0, 7, 3, (100, 30)),
            RoomRow("bob", "starting", None, 0, 0, (80, 24)),
            RoomRow("cleo", "codex", 5.0, 1, 1, (90, 30), "web")]
    lines = render_room(rows, 1, RoomPicture("Workshop room: 3 playing"), 60, 12)
    assert len(lines) == 12 and lines[0] == "Workshop room: 3 playing"
    ada = next(line for line in lines if " ada " in line)
    assert ada.split() == ["ada", "3:12", "7", "3", "100x30", "ssh", "Split", "Brain"]
    cleo = next(line for line in lines if " cleo " in line)
    assert cleo.split() == ["cleo", "0:05", "1", "1", "90x30", "web", "codex"]
    assert ada.endswith("ssh  Split Brain")
    far = RoomRow("dan", "The Two Generals, and the long way round the lake", 1.0, 0, 0, (80, 24))
    [dan] = [line for line in render_room([far], 1, RoomPicture("t"), 60, 12) if " dan " in line]
    assert dan.endswith("ssh  The Two Gener…") and len(dan) == 60
    bob = next(line for line in lines if " bob " in line)
    assert bob.startswith("\x1b[7m> bob") and " - " in bob  # chosen; time not known yet
    narrow = render_room(rows, 0, RoomPicture("Workshop room: 2 playing"), 20, 12)
    assert narrow[0] == "Workshop room: 2 pl…"
    assert clock(3725) == "1:02:05" and clock(59.9) == "0:59"


def test_keys_are_split_so_fast_typing_is_not_lost() -> None:
    assert split_keys(b"cq") == [b"c", b"q"]
    assert split_keys(b"\x1b[Aj\x1b") == [b"\x1b[A", b"j", b"\x1b"]
    assert split_keys(b"\x1b[<0;12;5M") == [b"\x1b[<0;12;5M"]  # a mouse report is one key
    assert split_keys("é!".encode()) == ["é".encode(), b"!"]
