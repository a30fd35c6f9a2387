"""Failure detection by heartbeats: a fixed timeout, or the phi accrual failure detector.

Sources: Kleppmann, *Designing Data-Intensive Applications*, ch. 8 "Detecting Faults" and
"Timeouts and Unbounded Delays" ("rather than using configured constant timeouts, systems can
continually measure response times and their variability (jitter), and automatically adjust
timeouts according to the observed response time distribution. This can be done with a Phi
Accrual failure detector, which is used for example in Akka and Cassandra"); N. Hayashibara,
X. Défago, R. Yared, T. Katayama, "The phi accrual failure detector", SRDS 2004; and Akka's
``PhiAccrualFailureDetector`` (the normal-distribution form implemented here).

Every node sends a heartbeat to every *monitor* every ``interval_ms`` (on its monotonic clock).
A monitor runs one detector per peer, measured on *its own* monotonic clock:

- ``fixed``: suspect the peer once ``timeout_ms`` have passed since its last heartbeat.
- ``phi``: keep the last ``max_sample_size`` heartbeat inter-arrival times, and compute::

      phi(t) = -log10(1 - F(t))

  where ``t`` is the time since the last heartbeat and ``F`` the cumulative distribution
  function of a normal distribution with the sampled mean plus ``acceptable_heartbeat_pause_ms``
  and the sampled standard deviation (at least ``min_std_deviation_ms``). ``F`` is Akka's
  logistic approximation ``1 / (1 + exp(-y * (1.5976 + 0.070566 * y**2)))`` with
  ``y = (t - mean) / std`` (within 0.00015 of the exact normal CDF: see :func:`exact_phi`).
  The peer is suspected once ``phi >= threshold``. ``phi = 1`` means a 10% chance that the
  suspicion is a mistake, ``phi = 2`` 1%, ``phi = 8`` one in 10^8 (under the model).

Like Akka: the history starts with two samples around a first estimate (the heartbeat interval,
standard deviation a quarter of it), the first heartbeat after a suspicion does not go into the
history (a long outage would skew it), and a monitor starts watching a peer as if a first
heartbeat had arrived when the monitor started (Akka cluster's "expected first heartbeat"), so
that a node that never speaks is suspected too. Heartbeats carry a durable sequence number; a
stale or duplicated one is ignored (Akka's transport is TCP: ordered, no duplicates).

A monitor does not poll: it sets a timer for the exact moment its detector would cross the
threshold and re-arms it on every heartbeat. It publishes ``suspects`` (sorted) and records
``suspect`` / ``trust`` observations. The checker knows the truth: a suspicion of a node that did
not crash since the monitor last heard from it (it is running, or frozen, or its heartbeats were
lost or held) is a *false suspicion*.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim.actions import CRASHED
from playground.sim.checks import Check, Finding, Invariant
from playground.sim.errors import ProgramError
from playground.sim.program import Context, Program
from playground.sim.trace import Event
from playground.sim.world import World

SOURCE = ("Kleppmann, Designing Data-Intensive Applications, ch. 8 'Detecting Faults' and "
          "'Timeouts and Unbounded Delays'; Hayashibara, Défago, Yared, Katayama, 'The phi "
          "accrual failure detector' (SRDS 2004), in Akka's normal-distribution form")

DETECTORS = ("phi", "fixed")


# ------------------------------------------------------------------------------ the formula
def phi_value(elapsed: float, mean: float, std: float) -> float:
    """Akka's phi: ``-log10(1 - F(elapsed))`` with ``F`` the logistic approximation of the
    normal CDF of mean ``mean`` and standard deviation ``std`` (``std > 0``).

    Written as Akka writes it, in the form that stays accurate in the tail:
    ``-log10(e / (1 + e))`` when ``elapsed > mean``. Returns ``inf`` once the tail underflows.
    """
    y = (elapsed - mean) / std
    exponent = -y * (1.5976 + 0.070566 * y * y)
    if exponent > 700.0:  # far below the mean: F ~ 0, phi ~ 0 (math.exp would overflow)
        return 0.0
    e = math.exp(exponent)
    if elapsed > mean:
        if e == 0.0:
            return math.inf
        return -math.log10(e / (1.0 + e))
    return -math.log10(1.0 - 1.0 / (1.0 + e))


def exact_phi(elapsed: float, mean: float, std: float) -> float:
    """Phi with the exact normal CDF (``1 - F = erfc(y / sqrt 2) / 2``), for comparison."""
    tail = 0.5 * math.erfc((elapsed - mean) / (std * math.sqrt(2.0)))
    return math.inf if tail <= 0.0 else -math.log10(tail)


def phi_crossing(threshold: float, mean: float, std: float) -> float:
    """The time since the last heartbeat at which :func:`phi_value` reaches ``threshold``.

    Both of Akka's branches are ``1 - F = e / (1 + e)`` with ``e = exp(-g(y))`` and
    ``g(y) = y * (1.5976 + 0.070566 y^2)``, so ``phi = threshold`` solves
    ``g(y) = ln((1 - p) / p)`` with ``p = 10^-threshold``: ``g`` is increasing, so bisection
    finds the one root. Returns ``mean + y * std``.
    """
    target = threshold * math.log(10.0) + math.log1p(-(10.0 ** -threshold))
    lo, hi = (0.0, target / 1.5976) if target >= 0 else (target / 1.5976, 0.0)
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if mid * (1.5976 + 0.070566 * mid * mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return mean + hi * std


class History:
    """Akka's ``HeartbeatHistory``: a bounded window of inter-arrival times with running sums.

    ``mean`` is the sample mean, ``std`` the population standard deviation (as Akka)."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.intervals: list[float] = []
        self.total = 0.0
        self.squares = 0.0

    def add(self, interval: float) -> None:
        while len(self.intervals) >= self.max_size:
            old = self.intervals.pop(0)
            self.total -= old
            self.squares -= old * old
        self.intervals.append(interval)
        self.total += interval
        self.squares += interval * interval

    @property
    def mean(self) -> float:
        return self.total / len(self.intervals)

    @property
    def std(self) -> float:
        mean = self.mean
        return math.sqrt(max(0.0, self.squares / len(self.intervals) - mean * mean))


# ------------------------------------------------------------------------------ programs
class HeartbeatNode(Program):
    """A node that heartbeats the monitors and, if it is a monitor, watches every peer.

    Knobs are plain attributes (deep-copyable). Per watched peer the monitor keeps
    ``last[peer]`` (its monotonic reading at the last heartbeat), ``history[peer]``,
    ``seen[peer]`` (highest heartbeat sequence number) and whether it suspects the peer.
    """

    def __init__(self, *, monitors: tuple[str, ...], detector: str, interval_ms: float,
                 timeout_ms: float, threshold: float, max_sample_size: int,
                 min_std_deviation_ms: float, acceptable_heartbeat_pause_ms: float) -> None:
        self.monitors = monitors
        self.detector = detector
        self.interval_ms = interval_ms
        self.timeout_ms = timeout_ms
        self.threshold = threshold
        self.max_sample_size = max_sample_size
        self.min_std_deviation_ms = min_std_deviation_ms
        self.pause_ms = acceptable_heartbeat_pause_ms
        self.sending = True
        self.watching: tuple[str, ...] = ()
        self.last: dict[str, float] = {}
        self.history: dict[str, History] = {}
        self.seen: dict[str, int] = {}
        self.suspected: dict[str, float] = {}  # peer -> monotonic reading when suspected

    # lifecycle -----------------------------------------------------------------------------
    def on_start(self, ctx: Context) -> None:
        is_monitor = ctx.name in self.monitors
        self.watching = ctx.peers if is_monitor else ()
        now = ctx.monotonic()
        for peer in self.watching:
            self.last[peer] = now  # Akka's "expected first heartbeat": start the clock now
            self.history[peer] = self._first_history()
            self._arm(ctx, peer)
        ctx.believe(role="monitor" if is_monitor else "node", suspects=[])
        if any(m != ctx.name for m in self.monitors):
            ctx.set_timer("heartbeat", self.interval_ms * ctx.rng.random())

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "heartbeat":
            if self.sending:
                seq = ctx.durable.get("hb_seq", 0) + 1
                ctx.durable["hb_seq"] = seq
                for monitor in self.monitors:
                    if monitor != ctx.name:
                        ctx.send(monitor, {"type": "heartbeat", "seq": seq})
            ctx.set_timer("heartbeat", self.interval_ms)
        elif name.startswith("suspect:"):
            peer = name[len("suspect:"):]
            elapsed = ctx.monotonic() - self.last[peer]
            due = self.suspect_after(peer)
            if elapsed + 1e-6 < due:  # cannot happen with exact timers; re-arm to be safe
                self._arm(ctx, peer)
                return
            self.suspected[peer] = ctx.monotonic()
            ctx.observe("suspect", peer=peer, elapsed_ms=round(elapsed, 3),
                        phi=self._phi_repr(peer, elapsed), detector=self.detector)
            ctx.believe(suspects=sorted(self.suspected))

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("type") != "heartbeat":
            return
        if src not in self.last:
            return  # not a monitor of src
        seq = payload.get("seq")
        if not isinstance(seq, int) or seq <= self.seen.get(src, 0):
            return  # stale or duplicated
        self.seen[src] = seq
        now = ctx.monotonic()
        interval = now - self.last[src]
        # Akka: an interval is only sampled if the peer was still considered available
        if self.detector != "phi" or self.phi(src, now) < self.threshold:
            self.history[src].add(interval)
        self.last[src] = now
        if src in self.suspected:
            since = self.suspected.pop(src)
            ctx.observe("trust", peer=src, suspected_ms=round(now - since, 3))
            ctx.believe(suspects=sorted(self.suspected))
        self._arm(ctx, src)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "stop_heartbeats":
            self.sending = False
            ctx.observe("heartbeats", sending=False)
        elif name == "start_heartbeats":
            self.sending = True
            ctx.observe("heartbeats", sending=True)
        elif name == "transfer":
            self._transfer(ctx, args)
        else:
            super().on_command(ctx, name, args)

    @staticmethod
    def _transfer(ctx: Context, args: dict[str, Any]) -> None:
        """A bulk transfer: ``messages`` data messages to ``to`` at once. They share the link
        (and its queue) with the heartbeats; the receiver ignores them."""
        to, count = args.get("to"), args.get("messages")
        if to not in ctx.peers:
            raise ProgramError(f"transfer needs a peer to send to: args = {{to = \"...\", "
                               f"messages = N}} (peers: {', '.join(ctx.peers)})")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ProgramError("transfer needs messages = a whole number >= 1")
        for part in range(1, count + 1):
            ctx.send(to, {"type": "data", "part": part, "of": count})

    # the detector ---------------------------------------------------------------------------
    def _first_history(self) -> History:
        history = History(self.max_sample_size)
        mean = self.interval_ms
        std = mean / 4.0
        history.add(mean - std)
        history.add(mean + std)
        return history

    def distribution(self, peer: str) -> tuple[float, float]:
        """``(mean, std)`` the phi detector uses for ``peer``: the sampled mean plus the
        acceptable pause, the sampled deviation but at least the minimum."""
        h = self.history[peer]
        return h.mean + self.pause_ms, max(h.std, self.min_std_deviation_ms)

    def phi(self, peer: str, now_mono: float) -> float:
        """Phi of ``peer`` at the monitor's monotonic reading ``now_mono``."""
        mean, std = self.distribution(peer)
        return phi_value(now_mono - self.last[peer], mean, std)

    def suspect_after(self, peer: str) -> float:
        """How long after the last heartbeat ``peer`` becomes suspected."""
        if self.detector == "fixed":
            return self.timeout_ms
        mean, std = self.distribution(peer)
        return phi_crossing(self.threshold, mean, std)

    def _phi_repr(self, peer: str, elapsed: float) -> float | None:
        if self.detector != "phi":
            return None
        mean, std = self.distribution(peer)
        value = phi_value(elapsed, mean, std)
        return round(value, 3) if math.isfinite(value) else 1e9

    def _arm(self, ctx: Context, peer: str) -> None:
        if peer in self.suspected:
            ctx.cancel_timer(f"suspect:{peer}")
            return
        delay = self.last[peer] + self.suspect_after(peer) - ctx.monotonic()
        ctx.set_timer(f"suspect:{peer}", max(0.0, delay))


def current_phi(world: World, monitor: str, peer: str) -> float | None:
    """Phi of ``peer`` as ``monitor`` would compute it right now (for a live meter in the UI);
    ``None`` if ``monitor`` is not running a phi detector on ``peer``."""
    node = world.nodes[monitor]
    program = node.program
    if not isinstance(program, HeartbeatNode) or program.detector != "phi" \
            or peer not in program.last:
        return None
    return program.phi(peer, node.clock.monotonic(world.now))


# ------------------------------------------------------------------------------ the truth
class _Truth:
    """What the checker knows: when each node last crashed and recovered, which nodes are
    down or frozen, when each monitor last got a heartbeat from each peer (other messages,
    such as a bulk transfer's, do not count), and each monitor's boot tick. Fed with every
    relevant event in order (so it also works when replaying a trace)."""

    def __init__(self) -> None:
        self.crashed_at: dict[str, int] = {}
        self.recovered_at: dict[str, int] = {}
        self.booted: dict[str, int] = {}
        self.down: set[str] = set()
        self.frozen: set[str] = set()
        self.heard: dict[tuple[str, str], tuple[int, int]] = {}  # (monitor, peer) -> tick, seq
        self.not_heartbeats: set[int] = set()  # ids of messages sent that are not heartbeats

    def feed(self, event: Event) -> None:
        kind, data = event.kind, event.data
        if kind == "fault":
            tool, effect = data.get("tool"), data.get("effect")
            target: Any = data.get("target")
            if tool == "crash" and effect is None:
                self.crashed_at[target] = event.tick
                self.down.add(target)
                self.frozen.discard(target)
            elif tool == "freeze" and effect is None:
                self.frozen.add(target)
            elif tool == "unfreeze" and not str(effect).startswith("no effect"):
                self.frozen.discard(target)
        elif kind == "send":
            payload = data.get("payload")
            if not isinstance(payload, dict) or payload.get("type") != "heartbeat":
                self.not_heartbeats.add(data["id"])
        elif kind == "deliver" and event.node is not None:
            if data["id"] in self.not_heartbeats or data.get("dup_of") in self.not_heartbeats:
                return
            self.heard[(event.node, data["src"])] = (event.tick, event.seq)
        elif kind == "state" and data.get("why") == "recovered" and event.node is not None:
            self.booted[event.node] = event.tick
            self.recovered_at[event.node] = event.tick
            self.down.discard(event.node)

    def judge(self, monitor: str, peer: str, tick: int) -> tuple[bool, str, list[int]]:
        """Is a suspicion of ``peer`` by ``monitor`` at ``tick`` false? -> (false, why, causes)"""
        heard_tick, heard_seq = self.heard.get((monitor, peer), (None, None))
        reference = max(self.booted.get(monitor, 0), heard_tick or 0)
        if peer in self.down or self.crashed_at.get(peer, -1) >= reference \
                or self.recovered_at.get(peer, -1) >= reference:
            return False, "", []  # the peer was down at some point since the monitor heard it
        state = "frozen (paused), not crashed" if peer in self.frozen else "alive"
        if heard_tick is None:
            why = f"{peer} is {state}; {monitor} has not received a heartbeat from it since " \
                  f"tick {reference}"
        else:
            why = (f"{peer} is {state}; its last heartbeat reached {monitor} at tick "
                   f"{heard_tick}, {tick - heard_tick} ms earlier")
        return True, why, [] if heard_seq is None else [heard_seq]


class NoFalseSuspicion(Invariant):
    """No monitor suspects a node that did not crash (a KEEP IT goal, not the detector's design:
    under unbounded delays and pauses no detector can promise it)."""

    name = "no-false-suspicion"
    kinds = frozenset({"fault", "send", "deliver", "state", "observe"})

    def __init__(self) -> None:
        self.truth = _Truth()

    def observe(self, event: Event, world: World) -> Finding:
        self.truth.feed(event)
        if event.kind != "observe" or event.data.get("what") != "suspect":
            return None
        monitor, peer = event.node, event.data["peer"]
        assert monitor is not None
        false, why, causes = self.truth.judge(monitor, peer, event.tick)
        if not false:
            return None
        return (f"{monitor} suspected {peer} at tick {event.tick}, but {why}",
                [*causes, event.seq])


class CrashDetectedWithin(Check):
    """Liveness: when a node crashes, every monitor that is up suspects it within ``window`` ms
    (unless the node recovers first, or the monitor crashes)."""

    name = "crash-detected-within"
    kind = "liveness"
    kinds = frozenset({"fault", "observe", "state"})

    def __init__(self, window: int, monitors: tuple[str, ...]) -> None:
        self.window = window
        self.monitors = monitors
        self.open: dict[tuple[str, str], tuple[int, int]] = {}  # (monitor, peer) -> tick, seq

    def observe(self, event: Event, world: World) -> Finding:
        kind, data = event.kind, event.data
        if kind == "fault" and data.get("tool") == "crash" and "effect" not in data:
            peer = data["target"]
            for key in [k for k in self.open if peer in k]:
                del self.open[key]  # a crashed monitor detects nothing; a crashed peer re-opens
            for monitor in self.monitors:
                if monitor == peer or world.nodes[monitor].status == CRASHED:
                    continue
                if peer in (world.nodes[monitor].beliefs.get("suspects") or ()):
                    continue
                self.open[(monitor, peer)] = (event.tick, event.seq)
        elif kind == "state" and data.get("why") == "recovered":
            for key in [k for k in self.open if k[1] == event.node]:
                del self.open[key]
        elif kind == "observe" and data.get("what") == "suspect":
            self.open.pop((event.node, data["peer"]), None)  # type: ignore[arg-type]  # by a node
        return None

    def deadline(self) -> int | None:
        if not self.open:
            return None
        return min(t for t, _ in self.open.values()) + self.window

    def at_deadline(self, now: int, world: World) -> Finding:
        due = self.deadline()
        if due is None or now < due:
            return None
        (monitor, peer), (tick, seq) = min(self.open.items(), key=lambda kv: kv[1])
        return (f"{peer} crashed at tick {tick} and {monitor} still did not suspect it "
                f"{self.window} ms later", [seq])


# ------------------------------------------------------------------------------ metrics
def metrics(world: World) -> dict[str, Any]:
    """Numbers for scoring and the debrief, from the retained trace.

    ``detections`` (crash suspected by a monitor while the node was down),
    ``mean_detection_ms`` / ``max_detection_ms`` (true ms from the crash to the suspicion),
    ``undetected`` (monitor/crash pairs still undetected at the end, node still down),
    ``false_suspicions`` (suspicions of nodes that had not crashed), ``false_suspicion_ms``
    (true ms they lasted, up to the end of the run), ``first_false_suspicion_tick`` (or
    ``None``), ``suspicions`` and ``heartbeats`` (sent).
    """
    truth = _Truth()
    out: dict[str, Any] = {"detections": 0, "mean_detection_ms": None, "max_detection_ms": None,
                           "undetected": 0, "false_suspicions": 0, "false_suspicion_ms": 0,
                           "first_false_suspicion_tick": None, "suspicions": 0,
                           "heartbeats": 0}
    pending: dict[tuple[str, str], int] = {}  # (monitor, peer) -> crash tick, not yet detected
    false_open: dict[tuple[str, str], int] = {}
    monitors: set[str] = set()
    down: set[str] = set()
    suspecting: set[tuple[str, str]] = set()
    detections: list[int] = []
    for e in world.trace:
        truth.feed(e)
        kind, data = e.kind, e.data
        if kind == "state" and e.node is not None:
            if data.get("role") == "monitor":
                monitors.add(e.node)
            if data.get("why") == "recovered":
                down.discard(e.node)
        if kind == "send" and isinstance(data.get("payload"), dict) \
                and data["payload"].get("type") == "heartbeat":
            out["heartbeats"] += 1
        elif kind == "fault" and data.get("tool") == "crash" and "effect" not in data:
            peer = data["target"]
            for key in [k for k in pending if peer in k]:
                del pending[key]
            for key in [k for k in false_open if k[0] == peer]:
                out["false_suspicion_ms"] += e.tick - false_open.pop(key)
            down.add(peer)
            suspecting = {k for k in suspecting if k[0] != peer}
            for monitor in sorted(monitors):
                if monitor != peer and monitor not in down and (monitor, peer) not in suspecting:
                    pending[(monitor, peer)] = e.tick
        elif kind == "state" and data.get("why") == "recovered":
            for key in [k for k in pending if k[1] == e.node]:
                del pending[key]
        elif kind == "observe" and data.get("what") in ("suspect", "trust"):
            key = (e.node, data["peer"])  # type: ignore[assignment]  # observe: node is set
            if data["what"] == "trust":
                suspecting.discard(key)
                if key in false_open:
                    out["false_suspicion_ms"] += e.tick - false_open.pop(key)
                continue
            out["suspicions"] += 1
            suspecting.add(key)
            if key in pending:
                detections.append(e.tick - pending.pop(key))
                continue
            false, _, _ = truth.judge(e.node, data["peer"], e.tick)  # type: ignore[arg-type]  # set
            if false:
                out["false_suspicions"] += 1
                false_open[key] = e.tick
                if out["first_false_suspicion_tick"] is None:
                    out["first_false_suspicion_tick"] = e.tick
    for start in false_open.values():
        out["false_suspicion_ms"] += world.now - start
    out["undetected"] = len(pending)
    out["detections"] = len(detections)
    if detections:
        out["mean_detection_ms"] = round(sum(detections) / len(detections), 3)
        out["max_detection_ms"] = max(detections)
    return out


# ------------------------------------------------------------------------------ SPEC
def _program(name: str, *, monitors: tuple[str, ...], knobs: Mapping[str, Any]) -> Program:
    return HeartbeatNode(
        monitors=monitors, detector=knobs["detector"], interval_ms=knobs["interval_ms"],
        timeout_ms=knobs["timeout_ms"], threshold=knobs["threshold"],
        max_sample_size=knobs["max_sample_size"],
        min_std_deviation_ms=knobs["min_std_deviation_ms"],
        acceptable_heartbeat_pause_ms=knobs["acceptable_heartbeat_pause_ms"],
    )


def build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    monitors = tuple(knobs["monitors"]) or nodes
    if len(set(monitors)) != len(monitors):
        raise KnobError("monitors", f"lists a node twice: {list(monitors)}")
    program = functools.partial(_program, monitors=monitors, knobs=dict(knobs))
    checks: list[Check] = []
    if knobs["check_false_suspicions"]:
        checks.append(NoFalseSuspicion())
    if knobs["detect_within_ms"]:
        checks.append(CrashDetectedWithin(knobs["detect_within_ms"], monitors))
    return Build(program=program, checks=tuple(checks))


SPEC = ProtocolSpec(
    name="failure_detector",
    title="Failure detection: timeouts and phi accrual",
    source=SOURCE,
    summary=(
        "Nodes send heartbeats; a monitor suspects a node when its heartbeats stop. With a "
        "fixed timeout, a short one suspects nodes that are merely slow (queueing delay, a "
        "pause) and a long one is slow to notice a real crash: in an asynchronous network no "
        "timeout is right. The phi accrual detector measures the heartbeat inter-arrival times "
        "and turns 'time since the last heartbeat' into a suspicion level phi = -log10(P(a "
        "heartbeat this late)), adapting to each link's jitter."
    ),
    knobs=(
        Knob("monitors", "nodes", (), "Nodes that run a detector on every other node (empty: "
             "every node monitors every other, as in Cassandra).", safe="any"),
        Knob("detector", "str", "phi", "Which detector monitors run.", choices=DETECTORS,
             safe="phi adapts to each link's jitter; fixed is only as good as its timeout"),
        Knob("interval_ms", "int", 100, "Heartbeat interval, on the sender's monotonic clock "
             "(Akka: 1 s; this sim runs at a tenth of Akka's defaults).", low=1, high=60_000,
             safe="any; shorter detects faster at the cost of messages"),
        Knob("timeout_ms", "int", 500, "Fixed detector: suspect a node this long after its "
             "last heartbeat.", low=1, high=600_000,
             safe="above interval plus the worst delay and pause you expect (there is no "
                  "bound in an asynchronous network); longer only slows detection"),
        Knob("threshold", "float", 8.0, "Phi detector: suspect once phi reaches this "
             "(Akka and Cassandra default 8: a 1e-8 chance of a mistake under the model).",
             low=0.5, high=100.0, safe=">= 8; lower detects faster and errs more"),
        Knob("max_sample_size", "int", 200, "Phi detector: inter-arrival samples kept "
             "(Akka remote: 200, cluster: 1000).", low=2, high=10_000, safe="any"),
        Knob("min_std_deviation_ms", "float", 10.0, "Phi detector: floor of the standard "
             "deviation, so a very regular link does not make phi explode on the first late "
             "heartbeat (Akka: 100 ms).", low=0.1, high=60_000.0, safe=">= 10"),
        Knob("acceptable_heartbeat_pause_ms", "float", 300.0, "Phi detector: added to the "
             "mean inter-arrival time: the pauses and lost heartbeats to tolerate (Akka: "
             "3 s).", low=0.0, high=600_000.0,
             safe="the longest pause you want to ride out; 0 is Hayashibara's original"),
        Knob("check_false_suspicions", "bool", True, "Build the no-false-suspicion check "
             "(a level's goal).", safe="any"),
        Knob("detect_within_ms", "int", 2_000, "Liveness window: a crashed node must be "
             "suspected by every live monitor within this many ms (0: no check).",
             low=0, high=3_600_000, safe="any"),
    ),
    build=build,
    commands={
        "stop_heartbeats": "on any node: stop sending heartbeats while staying alive (a stuck "
                           "heartbeat thread); no args",
        "start_heartbeats": "on any node: send heartbeats again; no args",
        "transfer": "on any node: a bulk transfer, args = {to = NODE, messages = N}: N data "
                    "messages to NODE at once, queueing on the same link as its heartbeats",
    },
    invariants={"no-false-suspicion": "no monitor suspects a node that did not crash since "
                                      "the monitor last heard from it (the level's goal)"},
    liveness={"crash-detected-within": "every crashed node is suspected by every live monitor "
                                       "within detect_within_ms"},
    metrics=metrics,
    min_nodes=2,
    default_nodes=("n1", "n2", "n3"),
)
