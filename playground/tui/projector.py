"""``playground leaderboard --watch``: the room's standings for a projector.

The top players in large type (rank and points in three-line digits), and for every level won
so far a histogram of the room's best scores in terminal bars. It re-reads the leaderboard
every few seconds, so a win shows up while the class watches; ``q`` or ``Ctrl+C`` quits.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Digits, Static

from playground.game.leaderboard import Leaderboard, Row

TOP_SHOWN = 5
BINS = 5
BAR_WIDTH = 24


def histogram(scores: list[int], bins: int = BINS) -> list[tuple[int, int, int]]:
    """``scores`` counted in up to ``bins`` equal ranges: ``(low, high, count)``, inclusive,
    lowest first."""
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if low == high:
        return [(low, high, len(scores))]
    step = -(-(high - low + 1) // bins)  # ceiling: every score falls in a range
    ranges = [(low + i * step, min(high, low + (i + 1) * step - 1)) for i in range(bins)]
    ranges = [(a, b) for a, b in ranges if a <= high]
    return [(a, b, sum(a <= s <= b for s in scores)) for a, b in ranges]


def histogram_text(level: str, scores: list[int], width: int = BAR_WIDTH) -> str:
    """One level's histogram: a title line, then one bar per score range."""
    players = f"{len(scores)} player{'s' if len(scores) != 1 else ''}"
    lines = [f"{level}  ({players})"]
    counts = histogram(scores)
    most = max((count for _, _, count in counts), default=0)
    label_width = max(len(f"{a}-{b}") for a, b, _ in counts) if counts else 0
    for low, high, count in counts:
        label = f"{low}" if low == high else f"{low}-{high}"
        bar = "█" * round(width * count / most) if count else ""
        lines.append(f"  {label:>{label_width}} {bar or '·'} {count}")
    return "\n".join(lines)


def standing_text(row: Row) -> str:
    stars = f"{row.stars} star{'s' if row.stars != 1 else ''}"
    levels = f"{row.levels} level{'s' if row.levels != 1 else ''}"
    return f"{row.player}\n{levels}, {stars}"


class ProjectorApp(App[None]):
    """The leaderboard, large, refreshed every ``every`` seconds."""

    CSS = """
    Screen { padding: 1 2; }
    #title { text-style: bold; height: auto; margin-bottom: 1; }
    #columns { height: 1fr; }
    #standings { width: 1fr; min-width: 40; }
    #histograms { width: 1fr; min-width: 36; padding-left: 2; }
    .standing { height: 3; margin-bottom: 1; }
    .standing Digits { width: auto; }
    .standing .rank { width: 6; color: $accent; }
    .standing .name { width: 1fr; padding: 0 2; text-style: bold; content-align: left middle; }
    .standing .points { width: auto; min-width: 8; color: $success; }
    #empty { color: $text-muted; }
    .histogram { height: auto; margin-bottom: 1; }
    #status { color: $text-muted; height: auto; dock: bottom; }
    """

    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", priority=True),
    ]

    def __init__(self, path: Path, every: float = 2.0, title: str = "Leaderboard") -> None:
        super().__init__()
        self.board = Leaderboard(path)
        self.every = every
        self.heading = title
        self.shown: tuple[list[Row], dict[str, list[int]]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="title")
        with Horizontal(id="columns"):
            yield Vertical(id="standings")
            yield VerticalScroll(id="histograms")
        yield Static("", id="status")

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(self.every, self.reload)

    def reload(self) -> None:
        """Re-read the leaderboard; redraw only if a win changed it."""
        try:
            now = (self.board.top(limit=TOP_SHOWN), self.board.scores_by_level())
            problem = ""
        except Exception as exc:  # a locked or vanished file: say so, keep watching
            now, problem = (self.shown or ([], {})), f"Cannot read {self.board.path}: {exc}"
        if now != self.shown:
            self.shown = now
            self.call_later(self._draw, *now)
        status = problem or f"{self.board.path}    q quits"
        self.query_one("#status", Static).update(status)

    async def _draw(self, rows: list[Row], scores: dict[str, list[int]]) -> None:
        standings = self.query_one("#standings", Vertical)
        await standings.remove_children()
        if not rows:
            await standings.mount(Static("No wins yet.", id="empty"))
        for row in rows:
            await standings.mount(Horizontal(
                Digits(f"{row.rank}", classes="rank"),
                Static(standing_text(row), classes="name"),
                Digits(f"{row.score}", classes="points"),
                classes="standing"))
        histograms = self.query_one("#histograms", VerticalScroll)
        await histograms.remove_children()
        for level, level_scores in scores.items():
            await histograms.mount(Static(histogram_text(level, level_scores),
                                          classes="histogram", markup=False))
