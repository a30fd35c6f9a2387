"""Clock synchronisation (NTP-style, with Marzullo selection) and commit wait (TrueTime).

Sources: Kleppmann, *Designing Data-Intensive Applications*, ch. 8 "Clock Synchronization and
Accuracy" and "Relying on Synchronized Clocks" ("Clock readings have a confidence interval",
"Synchronized clocks for global snapshots"); RFC 5905 (NTPv4), section 8 (the on-wire
protocol: offset and delay from four timestamps) and sections 10-11 (selection, step and slew);
K. Marzullo, "Maintaining the Time in a Distributed System" (PhD thesis, Stanford, 1984), the
interval intersection NTP's selection algorithm descends from; Corbett et al., "Spanner:
Google's Globally-Distributed Database" (OSDI 2012), section 4.1.2 (commit wait).

**NTP client** (spec ``clocksync``). Every ``poll_ms`` a client sends each of its servers a
request stamped ``t1`` (its clock at send); the server answers with ``t2`` (its clock at
receive) and ``t3`` (at send); the client stamps ``t4`` on arrival and computes, as RFC 5905
does, the offset ``theta = ((t2 - t1) + (t3 - t4)) / 2`` and the round-trip delay
``delta = (t4 - t1) - (t3 - t2)``. The true offset lies in ``[theta - delta/2, theta +
delta/2]``; ``theta`` itself assumes both directions took equally long, so one-way delays
``d1`` (there) and ``d2`` (back) bias it by ``(d1 - d2) / 2``. Samples whose delay exceeds
``max_delay_ms`` are discarded (RFC 5905's distance threshold). With ``selection = "first"``
the client follows the first of its servers that answered; with ``"marzullo"`` it intersects the
servers' intervals, keeps the intersection consistent with the most servers (a majority is
required, as in NTP's selection algorithm) and uses its midpoint, so a minority of lying or
distant servers is outvoted. An offset larger than ``step_threshold_ms`` (NTP: 128 ms) is
corrected by stepping the clock; a smaller one is slewed at most ``slew_ppm`` (ntpd: 500 ppm).

The engine offers programs no call to adjust their own clock, so the client keeps a software
correction (believed as ``offset_ms``) that it adds to every ``ctx.time_of_day()`` reading:
the node's *disciplined clock*. The checker reads it to tell how far the client is from true
time (invariant ``clock-within-bound``).

**Commit wait** (spec ``commit_wait``, :data:`COMMIT_WAIT_SPEC`). Every node coordinates
transactions. A node reads an interval clock ``[earliest, latest]`` (the engine's interval
clock if the node has one, else its time-of-day ``+/- error_ms``), gives a transaction the
timestamp ``s = latest`` (and more than any timestamp it gave before) and, with ``commit_wait``,
acknowledges it only once ``earliest > s``: about ``2 * error`` later. Then any transaction
that starts after the acknowledgement gets a larger timestamp (external consistency), as long
as every clock's error really is within its bound.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim.checks import Finding, Invariant
from playground.sim.errors import ProgramError
from playground.sim.program import Context, Program
from playground.sim.trace import Event
from playground.sim.world import World

SOURCE = ("Kleppmann, DDIA ch. 8 'Clock Synchronization and Accuracy' and 'Relying on "
          "Synchronized Clocks'; RFC 5905 (NTPv4) sections 8, 10-11; Marzullo, 'Maintaining "
          "the Time in a Distributed System' (1984)")
COMMIT_WAIT_SOURCE = ("Corbett et al., 'Spanner: Google's Globally-Distributed Database' "
                      "(OSDI 2012), sections 3 and 4.1.2 (TrueTime, commit wait); Kleppmann, "
                      "DDIA ch. 8 'Clock readings have a confidence interval'")

SELECTIONS = ("first", "marzullo")


# ------------------------------------------------------------------------------ algorithms
def offset_delay(t1: float, t2: float, t3: float, t4: float) -> tuple[float, float]:
    """RFC 5905's on-wire calculation: ``(offset, delay)`` from the four timestamps."""
    return ((t2 - t1) + (t3 - t4)) / 2.0, (t4 - t1) - (t3 - t2)


def marzullo(intervals: Sequence[tuple[float, float]]) -> tuple[float, float, int] | None:
    """Marzullo's algorithm: the smallest interval consistent with the most sources.

    Returns ``(low, high, count)``, where ``count`` intervals all contain ``[low, high]``, or
    ``None`` for no intervals. Intervals are closed: ones that only touch still agree.
    """
    if not intervals:
        return None
    edges: list[tuple[float, int]] = []
    for low, high in intervals:
        if high < low:
            raise ValueError(f"interval [{low}, {high}] ends before it starts")
        edges.append((low, 0))  # starts sort before ends at the same offset
        edges.append((high, 1))
    edges.sort()
    best = 0
    count = 0
    best_low = best_high = 0.0
    for i, (offset, kind) in enumerate(edges):
        if kind == 0:
            count += 1
            if count > best:
                best = count
                best_low = offset
                best_high = edges[i + 1][0]
        else:
            count -= 1
    return best_low, best_high, best


# ------------------------------------------------------------------------------ NTP programs
class NtpServer(Program):
    """A time server (stratum 1): answers requests with its own clock's readings."""

    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="server")

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if isinstance(payload, dict) and payload.get("type") == "ntp-req":
            t2 = ctx.time_of_day()
            t3 = ctx.time_of_day()  # handled within the tick it arrived in
            ctx.send(src, {"type": "ntp-resp", "round": payload.get("round"),
                           "t1": payload.get("t1"), "t2": t2, "t3": t3})

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name != "sync":
            super().on_command(ctx, name, args)


class NtpClient(Program):
    """An NTP client disciplining its time-of-day clock in software (see module docstring).

    ``correction(mono)`` is what it adds to ``ctx.time_of_day()``: a base (from steps and
    finished slews) plus the part of the current slew applied so far, at ``slew_ppm``.
    The correction is volatile: a crash loses it (a reboot resets the clock)."""

    def __init__(self, servers: tuple[str, ...], poll_ms: int, step_threshold_ms: float,
                 slew_ppm: float, selection: str, max_delay_ms: float) -> None:
        self.servers = servers
        self.poll_ms = poll_ms
        self.timeout_ms = max(1, min(poll_ms // 2, 1000))
        self.step_threshold_ms = step_threshold_ms
        self.slew_rate = slew_ppm / 1e6
        self.selection = selection
        self.max_delay_ms = max_delay_ms
        self.base = 0.0
        self.slew_ms = 0.0
        self.slew_start = 0.0
        self.round = 0
        self.pending: dict[str, float] = {}
        self.samples: dict[str, tuple[float, float]] = {}
        self.synced = False
        self.steps = 0

    # the disciplined clock ----------------------------------------------------------------
    def correction(self, mono: float) -> float:
        if not self.slew_ms:
            return self.base
        done = max(0.0, mono - self.slew_start) * self.slew_rate
        part = min(abs(self.slew_ms), done)
        return self.base + (part if self.slew_ms > 0 else -part)

    def disciplined(self, tod: float, mono: float) -> float:
        """The clock this node's applications read: raw time of day plus the correction."""
        return tod + self.correction(mono)

    def now(self, ctx: Context) -> float:
        return self.disciplined(ctx.time_of_day(), ctx.monotonic())

    def _publish(self, ctx: Context) -> None:
        ctx.believe(offset_ms=round(self.correction(ctx.monotonic()), 3))

    # events -------------------------------------------------------------------------------
    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="client", offset_ms=0.0, synced=False, suspects=[])
        ctx.set_timer("poll", 1)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "sync":
            self._poll(ctx)
        else:
            super().on_command(ctx, name, args)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "poll":
            self._poll(ctx)
            ctx.set_timer("poll", self.poll_ms)
        elif name == "round-end" and data == self.round:
            self._finish_round(ctx)
        self._publish(ctx)

    def _poll(self, ctx: Context) -> None:
        self.round += 1
        self.pending = {}
        self.samples = {}
        for server in self.servers:
            t1 = self.now(ctx)
            self.pending[server] = t1
            ctx.send(server, {"type": "ntp-req", "round": self.round, "t1": t1})
        ctx.set_timer("round-end", self.timeout_ms, self.round)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("type") != "ntp-resp":
            return
        # RFC 5905's bogus-packet test: the reply must echo the origin timestamp we sent.
        if payload.get("round") != self.round or self.pending.get(src) != payload.get("t1"):
            return
        t1 = self.pending.pop(src)
        t4 = self.now(ctx)
        try:
            theta, delta = offset_delay(t1, float(payload["t2"]), float(payload["t3"]), t4)
        except (KeyError, TypeError, ValueError):
            return
        accepted = delta <= self.max_delay_ms
        ctx.observe("sample", server=src, theta=round(theta, 3), delay=round(delta, 3),
                    accepted=accepted)
        if accepted:
            self.samples[src] = (theta, delta)
        if not self.pending:
            ctx.cancel_timer("round-end")
            self._finish_round(ctx)
        self._publish(ctx)

    # selection and discipline -----------------------------------------------------------------
    def select(self) -> tuple[float, list[str], list[str]] | None:
        """``(offset, sources used, suspected falsetickers)`` or ``None``."""
        answered = [s for s in self.servers if s in self.samples]
        if not answered:
            return None
        if self.selection == "first":
            return self.samples[answered[0]][0], [answered[0]], []
        intervals = [(self.samples[s][0] - self.samples[s][1] / 2,
                      self.samples[s][0] + self.samples[s][1] / 2) for s in answered]
        found = marzullo(intervals)
        assert found is not None
        low, high, count = found
        if 2 * count <= len(answered):
            return None  # no majority agrees: NTP keeps the clock as it is
        agree = [s for s, (a, b) in zip(answered, intervals, strict=True)
                 if a <= low and high <= b]
        return (low + high) / 2, agree, [s for s in answered if s not in agree]

    def _finish_round(self, ctx: Context) -> None:
        ctx.cancel_timer("round-end")
        # A reply still on its way belongs to a finished round: measured against a clock this
        # round may step, its delay could come out negative. Like NTP, forget the request.
        self.pending = {}
        chosen = self.select()
        tod = ctx.time_of_day()
        mono = ctx.monotonic()
        before = self.correction(mono)
        if chosen is None:
            ctx.observe("sync", mode="none", answered=sorted(self.samples), tod=tod,
                        before=before, after=before)
            self.samples = {}
            return
        theta, sources, suspects = chosen
        if abs(theta) > self.step_threshold_ms:
            mode = "step"
            self.base = before + theta
            self.slew_ms = 0.0
            self.steps += 1
        else:
            mode = "slew"
            self.base = before
            self.slew_ms = theta
            self.slew_start = mono
        first = not self.synced
        self.synced = True
        self.samples = {}
        ctx.observe("sync", mode=mode, theta=round(theta, 3), sources=sources,
                    suspects=sorted(suspects), tod=tod, before=before,
                    after=self.correction(mono), first=first)
        ctx.believe(synced=True, suspects=sorted(suspects))


# ------------------------------------------------------------------------------ NTP checks
class ClockWithinBound(Invariant):
    """Each synchronised client's disciplined clock is within ``max_error_ms`` of true time.

    Evaluated at every event at a client (its polls, replies, faults), from the moment the
    client first synchronised after its (re)start."""

    name = "clock-within-bound"
    kinds = frozenset({"timer", "deliver", "fault", "observe", "state", "command"})

    def __init__(self, clients: tuple[str, ...], max_error_ms: float) -> None:
        self.clients = clients
        self.max_error_ms = max_error_ms
        self.last_sync: dict[str, Event] = {}

    def observe(self, event: Event, world: World) -> Finding:
        name = event.node
        if name not in self.clients:
            return None
        if event.kind == "observe" and event.data.get("what") == "sync" \
                and event.data.get("mode") != "none":
            self.last_sync[name] = event
        error = client_error(world, name)
        if error is None or abs(error) <= self.max_error_ms:
            return None
        sync = self.last_sync.get(name)
        why = ""
        causes = [event.seq]
        if sync is not None:
            d = sync.data
            how = "stepped" if d["mode"] == "step" else "slewing"
            why = (f" (last sync at tick {sync.tick}: {how} by {d['theta']:+.1f} ms from "
                   f"{', '.join(d['sources'])})")
            if sync.seq != event.seq:
                causes.insert(0, sync.seq)
        side = "ahead of" if error > 0 else "behind"
        return (f"{name}'s clock is {abs(error):.1f} ms {side} true time at tick {world.now}, "
                f"beyond the {self.max_error_ms:g} ms bound{why}", causes)


def client_error(world: World, name: str) -> float | None:
    """How far client ``name``'s disciplined clock is from true time now (``None`` if it is
    down or not synchronised since it started)."""
    node = world.nodes[name]
    program = node.program
    if not isinstance(program, NtpClient) or not program.synced:
        return None
    now = world.now
    tod = node.clock.time_of_day(now) + node.clock_lie_ms
    return program.disciplined(tod, node.clock.monotonic(now)) - now


def clocksync_metrics(world: World) -> dict[str, Any]:
    """Final and largest clock error of the clients, steps, slews and rejected samples.

    ``max_error_ms`` is the largest error seen at the clients' sync rounds (just before and
    just after each correction) and at the end of the run."""
    out: dict[str, Any] = {"final_error_ms": 0.0, "max_error_ms": 0.0, "steps": 0,
                           "slews": 0, "syncs": 0, "rejected_samples": 0}
    clients = [n for n in world.node_names if isinstance(world.nodes[n].program, NtpClient)]
    finals = [abs(e) for e in (client_error(world, n) for n in clients) if e is not None]
    if finals:
        out["final_error_ms"] = round(max(finals), 3)
    worst = max(finals, default=0.0)
    if world.trace.retain:
        for event in world.trace.events:
            if event.kind != "observe":
                continue
            d = event.data
            if d.get("what") == "sample" and not d.get("accepted"):
                out["rejected_samples"] += 1
            if d.get("what") != "sync" or d.get("mode") == "none":
                continue
            out["syncs"] += 1
            out["steps" if d["mode"] == "step" else "slews"] += 1
            worst = max(worst, abs(d["tod"] + d["after"] - event.tick))
            if not d.get("first"):  # before a client's first sync its error is not judged
                worst = max(worst, abs(d["tod"] + d["before"] - event.tick))
    out["max_error_ms"] = round(worst, 3)
    return out


def ntp_roles(nodes: tuple[str, ...], knobs: Mapping[str, Any]
              ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(clients, servers)``: empty knobs mean "the first node" and "all the others"."""
    clients = tuple(knobs["clients"])
    servers = tuple(knobs["servers"])
    if not clients:
        clients = tuple(n for n in nodes if n not in servers)[:1]
    if not servers:
        servers = tuple(n for n in nodes if n not in clients)
    if not clients:
        raise KnobError("clients", "no node is left to be a client")
    if not servers:
        raise KnobError("servers", "no node is left to be a server")
    both = sorted(set(clients) & set(servers))
    if both:
        raise KnobError("servers", f"{', '.join(both)} cannot be both client and server")
    return clients, servers


def _ntp_program(name: str, *, clients: tuple[str, ...], servers: tuple[str, ...],
                 knobs: dict[str, Any]) -> Program:
    if name in clients:
        return NtpClient(servers, knobs["poll_ms"], knobs["step_threshold_ms"],
                         knobs["slew_ppm"], knobs["selection"], knobs["max_delay_ms"])
    return NtpServer()


def build_clocksync(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    clients, servers = ntp_roles(nodes, knobs)
    factory = functools.partial(_ntp_program, clients=clients, servers=servers,
                                knobs=dict(knobs))
    return Build(program=factory,
                 checks=(ClockWithinBound(clients, knobs["max_error_ms"]),))


SPEC = ProtocolSpec(
    name="clocksync",
    title="Clock synchronisation (NTP)",
    source=SOURCE,
    summary=(
        "A client asks time servers for their clocks and estimates its offset from four "
        "timestamps, assuming the request and the reply took equally long: an asymmetric path "
        "biases it by half the asymmetry. Large offsets are stepped (the clock jumps), small "
        "ones slewed (the clock runs a little fast or slow). With one server the client "
        "believes whatever it says; with several, Marzullo's interval intersection lets the "
        "majority outvote a lying or distant server."
    ),
    knobs=(
        Knob("servers", "nodes", (), "the time servers the clients ask (empty: every node "
             "that is not a client)", safe="at least 3, so one falseticker is outvoted"),
        Knob("clients", "nodes", (), "the nodes that synchronise their clock (empty: the first "
             "node that is not a server)", safe="any"),
        Knob("poll_ms", "int", 1000, "how often a client polls its servers (monotonic clock)",
             low=10, high=120_000, safe="short enough that drift between polls stays within "
             "the bound (200 ppm x 30 s = 6 ms)"),
        Knob("step_threshold_ms", "float", 128.0, "offsets larger than this are stepped, "
             "smaller ones slewed (NTP: 128 ms)", low=0, high=100_000,
             safe="at most max_error_ms - max_delay_ms / 2: a smaller offset is only slewed, "
             "slowly, so the clock may stay that far off for a while"),
        Knob("slew_ppm", "float", 500.0, "largest slew rate (ntpd: 500 ppm = 0.5 ms per "
             "second)", low=1, high=1_000_000, safe="any"),
        Knob("selection", "str", "marzullo", "how a client combines its servers: 'first' "
             "follows the first server that answered, 'marzullo' the interval most servers "
             "agree on", choices=SELECTIONS, safe="marzullo with at least 3 servers"),
        Knob("max_delay_ms", "float", 100.0, "samples with a longer round trip are discarded "
             "(their offset may be off by half the delay)", low=0, high=100_000,
             safe="at most 2 x (max_error_ms - step_threshold_ms)"),
        Knob("max_error_ms", "float", 200.0, "the bound the invariant clock-within-bound "
             "checks", low=0, high=1_000_000,
             safe="at least step_threshold_ms + max_delay_ms / 2, plus drift between polls"),
    ),
    build=build_clocksync,
    commands={"sync": "{}: at a client, poll the servers now"},
    invariants={
        "clock-within-bound": "every synchronised client's clock stays within max_error_ms "
                              "of true time",
    },
    metrics=clocksync_metrics,
    min_nodes=2,
    default_nodes=("c1", "s1", "s2", "s3"),
)


# ------------------------------------------------------------------------------ commit wait
class CommitWaitNode(Program):
    """A Spanner-style transaction coordinator (see the module docstring)."""

    def __init__(self, commit_wait: bool, error_ms: float, txn_every_ms: int) -> None:
        self.commit_wait = commit_wait
        self.error_ms = error_ms
        self.txn_every_ms = txn_every_ms
        self.has_interval = False
        self.waiting: dict[str, dict[str, float]] = {}

    def interval(self, ctx: Context) -> tuple[float, float]:
        """TT.now(): the engine's interval clock, or time of day +/- ``error_ms``."""
        if self.has_interval:
            return ctx.interval()
        tod = ctx.time_of_day()
        return tod - self.error_ms, tod + self.error_ms

    def on_start(self, ctx: Context) -> None:
        try:
            ctx.interval()
            self.has_interval = True
        except ProgramError:
            self.has_interval = False
        ctx.durable.setdefault("txns", 0)
        ctx.believe(role="server", waiting=0)
        if self.txn_every_ms > 0:
            ctx.set_timer("work", 1 + self.txn_every_ms * ctx.rng.random())

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "txn":
            self.start(ctx)
        else:
            super().on_command(ctx, name, args)

    def start(self, ctx: Context) -> None:
        ctx.durable["txns"] += 1
        txn = f"{ctx.name}.{ctx.durable['txns']}"
        earliest, latest = self.interval(ctx)
        ts = latest
        last = ctx.durable.get("last_ts")
        if last is not None and ts <= last:
            ts = last + 0.001  # a leader's timestamps only grow
        ctx.durable["last_ts"] = ts
        ctx.observe("txn-start", txn=txn, ts=ts, earliest=earliest, latest=latest)
        self.waiting[txn] = {"ts": ts, "started": ctx.monotonic()}
        if self.commit_wait:
            self._wait(ctx, txn)
        else:
            self._ack(ctx, txn)

    def _wait(self, ctx: Context, txn: str) -> None:
        ts = self.waiting[txn]["ts"]
        earliest = self.interval(ctx)[0]
        if earliest > ts:  # TT.after(ts)
            self._ack(ctx, txn)
            return
        ctx.set_timer(f"wait:{txn}", ts - earliest + 0.5, txn)
        ctx.believe(waiting=len(self.waiting))

    def _ack(self, ctx: Context, txn: str) -> None:
        entry = self.waiting.pop(txn)
        ctx.decide("commit", txn, ts=entry["ts"],
                   waited=round(ctx.monotonic() - entry["started"], 3))
        ctx.believe(waiting=len(self.waiting), value=round(entry["ts"], 3))

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "work":
            self.start(ctx)
            ctx.set_timer("work", self.txn_every_ms * (0.5 + ctx.rng.random()))
        elif name.startswith("wait:") and data in self.waiting:
            self._wait(ctx, data)


class CommitLedger:
    """The checker's view of transactions (shared by the invariant and the metrics)."""

    def __init__(self) -> None:
        self.newest: dict[str, Any] | None = None  # acknowledged txn with the largest ts
        self.started: dict[str, int] = {}
        self.starts = 0
        self.commits = 0
        self.latency_total = 0
        self.latency_max = 0
        self.reversals = 0

    def feed(self, event: Event) -> Finding:
        d = event.data
        if event.kind == "decide" and d.get("key") == "commit":
            self.commits += 1
            started = self.started.pop(d["value"], event.tick)
            self.latency_total += event.tick - started
            self.latency_max = max(self.latency_max, event.tick - started)
            if self.newest is None or d["ts"] > self.newest["ts"]:
                self.newest = {"txn": d["value"], "ts": d["ts"], "tick": event.tick,
                               "node": event.node, "seq": event.seq}
        elif event.kind == "observe" and d.get("what") == "txn-start":
            self.starts += 1
            self.started[d["txn"]] = event.tick
            prior = self.newest
            if prior is not None and d["ts"] <= prior["ts"]:
                self.reversals += 1
                return (f"{d['txn']} started on {event.node} at tick {event.tick}, after "
                        f"{prior['txn']} was acknowledged by {prior['node']} at tick "
                        f"{prior['tick']} with timestamp {prior['ts']:.3f}, yet got the "
                        f"timestamp {d['ts']:.3f} <= {prior['ts']:.3f}: timestamp order "
                        "contradicts real-time order", [prior["seq"], event.seq])
        return None

    def metrics(self) -> dict[str, Any]:
        return {
            "txns": self.starts,
            "commits": self.commits,
            "mean_ack_latency_ms": round(self.latency_total / self.commits, 3)
            if self.commits else 0.0,
            "max_ack_latency_ms": self.latency_max,
            "order_violations": self.reversals,
        }


class ExternalConsistency(Invariant):
    """If transaction A was acknowledged before B started (true time), ``ts(A) < ts(B)``."""

    name = "external-consistency"
    kinds = frozenset({"observe", "decide"})

    def __init__(self) -> None:
        self.ledger = CommitLedger()

    def observe(self, event: Event, world: World) -> Finding:
        return self.ledger.feed(event)


def commit_ledger(events: Iterable[Event]) -> CommitLedger:
    ledger = CommitLedger()
    for event in events:
        if event.kind in ("observe", "decide"):
            ledger.feed(event)
    return ledger


def commit_wait_metrics(world: World) -> dict[str, Any]:
    """Transactions, acknowledgement latency (true ms) and real-time order reversals."""
    if not world.trace.retain:
        return {}
    return commit_ledger(world.trace.events).metrics()


def _commit_program(name: str, *, knobs: dict[str, Any]) -> CommitWaitNode:
    return CommitWaitNode(knobs["commit_wait"], knobs["error_ms"], knobs["txn_every_ms"])


def build_commit_wait(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    return Build(program=functools.partial(_commit_program, knobs=dict(knobs)),
                 checks=(ExternalConsistency(),))


COMMIT_WAIT_SPEC = ProtocolSpec(
    name="commit_wait",
    title="Commit wait (TrueTime)",
    source=COMMIT_WAIT_SOURCE,
    summary=(
        "Each node's clock reports an interval [earliest, latest] that contains true time if "
        "its error bound is honest. A transaction takes the timestamp 'latest' and, with "
        "commit wait, is acknowledged only once 'earliest' has passed it - about twice the "
        "error later. Then a transaction that starts after another was acknowledged always "
        "gets a larger timestamp. Without the wait, or with a clock skewed beyond its bound, "
        "timestamps can contradict the order in which things really happened."
    ),
    knobs=(
        Knob("commit_wait", "bool", True, "wait until earliest > timestamp before "
             "acknowledging", safe="true"),
        Knob("error_ms", "float", 5.0, "the clock uncertainty a node assumes if the level gives "
             "it no interval clock (nodes with an engine interval clock use its bound)",
             low=0, high=10_000, safe="at least the clock's real error"),
        Knob("txn_every_ms", "int", 100, "every node starts a transaction about this often "
             "(0: only 'txn' commands)", low=0, high=60_000, safe="any"),
    ),
    build=build_commit_wait,
    commands={"txn": "{}: start a transaction at this node"},
    invariants={
        "external-consistency": "a transaction that starts after another was acknowledged "
                                "gets a larger timestamp",
    },
    metrics=commit_wait_metrics,
    min_nodes=1,
    default_nodes=("n1", "n2", "n3"),
)

EXTRA_SPECS = (COMMIT_WAIT_SPEC,)
