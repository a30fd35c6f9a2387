"""The views' scrollbars skip repaints that would draw the same bar, and only those."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from textual.scrollbar import ScrollBarRender

from playground.tui.widgets.eventlog import EventLog
from playground.tui.widgets.scrollbar import SteadyScrollBar, thumb
from tests.tui.conftest import make_app, start, wait_until


def drawn(size: int, virtual: int, window: int, position: float) -> list[Segment]:
    """The segments Textual draws for a vertical bar (as ``ScrollBar`` renders it)."""
    window = window if window < virtual else 0
    bar = ScrollBarRender.render_bar(size=size, virtual_size=virtual, window_size=window,
                                     position=int(position * 8) / 8)
    return list(bar.segments)


bars = st.tuples(st.integers(1, 40), st.integers(1, 5000), st.integers(0, 60),
                 st.floats(0, 5000, allow_nan=False))


@given(bars, bars)
def test_bars_with_the_same_thumb_are_drawn_the_same(a: tuple, b: tuple) -> None:
    size, virtual, window, position = a
    position = min(position, max(0, virtual - window))
    other = (size, b[1], b[2], min(b[3], max(0, b[1] - b[2])))
    quantised = int(position * 8) / 8, int(other[3] * 8) / 8
    if thumb(size, virtual, window, quantised[0]) == thumb(*other[:3], quantised[1]):
        assert drawn(size, virtual, window, position) == drawn(*other)


def test_a_thumb_that_moves_is_a_new_thumb() -> None:
    assert thumb(15, 300, 15, 0) != thumb(15, 300, 15, 285)  # top, then the end
    assert thumb(15, 3000, 15, 2985) == thumb(15, 3200, 15, 3185)  # the end of a long log
    assert thumb(15, 10, 15, 0) is None  # everything fits: no thumb


async def test_the_event_log_bar_follows_the_view_but_not_every_new_line(
        data_dir: Path) -> None:
    """A log followed at its end keeps one bar as it grows; scrolling up moves the thumb."""
    app = make_app(data_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await start(pilot, "first-cut")
        log = screen.query_one(EventLog)
        for tick in range(200, 3001, 200):
            screen.controller.advance_to(tick)
            screen.sync_view()
            await pilot.pause()
        await wait_until(pilot, lambda: len(log.lines) > 3 * log.size.height,
                         "a log of several pages")
        bar = log.vertical_scrollbar
        assert isinstance(bar, SteadyScrollBar)
        await wait_until(pilot, lambda: bar._painted is not None, "the bar painted")
        at_end = bar._painted
        log.scroll_to(y=0, animate=False)
        await wait_until(pilot, lambda: bar._painted is not None and bar._painted != at_end,
                         "the thumb drawn at the top")
        assert thumb(bar.size.height, bar.window_virtual_size, bar.window_size, 0) == \
            bar._painted[-1]
