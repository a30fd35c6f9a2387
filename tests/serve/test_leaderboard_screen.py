"""The leaderboard screen, driven with Textual's Pilot."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Static

from playground.game.leaderboard import Leaderboard
from playground.tui.leaderboard_screen import LeaderboardScreen


class Host(App[None]):
    def __init__(self, screen: LeaderboardScreen) -> None:
        super().__init__()
        self.board_screen = screen

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.push_screen(self.board_screen)


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_overall_and_level_boards(tmp_path: Path) -> None:
    board = Leaderboard(tmp_path / "lb.sqlite3")
    board.record("ada", "alpha", 800, 3, "CODE-A")
    board.record("bob", "alpha", 900, 2, "CODE-B")
    board.record("ada", "beta", 300, 1, "CODE-C")
    screen = LeaderboardScreen(board.path, player="ada", refresh_seconds=None)
    app = Host(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert cells(table) == [["1", "ada", "2", "4", "1100"], ["2", "bob", "1", "2", "900"]]
        assert "You are #1 of 2" in str(screen.query_one("#lb-status", Static).render())
        await pilot.press("right")
        assert screen.level == "alpha"
        assert [row[1] for row in cells(table)] == ["bob", "ada"]
        assert cells(table)[0][4] == "CODE-B"
        await pilot.press("left", "left")
        assert screen.level == "beta"
        board.record("cy", "beta", 999, 3, "CODE-D")  # a new win shows on refresh
        await pilot.press("r")
        assert [row[1] for row in cells(table)] == ["cy", "ada"]
        await pilot.press("escape")
        assert app.screen is not screen


async def test_no_leaderboard_yet(tmp_path: Path) -> None:
    screen = LeaderboardScreen(tmp_path / "none.sqlite3", refresh_seconds=None)
    async with Host(screen).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert screen.query_one(DataTable).row_count == 0
        assert "No leaderboard here yet" in str(screen.query_one("#lb-status", Static).render())
        assert not (tmp_path / "none.sqlite3").exists()  # looking does not create it
