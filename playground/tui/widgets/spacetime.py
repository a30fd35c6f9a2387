"""The space-time diagram widget: a scrolling Line API view over :class:`DiagramModel`.

Line 0 is a fixed header with the lane names; below it, row ``scroll_y + y - 1`` of the
diagram. Strips are cached by ``(row, version, width, generation)``: rows already drawn cost
nothing until a message reaching back into them changes their version. The view follows the
newest row unless the player scrolled up.
"""


from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
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


class SpaceTime(ScrollView, can_focus=True):
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
        self._styles = ClassStyles(self, "diagram")
        self._cache: LRUCache[tuple, Strip] = LRUCache(MIN_CACHED_LINES)
        self._trace: Trace | None = None
        self._now = 0

    # data in -------------------------------------------------------------------------
    def sync(self, trace: Trace, now: int, selection: str | None) -> None:
        """Take new events up to ``now``; repaint what changed; keep following time."""
        self._trace = trace
        self._now = now
        rebuilt = self.model.sync(trace)
        self.selection = selection
        if rebuilt:
            self._cache.clear()
        self._place(now)
        # Rows already drawn are cached by version: a refresh only re-renders what changed.
        self.refresh()

    def _place(self, now: int) -> None:
        now_row = self.model.row_of(now)
        if now_row != self.now_row or self.virtual_size.height != now_row + 2:
            self.now_row = now_row
            set_virtual_height(self, now_row + 2)
        if self.follow:
            self.scroll_to(y=max(0, now_row + 2 - self.size.height), animate=False,
                           immediate=True)

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
        # the lanes and notes stop short of the scrollbar, so a cut note's "…" shows
        geometry = Geometry.of(self.scrollable_content_region.width, len(self.model.nodes))
        if y == 0:
            return runs_to_strip(self.model.header(geometry, self.selection), self._styles,
                                 width)
        row = int(self.scroll_offset.y) + y - 1
        if row > self.now_row or row < 0:
            return Strip.blank(width, self._styles(""))
        key = (row, self.model.version(row), width, self.model.generation)
        strip = self._cache.get(key)
        if strip is None:
            strip = runs_to_strip(self.model.render_row(row, geometry), self._styles, width)
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
