"""A lock service with leases, a storage service, and fencing tokens on or off.

Source: M. Kleppmann, *Designing Data-Intensive Applications*, ch. 8, "Process Pauses" (the
lease-renewal loop that checks ``lease.expiryTimeMillis - System.currentTimeMillis()``) and
"The Truth Is Defined by the Majority" (Figure 8-4: a client whose lease expired during a
stop-the-world GC pause corrupts the file; Figure 8-5: fencing tokens 33 and 34 make the
storage reject the zombie). Leases as in C. Gray and D. Cheriton, "Leases: An Efficient
Fault-Tolerant Mechanism for Distributed File Cache Consistency" (SOSP 1989): the holder
counts its term from the moment it *sent* its request, so it gives the lease up before the
server does; a restarted server waits one lease term before granting again (Chubby's grace
period, M. Burrows, OSDI 2006).

Roles (by node name, from the knobs): the **lock** server (``lock_node``), the **storage**
service (``storage_node``) and **clients** (every other node). Each client wants the lock: it
asks, is queued, gets a lease of ``lease_ms`` with a fencing token (``first_token``, then +1 per
grant), renews ``renew_margin_ms`` before the end, and while it believes the lease is valid *by
its own clock* it writes to storage every ``write_every_ms`` (or on the ``write`` command): it
checks the lease, processes the request for ``work_ms`` (a GC pause here is the chapter's
story), then sends the write. With ``fencing`` the write carries the token and storage rejects a
token lower than the highest it has seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim import Context, Invariant, Program, ProgressWithin, World
from playground.sim.checks import Finding
from playground.sim.trace import Event

_EPS = 1e-6  # float slack when comparing clock readings with lease ends
_MAX_REQS = 16  # outstanding request send-times a client remembers


# --------------------------------------------------------------------------- programs
class LockServer(Program):
    """Grants one lease at a time, by its own monotonic clock, with a fencing token.

    Waiting clients are queued in arrival order. A lease ends when the lock's monotonic clock
    passes ``until`` (set at grant and at each renewal to ``now + lease_ms``), when its holder
    releases it, or when its holder asks for the lock again (it no longer believes it holds
    it). After a crash the server grants nothing for one lease term (a lease it granted before
    the crash may still be running). The next token is kept on disk if ``durable_tokens``.
    """

    def __init__(self, lease_ms: int, first_token: int, durable_tokens: bool) -> None:
        self.lease_ms = lease_ms
        self.first_token = first_token
        self.durable_tokens = durable_tokens
        self.next_token = first_token
        self.holder: str | None = None
        self.token: int | None = None
        self.until = 0.0
        self.waiters: list[list[Any]] = []  # [client, req] in arrival order
        self.granted_req = ""  # the request the current lease answers
        self.grace = False

    def on_start(self, ctx: Context) -> None:
        if self.durable_tokens:
            self.next_token = ctx.durable.get("next_token", self.first_token)
        restarted = ctx.durable.get("booted", False)
        ctx.durable["booted"] = True
        ctx.believe(role="lock", holder=None, token=None, lease_until=None)
        if restarted:
            # A lease granted before the crash may still be running: wait one lease term.
            self.grace = True
            ctx.set_timer("grace", self.lease_ms)
            ctx.observe("grace", until=ctx.monotonic() + self.lease_ms)

    # lease bookkeeping ---------------------------------------------------------------
    def _expire_if_due(self, ctx: Context) -> None:
        if self.holder is not None and ctx.monotonic() >= self.until - _EPS:
            ctx.decide("expire", self.token, holder=self.holder, until=self.until)
            self._clear(ctx)

    def _clear(self, ctx: Context) -> None:
        self.holder = None
        self.token = None
        ctx.cancel_timer("expire")
        ctx.believe(holder=None, token=None, lease_until=None)

    def _grant_next(self, ctx: Context) -> None:
        if self.holder is not None or self.grace or not self.waiters:
            return
        client, req = self.waiters.pop(0)
        token = self.next_token
        self.next_token = token + 1
        if self.durable_tokens:
            ctx.durable["next_token"] = self.next_token
        self.holder = client
        self.token = token
        self.until = ctx.monotonic() + self.lease_ms
        ctx.decide("grant", token, holder=client, until=self.until, lease_ms=self.lease_ms)
        ctx.believe(holder=client, token=token, lease_until=self.until)
        ctx.set_timer("expire", self.lease_ms)
        self.granted_req = req
        self._send_grant(ctx, client, req)

    def _send_grant(self, ctx: Context, client: str, req: str) -> None:
        left = self.until - ctx.monotonic()
        ctx.send(client, {"type": "granted", "token": self.token, "req": req,
                          "lease_ms": left, "expires_tod": ctx.time_of_day() + left})

    # handlers ------------------------------------------------------------------------
    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        kind = payload.get("type")
        self._expire_if_due(ctx)
        if kind == "acquire":
            if src == self.holder:
                if payload.get("after") != self.token:
                    # Sent before the grant reached the holder (or the grant was lost):
                    # send the grant again, for what is left of the lease.
                    self._send_grant(ctx, src, self.granted_req)
                    return
                # The holder knew this lease and asks again: it gave it up. End it.
                ctx.decide("release", self.token, holder=src, why="asked again")
                self._clear(ctx)
            for entry in self.waiters:
                if entry[0] == src:
                    entry[1] = payload["req"]
                    break
            else:
                self.waiters.append([src, payload["req"]])
        elif kind == "renew":
            if src == self.holder and payload["token"] == self.token:
                self.until = ctx.monotonic() + self.lease_ms
                ctx.decide("renew", self.token, holder=src, until=self.until)
                ctx.believe(lease_until=self.until)
                ctx.set_timer("expire", self.lease_ms)
                ctx.send(src, {"type": "renewed", "token": self.token, "req": payload["req"],
                               "lease_ms": self.lease_ms,
                               "expires_tod": ctx.time_of_day() + self.lease_ms})
            else:
                ctx.send(src, {"type": "lost", "token": payload["token"]})
        elif kind == "release" and src == self.holder and payload["token"] == self.token:
            ctx.decide("release", self.token, holder=src, why="released")
            self._clear(ctx)
        self._grant_next(ctx)
        ctx.believe(waiting=[w[0] for w in self.waiters])

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "grace":
            self.grace = False
            ctx.observe("grace over")
        elif name == "expire" and self.holder is not None:
            now = ctx.monotonic()
            if now < self.until - _EPS:  # float slack: not quite there yet
                ctx.set_timer("expire", self.until - now)
                return
            self._expire_if_due(ctx)
        self._grant_next(ctx)
        ctx.believe(waiting=[w[0] for w in self.waiters])


class Storage(Program):
    """Accepts writes; with fencing, rejects a token lower than the highest seen (kept on disk,
    like the data itself)."""

    def __init__(self, fencing: bool) -> None:
        self.fencing = fencing

    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="storage", value=ctx.durable.get("value"),
                    token=ctx.durable.get("max_token"))

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if payload.get("type") != "write":
            return
        wid = payload["wid"]
        token = payload.get("token")
        highest = ctx.durable.get("max_token")
        if self.fencing:
            if not isinstance(token, int) or (highest is not None and token < highest):
                ctx.observe("rejected", wid=wid, client=src, token=token, highest=highest)
                ctx.send(src, {"type": "rejected", "wid": wid, "token": token,
                               "highest": highest})
                return
            if highest is None or token > highest:
                ctx.durable["max_token"] = token
        ctx.durable["value"] = payload["value"]
        ctx.decide("write", wid, client=src, token=token, data=payload["value"])
        ctx.believe(value=payload["value"], token=ctx.durable.get("max_token"))
        ctx.send(src, {"type": "ack", "wid": wid})


class LeaseClient(Program):
    """Wants the lock; writes while it believes, by its own clock, that its lease is valid.

    ``client_clock="monotonic"``: the lease ends ``lease_ms`` after the client *sent* the
    request the grant (or renewal) answers, on its own monotonic clock. ``"time_of_day"``: as in
    the chapter's code, the lease carries an expiry time-of-day stamped by the lock server and
    the client compares it with its own time-of-day clock.

    A client releases the lock (``hold_ms``, or the ``release`` command) only once its writes in
    flight are acknowledged, and stops renewing meanwhile.
    """

    def __init__(self, lock: str, storage: str, fencing: bool, client_clock: str,
                 renew_margin_ms: int, write_every_ms: int, work_ms: int, hold_ms: int,
                 retry_ms: int) -> None:
        self.lock = lock
        self.storage = storage
        self.fencing = fencing
        self.client_clock = client_clock
        self.renew_margin_ms = renew_margin_ms
        self.write_every_ms = write_every_ms
        self.work_ms = work_ms
        self.hold_ms = hold_ms
        self.retry_ms = retry_ms
        self.tick_ms = max(5, renew_margin_ms // 4)
        self.token: int | None = None
        self.lease_until: float | None = None
        self.held_since = 0.0
        self.reqs: dict[str, float] = {}  # request id -> clock reading when sent
        self.next_req = 0
        self.boot = 0
        self.last_grant: int | None = None  # token of the last grant received
        self.renew_req: str | None = None
        self.renew_sent = 0.0
        self.writes = 0
        self.inflight: list[str] = []  # writes of this lease not yet acknowledged
        self.releasing = False  # release once the writes in flight are acknowledged

    def _now(self, ctx: Context) -> float:
        return ctx.monotonic() if self.client_clock == "monotonic" else ctx.time_of_day()

    def _request(self, ctx: Context) -> str:
        # Request ids name the incarnation, so a restarted client never mistakes an answer
        # to its previous life's request for an answer to its own.
        self.next_req += 1
        req = f"{self.boot}.{self.next_req}"
        self.reqs[req] = self._now(ctx)
        if len(self.reqs) > _MAX_REQS:
            del self.reqs[next(iter(self.reqs))]
        return req

    def on_start(self, ctx: Context) -> None:
        self.boot = ctx.durable["boot"] = ctx.durable.get("boot", 0) + 1
        ctx.believe(role="client", token=None, lease_until=None)
        self._acquire(ctx)
        ctx.set_timer("tick", self.tick_ms)
        if self.write_every_ms:
            ctx.set_timer("write", self.write_every_ms)

    def _acquire(self, ctx: Context) -> None:
        ctx.send(self.lock, {"type": "acquire", "req": self._request(ctx),
                             "after": self.last_grant})
        ctx.set_timer("retry", self.retry_ms)

    def _drop(self, ctx: Context, why: str) -> None:
        ctx.observe("lease lost", token=self.token, why=why)
        self.token = None
        self.lease_until = None
        self.renew_req = None
        self.inflight = []
        self.releasing = False
        ctx.believe(role="client", token=None, lease_until=None)

    def _lease_end(self, payload: dict[str, Any]) -> float | None:
        if self.client_clock == "time_of_day":
            return float(payload["expires_tod"])
        sent = self.reqs.get(payload["req"])
        return None if sent is None else sent + payload["lease_ms"]

    # handlers ------------------------------------------------------------------------
    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        kind = payload.get("type")
        if kind == "granted":
            end = self._lease_end(payload)
            if end is None:  # a grant for a request we no longer remember: give it back
                ctx.send(self.lock, {"type": "release", "token": payload["token"]})
                return
            if payload["token"] == self.token and self.lease_until is not None:
                end = max(end, self.lease_until)  # the same lease, sent again
            else:
                self.held_since = ctx.monotonic()
                self.renew_req = None
            self.token = self.last_grant = payload["token"]
            self.lease_until = end
            ctx.cancel_timer("retry")
            ctx.observe("acquired", token=self.token, lease_until=end)
            ctx.believe(role="holder", token=self.token, lease_until=end)
        elif kind == "renewed":
            if payload["token"] == self.token and payload["req"] == self.renew_req:
                end = self._lease_end(payload)
                if end is not None and self.lease_until is not None:
                    self.lease_until = max(self.lease_until, end)
                    ctx.believe(lease_until=self.lease_until)
                self.renew_req = None
        elif kind == "lost":
            if payload["token"] == self.token:
                self._drop(ctx, "the lock server says the lease is gone")
                self._acquire(ctx)
        elif kind == "ack":
            ctx.observe("acked", wid=payload["wid"])
            self._done(ctx, payload["wid"])
        elif kind == "rejected":
            ctx.observe("fenced", wid=payload["wid"], token=payload["token"],
                        highest=payload["highest"])
            self._done(ctx, payload["wid"])

    def _done(self, ctx: Context, wid: str) -> None:
        if wid in self.inflight:
            self.inflight.remove(wid)
            if self.releasing and not self.inflight:
                self._release(ctx)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "tick":
            self._maintain(ctx)
            ctx.set_timer("tick", self.tick_ms)
        elif name == "retry":
            if self.token is None:
                self._acquire(ctx)
        elif name == "write":
            self._start_write(ctx, None)
            ctx.set_timer("write", self.write_every_ms)
        elif name.startswith("work"):
            # The request has been processed: send the write. No second look at the lease.
            payload = {"type": "write", "wid": data["wid"], "value": data["value"]}
            if self.fencing:
                payload["token"] = data["token"]
            ctx.send(self.storage, payload)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "write":
            if not self._start_write(ctx, args.get("value")):
                ctx.observe("write refused", why="no valid lease by my clock")
        elif name == "release":
            self._release(ctx)
        else:
            super().on_command(ctx, name, args)

    def _maintain(self, ctx: Context) -> None:
        if self.token is None or self.lease_until is None:
            return
        now = self._now(ctx)
        if now >= self.lease_until:
            self._drop(ctx, "expired by my clock")
            self._acquire(ctx)
            return
        if self.releasing:
            return  # no renewal: if an acknowledgement is lost, the lease just runs out
        if self.hold_ms and ctx.monotonic() - self.held_since >= self.hold_ms:
            self._release(ctx)
            return
        renew_stale = (self.renew_req is not None
                       and ctx.monotonic() - self.renew_sent >= self.retry_ms)
        if self.lease_until - now <= self.renew_margin_ms and (
                self.renew_req is None or renew_stale):
            self.renew_req = self._request(ctx)
            self.renew_sent = ctx.monotonic()
            ctx.send(self.lock, {"type": "renew", "token": self.token, "req": self.renew_req})

    def _release(self, ctx: Context) -> None:
        if self.token is None:
            return
        if self.inflight:  # a careful client: first let its writes land
            self.releasing = True
            return
        token = self.token
        self._drop(ctx, "released")
        ctx.send(self.lock, {"type": "release", "token": token})
        ctx.set_timer("retry", self.retry_ms)  # ask again later, behind the others

    def _start_write(self, ctx: Context, value: Any) -> bool:
        now = self._now(ctx)
        if (self.token is None or self.lease_until is None or now >= self.lease_until
                or self.releasing):
            return False
        self.writes += 1
        wid = f"{ctx.name}#{self.writes}"
        self.inflight.append(wid)
        if value is None:
            value = wid
        ctx.observe("write", wid=wid, token=self.token, lease_until=self.lease_until,
                    clock=now)
        data = {"wid": wid, "value": value, "token": self.token}
        if self.work_ms:
            ctx.set_timer(f"work{self.writes}", self.work_ms, data)
        else:
            self.on_timer(ctx, "work", data)
        return True


# --------------------------------------------------------------------------- checks
class _Leases:
    """The checker's record of leases (from the lock's decisions) and of writes (from the
    clients' ``write`` observations): shared logic of the two invariants and the metrics."""

    def __init__(self, lock: str, storage: str) -> None:
        self.lock = lock
        self.storage = storage
        # each lease: [holder, token, until (lock's monotonic), ended, grant tick, grant seq]
        self.leases: list[list[Any]] = []
        self.latest: dict[tuple[str, int], int] = {}  # (holder, token) -> lease index
        self.writes: dict[str, list[Any]] = {}  # wid -> [client, token, lease index, seq]

    def feed(self, event: Event) -> None:
        data = event.data
        if event.kind == "decide" and event.node == self.lock:
            key = data["key"]
            if key == "grant":
                self.latest[(data["holder"], data["value"])] = len(self.leases)
                self.leases.append([data["holder"], data["value"], data["until"], False,
                                    event.tick, event.seq])
            elif key in ("renew", "release", "expire"):
                index = self.latest.get((data["holder"], data["value"]))
                if index is not None:
                    if key == "renew":
                        self.leases[index][2] = data["until"]
                    else:
                        self.leases[index][3] = True
        elif event.kind == "observe" and data.get("what") == "write" and event.node:
            index = self.latest.get((event.node, data["token"]), -1)
            self.writes[data["wid"]] = [event.node, data["token"], index, event.seq]

    def written(self, event: Event) -> list[Any] | None:
        """The write record behind a storage ``write`` decision, if this is one."""
        if (event.kind == "decide" and event.node == self.storage
                and event.data["key"] == "write"):
            return self.writes.get(event.data["value"])
        return None


class NoExpiredWrites(Invariant):
    """No write made under an expired lease is accepted after a write of a newer lease.

    A lease is *expired* at tick T when, by the lock server's definition, it is over: the lock's
    monotonic clock at T has passed the lease's end (as granted or last renewed), or the lease
    was released. A write is made under the lease the client held when it checked its lease
    (its ``write`` observation). The violation: storage accepts, at tick T, a write whose lease
    is expired at T, after it already accepted a write made under a lease granted later: the
    zombie overwrites the new holder's data (Figure 8-4). An expired write that reaches storage
    before any newer holder's write is merely late (it is ordered before them); the metric
    ``late_writes`` counts those.
    """

    name = "no-expired-writes"
    kinds = frozenset({"decide", "observe"})

    def __init__(self, lock: str, storage: str) -> None:
        self.record = _Leases(lock, storage)
        self.newest: list[Any] | None = None  # [lease index, wid, client, token, seq]

    def observe(self, event: Event, world: World) -> Finding:
        rec = self.record
        rec.feed(event)
        write = rec.written(event)
        if write is None or write[2] < 0:
            return None
        client, token, index, seq = write
        lease = rec.leases[index]
        lock_now = world.nodes[rec.lock].clock.monotonic(world.now)
        expired = lease[3] or lock_now >= lease[2] - _EPS
        newest = self.newest
        finding: Finding = None
        if expired and newest is not None and newest[0] > index:
            late = lock_now - lease[2]
            ago = (f"{late:.0f} ms after it expired by the lock's clock" if late >= 0
                   else "after it was released")
            finding = (
                f"storage accepted {client}'s write {event.data['value']} under lease "
                f"{token} at tick {event.tick}, {ago}, after accepting {newest[2]}'s write "
                f"{newest[1]} under the newer lease {newest[3]} (granted at tick "
                f"{rec.leases[newest[0]][4]})",
                [seq, rec.leases[newest[0]][5], newest[4], event.seq],
            )
        if newest is None or index > newest[0]:
            self.newest = [index, event.data["value"], client, token, event.seq]
        return finding


class TokensNeverDecrease(Invariant):
    """Fencing tokens only go up: the lock grants strictly increasing tokens, and the tokens of
    the writes storage accepts never decrease (the token of a write is the one its client held
    when it checked its lease, whether or not the write carries it)."""

    name = "tokens-never-decrease"
    kinds = frozenset({"decide", "observe"})

    def __init__(self, lock: str, storage: str) -> None:
        self.record = _Leases(lock, storage)
        self.granted: tuple[int, str, int] | None = None  # token, holder, seq
        self.accepted: tuple[int, str, int] | None = None  # token, client, seq

    def observe(self, event: Event, world: World) -> Finding:
        rec = self.record
        rec.feed(event)
        data = event.data
        if event.kind == "decide" and event.node == rec.lock and data["key"] == "grant":
            token, holder = data["value"], data["holder"]
            if self.granted is not None and token <= self.granted[0]:
                return (f"the lock granted token {token} to {holder} at tick {event.tick}, "
                        f"not above token {self.granted[0]} it had already granted to "
                        f"{self.granted[1]}", [self.granted[2], event.seq])
            self.granted = (token, holder, event.seq)
            return None
        write = rec.written(event)
        if write is None:
            return None
        token = write[1]
        if self.accepted is not None and token < self.accepted[0]:
            return (f"storage accepted {write[0]}'s write {data['value']} with token {token} "
                    f"at tick {event.tick} after accepting token {self.accepted[0]} from "
                    f"{self.accepted[1]}", [self.accepted[2], event.seq])
        if self.accepted is None or token > self.accepted[0]:
            self.accepted = (token, write[0], event.seq)
        return None


def _is_accepted_write(storage: str):
    def progress(event: Event) -> bool:
        return (event.kind == "decide" and event.node == storage
                and event.data.get("key") == "write")
    return progress


# --------------------------------------------------------------------------- the spec
KNOBS = (
    Knob("lock_node", "node", "lock", "the node that runs the lock service",
         safe="any node"),
    Knob("storage_node", "node", "storage", "the node that runs the storage service",
         safe="any node other than the lock"),
    Knob("lease_ms", "int", 1000, "lease length, by the lock server's monotonic clock",
         low=10, high=600_000,
         safe="any, with fencing; without fencing none is long enough for every pause"),
    Knob("renew_margin_ms", "int", 300, "a holder renews when less than this remains",
         low=0, high=600_000,
         safe="below lease_ms and above a round trip to the lock (else the lease lapses)"),
    Knob("fencing", "bool", True,
         "writes carry the fencing token; storage rejects tokens lower than the highest seen",
         safe="true"),
    Knob("client_clock", "str", "monotonic",
         "which clock a client reads to decide whether its lease is still valid: its "
         "monotonic clock (lease counted from its own request), or its time-of-day clock "
         "against the expiry time the lock server stamped",
         choices=("monotonic", "time_of_day"), safe="monotonic"),
    Knob("first_token", "int", 33, "the fencing token of the first lease (the chapter: 33)",
         low=0, high=1_000_000_000, safe="any"),
    Knob("durable_tokens", "bool", True,
         "the lock server keeps its token counter on disk across a crash", safe="true"),
    Knob("write_every_ms", "int", 200, "a holder writes this often (0: only on command)",
         low=0, high=600_000, safe="any"),
    Knob("work_ms", "int", 100,
         "time between checking the lease and sending the write (processing the request)",
         low=0, high=600_000, safe="any, with fencing"),
    Knob("hold_ms", "int", 0,
         "a holder releases the lock after this long, once its writes are acknowledged "
         "(0: keeps renewing)",
         low=0, high=600_000, safe="any"),
    Knob("retry_ms", "int", 500, "a waiting client asks the lock again this often",
         low=1, high=600_000, safe="any"),
    Knob("liveness_ms", "int", 0,
         "liveness check: storage must accept a write within this long of the previous one "
         "(0: off)", low=0, high=10_000_000, safe="longer than lease_ms plus a write cycle"),
)


def build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    lock, storage = knobs["lock_node"], knobs["storage_node"]
    if lock == storage:
        raise KnobError("storage_node", f"must differ from lock_node ({lock!r})")
    if not [n for n in nodes if n not in (lock, storage)]:
        raise KnobError("nodes", "lease needs at least one client besides lock and storage")
    if knobs["renew_margin_ms"] >= knobs["lease_ms"]:
        raise KnobError("renew_margin_ms", f"must be below lease_ms ({knobs['lease_ms']}), "
                                           f"got {knobs['renew_margin_ms']}")
    lease_ms, first, durable = knobs["lease_ms"], knobs["first_token"], knobs["durable_tokens"]
    fencing = knobs["fencing"]
    client_args = (lock, storage, fencing, knobs["client_clock"], knobs["renew_margin_ms"],
                   knobs["write_every_ms"], knobs["work_ms"], knobs["hold_ms"],
                   knobs["retry_ms"])

    def program(name: str) -> Program:
        if name == lock:
            return LockServer(lease_ms, first, durable)
        if name == storage:
            return Storage(fencing)
        return LeaseClient(*client_args)

    checks: list[Any] = [NoExpiredWrites(lock, storage), TokensNeverDecrease(lock, storage)]
    if knobs["liveness_ms"]:
        checks.append(ProgressWithin("writes-flow", knobs["liveness_ms"],
                                     progress=_is_accepted_write(storage), repeat=True))
    return Build(program=program, checks=tuple(checks))


def metrics(world: World) -> dict[str, Any]:
    """Numbers for the debrief, from the run's (retained) trace."""
    lock = storage = None
    for event in world.trace.events:
        if event.kind == "state" and event.data.get("role") in ("lock", "storage"):
            if event.data["role"] == "lock":
                lock = event.node
            else:
                storage = event.node
            if lock and storage:
                break
    out = {"leases_granted": 0, "max_token": 0, "writes_accepted": 0, "writes_fenced": 0,
           "zombie_writes": 0, "late_writes": 0, "max_write_gap_ms": 0}
    if lock is None or storage is None:
        return out
    rec = _Leases(lock, storage)
    newest = -1
    last_write = 0
    for event in world.trace.events:
        rec.feed(event)
        if event.node == lock and event.kind == "decide" and event.data["key"] == "grant":
            out["leases_granted"] += 1
            out["max_token"] = max(out["max_token"], event.data["value"])
        if event.node == storage and event.kind == "observe" and \
                event.data.get("what") == "rejected":
            out["writes_fenced"] += 1
        write = rec.written(event)
        if write is None:
            continue
        out["writes_accepted"] += 1
        out["max_write_gap_ms"] = max(out["max_write_gap_ms"], event.tick - last_write)
        last_write = event.tick
        index = write[2]
        if index < 0:
            continue
        if index < newest:
            out["zombie_writes"] += 1
        elif index < len(rec.leases) - 1 or rec.leases[index][3]:
            out["late_writes"] += 1  # its lease had ended at the lock (released or replaced)
        newest = max(newest, index)
    out["max_write_gap_ms"] = max(out["max_write_gap_ms"], world.now - last_write)
    return out


SPEC = ProtocolSpec(
    name="lease",
    title="Leases and fencing tokens",
    source="Kleppmann, DDIA ch. 8: Process Pauses; The Truth Is Defined by the Majority "
           "(Figures 8-4, 8-5); Gray & Cheriton 1989 (leases); Burrows 2006 (Chubby)",
    summary=(
        "A lock server hands out leases with fencing tokens; clients that believe they hold "
        "the lease write to a storage service. A client that pauses (GC) past its lease, or "
        "whose time-of-day clock is behind, wakes up still believing it holds the lease and "
        "writes: without fencing the storage accepts the zombie's write after the new "
        "holder's; with fencing it rejects token 33 once it has seen 34."
    ),
    knobs=KNOBS,
    build=build,
    commands={"write": "a client writes now if it believes it holds the lease "
                       "(args: value, optional)",
              "release": "a client gives its lease back"},
    invariants={
        "no-expired-writes": "storage never accepts a write made under an expired lease "
                             "after a write of a newer lease",
        "tokens-never-decrease": "the lock grants increasing tokens and storage accepts "
                                 "writes in token order",
    },
    liveness={"writes-flow": "storage accepts a write within liveness_ms of the previous "
                             "one (only when liveness_ms > 0)"},
    metrics=metrics,
    min_nodes=3,
    default_nodes=("lock", "storage", "client-1", "client-2"),
)

