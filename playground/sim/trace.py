"""The trace: every event of a run, its canonical form, its hash and its exports.

Each :class:`Event` has a sequence number, the true tick, a kind (``send``, ``deliver``,
``drop``, ``hold``, ``timer``, ``state``, ``decide``, ``observe``, ``command``, ``fault``,
``violation``), the node it happened on (if any) with that node's clock readings, and data.

The engine records an event as a plain *record* ``(tick, kind, node, clock, data)``, where
``clock`` is the node's clock line at that moment (see :attr:`NodeClock.line`); an
:class:`Event` object, with its clock readings, is only built when someone asks for it.

The trace hash is the SHA-256 of the records in order, each encoded as the canonical JSON
array ``[tick, kind, node, clock, data]`` (orjson, sorted keys, no spaces; sets sorted,
``attrs`` classes as dicts), joined by commas. It does not depend on the process, the
platform's dict or set order, or ``PYTHONHASHSEED``. :func:`canonical_json` (the standard
library's encoder, sorted keys) is the form of exports and signatures.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import attrs
import orjson

EVENT_KINDS = (
    "start", "send", "deliver", "drop", "hold", "timer", "state", "decide", "observe",
    "command", "fault", "violation",
)

#: A node's clock line: ``(mono_since, mono_at, mono_rate, tod_since, tod_at, tod_rate)``; the
#: monotonic reading at tick ``t`` is ``mono_at + (t - mono_since) * mono_rate``, and likewise
#: for time-of-day.
ClockLine = tuple[float, float, float, float, float, float]
#: What the engine records per event: ``(tick, kind, node, clock line, data)``, or for the
#: kinds in :data:`FLAT_FIELDS`, ``(tick, kind, node, clock line, *fields)``.
Record = tuple[Any, ...]
#: The most frequent kinds keep their data as fields of the record, not as a dict: no dict
#: per event on the hot path, and records the garbage collector can stop tracking.
#: A deliver's ``dup_of`` is ``None`` (left out of its data) unless it is a duplicate.
FLAT_FIELDS: dict[str, tuple[str, ...]] = {
    "send": ("id", "dst", "payload"),
    "deliver": ("id", "src", "sent", "dup_of"),
    "timer": ("name",),
}


def _canonical_default(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=canonical_json)
    if isinstance(value, tuple):  # named tuples
        return list(value)
    if attrs.has(type(value)):
        return {"__type__": type(value).__name__, **attrs.asdict(value, recurse=False)}
    raise TypeError(f"cannot put {type(value).__name__} in a trace: {value!r}")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), default=_canonical_default, ensure_ascii=True
)
_HASH_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def canonical_json(value: Any) -> str:
    """Canonical JSON text of ``value`` (sorted keys, no spaces, sets sorted)."""
    return _ENCODER.encode(value)


def _hash_text(records: list[Record]) -> bytes:
    """The hashed text of ``records``: their canonical arrays joined by commas.

    Records orjson cannot encode (integers beyond 64 bits, keys of mixed types) are written
    by the standard library's encoder instead, one record at a time, so the text of a record
    never depends on which records were flushed with it."""
    try:
        return orjson.dumps(records, default=_canonical_default, option=_HASH_OPTIONS)[1:-1]
    except TypeError:
        return b",".join(_record_text(r) for r in records)


def _record_text(record: Record) -> bytes:
    try:
        return orjson.dumps(record, default=_canonical_default, option=_HASH_OPTIONS)
    except TypeError:
        return _ENCODER.encode(list(record)).encode("ascii")


def _freeze(records: list[Record]) -> bytes | list[Record]:
    """``records`` as bytes for keeping (a copy of the list if some record will not pickle)."""
    try:
        return pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return list(records)


def _thaw(chunk: bytes | list[Record]) -> list[Record]:
    return pickle.loads(chunk) if isinstance(chunk, bytes) else chunk


def _events_of(records: list[Record], first_seq: int, count: int,
               kinds: frozenset[str] | None) -> list[Event]:
    """Events of ``records`` (the first numbered ``first_seq``) numbered above ``count``, of
    ``kinds`` (all if ``None``)."""
    start = max(0, count + 1 - first_seq)
    if kinds is None:
        return [Event.of(first_seq + i, records[i]) for i in range(start, len(records))]
    return [Event.of(first_seq + i, records[i]) for i in range(start, len(records))
            if records[i][1] in kinds]


def _reading(line: ClockLine, tick: int, at: int) -> float:
    return line[at + 1] + (tick - line[at]) * line[at + 2]


class Event:
    """One thing that happened. ``mono``/``tod`` are the node's clock readings (ms)."""

    __slots__ = ("data", "kind", "line", "node", "record", "seq", "tick")

    def __init__(
        self, seq: int, tick: int, kind: str, node: str | None,
        mono: float | None, tod: float | None, data: dict[str, Any],
    ) -> None:
        self.seq = seq
        self.tick = tick
        self.kind = kind
        self.node = node
        self.data = data
        self.line: ClockLine | None = None
        if mono is not None and tod is not None:
            self.line = (tick, mono, 1.0, tick, tod, 1.0)
        self.record: Record = (tick, kind, node, self.line, data)

    @classmethod
    def of(cls, seq: int, record: Record) -> Event:
        """The event of the ``seq``-th record."""
        event = cls.__new__(cls)
        event.seq = seq
        event.record = record
        event.tick, kind, event.node, event.line = record[:4]
        event.kind = kind
        fields = FLAT_FIELDS.get(kind)
        if fields is None:
            event.data = record[4]
        else:
            event.data = dict(zip(fields, record[4:], strict=True))
            if kind == "deliver" and record[7] is None:
                del event.data["dup_of"]
        return event

    @property
    def mono(self) -> float | None:
        return None if self.line is None else _reading(self.line, self.tick, 0)

    @property
    def tod(self) -> float | None:
        return None if self.line is None else _reading(self.line, self.tick, 3)

    def to_dict(self) -> dict[str, Any]:
        """The JSON Lines record of this event."""
        out: dict[str, Any] = {"seq": self.seq, "tick": self.tick, "kind": self.kind}
        if self.node is not None and self.line is not None:
            out["node"] = self.node
            out["mono"] = round(_reading(self.line, self.tick, 0), 3)
            out["tod"] = round(_reading(self.line, self.tick, 3), 3)
        out["data"] = self.data
        return out

    def __repr__(self) -> str:
        where = f" @{self.node}" if self.node else ""
        return f"<{self.seq} t={self.tick} {self.kind}{where} {self.data}>"


#: How many of the newest kept chunks stay unpickled too, for the readers that follow the run:
#: at a frame a second, a 16x game flushes about four between two reads.
RECENT_CHUNKS = 4


class Trace:
    """Append-only list of events with an incrementally computed SHA-256.

    With ``retain=False`` events are hashed and forgotten (long headless runs); exports and
    event access then need ``retain=True``. Retained records become :class:`Event` objects
    when :attr:`events` is first read after them (the same objects every time).
    """

    FLUSH_EVERY = 256

    def __init__(self, retain: bool = True) -> None:
        self.retain = retain
        self._events: list[Event] = []
        #: Hashed and retained records not made into events yet, one entry per flush: the
        #: records pickled (bytes the garbage collector never walks: a long retained run
        #: would otherwise spend a third of its time in collections of old records), or the
        #: list itself when a record cannot be pickled.
        self._chunks: list[bytes | list[Record]] = []
        self._chunk_sizes: list[int] = []
        #: The newest chunks' records, unpickled, by chunk index: the readers that follow the
        #: run (:meth:`events_since`, several views each frame) read them without thawing the
        #: bytes just frozen, each for itself.
        self._recent: dict[int, list[Record]] = {}
        #: Goes up at every :meth:`truncate`: a reader that saw another epoch starts over.
        self.epoch = 0
        #: Records not hashed yet. The engine appends to it directly (the hot path) and calls
        #: :meth:`flush_if_full`; it is always the same list object.
        self.pending: list[Record] = []
        self._hashed = 0
        self._hasher = hashlib.sha256()

    def add(self, record: Record) -> None:
        """Record one event."""
        self.pending.append(record)
        self.flush_if_full()

    def add_event(self, record: Record) -> Event:
        """Record one event and return it as an :class:`Event` (for the checks that watch
        its kind; :attr:`events` makes its own when asked)."""
        event = Event.of(self.count + 1, record)
        self.add(record)
        return event

    @property
    def count(self) -> int:
        """Events recorded so far."""
        return self._hashed + len(self.pending)

    @property
    def events(self) -> list[Event]:
        """Every retained event, in order (empty unless ``retain``); the same list object,
        and the same event objects, every time."""
        self.flush()
        if self._chunks:
            self._events.extend(
                Event.of(seq, record)
                for seq, record in enumerate(self._thawed(), len(self._events) + 1)
            )
            self._chunks.clear()
            self._chunk_sizes.clear()
            self._recent.clear()
        return self._events

    def events_since(self, count: int, kinds: frozenset[str] | None = None) -> list[Event]:
        """The events after the first ``count`` (only those of ``kinds``, if given), for a
        reader that follows the run: only those records become events, and the trace does
        not keep them (:attr:`events` would keep every event of the run, and make them all)."""
        out = [e for e in self._events[count:] if kinds is None or e.kind in kinds]
        for first, records in self._records_after(count):
            out.extend(_events_of(records, first, count, kinds))
        return out

    def event_at(self, seq: int) -> Event | None:
        """The event numbered ``seq`` (from 1), or ``None`` if there is none (not retained,
        or not recorded yet)."""
        if seq < 1 or seq > self.count:
            return None
        if seq <= len(self._events):
            return self._events[seq - 1]
        first, records = next(self._records_after(seq - 1))
        return Event.of(seq, records[seq - first])

    def _records_after(self, count: int) -> Iterator[tuple[int, list[Record]]]:
        """``(seq of its first record, records)`` of each kept chunk, then of the pending
        records, that hold a record after the first ``count`` (the chunks before are left
        frozen)."""
        first = len(self._events) + 1
        for index, size in enumerate(self._chunk_sizes):
            if first + size > count + 1:
                yield first, self._chunk(index)
            first += size
        yield first, self.pending

    def _chunk(self, index: int) -> list[Record]:
        recent = self._recent.get(index)
        return recent if recent is not None else _thaw(self._chunks[index])

    def _thawed(self) -> Iterator[Record]:
        for index in range(len(self._chunks)):
            yield from self._chunk(index)

    def flush_if_full(self) -> None:
        """Hash the pending records if there are enough of them."""
        if len(self.pending) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Hash the pending records (and keep them, if retaining, to become events).

        The hashed text is the canonical records joined by ",", whatever the chunking, so
        asking for the hash mid-run never changes the final hash."""
        pending = self.pending
        if pending:
            if self._hashed:
                self._hasher.update(b",")
            self._hasher.update(_hash_text(pending))
            self._hashed += len(pending)
            if self.retain:
                index = len(self._chunks)
                self._recent[index] = list(pending)
                self._recent.pop(index - RECENT_CHUNKS, None)
                self._chunks.append(_freeze(pending))
                self._chunk_sizes.append(len(pending))
            pending.clear()

    def sha256(self) -> str:
        """Hex SHA-256 of the canonical records so far, joined by commas."""
        self.flush()
        return self._hasher.hexdigest()

    def mark(self) -> tuple[int, Any]:
        """A restore point: (event count, hasher state)."""
        self.flush()
        return (self._hashed, self._hasher.copy())

    def truncate(self, mark: tuple[int, Any]) -> None:
        """Forget events after ``mark`` (used by rewind)."""
        count, hasher = mark
        self.pending.clear()
        self.epoch += 1
        self._recent.clear()
        if self.retain:
            made = len(self._events)
            if count <= made:
                del self._events[count:]
                self._chunks.clear()
                self._chunk_sizes.clear()
            else:
                self._keep_chunked(count - made)
        self._hashed = count
        self._hasher = hasher.copy()

    def _keep_chunked(self, keep: int) -> None:
        """Keep only the first ``keep`` records of the chunks not made into events yet."""
        for index, size in enumerate(self._chunk_sizes):
            if keep < size:
                records = list(_thaw(self._chunks[index]))[:keep]
                del self._chunks[index:], self._chunk_sizes[index:]
                if records:
                    self._chunks.append(_freeze(records))
                    self._chunk_sizes.append(len(records))
                return
            keep -= size

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def of_kind(self, *kinds: str) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]

    # exports ----------------------------------------------------------------------------
    def write_jsonl(self, out: TextIO) -> None:
        """One canonical JSON object per line."""
        for event in self.events:
            out.write(canonical_json(event.to_dict()))
            out.write("\n")

    def write_shiviz(self, out: TextIO) -> None:
        """ShiViz's log format: a parser regex line, a blank line, then for each event a line
        ``host {vector clock}`` followed by a line describing the event."""
        out.write("(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)\n\n")
        for host, clock, text in shiviz_records(self.events):
            out.write(f"{host} {json.dumps(clock, sort_keys=True)}\n{text}\n")


def trace_hash(events: Iterable[Event]) -> str:
    """SHA-256 of a list of events, as :meth:`Trace.sha256` computes it while running."""
    trace = Trace(retain=False)
    for event in events:
        trace.add(event.record)
    return trace.sha256()


def shiviz_records(events: Iterable[Event]) -> Iterator[tuple[str, dict[str, int], str]]:
    """Vector-clocked records for every event that happened on a node.

    Vector clocks are reconstructed from the trace: a send ticks the sender and stamps the
    message; a delivery merges the message's stamp into the receiver's clock and ticks it.
    """
    clocks: dict[str, dict[str, int]] = {}
    stamps: dict[int, dict[str, int]] = {}
    for event in events:
        node = event.node
        if node is None:
            continue
        vc = clocks.setdefault(node, {})
        data = event.data
        if event.kind == "deliver":
            stamp = stamps.get(data.get("dup_of") or data["id"], {})
            for k, v in stamp.items():
                if vc.get(k, 0) < v:
                    vc[k] = v
        vc[node] = vc.get(node, 0) + 1
        if event.kind == "send":
            stamps[data["id"]] = dict(vc)
        yield node, dict(vc), f"t={event.tick} {event.kind} {canonical_json(data)}"
