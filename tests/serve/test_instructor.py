"""The instructor's login over SSH, end to end with real games: the room view follows two
players, the live view shows one player's game without letting the instructor's keys reach
it, a message reaches every player, and opening the next section unlocks it on a player's map
(in a room whose file opened a single level)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from playground.game.campaign import load_campaign
from tests.serve.conftest import (
    TITLE_TEXT,
    RunningServer,
    Terminal,
    asyncssh,
    connect,
    fake_game_command,
    running,
)

PLAYERS = "workshop password 1"
TEACHER = "instructor password 2"
ROOM_TEXT = "Workshop room:"


def secret(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    first = load_campaign().order[0]
    room = tmp_path / "room.toml"
    room.write_text(f'levels = ["{first}"]\n')
    with running("ssh", tmp_path / "data",
                 "--password-file", str(secret(tmp_path, "players", PLAYERS)),
                 "--instructor-password-file", str(secret(tmp_path, "teacher", TEACHER)),
                 "--room", str(room)) as srv:
        yield srv


class Room:
    """Two players' games and the instructor's terminal, all over SSH."""

    def __init__(self) -> None:
        self.players: dict[str, Terminal] = {}
        self.teacher: Terminal | None = None


@pytest.fixture
async def room(server: RunningServer) -> AsyncIterator[Room]:
    room = Room()
    conns = []
    try:
        for name in ("ada", "bob"):
            conn = await connect(server.port, name, password=PLAYERS)
            conns.append(conn)
            room.players[name] = await Terminal.open(conn, 100, 30)
        for term in room.players.values():
            await term.wait_for(TITLE_TEXT, timeout=60)
        conn = await connect(server.port, "instructor", password=TEACHER)
        conns.append(conn)
        room.teacher = await Terminal.open(conn, 120, 36)
        await room.teacher.wait_for(ROOM_TEXT)
        yield room
    finally:
        for conn in conns:
            conn.close()


def row(term: Terminal, player: str) -> str:
    """The room view's line for ``player`` ('' if none)."""
    return next((line for line in term.screen.display if f" {player} " in line), "")


async def test_the_instructor_sees_two_players_move_and_watches_one_live(room: Room) -> None:
    teacher, ada, bob = room.teacher, room.players["ada"], room.players["bob"]
    assert teacher is not None
    await teacher.wait_until(lambda: "title screen" in row(teacher, "ada")
                             and "title screen" in row(teacher, "bob"), "both on the title")
    assert "100x30" in row(teacher, "ada")

    ada.send(b"c")  # to the campaign map
    await ada.wait_for("CAMPAIGN")
    await teacher.wait_until(lambda: "campaign map" in row(teacher, "ada"), "ada on the map")
    first = load_campaign().get(load_campaign().order[0]).title
    bob.send(b"c")
    await bob.wait_for("CAMPAIGN")
    bob.send(b"\r")  # the first open level's briefing
    await teacher.wait_until(lambda: first in row(teacher, "bob"), f"bob on {first}")
    assert "campaign map" in row(teacher, "ada")

    # The live view of ada's game (the first row): her whole screen, then as she plays.
    teacher.send(b"\r")
    await teacher.wait_until(lambda: "CAMPAIGN" in teacher.text()
                             and ROOM_TEXT not in teacher.text(), "ada's map on the projector")
    ada.send(b"\x1b")  # back to her title screen
    await ada.wait_for(TITLE_TEXT)
    await teacher.wait_until(lambda: TITLE_TEXT in teacher.text(), "ada's title, live")
    # The instructor's keys never reach her game: "c" would open her campaign map.
    teacher.send(b"c")
    teacher.send(b"q")
    await teacher.wait_until(lambda: ROOM_TEXT in teacher.text(), "back in the room view")
    await teacher.wait_until(lambda: "title screen" in row(teacher, "ada"), "ada on her title")
    # "x" opens the codex from her title screen, not from a map the "c" would have opened.
    ada.send(b"x")
    await teacher.wait_until(lambda: "codex" in row(teacher, "ada"), "ada in the codex")
    await ada.wait_until(lambda: "CODEX" in ada.text(), "the codex on ada's screen")


async def test_a_message_reaches_every_player(room: Room) -> None:
    teacher = room.teacher
    assert teacher is not None
    teacher.send(b"m")
    await teacher.wait_for("Message to everyone")
    for key in "Pause: look at the projector":
        teacher.send(key.encode())
    teacher.send(b"\r")
    await teacher.wait_for("Sent to 2 playing")
    for term in room.players.values():
        await term.wait_for("look at the projector")
        assert "From the instructor" in term.text()


async def test_a_player_who_joins_after_a_message_reads_it_until_a_newer_one(
        room: Room, server: RunningServer) -> None:
    teacher = room.teacher
    assert teacher is not None
    await send_message(teacher, "Start with the first level")
    conn = await connect(server.port, "cleo", password=PLAYERS)
    try:
        cleo = await Terminal.open(conn, 100, 30)
        await cleo.wait_for(TITLE_TEXT, timeout=60)
        await cleo.wait_until(lambda: "Start with the first level" in cleo.text(),
                              "the earlier message on cleo's title screen")
        assert "From the instructor at " in cleo.text()
        await send_message(teacher, "Pause now")
        await cleo.wait_until(lambda: "Pause now" in title_line(cleo),
                              "the newer message in its place")
        assert "Start with the first level" not in title_line(cleo)
    finally:
        conn.close()


async def send_message(teacher: Terminal, text: str) -> None:
    teacher.send(b"m")
    await teacher.wait_for("Message to everyone")
    teacher.send(text.encode() + b"\r")
    await teacher.wait_for(f"playing: {text}")


def title_line(term: Terminal) -> str:
    """The title screen's line with the instructor's latest message ('' if none)."""
    return next((line for line in term.screen.display if "From the instructor at" in line), "")


async def test_opening_the_next_section_unlocks_it_on_a_players_map(room: Room) -> None:
    teacher, ada = room.teacher, room.players["ada"]
    assert teacher is not None
    campaign = load_campaign()
    second, other = (campaign.get(i).title for i in campaign.order[1:4:2])
    ada.send(b"c")
    await ada.wait_for(f"locked · {second}")  # the room file opened only the first level
    assert f"locked · {other}" in ada.text()

    teacher.send(b"o")
    section = campaign.get(campaign.order[0]).chapter
    await teacher.wait_for(f"Open the section {section} for the whole room? y/n")
    teacher.send(b"y")
    await teacher.wait_for(f"Opened {section} for the room.")
    await ada.wait_until(lambda: f"locked · {second}" not in ada.text()
                         and second in ada.text(), f"{second} unlocked on ada's map")
    await ada.wait_for("Now open for the room")
    assert f"locked · {other}" in ada.text()  # the next section stays closed


async def test_the_instructor_needs_their_own_password(server: RunningServer) -> None:
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server.port, "instructor", password=PLAYERS)
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server.port, "instructor", password="")
    await server.await_line("wrong instructor password for 'instructor'")


async def test_the_instructor_key_opens_the_room_view_even_beside_open(tmp_path: Path) -> None:
    teacher = asyncssh.generate_private_key("ssh-ed25519")
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    keys = tmp_path / "instructor_keys"
    keys.write_bytes(teacher.export_public_key())
    with running("ssh", tmp_path / "data", "--open", "--instructor-keys", str(keys),
                 "--game-command", fake_game_command()) as server:
        with pytest.raises(asyncssh.PermissionDenied):  # --open lets players in, not this
            await connect(server.port, "instructor")
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, "instructor", client_keys=[stranger])
        async with await connect(server.port, "ada") as conn:  # a player, as --open says
            await (await Terminal.open(conn)).wait_for("FAKE GAME for ada")
            async with await connect(server.port, "instructor", client_keys=[teacher]) as desk:
                term = await Terminal.open(desk)
                await term.wait_until(lambda: " ada " in term.text(), "ada in the room view")
                term.send(b"q")
                await term.read_to_end()


def test_the_instructor_password_may_not_be_the_players(tmp_path: Path) -> None:
    same = secret(tmp_path, "same", PLAYERS)
    done = subprocess.run(
        [sys.executable, "-m", "playground.serve.cli", "serve", "ssh", "--port", "0",
         "--data-dir", str(tmp_path / "data"), "--password-file", str(same),
         "--instructor-password-file", str(same)],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == (f"playground: {same}: the instructor password is the workshop "
                           "password: every player could open the room view\n")
