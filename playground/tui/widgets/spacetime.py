"""The space-time diagram widget: a scrolling Line API view over :class:`DiagramModel`.

Line 0 is a fixed header with the lane names; below it, row ``scroll_y + y - 1`` of the
diagram. Strips are cached by ``(row, version, width, generation)``: rows already drawn cost
nothing until a message reaching back into them changes their version. The view follows the
newest row unless the player scrolled up. A frame that does not scroll repaints only the lines
whose key changed (the row of "now", rows a new message reaches back into), not the view.
"""


from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from playground.sim.trace import Trace
from playground.tui.diagram import SCALES, DiagramModel, Geometry
from playground.tui.widgets.paint import (
    MIN_CACHED_LINES,
    ClassStyles,
    fit_cache,
    runs_to_strip,
    set_virtual_height,
)
from playground.tui.widgets.scrollbar import SteadyScrollView


class SpaceTime(SteadyScrollView, can_focus=True):
    """A lane per node, time flowing down; click a lane to select its node."""

    BINDINGS = [
        Binding("z", "zoom(-1)", "Zoom in", show=False),
        Binding("Z", "zoom(1)", "Zoom out", show=False),
        Binding("end", "follow", "Follow", show=False),
    ]

    COMPONENT_CLASSES = {
        "diagram--time", "diagram--lane", "diagram--frozen", "diagram--crashed",
        "diagram--lying", "diagram--msg", "diagram--drop", "diagram--held",
        "diagram--decide", "diagram--leader", "diagram--fault", "diagram--violation",
        "diagram--violation-row", "diagram--command", "diagram--header",
        "diagram--header-selected",
    }

    class LaneChosen(Message):
        """The player clicked a lane."""

        def __init__(self, node: str) -> None:
            super().__init__()
            self.node = node

    class ScaleChanged(Message):
        """The player zoomed: ``scale`` ms per row."""

        def __init__(self, scale: int) -> None:
            super().__init__()
            self.scale = scale

    def __init__(self, nodes: Sequence[str], scale: int, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model = DiagramModel(nodes, scale)
        self.now_row = 0
        self.selection: str | None = None
        self.follow = True
        #: Time is running: move the view a page at a time (every line shifts when it scrolls,
        #: so a frame that scrolls repaints the whole view); paused, "now" is the last line.
        self.paging = False
        self._styles = ClassStyles(self, "diagram")
        self._cache: LRUCache[tuple, Strip] = LRUCache(MIN_CACHED_LINES)
        self._trace: Trace | None = None
        self._now = 0
        self._drawn: dict[int, tuple] = {}  # what each line of the view shows now

    # data in -------------------------------------------------------------------------
    def sync(self, trace: Trace, now: int, selection: str | None) -> None:
        """Take new events up to ``now``; repaint what changed; keep following time."""
        self._trace = trace
        self._now = now
        rebuilt = self.model.sync(trace)
        self.selection = selection
        if rebuilt:
            self._cache.clear()
        scroll_y = int(self.scroll_offset.y)
        self._place(now)
        if rebuilt or int(self.scroll_offset.y) != scroll_y:
            self.refresh()  # the whole view moved
            return
        width, height = self.size
        changed = [Region(0, y, width, 1) for y in range(height)
                   if self._drawn.get(y) != self._line_key(y, width, scroll_y)]
        if changed:
            self.refresh(*changed)

    def _line_key(self, y: int, width: int, scroll_y: int) -> tuple:
        """What line ``y`` of the view shows: equal keys, equal strips."""
        if y == 0:
            return ("header", self.selection, self.model.scale, width, self.model.generation)
        row = scroll_y + y - 1
        if row > self.now_row or row < 0:
            return ("blank", width)
        return (row, self.model.version(row), width, self.model.generation)

    def _place(self, now: int) -> None:
        now_row = self.model.row_of(now)
        top = self._follow_top(now_row)
        height = max(now_row + 2, top + self.size.height)
        if now_row != self.now_row or self.virtual_size.height != height:
            self.now_row = now_row
            set_virtual_height(self, height)
        if self.follow:
            self.scroll_to(y=top, animate=False, immediate=True)

    def _follow_top(self, now_row: int) -> int:
        """The first row shown while following: "now" on the last line, or, while
        :attr:`paging`, the rows already in view until "now" runs off the bottom, then a
        jump that puts it a third of the way down (the view moves once a page, not a row)."""
        bottom = max(0, now_row + 2 - self.size.height)
        if not self.paging or not self.follow:
            return bottom
        rows = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if top <= now_row < top + rows:
            return top
        return max(bottom, now_row - rows // 3)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.now_row + 2)
        fit_cache(self._cache, event.size.height)
        self._place(self._now)

    # painting ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        key = self._drawn[y] = self._line_key(y, width, int(self.scroll_offset.y))
        # the lanes and notes stop short of the scrollbar, so a cut note's "…" shows
        geometry = Geometry.of(self.scrollable_content_region.width, len(self.model.nodes))
        if y == 0:
            return runs_to_strip(self.model.header(geometry, self.selection), self._styles,
                                 width)
        if key[0] == "blank":
            return Strip.blank(width, self._styles(""))
        strip = self._cache.get(key)
        if strip is None:
            strip = runs_to_strip(self.model.render_row(key[0], geometry), self._styles, width)
            self._cache[key] = strip
        return strip

    # input ---------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        geometry = Geometry.of(self.scrollable_content_region.width, len(self.model.nodes))
        lane = geometry.lane_at(event.x)
        if lane is not None:
            self.post_message(self.LaneChosen(self.model.nodes[lane]))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        bottom = max(0, self.now_row + 2 - self.size.height)
        self.follow = round(new) >= bottom

    def action_zoom(self, direction: int) -> None:
        index = SCALES.index(self.model.scale) if self.model.scale in SCALES else 3
        index = max(0, min(len(SCALES) - 1, index + direction))
        self.set_scale(SCALES[index])

    def set_scale(self, scale: int) -> None:
        if scale == self.model.scale:
            return
        if self._trace is not None:
            self.model.set_scale(scale, self._trace)
        else:
            self.model.scale = scale
        self._cache.clear()
        self.follow = True
        self._place(self._now)
        self.post_message(self.ScaleChanged(scale))
        self.refresh()

    def show_tick(self, tick: int) -> None:
        """Stop following time and bring ``tick``'s row to the middle of the view."""
        self.follow = False
        row = self.model.row_of(tick)
        self.scroll_to(y=max(0, row - max(1, self.size.height // 2)), animate=False,
                       immediate=True)
        self.follow = False
        self.refresh()

    def action_follow(self) -> None:
        self.follow = True
        self.scroll_to(y=max(0, self.now_row + 2 - self.size.height), animate=False)
