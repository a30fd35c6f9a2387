"""A vertical scrollbar that repaints only when the bar it draws changes.

A view that grows every frame (the event log, the space-time diagram) moves its scrollbar's
numbers every frame, and Textual repaints the whole bar each time; but the thumb is drawn in
eighths of a cell, so a log of thousands of lines followed at its end draws the same bar frame
after frame. :class:`SteadyScrollBar` lets a refresh through only when what it would draw
differs from what it drew last.
"""

from __future__ import annotations

from math import ceil
from typing import Any, Self

from rich.console import RenderableType
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender


def thumb(size: int, virtual_size: float, window_size: float, position: float,
          ) -> tuple[int, int] | None:
    """Where a scrollbar of ``size`` cells draws its thumb, in eighths of a cell (as
    :meth:`ScrollBarRender.render_bar` computes it), or ``None`` if it draws none."""
    window = ceil(window_size) if window_size < virtual_size else 0
    virtual = ceil(virtual_size)
    if not (window and size and virtual and size != virtual):
        return None
    eighths = len(ScrollBarRender.VERTICAL_BARS)
    thumb_size = max(1, window / (virtual / size))
    start = int((size - thumb_size) * (position / (virtual - window)) * eighths)
    return start, start + ceil(thumb_size * eighths)


class SteadyScrollBar(ScrollBar):
    """A scrollbar that skips repaints which would draw the same bar."""

    _painted: tuple[Any, ...] | None = None
    _maybe_changed = False

    def _look(self) -> tuple[Any, ...]:
        """Everything the drawn bar depends on."""
        parent = self.parent
        styles = parent.styles if parent is not None else self.styles
        return (self.size, self.vertical, self.thickness, self.mouse_over, self.grabbed,
                styles.scrollbar_color, styles.scrollbar_background,
                thumb(self.size.height if self.vertical else self.size.width,
                      self.window_virtual_size, self.window_size, self.position))

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if regions or layout or recompose or not repaint or not self._is_mounted:
            return super().refresh(*regions, repaint=repaint, layout=layout,
                                   recompose=recompose)
        # decided once the frame's changes are in: the view sets its numbers one by one
        self._maybe_changed = True
        self.check_idle()
        return self

    def _check_refresh(self) -> None:  # Textual's hook when the widget's queue is idle
        if self._maybe_changed:
            self._maybe_changed = False
            if self._painted is None or self._painted != self._look():
                super().refresh()
        super()._check_refresh()

    def render(self) -> RenderableType:
        # called when the bar is drawn anew (not when Textual reuses the lines it drew)
        self._painted = self._look()
        return super().render()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._painted = None


class SteadyScrollView(ScrollView):
    """A scroll view whose vertical scrollbar is a :class:`SteadyScrollBar`."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:  # as Textual creates it, with our class
            bar = SteadyScrollBar(vertical=True, name="vertical",
                                  thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar
