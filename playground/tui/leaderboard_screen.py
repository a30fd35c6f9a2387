"""The leaderboard screen: the room's standings, overall and level by level.

Self-contained: push it from anywhere (``app.push_screen(LeaderboardScreen())``); Escape
closes it. It reads the leaderboard the workshop server set up for this game
(``$PLAYGROUND_LEADERBOARD``), else the one in the local data dir, and re-reads it every few
seconds so new wins appear while it is open. The player's own row is highlighted.
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from playground.game.leaderboard import (
    PLAYER_ENV,
    Leaderboard,
    Row,
    configured_path,
    default_path,
)

ROWS_SHOWN = 100


def _stars(count: int) -> str:
    return "★" * count + "☆" * max(0, 3 - count)


class LeaderboardScreen(Screen[None]):
    """Standings: overall first, then one board per level (left/right to switch)."""

    DEFAULT_CSS = """
    LeaderboardScreen { align: center top; }
    LeaderboardScreen #lb-box { width: 100%; max-width: 110; height: 1fr; padding: 1 2; }
    LeaderboardScreen #lb-title { text-style: bold; height: auto; }
    LeaderboardScreen #lb-view { color: $text-muted; height: auto; margin-bottom: 1; }
    LeaderboardScreen #lb-table { height: 1fr; }
    LeaderboardScreen #lb-status { color: $text-muted; height: auto; margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("left", "view(-1)", "Prev board"),
        Binding("right", "view(1)", "Next board"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, path: Path | str | None = None, player: str | None = None,
                 refresh_seconds: float | None = 5.0, level: str | None = None) -> None:
        """``path``: the leaderboard file (default: the server's, else the local one);
        ``player``: whose row to highlight (default ``$PLAYGROUND_PLAYER``);
        ``refresh_seconds``: re-read period (None: only on ``r``; for snapshot tests);
        ``level``: open on that level's board instead of the overall one."""
        super().__init__()
        self.board = Leaderboard(path or configured_path() or default_path())
        self.player = player if player is not None else os.environ.get(PLAYER_ENV, "")
        self.refresh_seconds = refresh_seconds
        self.views: list[str | None] = [None]
        self.view_index = 0
        self._start_level = level

    def compose(self) -> ComposeResult:
        with Vertical(id="lb-box"):
            yield Static("Leaderboard", id="lb-title")
            yield Static("", id="lb-view")
            yield DataTable(id="lb-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="lb-status")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        if self._start_level is not None and self._start_level in self.views:
            self.view_index = self.views.index(self._start_level)
            self.reload()
        if self.refresh_seconds:
            self.set_interval(self.refresh_seconds, self.reload)

    @property
    def level(self) -> str | None:
        return self.views[self.view_index]

    def reload(self) -> None:
        """Re-read the file and redraw the current board."""
        current = self.level
        try:
            levels = self.board.levels()
            rows = self.board.top(current, limit=ROWS_SHOWN)
            problem = ""
        except Exception as exc:  # a locked, corrupt or vanished file: say so, keep going
            levels, rows, problem = [], [], f"Cannot read {self.board.path}: {exc}"
        self.views = [None, *levels]
        self.view_index = self.views.index(current) if current in self.views else 0
        if self.level != current:
            rows = self.board.top(self.level, limit=ROWS_SHOWN) if not problem else []
        self._draw(rows, problem)

    def _draw(self, rows: list[Row], problem: str) -> None:
        table = self.query_one("#lb-table", DataTable)
        table.clear(columns=True)
        level = self.level
        name = "Overall (best score of every level won, summed)" if level is None \
            else f"Level: {level}"
        position = f"board {self.view_index + 1} of {len(self.views)}"
        self.query_one("#lb-view", Static).update(f"{name}    [{position}, ←/→ to switch]")
        if level is None:
            table.add_columns("#", "player", "levels", "stars", "score")
        else:
            table.add_columns("#", "player", "stars", "score", "share code")
        for row in rows:
            style = "bold reverse" if row.player == self.player else ""
            if level is None:
                cells = [str(row.rank), row.player, str(row.levels), str(row.stars),
                         str(row.score)]
            else:
                code = row.share_code or ""
                cells = [str(row.rank), row.player, _stars(row.stars), str(row.score),
                         code if len(code) <= 48 else code[:47] + "…"]
            table.add_row(*(Text(c, style=style) for c in cells), key=row.player)
        if problem:
            status = problem
        elif not self.board.exists():
            status = "No leaderboard here yet: it lives on a workshop server."
        elif not rows:
            status = "No wins yet. Be the first!"
        else:
            mine = [r for r in rows if r.player == self.player]
            status = (f"You are #{mine[0].rank} of {len(rows)}." if mine
                      else f"{len(rows)} players on this board.")
        self.query_one("#lb-status", Static).update(status)

    def action_view(self, step: int) -> None:
        self.view_index = (self.view_index + step) % len(self.views)
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_close(self) -> None:
        self.dismiss()
