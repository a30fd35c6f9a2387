"""The space-time (Lamport) diagram as data: time flows down, one lane per node.

Each row of the diagram covers ``scale`` ms of true time. Messages are drawn from the
sender's lane at the send tick to the receiver's lane at the delivery tick: across rows they
make a diagonal staircase, within a row a horizontal arrow. Drops end in ``✗``, held
messages in ``‖``; decisions are ``★``, faults their tool's symbol, a new leader ``♛``, and a
violation flags its row (``!!`` in the time gutter) and marks the events that caused it
(``◉``).

:class:`DiagramModel` consumes trace events incrementally (it rebuilds itself after a
rewind) and keeps, per row, the primitives to draw and a version number; :meth:`render_row`
turns a row into ``(text, style-class)`` runs for a given width. The widget caches the
resulting strips by ``(row, version, width)``, so a frame only draws the rows that changed.
"""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

import attrs

from playground.game import words
from playground.sim import CRASHED, FROZEN, RUNNING, TOOLS
from playground.sim.actions import HONEST, LYING
from playground.sim.trace import Event, Trace
from playground.tui.model import EventCursor
from playground.tui.tools import TOOL_SYMBOLS

SCALES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
GUTTER = 7  # "  1200 " time labels
NOTES = 24  # columns kept for notes beside the lanes when there is room


def default_scale(ticks: int) -> int:
    """A row scale that shows a level in a few hundred rows."""
    for scale in SCALES:
        if scale >= max(2, ticks / 400):
            return scale
    return SCALES[-1]


@attrs.define
class Segment:
    """A piece of a message within one row, in lane units (lane i is at position i)."""

    x0: float
    x1: float
    cls: str
    head: str | None  # glyph at the end if the message ends in this row


@attrs.define
class Row:
    """The primitives of one row and a version bumped on every change."""

    #: Message pieces by where they go: a piece drawn again moves to the end (it is drawn
    #: last, as it would be if kept twice), so a busy row draws each path once.
    segments: dict[tuple[float, float, str, str | None], Segment] = attrs.field(factory=dict)
    marks: list[tuple[int, str, str]] = attrs.field(factory=list)  # lane, glyph, class
    causes: list[int] = attrs.field(factory=list)  # lanes of events that caused a violation
    notes: list[tuple[str, str]] = attrs.field(factory=list)  # text, class
    violation: bool = False
    version: int = 0

    def add(self, segment: Segment) -> None:
        key = (segment.x0, segment.x1, segment.cls, segment.head)
        self.segments.pop(key, None)
        self.segments[key] = segment


@attrs.frozen
class Geometry:
    """Where lanes are drawn for a given width."""

    width: int
    lanes: int
    lane_width: int
    notes_x: int

    @classmethod
    def of(cls, width: int, lanes: int) -> Geometry:
        """Lanes up to 14 columns wide; keep 24 columns for notes when lanes can still be
        6 wide."""
        lanes = max(1, lanes)
        usable = width - GUTTER
        if usable - NOTES >= lanes * 6:
            usable -= NOTES
        lane_width = max(3, min(14, usable // lanes))
        notes_x = GUTTER + lanes * lane_width + 1
        return cls(width, lanes, lane_width, notes_x)

    def x(self, position: float) -> float:
        """The column of a lane position (lane centres at whole positions)."""
        return GUTTER + position * self.lane_width + self.lane_width // 2

    def lane_at(self, column: int) -> int | None:
        """The lane under a column, or ``None``."""
        if column < GUTTER:
            return None
        lane = (column - GUTTER) // self.lane_width
        return lane if 0 <= lane < self.lanes else None


class DiagramModel:
    """Rows of the space-time diagram, fed from a trace."""

    #: The event kinds it draws.
    FED = frozenset({"send", "deliver", "drop", "hold", "decide", "state", "fault",
                     "violation", "command"})

    def __init__(self, nodes: Sequence[str], scale: int) -> None:
        self.nodes = tuple(nodes)
        self.lane = {name: i for i, name in enumerate(self.nodes)}
        self.scale = scale
        self.generation = 0
        self._reset()

    def _reset(self) -> None:
        self.cursor = EventCursor(self.FED)
        self.rows: dict[int, Row] = {}
        self.sends: dict[int, tuple[int, int, int]] = {}  # msg id -> (src lane, tick, dst lane)
        self.status: list[list[tuple[int, str]]] = [[(-1, RUNNING)] for _ in self.nodes]
        self.status_ticks: list[list[int]] = [[-1] for _ in self.nodes]
        self.lying: list[bool] = [False for _ in self.nodes]
        self.violations: list[tuple[int, str]] = []  # (row, text)
        self._trace: Trace | None = None  # where a violation's causes are looked up
        self.generation += 1

    def set_scale(self, scale: int, trace: Trace) -> None:
        """Change the ms per row and rebuild."""
        self.scale = scale
        self._reset()
        self.sync(trace)

    def row_of(self, tick: int) -> int:
        return max(0, tick) // self.scale

    def _row(self, index: int) -> Row:
        row = self.rows.get(index)
        if row is None:
            row = self.rows[index] = Row()
        row.version += 1
        return row

    # feeding ---------------------------------------------------------------------------
    def sync(self, trace: Trace) -> bool:
        """Take the new events of ``trace``; returns True if the diagram was rebuilt."""
        reset, events = self.cursor.take(trace)
        if reset:
            cursor = self.cursor
            self._reset()
            self.cursor = cursor
        self._trace = trace
        for event in events:
            self._feed(event)
        return reset

    def _where(self, seq: int) -> tuple[int, int | None] | None:
        """Row and lane of the traced event number ``seq``."""
        event = self._trace.event_at(seq) if self._trace is not None else None
        if event is None:
            return None
        lane = self.lane.get(event.node) if event.node is not None else None
        return self.row_of(event.tick), lane

    def _feed(self, event: Event) -> None:
        kind = event.kind
        lane = self.lane.get(event.node) if event.node is not None else None
        row_index = self.row_of(event.tick)
        data: Any = event.data  # its fields depend on the kind
        if kind == "send" and lane is not None:
            dst = self.lane.get(data.get("dst"))
            if dst is not None:
                self.sends[data["id"]] = (lane, event.tick, dst)
        elif kind == "deliver" and lane is not None:
            self.sends.pop(data.get("id"), None)  # delivered: no drop or hold can follow
            src = self.lane.get(data.get("src"))
            if src is not None:
                self._message(src, int(data.get("sent", event.tick)), lane, event.tick, 1.0,
                              "msg", "▸" if lane > src else "◂")
        elif kind == "drop":
            sent = self.sends.get(data.get("id"))
            if sent is None and lane is not None and data.get("dst") in self.lane:
                sent = (lane, event.tick, self.lane[data["dst"]])
            if sent is not None:
                src, tick, dst = sent
                reach = 0.5 if event.tick == tick else 0.8
                self._message(src, tick, dst, event.tick, reach, "drop", "✗")
        elif kind == "hold":
            sent = self.sends.get(data.get("id"))
            if sent is not None:
                src, tick, dst = sent
                self._message(src, tick, dst, event.tick, 0.8, "held", "‖")
        elif kind == "decide" and lane is not None:
            row = self._row(row_index)
            row.marks.append((lane, "★", "decide"))
            row.notes.append((f"★ {event.node} {words.name(str(data.get('key')))}="
                               f"{_short(data.get('value'))}",
                              "decide"))
        elif kind == "state" and lane is not None:
            if data.get("role") == "leader":
                row = self._row(row_index)
                row.marks.append((lane, "♛", "leader"))
                term = data.get("term", data.get("round"))
                row.notes.append((f"♛ {event.node} leads" + (f" t{term}" if term is not None
                                                              else ""), "leader"))
            if data.get("why") == "recovered":
                self._set_status(lane, event.tick, RUNNING)
        elif kind == "fault":
            self._fault(event, row_index)
        elif kind == "violation":
            row = self._row(row_index)
            row.violation = True
            text = f"!! {words.name(str(data.get('invariant')))}: {data.get('detail')}"
            row.notes.insert(0, (text, "violation"))
            self.violations.append((row_index, text))
            for seq in data.get("causes", ()):
                where = self._where(seq)
                if where is not None and where[1] is not None:
                    self._row(where[0]).causes.append(where[1])
        elif kind == "command" and lane is not None:
            self._row(row_index).marks.append((lane, "◦", "command"))

    def _fault(self, event: Event, row_index: int) -> None:
        data = event.data
        tool = str(data.get("tool"))
        target = str(data.get("target"))
        symbol = TOOL_SYMBOLS.get(tool, "!")
        row = self._row(row_index)
        effect = str(data.get("effect", ""))
        lane = self.lane.get(target)
        if lane is not None:
            if tool == "step_clock":
                symbol = "↶" if float(data.get("delta_ms", 0)) < 0 else "↷"
            row.marks.append((lane, symbol, "fault"))
            leaves = TOOLS[tool].leaves if tool in TOOLS else None
            if leaves is not None and "no effect" not in effect:
                self._set_status(lane, event.tick, RUNNING if leaves == HONEST else leaves)
        params = words.fields([(k, v) for k, v in data.items()
                               if k not in ("tool", "target", "effect")], limit=NOTE_LIMIT)
        where = "" if target in ("*", "None") else f" {target}"
        row.notes.append((f"{symbol} {words.tool(tool)}{where}" + (f" {params}" if params
                                                                  else ""), "fault"))

    def _set_status(self, lane: int, tick: int, status: str) -> None:
        if status == LYING:
            self.lying[lane] = True
        elif status == RUNNING and self.status[lane][-1][1] not in (FROZEN, CRASHED):
            self.lying[lane] = False
        shown = status
        if status == RUNNING and self.lying[lane]:
            shown = LYING
        self.status[lane].append((tick, shown))
        self.status_ticks[lane].append(tick)

    def _message(self, src: int, sent: int, dst: int, end: int, reach: float, cls: str,
                 head: str) -> None:
        first = self.row_of(sent)
        last = self.row_of(end)
        span = max(1, end - sent)
        target = src + (dst - src) * reach
        scale = self.scale

        def pos(tick: float) -> float:
            if end == sent:
                return target
            return src + (target - src) * (tick - sent) / span

        if first == last:
            self._row(first).add(Segment(float(src), target, cls, head))
            return
        for index in range(first, last + 1):
            t0 = max(sent, index * scale)
            t1 = min(end, (index + 1) * scale)
            x0 = float(src) if index == first else pos(t0)
            x1 = target if index == last else pos(t1)
            self._row(index).add(Segment(x0, x1, cls, head if index == last else None))

    # reading ---------------------------------------------------------------------------
    def lane_status(self, lane: int, row_index: int) -> str:
        """A lane's status at the end of a row."""
        tick = row_index * self.scale + self.scale - 1
        ticks = self.status_ticks[lane]
        i = bisect.bisect_right(ticks, tick) - 1
        return self.status[lane][max(0, i)][1]

    def version(self, row_index: int) -> int:
        row = self.rows.get(row_index)
        return 0 if row is None else row.version

    def render_row(self, row_index: int, geometry: Geometry, label_every: int = 5,
                   ) -> list[tuple[str, str]]:
        """The row as ``(text, class)`` runs exactly ``geometry.width`` cells wide."""
        width = geometry.width
        chars = [" "] * width
        classes = [""] * width
        row = self.rows.get(row_index)
        if row is not None and row.violation:
            classes = ["violation-row"] * width

        def put(x: int, ch: str, cls: str) -> None:
            if 0 <= x < width:
                chars[x] = ch
                classes[x] = cls

        # time gutter
        if row is not None and row.violation:
            label = "!!"
            for i, ch in enumerate(label.rjust(GUTTER - 1)):
                put(i, ch, "violation")
        elif row_index % label_every == 0:
            label = str(row_index * self.scale)
            for i, ch in enumerate(label.rjust(GUTTER - 1)[: GUTTER - 1]):
                put(i, ch, "time")
        # lanes
        centres = []
        for lane in range(len(self.nodes)):
            x = int(geometry.x(lane))
            centres.append(x)
            status = self.lane_status(lane, row_index)
            ch, cls = _LANE_GLYPH[status]
            put(x, ch, cls)
        if row is not None:
            centre_set = set(centres)
            heads: list[tuple[int, str, str]] = []
            for seg in row.segments.values():
                head = self._draw_segment(seg, geometry, centre_set, put)
                if head is not None:
                    heads.append(head)
            for x, glyph, cls in heads:  # arrival, drop and hold marks win over lines
                put(x, glyph, cls)
            for lane, glyph, cls in row.marks:
                put(centres[lane], glyph, cls)
            if row.violation and geometry.notes_x >= width - 12:
                # no room beside the lanes: write the violation over the row itself
                text = next(t for t, c in row.notes if c == "violation").removeprefix("!! ")
                for i, ch in enumerate(words.fit(text, width - GUTTER)):
                    put(GUTTER + i, ch, "violation")
            for lane in row.causes:
                put(centres[lane], "◉", "violation")
            if row.notes and geometry.notes_x < width - 4:
                x = geometry.notes_x
                for text, cls in row.notes:
                    for ch in text:
                        if x >= width:
                            put(width - 1, words.MORE, cls)  # cut: the log has it all
                            break
                        put(x, ch, cls)
                        x += 1
                    x += 2
                    if x >= width:
                        break
        return merge_runs(chars, classes)

    @staticmethod
    def _draw_segment(seg: Segment, geometry: Geometry, centres: set[int], put: Any,
                      ) -> tuple[int, str, str] | None:
        """Draw a segment's body; return its end mark ``(column, glyph, class)`` if any."""
        x0 = geometry.x(seg.x0)
        x1 = geometry.x(seg.x1)
        right = x1 >= x0
        a, b = (round(x0), round(x1))
        if abs(x1 - x0) < 1.0:
            column = round((x0 + x1) / 2)
            if column in centres and seg.head is None:
                column += 1 if right else -1
            if seg.head is not None:
                return column, seg.head, seg.cls
            put(column, "╲" if right else "╱", seg.cls)
            return None
        step = 1 if right else -1
        start = a + step if a in centres else a
        end = b - step if (b in centres and seg.head is not None) else b
        x = start
        while (x <= end) if right else (x >= end):
            put(x, "┼" if x in centres else "─", seg.cls)
            x += step
        return (end, seg.head, seg.cls) if seg.head is not None else None

    def header(self, geometry: Geometry, selected: str | None) -> list[tuple[str, str]]:
        """The lane names line."""
        width = geometry.width
        chars = [" "] * width
        classes = ["header"] * width
        label = f"{self.scale}ms"
        for i, ch in enumerate(label[: GUTTER - 1].rjust(GUTTER - 1)):
            chars[i] = ch
            classes[i] = "time"
        for lane, name in enumerate(self.nodes):
            text = f"{lane + 1}:{name}" if geometry.lane_width >= len(name) + 3 else name
            text = text[: geometry.lane_width - 1]
            x = int(geometry.x(lane)) - len(text) // 2
            cls = "header-selected" if name == selected else "header"
            for i, ch in enumerate(text):
                if 0 <= x + i < width:
                    chars[x + i] = ch
                    classes[x + i] = cls
        return merge_runs(chars, classes)


_LANE_GLYPH: dict[str, tuple[str, str]] = {
    RUNNING: ("│", "lane"),
    FROZEN: ("┊", "frozen"),
    CRASHED: ("·", "crashed"),
    LYING: ("╏", "lying"),
}


NOTE_LIMIT = 12  # a value in a diagram note is cut (with …) to this many characters


def _short(value: Any, limit: int = NOTE_LIMIT) -> str:
    return words.fit(words.value(value), limit)


def merge_runs(chars: Sequence[str], classes: Sequence[str]) -> list[tuple[str, str]]:
    """Cells as ``(text, class)`` runs: neighbours of one class share a run (fewer segments
    to paint)."""
    runs: list[tuple[str, str]] = []
    start = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or classes[i] != classes[start]:
            runs.append(("".join(chars[start:i]), classes[start]))
            start = i
    return runs
