"""The debrief's seed histogram: a KEEP IT setting's key metric across the level's seeds.

One row a bin (``180–210 ████ 4``), a ``✗`` and the seeds where a bin holds runs that lost,
a line saying on how many seeds the setting won, and the key that replays a losing seed.
"""
# ruff: noqa: RUF002  (the game draws with these symbols on purpose)

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from playground.game import words
from playground.game.histogram import seed_histogram, seed_list
from playground.game.verdict import SeedVerdict

BAR_MAX = 20  # cells of the longest bar


def histogram_markup(verdict: SeedVerdict, metric: str, bound: str = "") -> str:
    """The histogram as markup (``bound``: the requirement on the metric, in words)."""
    total = len(verdict.runs)
    lost = [run.seed for run in verdict.lost]
    if lost:
        head = (f"won on {verdict.wins} of {total} seeds; [b $error]lost on "
                f"{seed_list(lost)}[/]")
    else:
        head = f"[b $success]held on all {total} seeds[/]"
    bins = seed_histogram(verdict, metric)
    widest = max((len(b.label) for b in bins), default=0)
    most = max((len(b.seeds) for b in bins), default=1) or 1
    scale = min(1.0, BAR_MAX / most)
    title = escape(bound or words.name(metric))
    key = ", [$error]█[/] one that lost" if lost else ""
    lines = [f"[b $accent]Over the seeds[/]  {head}",
             f"  {title}: [$success]█[/] one seed that won{key}"]
    for b in bins:
        count = len(b.seeds)
        red = round(len(b.lost) * scale)
        green = max(1 if count > len(b.lost) else 0, round(count * scale) - red)
        bar = f"[$success]{'█' * green}[/][$error]{'█' * max(red, 1 if b.lost else 0)}[/]"
        mark = f"  [b $error]✗ seed{'s' if len(b.lost) > 1 else ''} {seed_list(b.lost)}[/]" \
            if b.lost else ""
        lines.append(f"  {escape(b.label):>{widest}} {bar} {count}{mark}")
    if lost:
        lines.append(f"  [b reverse] p [/] replay seed {lost[0]} on the board with your "
                     f"settings")
    return "\n".join(lines)


class SeedHistogram(Static):
    """The histogram of one verdict (see :func:`histogram_markup`)."""

    def __init__(self, verdict: SeedVerdict, metric: str, bound: str = "") -> None:
        super().__init__(histogram_markup(verdict, metric, bound), id="seed-histogram")
        self.verdict = verdict
