"""What a browser is sent of its game's screen: the rows that changed, and for a browser that
reads slowly, only the latest screen.

Textual's web driver writes a frame as rows: ``ESC[row;colH``, then text whose every style
ends in ``ESC[0m``, then a newline, with a bare ``ESC[row;colH`` at the end that parks the
cursor. In a frame made only of such rows (a *clean* frame), the rows are independent of each
other and of what came before, so:

- a row whose bytes are exactly the last ones sent for it changes nothing and is left out
  (an unchanged screen sends nothing at all);
- frames waiting for a slow browser merge: a later write to a row drops the earlier writes to
  that row whose cells it overwrites, so the browser gets the latest screen, not every
  frame in between.

The newlines are left out too (each row starts by moving the cursor). Anything else the game
writes (mode switches, a cleared screen) goes out as it is, in order, and the browser's screen
is then unknown: every row is sent again until known.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

CURSOR_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")
STYLE = re.compile(rb"\x1b\[[\d;]*m")
CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


class Row:
    """One write to one row: its bytes and the cells it covers (bit ``x`` = column ``x``)."""

    __slots__ = ("cells", "data")

    def __init__(self, data: bytes, cells: int) -> None:
        self.data = data
        self.cells = cells


def parse_frame(data: bytes) -> tuple[list[tuple[int, Row]], bytes] | None:
    """A clean frame's row writes, in order, and its cursor park (``b""`` if none); ``None``
    if ``data`` is anything else."""
    parts = CURSOR_MOVE.split(data)
    if parts[0] or len(parts) < 4:
        return None
    writes: list[tuple[int, Row]] = []
    park = b""
    last = len(parts) - 3
    for i in range(1, len(parts), 3):
        row, column, body = int(parts[i]), int(parts[i + 1]), parts[i + 2]
        if body.endswith(b"\n"):
            body = body[:-1]
        elif not body and i == last:
            park = b"\x1b[%d;%dH" % (row, column)
            break
        text = STYLE.sub(b"", body)
        if CONTROL.search(text):
            return None
        try:
            width = cell_len(text.decode("utf-8"))
        except UnicodeDecodeError:
            return None
        move = b"\x1b[%d;%dH" % (row, column)
        cells = ((1 << width) - 1) << column
        if writes and writes[-1][0] == row:
            previous = writes[-1][1]
            writes[-1] = (row, Row(previous.data + move + body, previous.cells | cells))
        else:
            writes.append((row, Row(move + body, cells)))
    return writes, park


class _Screen:
    """Clean frames merged: per row, the writes not yet overwritten, in order."""

    def __init__(self) -> None:
        self.rows: dict[int, list[Row]] = {}
        self.park = b""
        self.size = 0

    def add(self, writes: list[tuple[int, Row]], park: bytes) -> None:
        for row, write in writes:
            earlier = self.rows.get(row, [])
            kept = [w for w in earlier if w.cells & ~write.cells]  # not wholly overwritten
            kept.append(write)
            self.rows[row] = kept
            self.size += _length(kept) - _length(earlier)
        if park:
            self.park = park


def _length(writes: list[Row]) -> int:
    return sum(len(w.data) for w in writes)


class Outbox:
    """A game's output waiting for its browser: ``put`` what the game writes, ``take`` what
    the browser still needs (``b""`` if nothing). ``forget`` when the browser's screen may
    have changed by itself (a resize). ``send_all`` turns the row logic off (every byte the
    game wrote goes out, as before it existed: the benchmark's baseline)."""

    def __init__(self, send_all: bool = False) -> None:
        self.send_all = send_all
        self.batches: list[_Screen | bytes] = []
        self.shown: dict[int, bytes] = {}
        self.shown_park = b""
        self.size = 0  # bytes waiting, roughly

    def put(self, data: bytes) -> None:
        frame = None if self.send_all else parse_frame(data)
        if frame is None:
            self.batches.append(data)
            self.size += len(data)
            return
        if not self.batches or not isinstance(self.batches[-1], _Screen):
            self.batches.append(_Screen())
        screen = self.batches[-1]
        assert isinstance(screen, _Screen)
        before = screen.size
        screen.add(*frame)
        self.size += screen.size - before

    def take(self) -> bytes:
        out: list[bytes] = []
        for batch in self.batches:
            if isinstance(batch, bytes):
                out.append(batch)
                self.forget()
                continue
            for row, writes in batch.rows.items():
                data = b"".join(w.data for w in writes)
                if self.shown.get(row) != data:
                    out.append(data)
                    self.shown[row] = data
            if batch.park and (out or batch.park != self.shown_park):
                out.append(batch.park)
                self.shown_park = batch.park
        self.batches.clear()
        self.size = 0
        return b"".join(out)

    def forget(self) -> None:
        self.shown.clear()
        self.shown_park = b""
