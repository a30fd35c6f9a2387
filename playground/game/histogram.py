"""A KEEP IT verdict's key metric across seeds, as a small text histogram.

:func:`seed_histogram` sorts each seed's value of the metric into a few equal-width bins and
keeps which seeds fell in each bin and which of them lost, so the debrief can draw one bar a
bin (``█``, one a seed) and name the seeds that lost. Plain data: the UI and the CLI draw it.
"""

# ruff: noqa: RUF001, RUF002  (an en dash between two numbers, as the player reads it)

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from playground.game import words
from playground.game.verdict import SeedVerdict

MAX_BINS = 6


@attrs.frozen
class Bin:
    """The seeds whose metric fell in ``low..high`` (``low is None``: not measured)."""

    low: float | None
    high: float | None
    seeds: tuple[int, ...]
    lost: tuple[int, ...]  # the seeds of this bin that did not win

    @property
    def label(self) -> str:
        """``180–210``, ``42``, or ``not measured``."""
        if self.low is None or self.high is None:
            return "not measured"
        if self.low == self.high:
            return words.number(self.low)
        return f"{words.number(self.low)}–{words.number(self.high)}"


def _edges(low: float, high: float, count: int) -> list[float]:
    """At most ``count + 1`` bin edges from ``low`` to at least ``high``, on whole steps when
    the values are whole numbers (a bin of ``180–210`` reads better than ``180–209.6``)."""
    width = (high - low) / count
    if low.is_integer() and high.is_integer():
        width = float(math.ceil(width))
        count = math.ceil((high - low) / width)
    return [low + i * width for i in range(count)] + [max(high, low + count * width)]


def seed_histogram(verdict: SeedVerdict, metric: str, bins: int = MAX_BINS) -> list[Bin]:
    """``metric`` across the verdict's seeds in at most ``bins`` bins, lowest first; seeds
    without a number for it come last, in one ``not measured`` bin."""
    measured = [(run, float(value)) for run in verdict.runs
                if isinstance(value := run.metrics.get(metric), int | float)
                and not isinstance(value, bool) and math.isfinite(value)]
    seen = {run.seed for run, _ in measured}
    missing = [run for run in verdict.runs if run.seed not in seen]
    out: list[Bin] = []
    if measured:
        values = [v for _, v in measured]
        low, high = min(values), max(values)
        count = max(1, min(bins, len(set(values))))
        edges = _edges(low, high, count) if high > low else [low, high]
        buckets: list[list[tuple[int, bool]]] = [[] for _ in range(len(edges) - 1)]
        for run, value in measured:
            index = next((i for i in range(len(buckets)) if value < edges[i + 1]),
                         len(buckets) - 1)
            buckets[index].append((run.seed, run.outcome == "won"))
        for index, bucket in enumerate(buckets):
            out.append(Bin(edges[index], edges[index + 1], tuple(s for s, _ in bucket),
                           tuple(s for s, won in bucket if not won)))
    if missing:
        out.append(Bin(None, None, tuple(r.seed for r in missing),
                       tuple(r.seed for r in missing if r.outcome != "won")))
    return out


def seed_list(seeds: Sequence[int], limit: int = 6) -> str:
    """``2, 9, 14`` (at most ``limit`` of them, then ``…``)."""
    shown = ", ".join(str(s) for s in seeds[:limit])
    return shown + (f", {words.MORE}" if len(seeds) > limit else "")
