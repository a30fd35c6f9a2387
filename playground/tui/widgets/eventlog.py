"""The event log: the run's notable events as text, newest at the bottom (Line API).

A line too long for the log ends with ``…``; clicking it shows the whole line in the play
screen's detail line."""

from __future__ import annotations

from textual import events
from textual.cache import LRUCache
from textual.message import Message
from textual.strip import Strip

from playground.game.debrief import describe_event
from playground.sim.trace import Event, Trace
from playground.tui.model import EventCursor
from playground.tui.widgets.paint import (
    MIN_CACHED_LINES,
    ClassStyles,
    crop,
    fit_cache,
    runs_to_strip,
    set_virtual_height,
)
from playground.tui.widgets.scrollbar import SteadyScrollView

#: Event kinds the log shows (sends, deliveries and timers would drown the rest).
SHOWN = frozenset({"fault", "decide", "state", "drop", "hold", "violation", "command",
                   "observe"})
#: Belief changes too frequent for the log (the node cards show them).
QUIET_BELIEFS = frozenset({"lease_until", "value", "commit_index", "offset_ms", "token"})
TIME_WIDTH = 6
KIND_CLASS = {"fault": "fault", "violation": "violation", "decide": "decide", "drop": "drop",
              "hold": "drop", "state": "state", "command": "dim", "observe": "dim"}


class EventLog(SteadyScrollView):
    """Faults, decisions, belief changes, drops and violations as they happen."""

    COMPONENT_CLASSES = {"log--fault", "log--violation", "log--decide", "log--drop",
                         "log--state", "log--dim", "log--time"}

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.cursor = EventCursor(SHOWN)
        self.lines: list[Event] = []
        self.follow = True
        #: Time is running: move a page at a time, as the space-time diagram does.
        self.paging = False
        self._styles = ClassStyles(self, "log")
        self._cache: LRUCache[tuple[int, int, int], Strip] = LRUCache(MIN_CACHED_LINES)
        self._generation = 0

    def sync(self, trace: Trace) -> None:
        reset, events = self.cursor.take(trace)
        if reset:
            self.lines = []
            self._generation += 1
        added = [e for e in events if not (
            e.kind == "state" and QUIET_BELIEFS.issuperset(e.data))]
        if not added and not reset:
            return
        first_new = 0 if reset else len(self.lines)
        self.lines.extend(added)
        scroll_y = int(self.scroll_offset.y)
        top = self._follow_top()
        set_virtual_height(self, max(len(self.lines), top + self.size.height))
        if self.follow:
            self.scroll_to(y=top, animate=False, immediate=True)
        if reset or int(self.scroll_offset.y) != scroll_y:
            self.refresh()  # the whole view moved
        else:  # only the new lines, if they are in view
            self.refresh_lines(first_new, len(self.lines) - first_new)

    def _follow_top(self) -> int:
        """The first line shown while following: the newest event on the last line, or, while
        :attr:`paging`, the lines in view until new ones run off the bottom, then a jump that
        puts the newest a third of the way down (the view moves once a page, not a line)."""
        bottom = max(0, len(self.lines) - self.size.height)
        if not self.paging or not self.follow:
            return bottom
        top = int(self.scroll_offset.y)
        if len(self.lines) <= top + self.size.height:
            return top
        return max(bottom, len(self.lines) - 1 - self.size.height // 3)

    class EventChosen(Message):
        """The player clicked an event: ``text`` is its full description."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < len(self.lines):
            self.post_message(self.EventChosen(describe_event(self.lines[index])))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.follow = round(new) >= max(0, len(self.lines) - self.size.height)

    def on_resize(self, event: events.Resize) -> None:
        fit_cache(self._cache, event.size.height)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = int(self.scroll_offset.y) + y
        if not 0 <= index < len(self.lines):
            return Strip.blank(width, self._styles(""))
        key = (index, width, self._generation)
        strip = self._cache.get(key)
        if strip is None:
            event = self.lines[index]
            text = describe_event(event)
            head, _, rest = text.partition(" ")
            runs = [(head.removeprefix("t=").rjust(TIME_WIDTH) + " ", "time"),
                    (rest, KIND_CLASS.get(event.kind, ""))]
            strip = runs_to_strip(crop(runs, self.scrollable_content_region.width),
                                  self._styles, width)
            self._cache[key] = strip
        return strip
