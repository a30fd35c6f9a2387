"""Quorum reads and writes: Dynamo-style leaderless replication.

Source: DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store" (SOSP 2007),
sections 4.5-4.6 (quorums, sloppy quorum and hinted handoff) and 4.7 (read repair, there called
replica synchronisation on reads); Kleppmann, *Designing Data-Intensive Applications*, ch. 5
"Leaderless Replication" ("Quorums for reading and writing", "Sloppy Quorums and Hinted
Handoff"), referred to by ch. 8 "The Truth Is Defined by the Majority".

Every key is stored on ``n`` *home replicas* (the first ``n`` storage nodes: the key's
preference list). Any node coordinates a client's request (a ``write`` or ``read`` command):

- a **write** gets a version ``[counter, coordinator]`` (the coordinator's per-key counter, one
  more than the highest version it has seen; versions compare as tuples) and is sent to all
  ``n`` home replicas; it is acknowledged once ``w`` of them stored it. A replica keeps a value
  only if its version is newer than the one it holds (last write wins by version) and stores it
  durably before acknowledging.
- a **read** asks all ``n`` home replicas and returns, once ``r`` replied, the value with the
  newest version among the replies. With ``read_repair`` the coordinator then writes that value
  back to every replica that answered with an older version (also to replies arriving later,
  until the request times out).
- a request without ``w`` (or ``r``) replies within ``timeout_ms`` (on the coordinator's
  monotonic clock) **fails**: the quorum system chose unavailability over a stale answer.

If ``w + r > n`` every read quorum overlaps every write quorum, so a read that starts after a
write was acknowledged sees it. With ``sloppy`` quorums the coordinator, after half the
timeout, also sends the write to *fallback* nodes (storage nodes outside the preference list)
with a *hint* naming the home replica it stands in for, and counts their acks toward ``w``
(reads likewise ask fallbacks). A fallback keeps hinted writes apart and, every
``handoff_ms``, hands them off to their home replica until it acknowledges. Such a write is
acknowledged without being on ``w`` home replicas, so even with ``w + r > n`` a read on the home
replicas can miss it: a stale read until the handoff happens.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim.checks import Finding, Invariant
from playground.sim.program import Context, Program
from playground.sim.trace import Event
from playground.sim.world import World

SOURCE = ("DeCandia et al., 'Dynamo: Amazon's Highly Available Key-value Store' (SOSP 2007), "
          "sections 4.5-4.7; Kleppmann, DDIA ch. 5 'Leaderless Replication' (quorums, sloppy "
          "quorums, hinted handoff, read repair), referenced in ch. 8")

NO_VERSION: tuple[int, str] = (0, "")
DEFAULT_KEY = "x"


def version_key(version: Any) -> tuple[int, str]:
    """A version from a payload (``[counter, node]`` or ``None``) as a comparable tuple."""
    if not version:
        return NO_VERSION
    return (int(version[0]), str(version[1]))


def show_version(version: Any) -> str:
    counter, node = version_key(version)
    return "0 (never written)" if counter == 0 else f"{counter}@{node}"


# ------------------------------------------------------------------------------ program
class QuorumNode(Program):
    """One node of the cluster: a home replica, a fallback, or a pure client.

    Every node can coordinate client commands. Replicas and fallbacks store what they are sent
    in ``ctx.durable`` (home data under ``"data"``, hinted writes under ``"hints"``); the
    coordinator keeps its request ids and per-key version counters durable too, so a restarted
    coordinator never reuses them.
    """

    def __init__(
        self, role: str, replicas: tuple[str, ...], fallbacks: tuple[str, ...], w: int, r: int,
        read_repair: bool, sloppy: bool, timeout_ms: int, handoff_ms: int, workload_ms: int,
    ) -> None:
        self.role = role  # "replica", "fallback" or "client"
        self.replicas = replicas
        self.fallbacks = fallbacks
        self.w = w
        self.r = r
        self.read_repair = read_repair
        self.sloppy = sloppy
        self.timeout_ms = timeout_ms
        self.handoff_ms = handoff_ms
        self.workload_ms = workload_ms
        self.requests: dict[str, dict[str, Any]] = {}  # rid -> in-flight request
        self.work_step = 0

    # ------------------------------------------------------------------ start
    def on_start(self, ctx: Context) -> None:
        d = ctx.durable
        d.setdefault("data", {})
        d.setdefault("hints", {})
        d.setdefault("counters", {})
        d.setdefault("next_rid", 0)
        ctx.believe(role=self.role)
        self._publish(ctx)
        if self.role == "fallback" and self.sloppy:
            ctx.set_timer("handoff", self.handoff_ms)
        if self.workload_ms > 0 and self.role == "client":
            offset = 1 + self.workload_ms * ctx.rng.random()
            ctx.set_timer("work", offset)

    def _publish(self, ctx: Context) -> None:
        data = ctx.durable["data"]
        if self.role != "client":
            ctx.believe(value={k: data[k]["value"] for k in sorted(data)},
                        version={k: data[k]["version"][0] for k in sorted(data)})
        if self.role == "fallback":
            ctx.believe(hints=len(ctx.durable["hints"]))

    # ------------------------------------------------------------------ commands
    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        key = str(args.get("key", DEFAULT_KEY))
        if name == "write":
            self.start_write(ctx, key, args.get("value"))
        elif name == "read":
            self.start_read(ctx, key)
        else:
            super().on_command(ctx, name, args)

    def _new_rid(self, ctx: Context) -> str:
        ctx.durable["next_rid"] += 1
        return f"{ctx.name}.{ctx.durable['next_rid']}"

    def _seen(self, ctx: Context, key: str, version: Any) -> None:
        counters = ctx.durable["counters"]
        counters[key] = max(counters.get(key, 0), version_key(version)[0])

    def start_write(self, ctx: Context, key: str, value: Any) -> None:
        rid = self._new_rid(ctx)
        counter = ctx.durable["counters"].get(key, 0) + 1
        ctx.durable["counters"][key] = counter
        version = [counter, ctx.name]
        req = {"op": "write", "key": key, "value": value, "version": version,
               "acks": [], "hinted": [], "done": False, "started": ctx.monotonic()}
        self.requests[rid] = req
        ctx.observe("write-start", rid=rid, key=key, value=value, version=version)
        put = {"type": "put", "rid": rid, "key": key, "value": value, "version": version}
        for replica in self.replicas:
            if replica == ctx.name:
                self._store(ctx, key, value, version)
                self._write_acked(ctx, rid, ctx.name, version)
            else:
                ctx.send(replica, put)
        if rid in self.requests:
            ctx.set_timer(f"timeout:{rid}", self.timeout_ms)
            if self.sloppy and self.fallbacks:
                ctx.set_timer(f"sloppy:{rid}", max(1, self.timeout_ms // 2))

    def start_read(self, ctx: Context, key: str) -> None:
        rid = self._new_rid(ctx)
        req = {"op": "read", "key": key, "replies": {}, "done": False, "best": None,
               "repaired": {}, "started": ctx.monotonic()}
        self.requests[rid] = req
        ctx.observe("read-start", rid=rid, key=key)
        get = {"type": "get", "rid": rid, "key": key}
        for replica in self.replicas:
            if replica == ctx.name:
                item = ctx.durable["data"].get(key)
                self._read_reply(ctx, rid, ctx.name, item, home=True)
            else:
                ctx.send(replica, get)
        if rid in self.requests:
            ctx.set_timer(f"timeout:{rid}", self.timeout_ms)
            if self.sloppy and self.fallbacks:
                ctx.set_timer(f"sloppy:{rid}", max(1, self.timeout_ms // 2))

    # ------------------------------------------------------------------ messages
    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, dict):
            return
        kind = payload.get("type")
        if kind == "put":
            self._on_put(ctx, src, payload)
        elif kind == "put-ack":
            self._seen(ctx, payload["key"], payload.get("version"))
            self._write_acked(ctx, payload["rid"], src, payload.get("version"))
        elif kind == "get":
            key = payload["key"]
            if payload.get("hinted"):
                item = self._best_hint(ctx, key)
            else:
                item = ctx.durable["data"].get(key) if self.role != "client" else None
            reply = {"type": "get-reply", "rid": payload["rid"], "key": key,
                     "value": None if item is None else item["value"],
                     "version": None if item is None else item["version"],
                     "hinted": bool(payload.get("hinted"))}
            ctx.send(src, reply)
        elif kind == "get-reply":
            self._seen(ctx, payload["key"], payload.get("version"))
            item = None if payload.get("version") is None else {
                "value": payload.get("value"), "version": payload["version"]}
            self._read_reply(ctx, payload["rid"], src, item, home=not payload.get("hinted"))
        elif kind == "handoff":
            self._store(ctx, payload["key"], payload.get("value"), payload["version"])
            ctx.send(src, {"type": "handoff-ack", "hint": payload["hint"],
                           "version": payload["version"]})
        elif kind == "handoff-ack":
            hints = ctx.durable["hints"]
            hint = hints.get(payload["hint"])
            if hint is not None and version_key(hint["version"]) <= version_key(
                    payload.get("version")):
                del hints[payload["hint"]]
                ctx.observe("handoff", key=hint["key"], to=hint["for"],
                            version=hint["version"])
                self._publish(ctx)

    def _on_put(self, ctx: Context, src: str, payload: dict[str, Any]) -> None:
        key, version = payload["key"], payload["version"]
        stand_in = payload.get("hint_for")
        if stand_in is not None and self.role != "client":
            hint_id = f"{key}|{stand_in}"
            hints = ctx.durable["hints"]
            old = hints.get(hint_id)
            if old is None or version_key(version) > version_key(old["version"]):
                hints[hint_id] = {"key": key, "value": payload.get("value"),
                                  "version": list(version), "for": stand_in}
                self._publish(ctx)
            stored = hints[hint_id]["version"]
        elif self.role != "client":
            stored = self._store(ctx, key, payload.get("value"), version)
        else:
            return
        ctx.send(src, {"type": "put-ack", "rid": payload["rid"], "key": key,
                       "version": stored})

    def _store(self, ctx: Context, key: str, value: Any, version: Any) -> list[Any]:
        """Keep ``value`` if ``version`` is newer than ours; return the version we now hold."""
        data = ctx.durable["data"]
        item = data.get(key)
        self._seen(ctx, key, version)
        if item is None or version_key(version) > version_key(item["version"]):
            data[key] = {"value": value, "version": list(version)}
            self._publish(ctx)
        return list(data[key]["version"])

    def _best_hint(self, ctx: Context, key: str) -> dict[str, Any] | None:
        best = None
        for hint_id in sorted(ctx.durable["hints"]):
            hint = ctx.durable["hints"][hint_id]
            if hint["key"] == key and (
                    best is None or version_key(hint["version"]) > version_key(best["version"])):
                best = hint
        return best

    # ------------------------------------------------------------------ coordinator
    def _write_acked(self, ctx: Context, rid: str, src: str, version: Any) -> None:
        req = self.requests.get(rid)
        if req is None or req["op"] != "write" or req["done"] or src in req["acks"]:
            return
        req["acks"].append(src)
        if len(req["acks"]) >= self.w:
            req["done"] = True
            latency = round(ctx.monotonic() - req["started"], 3)
            ctx.observe("write-ack", rid=rid, key=req["key"], value=req["value"],
                        version=req["version"], acks=sorted(req["acks"]),
                        hinted=sorted(req["hinted"]), latency=latency)
            self._finish(ctx, rid)

    def _read_reply(self, ctx: Context, rid: str, src: str, item: dict[str, Any] | None,
                    home: bool) -> None:
        req = self.requests.get(rid)
        if req is None or req["op"] != "read" or src in req["replies"]:
            return
        version = None if item is None else item["version"]
        req["replies"][src] = {"value": None if item is None else item["value"],
                               "version": version, "home": home}
        best = req["best"]
        if best is None or version_key(version) > version_key(best["version"]):
            req["best"] = {"value": req["replies"][src]["value"], "version": version,
                           "source": src}
        if not req["done"] and len(req["replies"]) >= self.r:
            req["done"] = True
            best = req["best"]
            latency = round(ctx.monotonic() - req["started"], 3)
            ctx.observe("read-result", rid=rid, key=req["key"], value=best["value"],
                        version=best["version"], source=best["source"],
                        replies={s: version_key(req["replies"][s]["version"])[0]
                                 for s in sorted(req["replies"])},
                        latency=latency)
            if not self.read_repair:
                self._finish(ctx, rid)
                return
        if req["done"]:
            for s in sorted(req["replies"]):
                self._maybe_repair(ctx, rid, s)

    def _maybe_repair(self, ctx: Context, rid: str, src: str) -> None:
        """Read repair: bring a home replica that answered with an older version up to the
        newest version this read has seen (replies keep arriving until the timeout)."""
        req = self.requests[rid]
        best = req["best"]
        reply = req["replies"][src]
        target = version_key(best["version"])
        if (not reply["home"] or best["version"] is None
                or version_key(reply["version"]) >= target
                or version_key(req["repaired"].get(src)) >= target):
            return
        req["repaired"][src] = best["version"]
        ctx.observe("read-repair", rid=rid, key=req["key"], to=src, version=best["version"],
                    was=reply["version"])
        if src == ctx.name:
            self._store(ctx, req["key"], best["value"], best["version"])
        else:
            ctx.send(src, {"type": "put", "rid": f"{rid}:repair", "key": req["key"],
                           "value": best["value"], "version": best["version"]})

    def _finish(self, ctx: Context, rid: str) -> None:
        self.requests.pop(rid, None)
        ctx.cancel_timer(f"timeout:{rid}")
        ctx.cancel_timer(f"sloppy:{rid}")

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "work":
            self.work_step += 1
            if self.work_step % 2:
                self.start_write(ctx, DEFAULT_KEY, f"{ctx.name}.{(self.work_step + 1) // 2}")
            else:
                self.start_read(ctx, DEFAULT_KEY)
            ctx.set_timer("work", self.workload_ms)
            return
        if name == "handoff":
            self._hand_off(ctx)
            ctx.set_timer("handoff", self.handoff_ms)
            return
        what, _, rid = name.partition(":")
        req = self.requests.get(rid)
        if req is None:
            return
        if what == "sloppy":
            self._go_sloppy(ctx, rid, req)
        elif what == "timeout":
            if not req["done"]:
                got = len(req["acks"]) if req["op"] == "write" else len(req["replies"])
                need = self.w if req["op"] == "write" else self.r
                ctx.observe(f"{req['op']}-failed", rid=rid, key=req["key"], got=got, need=need)
            self._finish(ctx, rid)

    def _go_sloppy(self, ctx: Context, rid: str, req: dict[str, Any]) -> None:
        """Half the timeout passed without a quorum: involve nodes outside the preference
        list (Dynamo's 'first N healthy nodes'), each standing in for one missing replica."""
        if req["done"]:
            return
        if req["op"] == "write":
            missing = [n for n in self.replicas if n not in req["acks"]]
            spare = [f for f in self.fallbacks if f != ctx.name]
            for home, fallback in zip(missing, spare, strict=False):
                req["hinted"].append(fallback)
                ctx.send(fallback, {"type": "put", "rid": rid, "key": req["key"],
                                    "value": req["value"], "version": req["version"],
                                    "hint_for": home})
        else:
            for fallback in self.fallbacks:
                if fallback == ctx.name:
                    self._read_reply(ctx, rid, fallback, self._best_hint(ctx, req["key"]),
                                     home=False)
                else:
                    ctx.send(fallback, {"type": "get", "rid": rid, "key": req["key"],
                                        "hinted": True})

    def _hand_off(self, ctx: Context) -> None:
        hints = ctx.durable["hints"]
        for hint_id in sorted(hints):
            hint = hints[hint_id]
            if hint["for"] == ctx.name:
                continue
            ctx.send(hint["for"], {"type": "handoff", "hint": hint_id, "key": hint["key"],
                                   "value": hint["value"], "version": hint["version"]})


# ------------------------------------------------------------------------------ checking
class QuorumLedger:
    """What the checker knows about every operation (shared by the invariant and metrics).

    ``feed(event)`` returns ``(detail, causes)`` when a read that started after a write was
    acknowledged returned an older version, else ``None``. True time is the event tick."""

    def __init__(self) -> None:
        self.acked: dict[str, dict[str, Any]] = {}  # key -> newest acknowledged write
        self.pending: dict[str, dict[str, Any]] = {}  # read rid -> what it must see
        self.writes = 0
        self.reads = 0
        self.stale_reads = 0
        self.failed_writes = 0
        self.failed_reads = 0
        self.read_repairs = 0
        self.hinted_writes = 0
        self.handoffs = 0
        self.read_latency_total = 0.0
        self.write_latency_total = 0.0

    def feed(self, event: Event) -> Finding:
        data = event.data
        what = data.get("what")
        if what == "write-ack":
            self.writes += 1
            self.write_latency_total += float(data.get("latency", 0.0))
            if data.get("hinted"):
                self.hinted_writes += 1
            key = data["key"]
            current = self.acked.get(key)
            if current is None or version_key(data["version"]) > version_key(current["version"]):
                self.acked[key] = {"version": data["version"], "value": data.get("value"),
                                   "node": event.node, "tick": event.tick, "seq": event.seq}
        elif what == "read-start":
            self.pending[data["rid"]] = {"must": self.acked.get(data["key"]),
                                         "tick": event.tick, "seq": event.seq}
        elif what == "read-result":
            self.reads += 1
            self.read_latency_total += float(data.get("latency", 0.0))
            start = self.pending.pop(data["rid"], None)
            must = None if start is None else start["must"]
            if must is not None and version_key(data.get("version")) < version_key(
                    must["version"]):
                self.stale_reads += 1
                detail = (
                    f"{event.node} read {data['key']} = {data.get('value')!r} (version "
                    f"{show_version(data.get('version'))}, newest of replies from "
                    f"{', '.join(sorted(data.get('replies', {})))}) at tick {event.tick}, but "
                    f"{data['key']} = {must['value']!r} (version {show_version(must['version'])})"
                    f" was acknowledged to {must['node']} at tick {must['tick']}, before the "
                    f"read started at tick {start['tick']}"  # type: ignore[index]  # must: so start
                )
                return detail, [must["seq"], start["seq"], event.seq]  # type: ignore[index]  # same
        elif what == "read-failed":
            self.failed_reads += 1
            self.pending.pop(data["rid"], None)
        elif what == "write-failed":
            self.failed_writes += 1
        elif what == "read-repair":
            self.read_repairs += 1
        elif what == "handoff":
            self.handoffs += 1
        return None

    def metrics(self) -> dict[str, Any]:
        return {
            "writes": self.writes,
            "reads": self.reads,
            "stale_reads": self.stale_reads,
            "failed_writes": self.failed_writes,
            "failed_reads": self.failed_reads,
            "failed_ops": self.failed_writes + self.failed_reads,
            "read_repairs": self.read_repairs,
            "hinted_writes": self.hinted_writes,
            "handoffs": self.handoffs,
            "mean_read_latency_ms": round(self.read_latency_total / self.reads, 3)
            if self.reads else 0.0,
            "mean_write_latency_ms": round(self.write_latency_total / self.writes, 3)
            if self.writes else 0.0,
        }


class NoStaleRead(Invariant):
    """A read that starts (true time) after a write of its key was acknowledged returns that
    write's version or a newer one."""

    name = "no-stale-read"
    kinds = frozenset({"observe"})

    def __init__(self) -> None:
        self.ledger = QuorumLedger()

    def observe(self, event: Event, world: World) -> Finding:
        return self.ledger.feed(event)


def ledger_of(events: Iterable[Event]) -> QuorumLedger:
    ledger = QuorumLedger()
    for event in events:
        if event.kind == "observe":
            ledger.feed(event)
    return ledger


def metrics(world: World) -> dict[str, Any]:
    """Operation counts from the retained trace: reads, stale reads, failures, repairs."""
    if not world.trace.retain:
        return {}
    return ledger_of(world.trace.events).metrics()


# ------------------------------------------------------------------------------ spec
def _program(name: str, *, clients: tuple[str, ...], replicas: tuple[str, ...],
             fallbacks: tuple[str, ...], knobs: dict[str, Any]) -> QuorumNode:
    role = "client" if name in clients else "replica" if name in replicas else "fallback"
    return QuorumNode(role, replicas, fallbacks, knobs["w"], knobs["r"], knobs["read_repair"],
                      knobs["sloppy"], knobs["timeout_ms"], knobs["handoff_ms"],
                      knobs["workload_ms"])


def layout(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> tuple[tuple[str, ...], ...]:
    """``(clients, replicas, fallbacks)`` for a cluster; raises :class:`KnobError`."""
    clients = tuple(knobs["clients"])
    storage = tuple(n for n in nodes if n not in clients)
    n = knobs["n"]
    if n > len(storage):
        raise KnobError("n", f"needs {n} storage nodes but only {len(storage)} nodes are not "
                             "clients")
    for name in ("w", "r"):
        if knobs[name] > n:
            raise KnobError(name, f"must be <= n ({n}), got {knobs[name]}")
    return clients, storage[:n], storage[n:]


def build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    clients, replicas, fallbacks = layout(nodes, knobs)
    factory = functools.partial(_program, clients=clients, replicas=replicas,
                                fallbacks=fallbacks, knobs=dict(knobs))
    return Build(program=factory, checks=(NoStaleRead(),))


SPEC = ProtocolSpec(
    name="quorum",
    title="Quorum reads and writes",
    source=SOURCE,
    summary=(
        "Leaderless replication as in Dynamo: a write goes to n replicas and is acknowledged "
        "after w of them stored it; a read asks n replicas and returns the newest version "
        "among the first r replies. If w + r > n every read quorum overlaps every write "
        "quorum, so a read never misses an acknowledged write - operations fail instead when "
        "too few replicas answer. With w + r <= n, or with a sloppy quorum that lets nodes "
        "outside the n stand in during a partition, a read can return a stale value."
    ),
    knobs=(
        Knob("n", "int", 3, "replication factor: the first n non-client nodes are the key's "
             "home replicas; the other non-client nodes are fallbacks", low=1, high=9,
             safe="any (at least 3 to survive a failure with w = r = 2)"),
        Knob("w", "int", 2, "write quorum: acks needed before a write is acknowledged",
             low=1, high=9, safe="w + r > n"),
        Knob("r", "int", 2, "read quorum: replies needed before a read returns", low=1, high=9,
             safe="w + r > n"),
        Knob("read_repair", "bool", True, "write the newest value back to replicas that "
             "answered a read with an older one", safe="either (safety comes from w + r > n; "
             "repair makes stale replicas converge)"),
        Knob("sloppy", "bool", False, "sloppy quorum: when home replicas do not answer within "
             "half the timeout, let fallback nodes accept writes (with a hint) and answer "
             "reads", safe="false (a sloppy quorum can read stale values even if w + r > n)"),
        Knob("timeout_ms", "int", 200, "how long a coordinator waits for a quorum (monotonic "
             "clock) before the operation fails", low=10, high=60_000, safe="any"),
        Knob("handoff_ms", "int", 500, "how often a fallback tries to hand hinted writes to "
             "their home replica", low=10, high=60_000, safe="any"),
        Knob("clients", "nodes", (), "nodes that only coordinate requests and store nothing",
             safe="any"),
        Knob("workload_ms", "int", 0, "if > 0, every client alternately writes and reads key "
             "'x' every this many ms", low=0, high=60_000, safe="any"),
    ),
    build=build,
    commands={
        "write": "{'key': str (default 'x'), 'value': any}: coordinate a quorum write",
        "read": "{'key': str (default 'x')}: coordinate a quorum read",
    },
    invariants={
        "no-stale-read": "a read that starts after a write was acknowledged never returns an "
                         "older version",
    },
    metrics=metrics,
    min_nodes=1,
    default_nodes=("n1", "n2", "n3", "n4"),
)
