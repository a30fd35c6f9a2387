"""A replicated register with last-write-wins conflict resolution.

Source: M. Kleppmann, *Designing Data-Intensive Applications*, ch. 8, "Relying on
Synchronized Clocks" / "Timestamps for ordering events" (Figure 8-3: client B's increment is
causally later than client A's write, but node 3's clock is behind node 1's, so the increment
gets timestamp 42.003 s against 42.004 s and is silently dropped). Timestamps come from one of:

- ``time_of_day``: the replica's time-of-day clock, in whole milliseconds (Cassandra-style);
- ``lamport``: L. Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System"
  (CACM 1978): a counter, +1 per event, ``max(local, received) + 1`` on receipt;
- ``hlc``: S. Kulkarni, M. Demirbas, D. Madeppa, B. Avva, M. Leone, "Logical Physical Clocks"
  (OPODIS 2014), Algorithm 2 (hybrid logical clock ``(l, c)``): ``l`` is the largest physical
  time heard of, ``c`` counts events within the same ``l``.

Every node is a replica. A client request is a command at a replica: ``write`` stores a value,
``increment`` reads the replica's current value and writes value + 1. The replica stamps the
write, applies it locally (acknowledging it), and sends it to every peer; every replica keeps
the write with the highest stamp ``(time, counter, node name, sequence)``: ties on time go to
the higher node name. Replicas also re-send their current value every ``sync_every_ms``
(anti-entropy), so they converge after loss and partitions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, ProtocolSpec
from playground.sim import Context, Invariant, Program, World
from playground.sim.checks import Finding
from playground.sim.trace import Event

_RECENT = 32  # discarded write ids a replica remembers (to not report re-sent ones again)


def stamp_key(stamp: list[Any]) -> tuple[Any, ...]:
    """The total order of stamps: time (or counter), then HLC counter, node name, sequence."""
    return tuple(stamp)


def fmt_stamp(stamp: list[Any]) -> str:
    return str(stamp[0]) if stamp[1] == 0 else f"({stamp[0]}, {stamp[1]})"


class LwwReplica(Program):
    """One replica of the last-write-wins register. The register, the sequence number and the
    logical clock are kept on disk (``ctx.durable``): a replica restarts where it was."""

    def __init__(self, stamp: str, sync_every_ms: int, increment_every_ms: int) -> None:
        self.stamp = stamp
        self.sync_every_ms = sync_every_ms
        self.increment_every_ms = increment_every_ms
        self.reg: dict[str, Any] | None = None
        self.seq = 0
        self.lc = 0  # Lamport counter
        self.hlc = [0, 0]  # [l, c]
        self.recent: list[str] = []

    # clocks --------------------------------------------------------------------------
    @staticmethod
    def _pt(ctx: Context) -> int:
        """Physical time: the time-of-day clock in whole milliseconds."""
        return math.floor(ctx.time_of_day())

    def _tick(self, ctx: Context) -> Any:
        """A local or send event; returns the clock a message carries (``None`` for tod)."""
        if self.stamp == "lamport":
            self.lc += 1
            ctx.durable["lc"] = self.lc
            return self.lc
        if self.stamp == "hlc":
            l_old, c = self.hlc
            lt = max(l_old, self._pt(ctx))
            self.hlc = [lt, c + 1 if lt == l_old else 0]
            ctx.durable["hlc"] = list(self.hlc)
            return list(self.hlc)
        return None

    def _receive(self, ctx: Context, clock: Any) -> None:
        if clock is None:
            return
        if self.stamp == "lamport" and isinstance(clock, int):
            self.lc = max(self.lc, clock) + 1
            ctx.durable["lc"] = self.lc
        elif self.stamp == "hlc" and isinstance(clock, list):
            l_old, c_old = self.hlc
            l_m, c_m = clock
            lt = max(l_old, l_m, self._pt(ctx))
            if lt == l_old == l_m:
                c = max(c_old, c_m) + 1
            elif lt == l_old:
                c = c_old + 1
            elif lt == l_m:
                c = c_m + 1
            else:
                c = 0
            self.hlc = [lt, c]
            ctx.durable["hlc"] = list(self.hlc)

    # lifecycle -----------------------------------------------------------------------
    def on_start(self, ctx: Context) -> None:
        d = ctx.durable
        self.reg = d.get("reg")
        self.seq = d.get("seq", 0)
        self.lc = d.get("lc", 0)
        self.hlc = list(d.get("hlc", [0, 0]))
        ctx.believe(role="replica", value=None if self.reg is None else self.reg["value"],
                    stamp=None if self.reg is None else self.reg["stamp"])
        if self.sync_every_ms:
            ctx.set_timer("sync", self.sync_every_ms * (0.5 + ctx.rng.random()))
        if self.increment_every_ms:
            ctx.set_timer("increment", self.increment_every_ms * (0.5 + ctx.rng.random()))

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "write":
            self._write(ctx, args.get("value"), "write")
        elif name == "increment":
            self._increment(ctx)
        else:
            super().on_command(ctx, name, args)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "sync":
            if self.reg is not None:
                clock = self._tick(ctx)
                ctx.broadcast({"type": "sync", "write": self.reg, "clock": clock})
            ctx.set_timer("sync", self.sync_every_ms)
        elif name == "increment":
            self._increment(ctx)
            ctx.set_timer("increment", self.increment_every_ms)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if payload.get("type") in ("replicate", "sync"):
            self._receive(ctx, payload.get("clock"))
            self._apply(ctx, payload["write"])

    # the register ----------------------------------------------------------------------
    def _increment(self, ctx: Context) -> None:
        current = None if self.reg is None else self.reg["value"]
        base = current if isinstance(current, int) and not isinstance(current, bool) else 0
        self._write(ctx, base + 1, "increment")

    def _write(self, ctx: Context, value: Any, op: str) -> None:
        clock = self._tick(ctx)
        pt = self._pt(ctx)
        self.seq += 1
        ctx.durable["seq"] = self.seq
        if self.stamp == "lamport":
            time, counter = self.lc, 0
        elif self.stamp == "hlc":
            time, counter = self.hlc
        else:
            time, counter = pt, 0
        write = {"wid": f"{ctx.name}.{self.seq}", "value": value,
                 "stamp": [time, counter, ctx.name, self.seq]}
        ctx.observe("write", wid=write["wid"], value=value, stamp=write["stamp"], op=op,
                    read=None if self.reg is None else self.reg["wid"], pt=pt, clock=self.stamp)
        self._apply(ctx, write)
        ctx.broadcast({"type": "replicate", "write": write, "clock": clock})

    def _apply(self, ctx: Context, write: dict[str, Any]) -> None:
        cur = self.reg
        if cur is not None and cur["wid"] == write["wid"]:
            return
        if cur is None or stamp_key(write["stamp"]) > stamp_key(cur["stamp"]):
            self.reg = dict(write)
            ctx.durable["reg"] = dict(write)
            ctx.decide("register", write["value"], wid=write["wid"], stamp=write["stamp"],
                       over=None if cur is None else cur["wid"])
            ctx.believe(value=write["value"], stamp=write["stamp"])
        elif write["wid"] not in self.recent:
            self.recent.append(write["wid"])
            del self.recent[:-_RECENT]
            ctx.observe("discard", wid=write["wid"], value=write["value"],
                        stamp=write["stamp"], kept=cur["wid"], kept_stamp=cur["stamp"])


# --------------------------------------------------------------------------- checks
class NoLostCausalWrite(Invariant):
    """No acknowledged write is silently discarded in favour of a write it causally follows.

    Causality is the checker's own: vector clocks rebuilt from the trace (a send stamps the
    message with the sender's vector, a delivery merges it), never the protocol's stamps.
    Write ``u`` happens before write ``w`` if ``w``'s replica had, when ``w`` was made, heard
    (directly or through others) of ``u``'s replica at or after ``u``. A violation: a replica
    discards ``w`` keeping ``u``, or replaces ``w`` by ``u``, where ``u`` happens before ``w``.
    With ``count_all`` the check never reports and only collects every lost write (metrics).
    """

    name = "no-lost-causal-write"
    kinds = frozenset({"send", "deliver", "observe", "decide"})

    def __init__(self, count_all: bool = False) -> None:
        self.count_all = count_all
        self.vc: dict[str, dict[str, int]] = {}
        self.msgs: dict[int, dict[str, int]] = {}
        self.writes: dict[str, dict[str, Any]] = {}
        self.lost: dict[str, str] = {}  # lost wid -> detail of the first loss

    def _precedes(self, u: dict[str, Any], w: dict[str, Any]) -> bool:
        return u is not w and w["vc"].get(u["node"], 0) >= u["count"]

    def _tick(self, node: str) -> dict[str, int]:
        vc = self.vc.setdefault(node, {})
        vc[node] = vc.get(node, 0) + 1
        return vc

    def observe(self, event: Event, world: World | None) -> Finding:
        node = event.node
        if node is None:
            return None
        data = event.data
        kind = event.kind
        if kind == "send":
            self.msgs[data["id"]] = dict(self._tick(node))
            return None
        if kind == "deliver":
            vc = self.vc.setdefault(node, {})
            for k, v in self.msgs.get(data.get("dup_of") or data["id"], {}).items():
                if vc.get(k, 0) < v:
                    vc[k] = v
            self._tick(node)
            return None
        if kind == "observe" and data.get("what") == "write":
            vc = self._tick(node)
            self.writes[data["wid"]] = {"node": node, "count": vc[node], "vc": dict(vc),
                                        "value": data["value"], "stamp": data["stamp"],
                                        "op": data.get("op", "write"), "seq": event.seq}
            return None
        if kind == "observe" and data.get("what") == "discard":
            later, earlier = self.writes.get(data["wid"]), self.writes.get(data["kept"])
            how = "discarded"
        elif kind == "decide" and data.get("key") == "register" and data.get("over"):
            later, earlier = self.writes.get(data["over"]), self.writes.get(data["wid"])
            how = "overwrote"
        else:
            return None
        if later is None or earlier is None or not self._precedes(earlier, later):
            return None
        lw = data["wid"] if how == "discarded" else data["over"]
        ew = data["kept"] if how == "discarded" else data["wid"]
        detail = (
            f"{node} {how} {later['node']}'s {later['op']} {lw} (value {later['value']!r}, "
            f"stamp {fmt_stamp(later['stamp'])}) "
            f"{'keeping' if how == 'discarded' else 'with'} {earlier['node']}'s earlier "
            f"write {ew} (value {earlier['value']!r}, stamp {fmt_stamp(earlier['stamp'])}), "
            f"although {lw} causally follows {ew}"
        )
        self.lost.setdefault(lw, detail)
        if self.count_all:
            return None
        return (detail, [earlier["seq"], later["seq"], event.seq])


# --------------------------------------------------------------------------- the spec
KNOBS = (
    Knob("stamp", "str", "hlc",
         "where write timestamps come from: the replica's time-of-day clock, a Lamport "
         "clock, or a hybrid logical clock",
         choices=("time_of_day", "lamport", "hlc"), safe="lamport or hlc"),
    Knob("sync_every_ms", "int", 500,
         "anti-entropy: each replica re-sends its current value this often (0: never)",
         low=0, high=600_000, safe="any (0 may leave replicas apart after message loss)"),
    Knob("increment_every_ms", "int", 0,
         "background workload: each replica's client increments this often (0: commands only)",
         low=0, high=600_000, safe="any"),
)


def build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    stamp, sync, inc = knobs["stamp"], knobs["sync_every_ms"], knobs["increment_every_ms"]

    def program(name: str) -> Program:
        return LwwReplica(stamp, sync, inc)

    return Build(program=program, checks=(NoLostCausalWrite(),))


def metrics(world: World) -> dict[str, Any]:
    """Numbers for the debrief, from the run's (retained) trace and the replicas' disks."""
    check = NoLostCausalWrite(count_all=True)
    writes = 0
    low = high = None
    hlc_drift = stamp_drift = 0.0
    for event in world.trace.events:
        if event.node is not None and event.tod is not None:
            offset = math.floor(event.tod) - event.tick
            low = offset if low is None else min(low, offset)
            high = offset if high is None else max(high, offset)
        check.observe(event, None)
        if event.kind == "observe" and event.data.get("what") == "write":
            writes += 1
            time, pt = event.data["stamp"][0], event.data["pt"]
            stamp_drift = max(stamp_drift, abs(time - pt))
            if event.data.get("clock") == "hlc":
                hlc_drift = max(hlc_drift, time - pt)
    wids = {n: (world.nodes[n].durable.get("reg") or {}).get("wid") for n in world.node_names}
    return {
        "writes": writes,
        "writes_lost": len(check.lost),
        "max_clock_skew_ms": 0 if low is None or high is None else high - low,
        "hlc_drift_ms": hlc_drift,
        "stamp_drift_ms": stamp_drift,
        "converged": int(len(set(wids.values())) == 1),
    }


SPEC = ProtocolSpec(
    name="lww",
    title="Last write wins",
    source="Kleppmann, DDIA ch. 8: Relying on Synchronized Clocks (Figure 8-3); Lamport 1978; "
           "Kulkarni et al. 2014 (hybrid logical clocks)",
    summary=(
        "Replicas keep the write with the highest timestamp. With time-of-day timestamps a "
        "replica whose clock is a few milliseconds behind stamps a causally later increment "
        "earlier than the write it read, and every replica silently drops it (Figure 8-3). "
        "Lamport clocks and hybrid logical clocks never order a write before one it causally "
        "follows; HLC also stays within the clock skew of physical time."
    ),
    knobs=KNOBS,
    build=build,
    commands={"write": "a client writes a value at this replica (args: value)",
              "increment": "a client reads this replica's value and writes value + 1"},
    invariants={"no-lost-causal-write": "no acknowledged write is discarded in favour of a "
                                        "write it causally follows"},
    metrics=metrics,
    min_nodes=2,
    default_nodes=("n1", "n2", "n3"),
)
