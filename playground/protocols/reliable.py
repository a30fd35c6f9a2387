"""Reliable, in-order, exactly-once delivery of a stream over a lossy, duplicating, reordering
link: sequence numbers, acknowledgements, retransmission and a reorder buffer.

Source: Kleppmann, *Designing Data-Intensive Applications*, ch. 8, "Building a Reliable System
from Unreliable Components": "IP (the Internet Protocol) is unreliable: it may drop, delay,
duplicate, or reorder packets. TCP provides a more reliable transport layer on top of IP: it
ensures that missing packets are retransmitted, duplicates are eliminated, and packets are
reassembled into the order in which they were sent." The mechanism is the sliding-window
protocol of TCP (RFC 793 / RFC 9293: sequence numbers, cumulative acknowledgements, a
retransmission timeout) in its textbook Go-Back-N form with a receiver-side reorder buffer
(Kurose & Ross, *Computer Networking*, sec. 3.4 "Principles of Reliable Data Transfer").

The *sender* has a stream ``m1 .. mN``. It keeps at most ``window`` segments unacknowledged,
each carrying its sequence number, and starts a retransmission timer (``rto_ms``, on its
monotonic clock) for the oldest one; when it fires, every unacknowledged segment is sent
again. The *receiver* delivers a segment to its application only if it is the next one
expected, buffers later ones until the gap is filled, drops those it has already delivered,
and acknowledges cumulatively (``ack = the next sequence number it expects``). Each mechanism
can be switched off to watch what it was for:

- ``dedup`` off: a retransmitted or duplicated segment is delivered again (a duplicate);
- ``in_order`` off: segments are delivered as they arrive (jitter reorders them);
- ``sequence_numbers`` off: neither side can tell segments apart: the receiver delivers every
  copy, acknowledges each with a bare "got one", and the sender counts acknowledgements, so a
  duplicated acknowledgement "acknowledges" a segment that was lost: a gap that is never filled.

Both ends keep their progress in ``ctx.durable`` (the sender's stream position, the
receiver's delivered log), as an application writing the stream to disk would.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim.checks import Check, Finding, Invariant
from playground.sim.program import Context, Program
from playground.sim.trace import Event
from playground.sim.world import World

SOURCE = ("Kleppmann, Designing Data-Intensive Applications, ch. 8 'Building a Reliable System "
          "from Unreliable Components' (TCP over IP); sliding window with cumulative acks and "
          "a retransmission timeout: RFC 793/9293, Kurose & Ross sec. 3.4 (Go-Back-N)")


def item(index: int) -> str:
    """The value of stream item ``index`` (0-based): ``m1``, ``m2``, ..."""
    return f"m{index + 1}"


def item_index(value: Any) -> int | None:
    """Inverse of :func:`item`; ``None`` for a value that is not a stream item."""
    if isinstance(value, str) and value[:1] == "m" and value[1:].isdigit():
        index = int(value[1:]) - 1
        return index if index >= 0 else None
    return None


# ------------------------------------------------------------------------------ programs
class StreamSender(Program):
    """The sending end: a sliding window, cumulative acks and one retransmission timer.

    Durable state: ``length`` (items in the stream), ``base`` (items acknowledged: the first
    unacknowledged index), ``next`` (the next new index to send).
    """

    def __init__(self, receiver: str, stream_length: int, window: int, rto_ms: int,
                 sequence_numbers: bool, start_ms: int) -> None:
        self.receiver = receiver
        self.stream_length = stream_length
        self.window = window
        self.rto_ms = rto_ms
        self.sequence_numbers = sequence_numbers
        self.start_ms = start_ms
        self.started = False

    def on_start(self, ctx: Context) -> None:
        d = ctx.durable
        if "length" not in d:
            d.update(length=self.stream_length, base=0, next=0)
            ctx.decide("stream", self.stream_length)
            ctx.set_timer("start", self.start_ms)
        else:  # recovering: resend whatever was not acknowledged
            d["next"] = d["base"]
            ctx.set_timer("start", 0)
        ctx.believe(role="sender", commit_index=d["base"])

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        d = ctx.durable
        if name == "start":
            self.started = True
            self._fill(ctx)
        elif name == "rto" and d["base"] < d["next"]:
            ctx.observe("rto", base=d["base"], resent=d["next"] - d["base"])
            for index in range(d["base"], d["next"]):
                self._segment(ctx, index)
            ctx.set_timer("rto", self.rto_ms)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if src != self.receiver or not isinstance(payload, dict) or payload.get("type") != "ack":
            return
        d = ctx.durable
        if self.sequence_numbers:
            ack = payload.get("ack")
            if not isinstance(ack, int) or ack <= d["base"]:
                return  # a duplicate or stale (reordered) acknowledgement: nothing new
            # the receiver may hold more than this incarnation has sent (after a recovery)
            new_base = min(ack, d["length"])
            d["next"] = max(d["next"], new_base)
        else:
            if d["base"] >= d["next"]:
                return
            new_base = d["base"] + 1  # "got one": count it against the oldest outstanding
        d["base"] = new_base
        ctx.decide("acked", new_base)
        ctx.believe(commit_index=new_base)
        if new_base >= d["length"]:
            ctx.cancel_timer("rto")
            ctx.observe("complete", length=d["length"])
            return
        if new_base < d["next"]:
            ctx.set_timer("rto", self.rto_ms)  # restart for the new oldest segment
        else:
            ctx.cancel_timer("rto")
        self._fill(ctx)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name != "send":
            super().on_command(ctx, name, args)
            return
        count = args.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            ctx.observe("refused", command=name, why=f"count must be >= 1, got {count!r}")
            return
        d = ctx.durable
        d["length"] += count
        ctx.decide("stream", d["length"])
        if self.started:
            self._fill(ctx)

    def _fill(self, ctx: Context) -> None:
        d = ctx.durable
        while d["next"] < d["length"] and d["next"] < d["base"] + self.window:
            self._segment(ctx, d["next"])
            d["next"] += 1
        if d["base"] < d["next"] and not ctx.has_timer("rto"):
            ctx.set_timer("rto", self.rto_ms)

    def _segment(self, ctx: Context, index: int) -> None:
        payload: dict[str, Any] = {"type": "data", "value": item(index)}
        if self.sequence_numbers:
            payload["seq"] = index
        ctx.send(self.receiver, payload)


class StreamReceiver(Program):
    """The receiving end: delivers to its application in order, exactly once (when allowed).

    Durable state: ``delivered`` (sequence numbers delivered, in delivery order, without
    repeats), ``expected`` (the lowest sequence number not yet delivered: the cumulative ack),
    ``count`` (deliveries including duplicates). The reorder buffer is volatile.
    """

    def __init__(self, sender: str, sequence_numbers: bool, dedup: bool, in_order: bool) -> None:
        self.sender = sender
        self.sequence_numbers = sequence_numbers
        self.dedup = dedup
        self.in_order = in_order
        self.have: set[int] = set()
        self.buffer: dict[int, str] = {}

    def on_start(self, ctx: Context) -> None:
        d = ctx.durable
        d.setdefault("delivered", [])
        d.setdefault("expected", 0)
        d.setdefault("count", 0)
        self.have = set(d["delivered"])
        ctx.believe(role="receiver", commit_index=d["expected"])

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if src != self.sender or not isinstance(payload, dict) or payload.get("type") != "data":
            return
        value: Any = payload.get("value")
        if not self.sequence_numbers:
            self._deliver(ctx, None, value)
            ctx.send(self.sender, {"type": "ack"})
            return
        seq = payload.get("seq")
        if not isinstance(seq, int) or seq < 0:
            return
        d = ctx.durable
        if seq in self.have:
            if not self.dedup:
                self._deliver(ctx, seq, value)
        elif not self.in_order:
            self._deliver(ctx, seq, value)
        elif seq == d["expected"]:
            self._deliver(ctx, seq, value)
            while d["expected"] in self.buffer:
                nxt = d["expected"]
                self._deliver(ctx, nxt, self.buffer.pop(nxt))
        else:
            self.buffer[seq] = value
        ctx.send(self.sender, {"type": "ack", "ack": d["expected"]})

    def _deliver(self, ctx: Context, seq: int | None, value: Any) -> None:
        d = ctx.durable
        d["count"] += 1
        if seq is not None and seq not in self.have:
            self.have.add(seq)
            d["delivered"].append(seq)
            while d["expected"] in self.have:
                d["expected"] += 1
        ctx.decide("deliver", value, seq=seq, position=d["count"])
        ctx.believe(value=value, commit_index=d["expected"] if seq is not None else d["count"])


class Idle(Program):
    """A node that is neither the sender nor the receiver."""

    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="idle")


# ------------------------------------------------------------------------------ checks
class ExactlyOnceInOrder(Invariant):
    """The receiver's delivered stream is always a prefix of the sent stream.

    Judged at each delivery of item ``j`` when the receiver has delivered ``k`` distinct items
    (all of ``m1..mk`` if the property held so far):

    - ``duplicate``: ``j`` was delivered before;
    - ``gap``: ``j > k`` and the sender already counts a missing item as acknowledged, so it
      will never resend it;
    - ``out of order``: ``j > k`` and the missing items may still come (reordering);
    - ``not sent``: the value is not an item of the stream.
    """

    name = "exactly-once-in-order"
    kinds = frozenset({"decide"})

    def __init__(self, sender: str, receiver: str) -> None:
        self.sender = sender
        self.receiver = receiver
        self.length = 0
        self.acked = 0
        self.delivered: dict[int, int] = {}  # index -> position of its first delivery
        self.position = 0

    def observe(self, event: Event, world: World) -> Finding:
        data = event.data
        if event.node == self.sender:
            if data["key"] == "stream":
                self.length = data["value"]
            elif data["key"] == "acked":
                self.acked = max(self.acked, data["value"])
            return None
        if event.node != self.receiver or data["key"] != "deliver":
            return None
        value = data["value"]
        self.position += 1
        j = item_index(value)
        r = self.receiver
        if j is None or j >= max(self.length, 1):
            return (f"not sent: {r} delivered {value!r}, which is not in the stream", [event.seq])
        if j in self.delivered:
            return (f"duplicate: {r} delivered {value} twice (as delivery "
                    f"{self.delivered[j]} and again as delivery {self.position})", [event.seq])
        k = len(self.delivered)
        self.delivered[j] = self.position
        if j > k:
            missing = [i for i in range(k, j) if i not in self.delivered]
            lost = [i for i in missing if i < self.acked]
            if lost:
                return (f"gap: {r} delivered {value} without {item(lost[0])}, which "
                        f"{self.sender} already counts as acknowledged and will never resend",
                        [event.seq])
            return (f"out of order: {r} delivered {value} before {item(missing[0])}",
                    [event.seq])
        return None


class StreamDelivered(Check):
    """Liveness: the whole stream (every item, at least once) is delivered within ``window``
    ms of the tick the sender was handed it (tick 0), or of a ``send`` command that extended a
    stream already delivered in full."""

    name = "stream-delivered"
    kind = "liveness"
    kinds = frozenset({"decide"})

    def __init__(self, sender: str, receiver: str, window: int) -> None:
        self.sender = sender
        self.receiver = receiver
        self.window = window
        self.length = 0
        self.got: set[int] = set()
        self.opened_at: int | None = None
        self.cause: int | None = None

    def observe(self, event: Event, world: World) -> Finding:
        data = event.data
        if event.node == self.sender and data["key"] == "stream":
            self.length = data["value"]
            if len(self.got) < self.length and self.opened_at is None:
                self.opened_at, self.cause = event.tick, event.seq
        elif event.node == self.receiver and data["key"] == "deliver":
            j = item_index(data["value"])
            if j is not None and j < self.length:
                self.got.add(j)
                if len(self.got) >= self.length:
                    self.opened_at = None
        return None

    def deadline(self) -> int | None:
        return None if self.opened_at is None else self.opened_at + self.window

    def at_deadline(self, now: int, world: World) -> Finding:
        due = self.deadline()
        if due is None or now < due:
            return None
        missing = [item(i) for i in range(self.length) if i not in self.got]
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        return (f"{self.receiver} still lacks {len(missing)} of {self.length} items ({shown}) "
                f"{self.window} ms after tick {self.opened_at}",
                [] if self.cause is None else [self.cause])


# ------------------------------------------------------------------------------ metrics
def metrics(world: World) -> dict[str, Any]:
    """Numbers for scoring and the debrief (from the retained trace).

    ``data_sent`` segments (first sends + ``retransmissions``), ``acks_sent``, ``timeouts``
    (RTO firings), ``delivered`` (deliveries, with repeats), ``unique_delivered``,
    ``in_order_prefix`` (items ``m1..mk`` delivered), ``duplicates``, ``out_of_order``
    (deliveries ahead of a missing item), ``gaps`` (items the sender counts as acknowledged
    that never arrived), ``complete`` (1/0), ``completion_tick`` (``None`` if not complete),
    ``goodput_per_s`` (in-order items per second of simulated time up to completion or now),
    ``efficiency`` (unique items delivered per data segment sent).
    """
    out: dict[str, Any] = {
        "data_sent": 0, "retransmissions": 0, "acks_sent": 0, "timeouts": 0, "delivered": 0,
        "unique_delivered": 0, "in_order_prefix": 0, "duplicates": 0, "out_of_order": 0,
        "gaps": 0, "complete": 0, "completion_tick": None, "goodput_per_s": 0.0,
        "efficiency": 0.0,
    }
    sent_values: set[str] = set()
    got: set[int] = set()
    length = 0
    acked = 0
    start: int | None = None
    for e in world.trace:
        data = e.data
        if e.kind == "send":
            payload = data["payload"]
            if not isinstance(payload, dict):
                continue
            if payload.get("type") == "data":
                out["data_sent"] += 1
                if start is None:
                    start = e.tick
                if payload.get("value") in sent_values:
                    out["retransmissions"] += 1
                sent: Any = payload.get("value")
                sent_values.add(sent)
            elif payload.get("type") == "ack":
                out["acks_sent"] += 1
        elif e.kind == "observe" and data.get("what") == "rto":
            out["timeouts"] += 1
        elif e.kind == "decide":
            key = data["key"]
            if key == "stream":
                length = data["value"]
            elif key == "acked":
                acked = max(acked, data["value"])
            elif key == "deliver":
                out["delivered"] += 1
                j = item_index(data["value"])
                if j is None:
                    continue
                if j in got:
                    out["duplicates"] += 1
                    continue
                if any(i not in got for i in range(j)):
                    out["out_of_order"] += 1
                got.add(j)
                if length and len(got) >= length and out["completion_tick"] is None:
                    out["completion_tick"] = e.tick
    prefix = 0
    while prefix in got:
        prefix += 1
    out["unique_delivered"] = len(got)
    out["in_order_prefix"] = prefix
    out["gaps"] = sum(1 for i in range(min(acked, length)) if i not in got)
    out["complete"] = int(out["completion_tick"] is not None)
    end = out["completion_tick"] if out["complete"] else world.now
    elapsed = end - (start or 0)
    if elapsed > 0:
        out["goodput_per_s"] = round(prefix * 1000 / elapsed, 3)
    if out["data_sent"]:
        out["efficiency"] = round(len(got) / out["data_sent"], 4)
    return out


# ------------------------------------------------------------------------------ SPEC
def _program(name: str, *, sender: str, receiver: str, knobs: Mapping[str, Any]) -> Program:
    if name == sender:
        return StreamSender(receiver, knobs["stream_length"], knobs["window"], knobs["rto_ms"],
                            knobs["sequence_numbers"], knobs["start_ms"])
    if name == receiver:
        return StreamReceiver(sender, knobs["sequence_numbers"], knobs["dedup"],
                              knobs["in_order"])
    return Idle()


def build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    sender, receiver = knobs["sender"], knobs["receiver"]
    if sender == receiver:
        raise KnobError("receiver", f"must differ from the sender ({sender})")
    program = functools.partial(_program, sender=sender, receiver=receiver, knobs=dict(knobs))
    checks: list[Check] = [ExactlyOnceInOrder(sender, receiver)]
    if knobs["deliver_within_ms"]:
        checks.append(StreamDelivered(sender, receiver, knobs["deliver_within_ms"]))
    return Build(program=program, checks=tuple(checks))


SPEC = ProtocolSpec(
    name="reliable",
    title="Reliable delivery over an unreliable link",
    source=SOURCE,
    summary=(
        "A sender streams m1..mN to a receiver over a link that loses, duplicates and reorders "
        "packets. Sequence numbers, acknowledgements and retransmission after a timeout "
        "recover lost packets; the receiver drops duplicates and holds early arrivals until "
        "the gap is filled, so its application sees every item exactly once, in order: a "
        "reliable system built from unreliable parts, as TCP does over IP."
    ),
    knobs=(
        Knob("sender", "node", "n1", "The node that sends the stream.", safe="any node"),
        Knob("receiver", "node", "n2", "The node that receives it (not the sender).",
             safe="any other node"),
        Knob("stream_length", "int", 20, "Items in the stream (m1..mN).", low=1, high=10_000,
             safe="any"),
        Knob("window", "int", 4, "Segments in flight at most (1: stop-and-wait).", low=1,
             high=1_000, safe="any"),
        Knob("rto_ms", "int", 60, "Retransmission timeout, on the sender's monotonic clock.",
             low=1, high=600_000,
             safe="any with sequence numbers and dedup (below the round trip it only wastes "
                  "bandwidth); liveness needs a link that eventually delivers"),
        Knob("sequence_numbers", "bool", True, "Number the segments and acknowledge "
             "cumulatively; off, the receiver cannot tell segments apart.",
             safe="true (false: duplicates, and gaps after a duplicated ack)"),
        Knob("dedup", "bool", True, "The receiver drops segments it has already delivered.",
             safe="true (false: a retransmission or a duplicated packet is delivered twice)"),
        Knob("in_order", "bool", True, "The receiver buffers early segments until the gap "
             "before them is filled.", safe="true (false: jitter reorders the stream)"),
        Knob("start_ms", "int", 10, "When the sender starts streaming.", low=0,
             high=600_000, safe="any"),
        Knob("deliver_within_ms", "int", 10_000, "Liveness window: the whole stream must be "
             "delivered within this many ms of tick 0 (0: no check).", low=0,
             high=3_600_000, safe="long enough for the faults to heal"),
    ),
    build=build,
    commands={"send": "on the sender: append items to the stream; args: count (int >= 1, "
                      "default 1)"},
    invariants={"exactly-once-in-order": "the receiver's delivered stream is a prefix of the "
                                         "sent stream: no duplicate, no reordering, no gap"},
    liveness={"stream-delivered": "every item is delivered within deliver_within_ms of tick 0 "
                                  "(or of the command that extended a complete stream)"},
    metrics=metrics,
    min_nodes=2,
    default_nodes=("n1", "n2"),
)
