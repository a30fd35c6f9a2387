"""The trace: every event of a run, its canonical form, its hash and its exports.

Each :class:`Event` has a sequence number, the true tick, a kind (``send``, ``deliver``,
``drop``, ``hold``, ``timer``, ``state``, ``decide``, ``observe``, ``command``, ``fault``,
``violation``), the node it happened on (if any) with that node's clock readings, and data.

The canonical serialisation is JSON with sorted keys and no spaces; the trace hash is the
SHA-256 of the canonical events in order. It does not depend on the process, the platform's
dict or set order, or ``PYTHONHASHSEED``: sets are written sorted, ``attrs`` classes as dicts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import attrs

EVENT_KINDS = (
    "start", "send", "deliver", "drop", "hold", "timer", "state", "decide", "observe",
    "command", "fault", "violation",
)


def _canonical_default(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=canonical_json)
    if attrs.has(type(value)):
        return {"__type__": type(value).__name__, **attrs.asdict(value, recurse=False)}
    raise TypeError(f"cannot put {type(value).__name__} in a trace: {value!r}")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), default=_canonical_default, ensure_ascii=True
)


def canonical_json(value: Any) -> str:
    """Canonical JSON text of ``value`` (sorted keys, no spaces, sets sorted)."""
    return _ENCODER.encode(value)


class Event:
    """One thing that happened. ``mono``/``tod`` are the node's clock readings (ms)."""

    __slots__ = ("data", "kind", "mono", "node", "seq", "tick", "tod")

    def __init__(
        self, seq: int, tick: int, kind: str, node: str | None,
        mono: float | None, tod: float | None, data: dict[str, Any],
    ) -> None:
        self.seq = seq
        self.tick = tick
        self.kind = kind
        self.node = node
        self.mono = mono
        self.tod = tod
        self.data = data

    def as_list(self) -> list[Any]:
        return [self.seq, self.tick, self.kind, self.node, self.mono, self.tod, self.data]

    def to_dict(self) -> dict[str, Any]:
        """The JSON Lines record of this event."""
        out: dict[str, Any] = {"seq": self.seq, "tick": self.tick, "kind": self.kind}
        if self.node is not None:
            out["node"] = self.node
            out["mono"] = round(self.mono, 3)  # type: ignore[arg-type]  # a node event has both
            out["tod"] = round(self.tod, 3)  # type: ignore[arg-type]  # clock readings
        out["data"] = self.data
        return out

    def __repr__(self) -> str:
        where = f" @{self.node}" if self.node else ""
        return f"<{self.seq} t={self.tick} {self.kind}{where} {self.data}>"


class Trace:
    """Append-only list of events with an incrementally computed SHA-256.

    With ``retain=False`` events are hashed and forgotten (long headless runs); exports and
    event access then need ``retain=True``.
    """

    FLUSH_EVERY = 4096

    def __init__(self, retain: bool = True) -> None:
        self.retain = retain
        self.events: list[Event] = []
        self._pending: list[Event] = []
        self._hasher = hashlib.sha256()
        self._hashed_any = False
        self.count = 0

    def append(self, event: Event) -> None:
        if self.retain:
            self.events.append(event)
        self._pending.append(event)
        self.count += 1
        if len(self._pending) >= self.FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        # The hashed text is the canonical events joined by ",", whatever the chunking, so
        # asking for the hash mid-run never changes the final hash.
        if self._pending:
            text = _ENCODER.encode([e.as_list() for e in self._pending])
            if self._hashed_any:
                self._hasher.update(b",")
            self._hasher.update(text[1:-1].encode("ascii"))
            self._hashed_any = True
            self._pending = []

    def sha256(self) -> str:
        """Hex SHA-256 of the canonical events so far, joined by commas."""
        self._flush()
        return self._hasher.hexdigest()

    def mark(self) -> tuple[int, Any]:
        """A restore point: (event count, hasher state)."""
        self._flush()
        return (self.count, self._hasher.copy())

    def truncate(self, mark: tuple[int, Any]) -> None:
        """Forget events after ``mark`` (used by rewind)."""
        count, hasher = mark
        self._pending = []
        if self.retain:
            del self.events[count:]
        self.count = count
        self._hasher = hasher.copy()
        self._hashed_any = count > 0

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
        trace.append(event)
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
